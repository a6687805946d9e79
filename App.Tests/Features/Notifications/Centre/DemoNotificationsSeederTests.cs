using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Notifications;
using Signalbook.Features.Notifications.Centre;
using Signalbook.Hosting;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications.Centre;

/// <summary>The README's start command shows a bell with demo notifications: the trader's and the admins', seeded once.</summary>
public sealed class DemoNotificationsSeederTests : ServiceHarness
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddScoped<DemoNotificationsSeeder>();

    [Fact]
    public async Task Seed_GivesTheTraderAndEachAdminReadAndUnreadNotificationsOfEveryType_Once()
    {
        var trader = await CreateUserAsync("demo-trader@test.local");
        var admin = await AdminAsync();
        var bystander = await CreateUserAsync("bystander@test.local");
        await WithAsync<DemoNotificationsSeeder, bool>(async s => { await s.SeedAsync(trader.Id); return true; });
        await WithAsync<DemoNotificationsSeeder, bool>(async s => { await s.SeedAsync(trader.Id); return true; }); // a restart adds nothing

        var centre = Services.GetRequiredService<NotificationCentreService>();
        var (rows, total) = await centre.PageAsync(trader.Id, new NotificationQuery(Take: 100));
        Assert.Equal(12, total);
        Assert.Equal(NotificationTypes.All.Order(), rows.Select(r => r.Type).Distinct().Order());
        Assert.Equal(NotificationLevels.All.Order(), rows.Select(r => r.Level).Distinct().Order());
        var unread = await centre.UnreadCountAsync(trader.Id);
        Assert.InRange(unread, 2, 6);
        Assert.All(rows, r => Assert.True(r.CreatedAt <= Clock.GetUtcNow() && r.CreatedAt > Clock.GetUtcNow().AddDays(-6)));
        var failed = Assert.Single(rows, r => r.DeliveryFailed);
        Assert.Contains("mailbox unavailable", failed.DeliveryError);
        Assert.All(rows.Where(r => r.Link is not null), r => Assert.NotNull(r.SafeLink));

        Assert.Equal(5, (await centre.PageAsync(admin.Id, new NotificationQuery())).Total);
        Assert.True(await centre.UnreadCountAsync(admin.Id) > 0);
        Assert.Equal(0, (await centre.PageAsync(bystander.Id, new NotificationQuery())).Total);
        await using var db = await DbAsync();
        Assert.Equal(17, await db.Notifications.CountAsync());
    }
}
