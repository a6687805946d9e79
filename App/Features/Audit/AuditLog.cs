using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.Audit;

/// <summary>
/// One audited event (multi-user seed's audit_logs): who (user, or the email tried), what action, on
/// which resource, the change before/after, from which address and browser, when, and whether it worked.
/// </summary>
public sealed class AuditLog
{
    public long Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public Guid? UserId { get; set; }
    public string? ActorEmail { get; set; }
    public string Action { get; set; } = "";
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    /// <summary>jsonb <c>{"before": …, "after": …}</c> for changes of state.</summary>
    public string? Changes { get; set; }
    /// <summary>jsonb with any further context (the session id of a sign-in, a failure's reason…).</summary>
    public string? Details { get; set; }
    public bool Success { get; set; } = true;
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
}

internal sealed class AuditLogConfiguration : IEntityTypeConfiguration<AuditLog>
{
    public void Configure(EntityTypeBuilder<AuditLog> b)
    {
        b.ToTable("audit_logs");
        b.Property(a => a.Id).UseIdentityAlwaysColumn();
        b.Property(a => a.OccurredAt).HasDefaultValueSql("now()");
        b.Property(a => a.ActorEmail).HasMaxLength(320);
        b.Property(a => a.Action).HasMaxLength(64);
        b.Property(a => a.ResourceType).HasMaxLength(64);
        b.Property(a => a.ResourceId).HasMaxLength(200);
        b.Property(a => a.IpAddress).HasMaxLength(45);
        b.Property(a => a.UserAgent).HasMaxLength(512);
        b.Property(a => a.Success).HasDefaultValue(true);
        b.Property(a => a.Changes).HasColumnType("jsonb");
        b.Property(a => a.Details).HasColumnType("jsonb");
        b.HasOne<Signalbook.Features.Users.AppUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(a => a.OccurredAt);
        b.HasIndex(a => a.Action);
        b.HasIndex(a => a.ResourceType);
        b.HasIndex(a => new { a.UserId, a.OccurredAt, a.ResourceType });
    }
}
