using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Service;
using Signalbook.Tests.Features.Recommendations;

namespace Signalbook.Tests.Features.Portfolios.Pages;

/// <summary>
/// The recommendations harness (instruments, models, recommendations, consenting traders) plus what the trading pages
/// need: daily bars, portfolios made through the real service, positions written directly (set-up may write to the
/// database; the pages may not), and a recording trading-service scheduler.
/// </summary>
public sealed class PortfolioPagesHarness : RecommendationsHarness
{
    public RecordingScheduler Scheduler { get; } = new();

    /// <summary>The last daily bar's date: the day before the harness clock's "now" (2026-11-20).</summary>
    public static readonly DateTimeOffset LastBar = new(2026, 11, 19, 0, 0, 0, TimeSpan.Zero);

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ITradingServiceScheduler>(Scheduler);

    /// <summary>An instrument with <paramref name="days"/> daily bars closing at <paramref name="close"/>, the last on <see cref="LastBar"/>.</summary>
    public async Task<long> AddTradableAsync(string symbol, double close = 100, int days = 25, double volume = 1_000_000)
    {
        var id = await AddInstrumentAsync(symbol);
        await using var db = await DbAsync();
        for (var i = days - 1; i >= 0; i--)
        {
            db.PriceBars.Add(new PriceBar
            {
                InstrumentId = id, Interval = Intervals.OneDay, Ts = LastBar.AddDays(-i), Open = close, High = close + 1, Low = close - 1, Close = close, Volume = volume,
                Source = "test", CreatedAt = Clock.GetUtcNow(),
            });
        }
        await db.SaveChangesAsync();
        return id;
    }

    public Task<long> CreatePortfolioAsync(Guid owner, string name, decimal cash = 100_000m) =>
        WithAsync<PortfolioService, long>(s => s.CreateAsync(TradingCaller.Trader(owner), new NewPortfolio(name, cash)));

    public Task<OrderPlacement> PlaceAsync(Guid owner, OrderTicket ticket) => WithAsync<OrderService, OrderPlacement>(s => s.PlaceAsync(TradingCaller.Trader(owner), ticket));

    public async Task AddPositionAsync(long portfolioId, long instrumentId, decimal quantity, decimal averageCost, decimal price)
    {
        await using var db = await DbAsync();
        var value = quantity * price;
        var pnl = quantity * (price - averageCost);
        db.Positions.Add(new Position
        {
            PortfolioId = portfolioId, InstrumentId = instrumentId, Quantity = quantity, EntryPrice = averageCost, CurrentPrice = price, MarketValue = value,
            UnrealizedPnl = pnl, UnrealizedPnlPercent = (double)(pnl / (quantity * averageCost)) * 100 /* stored as percent, as the seed has it */, OpenedAt = Clock.GetUtcNow().AddDays(-3),
            PricedAt = LastBar, UpdatedAt = Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }

    public async Task StartServiceAsync(Guid owner)
    {
        await using var scope = Scope();
        await scope.ServiceProvider.GetRequiredService<TradingServiceManager>().StartAsync(TradingCaller.Trader(owner));
    }
}

/// <summary>The trading-service scheduler as a list of what was asked of it (the Hangfire one is registered by the app).</summary>
public sealed class RecordingScheduler : ITradingServiceScheduler
{
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls) return [.. _calls];
        }
    }

    public void Register(Guid userId, TradingSchedule schedule)
    {
        lock (_calls) _calls.Add($"register {userId} {schedule.EvaluateCron} {schedule.TimeZone}");
    }

    public void Remove(Guid userId)
    {
        lock (_calls) _calls.Add($"remove {userId}");
    }

    public string RunNow(Guid userId, Guid? requestedBy, string reason)
    {
        lock (_calls) _calls.Add($"run {userId}");
        return "job-1";
    }
}
