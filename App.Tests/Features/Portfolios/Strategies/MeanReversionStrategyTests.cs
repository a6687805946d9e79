using Signalbook.Features.Indicators;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>
/// The multi-user seed's RSI rules with rsi_period 10. The series are 11 closes, so RSI(10) at the last bar is the seed
/// value: 100 × (sum of gains) / (sum of gains + sum of losses) over the ten changes.
/// </summary>
public sealed class MeanReversionStrategyTests
{
    private static readonly MeanReversionConfig Config = new() { Filters = Bars.NoFilters };

    // Changes +1, −1, −1, −1, −1, +1, −1, −1, −1, −1: gains 2, losses 8, RSI(10) = 100 × 2 / 10 = 20.
    private static readonly double[] Extreme = [100, 101, 100, 99, 98, 97, 98, 97, 96, 95, 94];

    // Changes +1, +1.5, 0, −1, −1, −1, −1.5, −1, −1, −1: gains 2.5, losses 7.5, RSI(10) = 25.
    private static readonly double[] Oversold = Bars.Path(100, 1, 1.5, 0, -1, -1, -1, -1.5, -1, -1, -1);

    // Nine changes of −1 then +4.5: gains 4.5, losses 9, RSI(10) = 100 × 4.5 / 13.5 = 33.33, close 95.5.
    // EMA(5): seed (100 + 99 + 98 + 97 + 96) / 5 = 98, then k = 1/3 → 97, 96, 95, 94, 93, 93 + (95.5 − 93) / 3 = 93.83.
    private static readonly double[] NearWithTrend = Bars.Path(100, -1, -1, -1, -1, -1, -1, -1, -1, -1, 4.5);

    // +4.5 then nine changes of −1: the same RSI(10) 33.33, close 95.5 below EMA(5) (seed 102.4 at bar 4, 97.40 at bar 10).
    private static readonly double[] NearAgainstTrend = Bars.Path(100, 4.5, -1, -1, -1, -1, -1, -1, -1, -1, -1);

    private static StrategySignal Run(double[] closes, MeanReversionConfig? config = null, PositionState? position = null) =>
        MeanReversionStrategy.Evaluate(config ?? Config, new StrategyInput(Bars.FromCloses(closes), position, cash: 10_000m));

    [Fact]
    public void WorkedSeries_RsiAndEmaValues_MatchKernels()
    {
        Assert.Equal(20, Kernels.Rsi(Extreme, 10)[10], 1e-9);
        Assert.Equal(25, Kernels.Rsi(Oversold, 10)[10], 1e-9);
        Assert.Equal(100.0 / 3, Kernels.Rsi(NearWithTrend, 10)[10], 1e-9);
        Assert.Equal(100.0 / 3, Kernels.Rsi(NearAgainstTrend, 10)[10], 1e-9);
        Assert.Equal(93 + 2.5 / 3, Kernels.Ema(NearWithTrend, 5)[10], 1e-9);
        Assert.Equal(97.4034, Kernels.Ema(NearAgainstTrend, 5)[10], 1e-4);
    }

    [Fact]
    public void RsiAtExtremeOversold_Buys_WithStopAndTargetFromTheClose()
    {
        var signal = Run(Extreme);

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal("RSI(10) 20 ≤ extreme oversold 20", signal.Reason);
        Assert.Equal(94 * 0.92, signal.StopPrice!.Value, 1e-9);
        Assert.Equal(94 * 1.10, signal.TargetPrice!.Value, 1e-9);
        Assert.Null(signal.Quantity); // the caller sizes it with PositionSizer
        Assert.Equal(Signalbook.Features.Portfolios.OrderSide.Buy, signal.Side);
    }

    [Fact]
    public void RsiAtOversold_Buys_WithoutTheTrendFilter()
    {
        var signal = Run(Oversold);

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal("RSI(10) 25 ≤ oversold 30", signal.Reason);
    }

    [Fact]
    public void NearOversold_WithCloseAboveTheTrendEma_Buys()
    {
        var signal = Run(NearWithTrend, Config with { TrendEmaPeriod = 5 });

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal("RSI(10) 33.3 ≤ near oversold 40 and close 95.50 > EMA(5) 93.83", signal.Reason);
    }

    [Fact]
    public void NearOversold_WithCloseBelowTheTrendEma_IsBlockedByTheTrendFilter()
    {
        var signal = Run(NearAgainstTrend, Config with { TrendEmaPeriod = 5 });

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("trend_filter", signal.BlockedBy);
        Assert.StartsWith("RSI(10) 33.3 ≤ near oversold 40 but close 95.50 ≤ EMA(5) ", signal.Reason);
    }

    [Fact]
    public void NearOversold_WithTheDefaultEma200AndElevenBars_SaysTheTrendNeedsMoreHistory()
    {
        var signal = Run(NearWithTrend);

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("trend_filter", signal.BlockedBy);
        Assert.Contains("EMA(200) needs 200 bars, have 11", signal.Reason);
    }

    [Fact]
    public void NearOversold_WithTheTrendFilterOff_Buys()
    {
        var signal = Run(NearAgainstTrend, Config with { TrendFilter = TrendFilterScope.Off });

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal("RSI(10) 33.3 ≤ near oversold 40", signal.Reason);
    }

