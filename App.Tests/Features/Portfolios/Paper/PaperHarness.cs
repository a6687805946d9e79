using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>
/// The real portfolio services (<see cref="OrderService"/>, <see cref="PaperBroker"/>, <see cref="PortfolioValuation"/>,
/// <see cref="PortfolioService"/>) over a fresh database per test, with helpers to seed instruments, daily bars and splits
/// and to step the <see cref="ManualClock"/> to exchange-local times.
/// <para>
/// Bars are seeded the way <see cref="PriceBarWriter"/> stores daily bars (00:00 UTC of the trading date), and the tests
/// add each session's bar only once that session has closed, as a real feed would: the services' reference prices read
/// the latest stored bar.
/// </para>
/// The scenario week is Monday 30 November – Friday 4 December 2026: no US holiday, and every zone is on standard time
/// (New York UTC−5, Paris UTC+1, Tokyo UTC+9).
/// </summary>
public class PaperHarness : ServiceHarness
{
    public static readonly DateOnly Mon = new(2026, 11, 30);
    public static readonly DateOnly Tue = Mon.AddDays(1);
    public static readonly DateOnly Wed = Mon.AddDays(2);
    public static readonly DateOnly Thu = Mon.AddDays(3);
    public static readonly DateOnly Fri = Mon.AddDays(4);

    public const string NewYork = "America/New_York";
    public const string Paris = "Europe/Paris";
    public const string Tokyo = "Asia/Tokyo";

    private int _emails;

