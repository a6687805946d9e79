namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>
/// Filters applied to every entry (buy) of every strategy; exits are never filtered. Field names and defaults are the
/// multi-user seed's user_trading_config ones; lookback, gap threshold and extreme multiple are ours.
/// </summary>
public sealed record EntryFilterConfig
{
    public bool ChartQualityEnabled { get; init; } = true;

    /// <summary>Minimum chart quality score, 0–100.</summary>
    public double ChartQualityMinScore { get; init; } = 50;

    /// <summary>Maximum percent of days whose open gaps beyond <see cref="ChartQualityGapThresholdPct"/>.</summary>
    public double ChartQualityMaxGapFrequency { get; init; } = 25;

    /// <summary>Minimum average (high − low)/close, in percent.</summary>
    public double ChartQualityMinDailyRangePct { get; init; } = 1.0;

    /// <summary>Maximum percent of bars whose range exceeds <see cref="ChartQualityExtremeRangeMultiple"/> × the average range.</summary>
    public double ChartQualityMaxExtremeCandleFrequency { get; init; } = 20;

    public int ChartQualityLookback { get; init; } = 60;

    /// <summary>An open more than this percent away from the prior close is a gap.</summary>
    public double ChartQualityGapThresholdPct { get; init; } = 1.0;

    public double ChartQualityExtremeRangeMultiple { get; init; } = 2.0;

    /// <summary>Minimum average daily volume (shares) over <see cref="AvgVolumePeriod"/> days; 0 switches the filter off.</summary>
    public int MinAbsoluteAvgVolume { get; init; } = 10_000;

    public int AvgVolumePeriod { get; init; } = 20;

    internal static readonly EntryFilterConfig Default = new();

    internal static IReadOnlyList<ConfigField> Fields { get; } =
    [
        ConfigField.Flag("chart_quality_enabled", "Chart quality filter", Default.ChartQualityEnabled, "Chart quality",
            "Refuse entries on gappy, flat or erratic charts (the score and the three limits below)."),
        ConfigField.Number("chart_quality_min_score", "Minimum chart quality score", Default.ChartQualityMinScore, 0, 100, "Chart quality",
            "0–100; the score starts at 100 and loses points for gaps, flatness and extreme candles."),
        ConfigField.Number("chart_quality_max_gap_frequency", "Maximum gap frequency (%)", Default.ChartQualityMaxGapFrequency, 0, 100, "Chart quality",
            "Largest share of days, in percent, whose open gaps beyond the gap threshold from the prior close."),
        ConfigField.Number("chart_quality_min_daily_range_pct", "Minimum daily range (%)", Default.ChartQualityMinDailyRangePct, 0, 100, "Chart quality",
            "Smallest average (high − low) / close, in percent: flatter charts do not move enough to trade."),
        ConfigField.Number("chart_quality_max_extreme_candle_frequency", "Maximum extreme-candle frequency (%)", Default.ChartQualityMaxExtremeCandleFrequency, 0, 100, "Chart quality",
            "Largest share of bars, in percent, whose range exceeds the extreme multiple × the average range."),
        ConfigField.Int("chart_quality_lookback", "Chart quality lookback (bars)", Default.ChartQualityLookback, 10, 500, "Chart quality",
            "Number of recent bars the chart quality is measured on."),
        ConfigField.Number("chart_quality_gap_threshold_pct", "Gap threshold (%)", Default.ChartQualityGapThresholdPct, 0, 50, "Chart quality",
            "An open further than this percent from the prior close counts as a gap."),
        ConfigField.Number("chart_quality_extreme_range_multiple", "Extreme candle multiple", Default.ChartQualityExtremeRangeMultiple, 1, 20, "Chart quality",
            "A bar whose range is more than this many times the average range is an extreme candle."),
        ConfigField.Int("min_absolute_avg_volume", "Minimum average volume", Default.MinAbsoluteAvgVolume, 0, int.MaxValue, "Liquidity",
            "Refuse entries when the average daily volume (shares) is below this; 0 switches the filter off."),
        ConfigField.Int("avg_volume_period", "Average volume period (days)", Default.AvgVolumePeriod, 1, 250, "Liquidity",
            "Number of days the average volume is taken over."),
    ];

