using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Signalbook.Data;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Centre;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications.Centre;

/// <summary>The unread count, the centre's filters and paging, marking read, and that each user reaches only their own.</summary>
public sealed class NotificationCentreServiceTests : ServiceHarness
{
    private NotificationCentreService Centre => Services.GetRequiredService<NotificationCentreService>();

    /// <summary>Stores a notification as the notifier would have, <paramref name="minutesAgo"/> before the clock.</summary>
    internal static async Task<long> AddAsync(ServiceHarness h, Guid userId, string title, int minutesAgo = 0, string type = NotificationTypes.Trading,
        string level = NotificationLevels.Info, bool read = false, string message = "", string? link = null, string? symbol = null,
        string email = DeliveryStatuses.NotRequested, string? error = null)
    {
        await using var db = await h.DbAsync();
        var row = new Notification
        {
            UserId = userId, Type = type, Level = level, Title = title, Message = message, Link = link, Symbol = symbol, Read = read,
            CreatedAt = h.Clock.GetUtcNow().AddMinutes(-minutesAgo), EmailStatus = email, DeliveryError = error,
        };
        db.Notifications.Add(row);
        await db.SaveChangesAsync();
        return row.Id;
    }

    [Fact]
    public async Task UnreadCount_CountsTheUsersUnreadOnly()
    {
        var a = await CreateUserAsync("count-a@test.local");
        var b = await CreateUserAsync("count-b@test.local");
        await AddAsync(this, a.Id, "one");
        await AddAsync(this, a.Id, "two");
        await AddAsync(this, a.Id, "old", read: true);
        await AddAsync(this, b.Id, "theirs");

        Assert.Equal(2, await Centre.UnreadCountAsync(a.Id));
        Assert.Equal(1, await Centre.UnreadCountAsync(b.Id));
        Assert.Equal(0, await Centre.UnreadCountAsync(Guid.NewGuid()));
    }

    [Fact]
    public async Task Page_IsNewestFirst_FiltersByTypeLevelStateAndText_AndPages()
    {
        var u = await CreateUserAsync("page@test.local");
        await AddAsync(this, u.Id, "Order filled: bought 10 DLTA", 50, symbol: "DLTA", message: "at 212.48");
        await AddAsync(this, u.Id, "Trading service paused", 40, type: NotificationTypes.Service, level: NotificationLevels.Error);
        await AddAsync(this, u.Id, "Price alert: NOVA fell 5%", 30, level: NotificationLevels.Warning, symbol: "NOVA", read: true);
        await AddAsync(this, u.Id, "Maintenance on Saturday", 20, type: NotificationTypes.System, read: true);
        await AddAsync(this, u.Id, "Stop hit on EMBR", 10, message: "100% of the position closed", symbol: "EMBR");

        var (all, total) = await Centre.PageAsync(u.Id, new NotificationQuery());
        Assert.Equal(5, total);
        Assert.Equal(["Stop hit on EMBR", "Maintenance on Saturday", "Price alert: NOVA fell 5%", "Trading service paused", "Order filled: bought 10 DLTA"],
            all.Select(r => r.Title));

        Assert.Equal(["Trading service paused"], (await Centre.PageAsync(u.Id, new NotificationQuery(Type: NotificationTypes.Service))).Rows.Select(r => r.Title));
        Assert.Equal(["Price alert: NOVA fell 5%"], (await Centre.PageAsync(u.Id, new NotificationQuery(Level: NotificationLevels.Warning))).Rows.Select(r => r.Title));
        var unread = await Centre.PageAsync(u.Id, new NotificationQuery(Read: false));
        Assert.Equal(3, unread.Total);
        Assert.All(unread.Rows, r => Assert.False(r.Read));
        Assert.Equal(2, (await Centre.PageAsync(u.Id, new NotificationQuery(Read: true))).Total);

        // Text matches title, message and symbol, case-insensitively; % and _ are literal characters, not wildcards.
        Assert.Equal(["Order filled: bought 10 DLTA"], (await Centre.PageAsync(u.Id, new NotificationQuery(Search: "212.4"))).Rows.Select(r => r.Title));
        Assert.Equal(["Price alert: NOVA fell 5%"], (await Centre.PageAsync(u.Id, new NotificationQuery(Search: "nova"))).Rows.Select(r => r.Title));
        Assert.Equal(["Stop hit on EMBR", "Price alert: NOVA fell 5%"], (await Centre.PageAsync(u.Id, new NotificationQuery(Search: "%"))).Rows.Select(r => r.Title));
        Assert.Equal(0, (await Centre.PageAsync(u.Id, new NotificationQuery(Search: "_"))).Total);
        Assert.Equal(["Trading service paused"], (await Centre.PageAsync(u.Id, new NotificationQuery(Type: NotificationTypes.Service, Read: false, Search: "paused"))).Rows.Select(r => r.Title));

        var second = await Centre.PageAsync(u.Id, new NotificationQuery(Skip: 2, Take: 2));
        Assert.Equal(5, second.Total);
        Assert.Equal(["Price alert: NOVA fell 5%", "Trading service paused"], second.Rows.Select(r => r.Title));
        Assert.Equal(["Stop hit on EMBR", "Maintenance on Saturday"], (await Centre.LatestAsync(u.Id, 2)).Select(r => r.Title));
    }

