using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;

namespace Signalbook.Jobs;

public sealed record JobRunSummary(long Id, string TaskName, string Status, DateTimeOffset ExecutedAt, DateTimeOffset? FinishedAt, double? DurationSeconds,
    double Progress, string? ProgressMessage, string? Error, string TriggerKind, string NodeName, string? Details);

public sealed record JobRow(string Name, string Description, string? Cron, string TimeZone, bool Paused, DateTimeOffset? PreviousFire,
    DateTimeOffset? NextFire, JobRunSummary? LastRun, JobRunSummary? Running);

public sealed record NodeRow(string NodeName, bool Running, DateTimeOffset? LastHeartbeat, DateTimeOffset? LastTaskExecution, int ErrorCount, string? LastError);

public sealed record JobHistoryQuery(string? TaskName = null, string? Status = null, int Skip = 0, int Take = 20);

/// <summary>
/// The Jobs page's view of the schedules (Hangfire's recurring jobs), the run history (service_task_execution) and the
/// nodes (service_status), and its commands (run now, pause, resume), audited. Pausing removes the job's recurring job
/// from Hangfire and marks it paused in the storage; resuming adds it back with its configured schedule.
/// </summary>
public sealed class JobsService(IDbContextFactory<AppDbContext> factory, AuditService audit, JobStorage storage, JobClient jobs,
    RecurringSchedules schedules, Microsoft.Extensions.Options.IOptionsMonitor<JobsOptions> options)
{
    /// <summary>
    /// Always true: starting a job only writes it to the shared storage, so it works on every node, and a node with
    /// Jobs:Enabled = false leaves the running to the others.
    /// </summary>
    public bool SchedulerAvailable => true;

    /// <summary>Whether this node runs Hangfire servers itself (Jobs:Enabled).</summary>
    public bool ServersRunHere => options.CurrentValue.Enabled;

    public async Task<IReadOnlyList<JobRow>> ListAsync(CancellationToken ct = default)
    {
        Dictionary<string, RecurringJobDto> recurring;
        IReadOnlySet<string> paused;
        using (var connection = storage.GetConnection())
        {
            recurring = connection.GetRecurringJobs(JobCatalog.All.Select(j => j.Name)).Where(r => !r.Removed).ToDictionary(r => r.Id);
        }
        paused = schedules.Paused();

        await using var db = await factory.CreateDbContextAsync(ct);
        var names = JobCatalog.All.Select(j => j.Name).ToList();
        var running = await db.TaskExecutions.AsNoTracking().Where(t => names.Contains(t.TaskName) && t.UserId == null && t.Status == TaskStatuses.Running)
            .ToListAsync(ct);
        var lastFinished = await db.TaskExecutions.AsNoTracking().Where(t => names.Contains(t.TaskName) && t.UserId == null && t.Status != TaskStatuses.Running)
            .GroupBy(t => t.TaskName).Select(g => g.OrderByDescending(t => t.ExecutedAt).ThenByDescending(t => t.Id).First()).ToListAsync(ct);
        var lastCron = await db.TaskExecutions.AsNoTracking().Where(t => names.Contains(t.TaskName) && t.UserId == null && t.TriggerKind == JobStart.CronKind)
            .GroupBy(t => t.TaskName).Select(g => new { g.Key, At = g.Max(t => t.ExecutedAt) }).ToListAsync(ct);

        return JobCatalog.All.Select(job =>
        {
            recurring.TryGetValue(job.Name, out var r);
            var isPaused = paused.Contains(job.Name);
            var cron = r?.Cron ?? (isPaused ? options.CurrentValue.CronFor(job) : null);
            DateTimeOffset? previous = r?.LastExecution is { } last ? new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc))
                : lastCron.FirstOrDefault(c => c.Key == job.Name)?.At;
            DateTimeOffset? next = !isPaused && r?.NextExecution is { } n ? new DateTimeOffset(DateTime.SpecifyKind(n, DateTimeKind.Utc)) : null;
            return new JobRow(job.Name, job.Description, cron, r?.TimeZoneId ?? job.TimeZone, isPaused && cron is not null, previous, next,
                Summary(lastFinished.FirstOrDefault(t => t.TaskName == job.Name)),
                Summary(running.OrderByDescending(t => t.Id).FirstOrDefault(t => t.TaskName == job.Name)));
        }).ToList();
    }

    public async Task<(IReadOnlyList<JobRunSummary> Rows, int Total)> HistoryAsync(JobHistoryQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var runs = db.TaskExecutions.AsNoTracking().Where(t => t.UserId == null);
        if (!string.IsNullOrEmpty(q.TaskName)) runs = runs.Where(t => t.TaskName == q.TaskName);
        if (!string.IsNullOrEmpty(q.Status)) runs = runs.Where(t => t.Status == q.Status);
        var total = await runs.CountAsync(ct);
        var page = await runs.OrderByDescending(t => t.ExecutedAt).ThenByDescending(t => t.Id).Skip(Math.Max(0, q.Skip)).Take(Math.Clamp(q.Take, 1, 200)).ToListAsync(ct);
        return (page.Select(t => Summary(t)!).ToList(), total);
    }

    public async Task<IReadOnlyList<NodeRow>> NodesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ServiceStatuses.AsNoTracking().Where(s => s.NodeName != null).OrderByDescending(s => s.LastHeartbeat)
            .Select(s => new NodeRow(s.NodeName!, s.ServiceRunning, s.LastHeartbeat, s.LastTaskExecution, s.ErrorCount, s.LastError)).ToListAsync(ct);
    }

    /// <summary>Queues the job now for whichever node picks it up first; refused while a run is in progress.</summary>
    public async Task<string?> RunNowAsync(string name, AuditActor admin, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        var job = JobCatalog.Find(name) ?? throw new ArgumentException($"No job named '{name}'.", nameof(name));
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if (await db.TaskExecutions.AnyAsync(t => t.TaskName == job.Name && t.Status == TaskStatuses.Running && t.UserId == null, ct))
                return $"{job.Name} is already running; wait for it to finish.";
        }
        jobs.Enqueue(job.Name, JobStart.Manual(admin.UserId));
        await audit.WriteAsync(admin, AuditActions.JobRunRequested, "job", job.Name, ct: ct);
        return null;
    }

    /// <summary>Stops the job's schedule on every node (its recurring job is removed) until resumed; Run now still works.</summary>
    public async Task PauseAsync(string name, AuditActor admin, CancellationToken ct = default)
    {
        var job = JobCatalog.Find(name) ?? throw new ArgumentException($"No job named '{name}'.", nameof(name));
        schedules.SetPaused(job.Name, paused: true);
        schedules.Apply(job, paused: true);
        await audit.WriteAsync(admin, AuditActions.JobPaused, "job", name, ct: ct);
    }

    public async Task ResumeAsync(string name, AuditActor admin, CancellationToken ct = default)
    {
        var job = JobCatalog.Find(name) ?? throw new ArgumentException($"No job named '{name}'.", nameof(name));
        schedules.SetPaused(job.Name, paused: false);
        schedules.Apply(job, paused: false);
        await audit.WriteAsync(admin, AuditActions.JobResumed, "job", name, ct: ct);
    }

    private static JobRunSummary? Summary(TaskExecution? t) => t is null ? null
        : new JobRunSummary(t.Id, t.TaskName, t.Status, t.ExecutedAt, t.FinishedAt, t.DurationSeconds, t.Progress, t.ProgressMessage, t.Error, t.TriggerKind, t.NodeName, t.Details);
}
