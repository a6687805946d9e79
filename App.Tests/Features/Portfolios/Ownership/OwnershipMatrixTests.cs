using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Service;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Portfolios.Service;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Ownership;

/// <summary>
/// The ownership matrix over every portfolio, order, trade, position, strategy, trading-config and trading-service read and
/// action of the services the pages call: a second trader (and a Viewer who is not the owner) gets not-found on all of them,
/// never the owner's data; an admin reads them all but every action for someone else is refused; a Viewer reads their own
/// portfolio and can do nothing with it. Afterwards the owner's rows are exactly as they were: nothing was written.
/// </summary>
public sealed class OwnershipMatrixTests : ServiceHarness
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ITradingServiceScheduler>(new RecordingTradingScheduler());

    private sealed record Fixture(Guid Owner, long Portfolio, long Order, long Strategy, long Instrument, long Recommendation);

    private async Task<Fixture> SeedAsync()
    {
        var owner = await CreateUserAsync("owner@test.local");
        long instrument, recommendation;
        await using (var db = await DbAsync())
        {
            var i = new Instrument { Symbol = "OWN", Exchange = "NASDAQ", CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
            db.Instruments.Add(i);
            var model = new MlModel { ModelType = ModelTypes.VerdictClassifier, Version = "v1", Algorithm = "gbdt", ParamsHash = "h", FeatureVersion = "f", CreatedAt = Clock.GetUtcNow() };
            db.MlModels.Add(model);
            await db.SaveChangesAsync();
            db.PriceBars.Add(new PriceBar { InstrumentId = i.Id, Interval = Intervals.OneDay, Ts = ExchangeCalendar.DailyBarTs(new DateOnly(2026, 11, 19)), Open = 100, High = 101,
                Low = 99, Close = 100, Volume = 1_000_000, Source = "test", CreatedAt = Clock.GetUtcNow() });
            var rec = new Recommendation { InstrumentId = i.Id, ModelVersionId = model.Id, Profile = RiskProfiles.Moderate, Label = "BUY", Confidence = 0.7, StopLoss = 95,
                TakeProfit = 110, GeneratedAt = Clock.GetUtcNow().AddDays(-1) };
            db.Recommendations.Add(rec);
            await db.SaveChangesAsync();
            (instrument, recommendation) = (i.Id, rec.Id);
        }
        var caller = TradingCaller.Trader(owner.Id);
        var portfolio = await WithAsync<PortfolioService, long>(s => s.CreateAsync(caller, new NewPortfolio("Mine", 10_000m)));
        var order = (await WithAsync<OrderService, OrderPlacement>(s => s.PlaceAsync(caller, new OrderTicket(portfolio, instrument, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 90)))).OrderId;
        var strategy = await WithAsync<StrategyService, long>(s => s.CreateAsync(caller, new NewStrategy("Dip", StrategyType.MeanReversion, PortfolioId: portfolio)));
        return new Fixture(owner.Id, portfolio, order, strategy, instrument, recommendation);
    }

    /// <summary>Every read the pages make of the owner's trading data.</summary>
    private IEnumerable<(string Name, Func<TradingCaller, Task> Act)> Reads(Fixture f) =>
    [
        ("portfolio detail", c => WithAsync<PortfolioService, object>(async s => await s.DetailAsync(c, f.Portfolio))),
        ("holdings (positions)", c => WithAsync<PortfolioService, object>(async s => await s.HoldingsAsync(c, f.Portfolio))),
        ("orders", c => WithAsync<PortfolioService, object>(async s => await s.OrdersAsync(c, f.Portfolio, new TradingQuery()))),
        ("trades", c => WithAsync<PortfolioService, object>(async s => await s.TradesAsync(c, f.Portfolio, new TradingQuery()))),
        ("cash flows", c => WithAsync<PortfolioService, object>(async s => await s.CashFlowsAsync(c, f.Portfolio))),
        ("equity curve", c => WithAsync<PortfolioService, object>(async s => await s.EquityCurveAsync(c, f.Portfolio))),
        ("performance", c => WithAsync<PortfolioService, object?>(async s => await s.PerformanceAsync(c, f.Portfolio))),
        ("assets", c => WithAsync<PortfolioService, object>(async s => await s.AssetsAsync(c, f.Portfolio))),
        ("order estimate", c => WithAsync<OrderService, object>(async s => await s.EstimateAsync(c, f.Portfolio, f.Instrument, OrderSide.Buy, OrderType.Market, 1, null, null))),
        ("strategy", c => WithAsync<StrategyService, object>(async s => await s.GetAsync(c, f.Strategy))),
        ("strategy performance", c => WithAsync<StrategyService, object>(async s => await s.PerformanceAsync(c, f.Strategy))),
        ("strategy orders", c => WithAsync<StrategyService, object>(async s => await s.RecentOrdersAsync(c, f.Strategy))),
        ("trading config", c => WithAsync<TradingConfigService, object>(async s => await s.GetAsync(c, f.Owner))),
        ("trading service", c => WithAsync<TradingServiceManager, object>(async s => await s.ViewAsync(c, f.Owner))),
    ];

    /// <summary>Every action on the owner's trading data.</summary>
    private IEnumerable<(string Name, Func<TradingCaller, Task> Act)> Actions(Fixture f) =>
    [
        ("place order", c => WithAsync<OrderService, object>(async s => await s.PlaceAsync(c, new OrderTicket(f.Portfolio, f.Instrument, OrderSide.Buy, OrderType.Market, 1)))),
        ("cancel order", c => WithAsync<OrderService, object>(async s => await s.CancelAsync(c, f.Order))),
        ("replace order", c => WithAsync<OrderService, object>(async s =>
        {
            await s.ReplaceAsync(c, f.Order, 5, 91, null);
            return true;
        })),
        ("suggest from recommendation", c => WithAsync<OrderService, object>(async s => await s.SuggestFromRecommendationAsync(c, f.Recommendation, f.Portfolio))),
        ("update now", c => WithAsync<PortfolioUpdater, object>(async s => await s.UpdateAsync(c, f.Portfolio))),
        ("portfolio settings", c => WithAsync<PortfolioService, object>(async s =>
        {
            await s.UpdateSettingsAsync(c, f.Portfolio, new PortfolioSettings("Renamed", null, true, true, 0, 0, 0, 0, 0, 0.1m, null, BrokerPlugins.Paper, null, false));
            return true;
        })),
        ("deposit", c => WithAsync<PortfolioService, object>(async s =>
        {
            await s.AddCashFlowAsync(c, f.Portfolio, 1_000m, null);
            return true;
        })),
        ("add asset", c => WithAsync<PortfolioService, object>(async s =>
        {
            await s.AddAssetAsync(c, f.Portfolio, f.Instrument);
            return true;
        })),
        ("remove asset", c => WithAsync<PortfolioService, object>(async s => await s.RemoveAssetAsync(c, f.Portfolio, f.Instrument))),
        ("update strategy", c => WithAsync<StrategyService, object>(async s =>
        {
            await s.UpdateAsync(c, f.Strategy, new NewStrategy("Renamed", StrategyType.MeanReversion, PortfolioId: f.Portfolio));
            return true;
        })),
        ("activate strategy", c => WithAsync<StrategyService, object>(async s =>
        {
            await s.SetActiveAsync(c, f.Strategy, true);
            return true;
        })),
        ("delete strategy", c => WithAsync<StrategyService, object>(async s =>
        {
            await s.DeleteAsync(c, f.Strategy);
            return true;
        })),
        ("save trading config", c => WithAsync<TradingConfigService, object>(async s =>
        {
            await s.SaveAsync(c, new UserTradingConfig { UserId = f.Owner, RsiPeriod = 14 });
            return true;
        })),
    ];

    private async Task<string> SnapshotAsync(Fixture f)
    {
        await using var db = await DbAsync();
        var p = await db.Portfolios.AsNoTracking().SingleAsync(x => x.Id == f.Portfolio);
        var orders = await db.Orders.AsNoTracking().Where(o => o.PortfolioId == f.Portfolio).OrderBy(o => o.Id).Select(o => $"{o.Id}:{o.Status}:{o.Quantity}:{o.Price}").ToListAsync();
        var s = await db.Strategies.AsNoTracking().SingleAsync(x => x.Id == f.Strategy);
        var assets = await db.PortfolioAssets.CountAsync(a => a.PortfolioId == f.Portfolio);
        var flows = await db.CashFlows.CountAsync(c => c.PortfolioId == f.Portfolio);
        var configs = await db.UserTradingConfigs.CountAsync();
        return $"{p.Name}|{p.CashBalance}|{p.AllowShorting}|{string.Join(",", orders)}|{s.Name}|{s.IsActive}|{assets}|{flows}|{configs}";
    }

    [Fact]
    public async Task SecondTraderAndStrangerViewer_GetNotFound_OnEveryReadAndAction_AndNothingIsWritten()
    {
        var f = await SeedAsync();
        var before = await SnapshotAsync(f);
        var other = TradingCaller.Trader((await CreateUserAsync("other@test.local")).Id);
        var viewer = TradingCaller.Viewer((await CreateUserAsync("viewer@test.local", Roles.Viewer)).Id);
        foreach (var caller in new[] { other, viewer })
        {
            foreach (var (name, act) in Reads(f).Concat(Actions(f)))
            {
                var e = await Record.ExceptionAsync(() => act(caller));
                Assert.True(e is TradingNotFoundException, $"{name} as {(caller == other ? "another trader" : "a viewer")}: expected not-found, got {e?.GetType().Name ?? "success"}");
            }
            Assert.Empty(await WithAsync<PortfolioService, IReadOnlyList<PortfolioSummary>>(s => s.ListAsync(caller, f.Owner)));
            Assert.Empty(await WithAsync<StrategyService, IReadOnlyList<StrategyRow>>(s => s.ListAsync(caller, f.Owner)));
        }
        Assert.Equal(before, await SnapshotAsync(f));
    }

    [Fact]
    public async Task Admin_ReadsEverything_ButEveryActionForSomeoneElseIsRefused()
    {
        var f = await SeedAsync();
        var before = await SnapshotAsync(f);
        var admin = TradingCaller.Admin((await AdminAsync()).Id);
        foreach (var (name, act) in Reads(f))
        {
            var e = await Record.ExceptionAsync(() => act(admin));
            Assert.True(e is null, $"{name}: an admin reads it, got {e?.GetType().Name}: {e?.Message}");
        }
        foreach (var (name, act) in Actions(f))
        {
            var e = await Record.ExceptionAsync(() => act(admin));
            Assert.True(e is TradingForbiddenException or TradingNotFoundException && e is not null, $"{name}: an admin may not act for the owner, got {e?.GetType().Name ?? "success"}");
        }
        Assert.NotEmpty(await WithAsync<PortfolioService, IReadOnlyList<PortfolioSummary>>(s => s.ListAsync(admin, f.Owner)));
        Assert.Equal(before, await SnapshotAsync(f));
    }

    [Fact]
    public async Task Viewer_ReadsTheirOwnPortfolio_AndCanDoNothingWithIt()
    {
        var viewerUser = await CreateUserAsync("own-viewer@test.local", Roles.Viewer);
        var viewer = TradingCaller.Viewer(viewerUser.Id);
        await Assert.ThrowsAsync<TradingForbiddenException>(() => WithAsync<PortfolioService, long>(s => s.CreateAsync(viewer, new NewPortfolio("Nope", 1_000m))));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => WithAsync<StrategyService, long>(s => s.CreateAsync(viewer, new NewStrategy("Nope", StrategyType.Dca))));

        // A portfolio the viewer owns (an admin could have demoted its trader): readable, never tradable.
        var f = await SeedAsync();
        await using (var db = await DbAsync())
        {
            await db.Portfolios.Where(p => p.Id == f.Portfolio).ExecuteUpdateAsync(u => u.SetProperty(p => p.UserId, viewerUser.Id));
            await db.Orders.Where(o => o.PortfolioId == f.Portfolio).ExecuteUpdateAsync(u => u.SetProperty(o => o.UserId, viewerUser.Id));
            await db.Strategies.Where(s => s.Id == f.Strategy).ExecuteUpdateAsync(u => u.SetProperty(s => s.UserId, viewerUser.Id));
        }
        var own = f with { Owner = viewerUser.Id };
        var before = await SnapshotAsync(own);
        foreach (var (name, act) in Reads(own))
        {
            var e = await Record.ExceptionAsync(() => act(viewer));
            Assert.True(e is null, $"{name}: a viewer reads their own, got {e?.GetType().Name}: {e?.Message}");
        }
        foreach (var (name, act) in Actions(own))
        {
            var e = await Record.ExceptionAsync(() => act(viewer));
            Assert.True(e is TradingForbiddenException, $"{name}: a viewer may not act, got {e?.GetType().Name ?? "success"}");
        }
        Assert.Equal(before, await SnapshotAsync(own));
    }
}
