using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Email;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Delivery;
using Signalbook.Features.Notifications.Telegram;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Email;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

/// <summary>Records what the notifier queued instead of starting jobs: each test runs the delivery attempts itself.</summary>
public sealed class RecordingDeliveryQueue : INotificationDeliveryQueue
{
    public ConcurrentQueue<long> Queued { get; } = new();

    public Task EnqueueAsync(long notificationId, Guid userId, CancellationToken ct = default)
    {
        Queued.Enqueue(notificationId);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A harness with a real SMTP listener and a scripted Telegram Bot API on this machine, the recording queue, and helpers
/// to set a user's preferences and zone.
/// </summary>
public abstract class DeliveryHarness : ServiceHarness
{
    public const string BotToken = "123456789:TEST-signalbook-bot-token";

    protected SmtpListener Smtp { get; } = new();
    protected ScriptedHttpServer Bot { get; } = ScriptedHttpServer.StartAsync().GetAwaiter().GetResult();
    protected RecordingDeliveryQueue Queue { get; } = new();

    /// <summary>The SMTP port the app uses (the listener's by default; a closed port for the failure tests).</summary>
    protected virtual int SmtpPort => Smtp.Port;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = SmtpPort.ToString(CultureInfo.InvariantCulture),
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "signalbook@test.local",
        ["Smtp:TimeoutSeconds"] = "5",
        ["Telegram:BotToken"] = BotToken,
        ["Telegram:ApiBaseUrl"] = Bot.BaseUrl,
        ["Telegram:BotUsername"] = "signalbook_test_bot",
        ["Telegram:RetryThresholdSeconds"] = "5",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<INotificationDeliveryQueue>(Queue);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        await Bot.DisposeAsync();
    }

    protected void SetClock(DateTimeOffset utc) => Clock.Advance(utc - Clock.GetUtcNow());

    protected async Task<AppUser> UserAsync(string email, string? zone = null, Action<UserNotificationPreferences>? prefs = null)
    {
        var user = await CreateUserAsync(email);
        if (zone is not null) await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(user.Id, p => p with { TimeZone = zone }));
        await using var db = await DbAsync();
        var p = await NotificationPreferencesStore.EnsureAsync(db, user.Id, default);
        prefs?.Invoke(p);
        await db.SaveChangesAsync();
        return user;
    }

    protected async Task<Notification> RowAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id);
    }

    protected async Task<UserNotificationPreferences> PrefsAsync(Guid userId)
    {
        await using var db = await DbAsync();
        return await db.NotificationPreferences.AsNoTracking().SingleAsync(p => p.UserId == userId);
    }

    protected Task<long> NotifyAsync(Guid user, string title, string type = NotificationTypes.Service, string level = NotificationLevels.Warning, string message = "Details")
        => Services.GetRequiredService<INotifier>().NotifyAsync(new NotificationRequest(user, type, level, title, message));

    protected Task<DeliveryAttempt> DeliverAsync(long id, int attempt = 1, int max = 1)
        => Services.GetRequiredService<NotificationDelivery>().DeliverAsync(id, attempt, max);

    protected static ScriptedHttpServer.Reply TelegramOk(long chat = 42)
        => new(200, $$$"""{"ok":true,"result":{"message_id":7,"date":1764590000,"chat":{"id":{{{chat}}},"type":"private"},"text":"ok"}}""");

    protected static ScriptedHttpServer.Reply TelegramError(int code, string description, int? retryAfter = null)
        => new(code, retryAfter is { } s
            ? $$$"""{"ok":false,"error_code":{{{code}}},"description":"{{{description}}}","parameters":{"retry_after":{{{s}}}}}"""
            : $$"""{"ok":false,"error_code":{{code}},"description":"{{description}}"}""");

    protected IReadOnlyList<ScriptedHttpServer.Received> Sends => Bot.Requests.Where(r => r.Path.EndsWith("/sendMessage", StringComparison.Ordinal)).ToList();
}