    internal static EntryFilterConfig From(ConfigValues v) => new()
    {
        ChartQualityEnabled = v.Flag("chart_quality_enabled"),
        ChartQualityMinScore = v.Number("chart_quality_min_score"),
        ChartQualityMaxGapFrequency = v.Number("chart_quality_max_gap_frequency"),
        ChartQualityMinDailyRangePct = v.Number("chart_quality_min_daily_range_pct"),
        ChartQualityMaxExtremeCandleFrequency = v.Number("chart_quality_max_extreme_candle_frequency"),
        ChartQualityLookback = v.Int("chart_quality_lookback"),
        ChartQualityGapThresholdPct = v.Number("chart_quality_gap_threshold_pct"),
        ChartQualityExtremeRangeMultiple = v.Number("chart_quality_extreme_range_multiple"),
        MinAbsoluteAvgVolume = v.Int("min_absolute_avg_volume"),
        AvgVolumePeriod = v.Int("avg_volume_period"),
    };
}

/// <summary>The chart measured on its last <see cref="Bars"/> bars; frequencies and range in percent.</summary>
public sealed record ChartQualityReport(int Bars, double GapFrequency, double AvgDailyRangePct, double ExtremeCandleFrequency, double Score);

/// <summary>
/// Chart quality of the bars up to t. Over the last N bars: gap frequency = % of bars whose |open / prior close − 1|
/// exceeds the gap threshold (a bar needs a prior close to count); average daily range = mean of (high − low)/close in
/// percent; extreme-candle frequency = % of bars whose range % exceeds k × the average range %.
/// The score follows the source app's ChartQualityService penalties, so min_score values users already hold mean the
/// same: start at 100; gaps above the maximum −30 (else above 10% −15); average range below the minimum −25 (else below
/// 2% −10); extreme candles above the maximum −25 (else above 10% −15).
/// </summary>
public static class ChartQuality
{
    /// <summary>Fewer bars than this (or than the lookback, if smaller) and the chart cannot be judged: entries are refused.</summary>
    public const int MinimumBars = 20;

    public static ChartQualityReport Measure(ReadOnlySpan<double> open, ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close,
        EntryFilterConfig config)
    {
        var n = close.Length;
        var window = Math.Min(config.ChartQualityLookback, n);
        var start = n - window;
        int gaps = 0, gapBars = 0;
        var rangePct = new double[window];
        for (var i = start; i < n; i++)
        {
            rangePct[i - start] = close[i] == 0 ? 0 : (high[i] - low[i]) / close[i] * 100;
            if (i == 0 || close[i - 1] == 0) continue;
            gapBars++;
            if (Math.Abs(open[i] / close[i - 1] - 1) * 100 > config.ChartQualityGapThresholdPct) gaps++;
        }
        var gapFrequency = gapBars == 0 ? 0 : 100.0 * gaps / gapBars;
        var avgRange = window == 0 ? 0 : rangePct.Average();
        var extremes = rangePct.Count(r => r > config.ChartQualityExtremeRangeMultiple * avgRange);
        var extremeFrequency = window == 0 ? 0 : 100.0 * extremes / window;

        var score = 100.0;
        if (gapFrequency > config.ChartQualityMaxGapFrequency) score -= 30;
        else if (gapFrequency > 10) score -= 15;
        if (avgRange < config.ChartQualityMinDailyRangePct) score -= 25;
        else if (avgRange < 2) score -= 10;
        if (extremeFrequency > config.ChartQualityMaxExtremeCandleFrequency) score -= 25;
        else if (extremeFrequency > 10) score -= 15;
        return new ChartQualityReport(window, gapFrequency, avgRange, extremeFrequency, Math.Clamp(score, 0, 100));
    }

