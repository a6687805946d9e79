using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Email;
using Signalbook.Features.Notifications.Delivery;
using Signalbook.Features.Notifications.Telegram;
using Signalbook.Features.Users;

namespace Signalbook.Features.Notifications.Preferences;

/// <summary>What Settings → Notifications shows: the user's preferences, zone and Telegram state.</summary>
public sealed record NotificationSettings(
    bool EmailEnabled,
    string? EmailAddress,
    string AccountEmail,
    bool TelegramEnabled,
    bool TelegramLinked,
    string? TelegramLinkCode,
    DateTimeOffset? TelegramLinkCodeExpiresAt,
    string? TelegramDisabledReason,
    bool NotifyServiceEvents,
    bool NotifyTradingEvents,
    bool NotifySystemEvents,
    bool NotifyErrors,
    TimeOnly? QuietHoursStart,
    TimeOnly? QuietHoursEnd,
    string? TimeZone,
    bool TelegramAvailable,
    string? BotUsername,
    bool SmtpConfigured);

/// <summary>What the user saves. In-app notifications are always on (the seed's rule), so they are not an input.</summary>
public sealed record NotificationSettingsInput(
    bool EmailEnabled,
    string? EmailAddress,
    bool TelegramEnabled,
    bool NotifyServiceEvents,
    bool NotifyTradingEvents,
    bool NotifySystemEvents,
    bool NotifyErrors,
    TimeOnly? QuietHoursStart,
    TimeOnly? QuietHoursEnd,
    string? TimeZone);

/// <summary>A problem with one field of the input, named by a <c>NotificationPreferencesService.*Field</c> constant.</summary>
public sealed record SettingsError(string Field, string Message);

/// <summary>The outcome of a test send, as the page shows it.</summary>
public sealed record TestSendResult(bool Ok, string Message);