public sealed class NotificationDeliveryTests : DeliveryHarness
{
    [Fact]
    public async Task EmailOn_TheRowIsWrittenPendingAndQueued_TheDeliveryEmailsItThroughTheOutbox()
    {
        var user = await UserAsync("ana@example.com", prefs: p => p.EmailEnabled = true);

        var id = await NotifyAsync(user.Id, "Trading service stopped", message: "Your service stopped after 3 errors.");

        var row = await RowAsync(id);
        Assert.Equal((DeliveryStatuses.Pending, DeliveryStatuses.NotRequested), (row.EmailStatus, row.TelegramStatus));
        Assert.Equal([id], Queue.Queued);
        Assert.Empty(Smtp.Messages); // off the caller's path

        var attempt = await DeliverAsync(id);
        Assert.False(attempt.RetryNeeded);
        var received = Assert.Single(Smtp.Messages);
        Assert.Equal(["ana@example.com"], received.RcptTo); // the account's email, the default address
        Assert.Equal("Signalbook [warning]: Trading service stopped", received.Message.Subject);
        Assert.Contains("Your service stopped after 3 errors.", received.Message.TextBody);
        row = await RowAsync(id);
        Assert.Equal(DeliveryStatuses.Sent, row.EmailStatus);
        Assert.True(row.EmailSent);
        Assert.Equal(1, row.DeliveryAttempts);
        await using var db = await DbAsync();
        var outbox = await db.EmailOutbox.SingleAsync(m => m.Id == row.EmailMessageId);
        Assert.Equal((EmailStatus.Sent, NotificationDelivery.EmailKind), (outbox.Status, outbox.Kind));
    }

    [Fact]
    public async Task UnreadableSettings_TheNoticeIsStillWritten_ItsQuietHoursTakenInUtc()
    {
        // A notice about a failing database (a new error group) must not be lost because the recipient's own settings
        // are what fails to read.
        var user = await UserAsync("dora@example.com");
        await using (var db = await DbAsync()) await db.Database.ExecuteSqlRawAsync("ALTER TABLE user_settings RENAME COLUMN profile TO profile_hidden");

        var id = await NotifyAsync(user.Id, "New error: PostgresException", NotificationTypes.Error, NotificationLevels.Error);

        var row = await RowAsync(id);
        Assert.Equal(("New error: PostgresException", true), (row.Title, row.InAppDelivered));
    }

    [Fact]
    public async Task ATypeSwitchedOff_KeepsTheInAppRow_AndSendsNothing()
    {
        var user = await UserAsync("ben@example.com", prefs: p =>
        {
            p.EmailEnabled = true;
            p.TelegramEnabled = true;
            p.TelegramChatId = "42";
            p.NotifyTradingEvents = false;
        });

        var id = await NotifyAsync(user.Id, "Order filled", NotificationTypes.Trading, NotificationLevels.Critical);

        var row = await RowAsync(id);
        Assert.Equal((DeliveryStatuses.NotRequested, DeliveryStatuses.NotRequested), (row.EmailStatus, row.TelegramStatus));
        Assert.True(row.InAppDelivered);
        Assert.Empty(Queue.Queued);
        Assert.Empty(Smtp.Messages);
        Assert.Empty(Bot.Requests);
    }

