using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Users;

namespace Signalbook.Features.Operations.Errors;

/// <summary>
/// One captured error (the multi-user seed's error_logs): an unhandled exception of a request, a circuit or a job, or work
/// a crash cut short. Its <see cref="Fingerprint"/> names its <see cref="ErrorGroup"/>. Unresolved rows are kept
/// indefinitely; rows resolved with their group are deleted 90 days after the resolution.
/// </summary>
public sealed class ErrorLog
{
    public long Id { get; set; }
    public Guid? UserId { get; set; }
    public string ErrorType { get; set; } = "";
    public string ErrorMessage { get; set; } = "";
    public string? Traceback { get; set; }
    /// <summary>jsonb: route, job, node, version, the logger category and scope values.</summary>
    public string? Context { get; set; }
    public bool Resolved { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public Guid? ResolvedBy { get; set; }
    public string? ResolutionNotes { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>Type plus the top frames of the app's own code, hashed (<see cref="ErrorFingerprint"/>).</summary>
    public string Fingerprint { get; set; } = "";
}

/// <summary>
/// The state of one kind of error (all error_logs rows of a fingerprint): counts, first and last seen, and the resolution
/// workflow. A resolved group that recurs is reopened (and counted in <see cref="ReopenedCount"/>).
/// </summary>
public sealed class ErrorGroup
{
    public long Id { get; set; }
    public string Fingerprint { get; set; } = "";
    public string ErrorType { get; set; } = "";
    public string MessageSample { get; set; } = "";
    public DateTimeOffset FirstSeen { get; set; }
    public DateTimeOffset LastSeen { get; set; }
    public int Occurrences { get; set; }
    public bool Resolved { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public Guid? ResolvedBy { get; set; }
    public string? ResolutionNotes { get; set; }
    public int ReopenedCount { get; set; }
    public DateTimeOffset? LastReopenedAt { get; set; }
}

internal sealed class ErrorLogConfiguration : IEntityTypeConfiguration<ErrorLog>
{
    public void Configure(EntityTypeBuilder<ErrorLog> b)
    {
        b.ToTable("error_logs");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.ErrorType).HasMaxLength(128);
        b.Property(e => e.ErrorMessage).HasMaxLength(1024);
        b.Property(e => e.Traceback).HasMaxLength(8192);
        b.Property(e => e.Context).HasColumnType("jsonb");
        b.Property(e => e.Resolved).HasDefaultValue(false);
        b.Property(e => e.ResolutionNotes).HasMaxLength(512);
        b.Property(e => e.OccurredAt).HasDefaultValueSql("now()");
        b.Property(e => e.Fingerprint).HasMaxLength(64);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.ResolvedBy).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.UserId);
        b.HasIndex(e => e.OccurredAt);
        b.HasIndex(e => e.Resolved);
        b.HasIndex(e => new { e.UserId, e.OccurredAt, e.Resolved });
        b.HasIndex(e => new { e.Fingerprint, e.OccurredAt });
    }
}

internal sealed class ErrorGroupConfiguration : IEntityTypeConfiguration<ErrorGroup>
{
    public void Configure(EntityTypeBuilder<ErrorGroup> b)
    {
        b.ToTable("error_groups", t => t.HasCheckConstraint("ck_error_groups_counts", "occurrences >= 0 AND reopened_count >= 0"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Fingerprint).HasMaxLength(64);
        b.Property(e => e.ErrorType).HasMaxLength(128);
        b.Property(e => e.MessageSample).HasMaxLength(1024);
        b.Property(e => e.Resolved).HasDefaultValue(false);
        b.Property(e => e.ResolutionNotes).HasMaxLength(512);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.ResolvedBy).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.Fingerprint).IsUnique();
        b.HasIndex(e => new { e.Resolved, e.LastSeen });
    }
}
