using System.Globalization;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>
/// Each strategy walked day by day over StockNet's 2012–2017 daily bars (shared data), with a toy paper account that
/// applies each signal at the close. Every decision is checked against the rule recomputed here from the raw closes
/// with the independent <see cref="Reference"/> indicators: a signal appears exactly where its rule holds.
/// AGFS is thinly traded and PTR's file holds a null row (dropped by the loader).
/// </summary>
public sealed class RealDataStrategyTests
{
    public static TheoryData<string> Symbols => new("AAPL", "BAC", "XOM", "AGFS", "PTR");

    private static readonly string[] FilterKeys =
    [
        "min_absolute_avg_volume", "chart_quality_lookback", "chart_quality_min_score", "chart_quality_max_gap_frequency",
        "chart_quality_min_daily_range_pct", "chart_quality_max_extreme_candle_frequency",
    ];

    private sealed record Day(int T, StrategyInput Input, StrategySignal Signal);

    /// <summary>
    /// Evaluates every day from <paramref name="from"/>: buys fill at the close (the signal's quantity, else 10 shares),
    /// exits flatten, sells reduce; the last signal date moves on every action.
    /// </summary>
    private static List<Day> Walk(DailyBars bars, Func<StrategyInput, StrategySignal> evaluate, int from = 1,
        Func<int, ModelRecommendation?>? recommendation = null)
    {
        var days = new List<Day>();
        decimal qty = 0, cost = 0;
        DateOnly? opened = null, last = null;
        for (var t = from; t < bars.Length; t++)
        {
            var position = qty > 0 ? new PositionState(qty, cost, opened) : PositionState.Flat;
            var input = new StrategyInput(bars, position, 1_000_000_000m, recommendation?.Invoke(t), last, t);
            var signal = evaluate(input);
            days.Add(new Day(t, input, signal));
            var price = (decimal)bars.Close[t];
            switch (signal.Action)
            {
                case SignalAction.Buy:
                    var q = signal.Quantity ?? 10;
                    cost = (qty * cost + q * price) / (qty + q);
                    qty += q;
                    opened ??= bars.Dates[t];
                    break;
                case SignalAction.Exit:
                    (qty, cost, opened) = (0, 0, null);
                    break;
                case SignalAction.Sell:
                    qty -= signal.Quantity!.Value;
                    if (qty <= 0) (qty, cost, opened) = (0, 0, null);
                    break;
            }
            if (signal.Action != SignalAction.None) last = bars.Dates[t];
        }
        return days;
    }

    private static bool ProtectiveExit(Day d, double? stop, double? target)
    {
        var avg = (double)d.Input.Position.AverageCost!.Value;
        var close = d.Input.Bars.Close[d.T];
        return (stop is { } s && close <= avg * (1 - s) * (1 + 1e-9)) || (target is { } g && close >= avg * (1 + g) * (1 - 1e-9));
    }

    /// <summary>A flat day's decision: Buy where the rule holds (unless a filter blocked it, naming itself), nothing elsewhere.</summary>
    private static void AssertEntryMatchesRule(Day d, bool rule, string what)
    {
        if (rule)
        {
            Assert.True(d.Signal.Action == SignalAction.Buy || FilterKeys.Contains(d.Signal.BlockedBy),
                $"{what} holds on {d.Input.Date} but the signal is {d.Signal.Action}: {d.Signal.Reason}");
            if (d.Signal.Action != SignalAction.Buy) Assert.StartsWith("Entry blocked — ", d.Signal.Reason);
        }
        else
        {
            Assert.True(d.Signal.Action == SignalAction.None, $"{what} does not hold on {d.Input.Date} but the signal is {d.Signal.Action}: {d.Signal.Reason}");
        }
    }

    private static bool Near(double x, double threshold) => Math.Abs(x - threshold) < 1e-9;

    [Theory]
    [MemberData(nameof(Symbols))]
    public void MeanReversion_EntersAndExitsExactlyWhereTheRsiRulesHold(string symbol)
    {
        var bars = Bars.Stocknet(symbol);
        var config = new MeanReversionConfig();
        var c = bars.Close;
        var days = Walk(bars, i => MeanReversionStrategy.Evaluate(config, i), from: 11);

        foreach (var d in days)
        {
            var t = d.T;
            var rsi = Reference.Rsi(c, 10, t);
            if (Near(rsi, 20) || Near(rsi, 30) || Near(rsi, 40) || Near(rsi, 50)) continue; // too close to call across implementations
            if (d.Input.Position.IsLong)
            {
                var exit = ProtectiveExit(d, 0.08, 0.10) || c[t] > Reference.Ema(c, 9, t) || rsi >= 50;
                Assert.Equal(exit ? SignalAction.Exit : SignalAction.None, d.Signal.Action);
                continue;
            }
            var ema200 = Reference.Ema(c, 200, t);
            var rule = rsi <= 30 || (rsi <= 40 && !double.IsNaN(ema200) && c[t] > ema200);
            AssertEntryMatchesRule(d, rule, $"RSI(10) {rsi:F2}, EMA(200) {ema200:F2}");
        }
        Assert.Contains(days, d => d.Signal.Action == SignalAction.Buy || d.Signal.BlockedBy is not null);
    }