    [Fact]
    public async Task QuietHoursInParis_HoldUntilTheyEnd_CriticalGoesNow_TheDigestIsOneMessagePerChannel()
    {
        var user = await UserAsync("cleo@example.com", "Europe/Paris", p =>
        {
            p.EmailEnabled = true;
            p.TelegramEnabled = true;
            p.TelegramChatId = "42";
            p.QuietHoursStart = new TimeOnly(22, 0);
            p.QuietHoursEnd = new TimeOnly(7, 0);
        });
        var other = await UserAsync("dan@example.com", "America/New_York", p => p.EmailEnabled = true);
        Bot.Script = (_, _) => TelegramOk();
        SetClock(new DateTimeOffset(2026, 11, 20, 22, 30, 0, TimeSpan.Zero)); // 23:30 in Paris, 17:30 in New York

        var held = new[]
        {
            await NotifyAsync(user.Id, "Sync finished"),
            await NotifyAsync(user.Id, "Stop hit on AAPL", NotificationTypes.Trading, NotificationLevels.Info),
            await NotifyAsync(user.Id, "Broker API slow", NotificationTypes.System, NotificationLevels.Error),
        };
        var critical = await NotifyAsync(user.Id, "Margin call", NotificationTypes.Trading, NotificationLevels.Critical);
        var daytime = await NotifyAsync(other.Id, "Sync finished");

        var end = new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero); // 07:00 in Paris (winter time)
        foreach (var id in held)
        {
            var row = await RowAsync(id);
            Assert.Equal((DeliveryStatuses.Held, DeliveryStatuses.Held, end), (row.EmailStatus, row.TelegramStatus, row.HeldUntil));
        }
        Assert.Equal((DeliveryStatuses.Pending, DeliveryStatuses.Pending), ((await RowAsync(critical)).EmailStatus, (await RowAsync(critical)).TelegramStatus));
        Assert.Equal(DeliveryStatuses.Pending, (await RowAsync(daytime)).EmailStatus);
        Assert.Equal([critical, daytime], Queue.Queued);

        var delivery = Services.GetRequiredService<NotificationDelivery>();
        SetClock(end.AddMinutes(-1));
        Assert.Equal(0, (await delivery.SendDigestsAsync()).Notifications);
        Assert.Empty(Smtp.Messages);

        SetClock(end.AddMinutes(3));
        var run = await delivery.SendDigestsAsync();
        Assert.Equal((1, 3, 1, 1, 0), (run.Users, run.Notifications, run.EmailsSent, run.TelegramsSent, run.Failures));
        var digest = Assert.Single(Smtp.Messages);
        Assert.Equal(["cleo@example.com"], digest.RcptTo);
        Assert.Equal("Signalbook: 3 notifications during your quiet hours", digest.Message.Subject);
        Assert.Contains("2026-11-20 23:30 Europe/Paris [service, warning] Sync finished", digest.Message.TextBody);
        Assert.Contains("Stop hit on AAPL", digest.Message.TextBody);
        Assert.Contains("Broker API slow", digest.Message.TextBody);
        var telegram = Assert.Single(Sends);
        Assert.Contains("3 notifications during your quiet hours", telegram.Body);
        Assert.Contains("Stop hit on AAPL", telegram.Body);
        foreach (var id in held)
        {
            var row = await RowAsync(id);
            Assert.Equal((DeliveryStatuses.Sent, DeliveryStatuses.Sent, true, true), (row.EmailStatus, row.TelegramStatus, row.EmailSent, row.TelegramSent));
        }

