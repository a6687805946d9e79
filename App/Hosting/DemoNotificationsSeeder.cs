using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Notifications;

namespace Signalbook.Hosting;

/// <summary>
/// Demo notifications, so the bell has something to show on the README's start command: for the demo trader a dozen of
/// every type (fills, alerts, the trading service, broker and system messages) over the last five days, the older ones
/// read; one email copy failed (its error shown in the centre), one Telegram copy held by quiet hours. For each admin a
/// few operations messages. Stored as history (past times, read states), not raised through the notifier, so nothing is
/// sent. Skipped for a user who already has them.
/// </summary>
public sealed class DemoNotificationsSeeder(IDbContextFactory<AppDbContext> factory, TimeProvider clock, ILogger<DemoNotificationsSeeder> logger)
{
    private sealed record Demo(TimeSpan Ago, string Type, string Level, string Title, string Message, string? Link = null, string? Symbol = null,
        bool Read = false, string Email = DeliveryStatuses.NotRequested, string Telegram = DeliveryStatuses.NotRequested, string? Error = null);

    private static readonly Demo[] ForTrader =
    [
        new(TimeSpan.FromMinutes(4), NotificationTypes.Trading, NotificationLevels.Info, "Order filled: bought 40 DLTA",
            "Your paper portfolio bought 40 DLTA at 212.48 (limit 212.50).", "/portfolios", "DLTA", Email: DeliveryStatuses.Sent),
        new(TimeSpan.FromMinutes(37), NotificationTypes.Trading, NotificationLevels.Warning, "Price alert: NOVA fell 4.8% today",
            "NOVA crossed your alert at −4.5% on the day; it trades at 31.06.", "/markets", "NOVA",
            Email: DeliveryStatuses.Failed, Error: "SMTP 550 5.1.1: mailbox unavailable (trader@signalbook.local)"),
        new(TimeSpan.FromHours(2), NotificationTypes.Service, NotificationLevels.Error, "Trading service paused",
            "The trading service stopped after three rejected orders in a row; check the broker connection and resume it.", "/trading-service"),
        new(TimeSpan.FromHours(5), NotificationTypes.System, NotificationLevels.Info, "New recommendations are ready",
            "Today's scoring produced 6 BUY and 3 SELL verdicts for your risk profile.", "/recommendations",
            Telegram: DeliveryStatuses.Held),
        new(TimeSpan.FromHours(9), NotificationTypes.Trading, NotificationLevels.Info, "Stop loss hit: sold 25 EMBR",
            "Your stop at 48.10 on EMBR filled at 48.02; the campaign closed at −1.1 R.", "/journal/trades", "EMBR", Read: true),
        new(TimeSpan.FromHours(20), NotificationTypes.Trading, NotificationLevels.Warning, "Journal nudge: no stop on ALPX",
            "Your ALPX entry has no stop loss, which your trading rules ask for.", "/journal/trades", "ALPX", Read: true),
        new(TimeSpan.FromDays(1.3), NotificationTypes.System, NotificationLevels.Warning, "Broker sync is behind",
            "The last broker sync finished 26 hours ago; fills after it are not in your journal yet.", "/journal/connections", Read: true),
        new(TimeSpan.FromDays(1.9), NotificationTypes.Service, NotificationLevels.Info, "Trading service started",
            "Your trading service runs the Pullback strategy on 8 instruments.", "/trading-service", Read: true, Email: DeliveryStatuses.Sent),
        new(TimeSpan.FromDays(2.6), NotificationTypes.Trading, NotificationLevels.Info, "Take profit hit: sold 30 GLNT",
            "Your target at 96.40 on GLNT filled at 96.52; the campaign closed at +2.3 R.", "/journal/trades", "GLNT", Read: true),
        new(TimeSpan.FromDays(3.4), NotificationTypes.Error, NotificationLevels.Error, "A CSV import had broken rows",
            "3 of 212 rows of demo-broker-export.csv could not be read; the valid rows were stored.", "/journal/import", Read: true),
        new(TimeSpan.FromDays(4.2), NotificationTypes.System, NotificationLevels.Info, "Scheduled maintenance on Saturday",
            "Signalbook restarts on Saturday at 06:00 UTC for about five minutes.", Read: true),
        new(TimeSpan.FromDays(4.8), NotificationTypes.System, NotificationLevels.Critical, "New sign-in from an unknown device",
            "Your account signed in from Firefox on Linux at 203.0.113.24. Not you? Revoke the session.", "/settings/sessions", Read: true),
    ];

