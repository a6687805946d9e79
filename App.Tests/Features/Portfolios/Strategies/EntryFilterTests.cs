using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>The chart quality and liquidity filters with the seed's defaults (min score 50, gaps ≤ 25%, range ≥ 1%, extremes ≤ 20%).</summary>
public sealed class EntryFilterTests
{
    private static readonly EntryFilterConfig Seed = new();

    /// <summary>60 bars at 100 with a 3% range and no gaps; <paramref name="shape"/> edits bar i.</summary>
    private static DailyBars Chart(Action<int, DailyBars>? shape = null, double volume = 1_000_000)
    {
        var bars = Bars.FromCloses(Bars.Repeat(100, 60), volume: volume);
        for (var i = 0; i < 60; i++) shape?.Invoke(i, bars);
        return bars;
    }

    private static DailyBars GapEvery(int k) => Chart((i, b) => { if (i > 0 && i % k == 0) b.Open[i] = 102; });

    private static StrategySignal? Check(DailyBars bars, EntryFilterConfig? config = null) =>
        EntryFilters.Check(config ?? Seed, new StrategyInput(bars), out _);

    [Fact]
    public void Measure_OnAWorkedChart_GivesEachComponentAndTheScore()
    {
        // Lookback 4 → bars 1..4, each with a prior close of 100.
        // Opens 101.5 (gap 1.5% > 1%), 100.5 (0.5%: no gap), 98 (gap 2%), 100 → 2 of 4 = 50%.
        // Ranges 2%, 2%, 2%, 8% → average 3.5%; 8% > 2 × 3.5% is the one extreme candle → 25%.
        // Score: 100 − 30 (gaps 50% > 25%) − 25 (extremes 25% > 20%) = 45.
        double[] close = [100, 100, 100, 100, 100];
        var bars = new DailyBars(Bars.Weekdays(5), [100, 101.5, 100.5, 98, 100], [101, 101, 101, 101, 104], [99, 99, 99, 99, 96], close, Bars.Repeat(1e6, 5));

        var q = ChartQuality.Measure(new StrategyInput(bars), Seed with { ChartQualityLookback = 4 });

        Assert.Equal(4, q.Bars);
        Assert.Equal(50, q.GapFrequency, 1e-9);
        Assert.Equal(3.5, q.AvgDailyRangePct, 1e-9);
        Assert.Equal(25, q.ExtremeCandleFrequency, 1e-9);
        Assert.Equal(45, q.Score);
    }

    [Fact]
    public void CleanChart_Passes_WithTheScoreInTheNote()
    {
        var blocked = EntryFilters.Check(Seed, new StrategyInput(Chart()), out var note);

        Assert.Null(blocked);
        Assert.Equal("chart quality 100 (gaps 0%, range 3%, extreme 0%)", note);
    }

    [Fact]
    public void GappyChart_IsBlockedByTheGapFrequency()
    {
        // Gaps on bars 3, 6, …, 57: 19 of the 59 bars with a prior close = 32.2%; score 70 still passes 50.
        var blocked = Check(GapEvery(3));

        Assert.NotNull(blocked);
        Assert.Equal("chart_quality_max_gap_frequency", blocked.BlockedBy);
        Assert.Equal("chart quality (60 bars): gap frequency 32.2% > max 25%", blocked.Reason);
    }

    [Fact]
    public void FlatChart_IsBlockedByTheDailyRange()
    {
        var flat = Bars.FromCloses(Bars.Repeat(100, 60), halfRangePct: 0.25);

        var blocked = Check(flat);

        Assert.Equal("chart_quality_min_daily_range_pct", blocked!.BlockedBy);
        Assert.Equal("chart quality (60 bars): average daily range 0.5% < min 1%", blocked.Reason);
    }