        Assert.Equal(0, (await delivery.SendDigestsAsync()).Notifications); // sent once
        Assert.Single(Smtp.Messages);
    }

    [Fact]
    public async Task Telegram_SendsToTheLinkedChat()
    {
        var user = await UserAsync("eve@example.com", prefs: p => { p.TelegramEnabled = true; p.TelegramChatId = "4242"; });
        Bot.Script = (_, _) => TelegramOk(4242);

        var id = await NotifyAsync(user.Id, "Order filled", NotificationTypes.Trading, NotificationLevels.Info, "Bought 10 MSFT at 412.50");
        await DeliverAsync(id);

        var send = Assert.Single(Sends);
        Assert.Equal("POST", send.Method);
        Assert.Contains($"/bot{BotToken}/sendMessage", send.Path);
        Assert.Contains("\"chat_id\":4242", send.Body);
        Assert.Contains("Bought 10 MSFT at 412.50", send.Body);
        var row = await RowAsync(id);
        Assert.Equal((DeliveryStatuses.Sent, true, DeliveryStatuses.NotRequested), (row.TelegramStatus, row.TelegramSent, row.EmailStatus));
    }

    [Fact]
    public async Task Telegram_ARateLimitWithAShortRetryAfter_IsWaitedOutAndSent()
    {
        var user = await UserAsync("fay@example.com", prefs: p => { p.TelegramEnabled = true; p.TelegramChatId = "42"; });
        Bot.Script = (_, n) => n == 0 ? TelegramError(429, "Too Many Requests: retry after 1", 1) : TelegramOk();

        var id = await NotifyAsync(user.Id, "Sync finished");
        var attempt = await DeliverAsync(id, 1, 5);

        Assert.False(attempt.RetryNeeded);
        Assert.Equal(2, Sends.Count);
        Assert.True(Sends[1].At - Sends[0].At >= TimeSpan.FromMilliseconds(900), "the client waits retry_after before sending again");
        Assert.Equal(DeliveryStatuses.Sent, (await RowAsync(id)).TelegramStatus);
    }

    [Fact]
    public async Task Telegram_ALongRateLimit_StaysPendingForTheNextRetry_ThenFailsOnTheLast()
    {
        var user = await UserAsync("gus@example.com", prefs: p => { p.TelegramEnabled = true; p.TelegramChatId = "42"; });
        Bot.Script = (_, _) => TelegramError(429, "Too Many Requests: retry after 600", 600);

        var id = await NotifyAsync(user.Id, "Sync finished");
        var first = await DeliverAsync(id, 1, 2);
        Assert.True(first.RetryNeeded);
        var row = await RowAsync(id);
        Assert.Equal(DeliveryStatuses.Pending, row.TelegramStatus);
        Assert.Contains("retry after 600", row.DeliveryError);

        var last = await DeliverAsync(id, 2, 2);
        Assert.False(last.RetryNeeded);
        row = await RowAsync(id);
        Assert.Equal((DeliveryStatuses.Failed, 2), (row.TelegramStatus, row.DeliveryAttempts));
        Assert.True((await PrefsAsync(user.Id)).TelegramEnabled); // a rate limit does not turn Telegram off
    }

    [Fact]
    public async Task Telegram_ABlockedBot_FailsAtOnce_AndTurnsTelegramOffWithAVisibleReason()
    {
        var user = await UserAsync("hal@example.com", prefs: p => { p.TelegramEnabled = true; p.TelegramChatId = "42"; });
        Bot.Script = (_, _) => TelegramError(403, "Forbidden: bot was blocked by the user");

        var id = await NotifyAsync(user.Id, "Sync finished");
        var attempt = await DeliverAsync(id, 1, 5);

        Assert.False(attempt.RetryNeeded); // no endless retries
        var row = await RowAsync(id);
        Assert.Equal(DeliveryStatuses.Failed, row.TelegramStatus);
        Assert.Contains("bot was blocked by the user", row.DeliveryError);
        var prefs = await PrefsAsync(user.Id);
        Assert.False(prefs.TelegramEnabled);
        Assert.Contains("bot was blocked by the user", prefs.TelegramDisabledReason);

        // Later messages are not sent to Telegram at all: Telegram is off.
        var next = await NotifyAsync(user.Id, "Another");
        Assert.Equal(DeliveryStatuses.NotRequested, (await RowAsync(next)).TelegramStatus);
        Assert.Single(Sends);
    }

    [Fact]
    public async Task Telegram_ABadChatId_FailsWithTheReason()
    {
        var user = await UserAsync("ivy@example.com", prefs: p => { p.TelegramEnabled = true; p.TelegramChatId = "999"; });
        Bot.Script = (_, _) => TelegramError(400, "Bad Request: chat not found");

        var id = await NotifyAsync(user.Id, "Sync finished");
        var attempt = await DeliverAsync(id, 1, 5);

        Assert.False(attempt.RetryNeeded);
        var row = await RowAsync(id);
        Assert.Equal(DeliveryStatuses.Failed, row.TelegramStatus);
        Assert.Contains("chat not found", row.DeliveryError);
        var failed = await Services.GetRequiredService<NotificationDelivery>().FailedAsync(user.Id, null, 0, 10);
        Assert.Equal(id, Assert.Single(failed.Rows).Id);
    }

    [Fact]
    public async Task TelegramLink_AValidCodeLinksTheChat_AnExpiredOneIsRefused_AndTheOffsetIsKept()
    {
        var user = await UserAsync("jon@example.com");
        var late = await UserAsync("kim@example.com");
        var links = Services.GetRequiredService<TelegramLinkService>();
        var (lateCode, _) = await links.NewCodeAsync(late.Id);
        Clock.Advance(TimeSpan.FromMinutes(20)); // past the 15 minutes
        var (code, expires) = await links.NewCodeAsync(user.Id);
        Assert.Equal(Clock.GetUtcNow().AddMinutes(15), expires);

        var updates = $$$"""
            {"ok":true,"result":[
              {"update_id":500,"message":{"message_id":1,"date":1764590000,"chat":{"id":777,"type":"private"},"from":{"id":777,"is_bot":false,"first_name":"Jon"},"text":"/start {{{code}}}"}},
              {"update_id":501,"message":{"message_id":2,"date":1764590001,"chat":{"id":888,"type":"private"},"from":{"id":888,"is_bot":false,"first_name":"Kim"},"text":"/start {{{lateCode}}}"}},
              {"update_id":502,"message":{"message_id":3,"date":1764590002,"chat":{"id":999,"type":"private"},"from":{"id":999,"is_bot":false,"first_name":"X"},"text":"hello"}}
            ]}
            """;
        Bot.Script = (r, _) => r.Path.EndsWith("/getUpdates", StringComparison.Ordinal)
            ? (r.Body.Contains("\"offset\":503") ? new(200, """{"ok":true,"result":[]}""") : new(200, updates))
            : TelegramOk();

        var poll = await links.PollAsync();

        Assert.Equal((3, 1, 1, 503L), (poll.Updates, poll.Linked, poll.Refused, poll.NextOffset));
        var prefs = await PrefsAsync(user.Id);
        Assert.Equal(("777", true, (string?)null), (prefs.TelegramChatId, prefs.TelegramEnabled, prefs.TelegramLinkCode));
        Assert.Null((await PrefsAsync(late.Id)).TelegramChatId);
        Assert.Contains(Sends, s => s.Body.Contains("\"chat_id\":777") && s.Body.Contains("now receives your Signalbook notifications"));
        Assert.Contains(Sends, s => s.Body.Contains("\"chat_id\":888") && s.Body.Contains("unknown or has expired"));
        Assert.DoesNotContain(Sends, s => s.Body.Contains("\"chat_id\":999"));

        // The next poll asks from the stored offset and finds nothing new.
        var again = await links.PollAsync();
        Assert.Equal((0, 0), (again.Updates, again.Linked));
        Assert.Contains("\"offset\":503", Bot.Requests.Last(r => r.Path.EndsWith("/getUpdates", StringComparison.Ordinal)).Body);
        await using var db = await DbAsync();
        Assert.Equal(503, (await db.TelegramBotStates.SingleAsync()).UpdateOffset);
    }
}