    public static ChartQualityReport Measure(StrategyInput input, EntryFilterConfig config) =>
        Measure(input.Open, input.High, input.Low, input.Close, config);
}

public static class EntryFilters
{
    /// <summary>Average volume over the last <paramref name="period"/> bars (fewer if the history is shorter).</summary>
    public static double AverageVolume(ReadOnlySpan<double> volume, int period)
    {
        var count = Math.Min(period, volume.Length);
        if (count == 0) return 0;
        var sum = 0.0;
        foreach (var v in volume[^count..]) sum += v;
        return sum / count;
    }

    /// <summary>
    /// The entry if every filter lets it through (its reason gains the chart quality score), otherwise a
    /// <see cref="SignalAction.None"/> signal saying which filter blocked it. Non-entries pass through unchanged.
    /// </summary>
    public static StrategySignal Apply(EntryFilterConfig config, StrategyInput input, StrategySignal entry)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Action != SignalAction.Buy) return entry;
        var blocked = Check(config, input, out var note);
        if (blocked is not null)
            return blocked with { Reason = $"Entry blocked — {blocked.Reason} (would have bought: {entry.Reason})" };
        return note is null ? entry : entry with { Reason = $"{entry.Reason}; {note}" };
    }

    /// <summary>Null when the filters allow an entry on day t; otherwise the blocking signal.</summary>
    public static StrategySignal? Check(EntryFilterConfig config, StrategyInput input, out string? note)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        note = null;
        if (config.MinAbsoluteAvgVolume > 0)
        {
            var adv = AverageVolume(input.Volume, config.AvgVolumePeriod);
            if (adv < config.MinAbsoluteAvgVolume)
                return StrategySignal.Blocked(
                    $"liquidity: average volume {Fmt.N(adv, 0)} over {Math.Min(config.AvgVolumePeriod, input.Count)} days < min_absolute_avg_volume {config.MinAbsoluteAvgVolume}",
                    "min_absolute_avg_volume");
        }
        if (!config.ChartQualityEnabled) return null;

        var needed = Math.Min(ChartQuality.MinimumBars, config.ChartQualityLookback);
        if (input.Count < needed)
            return StrategySignal.Blocked($"chart quality: needs {needed} bars, have {input.Count}", "chart_quality_lookback");
        var q = ChartQuality.Measure(input, config);
        var failures = new List<(string Key, string Text)>();
        if (q.GapFrequency > config.ChartQualityMaxGapFrequency)
            failures.Add(("chart_quality_max_gap_frequency", $"gap frequency {Fmt.N(q.GapFrequency, 1)}% > max {Fmt.N(config.ChartQualityMaxGapFrequency)}%"));
        if (q.AvgDailyRangePct < config.ChartQualityMinDailyRangePct)
            failures.Add(("chart_quality_min_daily_range_pct", $"average daily range {Fmt.N(q.AvgDailyRangePct, 2)}% < min {Fmt.N(config.ChartQualityMinDailyRangePct)}%"));
        if (q.ExtremeCandleFrequency > config.ChartQualityMaxExtremeCandleFrequency)
            failures.Add(("chart_quality_max_extreme_candle_frequency", $"extreme-candle frequency {Fmt.N(q.ExtremeCandleFrequency, 1)}% > max {Fmt.N(config.ChartQualityMaxExtremeCandleFrequency)}%"));
        if (q.Score < config.ChartQualityMinScore)
            failures.Add(("chart_quality_min_score", $"score {Fmt.N(q.Score, 1)} < min {Fmt.N(config.ChartQualityMinScore)}"));
        if (failures.Count > 0)
            return StrategySignal.Blocked($"chart quality ({q.Bars} bars): {string.Join(", ", failures.Select(f => f.Text))}", failures[0].Key);
        note = $"chart quality {Fmt.N(q.Score, 1)} (gaps {Fmt.N(q.GapFrequency, 1)}%, range {Fmt.N(q.AvgDailyRangePct, 2)}%, extreme {Fmt.N(q.ExtremeCandleFrequency, 1)}%)";
        return null;
    }
}
