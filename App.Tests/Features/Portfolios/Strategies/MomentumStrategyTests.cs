using Signalbook.Features.Indicators;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>Momentum with a 5-day return, EMA(5) and the RSI(14) guard at 80, on short hand-built series.</summary>
public sealed class MomentumStrategyTests
{
    private static readonly MomentumConfig Config = new() { LookbackPeriod = 5, EmaPeriod = 5, Filters = Bars.NoFilters };

    // A choppy base, then +2 a day: 5-day return 110 / 100 − 1 = 10%, EMA(5) 106.47,
    // RSI(14) over changes 2..15: gains 5 + 10 = 15 … Wilder-smoothed to 75.19 (below the guard at 80).
    private static readonly double[] Rising = [100, 99, 100, 99, 100, 99, 100, 99, 100, 99, 100, 102, 104, 106, 108, 110];

    private static StrategySignal Run(double[] closes, MomentumConfig? config = null, PositionState? position = null) =>
        MomentumStrategy.Evaluate(config ?? Config, new StrategyInput(Bars.FromCloses(closes), position));

    [Fact]
    public void WorkedSeries_ValuesMatchKernels()
    {
        Assert.Equal(10, Kernels.Roc(Rising, 5).Roc[15], 1e-9);
        Assert.Equal(106.474, Kernels.Ema(Rising, 5)[15], 1e-3);
        Assert.Equal(75.191, Kernels.Rsi(Rising, 14)[15], 1e-3);
    }

    [Fact]
    public void ReturnAboveThreshold_AndCloseAboveEma_Buys()
    {
        var signal = Run(Rising);

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal("5-day return 10% ≥ threshold 5% and close 110.00 > EMA(5) 106.47", signal.Reason);
        Assert.Equal(110 * 0.92, signal.StopPrice!.Value, 1e-9);
        Assert.Null(signal.TargetPrice); // no fixed target by default
    }

    [Fact]
    public void ReturnBelowThreshold_DoesNotBuy()
    {
        // 104.9 / 100 − 1 = 4.9%.
        var signal = Run([.. Bars.Repeat(100, 10), 101, 102, 103, 104, 104.9]);

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("No entry: 5-day return 4.9% < threshold 5%", signal.Reason);
    }

    [Fact]
    public void OverboughtRsi_BlocksTheEntry_UnlessTheGuardIsOff()
    {
        // Flat then +2 a day: 10% in 5 days, but every change is a gain: RSI(14) = 100.
        double[] closes = [.. Bars.Repeat(100, 10), 102, 104, 106, 108, 110];
        Assert.Equal(100, Kernels.Rsi(closes, 14)[14]);

        var guarded = Run(closes);
        var unguarded = Run(closes, Config with { RsiMaxEntry = 100 });

        Assert.Equal(SignalAction.None, guarded.Action);
        Assert.Equal("No entry: 5-day return 10% but RSI(14) 100 > rsi_max_entry 80 (overbought)", guarded.Reason);
        Assert.Equal(SignalAction.Buy, unguarded.Action);
    }

    [Fact]
    public void CloseAtOrBelowEma_DoesNotBuy()
    {
        // A 20% jump ten days ago, then a slide: 5-day return 108 / 102 − 1 = 5.9% but EMA(5) is 112.39.
        double[] closes = [100, 100, 100, 100, 100, 102, 120, 119, 118, 117, 108];
        var ema = Kernels.Ema(closes, 5)[10];
        Assert.True(108 <= ema);

        var signal = Run(closes);

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.StartsWith("No entry: 5-day return 5.88% but close 108.00 ≤ EMA(5)", signal.Reason);
    }

    [Fact]
    public void Long_ReturnTurnsNegative_Exits()
    {
        // … 110, 109, 108, 107, 106, 105, 104: 104 / 109 − 1 = −4.59%.
        double[] closes = [.. Bars.Repeat(100, 10), 102, 104, 106, 108, 110, 109, 108, 107, 106, 105, 104];

        var signal = Run(closes, position: new PositionState(10, 105m, Bars.Start));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.Equal("Momentum turned negative: 5-day return -4.59% < 0", signal.Reason);
    }

    [Fact]
    public void Long_CloseBelowEma_Exits_EvenWithAFlatReturn()
    {
        // … 110 … 115, then 111: 111 / 111 − 1 = 0 (not negative), EMA(5) 112.20 > 111.
        double[] closes = [.. Bars.Repeat(100, 10), 102, 104, 106, 108, 110, 111, 112, 113, 114, 115, 111];
        Assert.Equal(112.204, Kernels.Ema(closes, 5)[^1], 1e-3);

        var signal = Run(closes, position: new PositionState(10, 105m, Bars.Start));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.Equal("Close 111.00 < EMA(5) 112.20", signal.Reason);
    }

    [Fact]
    public void Long_WithPositiveMomentumAboveEma_Holds()
    {
        var signal = Run(Rising, position: new PositionState(10, 105m, Bars.Start));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.StartsWith("Holding: 5-day return 10% ≥ 0", signal.Reason);
    }

    [Fact]
    public void Long_WithATarget_ExitsAtTheTarget()
    {
        // Average cost 100, target 10%: 110 ≥ 110.
        var signal = Run(Rising, Config with { DefaultTargetPct = 0.10 }, new PositionState(10, 100m, Bars.Start));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.StartsWith("Target reached: close 110.00 ≥ 110.00", signal.Reason);
    }

    [Fact]
    public void ShortHistory_SaysWhatIsMissing()
    {
        var signal = Run([100, 101, 102, 103]);

        Assert.Equal("Not enough history: the 5-day return needs 6 bars, have 4", signal.Reason);
    }
}
