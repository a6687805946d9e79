using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>The double fast path gives what the exact decimal path gives, on the hand-worked cases and on random books.</summary>
public sealed class FastPerformanceTests
{
    private const long Aapl = 1;
    private static readonly DateOnly[] Week = EquityCurveTests.Week;

    internal static void AssertSame(PortfolioPerformanceResult exact, FastPerformanceSummary fast)
    {
        var r = exact.Report;
        var scale = Math.Max(1, Math.Abs((double)r.Returns.EndingEquity));
        Assert.Equal(r.Returns.Days, fast.Days);
        Assert.Equal((double)r.Returns.EndingEquity, fast.EndingEquity, 1e-9 * scale);
        Assert.Equal((double)r.Returns.TotalPnl, fast.TotalPnl, 1e-9 * scale);
        Assert.Equal(r.Returns.TimeWeightedReturn, fast.TimeWeightedReturn, 1e-9);
        AssertClose(r.Returns.AnnualisedReturn, fast.AnnualisedReturn, 1e-7);
        AssertClose(r.Risk.Sharpe, fast.Sharpe, 1e-7);
        AssertClose(r.Risk.Sortino, fast.Sortino, 1e-7);
        Assert.Equal(r.Drawdown.MaxDrawdown, fast.MaxDrawdown, 1e-9);
        var days = exact.Curve.Days;
        Assert.Equal(r.Drawdown.PeakDate, fast.PeakDay < 0 ? null : days[fast.PeakDay]);
        Assert.Equal(r.Drawdown.TroughDate, fast.TroughDay < 0 ? null : days[fast.TroughDay]);
        Assert.Equal(r.Drawdown.RecoveryDate, fast.RecoveryDay < 0 ? null : days[fast.RecoveryDay]);
        Assert.Equal((r.Trades.Trades, r.Trades.Wins, r.Trades.Losses), (fast.Trades, fast.Wins, fast.Losses));
        Assert.Equal((double)r.Trades.GrossProfit, fast.GrossProfit, 1e-9 * scale);
        Assert.Equal((double)r.Trades.GrossLoss, fast.GrossLoss, 1e-9 * scale);
        AssertClose(r.Trades.WinRate, fast.WinRate, 1e-12);
        AssertClose(r.Trades.ProfitFactor, fast.ProfitFactor, 1e-9);
        AssertClose(r.Exposure.TimeInMarket, fast.TimeInMarket, 1e-12);
        AssertClose(r.Exposure.AverageGrossExposure, fast.AverageGrossExposure, 1e-9);
    }

    private static void AssertClose(double? expected, double? actual, double relative)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e) Assert.Equal(e, actual!.Value, relative * Math.Max(1, Math.Abs(e)));
    }

    private static void Check(PriceGrid grid, PortfolioHistory history, MetricsOptions? options = null) =>
        AssertSame(PortfolioPerformance.Run(grid, history, options), FastPerformance.Run(grid, CompiledPortfolio.Compile(grid, history), options));

    [Fact]
    public void FastPath_OnTheFiveDaySeries_MatchesTheExactSharpeSortinoAndDrawdown()
    {
        // the series of PerformanceMetricsTests: +1 %, −2 %, +3 %, 0, +2 % → Sharpe 6.6022…, Sortino 14.1986…, drawdown −2 % Mon → Tue, recovered Wed
        var grid = EquityCurveTests.Grid((Aapl, [101m, 98.98m, 101.9494m, 101.9494m, 103.988388m]));
        var history = new PortfolioHistory(100_000, [], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 1_000, 100)]);
        var fast = FastPerformance.Run(grid, CompiledPortfolio.Compile(grid, history));
        Assert.Equal(0.008 / Math.Sqrt(0.00037) * Math.Sqrt(252), fast.Sharpe!.Value, 1e-9);
        Assert.Equal(0.008 / Math.Sqrt(0.00008) * Math.Sqrt(252), fast.Sortino!.Value, 1e-9);
        Assert.Equal((0, 1, 2), (fast.PeakDay, fast.TroughDay, fast.RecoveryDay));
        Check(grid, history, new MetricsOptions(0.001, 0.002));
    }

    [Fact]
    public void FastPath_OnTheHandWorkedEdgeCases_MatchesTheExactPath()
    {
        var week = EquityCurveTests.Grid((Aapl, [100m, 110m, 110m, 99m]));
        // deposit mid-way (TWR 4.5 %, P&L −100)
        Check(week, new PortfolioHistory(10_000, [new CashFlow(Week[2], 11_000)], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 100, 100)]));
        // equity reaching zero, then a deposit
        Check(EquityCurveTests.Grid((Aapl, [0m, 0m, 0m])), new PortfolioHistory(1_000, [new CashFlow(Week[2], 500)], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)]));
        // a short losing more than the equity
        Check(EquityCurveTests.Grid((Aapl, [40m, 40m])), new PortfolioHistory(100, [], [EquityCurveTests.Fill(Week[0], OrderSide.Sell, 10, 10)]));
        // no days, one day, all cash
        Check(new PriceGrid([], [], []), new PortfolioHistory(1_000, [], []));
        Check(EquityCurveTests.Grid((Aapl, [102m])), new PortfolioHistory(1_000, [], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)]));
        Check(week, new PortfolioHistory(1_000, [], []));
        // FIFO across lots, a flip through zero and a split, with fees
        Check(EquityCurveTests.Grid((Aapl, [100m, 112m, 55m, 54m, 50m])), new PortfolioHistory(10_000, [],
        [
            EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100, 1),
            EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 110, 1),
            EquityCurveTests.Fill(Week[1], OrderSide.Sell, 25, 112, 2.5m),
            EquityCurveTests.Fill(Week[3], OrderSide.Buy, 4, 54, 1),
            EquityCurveTests.Fill(Week[4], OrderSide.Buy, 6, 50, 1),
        ], [new Split(Aapl, Week[2], 2)]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FastPath_OnRandomBooks_MatchesTheExactPath(int seed)
    {
        var (grid, portfolios) = PortfolioPerformanceTests.RandomBook(portfolios: 25, days: 120, instruments: 5, seed);
        foreach (var history in portfolios) Check(grid, history, new MetricsOptions(0.0001));

        var many = FastPerformance.RunMany(grid, portfolios, maxDegreeOfParallelism: 2);
        for (var i = 0; i < portfolios.Length; i++) AssertSame(PortfolioPerformance.Run(grid, portfolios[i]), many[i]);
    }

    [Fact]
    public void FastPath_RefusesAPortfolioCompiledAgainstAnotherGrid()
    {
        var history = new PortfolioHistory(1_000, [], []);
        var compiled = CompiledPortfolio.Compile(EquityCurveTests.Grid((Aapl, [1m])), history);
        Assert.Throws<ArgumentException>(() => FastPerformance.Run(EquityCurveTests.Grid((Aapl, [1m])), compiled));
    }
}
