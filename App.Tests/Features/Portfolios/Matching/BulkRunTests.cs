using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>The bulk run (binary search, block skipping) gives exactly what stepping every bar through OnBar gives.</summary>
public sealed class BulkRunTests
{
    private static MatchBar[] RandomDailyBars(int n, int seed)
    {
        var random = new Random(seed);
        var bars = new MatchBar[n];
        var close = 100m;
        for (var i = 0; i < n; i++)
        {
            var open = Math.Round(close * (decimal)(1 + (random.NextDouble() - 0.5) * 0.04), 2);
            close = Math.Round(open * (decimal)(1 + (random.NextDouble() - 0.5) * 0.04), 2);
            var high = Math.Max(open, close) + Math.Round((decimal)random.NextDouble(), 2);
            var low = Math.Min(open, close) - Math.Round((decimal)random.NextDouble(), 2);
            bars[i] = T.Daily(i, open, high, low, close, volume: random.Next(0, 5) == 0 ? 200 : 100_000, vwap: (high + low + close) / 3);
        }
        return bars;
    }

    private static List<MatchOrder> RandomOrders(int n, int days, int seed)
    {
        var random = new Random(seed);
        var orders = new List<MatchOrder>(n);
        for (var k = 0; k < n; k++)
        {
            var type = (OrderType)random.Next(0, 6);
            var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var level = Math.Round(100m * (decimal)(0.7 + random.NextDouble() * 0.6), 2);
            var other = Math.Round(level * (decimal)(0.97 + random.NextDouble() * 0.06), 2);
            orders.Add(new MatchOrder
            {
                Id = k,
                Side = side,
                Type = type,
                TimeInForce = random.Next(4) == 0 ? TimeInForce.Day : TimeInForce.Gtc,
                Quantity = random.Next(1, 2_000),
                LimitPrice = type is OrderType.Limit ? level : type is OrderType.StopLimit ? other : null,
                StopPrice = type is OrderType.StopLoss or OrderType.StopLimit ? level : null,
                PlacedAt = T.Open(random.Next(0, days)).AddHours(random.Next(0, 2) * 3),
                WindowEnd = type is OrderType.Twap or OrderType.Vwap ? T.Open(days + 5) : null,
            });
        }
        return orders;
    }

    private static MatchOrder Copy(MatchOrder o) => new()
    {
        Id = o.Id, Side = o.Side, Type = o.Type, TimeInForce = o.TimeInForce, Quantity = o.Quantity, LimitPrice = o.LimitPrice,
        StopPrice = o.StopPrice, PlacedAt = o.PlacedAt, WindowEnd = o.WindowEnd,
    };

    [Fact]
    public void RunMany_SkippingBlocks_MatchesSteppingEveryBar()
    {
        var bars = RandomDailyBars(1_500, 7);
        var orders = RandomOrders(2_000, 1_400, 8);
        var settings = ExecutionSettings.Default with
        {
            MaxVolumeShare = 0.01m,
            Commission = new CommissionModel { PerShare = 0.005m, MinimumPerFill = 1m },
            Slippage = new SlippageModel { AdverseBps = 2 },
        };

        var stepped = orders.Select(Copy).ToList();
        var expected = new List<MatchFill>();
        foreach (var order in stepped)
            foreach (var bar in bars)
                MatchingEngine.OnBar(order, bar, settings, expected);

        var bulk = new List<MatchFill>();
        var working = MatchingEngine.Run(bars, orders, settings, bulk);

        Assert.True(expected.Count > 1_000, $"only {expected.Count} fills: the random orders do not exercise the engine");
        Assert.Equal(expected, bulk);
        Assert.Equal(stepped.Count(o => o.IsWorking), working);
        for (var k = 0; k < orders.Count; k++)
            Assert.Equal(stepped[k].ToString() + stepped[k].ClosedAt + stepped[k].Commission, orders[k].ToString() + orders[k].ClosedAt + orders[k].Commission);
    }
}