    [Theory]
    [MemberData(nameof(Symbols))]
    public void Momentum_EntersAndExitsExactlyWhereTheReturnAndEmaRulesHold(string symbol)
    {
        var bars = Bars.Stocknet(symbol);
        var config = new MomentumConfig { LookbackPeriod = 20, MomentumThreshold = 0.05, EmaPeriod = 50 };
        var c = bars.Close;
        var days = Walk(bars, i => MomentumStrategy.Evaluate(config, i), from: 50);

        foreach (var d in days)
        {
            var t = d.T;
            var r = c[t] / c[t - 20] - 1;
            var ema = Reference.Ema(c, 50, t);
            var rsi = Reference.Rsi(c, 14, t);
            if (Near(r, 0.05) || Near(r, 0) || Near(rsi, 80) || Near(c[t], ema)) continue;
            if (d.Input.Position.IsLong)
            {
                var exit = ProtectiveExit(d, 0.08, null) || r < 0 || c[t] < ema;
                Assert.Equal(exit ? SignalAction.Exit : SignalAction.None, d.Signal.Action);
                continue;
            }
            AssertEntryMatchesRule(d, r >= 0.05 && c[t] > ema && rsi <= 80, $"return {r:P2}, EMA(50) {ema:F2}, RSI {rsi:F1}");
        }
        Assert.Contains(days, d => d.Signal.Action == SignalAction.Buy || d.Signal.BlockedBy is not null);
    }

    [Theory]
    [MemberData(nameof(Symbols))]
    public void WeeklyDca_BuysOnTheFirstTradingDayOfEachWeek_OnlyBelowTheAverage(string symbol)
    {
        var bars = Bars.Stocknet(symbol);
        var config = new DcaConfig { Interval = DcaInterval.Weekly, OnlyBelowAverage = true, AveragePeriod = 20, Filters = Bars.NoFilters };
        var c = bars.Close;
        var days = Walk(bars, i => DcaStrategy.Evaluate(config, i), from: 19);
        static int Week(DateOnly d) => ISOWeek.GetYear(d.ToDateTime(TimeOnly.MinValue)) * 100 + ISOWeek.GetWeekOfYear(d.ToDateTime(TimeOnly.MinValue));

        var boughtWeeks = new HashSet<int>();
        foreach (var d in days)
        {
            var sma = Reference.Sma(c, 20, d.T);
            var due = !boughtWeeks.Contains(Week(d.Input.Date));
            if (!Near(c[d.T], sma)) Assert.Equal(due && c[d.T] < sma ? SignalAction.Buy : SignalAction.None, d.Signal.Action);
            if (d.Signal.Action == SignalAction.Buy)
            {
                boughtWeeks.Add(Week(d.Input.Date));
                Assert.Equal(Math.Floor(1000m / (decimal)c[d.T]), d.Signal.Quantity);
            }
        }
        Assert.True(boughtWeeks.Count > 20, $"{boughtWeeks.Count} weekly buys");
        Assert.DoesNotContain(days, d => d.Signal.Action is SignalAction.Sell or SignalAction.Exit);
    }

    [Theory]
    [MemberData(nameof(Symbols))]
    public void Grid_TradesOnlyWhenTheCloseCrossesALevelOfThePriorDaysGrid(string symbol)
    {
        var bars = Bars.Stocknet(symbol);
        var config = new GridConfig { Centre = GridCentre.Average, CentrePeriod = 20, GridSpacingPct = 0.02, LevelsEachSide = 5, MaxOpenLevels = 5, Filters = Bars.NoFilters };
        var c = bars.Close;
        var days = Walk(bars, i => GridStrategy.Evaluate(config, i), from: 21);

        foreach (var d in days)
        {
            var t = d.T;
            var centre = Reference.Sma(c, 20, t - 1);
            var levels = Enumerable.Range(-5, 11).Select(i => centre * (1 + i * 0.02)).ToArray();
            if (levels.Any(l => Near(l, c[t]) || Near(l, c[t - 1]))) continue;
            var down = levels.Count(l => c[t - 1] > l && l >= c[t]);
            var up = levels.Count(l => c[t - 1] < l && l <= c[t]);
            switch (d.Signal.Action)
            {
                case SignalAction.Buy:
                    Assert.True(down > 0);
                    Assert.True(d.Signal.Quantity <= Math.Floor(1000m / (decimal)c[t]) * down);
                    break;
                case SignalAction.Sell:
                    Assert.True(up > 0 && d.Input.Position.IsLong);
                    Assert.True(d.Signal.Quantity <= d.Input.Position.Quantity);
                    break;
                default:
                    Assert.True(down == 0 || d.Signal.BlockedBy == "max_open_levels" || d.Signal.Reason.Contains("buys no whole share", StringComparison.Ordinal),
                        $"{down} levels crossed down on {d.Input.Date}: {d.Signal.Reason}");
                    Assert.True(up == 0 || !d.Input.Position.IsLong);
                    break;
            }
        }
        Assert.Contains(days, d => d.Signal.Action == SignalAction.Buy);
        Assert.Contains(days, d => d.Signal.Action == SignalAction.Sell);
    }

