using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Users;

namespace Signalbook.Jobs;

/// <summary>Outcomes of a job run (the multi-user seed's statuses plus running and cancelled).</summary>
public static class TaskStatuses
{
    public const string Running = "running";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Skipped = "skipped";
    public const string Cancelled = "cancelled";

    /// <summary>Left running by a node that died; marked so by the start-up sweep (Features/Operations/InterruptedWorkSweep).</summary>
    public const string Interrupted = "interrupted";

    public static readonly IReadOnlyList<string> All = [Running, Success, Failed, Skipped, Cancelled, Interrupted];
}

/// <summary>
/// One run of a background job (multi-user seed's service_task_execution): who or what started it, on
/// which node, how long it took, its live progress while running, and counts and errors in details.
/// user_id is the user a per-user task ran for (null for system jobs such as market-data sync).
/// </summary>
public sealed class TaskExecution
{
    public long Id { get; set; }
    public Guid? UserId { get; set; }
    public string TaskName { get; set; } = "";
    /// <summary>When the run started.</summary>
    public DateTimeOffset ExecutedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string Status { get; set; } = TaskStatuses.Running;
    public double? DurationSeconds { get; set; }
    /// <summary>cron, manual (with the admin in requested_by) or chained (started by another job).</summary>
    public string TriggerKind { get; set; } = "cron";
    public Guid? RequestedBy { get; set; }
    public string NodeName { get; set; } = "";
    public string? FireInstanceId { get; set; }
    /// <summary>0–1 while running.</summary>
    public double Progress { get; set; }
    public string? ProgressMessage { get; set; }
    public string? Error { get; set; }
    /// <summary>Counts and per-item errors as JSON.</summary>
    public string? Details { get; set; }
}

/// <summary>
/// Liveness of a service (multi-user seed's service_status): one row per app node (node_name) for the
/// scheduler's heartbeat, and one per user (user_id) for a user's trading service.
/// </summary>
public sealed class ServiceStatus
{
    public long Id { get; set; }
    public Guid? UserId { get; set; }
    public string? NodeName { get; set; }
    public bool ServiceRunning { get; set; }
    public DateTimeOffset? LastHeartbeat { get; set; }
    public DateTimeOffset? LastTaskExecution { get; set; }
    public int ErrorCount { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class TaskExecutionConfiguration : IEntityTypeConfiguration<TaskExecution>
{
    public void Configure(EntityTypeBuilder<TaskExecution> b)
    {
        b.ToTable("service_task_execution", t =>
        {
            t.HasCheckConstraint("ck_service_task_execution_status", "status IN ('running', 'success', 'failed', 'skipped', 'cancelled', 'interrupted')");
            t.HasCheckConstraint("ck_service_task_execution_trigger_kind", "trigger_kind IN ('cron', 'manual', 'chained')");
            t.HasCheckConstraint("ck_service_task_execution_progress", "progress >= 0 AND progress <= 1");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.TaskName).HasMaxLength(64);
        b.Property(e => e.Status).HasMaxLength(16);
        b.Property(e => e.TriggerKind).HasMaxLength(16);
        b.Property(e => e.NodeName).HasMaxLength(200);
        b.Property(e => e.FireInstanceId).HasMaxLength(200);
        b.Property(e => e.ProgressMessage).HasMaxLength(512);
        b.Property(e => e.Details).HasColumnType("jsonb");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.RequestedBy).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.TaskName);
        b.HasIndex(e => e.Status);
        b.HasIndex(e => new { e.UserId, e.TaskName, e.ExecutedAt });
    }
}

internal sealed class ServiceStatusConfiguration : IEntityTypeConfiguration<ServiceStatus>
{
    public void Configure(EntityTypeBuilder<ServiceStatus> b)
    {
        b.ToTable("service_status", t => t.HasCheckConstraint("ck_service_status_owner", "(user_id IS NULL) <> (node_name IS NULL)"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.NodeName).HasMaxLength(200);
        b.Property(e => e.LastError).HasMaxLength(512);
        b.Property(e => e.ServiceRunning).HasDefaultValue(false);
        b.Property(e => e.ErrorCount).HasDefaultValue(0);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.UserId).IsUnique();
        b.HasIndex(e => e.NodeName).IsUnique();
    }
}
