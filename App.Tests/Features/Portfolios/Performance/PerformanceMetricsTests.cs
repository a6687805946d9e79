using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>Metrics worked by hand. Flows arrive at the end of their day; 252 trading days a year.</summary>
public sealed class PerformanceMetricsTests
{
    private const long Aapl = 1;
    private static readonly DateOnly[] Week = EquityCurveTests.Week;

    private static double Value(double? x)
    {
        Assert.NotNull(x);
        return x.Value;
    }

    /// <summary>
    /// 100,000 all in 1,000 shares bought at 100 on Monday; closes 101, 98.98, 101.9494, 101.9494, 103.988388 give the
    /// daily returns +1 %, −2 %, +3 %, 0 %, +2 %.
    /// </summary>
    private static EquityCurve FiveDayCurve() =>
        EquityCurve.Build(EquityCurveTests.Grid((Aapl, [101m, 98.98m, 101.9494m, 101.9494m, 103.988388m])), 100_000, [],
            [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 1_000, 100)]);

    [Fact]
    public void DailyReturns_OfAFullyInvestedCurve_AreThePriceReturns()
    {
        // equity 101,000 / 100,000 − 1 = 0.01; 98,980 / 101,000 − 1 = −0.02; 101,949.4 / 98,980 − 1 = 0.03; 0; 103,988.388 / 101,949.4 − 1 = 0.02
        var returns = PerformanceMetrics.DailyReturns(FiveDayCurve());
        double[] expected = [0.01, -0.02, 0.03, 0.0, 0.02];
        for (var t = 0; t < 5; t++) Assert.Equal(expected[t], returns[t], 1e-15);
    }

    [Fact]
    public void SharpeAndSortino_OnAFiveDaySeries_MatchTheHandComputation()
    {
        // r = 0.01, −0.02, 0.03, 0, 0.02; mean = 0.04 / 5 = 0.008
        // deviations 0.002, −0.028, 0.022, −0.008, 0.012; squares (×1e-6) 4 + 784 + 484 + 64 + 144 = 1,480
        // sample variance = 0.00148 / 4 = 0.00037 → s = 0.019235…
        // Sharpe = 0.008 / √0.00037 × √252 = 6.6022…
        // downside (target 0): only −0.02 → Σ min(0, r)² = 0.0004; / n = 5 → 0.00008 → DD = 0.0089443
        // Sortino = 0.008 / √0.00008 × √252 = 14.1986…
        // with rf = 0.001 a day: Sharpe = 0.007 / √0.00037 × √252 = 5.7769…, Sortino = 0.007 / √0.00008 × √252
        var report = PerformanceMetrics.Compute(FiveDayCurve(), []);
        Assert.Equal(0.008 / Math.Sqrt(0.00037) * Math.Sqrt(252), Value(report.Risk.Sharpe), 1e-9);
        Assert.Equal(6.6022109, Value(report.Risk.Sharpe), 1e-6);
        Assert.Equal(0.008 / Math.Sqrt(0.00008) * Math.Sqrt(252), Value(report.Risk.Sortino), 1e-9);
        Assert.Equal(14.1985915, Value(report.Risk.Sortino), 1e-6);
        Assert.Equal(Math.Sqrt(0.00037) * Math.Sqrt(252), Value(report.Risk.AnnualisedVolatility), 1e-12);
        Assert.Equal(Math.Sqrt(0.00008) * Math.Sqrt(252), Value(report.Risk.DownsideDeviation), 1e-12);

        var withRiskFree = PerformanceMetrics.Compute(FiveDayCurve(), [], new MetricsOptions(RiskFreeDailyRate: 0.001));
        Assert.Equal(0.007 / Math.Sqrt(0.00037) * Math.Sqrt(252), Value(withRiskFree.Risk.Sharpe), 1e-9);
        Assert.Equal(0.007 / Math.Sqrt(0.00008) * Math.Sqrt(252), Value(withRiskFree.Risk.Sortino), 1e-9);
    }

    [Fact]
    public void Sortino_WithATarget_CountsDaysBelowTheTargetAsDownside()
    {
        // target 0.01: shortfalls 0, −0.03, 0, −0.01, 0 → (0.0009 + 0.0001) / 5 = 0.0002 → DD = √0.0002
        // Sortino = 0.008 / √0.0002 × √252
        double[] r = [0.01, -0.02, 0.03, 0.0, 0.02];
        Assert.Equal(0.008 / Math.Sqrt(0.0002) * Math.Sqrt(252), Value(PerformanceMetrics.Sortino(r, 0, 0.01)), 1e-9);
    }

    [Fact]
    public void Returns_OfTheFiveDaySeries_ChainAndAnnualiseOver252Days()
    {
        // TWR = 1.01 × 0.98 × 1.03 × 1.00 × 1.02 − 1 = 0.03988388; total P&L 3,988.388 on 100,000
        // annualised = 1.03988388^(252/5) − 1
        var report = PerformanceMetrics.Compute(FiveDayCurve(), []);
        Assert.Equal(0.03988388, report.Returns.TimeWeightedReturn, 1e-12);
        Assert.Equal(3_988.388m, report.Returns.TotalPnl);
        Assert.Equal(0.03988388, Value(report.Returns.TotalPnlPercent), 1e-15);
        Assert.Equal(Math.Pow(1.03988388, 252.0 / 5) - 1, Value(report.Returns.AnnualisedReturn), 1e-9);
        Assert.Equal(5, report.Returns.Days);
    }

    [Fact]
    public void Twr_WithADepositMidway_IgnoresTheDepositWhereSimpleReturnDoesNot()
    {
        // start 10,000, all in 100 shares @ 100 on Monday (close 100) → equity 10,000, r = 0
        // Tue: close 110 → 11,000, r = 11,000 / 10,000 − 1 = +10 %
        // Wed: deposit 11,000 at the close; close 110 → 22,000, r = (22,000 − 11,000) / 11,000 − 1 = 0 (P&L 0)
        // Thu: close 99 → 9,900 + 11,000 cash = 20,900, r = 20,900 / 22,000 − 1 = −5 %
        // TWR = 1.10 × 0.95 − 1 = +4.5 %
        // simple return 20,900 / 10,000 − 1 = +109 % counts the deposit as a gain;
        // total P&L = 20,900 − 10,000 − 11,000 = −100 (the loss fell on the larger, later capital); −100 / 21,000 contributed
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [100m, 110m, 110m, 99m])), 10_000, [new CashFlow(Week[2], 11_000)],
            [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 100, 100)]);
        var report = PerformanceMetrics.Compute(curve, []);

        Assert.Equal([0.0, 0.10, 0.0, -0.05], report.Returns.DailyReturns.Select(r => Math.Round(r, 12)));
        Assert.Equal(0.045, report.Returns.TimeWeightedReturn, 1e-12);
        Assert.Equal(1.09, (double)(curve.EndingEquity / curve.StartingCash) - 1, 1e-12);
        Assert.Equal(-100m, report.Returns.TotalPnl);
        Assert.Equal(11_000m, report.Returns.NetExternalFlows);
        Assert.Equal(21_000m, report.Returns.ContributedCapital);
        Assert.Equal(-100.0 / 21_000, Value(report.Returns.TotalPnlPercent), 1e-15);
    }

    [Fact]
    public void Twr_FirstDayWithNoStartingCash_TakesThatDaysDepositAsItsBase()
    {
        // start 0; Mon: deposit 1,000 and buy 10 @ 100, close 101 → equity 1,010, P&L 10
        // no capital at Monday's open, so the flow counts at the start: r = 10 / (0 + 1,000) = 1 %
        // Tue: close 99 → 990, r = 990 / 1,010 − 1
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [101m, 99m])), 0, [new CashFlow(Week[0], 1_000)],
            [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)]);
        var returns = PerformanceMetrics.DailyReturns(curve);
        Assert.Equal(0.01, returns[0], 1e-15);
        Assert.Equal(990.0 / 1010 - 1, returns[1], 1e-15);
    }

    [Fact]
    public void Drawdown_WithRecovery_ReportsPeakTroughAndRecoveryDates()
    {
        // wealth 1.01 (Mon, peak), 0.9898 (Tue, −2 %), 1.019494 (Wed, above the peak: recovered), 1.019494, 1.03988388
        var report = PerformanceMetrics.Compute(FiveDayCurve(), []);
        var dd = report.Drawdown;
        Assert.Equal(-0.02, dd.MaxDrawdown, 1e-12);
        Assert.Equal(Week[0], dd.PeakDate);
        Assert.Equal(Week[1], dd.TroughDate);
        Assert.Equal(Week[2], dd.RecoveryDate);
        Assert.Equal([0.0, -0.02, 0.0, 0.0, 0.0], dd.Series.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Drawdown_WithoutRecovery_HasNoRecoveryDate()
    {
        // r = +10 %, −20 %, +10 %, −5 % → wealth 1.1 (peak), 0.88, 0.968, 0.9196
        // drawdowns 0, 0.88/1.1 − 1 = −20 %, 0.968/1.1 − 1 = −12 %, 0.9196/1.1 − 1 = −16.4 %
        var dd = PerformanceMetrics.Drawdown(Week[..4], [0.10, -0.20, 0.10, -0.05]);
        Assert.Equal(-0.20, dd.MaxDrawdown, 1e-12);
        Assert.Equal(Week[0], dd.PeakDate);
        Assert.Equal(Week[1], dd.TroughDate);
        Assert.Null(dd.RecoveryDate);
        Assert.Equal([0.0, -0.20, -0.12, -0.164], dd.Series.Select(x => Math.Round(x, 12)));
    }

    [Fact]
    public void Drawdown_FromTheStartingCapital_HasNoPeakDate()
    {
        // r = −10 %, +20 %: wealth 0.9 then 1.08; the peak is the starting capital (before Monday), recovered Tuesday
        var dd = PerformanceMetrics.Drawdown(Week[..2], [-0.10, 0.20]);
        Assert.Equal(-0.10, dd.MaxDrawdown, 1e-12);
        Assert.Null(dd.PeakDate);
        Assert.Equal(Week[0], dd.TroughDate);
        Assert.Equal(Week[1], dd.RecoveryDate);
    }

    [Fact]
    public void Drawdown_BackToExactlyThePeakEquity_CountsAsRecovered()
    {
        // equity 100 → 90 → 100: r = −10 %, then 100/90 − 1; 0.9 × 1.111… may round just below 1
        var dd = PerformanceMetrics.Drawdown(Week[..2], [-0.1, 100.0 / 90 - 1]);
        Assert.Equal(Week[1], dd.RecoveryDate);
        Assert.Equal(0.0, dd.Series[1]);
    }

    [Fact]
    public void Drawdown_AWithdrawalIsNotADrawdown()
    {
        // 10,000 cash, withdraw 5,000 on Tuesday: equity halves but P&L and every return are 0 → no drawdown
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [100m, 100m, 100m])), 10_000, [new CashFlow(Week[1], -5_000)], []);
        var report = PerformanceMetrics.Compute(curve, []);
        Assert.Equal(0.0, report.Drawdown.MaxDrawdown);
        Assert.Null(report.Drawdown.TroughDate);
        Assert.Equal(0.0, report.Returns.TimeWeightedReturn);
    }

    [Fact]
    public void EquityReachingZero_IsMinusOneHundredPercentForGood()
    {
        // start 1,000, buy 10 @ 100 (cash 0); Mon close 0 → equity 0, r = −100 %
        // Tue: no capital at the open, no flow → r = 0; Wed: deposit 500 at the close (end-of-day flow, base 0 + 500) → r = 0
        // TWR stays −100 %, annualised −100 %, drawdown −100 % never recovered; nothing is NaN or infinite
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [0m, 0m, 0m])), 1_000, [new CashFlow(Week[2], 500)],
            [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)]);
        var report = PerformanceMetrics.Compute(curve, []);

        Assert.Equal([-1.0, 0.0, 0.0], report.Returns.DailyReturns);
        Assert.Equal(-1.0, report.Returns.TimeWeightedReturn);
        Assert.Equal(-1.0, report.Returns.AnnualisedReturn);
        Assert.Equal(-1.0, report.Drawdown.MaxDrawdown);
        Assert.Null(report.Drawdown.RecoveryDate);
        Assert.Equal(-1_000m, report.Returns.TotalPnl);
        Assert.All([report.Risk.Sharpe, report.Risk.Sortino, report.Exposure.AverageGrossExposure], x => Assert.True(x is null || double.IsFinite(x.Value)));
    }

    [Fact]
    public void ShortLosingMoreThanTheEquity_IsClampedAtMinusOneHundredPercent()
    {
        // start 100, short 10 @ 10 (cash 200); close 40 → short MV −400, equity −200, P&L −300 → r = −3 clamped to −1
        // Tue: equity −200 at the open: no positive base → r = 0
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [40m, 40m])), 100, [], [EquityCurveTests.Fill(Week[0], OrderSide.Sell, 10, 10)]);
        var report = PerformanceMetrics.Compute(curve, []);
        Assert.Equal([-1.0, 0.0], report.Returns.DailyReturns);
        Assert.Equal(-1.0, report.Returns.TimeWeightedReturn);
        Assert.Null(report.Exposure.AverageGrossExposure); // no day with positive equity
    }

    [Fact]
    public void EmptyCurve_GivesZeroReturnAndNoRatios()
    {
        var report = PerformanceMetrics.Compute(EquityCurve.Build(new PriceGrid([], [], []), 1_000, [], []), []);
        Assert.Equal(0, report.Returns.Days);
        Assert.Equal(0.0, report.Returns.TimeWeightedReturn);
        Assert.Null(report.Returns.AnnualisedReturn);
        Assert.Equal(0m, report.Returns.TotalPnl);
        Assert.Null(report.Risk.Sharpe);
        Assert.Null(report.Risk.Sortino);
        Assert.Null(report.Risk.AnnualisedVolatility);
        Assert.Equal(0.0, report.Drawdown.MaxDrawdown);
        Assert.Empty(report.Drawdown.Series);
        Assert.Null(report.Exposure.TimeInMarket);
        Assert.Null(report.Trades.WinRate);
    }

    [Fact]
    public void OneDay_HasAReturnButNoVolatilityRatios()
    {
        // start 1,000, buy 10 @ 100, close 102 → r = 20 / 1,000 = 2 %; annualised 1.02^252 − 1; one return has no sample sd
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [102m])), 1_000, [], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)]);
        var report = PerformanceMetrics.Compute(curve, []);
        Assert.Equal(0.02, report.Returns.TimeWeightedReturn, 1e-15);
        Assert.Equal(Math.Pow(1.02, 252) - 1, Value(report.Returns.AnnualisedReturn), 1e-6);
        Assert.Null(report.Risk.Sharpe);
        Assert.Null(report.Risk.Sortino);
    }

    [Fact]
    public void ZeroVolatility_GivesNullRatiosNotInfinity()
    {
        // all cash: every return 0 → sd 0 → Sharpe null; no day below 0 → Sortino null
        var cash = PerformanceMetrics.Compute(EquityCurve.Build(EquityCurveTests.Grid((Aapl, [1m, 1m, 1m, 1m, 1m])), 1_000, [], []), []);
        Assert.Null(cash.Risk.Sharpe);
        Assert.Null(cash.Risk.Sortino);
        Assert.Equal(0.0, cash.Risk.AnnualisedVolatility);
        // a constant +1 % a day: the sample sd is 0 up to rounding → still null
        Assert.Null(PerformanceMetrics.Sharpe([0.01, 0.01, 0.01, 0.01]));
        Assert.Null(PerformanceMetrics.Sortino([0.01, 0.01, 0.01, 0.01]));
    }

    [Fact]
    public void Trades_WinRateAndProfitFactor_FromClosedTrades()
    {
        // P&L +100, −50, +30, 0, −25 → 5 trades, 2 wins, 2 losses (0 is neither), win rate 2/5 = 40 %
        // gross profit 130, gross loss −75, profit factor 130 / 75 = 1.7333…, average win 65, average loss −37.5
        var at = new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero);
        var trades = new[] { 100m, -50m, 30m, 0m, -25m }.Select((pnl, i) => new ClosedTrade(Aapl, i + 1, null, at, PositionSide.Long, 1, pnl)).ToList();
        var stats = PerformanceMetrics.Trades(trades);
        Assert.Equal((5, 2, 2), (stats.Trades, stats.Wins, stats.Losses));
        Assert.Equal(0.4, Value(stats.WinRate), 1e-15);
        Assert.Equal((130m, -75m), (stats.GrossProfit, stats.GrossLoss));
        Assert.Equal(130.0 / 75, Value(stats.ProfitFactor), 1e-15);
        Assert.Equal(65m, stats.AverageWin);
        Assert.Equal(-37.5m, stats.AverageLoss);
    }

    [Fact]
    public void Trades_WithoutLosses_HaveNoProfitFactor_AndWithoutTradesNoWinRate()
    {
        var at = new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero);
        var stats = PerformanceMetrics.Trades([new ClosedTrade(Aapl, 1, null, at, PositionSide.Long, 1, 10m)]);
        Assert.Null(stats.ProfitFactor);
        Assert.Null(stats.AverageLoss);
        Assert.Equal(1.0, stats.WinRate);

        var none = PerformanceMetrics.Trades([]);
        Assert.Equal(0, none.Trades);
        Assert.Null(none.WinRate);
        Assert.Null(none.AverageWin);
    }

    [Fact]
    public void Trades_FromTheLotBook_GroupPiecesByClosingFill()
    {
        // buy 10 @ 100, buy 10 @ 110; sell 15 @ 120 → one trade of two pieces: 200 + 50 = 250; sell 5 @ 100 → −50
        // 2 trades, 1 win, win rate 50 %, profit factor 250 / 50 = 5
        var book = new LotBook();
        var day = new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero);
        book.Apply(new Fill(Aapl, OrderSide.Buy, 10, 100, 0, day));
        book.Apply(new Fill(Aapl, OrderSide.Buy, 10, 110, 0, day.AddDays(1)));
        book.Apply(new Fill(Aapl, OrderSide.Sell, 15, 120, 0, day.AddDays(2)));
        book.Apply(new Fill(Aapl, OrderSide.Sell, 5, 100, 0, day.AddDays(3)));
        var stats = PerformanceMetrics.Trades(book.ClosedTrades);
        Assert.Equal((2, 1, 1), (stats.Trades, stats.Wins, stats.Losses));
        Assert.Equal(0.5, stats.WinRate);
        Assert.Equal(5.0, stats.ProfitFactor);
    }

    [Fact]
    public void Exposure_IsShareOfDaysInTheMarketAndMeanGrossOverEquity()
    {
        // start 1,000; Mon flat (gross 0 / 1,000 = 0)
        // Tue buy 5 @ 100, close 100 → gross 500 / equity 1,000 = 0.5
        // Wed close 120 → gross 600 / equity 1,100 = 0.5454…
        // Thu sell 5 @ 120 → flat, 0 / 1,100 = 0
        // time in market 2/4 = 0.5; average gross exposure (0 + 0.5 + 0.5454… + 0) / 4 = 0.26136…
        var curve = EquityCurve.Build(EquityCurveTests.Grid((Aapl, [100m, 100m, 120m, 120m])), 1_000, [],
            [EquityCurveTests.Fill(Week[1], OrderSide.Buy, 5, 100), EquityCurveTests.Fill(Week[3], OrderSide.Sell, 5, 120)]);
        var exposure = PerformanceMetrics.Compute(curve, []).Exposure;
        Assert.Equal(0.5, exposure.TimeInMarket);
        Assert.Equal((0.5 + 600.0 / 1_100) / 4, Value(exposure.AverageGrossExposure), 1e-15);
    }

    [Fact]
    public void DailyRateFromAnnual_CompoundsBackToTheAnnualRate()
    {
        var daily = PerformanceMetrics.DailyRateFromAnnual(0.05);
        Assert.Equal(1.05, Math.Pow(1 + daily, 252), 1e-12);
    }
}
