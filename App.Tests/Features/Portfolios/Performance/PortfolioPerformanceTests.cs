using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>The pipeline as the services use it: the lot book, the curve and the metrics must tell the same story.</summary>
public sealed class PortfolioPerformanceTests
{
    private static readonly DateOnly FirstDay = new(2025, 1, 6);

    private static DateOnly[] TradingDays(int n)
    {
        var days = new List<DateOnly>(n);
        for (var d = FirstDay; days.Count < n; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days.Add(d);
        }
        return [.. days];
    }

    internal static (PriceGrid Grid, PortfolioHistory[] Portfolios) RandomBook(int portfolios, int days, int instruments, int seed)
    {
        var random = new Random(seed);
        var calendar = TradingDays(days);
        var ids = Enumerable.Range(1, instruments).Select(i => (long)i).ToArray();
        var closes = new decimal?[instruments][];
        for (var k = 0; k < instruments; k++)
        {
            closes[k] = new decimal?[days];
            var price = 50m + random.Next(200);
            for (var t = 0; t < days; t++)
            {
                price = Math.Max(1m, Math.Round(price * (decimal)(1 + (random.NextDouble() - 0.5) * 0.06), 2));
                closes[k][t] = random.Next(20) == 0 ? null : price; // about one close in 20 missing
            }
        }
        var grid = new PriceGrid(calendar, ids, closes);
        var histories = new PortfolioHistory[portfolios];
        for (var p = 0; p < portfolios; p++)
        {
            var fills = new List<Fill>();
            var flows = new List<CashFlow>();
            for (var t = 0; t < days; t++)
            {
                if (random.Next(40) == 0) flows.Add(new CashFlow(calendar[t], random.Next(2) == 0 ? 5_000 : -2_000));
                if (random.Next(3) != 0) continue;
                var k = random.Next(instruments);
                grid.TryGetMark(ids[k], t, out var mark);
                var price = mark == 0 ? 100m : mark;
                fills.Add(new Fill(ids[k], random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell, Math.Round((decimal)random.NextDouble() * 50 + 0.5m, 3), price,
                    Math.Round((decimal)random.NextDouble() * 2, 2), new DateTimeOffset(calendar[t].ToDateTime(new TimeOnly(14, 30)), TimeSpan.Zero).AddMinutes(fills.Count)));
            }
            Split[] splits = p % 3 == 0 ? [new Split(ids[0], calendar[days / 2], 2)] : [];
            histories[p] = new PortfolioHistory(100_000, [.. flows], [.. fills], splits);
        }
        return (grid, histories);
    }

    [Fact]
    public void RealisedPlusUnrealised_EqualsTheCurvesTotalPnl_ExactlyToTheCent()
    {
        // Whatever the fills (longs, shorts, flips, splits, fees, missing closes): equity − start − flows must equal
        // the book's realised P&L plus the unrealised P&L of what it still holds, marked at the curve's last marks.
        var (grid, portfolios) = RandomBook(portfolios: 12, days: 60, instruments: 4, seed: 11);
        foreach (var history in portfolios)
        {
            var (curve, book, report) = PortfolioPerformance.Run(grid, history);
            var unrealised = 0m;
            foreach (var position in book.Positions)
            {
                if (position.Quantity == 0) continue;
                Assert.True(grid.TryGetMark(position.InstrumentId, grid.DayCount - 1, out var mark));
                unrealised += position.UnrealisedPnl(mark);
            }
            Assert.Equal(Math.Round(report.Returns.TotalPnl, 8), Math.Round(book.RealisedPnl + unrealised, 8));
            Assert.Equal(report.Returns.TotalPnl, curve.DailyPnl.Sum());
            Assert.Equal(book.ClosedTrades.Count, report.Trades.Trades);
        }
    }

    [Fact]
    public void RunMany_InParallel_GivesTheSameReportsInTheSameOrder()
    {
        var (grid, portfolios) = RandomBook(portfolios: 40, days: 120, instruments: 6, seed: 5);
        var sequential = PortfolioPerformance.RunMany(grid, portfolios);
        var parallel = PortfolioPerformance.RunMany(grid, portfolios, maxDegreeOfParallelism: 2);
        Assert.Equal(portfolios.Length, sequential.Length);
        for (var i = 0; i < sequential.Length; i++)
        {
            Assert.Equal(sequential[i].Returns.TotalPnl, parallel[i].Returns.TotalPnl);
            Assert.Equal(sequential[i].Returns.TimeWeightedReturn, parallel[i].Returns.TimeWeightedReturn);
            Assert.Equal(sequential[i].Risk.Sharpe, parallel[i].Risk.Sharpe);
            Assert.Equal(sequential[i].Drawdown.MaxDrawdown, parallel[i].Drawdown.MaxDrawdown);
            Assert.Equal(sequential[i].Trades, parallel[i].Trades);
        }
    }

    [Fact]
    public void Run_IgnoresFillsAfterTheLastDay_InTheBookAsInTheCurve()
    {
        // buy 10 @ 100 on Monday, sell them @ 150 the Monday after a one-day grid: outside the curve, so no trade and no P&L from it
        var grid = new PriceGrid([FirstDay], [1], [[100m]]);
        var history = new PortfolioHistory(1_000, [],
            [new Fill(1, OrderSide.Buy, 10, 100, 0, new DateTimeOffset(2025, 1, 6, 15, 0, 0, TimeSpan.Zero)), new Fill(1, OrderSide.Sell, 10, 150, 0, new DateTimeOffset(2025, 1, 13, 15, 0, 0, TimeSpan.Zero))]);
        var (curve, book, report) = PortfolioPerformance.Run(grid, history);
        Assert.Equal(10m, book.Quantity(1));
        Assert.Equal(0, report.Trades.Trades);
        Assert.Equal(1_000m, curve.EndingEquity);
    }
}
