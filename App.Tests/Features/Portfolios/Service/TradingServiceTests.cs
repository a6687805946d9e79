using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.Operations;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Service;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Service;

/// <summary>A scheduler that records what the manager asked for (Hangfire itself is tested in App.Tests/Jobs).</summary>
public sealed class RecordingTradingScheduler : ITradingServiceScheduler
{
    public List<string> Calls { get; } = [];

    public void Register(Guid userId, TradingSchedule schedule) => Calls.Add($"register {userId} {schedule.EvaluateCron} {schedule.TimeZone}");

    public void Remove(Guid userId) => Calls.Add($"remove {userId}");

    public string RunNow(Guid userId, Guid? requestedBy, string reason)
    {
        Calls.Add($"run {userId}");
        return "job-1";
    }
}

/// <summary>
/// A trader's trading service over the real services and database, stepping the clock: start and stop, a run that turns a
/// mean-reversion signal into an order and the next run's fill, a broken strategy that is logged without stopping the
/// others, a stopped service that does nothing, and the admin's view and stop.
/// </summary>
public sealed class TradingServiceTests : ServiceHarness
{
    private readonly RecordingTradingScheduler _scheduler = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ITradingServiceScheduler>(_scheduler);

    /// <summary>
    /// 60 NASDAQ sessions ending Monday 23 Nov 2026: flat at 100 for 45 days, then 14 falling closes (−1.5 % a day, so
    /// RSI(10) is 0 on Friday 20 Nov: every change in its window is a loss), then a bounce on the 23rd. Each bar opens at the
    /// previous close, spans ±1 % around its close and trades 1 M shares, so the chart-quality and liquidity filters pass.
    /// </summary>
    private async Task<long> SeedFallingInstrumentAsync()
    {
        await using var db = await DbAsync();
        var instrument = new Instrument { Symbol = "FALL", Exchange = "NASDAQ", Name = "Falling Inc", CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Instruments.Add(instrument);
        await db.SaveChangesAsync();
        var days = ExchangeCalendar.Nyse.TradingDays(new DateOnly(2026, 8, 1), new DateOnly(2026, 11, 23)).ToList()[^60..];
        var close = 100.0;
        for (var i = 0; i < days.Count; i++)
        {
            var open = close;
            close = i < 45 ? 100.0 : i < 59 ? close * 0.985 : close * 1.04;
            var high = Math.Max(open, close) * 1.01;
            var low = Math.Min(open, close) * 0.99;
            db.PriceBars.Add(new PriceBar { InstrumentId = instrument.Id, Interval = Intervals.OneDay, Ts = ExchangeCalendar.DailyBarTs(days[i]), Open = open, High = high,
                Low = low, Close = close, Volume = 1_000_000, Source = "test", CreatedAt = Clock.GetUtcNow() });
        }
        await db.SaveChangesAsync();
        return instrument.Id;
    }

    private async Task<(Guid Trader, long Portfolio, long Instrument)> TraderWithPortfolioAsync()
    {
        var trader = await CreateUserAsync("svc-trader@test.local");
        var instrument = await SeedFallingInstrumentAsync();
        var caller = TradingCaller.Trader(trader.Id);
        var portfolio = await WithAsync<PortfolioService, long>(s => s.CreateAsync(caller, new NewPortfolio("Service", 100_000m)));
        await WithAsync<PortfolioService, bool>(async s =>
        {
            await s.AddAssetAsync(caller, portfolio, instrument);
            return true;
        });
        return (trader.Id, portfolio, instrument);
    }

    private async Task<long> AddStrategyAsync(Guid user, long portfolio, StrategyType type, string config, string name)
    {
        await using var db = await DbAsync();
        var s = new Strategy { UserId = user, PortfolioId = portfolio, Name = name, StrategyType = type, Config = config, IsActive = true,
            CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Strategies.Add(s);
        await db.SaveChangesAsync();
        return s.Id;
    }

    private Task<TradingRun> RunAsync(Guid user) => WithAsync<UserTradingService, TradingRun>(s => s.RunAsync(user));

    [Fact]
    public async Task Run_MeanReversionSignal_PlacesAnOrderThatTheNextRunFills_AndABrokenStrategyIsLoggedWithoutStoppingIt()
    {
        var (trader, portfolio, instrument) = await TraderWithPortfolioAsync();
        var caller = TradingCaller.Trader(trader);
        var good = await AddStrategyAsync(trader, portfolio, StrategyType.MeanReversion, "{}", "RSI dip");
        await AddStrategyAsync(trader, portfolio, StrategyType.MeanReversion, """{"rsi_period": 500}""", "Broken");

        // Not started: a run does nothing.
        Assert.False((await RunAsync(trader)).Ran);

        await WithAsync<TradingServiceManager, bool>(async m =>
        {
            await m.StartAsync(caller);
            return true;
        });
        Assert.Equal($"register {trader} 0 18 * * 1-5 America/New_York", Assert.Single(_scheduler.Calls));

        // Friday 20 Nov, 17:00 New York: Friday's session closed with RSI(10) at 0. Monday's bar is already stored but is
        // in the future: neither the strategy nor the broker may use it.
        Clock.Advance(new DateTimeOffset(2026, 11, 20, 22, 0, 0, TimeSpan.Zero) - Clock.GetUtcNow());
        var first = await RunAsync(trader);
        Assert.True(first.Ran);
        Assert.Equal(1, first.OrdersPlaced);
        Assert.Equal(1, first.Errors);
        await using (var db = await DbAsync())
        {
            var order = await db.Orders.SingleAsync(o => o.ParentOrderId == null);
            Assert.Equal((good, instrument, OrderSide.Buy, OrderStatus.Open), (order.StrategyId!.Value, order.InstrumentId, order.Side, order.Status));
            // Sized by the smallest limit: 10 % of 1 M shares = 100,000; capital per trade 200,000 / ≈ 81 ≈ 2,470;
            // cash 100,000 / ≈ 81 ≈ 1,235 → the cash binds.
            var friday = await db.PriceBars.Where(b => b.InstrumentId == instrument && b.Ts == ExchangeCalendar.DailyBarTs(new DateOnly(2026, 11, 20))).SingleAsync();
            Assert.Equal(Math.Floor(100_000m / (decimal)friday.Close), order.Quantity);
            Assert.Empty(await db.Trades.ToListAsync());
            var status = await db.ServiceStatuses.SingleAsync(s => s.UserId == trader);
            Assert.Equal(1, status.ErrorCount);
            Assert.Contains("Broken", status.LastError);
            var logs = await db.ServiceLogs.Where(l => l.UserId == trader).Select(l => new { l.Level, l.Message }).ToListAsync();
            Assert.Contains(logs, l => l.Level == ServiceLogLevels.Error && l.Message.StartsWith("Strategy 'Broken' failed", StringComparison.Ordinal));
            Assert.Contains(logs, l => l.Level == ServiceLogLevels.Info && l.Message.Contains("buy", StringComparison.Ordinal) && l.Message.Contains("FALL", StringComparison.Ordinal));
        }

        // Monday 23 Nov after the close: the broker fills Friday's order at Monday's open; the position is marked at Monday's close.
        Clock.Advance(TimeSpan.FromDays(3));
        var second = await RunAsync(trader);
        Assert.True(second.Ran);
        await using (var db = await DbAsync())
        {
            var monday = await db.PriceBars.Where(b => b.InstrumentId == instrument && b.Ts == ExchangeCalendar.DailyBarTs(new DateOnly(2026, 11, 23))).SingleAsync();
            var trade = await db.Trades.SingleAsync();
            Assert.Equal(decimal.Round((decimal)monday.Open, 6), trade.Price); // numeric(20,6)
            Assert.Equal(new DateTimeOffset(2026, 11, 23, 14, 30, 0, TimeSpan.Zero), trade.ExecutedAt);
            var position = await db.Positions.SingleAsync();
            Assert.Equal(trade.Quantity, position.Quantity);
            Assert.Equal(decimal.Round((decimal)monday.Close, 6), position.CurrentPrice);
        }

        // The trader's view and the admin's.
        var view = await WithAsync<TradingServiceManager, TradingServiceView>(m => m.ViewAsync(caller));
        Assert.True(view.Running);
        Assert.Equal(2, view.ActiveStrategies);
        var admin = await AdminAsync();
        var all = await WithAsync<TradingServiceManager, IReadOnlyList<TradingServiceSummary>>(m => m.AllAsync(TradingCaller.Admin(admin.Id)));
        Assert.Contains(all, s => s.UserId == trader && s.Running);
        await Assert.ThrowsAsync<TradingForbiddenException>(() => WithAsync<TradingServiceManager, IReadOnlyList<TradingServiceSummary>>(m => m.AllAsync(caller)));
        await WithAsync<TradingServiceManager, bool>(async m =>
        {
            await m.StopAsync(TradingCaller.Admin(admin.Id), trader);
            return true;
        });
        Assert.Equal($"remove {trader}", _scheduler.Calls[^1]);
        Assert.False((await RunAsync(trader)).Ran);
    }

    [Fact]
    public async Task StartStop_AnotherTraderOrAViewer_CannotTouchAService()
    {
        var owner = await CreateUserAsync("svc-owner@test.local");
        var other = await CreateUserAsync("svc-other@test.local");
        var viewer = await CreateUserAsync("svc-viewer@test.local", Roles.Viewer);
        await Assert.ThrowsAsync<TradingNotFoundException>(() => WithAsync<TradingServiceManager, TradingServiceView>(m => m.ViewAsync(TradingCaller.Trader(other.Id), owner.Id)));
        await Assert.ThrowsAsync<TradingNotFoundException>(() => WithAsync<TradingServiceManager, bool>(async m =>
        {
            await m.StopAsync(TradingCaller.Trader(other.Id), owner.Id);
            return true;
        }));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => WithAsync<TradingServiceManager, bool>(async m =>
        {
            await m.StartAsync(TradingCaller.Viewer(viewer.Id));
            return true;
        }));
        Assert.Empty(_scheduler.Calls);
    }

    [Fact]
    public async Task Schedule_FromTheTradersConfig_IsRegisteredInTheirTimeZone_AndABadOneIsRefusedByField()
    {
        var trader = await CreateUserAsync("svc-paris@test.local");
        var caller = TradingCaller.Trader(trader.Id);
        var config = await WithAsync<TradingConfigService, UserTradingConfig>(s => s.GetAsync(caller));
        config.TaskSchedule = """{"evaluate": "45 17 * * 1-5", "time_zone": "Europe/Paris"}""";
        await WithAsync<TradingConfigService, bool>(async s =>
        {
            await s.SaveAsync(caller, config);
            return true;
        });
        await WithAsync<TradingServiceManager, bool>(async m =>
        {
            await m.StartAsync(caller);
            return true;
        });
        Assert.Equal($"register {trader.Id} 45 17 * * 1-5 Europe/Paris", _scheduler.Calls.Single());

        config.TaskSchedule = """{"evaluate": "every day", "time_zone": "Europe/Paris"}""";
        var bad = await Assert.ThrowsAsync<TradingValidationException>(() => WithAsync<TradingConfigService, bool>(async s =>
        {
            await s.SaveAsync(caller, config);
            return true;
        }));
        Assert.Equal("TaskSchedule", bad.Field);
        config.TaskSchedule = """{"evaluate": "0 18 * * 1-5", "time_zone": "Mars/Olympus"}""";
        Assert.Contains("Mars/Olympus", (await Assert.ThrowsAsync<TradingValidationException>(() => WithAsync<TradingConfigService, bool>(async s =>
        {
            await s.SaveAsync(caller, config);
            return true;
        }))).Message);
    }

    [Fact]
    public void JobStart_ForAUser_LocksPerUser()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        Assert.NotEqual(new JobStart(JobStart.CronKind, ForUser: a).LockName(JobCatalog.TradingService), new JobStart(JobStart.CronKind, ForUser: b).LockName(JobCatalog.TradingService));
        Assert.Equal(JobCatalog.Features, JobStart.Cron.LockName(JobCatalog.Features));
    }
}
