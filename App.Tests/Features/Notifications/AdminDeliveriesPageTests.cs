using Bunit;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Admin;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

public sealed class AdminDeliveriesPageTests : PageTestContext
{
    private async Task<long> FailedNotificationAsync(Guid user, string title)
    {
        await using var db = await Db.DbAsync();
        var n = new Notification
        {
            UserId = user, Type = NotificationTypes.Service, Level = NotificationLevels.Error, Title = title, Message = "m", CreatedAt = Db.Clock.GetUtcNow(),
            EmailStatus = DeliveryStatuses.Failed, DeliveryAttempts = 5, DeliveryError = "Email: Could not reach the SMTP server",
        };
        db.Notifications.Add(n);
        await db.SaveChangesAsync();
        return n.Id;
    }

    [Fact]
    public async Task TheAdminSeesEveryUsersFailedDeliveries_SearchesThem_AndRetriesOne()
    {
        var ana = await Db.CreateUserAsync("ana@example.com");
        var bob = await Db.CreateUserAsync("bob@example.com");
        var anas = await FailedNotificationAsync(ana.Id, "Sync failed");
        await FailedNotificationAsync(bob.Id, "Service stopped");

        SignInAdmin();
        var page = RenderWithProviders<AdminDeliveries>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=deliveries-grid] tbody tr.mud-table-row").Count));
        Assert.Contains("Could not reach the SMTP server", page.Find("[data-testid=deliveries-grid]").TextContent);

        await ActAsync(page, "[data-testid=deliveries-search] input, input[data-testid=deliveries-search]", e => e.Input("ana@"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=deliveries-grid] tbody tr.mud-table-row")));

        await ClickAsync(page, "[data-testid=retry-delivery]");
        page.WaitForAssertion(() => Assert.Contains("No failed deliveries", page.Markup));
        await using var db = await Db.DbAsync();
        // This test host registers no Hangfire, so the retry is delivered inline: Ana has email off now, so it is not requested any more.
        var row = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == anas);
        Assert.Equal(DeliveryStatuses.NotRequested, row.EmailStatus);
        Assert.Equal(DeliveryStatuses.Failed, (await db.Notifications.AsNoTracking().SingleAsync(n => n.UserId == bob.Id)).EmailStatus);
    }
}
