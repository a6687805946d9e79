using Signalbook.Features.Indicators;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

public sealed class DcaStrategyTests
{
    private static readonly DcaConfig Config = new() { OrderNotional = 1000m, IntervalTradingDays = 5, Filters = Bars.NoFilters };

    /// <summary>Closes 100, 101, … on weekdays from Monday 2024-01-01.</summary>
    private static DailyBars Rising(int count) => Bars.FromCloses(Enumerable.Range(0, count).Select(i => 100.0 + i).ToArray());

    [Fact]
    public void FirstEvaluation_Buys_WholeSharesOfTheNotional()
    {
        // Close 109: 1000 / 109 = 9.17 → 9 shares, 981.
        var signal = DcaStrategy.Evaluate(Config, new StrategyInput(Rising(10), cash: 5000m));

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal(9m, signal.Quantity);
        Assert.Equal(981m, signal.Notional);
        Assert.Equal("DCA buy due (first buy): buy 9 at 109.00 for 1000", signal.Reason);
    }

    [Fact]
    public void EveryNTradingDays_WaitsUntilNBarsHavePassed()
    {
        var bars = Rising(10);
        // Last signal on bar 6 (2024-01-09): bars 7, 8, 9 since → 3 of 5.
        var waiting = DcaStrategy.Evaluate(Config, new StrategyInput(bars, cash: 5000m, lastSignalDate: bars.Dates[6]));
        // Last signal on bar 4: bars 5..9 → 5 of 5.
        var due = DcaStrategy.Evaluate(Config, new StrategyInput(bars, cash: 5000m, lastSignalDate: bars.Dates[4]));

        Assert.Equal(SignalAction.None, waiting.Action);
        Assert.Equal("DCA: 3 of 5 trading days since 2024-01-09", waiting.Reason);
        Assert.Equal(SignalAction.Buy, due.Action);
        Assert.StartsWith("DCA buy due: 5 trading days since 2024-01-05 (every 5)", due.Reason);
    }

    [Fact]
    public void Weekly_BuysOnTheFirstTradingDayOfANewWeek()
    {
        var bars = Rising(10); // Mon 1 Jan … Fri 12 Jan
        var config = Config with { Interval = DcaInterval.Weekly };
        // t = Monday 8 Jan (index 5); last signal Friday 5 Jan: new ISO week.
        var monday = DcaStrategy.Evaluate(config, new StrategyInput(bars, cash: 5000m, lastSignalDate: bars.Dates[4], evaluationIndex: 5));
        // t = Wednesday 10 Jan; last signal Monday 8 Jan: same week.
        var wednesday = DcaStrategy.Evaluate(config, new StrategyInput(bars, cash: 5000m, lastSignalDate: bars.Dates[5], evaluationIndex: 7));

        Assert.Equal(SignalAction.Buy, monday.Action);
        Assert.StartsWith("Weekly DCA buy due (week 2024-W02; last signal 2024-01-05)", monday.Reason);
        Assert.Equal(SignalAction.None, wednesday.Action);
        Assert.Equal("Weekly DCA: already signalled this week on 2024-01-08", wednesday.Reason);
    }

    [Fact]
    public void Monthly_BuysOnceACalendarMonth()
    {
        var bars = Bars.FromCloses(Enumerable.Range(0, 30).Select(i => 100.0 + i).ToArray()); // 1 Jan … 9 Feb
        var config = Config with { Interval = DcaInterval.Monthly };
        var feb1 = Array.IndexOf(bars.Dates, new DateOnly(2024, 2, 1));

        var newMonth = DcaStrategy.Evaluate(config, new StrategyInput(bars, cash: 5000m, lastSignalDate: new DateOnly(2024, 1, 2), evaluationIndex: feb1));
        var sameMonth = DcaStrategy.Evaluate(config, new StrategyInput(bars, cash: 5000m, lastSignalDate: new DateOnly(2024, 2, 1), evaluationIndex: feb1 + 1));

        Assert.Equal(SignalAction.Buy, newMonth.Action);
        Assert.Equal(SignalAction.None, sameMonth.Action);
        Assert.Equal("Monthly DCA: already signalled this month on 2024-02-01", sameMonth.Reason);
    }

    [Fact]
    public void OnlyBelowAverage_WaitsForACloseBelowTheSma()
    {
        var config = Config with { OnlyBelowAverage = true, AveragePeriod = 5 };
        // Rising closes: 105 against SMA(5) of 101..105 = 103.
        var above = DcaStrategy.Evaluate(config, new StrategyInput(Rising(6), cash: 5000m));
        // 100, 101, 102, 103, 104, then 98: SMA(5) = (101 + 102 + 103 + 104 + 98) / 5 = 101.6.
        double[] dip = [100, 101, 102, 103, 104, 98];
        Assert.Equal(101.6, Kernels.Sma(dip, 5)[5], 1e-9);
        var below = DcaStrategy.Evaluate(config, new StrategyInput(Bars.FromCloses(dip), cash: 5000m));

        Assert.Equal(SignalAction.None, above.Action);
        Assert.Equal("DCA buy due (first buy), but close 105.00 ≥ SMA(5) 103.00: waiting for a close below it", above.Reason);
        Assert.Equal(SignalAction.Buy, below.Action);
        Assert.Equal("DCA buy due (first buy) and close 98.00 < SMA(5) 101.60: buy 10 at 98.00 for 1000", below.Reason);
    }

    [Fact]
    public void LittleCash_CutsTheBuy_AndNoCashBuysNothing()
    {
        // Close 109 and 500 of cash: 4 shares.
        var cut = DcaStrategy.Evaluate(Config, new StrategyInput(Rising(10), cash: 500m));
        var none = DcaStrategy.Evaluate(Config, new StrategyInput(Rising(10), cash: 50m));

        Assert.Equal(4m, cut.Quantity);
        Assert.EndsWith("(cut from 1000 to the cash available)", cut.Reason);
        Assert.Equal(SignalAction.None, none.Action);
        Assert.Equal("DCA buy due (first buy), but cash 50 buys no whole share at 109.00", none.Reason);
    }

    [Fact]
    public void FractionalShares_WhenWholeSharesIsOff()
    {
        var signal = DcaStrategy.Evaluate(Config with { WholeShares = false }, new StrategyInput(Rising(10), cash: 5000m));

        Assert.Equal(9.174311m, signal.Quantity); // 1000 / 109 to six decimals, rounded down
    }

    [Fact]
    public void NeverSells_WithoutATakeProfit_EvenFarInProfit()
    {
        var bars = Rising(10);
        var signal = DcaStrategy.Evaluate(Config, new StrategyInput(bars, new PositionState(50, 50m, Bars.Start), 5000m, lastSignalDate: bars.Dates[8]));

        Assert.Equal(SignalAction.None, signal.Action);
    }

    [Fact]
    public void TakeProfit_ExitsTheWholePosition()
    {
        // Average cost 90, take profit 20%: 108 ≤ close 109.
        var bars = Rising(10);
        var signal = DcaStrategy.Evaluate(Config with { TakeProfitPct = 0.20 },
            new StrategyInput(bars, new PositionState(50, 90m, Bars.Start), 5000m, lastSignalDate: bars.Dates[8]));

        Assert.Equal(SignalAction.Exit, signal.Action);
        Assert.Equal("Target reached: close 109.00 ≥ 108.00 (average cost 90.00 + 20%)", signal.Reason);
    }
}
