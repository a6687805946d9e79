using Bunit;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Centre;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications.Centre;

/// <summary>The notification centre at /notifications: the user's own list, filters, delivery state, marking read.</summary>
public sealed class NotificationCentrePageTests : PageTestContext
{
    private static IReadOnlyList<AngleSharp.Dom.IElement> Rows(IRenderedComponent<NotificationCentre> page) => page.FindAll("[data-testid=centre-row]");

    private async Task<AppUser> TraderAsync()
    {
        var user = await Db.CreateUserAsync($"centre-{Guid.NewGuid():N}@test.local");
        SignInAs(user, [Roles.Trader]);
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return user;
    }

    [Fact]
    public async Task Lists_NewestFirst_ShowsAFailedEmailWithItsError_AndTheUnreadFilter_ThenMarksOneAndAllRead()
    {
        var user = await TraderAsync();
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Maintenance on Saturday", 300, type: NotificationTypes.System, read: true);
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Price alert: NOVA fell 5%", 30, level: NotificationLevels.Warning, symbol: "NOVA",
            email: DeliveryStatuses.Failed, error: "SMTP 550 5.1.1: mailbox unavailable");
        var fill = await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Order filled: bought 10 DLTA", 5, link: "/portfolios", email: DeliveryStatuses.Sent);

        var page = RenderWithProviders<NotificationCentre>();
        page.WaitForAssertion(() => Assert.Equal(3, Rows(page).Count));
        page.WaitForAssertion(() => Assert.Equal("2 unread notifications.", page.Find("[data-testid=centre-unread]").TextContent));
        Assert.Contains("Order filled", Rows(page)[0].TextContent);
        Assert.Contains("Maintenance", Rows(page)[2].TextContent);
        var deliveries = page.FindAll("[data-testid=centre-delivery]");
        Assert.Contains("Email: sent", deliveries[0].TextContent);
        Assert.Contains("Email: failed", deliveries[1].TextContent);
        Assert.Contains("mailbox unavailable", page.Find("[data-testid=centre-delivery-error]").TextContent);
        Assert.Contains("In app only", deliveries[2].TextContent);
        Assert.Equal("/portfolios", page.Find("[data-testid=centre-link]").GetAttribute("href"));

        await ActAsync(page, "[data-testid=centre-state]", e => e.MouseDown());
        Popovers.WaitForElements(".mud-list-item");
        await Popovers.InvokeAsync(() => Popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == "Unread").Click());
        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));
        Assert.All(Rows(page), r => Assert.Equal("false", r.GetAttribute("data-read")));

        var markRead = page.FindAll("[data-testid=centre-mark-read]");
        Assert.Equal("Mark read: Order filled: bought 10 DLTA", markRead[0].GetAttribute("aria-label"));
        await page.InvokeAsync(() => page.FindAll("[data-testid=centre-mark-read]")[0].Click());
        page.WaitForAssertion(() => Assert.Single(Rows(page)));
        page.WaitForAssertion(() => Assert.Equal("1 unread notification.", page.Find("[data-testid=centre-unread]").TextContent));
        await using (var db = await Db.DbAsync()) Assert.True((await db.Notifications.SingleAsync(n => n.Id == fill)).Read);

        await ClickAsync(page, "[data-testid=centre-mark-all]");
        page.WaitForAssertion(() => Assert.Equal("Everything is read.", page.Find("[data-testid=centre-unread]").TextContent));
        page.WaitForAssertion(() => Assert.Contains("No notifications match", page.Find("[data-testid=centre-grid]").TextContent));
        Assert.Equal(0, await Db.WithAsync<NotificationCentreService, int>(c => c.UnreadCountAsync(user.Id)));
    }

    [Fact]
    public async Task ASecondUser_SeesNoneOfTheFirstUsersNotifications_OnlyTheEmptyState()
    {
        var first = await Db.CreateUserAsync($"first-{Guid.NewGuid():N}@test.local");
        await NotificationCentreServiceTests.AddAsync(Db, first.Id, "First's private alert", 3);
        await TraderAsync();

        var page = RenderWithProviders<NotificationCentre>();
        page.WaitForAssertion(() => Assert.Contains("No notifications yet", page.Find("[data-testid=centre-grid]").TextContent));
        Assert.DoesNotContain("First's private alert", page.Markup);
        Assert.Equal("Everything is read.", page.Find("[data-testid=centre-unread]").TextContent);
        Assert.True(page.Find("[data-testid=centre-mark-all]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task TheTypeFilterAndSearch_NarrowTheList()
    {
        var user = await TraderAsync();
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Trading service paused", 20, type: NotificationTypes.Service, level: NotificationLevels.Error);
        await NotificationCentreServiceTests.AddAsync(Db, user.Id, "Order filled: sold 5 GLNT", 10, symbol: "GLNT");
        var page = RenderWithProviders<NotificationCentre>();
        page.WaitForAssertion(() => Assert.Equal(2, Rows(page).Count));

        await ActAsync(page, "[data-testid=centre-type]", e => e.MouseDown());
        Popovers.WaitForElements(".mud-list-item");
        await Popovers.InvokeAsync(() => Popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == "Service").Click());
        page.WaitForAssertion(() => Assert.Contains("Trading service paused", Assert.Single(Rows(page)).TextContent));

        await ActAsync(page, "input[data-testid=centre-search], [data-testid=centre-search] input", e => e.Input("glnt"));
        page.WaitForAssertion(() => Assert.Contains("No notifications match", page.Find("[data-testid=centre-grid]").TextContent));
    }
}