/// <summary>Rows whose delivery job was lost are found by the digest run and queued again.</summary>
public sealed class StalePendingTests : DeliveryHarness
{
    [Fact]
    public async Task APendingRowNoAttemptTouchedFor15Minutes_IsQueuedAgain_AFreshOrAttemptedOneIsNot()
    {
        var user = await UserAsync("pia@example.com", prefs: p => p.EmailEnabled = true);
        var lost = await NotifyAsync(user.Id, "Lost");
        Clock.Advance(TimeSpan.FromMinutes(10));
        await NotifyAsync(user.Id, "Fresh");
        var tried = await NotifyAsync(user.Id, "Tried");
        await using (var db = await DbAsync())
            await db.Notifications.Where(n => n.Id == tried).ExecuteUpdateAsync(s => s.SetProperty(n => n.DeliveryAttempts, 1).SetProperty(n => n.CreatedAt, n => n.CreatedAt.AddMinutes(-30)));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var stale = await Services.GetRequiredService<NotificationDelivery>().StalePendingAsync();

        Assert.Equal([(lost, user.Id)], stale);
    }
}

/// <summary>An SMTP server that refuses connections: retries keep the message pending, the last one marks it failed.</summary>
public sealed class NotificationDeliveryFailureTests : DeliveryHarness
{
    private readonly int _closed = SmtpListener.ClosedPort();

