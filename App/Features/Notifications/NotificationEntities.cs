namespace Signalbook.Features.Notifications;

/// <summary>notifications.type (multi-user seed): which preference switch governs a message.</summary>
public static class NotificationTypes
{
    /// <summary>Service events: a trader's trading service started, stopped or failed; a sync finished.</summary>
    public const string Service = "service";

    /// <summary>Trading events: orders, fills, positions, alerts on instruments.</summary>
    public const string Trading = "trading";

    /// <summary>System events: broker issues, API limits, maintenance.</summary>
    public const string System = "system";

    /// <summary>Errors (for admins: a new error group).</summary>
    public const string Error = "error";

    public static readonly IReadOnlyList<string> All = [Service, Trading, System, Error];
}

/// <summary>notifications.level (multi-user seed). Critical messages go through quiet hours.</summary>
public static class NotificationLevels
{
    public const string Info = "info";
    public const string Warning = "warning";
    public const string Error = "error";
    public const string Critical = "critical";

    public static readonly IReadOnlyList<string> All = [Info, Warning, Error, Critical];
}

/// <summary>Where a message stands on one outbound channel (email, Telegram).</summary>
public static class DeliveryStatuses
{
    /// <summary>The user has the channel off, or off for this type.</summary>
    public const string NotRequested = "not_requested";

    /// <summary>Waiting for (another) attempt.</summary>
    public const string Pending = "pending";

    /// <summary>Held by quiet hours, to go out in the digest when they end.</summary>
    public const string Held = "held";

    public const string Sent = "sent";

    /// <summary>Every retry failed; shown to the user and the admin with the error.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [NotRequested, Pending, Held, Sent, Failed];
}

/// <summary>
/// One message to one user (multi-user seed's notifications): the in-app history with read state and the per-channel
/// delivery flags. Beyond the seed: a link to what it is about, the seed's alert links (symbol, order, strategy), and
/// each outbound channel's status, attempts and last error, so a failed delivery is visible and never silently lost.
/// </summary>
public sealed class Notification
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string Type { get; set; } = NotificationTypes.System;
    public string Level { get; set; } = NotificationLevels.Info;
    public string Title { get; set; } = "";
    public string Message { get; set; } = "";

    /// <summary>An app-relative link to what the message is about (an alert, an order, an error group).</summary>
    public string? Link { get; set; }

    public string? Symbol { get; set; }
    public bool Read { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool TelegramSent { get; set; }
    public bool EmailSent { get; set; }
    public bool InAppDelivered { get; set; } = true;
    public string EmailStatus { get; set; } = DeliveryStatuses.NotRequested;
    public string TelegramStatus { get; set; } = DeliveryStatuses.NotRequested;
    public int DeliveryAttempts { get; set; }

    /// <summary>The last delivery error on any channel.</summary>
    public string? DeliveryError { get; set; }

    /// <summary>Quiet hours: when the held message goes out with the digest.</summary>
    public DateTimeOffset? HeldUntil { get; set; }

    /// <summary>
    /// The email_outbox row that carries this message by email, once written: every retry re-sends that one row, so the
    /// outbox shows one email per notification with its latest delivery status.
    /// </summary>
    public long? EmailMessageId { get; set; }
}

/// <summary>
/// A user's notification settings (multi-user seed's user_notification_preferences, one row per user): channels,
/// types and quiet hours (local times in the user's time zone; start after end spans midnight). Beyond the seed: the
/// one-time code that links a Telegram chat, and when it expires.
/// </summary>
public sealed class UserNotificationPreferences
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public bool TelegramEnabled { get; set; }
    public string? TelegramChatId { get; set; }
    public bool EmailEnabled { get; set; }
    public string? EmailAddress { get; set; }

    /// <summary>Always on (the seed says so); kept as the seed's column.</summary>
    public bool InAppEnabled { get; set; } = true;

    public bool NotifyServiceEvents { get; set; } = true;
    public bool NotifyTradingEvents { get; set; } = true;
    public bool NotifySystemEvents { get; set; } = true;
    public bool NotifyErrors { get; set; } = true;
    public TimeOnly? QuietHoursStart { get; set; }
    public TimeOnly? QuietHoursEnd { get; set; }
    public string? TelegramLinkCode { get; set; }
    public DateTimeOffset? TelegramLinkCodeExpiresAt { get; set; }

    /// <summary>
    /// Why Signalbook turned Telegram off for this user by itself (the user blocked the bot, or the chat is gone): shown
    /// on Settings → Notifications until the user links a chat again.
    /// </summary>
    public string? TelegramDisabledReason { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// Where the Telegram link poller stands with one bot (telegram_bot_state): the next getUpdates offset, so an update
/// is read once even across restarts and nodes. Keyed by the bot's id (the token's first part), so a new bot starts afresh.
/// </summary>
public sealed class TelegramBotState
{
    public long BotId { get; set; }
    public long UpdateOffset { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
