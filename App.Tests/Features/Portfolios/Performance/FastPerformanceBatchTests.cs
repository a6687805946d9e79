using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>
/// The batch path (<see cref="PortfolioBatch"/>, <see cref="FastPerformance.RunBatch(PriceGrid, PortfolioBatch, MetricsOptions?, int)"/>)
/// gives what the exact decimal path gives, to the tolerances <see cref="FastPerformanceTests"/> holds the fast path to.
/// </summary>
public sealed class FastPerformanceBatchTests
{
    private const long Aapl = 1;
    private const long Msft = 2;
    private static readonly DateOnly[] Week = EquityCurveTests.Week;

    private static void Check(PriceGrid grid, PortfolioHistory[] histories, MetricsOptions? options = null)
    {
        var batch = FastPerformance.RunBatch(grid, histories, options);
        Assert.Equal(histories.Length, batch.Length);
        for (var p = 0; p < histories.Length; p++) FastPerformanceTests.AssertSame(PortfolioPerformance.Run(grid, histories[p], options), batch[p]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RunBatch_OnRandomBooks_MatchesTheExactPath(int seed)
    {
        var (grid, portfolios) = PortfolioPerformanceTests.RandomBook(portfolios: 30, days: 150, instruments: 6, seed);
        Check(grid, portfolios, new MetricsOptions(0.0001, 0.0002));
        Check(grid, portfolios);
    }

    [Fact]
    public void RunBatch_OnTheHandWorkedEdgeCases_MatchesTheExactPath()
    {
        var week = EquityCurveTests.Grid((Aapl, [100m, 110m, 110m, 99m]));
        Check(week, [new PortfolioHistory(10_000, [new CashFlow(Week[2], 11_000)], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 100, 100)])]);
        Check(EquityCurveTests.Grid((Aapl, [0m, 0m, 0m])), [new PortfolioHistory(1_000, [new CashFlow(Week[2], 500)], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)])]);
        Check(EquityCurveTests.Grid((Aapl, [40m, 40m])), [new PortfolioHistory(100, [], [EquityCurveTests.Fill(Week[0], OrderSide.Sell, 10, 10)])]);
        Check(new PriceGrid([], [], []), [new PortfolioHistory(1_000, [], [])]);
        Check(EquityCurveTests.Grid((Aapl, [102m])), [new PortfolioHistory(1_000, [], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100)])]);
        Check(week, [new PortfolioHistory(1_000, [], [])]);
        Check(EquityCurveTests.Grid((Aapl, [100m, 112m, 55m, 54m, 50m])), [new PortfolioHistory(10_000, [],
        [
            EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 100, 1),
            EquityCurveTests.Fill(Week[0], OrderSide.Buy, 10, 110, 1),
            EquityCurveTests.Fill(Week[1], OrderSide.Sell, 25, 112, 2.5m),
            EquityCurveTests.Fill(Week[3], OrderSide.Buy, 4, 54, 1),
            EquityCurveTests.Fill(Week[4], OrderSide.Buy, 6, 50, 1),
        ], [new Split(Aapl, Week[2], 2)])]);
    }

    [Theory]
    // Two troughs of exactly −20 % (0.8 × 1.25 = 1 in doubles): the first is the deepest, wherever the vector lanes fall.
    [InlineData("100 100 100 100 100 80 100 100 80 100 100 100 100", -1, 5, 6, -0.2)]
    [InlineData("100 80 100 80 100 80 100 80 100 80 100", -1, 1, 2, -0.2)]
    // A new peak, a shallow dip, then a deeper one later, never recovered.
    [InlineData("100 125 120 125 125 125 125 100 110 115", 1, 7, -1, -0.2)]
    // Days a hair below the peak (1e-14 relative, inside the 1e-12 tolerance) are not a drawdown: there is none.
    [InlineData("100 101 101 100.99999999999899 101 100.99999999999899 101 101 100.99999999999899", -1, -1, -1, 0.0)]
    public void RunBatch_FindsTheDeepestDrawdown_ItsPeakAndRecovery_AsTheExactPathDoes(string series, int peakDay, int troughDay, int recoveryDay, double max)
    {
        var closes = series.Split(' ').Select(c => decimal.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var days = Enumerable.Range(0, closes.Length).Select(d => new DateOnly(2025, 1, 1).AddDays(d)).ToArray();
        var grid = new PriceGrid(days, [Aapl], [[.. closes.Select(c => (decimal?)c)]]);
        // All in at the first close, no fees: the equity is 100 shares × the close.
        PortfolioHistory[] books = [new PortfolioHistory(10_000, [], [EquityCurveTests.Fill(days[0], OrderSide.Buy, 100, closes[0])])];
        var fast = Assert.Single(FastPerformance.RunBatch(grid, books));
        Assert.Equal((peakDay, troughDay, recoveryDay), (fast.PeakDay, fast.TroughDay, fast.RecoveryDay));
        Assert.Equal(max, fast.MaxDrawdown, 1e-12);
        Check(grid, books);
    }

    [Fact]
    public void RunBatch_InstrumentsOffTheGrid_MissingFirstCloses_AndEventsOffTheDays_MatchTheExactPath()
    {
        // Msft has no closes (marked at its last fill price, split included); Aapl's first close is missing; a split of an
        // instrument not held yet; a weekend fill and flow counting on Monday; a fill and a flow after the last day.
        var grid = EquityCurveTests.Grid((Aapl, [null, null, 101m, 99m, 104m]), (3, [20m, 21m, 22m, 23m, 24m]));
        var weekend = new DateTimeOffset(2025, 1, 5, 12, 0, 0, TimeSpan.Zero);
        var history = new PortfolioHistory(5_000,
            [new CashFlow(new DateOnly(2025, 1, 4), 1_000), new CashFlow(Week[3], -700), new CashFlow(new DateOnly(2025, 1, 12), 50)],
            [
                new Fill(Aapl, OrderSide.Buy, 10, 100, 1, weekend),
                EquityCurveTests.Fill(Week[0], OrderSide.Buy, 5, 300, 1, instrument: Msft),
                EquityCurveTests.Fill(Week[1], OrderSide.Sell, 3, 310, 1, instrument: Msft),
                EquityCurveTests.Fill(Week[2], OrderSide.Sell, 4, 102, 0.5m),
                EquityCurveTests.Fill(Week[3], OrderSide.Sell, 20, 23, 0, instrument: 3),
                new Fill(Aapl, OrderSide.Sell, 6, 104, 0, new DateTimeOffset(2025, 1, 13, 15, 0, 0, TimeSpan.Zero)),
            ],
            [new Split(3, Week[1], 3), new Split(Msft, Week[2], 2)]);
        Check(grid, [history, history with { Splits = null }]);
    }

    [Fact]
    public void RunBatch_FromColumnsAndRawCloses_InParallel_GivesTheSameAsFromHistories()
    {
        var (grid, portfolios) = PortfolioPerformanceTests.RandomBook(portfolios: 40, days: 100, instruments: 5, seed: 9);
        var expected = FastPerformance.RunBatch(grid, portfolios);

        // The same books as columns: day indices and grid rows, as a caller that has them would give.
        var days = grid.Days.ToList();
        var columns = new PortfolioBatch(grid.DayCount);
        foreach (var h in portfolios)
        {
            columns.AddPortfolio((double)h.StartingCash);
            var splits = h.Splits ?? [];
            int x = 0, s = 0;
            while (x < h.Fills.Length || s < splits.Length)
            {
                if (s < splits.Length && (x >= h.Fills.Length || splits[s].Date <= h.Fills[x].Date))
                {
                    columns.AddSplit(days.IndexOf(splits[s].Date), grid.IndexOf(splits[s].InstrumentId), (double)splits[s].Ratio);
                    s++;
                    continue;
                }
                var f = h.Fills[x++];
                columns.AddFill(days.IndexOf(f.Date), grid.IndexOf(f.InstrumentId), (double)(f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity), (double)f.Price, (double)f.Fees);
            }
            foreach (var flow in h.Flows) columns.AddFlow(days.IndexOf(flow.Date), (double)flow.Amount);
        }
        var coin = new Random(3);
        var raw = new double[grid.InstrumentIds.Count * grid.DayCount];
        for (var r = 0; r < grid.InstrumentIds.Count; r++)
        {
            for (var t = 0; t < grid.DayCount; t++)
            {
                // Only the closes that were given: a carried-forward mark is missing (NaN) in the raw matrix.
                var known = grid.TryGetMark(grid.InstrumentIds[r], t, out var mark);
                var carried = t > 0 && grid.TryGetMark(grid.InstrumentIds[r], t - 1, out var before) && before == mark;
                raw[r * grid.DayCount + t] = known && !(carried && coin.Next(2) == 0) ? (double)mark : double.NaN;
            }
        }

        Assert.Equal(expected, FastPerformance.RunBatch(grid, columns));

        // The same columns in one call (what a caller holding arrays does), also with a fill and a flow after the last day.
        var fillStart = new List<int> { 0 };
        var flowStart = new List<int> { 0 };
        var fillDay = new List<int>();
        var fillRow = new List<int>();
        var fillQuantity = new List<double>();
        var fillPrice = new List<double>();
        var fillFees = new List<double>();
        var flowDay = new List<int>();
        var flowAmount = new List<double>();
        foreach (var h in portfolios)
        {
            foreach (var f in h.Fills)
            {
                fillDay.Add(days.IndexOf(f.Date));
                fillRow.Add(grid.IndexOf(f.InstrumentId));
                fillQuantity.Add((double)(f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity));
                fillPrice.Add((double)f.Price);
                fillFees.Add((double)f.Fees);
            }
            foreach (var flow in h.Flows)
            {
                flowDay.Add(days.IndexOf(flow.Date));
                flowAmount.Add((double)flow.Amount);
            }
            fillStart.Add(fillDay.Count);
            flowStart.Add(flowDay.Count);
        }
        var cash = portfolios.Select(h => (double)h.StartingCash).ToArray();
        var noSplits = portfolios.Select(h => h with { Splits = null }).ToArray();
        var expectedNoSplits = FastPerformance.RunBatch(grid, noSplits);
        Assert.Equal(expectedNoSplits, FastPerformance.RunBatch(grid, PortfolioBatch.FromColumns(grid.DayCount, cash, [.. fillStart], [.. fillDay], [.. fillRow],
            [.. fillQuantity], [.. fillPrice], [.. fillFees], [.. flowStart], [.. flowDay], [.. flowAmount])));
        fillDay[^1] = grid.DayCount + 3;
        flowDay[^1] = grid.DayCount;
        var late = noSplits.ToArray();
        late[^1] = late[^1] with { Fills = late[^1].Fills[..^1], Flows = late[^1].Flows[..^1] };
        Assert.Equal(FastPerformance.RunBatch(grid, late), FastPerformance.RunBatch(grid, PortfolioBatch.FromColumns(grid.DayCount, cash, [.. fillStart], [.. fillDay], [.. fillRow],
            [.. fillQuantity], [.. fillPrice], [.. fillFees], [.. flowStart], [.. flowDay], [.. flowAmount])));
        Assert.Equal(expected, FastPerformance.RunBatch(raw, columns, maxDegreeOfParallelism: 3));
        Assert.Equal(expected, FastPerformance.RunBatch(grid, portfolios, maxDegreeOfParallelism: 2));
    }

    [Fact]
    public void FromColumns_TakesTheArraysAsTheyAre_AndAddingAfterwardsLeavesThemAlone()
    {
        var grid = EquityCurveTests.Grid((Aapl, [100m, 104m, 103m]));
        int[] fillStart = [0, 1], fillDay = [0], fillRow = [0], flowStart = [0, 0], flowDay = [];
        double[] cash = [1_000], quantity = [5], price = [100], fees = [1], amount = [];
        var batch = PortfolioBatch.FromColumns(3, cash, fillStart, fillDay, fillRow, quantity, price, fees, flowStart, flowDay, amount);
        batch.AddFill(2, 0, -5, 103, 1);
        batch.AddFlow(1, 50);
        batch.AddPortfolio(2_000);
        batch.AddFill(1, 0, 3, 104, 0);
        Assert.Equal([0, 1], fillStart);
        Assert.Equal([0], fillDay);
        Assert.Equal([5.0], quantity);
        Assert.Equal([1_000.0], cash);

        var expected = FastPerformance.RunBatch(grid,
        [
            new PortfolioHistory(1_000, [new CashFlow(Week[1], 50)], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 5, 100, 1), EquityCurveTests.Fill(Week[2], OrderSide.Sell, 5, 103, 1)]),
            new PortfolioHistory(2_000, [], [EquityCurveTests.Fill(Week[1], OrderSide.Buy, 3, 104)]),
        ]);
        Assert.Equal(expected, FastPerformance.RunBatch(grid, batch));
    }

    [Fact]
    public void Batch_RefusesWhatTheExactPathRefuses()
    {
        var grid = EquityCurveTests.Grid((Aapl, [100m, 100m]));
        Assert.Throws<ArgumentException>(() => FastPerformance.RunBatch(grid,
            [new PortfolioHistory(0, [], [EquityCurveTests.Fill(Week[1], OrderSide.Buy, 1, 1), EquityCurveTests.Fill(Week[0], OrderSide.Buy, 1, 1)])]));
        Assert.Throws<ArgumentException>(() => FastPerformance.RunBatch(grid, [new PortfolioHistory(0, [new CashFlow(Week[1], 1), new CashFlow(Week[0], 1)], [])]));
        Assert.Throws<ArgumentOutOfRangeException>(() => FastPerformance.RunBatch(grid, [new PortfolioHistory(0, [], [EquityCurveTests.Fill(Week[0], OrderSide.Buy, 0, 1)])]));

        var batch = new PortfolioBatch(2);
        Assert.Throws<InvalidOperationException>(() => batch.AddFill(0, 0, 1, 1, 0));
        batch.AddPortfolio(100);
        batch.AddFill(1, 0, 1, 1, 0);
        Assert.Throws<ArgumentException>(() => batch.AddFill(0, 0, 1, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.AddSplit(1, 0, 0));
        batch.AddFill(1, 5, 1, 1, 0);
        Assert.Throws<ArgumentException>(() => FastPerformance.RunBatch(grid, batch));
        Assert.Throws<ArgumentException>(() => FastPerformance.RunBatch(EquityCurveTests.Grid((Aapl, [100m])), new PortfolioBatch(2)));
    }
}
