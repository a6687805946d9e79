using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.MarketData.Providers.Demo;

/// <summary>
/// A deterministic market for demos and tests: 30 fictional companies on a "DEMO" exchange (New York
/// hours), each a seeded random walk that switches between three regimes — calm and rising, choppy,
/// and stressed (falling, volatile, heavy volume) — by a Markov chain. Daily bars on the NYSE's trading days
/// (<see cref="ExchangeCalendar.Nyse"/>); 15-minute bars from
/// 09:30 to 16:00 New York time, bridged from each day's open to its close. The same symbol and dates
/// always give the same bars. Nothing here is real market data.
/// </summary>
public sealed class DemoProvider(TimeProvider clock) : IMarketDataProvider
{
    public const string Exchange = "DEMO";
    public const string Zone = "America/New_York";
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    public static readonly IReadOnlyList<SymbolInfo> Universe =
    [
        S("ALPX", "Alpine Exploration", "Energy", "mid"), S("BRKT", "Brookton Rail", "Industrials", "large"),
        S("CYRA", "Cyra Therapeutics", "Healthcare", "small"), S("DLTA", "Deltawave Semiconductors", "Technology", "large"),
        S("EMBR", "Ember Foods", "Consumer Staples", "mid"), S("FJRD", "Fjord Shipping", "Industrials", "small"),
        S("GLNT", "Galenta Pharma", "Healthcare", "large"), S("HRZN", "Horizon Utilities", "Utilities", "large"),
        S("IONQX", "Ionic Quantum", "Technology", "small"), S("JUNO", "Juno Apparel", "Consumer Discretionary", "mid"),
        S("KSTL", "Kestrel Aerospace", "Industrials", "mid"), S("LUMN", "Lumen Grid", "Utilities", "mid"),
        S("MRDN", "Meridian Bank", "Financials", "large"), S("NOVA", "Novara Solar", "Energy", "mid"),
        S("ORCA", "Orca Logistics", "Industrials", "small"), S("PLSM", "Plasma Devices", "Technology", "mid"),
        S("QNTM", "Quantum Materials", "Materials", "small"), S("RVNA", "Ravena Retail", "Consumer Discretionary", "large"),
        S("SLTE", "Slate Insurance", "Financials", "mid"), S("TRVL", "Travella Hotels", "Consumer Discretionary", "small"),
        S("UMBR", "Umbra Security", "Technology", "mid"), S("VRDA", "Verdant Agritech", "Materials", "mid"),
        S("WLLW", "Willow Health", "Healthcare", "mid"), S("XNTH", "Xanthe Mining", "Materials", "large"),
        S("YLDR", "Yielder REIT", "Real Estate", "mid"), S("ZEPH", "Zephyr Airlines", "Industrials", "mid"),
        S("ATLS", "Atlas Telecom", "Communication", "large"), S("BLZE", "Blaze Games", "Communication", "small"),
        S("CRST", "Crestline Capital", "Financials", "small"), S("DUNE", "Dune Water", "Utilities", "small"),
    ];

    public string Name => "demo";

    public Task<IReadOnlyList<OhlcvBar>> GetBarsAsync(string symbol, string interval, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var days = DailyPath(symbol, TradingDays(Today().AddYears(-3), Today()));
        IEnumerable<OhlcvBar> bars = interval switch
        {
            Intervals.OneDay => days.Select(d => d.Bar),
            Intervals.FifteenMinutes => days.Where(d => d.Day >= Today().AddDays(-30)).SelectMany(d => Intraday(symbol, d)),
            _ => throw new NotSupportedException($"The demo provider serves {Intervals.OneDay} and {Intervals.FifteenMinutes} bars, not {interval}."),
        };
        return Task.FromResult<IReadOnlyList<OhlcvBar>>(bars.Where(b => b.Ts >= from && b.Ts <= to).ToList());
    }

    public async Task<Quote?> GetLatestQuoteAsync(string symbol, CancellationToken ct = default)
    {
        var bars = await GetBarsAsync(symbol, Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, ct);
        return bars.Count == 0 ? null : new Quote(symbol, bars[^1].Ts, bars[^1].Close);
    }