    [Fact]
    public async Task BadQueries_AreRefused_WithWhatIsWrong()
    {
        var u = Guid.NewGuid();
        Assert.Contains("Unknown notification type 'alerts'", (await Assert.ThrowsAsync<ArgumentException>(() => Centre.PageAsync(u, new NotificationQuery(Type: "alerts")))).Message);
        Assert.Contains("Unknown notification level 'fatal'", (await Assert.ThrowsAsync<ArgumentException>(() => Centre.PageAsync(u, new NotificationQuery(Level: "fatal")))).Message);
        Assert.Contains("between 1 and 100, not 500", (await Assert.ThrowsAsync<ArgumentException>(() => Centre.PageAsync(u, new NotificationQuery(Take: 500)))).Message);
        Assert.Contains("0 or more, not -1", (await Assert.ThrowsAsync<ArgumentException>(() => Centre.PageAsync(u, new NotificationQuery(Skip: -1)))).Message);
        Assert.Contains("keep it under 200", (await Assert.ThrowsAsync<ArgumentException>(() => Centre.PageAsync(u, new NotificationQuery(Search: new string('x', 201))))).Message);
    }

    [Fact]
    public async Task MarkRead_MarksOneAndStampsWhen_MarkAllRead_MarksTheRest_AndBothAnnounceTheChangeToTheUsersOtherTabs()
    {
        var u = await CreateUserAsync("mark@test.local");
        var first = await AddAsync(this, u.Id, "first", 3);
        await AddAsync(this, u.Id, "second", 2);
        await AddAsync(this, u.Id, "third", 1);
        await using var otherNode = new PgEventBus(new DatabaseConnection(ConnectionString), NullLogger<PgEventBus>.Instance);
        var heard = new System.Collections.Concurrent.ConcurrentQueue<Guid>();
        using var _ = otherNode.Subscribe(PgTopics.Notifications, p =>
        {
            heard.Enqueue(JsonDocument.Parse(p).RootElement.GetProperty("userId").GetGuid());
            return Task.CompletedTask;
        });
        await otherNode.WaitUntilListeningAsync();
        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.True(await Centre.MarkReadAsync(u.Id, first));
        Assert.False(await Centre.MarkReadAsync(u.Id, first)); // already read: nothing changes, nothing announced
        Assert.Equal(2, await Centre.UnreadCountAsync(u.Id));
        await using (var db = await DbAsync())
        {
            var row = await db.Notifications.SingleAsync(n => n.Id == first);
            Assert.True(row.Read);
            Assert.Equal(Clock.GetUtcNow(), row.ReadAt);
        }

        Assert.Equal(2, await Centre.MarkAllReadAsync(u.Id));
        Assert.Equal(0, await Centre.MarkAllReadAsync(u.Id));
        Assert.Equal(0, await Centre.UnreadCountAsync(u.Id));

        await WaitUntilAsync(() => heard.Count >= 2);
        await Task.Delay(300); // a third (wrong) announcement would have arrived by now
        Assert.Equal([u.Id, u.Id], heard.ToArray());
    }

    [Fact]
    public async Task OwnershipMatrix_ASecondUserSeesCountsAndMarksNoneOfTheFirstUsersNotifications()
    {
        var a = await CreateUserAsync("owner-a@test.local");
        var b = await CreateUserAsync("owner-b@test.local");
        var aOnly = await AddAsync(this, a.Id, "A's fill on DLTA", 2, symbol: "DLTA");
        await AddAsync(this, a.Id, "A's alert", 1, level: NotificationLevels.Critical);

        Assert.Equal(0, await Centre.UnreadCountAsync(b.Id));
        Assert.Equal(0, (await Centre.PageAsync(b.Id, new NotificationQuery())).Total);
        Assert.Equal(0, (await Centre.PageAsync(b.Id, new NotificationQuery(Search: "DLTA"))).Total);
        Assert.Equal(0, (await Centre.PageAsync(b.Id, new NotificationQuery(Level: NotificationLevels.Critical, Read: false))).Total);
        Assert.Empty(await Centre.LatestAsync(b.Id));
        Assert.False(await Centre.MarkReadAsync(b.Id, aOnly)); // B knows A's id: still not B's to mark
        Assert.Equal(0, await Centre.MarkAllReadAsync(b.Id));

        Assert.Equal(2, await Centre.UnreadCountAsync(a.Id));
        Assert.Equal(2, (await Centre.PageAsync(a.Id, new NotificationQuery(Read: false))).Total);
    }

    [Theory]
    [InlineData("alerts/12", "/alerts/12")]
    [InlineData("/journal/trades?symbol=DLTA", "/journal/trades?symbol=DLTA")]
    [InlineData("  /portfolios ", "/portfolios")]
    [InlineData("//evil.example/x", null)]
    [InlineData("/\\evil.example", null)]
    [InlineData("https://evil.example/", null)]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Links_AreFollowedOnlyWhenTheyArePathsOnThisSite(string? link, string? expected)
        => Assert.Equal(expected, NotificationLinks.Safe(link));

    internal static async Task WaitUntilAsync(Func<bool> condition, int seconds = 15)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("The condition did not hold in time.");
            await Task.Delay(50);
        }
    }
}