    private static readonly Demo[] ForAdmin =
    [
        new(TimeSpan.FromMinutes(12), NotificationTypes.Error, NotificationLevels.Error, "New error: market data sync failed",
            "TimeoutException in the daily market data sync (3 occurrences).", "/admin/jobs"),
        new(TimeSpan.FromHours(3), NotificationTypes.System, NotificationLevels.Warning, "Waitlist is growing",
            "14 people joined the waitlist this week; 9 are waiting for a decision.", "/admin/waitlist"),
        new(TimeSpan.FromHours(7), NotificationTypes.Service, NotificationLevels.Critical, "A node stopped sending heartbeats",
            "Node web-2 last reported 11 minutes ago.", "/admin/jobs", Email: DeliveryStatuses.Sent),
        new(TimeSpan.FromDays(1.2), NotificationTypes.System, NotificationLevels.Info, "Model v2 activated",
            "The verdict classifier v2 is active; v1 is kept for its track record.", "/admin/models", Read: true),
        new(TimeSpan.FromDays(2.5), NotificationTypes.Error, NotificationLevels.Warning, "Failed sign-ins from one address",
            "12 failed sign-ins from 198.51.100.7 in 10 minutes.", "/admin/audit", Read: true),
    ];

    /// <summary>Titles of every demo notification: a user who has one of them was seeded before.</summary>
    public static IReadOnlyList<string> Titles { get; } = [.. ForTrader.Concat(ForAdmin).Select(d => d.Title).Distinct()];

    public async Task SeedAsync(Guid traderId, CancellationToken ct = default)
    {
        List<Guid> admins;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            admins = await NotificationService.ActiveAdminIdsAsync(db, ct);
        }
        var added = await SeedUserAsync(traderId, ForTrader, ct);
        foreach (var admin in admins) added += await SeedUserAsync(admin, ForAdmin, ct);
        if (added > 0) logger.LogInformation("Demo notifications: {Count} for the demo trader and {Admins} admin(s)", added, admins.Count);
    }

    private async Task<int> SeedUserAsync(Guid userId, Demo[] demos, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var titles = demos.Select(d => d.Title).ToList();
        if (await db.Notifications.AnyAsync(n => n.UserId == userId && titles.Contains(n.Title), ct)) return 0;
        var now = clock.GetUtcNow();
        foreach (var d in demos)
        {
            var at = now - d.Ago;
            var tried = d.Email != DeliveryStatuses.NotRequested || d.Telegram != DeliveryStatuses.NotRequested;
            db.Notifications.Add(new Notification
            {
                UserId = userId,
                Type = d.Type,
                Level = d.Level,
                Title = d.Title,
                Message = d.Message,
                Link = d.Link,
                Symbol = d.Symbol,
                Read = d.Read,
                ReadAt = d.Read ? at.AddMinutes(25) : null,
                CreatedAt = at,
                EmailStatus = d.Email,
                EmailSent = d.Email == DeliveryStatuses.Sent,
                TelegramStatus = d.Telegram,
                TelegramSent = d.Telegram == DeliveryStatuses.Sent,
                DeliveryAttempts = d.Email == DeliveryStatuses.Failed ? 3 : tried ? 1 : 0,
                DeliveryError = d.Error,
                HeldUntil = d.Telegram == DeliveryStatuses.Held ? NextMorning(now) : null,
            });
        }
        await db.SaveChangesAsync(ct);
        return demos.Length;
    }

    /// <summary>Quiet hours of the demo end at 07:00 UTC.</summary>
    private static DateTimeOffset NextMorning(DateTimeOffset now)
    {
        var seven = new DateTimeOffset(now.UtcDateTime.Date.AddHours(7), TimeSpan.Zero);
        return seven > now ? seven : seven.AddDays(1);
    }
}