    protected override int SmtpPort => _closed;

    [Fact]
    public async Task SmtpDown_RetriesReuseOneOutboxRow_TheLastAttemptFails_VisibleToTheUserAndTheAdminOnly()
    {
        var user = await UserAsync("lea@example.com", prefs: p => p.EmailEnabled = true);
        var other = await UserAsync("max@example.com");
        var id = await NotifyAsync(user.Id, "Trading service failed", level: NotificationLevels.Error);
        var delivery = Services.GetRequiredService<NotificationDelivery>();

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var result = await delivery.DeliverAsync(id, attempt, 3);
            Assert.True(result.RetryNeeded);
            var pending = await RowAsync(id);
            Assert.Equal((DeliveryStatuses.Pending, attempt), (pending.EmailStatus, pending.DeliveryAttempts));
            Assert.Contains($"127.0.0.1:{_closed}", pending.DeliveryError);
        }
        var last = await delivery.DeliverAsync(id, 3, 3);

        Assert.False(last.RetryNeeded);
        var row = await RowAsync(id);
        Assert.Equal((DeliveryStatuses.Failed, false, 3), (row.EmailStatus, row.EmailSent, row.DeliveryAttempts));
        Assert.StartsWith("Email: Could not reach the SMTP server", row.DeliveryError);
        await using (var db = await DbAsync())
        {
            var outbox = Assert.Single(await db.EmailOutbox.ToListAsync());
            Assert.Equal((EmailStatus.Failed, row.EmailMessageId), (outbox.Status, (long?)outbox.Id));
        }

        Assert.Equal(id, Assert.Single((await delivery.FailedAsync(user.Id, null, 0, 10)).Rows).Id);
        Assert.Empty((await delivery.FailedAsync(other.Id, null, 0, 10)).Rows);
        var admin = await delivery.FailedAsync(null, "lea@", 0, 10);
        Assert.Equal(("lea@example.com", "Trading service failed"), (admin.Rows[0].UserEmail, admin.Rows[0].Title));

        // An admin's retry puts it back to pending.
        Assert.True(await delivery.ResetFailedAsync(id));
        Assert.Equal(DeliveryStatuses.Pending, (await RowAsync(id)).EmailStatus);
        Assert.False(await delivery.ResetFailedAsync(id));
    }

    [Fact]
    public async Task AFailedDigest_StaysHeldForTheNextRun_ThenFails()
    {
        var user = await UserAsync("ned@example.com", "Asia/Tokyo", p =>
        {
            p.EmailEnabled = true;
            p.QuietHoursStart = new TimeOnly(22, 0);
            p.QuietHoursEnd = new TimeOnly(6, 0);
        });
        SetClock(new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero)); // 23:00 in Tokyo
        var id = await NotifyAsync(user.Id, "Sync finished");
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 21, 0, 0, TimeSpan.Zero), (await RowAsync(id)).HeldUntil); // 06:00 JST
        SetClock(new DateTimeOffset(2026, 11, 20, 21, 5, 0, TimeSpan.Zero));
        var delivery = Services.GetRequiredService<NotificationDelivery>();

        for (var run = 1; run < NotificationDelivery.DigestMaxAttempts; run++)
        {
            Assert.Equal(1, (await delivery.SendDigestsAsync()).Failures);
            Assert.Equal(DeliveryStatuses.Held, (await RowAsync(id)).EmailStatus);
        }
        await delivery.SendDigestsAsync();
        var row = await RowAsync(id);
        Assert.Equal((DeliveryStatuses.Failed, NotificationDelivery.DigestMaxAttempts), (row.EmailStatus, row.DeliveryAttempts));
        await using var db = await DbAsync();
        Assert.Single(await db.EmailOutbox.ToListAsync()); // one digest email, retried
    }
}