/// <summary>
/// Settings → Notifications for the signed-in user: every call takes the caller's own id (the page passes
/// <see cref="CurrentUser"/>'s), so one user can neither read nor change another's preferences. Bad input is refused
/// with one message per field and nothing is written. The time zone is the trading profile's (the journal and the
/// trading rules use the same), so quiet hours and the journal's days agree.
/// </summary>
public sealed class NotificationPreferencesService(
    IDbContextFactory<AppDbContext> factory,
    EmailService email,
    TelegramSender telegram,
    TelegramLinkService links,
    NotificationDelivery delivery,
    UserSettingsService settings,
    TimeProvider clock)
{
    public const string EmailField = "email_address";
    public const string TelegramField = "telegram";
    public const string QuietHoursField = "quiet_hours";
    public const string TimeZoneField = "time_zone";

    public async Task<NotificationSettings> GetAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await NotificationPreferencesStore.EnsureAsync(db, userId, ct);
        var account = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.Email).SingleAsync(ct);
        var profile = (await settings.GetTradingAsync(userId, ct)).Profile;
        var codeValid = p.TelegramLinkCode is not null && p.TelegramLinkCodeExpiresAt > clock.GetUtcNow();
        return new NotificationSettings(p.EmailEnabled, p.EmailAddress, account ?? "", p.TelegramEnabled, p.TelegramChatId is not null,
            codeValid ? p.TelegramLinkCode : null, codeValid ? p.TelegramLinkCodeExpiresAt : null, p.TelegramDisabledReason,
            p.NotifyServiceEvents, p.NotifyTradingEvents, p.NotifySystemEvents, p.NotifyErrors, p.QuietHoursStart, p.QuietHoursEnd,
            profile.TimeZone, telegram.IsConfigured, telegram.BotUsername, email.SmtpConfigured);
    }

    /// <summary>Checks the input; an empty list means it can be saved.</summary>
    public static IReadOnlyList<SettingsError> Validate(NotificationSettingsInput input, bool telegramLinked)
    {
        var errors = new List<SettingsError>();
        var address = input.EmailAddress?.Trim();
        if (input.EmailEnabled && string.IsNullOrEmpty(address))
            errors.Add(new(EmailField, "Enter the email address to send notifications to, or turn email off."));
        else if (!string.IsNullOrEmpty(address) && (address.Length > 255 || !new EmailAddressAttribute().IsValid(address) || !address.Contains('.', StringComparison.Ordinal)))
            errors.Add(new(EmailField, $"'{address}' is not a valid email address (for example name@example.com)."));
        if (input.TelegramEnabled && !telegramLinked)
            errors.Add(new(TelegramField, "Link your Telegram chat first (make a link code below and send it to the bot), then turn Telegram on."));
        if (input.QuietHoursStart is null != input.QuietHoursEnd is null)
            errors.Add(new(QuietHoursField, "Quiet hours need both a start and an end time, or neither."));
        else if (input.QuietHoursStart is { } s && s == input.QuietHoursEnd)
            errors.Add(new(QuietHoursField, "Quiet hours must start and end at different times (a start after the end spans midnight)."));
        if (!string.IsNullOrWhiteSpace(input.TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone.Trim(), out _))
            errors.Add(new(TimeZoneField, $"'{input.TimeZone.Trim()}' is not a time zone this server knows; choose one from the list (e.g. Europe/Paris)."));
        return errors;
    }

    /// <summary>Saves the user's own preferences and time zone, or returns what is wrong (nothing is then written).</summary>
    public async Task<IReadOnlyList<SettingsError>> SaveAsync(Guid userId, NotificationSettingsInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await NotificationPreferencesStore.EnsureAsync(db, userId, ct);
        var errors = Validate(input, p.TelegramChatId is not null);
        if (errors.Count > 0) return errors;

        p.EmailEnabled = input.EmailEnabled;
        p.EmailAddress = string.IsNullOrWhiteSpace(input.EmailAddress) ? null : input.EmailAddress.Trim();
        p.TelegramEnabled = input.TelegramEnabled;
        if (input.TelegramEnabled) p.TelegramDisabledReason = null;
        p.InAppEnabled = true;
        p.NotifyServiceEvents = input.NotifyServiceEvents;
        p.NotifyTradingEvents = input.NotifyTradingEvents;
        p.NotifySystemEvents = input.NotifySystemEvents;
        p.NotifyErrors = input.NotifyErrors;
        p.QuietHoursStart = input.QuietHoursStart;
        p.QuietHoursEnd = input.QuietHoursEnd;
        p.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);

        var zone = string.IsNullOrWhiteSpace(input.TimeZone) ? null : input.TimeZone.Trim();
        if ((await settings.GetTradingAsync(userId, ct)).Profile.TimeZone != zone)
            await settings.UpdateTradingProfileAsync(userId, profile => profile with { TimeZone = zone }, ct);
        return [];
    }

    /// <summary>A new Telegram link code for the user.</summary>
    public Task<(string Code, DateTimeOffset ExpiresAt)> NewTelegramCodeAsync(Guid userId, CancellationToken ct = default) => links.NewCodeAsync(userId, ct);

    /// <summary>Forgets the user's Telegram chat (Telegram is then off).</summary>
    public async Task UnlinkTelegramAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await NotificationPreferencesStore.EnsureAsync(db, userId, ct);
        p.TelegramChatId = null;
        p.TelegramEnabled = false;
        p.TelegramDisabledReason = null;
        p.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Sends a test email to the user's saved address now and says what happened.</summary>
    public async Task<TestSendResult> SendTestEmailAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await NotificationPreferencesStore.EnsureAsync(db, userId, ct);
        if (string.IsNullOrWhiteSpace(p.EmailAddress)) return new(false, "Save an email address first.");
        var message = await email.SendAsync(p.EmailAddress, "Signalbook: test notification",
            "This is a test of your Signalbook email notifications. If you can read it, email delivery works.", "notification-test", ct);
        return message.Status switch
        {
            EmailStatus.Sent => new(true, $"Test email sent to {p.EmailAddress}."),
            EmailStatus.Stored => new(true, $"Test email to {p.EmailAddress} written to the outbox: this server has no SMTP server configured, so emails wait there for an admin."),
            _ => new(false, $"The test email to {p.EmailAddress} could not be sent: {message.Error}"),
        };
    }

    /// <summary>Sends a test message to the user's linked Telegram chat now and says what happened.</summary>
    public async Task<TestSendResult> SendTestTelegramAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await NotificationPreferencesStore.EnsureAsync(db, userId, ct);
        if (p.TelegramChatId is null) return new(false, "Link your Telegram chat first.");
        try
        {
            await telegram.SendAsync(p.TelegramChatId, "This is a test of your Signalbook Telegram notifications.", ct);
            return new(true, "Test message sent to your Telegram chat.");
        }
        catch (TelegramDeliveryException e)
        {
            return new(false, $"The test message could not be sent: {e.Message}");
        }
    }

    /// <summary>The user's own failed deliveries, newest first.</summary>
    public Task<(IReadOnlyList<FailedDelivery> Rows, int Total)> FailedDeliveriesAsync(Guid userId, int skip, int take, CancellationToken ct = default)
        => delivery.FailedAsync(userId, null, skip, take, ct);
}