    /// <summary>The instant a wall-clock time happens in a zone.</summary>
    public static DateTimeOffset At(string zone, DateOnly day, int hour, int minute = 0)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), tz), TimeSpan.Zero);
    }

    public static DateTimeOffset Ny(DateOnly day, int hour, int minute = 0) => At(NewYork, day, hour, minute);

    /// <summary>Moves the clock to an instant (the instant counts, not the offset it is written with).</summary>
    public void SetClock(DateTimeOffset at) => Clock.Advance(at - Clock.GetUtcNow());

    public async Task<TradingCaller> TraderAsync(string role = Roles.Trader)
    {
        var user = await CreateUserAsync($"paper{++_emails}@test.local", role);
        return role switch
        {
            Roles.Admin => TradingCaller.Admin(user.Id),
            Roles.Viewer => TradingCaller.Viewer(user.Id),
            _ => TradingCaller.Trader(user.Id),
        };
    }

    public async Task<long> InstrumentAsync(string symbol, string exchange = "NASDAQ", string zone = NewYork, string currency = "USD", bool active = true)
    {
        await using var db = await DbAsync();
        var i = new Instrument
        {
            Symbol = symbol, Exchange = exchange, TimeZone = zone, Currency = currency, Name = symbol + " SA", IsActive = active,
            CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow(),
        };
        db.Instruments.Add(i);
        await db.SaveChangesAsync();
        return i.Id;
    }

    /// <summary>A daily bar, stored at 00:00 UTC of its trading date.</summary>
    public async Task BarAsync(long instrumentId, DateOnly day, decimal open, decimal high, decimal low, decimal close, decimal volume = 1_000_000)
    {
        await using var db = await DbAsync();
        db.PriceBars.Add(new PriceBar
        {
            InstrumentId = instrumentId, Interval = Intervals.OneDay, Ts = ExchangeCalendar.DailyBarTs(day), Open = (double)open, High = (double)high,
            Low = (double)low, Close = (double)close, Volume = (double)volume, Source = "test", CreatedAt = Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
    }

    public async Task SplitAsync(long instrumentId, DateOnly exDate, decimal ratio)
    {
        await using var db = await DbAsync();
        db.InstrumentSplits.Add(new InstrumentSplit { InstrumentId = instrumentId, ExDate = exDate, Ratio = ratio, Source = "manual", CreatedAt = Clock.GetUtcNow() });
        await db.SaveChangesAsync();
    }

    /// <summary>Creates a paper portfolio now, then applies the execution settings through the service (validated as the settings page is).</summary>
    public async Task<long> PortfolioAsync(TradingCaller owner, decimal cash, string currency = "USD", bool allowShorting = false, decimal commissionPerShare = 0,
        decimal commissionMinimum = 0, decimal commissionPerOrder = 0, decimal commissionPercent = 0, decimal slippageBps = 0, decimal maxVolumeShare = 0,
        string name = "Paper")
    {
        var id = await Portfolios(s => s.CreateAsync(owner, new NewPortfolio(name, cash, currency, AllowShorting: allowShorting)));
        await SettingsAsync(owner, id, s => s with
        {
            CommissionPerShare = commissionPerShare, CommissionMinimum = commissionMinimum, CommissionPerOrder = commissionPerOrder,
            CommissionPercent = commissionPercent, SlippageBps = slippageBps, MaxVolumeShare = maxVolumeShare,
        });
        return id;
    }

    public async Task SettingsAsync(TradingCaller owner, long portfolioId, Func<PortfolioSettings, PortfolioSettings> change)
    {
        var current = PortfolioService.SettingsOf(await PortfolioRowAsync(portfolioId));
        await Portfolios(async s =>
        {
            await s.UpdateSettingsAsync(owner, portfolioId, change(current));
            return 0;
        });
    }

    /// <summary>A trader, a NASDAQ instrument and a USD paper portfolio created Monday 10:00 New York; Monday's bar (close 100) is
    /// stored after the close and the clock left at Monday 20:00 New York, after the market.</summary>
    public async Task<Desk> NyDeskAsync(decimal cash = 100_000m, bool allowShorting = false, decimal commissionPerShare = 0, decimal commissionMinimum = 0,
        decimal commissionPerOrder = 0, decimal slippageBps = 0, decimal maxVolumeShare = 0, string symbol = "ACME", decimal commissionPercent = 0)
    {
        var trader = await TraderAsync();
        var instrument = await InstrumentAsync(symbol);
        SetClock(Ny(Mon, 10));
        var pid = await PortfolioAsync(trader, cash, allowShorting: allowShorting, commissionPerShare: commissionPerShare, commissionMinimum: commissionMinimum,
            commissionPerOrder: commissionPerOrder, commissionPercent: commissionPercent, slippageBps: slippageBps, maxVolumeShare: maxVolumeShare);
        await NySessionAsync(instrument, Mon, 99m, 101m, 98m, 100m);
        SetClock(Ny(Mon, 20));
        return new Desk(trader, instrument, pid);
    }

    /// <summary>Stores a New York session's bar just after its close (16:05).</summary>
    public async Task NySessionAsync(long instrumentId, DateOnly day, decimal open, decimal high, decimal low, decimal close, decimal volume = 1_000_000)
    {
        SetClock(Ny(day, 16, 5));
        await BarAsync(instrumentId, day, open, high, low, close, volume);
    }

    public async Task<PaperRun> ProcessAtAsync(long portfolioId, DateTimeOffset at)
    {
        SetClock(at);
        return await ProcessAsync(portfolioId);
    }

    public Task<T> Portfolios<T>(Func<PortfolioService, Task<T>> act) => WithAsync(act);

    public Task<T> Orders<T>(Func<OrderService, Task<T>> act) => WithAsync(act);

    public Task<OrderPlacement> PlaceAsync(TradingCaller caller, OrderTicket ticket) => Orders(s => s.PlaceAsync(caller, ticket));

    public Task<PaperRun> ProcessAsync(long portfolioId) => WithAsync<PaperBroker, PaperRun>(b => b.ProcessAsync(portfolioId));

    public async Task<Portfolio> PortfolioRowAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.Portfolios.AsNoTracking().SingleAsync(p => p.Id == id);
    }

    public async Task<Order> OrderRowAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.Orders.AsNoTracking().SingleAsync(o => o.Id == id);
    }

    public async Task<List<Order>> OrderRowsAsync(long portfolioId)
    {
        await using var db = await DbAsync();
        return await db.Orders.AsNoTracking().Where(o => o.PortfolioId == portfolioId).OrderBy(o => o.Id).ToListAsync();
    }

    public async Task<List<Trade>> TradeRowsAsync(long portfolioId)
    {
        await using var db = await DbAsync();
        return await db.Trades.AsNoTracking().Where(t => t.PortfolioId == portfolioId).OrderBy(t => t.ExecutedAt).ThenBy(t => t.Id).ToListAsync();
    }

    public async Task<Position?> PositionRowAsync(long portfolioId, long instrumentId)
    {
        await using var db = await DbAsync();
        return await db.Positions.AsNoTracking().SingleOrDefaultAsync(p => p.PortfolioId == portfolioId && p.InstrumentId == instrumentId);
    }

    /// <summary>One stored analytics series, by trading date.</summary>
    public async Task<SortedDictionary<DateOnly, double>> SeriesAsync(long portfolioId, string metric)
    {
        await using var db = await DbAsync();
        var rows = await db.Analytics.AsNoTracking().Where(a => a.PortfolioId == portfolioId && a.Metric == metric).ToListAsync();
        return new SortedDictionary<DateOnly, double>(rows.ToDictionary(a => DateOnly.FromDateTime(a.Timestamp.UtcDateTime), a => a.Value ?? double.NaN));
    }

    public async Task<List<PortfolioAnalytic>> AnalyticsRowsAsync(long portfolioId)
    {
        await using var db = await DbAsync();
        return await db.Analytics.AsNoTracking().Where(a => a.PortfolioId == portfolioId).OrderBy(a => a.Metric).ThenBy(a => a.Timestamp).ToListAsync();
    }

    public async Task<int> OrderCountAsync()
    {
        await using var db = await DbAsync();
        return await db.Orders.CountAsync();
    }

    /// <summary>Money as stored (numeric(20,6)) compared to the cent-exact hand computation.</summary>
    public static void Money(decimal expected, decimal actual) => Assert.Equal(decimal.Round(expected, 6), decimal.Round(actual, 6));

    public static void Near(double expected, double actual, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"Expected {expected:R}, got {actual:R}.");
}

public sealed record Desk(TradingCaller Trader, long InstrumentId, long PortfolioId);
