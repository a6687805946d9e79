using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.Audit;

/// <summary>One security-relevant event: who did what to which target, from where, and whether it worked.</summary>
public sealed class AuditLog
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public Guid? ActorUserId { get; set; }
    public string? ActorEmail { get; set; }
    public string Action { get; set; } = "";
    public string? TargetType { get; set; }
    public string? TargetId { get; set; }
    public bool Success { get; set; } = true;
    public string? IpAddress { get; set; }
    public string? Details { get; set; }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> b)
    {
        b.ToTable("audit_logs");
        b.Property(a => a.Id).UseIdentityAlwaysColumn();
        b.Property(a => a.OccurredAt).HasDefaultValueSql("now()");
        b.Property(a => a.ActorEmail).HasMaxLength(320);
        b.Property(a => a.Action).HasMaxLength(100);
        b.Property(a => a.TargetType).HasMaxLength(100);
        b.Property(a => a.TargetId).HasMaxLength(200);
        b.Property(a => a.IpAddress).HasMaxLength(64);
        b.Property(a => a.Success).HasDefaultValue(true);
        b.Property(a => a.Details).HasColumnType("jsonb");
        b.HasIndex(a => a.OccurredAt);
        b.HasIndex(a => new { a.ActorUserId, a.OccurredAt });
        b.HasIndex(a => new { a.Action, a.OccurredAt });
    }
}