    public Task<IReadOnlyList<SymbolInfo>> SearchAsync(string query, CancellationToken ct = default)
        => Task.FromResult<IReadOnlyList<SymbolInfo>>(Universe.Where(s => s.Symbol.Contains(query, StringComparison.OrdinalIgnoreCase)
                                                                          || s.Name.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList());

    public Task<ProviderHealth> CheckHealthAsync(CancellationToken ct = default) => Task.FromResult(new ProviderHealth(true, "deterministic, always available"));

    /// <summary>The regime each daily bar was drawn in (0 calm-up, 1 choppy, 2 stressed): the truth for regime-recovery tests.</summary>
    public IReadOnlyList<int> Regimes(string symbol) => DailyPath(symbol, TradingDays(Today().AddYears(-3), Today())).Select(d => d.Regime).ToList();

    private DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), NewYork).DateTime).AddDays(-1);

    public static IEnumerable<DateOnly> TradingDays(DateOnly from, DateOnly to) => ExchangeCalendar.Nyse.TradingDays(from, to);

    private sealed record DayBar(DateOnly Day, int Regime, OhlcvBar Bar);

    // Per regime: daily drift, daily volatility, probability of staying, volume multiplier.
    private static readonly (double Drift, double Vol, double Stay, double VolumeScale)[] RegimeParams =
    [
        (0.0008, 0.008, 0.985, 1.0),
        (0.0000, 0.013, 0.96, 1.2),
        (-0.0020, 0.028, 0.93, 2.2),
    ];

    private static List<DayBar> DailyPath(string symbol, IEnumerable<DateOnly> days)
    {
        var seed = StableSeed(symbol);
        var random = new Random(seed);
        double price = 20 + seed % 180;
        var baseVolume = 200_000 + seed % 5_000_000;
        var regime = 0;
        var result = new List<DayBar>();
        foreach (var day in days)
        {
            var p = RegimeParams[regime];
            if (random.NextDouble() > p.Stay) regime = (regime + 1 + random.Next(2)) % 3;
            p = RegimeParams[regime];
            var open = price * (1 + 0.3 * p.Vol * Normal(random));
            var close = open * Math.Exp(p.Drift - 0.5 * p.Vol * p.Vol + p.Vol * Normal(random));
            var high = Math.Max(open, close) * (1 + 0.5 * p.Vol * Math.Abs(Normal(random)));
            var low = Math.Min(open, close) * (1 - 0.5 * p.Vol * Math.Abs(Normal(random)));
            var volume = Math.Round(baseVolume * p.VolumeScale * Math.Exp(0.35 * Normal(random)));
            var ts = ExchangeCalendar.DailyBarTs(day);
            result.Add(new DayBar(day, regime, new OhlcvBar(0, ts, R(open), R(high), R(low), R(close), volume, null, null)));
            price = close;
        }
        return result;
    }

    private static IEnumerable<OhlcvBar> Intraday(string symbol, DayBar day)
    {
        const int steps = 26; // 09:30 … 15:45 New York
        var random = new Random(StableSeed(symbol) ^ day.Day.DayNumber);
        var walk = new double[steps + 1];
        for (var i = 1; i <= steps; i++) walk[i] = walk[i - 1] + Normal(random);
        var (open, close) = (day.Bar.Open, day.Bar.Close);
        var sigma = RegimeParams[day.Regime].Vol / Math.Sqrt(steps);
        double Level(int i) => open * Math.Exp(Math.Log(close / open) * i / steps + sigma * (walk[i] - walk[steps] * i / steps));
        var start = TimeZoneInfo.ConvertTimeToUtc(day.Day.ToDateTime(new TimeOnly(9, 30)), NewYork);
        for (var i = 0; i < steps; i++)
        {
            var (o, c) = (Level(i), Level(i + 1));
            var h = Math.Max(o, c) * (1 + 0.3 * sigma * Math.Abs(Normal(random)));
            var l = Math.Min(o, c) * (1 - 0.3 * sigma * Math.Abs(Normal(random)));
            var volume = Math.Round(day.Bar.Volume / steps * (i is 0 or steps - 1 ? 2.5 : 0.85) * Math.Exp(0.3 * Normal(random)));
            yield return new OhlcvBar(0, new DateTimeOffset(start.AddMinutes(15 * i), TimeSpan.Zero), R(o), R(h), R(l), R(c), volume, null, null);
        }
    }

    private static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double R(double price) => Math.Round(price, 4);

    /// <summary>FNV-1a of the symbol: the same on every run and machine (string.GetHashCode is randomised).</summary>
    private static int StableSeed(string symbol)
    {
        var hash = 2166136261u;
        foreach (var c in symbol) hash = (hash ^ c) * 16777619u;
        return (int)(hash & 0x7fffffff);
    }

    private static SymbolInfo S(string symbol, string name, string sector, string cap) => new(symbol, Exchange, name, sector, cap, Zone);
}