    [Theory]
    [MemberData(nameof(Symbols))]
    public void FollowModel_BuysOnlyFreshConfidentRecommendationsTheRsiRulesAgreeWith(string symbol)
    {
        var bars = Bars.Stocknet(symbol);
        var config = new FollowModelConfig();
        var c = bars.Close;
        // A synthetic model: a recommendation every Monday (BUY, or SELL every third week) with a confidence cycling
        // through 0.3 … 0.9, and none the rest of the week; the strategy sees the latest one created on or before t.
        var recs = new List<ModelRecommendation>();
        for (var i = 0; i < bars.Length; i++)
        {
            var d = bars.Dates[i];
            if (d.DayOfWeek != DayOfWeek.Monday) continue;
            var week = d.DayNumber / 7;
            recs.Add(new ModelRecommendation(week % 3 == 0 ? "SELL" : "BUY", 0.3 + week % 7 * 0.1, c[i], c[i] * 0.9, c[i] * 1.2, d));
        }
        ModelRecommendation? Latest(int t) => recs.LastOrDefault(r => r.CreatedOn <= bars.Dates[t]);
        var days = Walk(bars, i => FollowModelStrategy.Evaluate(config, i), from: 11, Latest);

        foreach (var d in days)
        {
            var t = d.T;
            var rec = d.Input.Recommendation;
            var usable = rec is not null && d.Input.Date.DayNumber - rec.CreatedOn.DayNumber <= 3 && rec.Confidence >= 0.5
                && (d.Input.LastSignalDate is not { } last || last < rec.CreatedOn);
            if (d.Input.Position.IsLong)
            {
                var exit = ProtectiveExit(d, 0.08, 0.10) || (usable && rec!.Label == "SELL");
                Assert.Equal(exit ? SignalAction.Exit : SignalAction.None, d.Signal.Action);
                continue;
            }
            var rsi = Reference.Rsi(c, 10, t);
            if (Near(rsi, 30) || Near(rsi, 40)) continue;
            var ema200 = Reference.Ema(c, 200, t);
            var rules = rsi <= 30 || (rsi <= 40 && !double.IsNaN(ema200) && c[t] > ema200);
            AssertEntryMatchesRule(d, usable && rec!.Label == "BUY" && rules, $"{rec?.Label} {rec?.Confidence:F1} of {rec?.CreatedOn}, RSI(10) {rsi:F2}");
            if (d.Signal.Action == SignalAction.Buy && rec!.StopLoss < c[t] && rec.TakeProfit > c[t])
            {
                Assert.Equal(rec.StopLoss, d.Signal.StopPrice);
                Assert.Equal(rec.TakeProfit, d.Signal.TargetPrice);
            }
        }
        Assert.Contains(days, d => d.Signal.Action == SignalAction.Buy || d.Signal.BlockedBy is not null);
    }

    [Fact]
    public void Loader_DropsPtrsNullRow_AndKeepsDatesAscending()
    {
        var ptr = Bars.Stocknet("PTR");

        Assert.DoesNotContain(new DateOnly(2016, 6, 29), ptr.Dates);
        Assert.True(ptr.Dates.Zip(ptr.Dates.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal(96.424286, Bars.Stocknet("AAPL").Close[0], 1e-9);
    }

    [Fact]
    public void AcrossTheUniverse_TheSeedFiltersBlockSomeEntriesAndPassMost()
    {
        // The last day of nine files with the seed's filter defaults: BRK-A trades ~300 shares a day, BBL gaps on 40% of
        // days, AEP's range is under 1%; the large caps pass.
        var results = new[] { "AAPL", "BAC", "XOM", "AGFS", "PTR", "BBL", "BRK-A", "AEP", "ABB" }
            .Select(s => EntryFilters.Check(new EntryFilterConfig(), new StrategyInput(Bars.Stocknet(s)), out _))
            .ToList();

        Assert.Contains(results, r => r is null);
        Assert.Contains(results, r => r is not null);
        Assert.All(results.Where(r => r is not null), r => Assert.Contains(r!.BlockedBy, FilterKeys));
    }
}
