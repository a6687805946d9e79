using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.Email;

public enum EmailStatus
{
    /// <summary>No SMTP server is configured: the message waits in the outbox for an admin to read.</summary>
    Stored,
    Sent,
    Failed,
}

/// <summary>Every email Signalbook writes, kept as the outbox an admin can read.</summary>
public sealed class EmailMessage
{
    public long Id { get; set; }
    public string ToAddress { get; set; } = "";
    public string Subject { get; set; } = "";
    public string BodyText { get; set; } = "";
    public string Kind { get; set; } = "";
    public EmailStatus Status { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
}

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> b)
    {
        b.ToTable("email_outbox", t => t.HasCheckConstraint("ck_email_outbox_status", "status IN ('stored', 'sent', 'failed')"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.ToAddress).HasMaxLength(320);
        b.Property(e => e.Subject).HasMaxLength(300);
        b.Property(e => e.Kind).HasMaxLength(50);
        b.Property(e => e.Error).HasMaxLength(2000);
        b.Property(e => e.Status).HasMaxLength(10)
            .HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<EmailStatus>(s, true));
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasIndex(e => e.CreatedAt);
        b.HasIndex(e => e.ToAddress);
    }
}