    [Fact]
    public void ErraticChart_IsBlockedByExtremeCandles()
    {
        // Every 4th bar has a 12% range, the rest 3%: average (45 × 3 + 15 × 12) / 60 = 5.25%; 12% > 10.5% on 15 of 60 bars.
        var erratic = Chart((i, b) => { if (i % 4 == 0) (b.High[i], b.Low[i]) = (106, 94); });

        var blocked = Check(erratic);

        Assert.Equal("chart_quality_max_extreme_candle_frequency", blocked!.BlockedBy);
        Assert.Equal("chart quality (60 bars): extreme-candle frequency 25% > max 20%", blocked.Reason);
    }

    [Fact]
    public void MinimumScore_BlocksOnItsOwn()
    {
        // Gaps on bars 6, 12, …, 54: 9 of 59 = 15.3%, within the 25% limit but above 10%: score 85.
        var bars = GapEvery(6);
        Assert.Equal(85, ChartQuality.Measure(new StrategyInput(bars), Seed).Score);

        Assert.Null(Check(bars));
        var blocked = Check(bars, Seed with { ChartQualityMinScore = 90 });
        Assert.Equal("chart_quality_min_score", blocked!.BlockedBy);
        Assert.Equal("chart quality (60 bars): score 85 < min 90", blocked.Reason);
    }

    [Fact]
    public void SeveralFailures_AreAllNamed_TheFirstIsBlockedBy()
    {
        var bars = Chart((i, b) =>
        {
            if (i > 0 && i % 3 == 0) b.Open[i] = 102;
            (b.High[i], b.Low[i]) = (100.25, 99.75);
        });

        var blocked = Check(bars);

        Assert.Equal("chart_quality_max_gap_frequency", blocked!.BlockedBy);
        Assert.Equal("chart quality (60 bars): gap frequency 32.2% > max 25%, average daily range 0.5% < min 1%, score 45 < min 50", blocked.Reason);
    }

    [Fact]
    public void ChartQualityOff_LetsAGappyChartThrough()
    {
        Assert.Null(Check(GapEvery(3), Seed with { ChartQualityEnabled = false }));
    }

    [Fact]
    public void ShortHistory_CannotBeJudged_AndIsBlocked()
    {
        var blocked = Check(Bars.FromCloses(Bars.Repeat(100, 10)));

        Assert.Equal("chart_quality_lookback", blocked!.BlockedBy);
        Assert.Equal("chart quality: needs 20 bars, have 10", blocked.Reason);
    }

    [Fact]
    public void ThinVolume_IsBlockedByTheLiquidityFilter_EvenWithChartQualityOff()
    {
        var thin = Chart(volume: 5_000);

        var blocked = Check(thin, Seed with { ChartQualityEnabled = false });

        Assert.Equal("min_absolute_avg_volume", blocked!.BlockedBy);
        Assert.Equal("liquidity: average volume 5000 over 20 days < min_absolute_avg_volume 10000", blocked.Reason);
        Assert.Null(Check(thin, Seed with { MinAbsoluteAvgVolume = 0 }));
    }

    [Fact]
    public void StrategyEntry_OnAGappyChart_SaysWhichFilterBlockedIt()
    {
        var signal = DcaStrategy.Evaluate(new DcaConfig(), new StrategyInput(GapEvery(3), cash: 10_000m));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("chart_quality_max_gap_frequency", signal.BlockedBy);
        Assert.StartsWith("Entry blocked — chart quality (60 bars): gap frequency 32.2% > max 25% (would have bought: DCA buy due (first buy)", signal.Reason);
    }

    [Fact]
    public void StrategyEntry_OnACleanChart_CarriesTheScore()
    {
        var signal = DcaStrategy.Evaluate(new DcaConfig(), new StrategyInput(Chart(), cash: 10_000m));

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.EndsWith("; chart quality 100 (gaps 0%, range 3%, extreme 0%)", signal.Reason);
    }

    [Fact]
    public void Exits_AreNeverFiltered()
    {
        // A long on the gappy chart with the close at the 10% target from an average cost of 90.
        var signal = MeanReversionStrategy.Evaluate(new MeanReversionConfig(), new StrategyInput(GapEvery(3), new PositionState(10, 90m, Bars.Start)));

        Assert.Equal(SignalAction.Exit, signal.Action);
    }
}
