using System.Collections.Concurrent;
using System.Reflection;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Components.Layout;
using Signalbook.Data;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Centre;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications.Centre;

/// <summary>
/// The app bar's bell over the real event bus: notifications raised by "another node" (the harness's own services, a
/// separate PgEventBus and notifier over the same database) and reads in "another tab" reach it without a reload.
/// </summary>
public sealed class NotificationBellTests : PageTestContext
{
    private string Label(IRenderedComponent<NotificationBell> bell) => bell.Find("[data-testid=notification-bell] button").GetAttribute("aria-label")!;

    private async Task<AppUser> TraderAsync()
    {
        var user = await Db.CreateUserAsync($"bell-{Guid.NewGuid():N}@test.local");
        SignInAs(user, [Roles.Trader]);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return user;
    }

    [Fact]
    public async Task NoUnread_HidesTheCount_AndSaysSo()
    {
        var user = await TraderAsync();
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "old news", 60, read: true);
        var bell = RenderWithProviders<NotificationBell>();
        bell.WaitForAssertion(() => Assert.Equal("Notifications, none unread", Label(bell)));
        Assert.Empty(bell.FindAll("[data-testid=notification-count]"));
    }

    [Fact]
    public async Task ManyUnread_CapTheBadgeAt99Plus_ButTheLabelSaysTheTrueCount()
    {
        var user = await TraderAsync();
        await using (var db = await Db.DbAsync())
        {
            for (var i = 0; i < 120; i++)
            {
                db.Notifications.Add(new Notification { UserId = user.Id, Type = NotificationTypes.Trading, Level = NotificationLevels.Info, Title = $"Fill {i}", CreatedAt = Db.Clock.GetUtcNow() });
            }
            await db.SaveChangesAsync();
        }
        var bell = RenderWithProviders<NotificationBell>();
        bell.WaitForAssertion(() => Assert.Equal("99+", bell.Find("[data-testid=notification-count]").TextContent));
        Assert.Equal("Notifications, 120 unread", Label(bell));
    }

    [Fact]
    public async Task ANotificationRaisedOnAnotherNode_RaisesTheCountLive_AnotherUsersDoesNot_AndAReadInAnotherTabClearsIt()
    {
        var user = await TraderAsync();
        var other = await Db.CreateUserAsync($"other-{Guid.NewGuid():N}@test.local");
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "waiting", 30);
        var bell = RenderWithProviders<NotificationBell>();
        bell.WaitForAssertion(() => Assert.Equal("1", bell.Find("[data-testid=notification-count]").TextContent));
        await Services.GetRequiredService<PgEventBus>().WaitUntilListeningAsync();

        await Db.WithAsync<INotifier, long>(n => n.NotifyAsync(new NotificationRequest(other.Id, NotificationTypes.Trading, NotificationLevels.Info, "Not yours", "x")));
        await Db.WithAsync<INotifier, long>(n => n.NotifyAsync(new NotificationRequest(user.Id, NotificationTypes.Service, NotificationLevels.Warning, "Service paused", "Three rejected orders")));

        bell.WaitForAssertion(() => Assert.Equal("2", bell.Find("[data-testid=notification-count]").TextContent));
        Assert.Equal("Notifications, 2 unread", Label(bell));
        Assert.Equal("New notification: 2 unread", bell.Find("[data-testid=bell-announcement]").TextContent);

        // Read everything in another tab (here: another node's service): the bell follows.
        await Db.WithAsync<NotificationCentreService, int>(c => c.MarkAllReadAsync(user.Id));
        bell.WaitForAssertion(() => Assert.Empty(bell.FindAll("[data-testid=notification-count]")));
        Assert.Equal("Notifications, none unread", Label(bell));
    }

    [Fact]
    public async Task OpeningTheBell_ListsTheNewestFew_MarkAllRead_ClearsTheCountAndTheDatabase()
    {
        var user = await TraderAsync();
        for (var i = 1; i <= 7; i++) await NotificationCentreServiceTests.AddAsync(Db, user.Id, $"Fill {i}", 70 - i * 10, level: i == 7 ? NotificationLevels.Error : NotificationLevels.Info);
        var bell = RenderWithProviders<NotificationBell>();
        bell.WaitForAssertion(() => Assert.Equal("7", bell.Find("[data-testid=notification-count]").TextContent));

        await ClickAsync(bell, "[data-testid=notification-bell] button");
        Popovers.WaitForAssertion(() => Assert.Equal(NotificationBell.MenuSize, Popovers.FindAll("[data-testid=bell-item]").Count));
        var items = Popovers.FindAll("[data-testid=bell-item]");
        Assert.Contains("Fill 7", items[0].TextContent);
        Assert.Contains("just now", items[0].TextContent);
        Assert.Contains("Error", items[0].TextContent);
        Assert.Contains("Unread:", items[0].TextContent);
        Assert.Contains("Fill 4", items[3].TextContent);
        Assert.Contains("30 min ago", items[3].TextContent);
        Assert.NotNull(Popovers.Find("[data-testid=bell-open-centre]"));

        await Popovers.InvokeAsync(() => Popovers.Find("[data-testid=bell-mark-all]").Click());
        bell.WaitForAssertion(() => Assert.Empty(bell.FindAll("[data-testid=notification-count]")));
        Assert.Equal(0, await Db.WithAsync<NotificationCentreService, int>(c => c.UnreadCountAsync(user.Id)));
    }

    [Fact]
    public async Task ANotificationWithALink_OpensItsPage_AndIsMarkedRead_OneWithAForeignLinkGoesToTheCentre()
    {
        var user = await TraderAsync();
        var local = await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Stop hit on EMBR", 5, link: "journal/trades?symbol=EMBR");
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Phishy", 1, link: "https://evil.example/");
        var bell = RenderWithProviders<NotificationBell>();
        bell.WaitForAssertion(() => Assert.Equal("2", bell.Find("[data-testid=notification-count]").TextContent));

        await ClickAsync(bell, "[data-testid=notification-bell] button");
        Popovers.WaitForAssertion(() => Assert.Equal(2, Popovers.FindAll("[data-testid=bell-item]").Count));
        await Popovers.InvokeAsync(() => Popovers.FindAll("[data-testid=bell-item]").Single(i => i.TextContent.Contains("Stop hit")).Click());

        var nav = Services.GetRequiredService<NavigationManager>();
        bell.WaitForAssertion(() => Assert.EndsWith("/journal/trades?symbol=EMBR", nav.Uri));
        await using (var db = await Db.DbAsync()) Assert.True((await db.Notifications.SingleAsync(n => n.Id == local)).Read);
        bell.WaitForAssertion(() => Assert.Equal("1", bell.Find("[data-testid=notification-count]").TextContent));

        await ClickAsync(bell, "[data-testid=notification-bell] button");
        Popovers.WaitForAssertion(() => Assert.Contains(Popovers.FindAll("[data-testid=bell-item]"), i => i.TextContent.Contains("Phishy")));
        await Popovers.InvokeAsync(() => Popovers.FindAll("[data-testid=bell-item]").Single(i => i.TextContent.Contains("Phishy")).Click());
        bell.WaitForAssertion(() => Assert.EndsWith("/notifications", nav.Uri));
    }

    [Fact]
    public async Task TheBellsSubscriptions_EndWithTheComponent_SoClosedCircuitsLeakNoHandlers()
    {
        await TraderAsync();
        var bus = Services.GetRequiredService<PgEventBus>();
        var before = Handlers(bus, PgTopics.Notifications) + Handlers(bus, PgTopics.Reconnected);
        var bell = RenderWithProviders<NotificationBell>();
        bell.WaitForAssertion(() => Assert.Equal(before + 2, Handlers(bus, PgTopics.Notifications) + Handlers(bus, PgTopics.Reconnected)));

        await DisposeComponentsAsync();
        Assert.Equal(before, Handlers(bus, PgTopics.Notifications) + Handlers(bus, PgTopics.Reconnected));
    }

    /// <summary>How many handlers the bus holds for a topic (its private table; there is no public count to ask).</summary>
    private static int Handlers(PgEventBus bus, string topic)
    {
        var table = (ConcurrentDictionary<string, ConcurrentDictionary<long, Func<string, Task>>>)typeof(PgEventBus)
            .GetField("_subscribers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(bus)!;
        return table.TryGetValue(topic, out var handlers) ? handlers.Count : 0;
    }
}
