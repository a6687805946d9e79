using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Email;
using Signalbook.Features.Users;

namespace Signalbook.Features.Notifications;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications", t =>
        {
            t.HasCheckConstraint("ck_notifications_type", "type IN ('service', 'trading', 'system', 'error')");
            t.HasCheckConstraint("ck_notifications_level", "level IN ('info', 'warning', 'error', 'critical')");
            t.HasCheckConstraint("ck_notifications_email_status", "email_status IN ('not_requested', 'pending', 'held', 'sent', 'failed')");
            t.HasCheckConstraint("ck_notifications_telegram_status", "telegram_status IN ('not_requested', 'pending', 'held', 'sent', 'failed')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Type).HasMaxLength(32);
        b.Property(e => e.Level).HasMaxLength(16);
        b.Property(e => e.Title).HasMaxLength(255);
        b.Property(e => e.Message).HasMaxLength(1024);
        b.Property(e => e.Link).HasMaxLength(512);
        b.Property(e => e.Symbol).HasMaxLength(32);
        b.Property(e => e.Read).HasDefaultValue(false);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.TelegramSent).HasDefaultValue(false);
        b.Property(e => e.EmailSent).HasDefaultValue(false);
        b.Property(e => e.InAppDelivered).HasDefaultValue(true);
        b.Property(e => e.EmailStatus).HasMaxLength(16).HasDefaultValue(DeliveryStatuses.NotRequested);
        b.Property(e => e.TelegramStatus).HasMaxLength(16).HasDefaultValue(DeliveryStatuses.NotRequested);
        b.Property(e => e.DeliveryAttempts).HasDefaultValue(0);
        b.Property(e => e.DeliveryError).HasMaxLength(1024);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<EmailMessage>().WithMany().HasForeignKey(e => e.EmailMessageId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.UserId);
        b.HasIndex(e => e.Type);
        b.HasIndex(e => e.Level);
        b.HasIndex(e => e.Read);
        b.HasIndex(e => e.CreatedAt);
        b.HasIndex(e => new { e.UserId, e.Read, e.CreatedAt });
        // The delivery and digest jobs look for messages still owed on a channel.
        b.HasIndex(e => e.HeldUntil).HasFilter("(held_until IS NOT NULL)");
    }
}

internal sealed class UserNotificationPreferencesConfiguration : IEntityTypeConfiguration<UserNotificationPreferences>
{
    public void Configure(EntityTypeBuilder<UserNotificationPreferences> b)
    {
        b.ToTable("user_notification_preferences");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.TelegramEnabled).HasDefaultValue(false);
        b.Property(e => e.TelegramChatId).HasMaxLength(64);
        b.Property(e => e.EmailEnabled).HasDefaultValue(false);
        b.Property(e => e.EmailAddress).HasMaxLength(255);
        b.Property(e => e.InAppEnabled).HasDefaultValue(true);
        b.Property(e => e.NotifyServiceEvents).HasDefaultValue(true);
        b.Property(e => e.NotifyTradingEvents).HasDefaultValue(true);
        b.Property(e => e.NotifySystemEvents).HasDefaultValue(true);
        b.Property(e => e.NotifyErrors).HasDefaultValue(true);
        b.Property(e => e.TelegramLinkCode).HasMaxLength(32);
        b.Property(e => e.TelegramDisabledReason).HasMaxLength(512);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.UserId).IsUnique();
        b.HasIndex(e => e.TelegramLinkCode).IsUnique().HasFilter("(telegram_link_code IS NOT NULL)");
    }
}

internal sealed class TelegramBotStateConfiguration : IEntityTypeConfiguration<TelegramBotState>
{
    public void Configure(EntityTypeBuilder<TelegramBotState> b)
    {
        b.ToTable("telegram_bot_state");
        b.HasKey(e => e.BotId);
        b.Property(e => e.BotId).ValueGeneratedNever();
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
    }
}