    [Fact]
    public void TrendFilterOnAllEntries_BlocksEvenTheExtremeTier()
    {
        // Extreme: close 94 against EMA(5) = 95.70 (seeded with the mean of the first five closes, 99.6).
        Assert.Equal(95.7015, Kernels.Ema(Extreme, 5)[10], 1e-4);

        var signal = Run(Extreme, Config with { TrendFilter = TrendFilterScope.AllEntries, TrendEmaPeriod = 5 });

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("trend_filter", signal.BlockedBy);
        Assert.StartsWith("RSI(10) 20 ≤ extreme oversold 20 but close 94.00 ≤ EMA(5)", signal.Reason);
    }

    [Fact]
    public void RsiAboveNearOversold_DoesNothing()
    {
        // +10 then nine −1: gains 10, losses 9, RSI(10) = 100 × 10 / 19 = 52.6.
        var signal = Run(Bars.Path(100, 10, -1, -1, -1, -1, -1, -1, -1, -1, -1));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Null(signal.BlockedBy);
        Assert.Equal("No entry: RSI(10) 52.6 > near oversold 40", signal.Reason);
    }

    [Fact]
    public void TenBars_IsNotEnoughForRsi10()
    {
        var signal = Run(Extreme[..10]);

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("Not enough history: RSI(10) needs 11 bars, have 10", signal.Reason);
    }

    [Fact]
    public void Long_CloseBackAboveEma9_Exits()
    {
        // The extreme series, then a bounce to 99: EMA(9) seeded at bar 8 with (100+101+100+99+98+97+98+97+96)/9 = 98.44,
        // then k = 0.2: 97.76, 97.00, 97.40; the close 99 is above it.
        double[] closes = [.. Extreme, 99];
        Assert.Equal(97.4, Kernels.Ema(closes, 9)[11], 0.01);

        var signal = Run(closes, position: new PositionState(10, 95m, Bars.Start));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.StartsWith("Close 99.00 > EMA(9) 97.4", signal.Reason);
        Assert.Equal(Signalbook.Features.Portfolios.OrderSide.Sell, signal.Side);
    }

    [Fact]
    public void Long_RsiAt50OrAbove_ExitsEvenBelowEma9()
    {
        // +10 then nine −1: RSI(10) 52.6; EMA(9) seeded at 105.78, then 105.02, 104.22 > close 101.
        var closes = Bars.Path(100, 10, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        Assert.Equal(100 * 10.0 / 19, Kernels.Rsi(closes, 10)[10], 1e-9);
        Assert.True(Kernels.Ema(closes, 9)[10] > 101);

        var signal = Run(closes, position: new PositionState(10, 100m, Bars.Start));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.Equal("RSI(10) 52.6 ≥ 50", signal.Reason);
    }

    [Fact]
    public void Long_BelowEma9AndRsiUnder50_Holds_AndNeverAdds()
    {
        var signal = Run(Extreme, position: new PositionState(10, 95m, Bars.Start));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.StartsWith("Holding: RSI(10) 20 < 50 and close 94.00 ≤ EMA(9) 97.00", signal.Reason);
    }

    [Fact]
    public void Long_WithTheEma9Rsi50ExitOff_OnlyTheStopOrTargetExits()
    {
        double[] closes = [.. Extreme, 99];
        var config = Config with { ExitOnEma9OrRsi50 = false };

        Assert.Equal(SignalAction.None, Run(closes, config, new PositionState(10, 95m, Bars.Start)).Action);
        // Target: 90 × 1.10 = 99 ≤ close 99.
        var target = Run(closes, config, new PositionState(10, 90m, Bars.Start));
        Assert.Equal(SignalAction.Exit, target.Action);
        Assert.Equal("Target reached: close 99.00 ≥ 99.00 (average cost 90.00 + 10%)", target.Reason);
    }

    [Fact]
    public void Long_CloseAtTheStop_ExitsBeforeTheRsiRules()
    {
        // Average cost 110: stop 110 × 0.92 = 101.20; close 94 is below it.
        var signal = Run(Extreme, position: new PositionState(10, 110m, Bars.Start));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.Equal("Stop loss: close 94.00 ≤ 101.20 (average cost 110.00 − 8%)", signal.Reason);
    }

    [Theory]
    [InlineData(92.0, SignalAction.Exit)] // 100 × (1 − 0.08) = 92: at the stop
    [InlineData(92.01, SignalAction.None)] // above it, RSI under 50 and close under EMA(9): hold
    public void Long_StopIsTakenAtTheLevel_NotAboveIt(double close, SignalAction expected)
    {
        double[] closes = [.. Extreme[..^1], close];

        Assert.Equal(expected, Run(closes, position: new PositionState(10, 100m, Bars.Start)).Action);
    }

    [Fact]
    public void NoStopConfigured_BuyCarriesNoStopPrice()
    {
        var signal = Run(Extreme, Config with { DefaultStopLossPct = null });

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Null(signal.StopPrice);
    }

    [Fact]
    public void ShortPosition_OrASignalAlreadyToday_DoesNothing()
    {
        var bars = Bars.FromCloses(Extreme);
        var shortSignal = MeanReversionStrategy.Evaluate(Config, new StrategyInput(bars, new PositionState(-5, 100m, null)));
        var again = MeanReversionStrategy.Evaluate(Config, new StrategyInput(bars, lastSignalDate: bars.Dates[^1]));

        Assert.Equal(SignalAction.None, shortSignal.Action);
        Assert.Contains("long-only", shortSignal.Reason);
        Assert.Equal(SignalAction.None, again.Action);
        Assert.StartsWith("Already signalled on 2024-01-15", again.Reason);
    }
}
