using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Email;
using Signalbook.Features.Notifications.Telegram;
using Signalbook.Features.Users;

namespace Signalbook.Features.Notifications.Delivery;

/// <summary>The outcome of one delivery attempt of a notification.</summary>
/// <param name="RetryNeeded">A channel is still pending after a failure a retry may fix (the job throws so Hangfire retries).</param>
public sealed record DeliveryAttempt(long NotificationId, string EmailStatus, string TelegramStatus, bool RetryNeeded, string? Error)
{
    public bool AnyFailed => EmailStatus == DeliveryStatuses.Failed || TelegramStatus == DeliveryStatuses.Failed;
}

/// <summary>What one digest run did.</summary>
public sealed record DigestRun(int Users, int Notifications, int EmailsSent, int TelegramsSent, int Failures, IReadOnlyList<string> Errors);

/// <summary>A notification with a failed outbound channel, for the user's and the admin's lists.</summary>
public sealed record FailedDelivery(long Id, Guid UserId, string? UserEmail, DateTimeOffset CreatedAt, string Type, string Level, string Title,
    string EmailStatus, string TelegramStatus, int Attempts, string? Error);

/// <summary>
/// Sends notifications on their outbound channels (email through the outbox, Telegram through the bot) and records each
/// channel's outcome on the notifications row: sent, still pending (a failure a retry may fix, before the last attempt),
/// or failed with the error (after the last attempt, or at once when a retry cannot help: a refused address, a blocked
/// bot, an unknown chat). A blocked bot or an unknown chat also turns Telegram off for the user, with the reason shown on
/// their settings page. Held messages go out in <see cref="SendDigestsAsync"/>: one message per user and channel.
/// Delivery is at least once: a row is written before any attempt, and a crash between sending and recording sends again.
/// </summary>
public sealed class NotificationDelivery(
    IDbContextFactory<AppDbContext> factory,
    EmailService email,
    TelegramSender telegram,
    PgEventBus bus,
    TimeProvider clock,
    UserSettingsService settings,
    ILogger<NotificationDelivery> logger)
{
    /// <summary>A digest that keeps failing is retried by the next runs (every few minutes) this many times, then marked failed.</summary>
    public const int DigestMaxAttempts = 5;

    /// <summary>Pending rows no delivery attempt has touched for this long are queued again by the digest run (a lost enqueue).</summary>
    public static readonly TimeSpan StalePending = TimeSpan.FromMinutes(15);

    public const string EmailKind = "notification";
    public const string DigestKind = "notification-digest";

    /// <summary>
    /// One attempt (number <paramref name="attempt"/> of <paramref name="maxAttempts"/>) at every pending channel of a
    /// notification. The user's current preferences apply: a channel turned off since the message was raised is not sent.
    /// </summary>
    public async Task<DeliveryAttempt> DeliverAsync(long notificationId, int attempt, int maxAttempts, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var n = await db.Notifications.SingleOrDefaultAsync(x => x.Id == notificationId, ct);
        if (n is null) return new DeliveryAttempt(notificationId, DeliveryStatuses.NotRequested, DeliveryStatuses.NotRequested, false, null);
        if (n.EmailStatus != DeliveryStatuses.Pending && n.TelegramStatus != DeliveryStatuses.Pending)
            return new DeliveryAttempt(n.Id, n.EmailStatus, n.TelegramStatus, false, n.DeliveryError);

        var prefs = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == n.UserId, ct);
        var last = attempt >= maxAttempts;
        var errors = new List<string>();
        var retry = false;

        if (n.EmailStatus == DeliveryStatuses.Pending)
        {
            if (prefs is null || !DeliveryPlanner.EmailOn(prefs)) n.EmailStatus = DeliveryStatuses.NotRequested;
            else
            {
                if (n.EmailMessageId is null)
                {
                    // The outbox row is written (and linked) before the first SMTP attempt: a retry re-sends this one row.
                    var message = await email.QueueAsync(prefs.EmailAddress!, Subject(n), await BodyAsync(n, ct), EmailKind, ct);
                    n.EmailMessageId = message.Id;
                    await db.SaveChangesAsync(ct);
                }
                EmailDelivery outcome;
                try
                {
                    outcome = await email.DeliverAsync(n.EmailMessageId.Value, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not a failure the outbox knows (a bug, a database hiccup): treated as one a retry may fix, so the
                    // channel still ends failed and visible after the last attempt rather than pending for ever.
                    logger.LogError(e, "Email delivery of notification {Id} failed unexpectedly", n.Id);
                    outcome = new EmailDelivery(n.EmailMessageId.Value, EmailStatus.Failed, $"{e.GetType().Name}: {e.Message}");
                }
                if (outcome.Status is EmailStatus.Sent or EmailStatus.Stored)
                {
                    n.EmailStatus = DeliveryStatuses.Sent;
                    n.EmailSent = true;
                }
                else
                {
                    errors.Add($"Email: {outcome.Error}");
                    if (outcome.Permanent || last) n.EmailStatus = DeliveryStatuses.Failed;
                    else retry = true;
                }
            }
        }

        if (n.TelegramStatus == DeliveryStatuses.Pending)
        {
            if (prefs is null || !DeliveryPlanner.TelegramOn(prefs))
            {
                if (prefs?.TelegramDisabledReason is { } reason)
                {
                    n.TelegramStatus = DeliveryStatuses.Failed;
                    errors.Add($"Telegram: {reason}");
                }
                else n.TelegramStatus = DeliveryStatuses.NotRequested;
            }
            else
            {
                try
                {
                    await telegram.SendAsync(prefs.TelegramChatId!, TelegramText(n), ct);
                    n.TelegramStatus = DeliveryStatuses.Sent;
                    n.TelegramSent = true;
                }
                catch (TelegramDeliveryException e)
                {
                    logger.LogWarning(e, "Telegram delivery of notification {Id} failed (attempt {Attempt} of {Max})", n.Id, attempt, maxAttempts);
                    errors.Add($"Telegram: {e.Message}");
                    if (e.Permanent || last) n.TelegramStatus = DeliveryStatuses.Failed;
                    else retry = true;
                    if (e.Failure is TelegramFailure.Blocked or TelegramFailure.BadChat) DisableTelegram(prefs, e.Message);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Telegram delivery of notification {Id} failed unexpectedly", n.Id);
                    errors.Add($"Telegram: {e.GetType().Name}: {e.Message}");
                    if (last) n.TelegramStatus = DeliveryStatuses.Failed;
                    else retry = true;
                }
            }
        }

        n.DeliveryAttempts++;
        n.DeliveryError = errors.Count == 0 ? null : Clip(string.Join(" ", errors), 1024);
        await db.SaveChangesAsync(CancellationToken.None);
        await AnnounceAsync(n.UserId);
        return new DeliveryAttempt(n.Id, n.EmailStatus, n.TelegramStatus, retry, n.DeliveryError);
    }

    /// <summary>
    /// For every user whose held messages are due (their quiet hours ended), one message per channel listing them all;
    /// the rows are then marked sent on that channel. A failed digest leaves them held for the next run (every few
    /// minutes) until <see cref="DigestMaxAttempts"/>, then marks them failed; a refusal a retry cannot fix fails them at once.
    /// </summary>
    public async Task<DigestRun> SendDigestsAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var due = await db.Notifications
            .Where(n => n.HeldUntil != null && n.HeldUntil <= now && (n.EmailStatus == DeliveryStatuses.Held || n.TelegramStatus == DeliveryStatuses.Held))
            .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync(ct);
        int emails = 0, telegrams = 0, failures = 0;
        var errors = new List<string>();
        foreach (var group in due.GroupBy(n => n.UserId))
        {
            var userId = group.Key;
            var prefs = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == userId, ct);
            var zone = await ZoneAsync(userId, ct);
            var rows = group.ToList();
            foreach (var n in rows) n.DeliveryAttempts++;

            var emailRows = rows.Where(n => n.EmailStatus == DeliveryStatuses.Held).ToList();
            if (emailRows.Count > 0)
            {
                if (prefs is null || !DeliveryPlanner.EmailOn(prefs)) Set(emailRows, DeliveryStatuses.NotRequested, email: true);
                else
                {
                    var messageId = emailRows.Select(n => n.EmailMessageId).Distinct().Count() == 1 ? emailRows[0].EmailMessageId : null;
                    if (messageId is null)
                    {
                        var message = await email.QueueAsync(prefs.EmailAddress!, DigestSubject(emailRows.Count), DigestBody(emailRows, zone), DigestKind, ct);
                        messageId = message.Id;
                        foreach (var n in emailRows) n.EmailMessageId = message.Id;
                        await db.SaveChangesAsync(ct);
                    }
                    var outcome = await email.DeliverAsync(messageId.Value, ct);
                    if (outcome.Status is EmailStatus.Sent or EmailStatus.Stored)
                    {
                        Set(emailRows, DeliveryStatuses.Sent, email: true);
                        emails++;
                    }
                    else
                    {
                        failures++;
                        errors.Add($"{userId}: email digest: {outcome.Error}");
                        DigestFailed(emailRows, $"Email digest: {outcome.Error}", outcome.Permanent, email: true);
                    }
                }
            }

            var telegramRows = rows.Where(n => n.TelegramStatus == DeliveryStatuses.Held).ToList();
            if (telegramRows.Count > 0)
            {
                if (prefs is null || !DeliveryPlanner.TelegramOn(prefs))
                {
                    if (prefs?.TelegramDisabledReason is { } reason) DigestFailed(telegramRows, $"Telegram: {reason}", permanent: true, email: false);
                    else Set(telegramRows, DeliveryStatuses.NotRequested, email: false);
                }
                else
                {
                    try
                    {
                        await telegram.SendAsync(prefs.TelegramChatId!, DigestSubject(telegramRows.Count) + "\n\n" + DigestBody(telegramRows, zone), ct);
                        Set(telegramRows, DeliveryStatuses.Sent, email: false);
                        telegrams++;
                    }
                    catch (TelegramDeliveryException e)
                    {
                        failures++;
                        errors.Add($"{userId}: Telegram digest: {e.Message}");
                        DigestFailed(telegramRows, $"Telegram digest: {e.Message}", e.Permanent, email: false);
                        if (e.Failure is TelegramFailure.Blocked or TelegramFailure.BadChat) DisableTelegram(prefs, e.Message);
                    }
                }
            }
            await db.SaveChangesAsync(CancellationToken.None);
            await AnnounceAsync(userId);
        }
        return new DigestRun(due.Select(n => n.UserId).Distinct().Count(), due.Count, emails, telegrams, failures, errors);
    }

    /// <summary>Ids of pending rows whose delivery never started for <see cref="StalePending"/> (their job was lost): to queue again.</summary>
    public async Task<IReadOnlyList<(long Id, Guid UserId)>> StalePendingAsync(CancellationToken ct = default)
    {
        var before = clock.GetUtcNow() - StalePending;
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Notifications.AsNoTracking()
            .Where(n => n.DeliveryAttempts == 0 && n.CreatedAt < before && n.HeldUntil == null
                        && (n.EmailStatus == DeliveryStatuses.Pending || n.TelegramStatus == DeliveryStatuses.Pending))
            .OrderBy(n => n.Id).Take(500).Select(n => new { n.Id, n.UserId }).ToListAsync(ct);
        return rows.Select(r => (r.Id, r.UserId)).ToList();
    }

    /// <summary>
    /// Failed deliveries, newest first: of one user (<paramref name="userId"/>) for their own page, or of everyone (null) for
    /// the admin's list; <paramref name="search"/> matches the title or the user's email.
    /// </summary>
    public async Task<(IReadOnlyList<FailedDelivery> Rows, int Total)> FailedAsync(Guid? userId, string? search, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = from n in db.Notifications.AsNoTracking()
                join u in db.Users on n.UserId equals u.Id
                where n.EmailStatus == DeliveryStatuses.Failed || n.TelegramStatus == DeliveryStatuses.Failed
                select new { n, u.Email };
        if (userId is { } id) q = q.Where(x => x.n.UserId == id);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = $"%{search.Trim()}%";
            q = q.Where(x => EF.Functions.ILike(x.n.Title, term) || EF.Functions.ILike(x.Email!, term));
        }
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(x => x.n.CreatedAt).ThenByDescending(x => x.n.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 200))
            .Select(x => new FailedDelivery(x.n.Id, x.n.UserId, x.Email, x.n.CreatedAt, x.n.Type, x.n.Level, x.n.Title, x.n.EmailStatus, x.n.TelegramStatus,
                x.n.DeliveryAttempts, x.n.DeliveryError))
            .ToListAsync(ct);
        return (rows, total);
    }

    /// <summary>Puts a notification's failed channels back to pending (an admin's retry); returns false when none had failed.</summary>
    public async Task<bool> ResetFailedAsync(long notificationId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var n = await db.Notifications.SingleOrDefaultAsync(x => x.Id == notificationId, ct);
        if (n is null || (n.EmailStatus != DeliveryStatuses.Failed && n.TelegramStatus != DeliveryStatuses.Failed)) return false;
        if (n.EmailStatus == DeliveryStatuses.Failed) n.EmailStatus = DeliveryStatuses.Pending;
        if (n.TelegramStatus == DeliveryStatuses.Failed) n.TelegramStatus = DeliveryStatuses.Pending;
        n.HeldUntil = null;
        await db.SaveChangesAsync(ct);
        return true;
    }

    private void DisableTelegram(UserNotificationPreferences prefs, string why)
    {
        prefs.TelegramEnabled = false;
        prefs.TelegramDisabledReason = Clip($"Telegram was turned off on {clock.GetUtcNow():yyyy-MM-dd HH:mm} UTC: {why} Link your chat again to turn it back on.", 512);
        prefs.UpdatedAt = clock.GetUtcNow();
    }

    private static void Set(List<Notification> rows, string status, bool email)
    {
        foreach (var n in rows)
        {
            if (email)
            {
                n.EmailStatus = status;
                if (status == DeliveryStatuses.Sent) n.EmailSent = true;
            }
            else
            {
                n.TelegramStatus = status;
                if (status == DeliveryStatuses.Sent) n.TelegramSent = true;
            }
        }
    }

    private static void DigestFailed(List<Notification> rows, string error, bool permanent, bool email)
    {
        foreach (var n in rows)
        {
            n.DeliveryError = Clip(error, 1024);
            if (permanent || n.DeliveryAttempts >= DigestMaxAttempts)
            {
                if (email) n.EmailStatus = DeliveryStatuses.Failed;
                else n.TelegramStatus = DeliveryStatuses.Failed;
            }
        }
    }

    private async Task AnnounceAsync(Guid userId)
    {
        try
        {
            await bus.PublishAsync(PgTopics.Notifications, new { userId });
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning(e, "Could not announce a delivery change to {User}'s open pages", userId);
        }
    }

    private async Task<TimeZoneInfo> ZoneAsync(Guid userId, CancellationToken ct)
        => UserSettingsService.ZoneOf((await settings.GetTradingAsync(userId, ct)).Profile);

    internal static string Subject(Notification n) => $"Signalbook{LevelTag(n.Level)}: {n.Title}";

    private async Task<string> BodyAsync(Notification n, CancellationToken ct)
    {
        var zone = await ZoneAsync(n.UserId, ct);
        var b = new StringBuilder();
        b.AppendLine(n.Title).AppendLine();
        if (!string.IsNullOrWhiteSpace(n.Message)) b.AppendLine(n.Message).AppendLine();
        if (n.Symbol is not null) b.AppendLine(CultureInfo.InvariantCulture, $"Symbol: {n.Symbol}");
        if (n.Link is not null) b.AppendLine(CultureInfo.InvariantCulture, $"In Signalbook: /{n.Link.TrimStart('/')}");
        b.AppendLine(CultureInfo.InvariantCulture, $"{Capitalise(n.Type)} · {n.Level} · {Local(n.CreatedAt, zone)}").AppendLine();
        b.Append("You receive this because of your settings at Settings → Notifications.");
        return b.ToString();
    }

    internal static string TelegramText(Notification n)
    {
        var text = $"{LevelIcon(n.Level)}{n.Title}";
        if (!string.IsNullOrWhiteSpace(n.Message)) text += "\n" + n.Message;
        if (n.Symbol is not null) text += $"\nSymbol: {n.Symbol}";
        return text;
    }

    internal static string DigestSubject(int count) => count == 1
        ? "Signalbook: 1 notification during your quiet hours"
        : $"Signalbook: {count} notifications during your quiet hours";

    internal static string DigestBody(IReadOnlyList<Notification> rows, TimeZoneInfo zone)
    {
        var b = new StringBuilder();
        foreach (var n in rows)
        {
            b.Append(CultureInfo.InvariantCulture, $"• {Local(n.CreatedAt, zone)} [{n.Type}, {n.Level}] {n.Title}");
            if (!string.IsNullOrWhiteSpace(n.Message)) b.Append(" — ").Append(n.Message.Length > 200 ? n.Message[..199] + "…" : n.Message);
            b.AppendLine();
        }
        b.AppendLine().Append("All of them are in your notification history in Signalbook.");
        return b.ToString();
    }

    private static string Local(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        return $"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} {(zone == TimeZoneInfo.Utc ? "UTC" : zone.Id)}";
    }

    private static string LevelTag(string level) => level switch
    {
        NotificationLevels.Critical => " [critical]",
        NotificationLevels.Error => " [error]",
        NotificationLevels.Warning => " [warning]",
        _ => "",
    };

    private static string LevelIcon(string level) => level switch
    {
        NotificationLevels.Critical => "🚨 ",
        NotificationLevels.Error => "❗ ",
        NotificationLevels.Warning => "⚠️ ",
        _ => "",
    };

    private static string Capitalise(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Clip(string s, int max) => s.Length > max ? s[..(max - 1)] + "…" : s;
}

/// <summary>Starts a notification's delivery off the caller's path (Hangfire in the app).</summary>
public interface INotificationDeliveryQueue
{
    Task EnqueueAsync(long notificationId, Guid userId, CancellationToken ct = default);
}

/// <summary>
/// Without a job scheduler (a tool or test host that registers no Hangfire): delivers at once, on the caller's path, as
/// a single, final attempt.
/// </summary>
public sealed class InlineNotificationDeliveryQueue(NotificationDelivery delivery) : INotificationDeliveryQueue
{
    public Task EnqueueAsync(long notificationId, Guid userId, CancellationToken ct = default) => delivery.DeliverAsync(notificationId, 1, 1, ct);
}
