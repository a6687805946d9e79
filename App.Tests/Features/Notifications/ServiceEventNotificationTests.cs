using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Notifications;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Service;
using Signalbook.Tests.Features.Portfolios.Service;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

/// <summary>The trading service tells its trader when a run fails, once per new failure.</summary>
public sealed class ServiceEventNotificationTests : ServiceHarness
{
    private readonly RecordingTradingScheduler _scheduler = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ITradingServiceScheduler>(_scheduler);

    [Fact]
    public async Task AFailingRun_NotifiesTheTraderOnce_NotOnEveryRunWithTheSameError()
    {
        var trader = await CreateUserAsync("svc-notify@test.local");
        var other = await CreateUserAsync("svc-other@test.local");
        var caller = TradingCaller.Trader(trader.Id);
        var portfolio = await WithAsync<PortfolioService, long>(s => s.CreateAsync(caller, new NewPortfolio("Live", 10_000m)));
        await using (var db = await DbAsync())
        {
            // A live portfolio with no broker credentials: its update fails on every run.
            await db.Portfolios.Where(p => p.Id == portfolio).ExecuteUpdateAsync(s => s.SetProperty(p => p.BrokerPlugin, BrokerPlugins.Alpaca));
        }
        await WithAsync<TradingServiceManager, bool>(async m =>
        {
            await m.StartAsync(caller);
            return true;
        });

        var first = await WithAsync<UserTradingService, TradingRun>(s => s.RunAsync(trader.Id));
        Assert.Equal(1, first.Errors);
        await WithAsync<UserTradingService, TradingRun>(s => s.RunAsync(trader.Id));

        await using var check = await DbAsync();
        var notice = await check.Notifications.AsNoTracking().SingleAsync(n => n.UserId == trader.Id);
        Assert.Equal((NotificationTypes.Service, NotificationLevels.Error, "trading-service"), (notice.Type, notice.Level, notice.Link));
        Assert.Equal("Your trading service hit an error", notice.Title);
        Assert.Contains($"portfolio {portfolio}", notice.Message);
        Assert.False(await check.Notifications.AnyAsync(n => n.UserId == other.Id));
    }
}
