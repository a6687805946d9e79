using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Users;

namespace Signalbook.Features.Waitlist;

public enum WaitlistStatus
{
    Pending,
    Approved,
    Rejected,
    Registered,
}

/// <summary>
/// A visitor who asked to join. Approval creates a one-time invitation: only the SHA-256 of its
/// token is stored, with an expiry; registering through it stamps <see cref="InvitationUsedAt"/>.
/// </summary>
public sealed class WaitlistEntry
{
    public long Id { get; set; }
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Referral { get; set; }
    public WaitlistStatus Status { get; set; }
    public string? Notes { get; set; }
    public string? IpAddress { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public Guid? DecidedByUserId { get; set; }
    public string? InvitationTokenHash { get; set; }
    public DateTimeOffset? InvitationExpiresAt { get; set; }
    public DateTimeOffset? InvitationUsedAt { get; set; }
    public Guid? RegisteredUserId { get; set; }
}

internal sealed class WaitlistEntryConfiguration : IEntityTypeConfiguration<WaitlistEntry>
{
    public void Configure(EntityTypeBuilder<WaitlistEntry> b)
    {
        b.ToTable("waitlist", t =>
        {
            t.HasCheckConstraint("ck_waitlist_status", "status IN ('pending', 'approved', 'rejected', 'registered')");
            t.HasCheckConstraint("ck_waitlist_invitation", "invitation_token_hash IS NULL OR invitation_expires_at IS NOT NULL");
        });
        b.Property(w => w.Id).UseIdentityAlwaysColumn();
        b.Property(w => w.Email).HasMaxLength(320);
        b.Property(w => w.NormalizedEmail).HasMaxLength(320);
        b.Property(w => w.Name).HasMaxLength(200);
        b.Property(w => w.Referral).HasMaxLength(500);
        b.Property(w => w.Notes).HasMaxLength(4000);
        b.Property(w => w.IpAddress).HasMaxLength(64);
        b.Property(w => w.InvitationTokenHash).HasMaxLength(64);
        b.Property(w => w.Status).HasMaxLength(20)
            .HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<WaitlistStatus>(s, true));
        b.Property(w => w.CreatedAt).HasDefaultValueSql("now()");
        b.Property(w => w.UpdatedAt).HasDefaultValueSql("now()");
        b.HasIndex(w => w.NormalizedEmail).IsUnique();
        b.HasIndex(w => w.InvitationTokenHash).IsUnique();
        b.HasIndex(w => new { w.Status, w.CreatedAt });
        b.HasOne<AppUser>().WithMany().HasForeignKey(w => w.DecidedByUserId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<AppUser>().WithMany().HasForeignKey(w => w.RegisteredUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
