using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>
/// The column matcher for daily bars gives what the exact decimal engine gives: the same fills (order, bar, rule, quantity;
/// price and commission within 1e-9 relative) and the same final order states, on thousands of random orders under
/// several execution settings, the way <see cref="BulkRunTests"/> holds the bulk run to stepping OnBar.
/// </summary>
public sealed class DailyMatcherTests
{
    public static readonly TheoryData<string> SettingsNames = ["bench", "plain", "through", "fractional", "per-order"];

    private static ExecutionSettings SettingsFor(string name) => name switch
    {
        // What bench portfolio uses: a 1 % cap in whole shares, commission with a minimum and a maximum, slippage.
        "bench" => ExecutionSettings.Default with
        {
            MaxVolumeShare = 0.01m,
            QuantityIncrement = 1m,
            Commission = new CommissionModel { PerShare = 0.005m, MinimumPerFill = 1m, MaxPercentOfNotional = 1m },
            Slippage = new SlippageModel { AdverseBps = 2m, RangeShare = 0.05m },
        },
        "plain" => ExecutionSettings.Default,
        "through" => ExecutionSettings.Default with
        {
            TradeThrough = true,
            MaxVolumeShare = 0.05m,
            QuantityIncrement = 1m,
            Slippage = new SlippageModel { AdverseBps = 10m },
        },
        // A cap without rounding: fills of fractional shares (0.013 × volume).
        "fractional" => ExecutionSettings.Default with
        {
            MaxVolumeShare = 0.013m,
            Commission = new CommissionModel { PercentOfNotional = 0.1m },
            Slippage = new SlippageModel { RangeShare = 0.1m },
        },
        "per-order" => ExecutionSettings.Default with
        {
            MaxVolumeShare = 0.02m,
            QuantityIncrement = 10m,
            Commission = new CommissionModel { PerOrder = 2.5m, PerShare = 0.001m, PercentOfNotional = 0.05m, MinimumPerFill = 0.5m, MaxPercentOfNotional = 0.5m },
            Slippage = new SlippageModel { AdverseBps = 5m, RangeShare = 0.02m },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    internal static MatchBar[] RandomBars(int n, int seed)
    {
        var random = new Random(seed);
        var bars = new MatchBar[n];
        var close = 100m;
        for (var i = 0; i < n; i++)
        {
            var open = Math.Max(0.01m, Math.Round(close * (decimal)(1 + (random.NextDouble() - 0.5) * 0.05), 2));
            close = Math.Max(0.01m, Math.Round(open * (decimal)(1 + (random.NextDouble() - 0.5) * 0.05), 2));
            var high = Math.Max(open, close) + Math.Round((decimal)random.NextDouble() * 1.5m, 2);
            var low = Math.Max(0.01m, Math.Min(open, close) - Math.Round((decimal)random.NextDouble() * 1.5m, 2));
            var volume = random.Next(10) switch
            {
                0 => 0m,
                1 => 150m,
                2 => 50_100m, // 1 % of it is exactly 501
                _ => random.Next(1_000, 200_000),
            };
            bars[i] = T.Daily(i, open, high, low, close, volume);
        }
        return bars;
    }

    internal static List<MatchOrder> RandomOrders(int n, int days, int seed, long firstId = 0)
    {
        var random = new Random(seed);
        var orders = new List<MatchOrder>(n);
        for (var k = 0; k < n; k++)
        {
            var type = (OrderType)random.Next(0, 4);
            var side = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            var level = Math.Round(100m * (decimal)(0.75 + random.NextDouble() * 0.5), 2);
            var other = Math.Round(level * (decimal)(0.96 + random.NextDouble() * 0.08), 2);
            var quantity = random.Next(50) == 0 ? 0m : random.Next(1, 5_000);
            var limit = type is OrderType.Limit ? level : type is OrderType.StopLimit ? other : (decimal?)null;
            if (limit is not null && random.Next(80) == 0) limit = null; // invalid: rejected
            orders.Add(new MatchOrder
            {
                Id = firstId + k,
                Side = side,
                Type = type,
                TimeInForce = random.Next(4) == 0 ? TimeInForce.Day : TimeInForce.Gtc,
                Quantity = quantity,
                LimitPrice = limit,
                StopPrice = type is OrderType.StopLoss or OrderType.StopLimit ? level : null,
                PlacedAt = T.Open(random.Next(-3, days + 3)).AddHours(random.Next(0, 3) * 3),
                Status = random.Next(10) == 0 ? OrderStatus.Pending : OrderStatus.Open,
            });
        }
        return orders;
    }

    private static MatchOrder Copy(MatchOrder o) => new()
    {
        Id = o.Id, Side = o.Side, Type = o.Type, TimeInForce = o.TimeInForce, Quantity = o.Quantity, LimitPrice = o.LimitPrice,
        StopPrice = o.StopPrice, PlacedAt = o.PlacedAt, Status = o.Status,
    };

    private static void AssertClose(decimal expected, decimal actual, double relative, string what)
    {
        var e = (double)expected;
        var a = (double)actual;
        Assert.True(Math.Abs(e - a) <= relative * Math.Max(1, Math.Abs(e)), $"{what}: expected {expected}, got {actual}");
    }

    private static void AssertSameFills(List<MatchFill> expected, List<MatchFill> actual, bool exactQuantities)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var x = 0; x < expected.Count; x++)
        {
            var (e, a) = (expected[x], actual[x]);
            var where = $"fill {x} of order {e.OrderId}";
            Assert.Equal((e.OrderId, e.Ts, e.Rule), (a.OrderId, a.Ts, a.Rule));
            if (exactQuantities) Assert.Equal(e.Quantity, a.Quantity);
            else AssertClose(e.Quantity, a.Quantity, 1e-12, where + " quantity");
            AssertClose(e.Price, a.Price, 1e-9, where + " price");
            AssertClose(e.Commission, a.Commission, 1e-9, where + " commission");
        }
    }

    private static void AssertSameState(MatchOrder e, MatchOrder a, bool exactQuantities)
    {
        var what = e.ToString();
        Assert.Equal((e.Id, e.Status, e.StopTriggered, e.Session, e.ClosedAt, e.Note, e.RejectReason), (a.Id, a.Status, a.StopTriggered, a.Session, a.ClosedAt, a.Note, a.RejectReason));
        if (exactQuantities) Assert.Equal(e.FilledQuantity, a.FilledQuantity);
        else AssertClose(e.FilledQuantity, a.FilledQuantity, 1e-12, what + " filled");
        AssertClose(e.AverageFillPrice, a.AverageFillPrice, 1e-9, what + " average price");
        AssertClose(e.Commission, a.Commission, 1e-9, what + " commission");
    }

    [Theory]
    [MemberData(nameof(SettingsNames))]
    public void Run_OnRandomOrders_MatchesTheExactEngine(string settingsName)
    {
        var settings = SettingsFor(settingsName);
        var exactQuantities = settings.QuantityIncrement > 0 || settings.MaxVolumeShare == 0;
        for (var seed = 1; seed <= 3; seed++)
        {
            var bars = RandomBars(700, seed);
            var orders = RandomOrders(3_000, 700, 100 + seed);

            var exactOrders = orders.Select(Copy).ToList();
            var expected = new List<MatchFill>();
            var expectedWorking = MatchingEngine.Run(bars, exactOrders, settings, expected);

            var columns = new DailyBars(bars);
            var batch = DailyOrders.From(orders);
            var fills = new List<DailyFill>();
            var working = DailyMatcher.Run(columns, batch, settings, fills);

            Assert.True(expected.Count > 1_500, $"only {expected.Count} fills: the random orders do not exercise the matcher");
            Assert.Equal(expectedWorking, working);
            AssertSameFills(expected, fills.Select(f => f.ToMatchFill(batch, columns)).ToList(), exactQuantities);
            for (var k = 0; k < orders.Count; k++)
            {
                batch.CopyTo(k, orders[k], columns);
                AssertSameState(exactOrders[k], orders[k], exactQuantities);
            }
        }
    }

    [Fact]
    public void Run_EveryKindOfOrderAndOutcome_IsExercised()
    {
        var settings = SettingsFor("bench");
        var bars = new DailyBars(RandomBars(700, 1));
        var batch = DailyOrders.From(RandomOrders(3_000, 700, 101));
        var fills = new List<DailyFill>();
        DailyMatcher.Run(bars, batch, settings, fills);
        Assert.Equal(Enum.GetValues<FillRule>().Except([FillRule.LimitTradedThrough]).Order(), fills.Select(f => f.Rule).Distinct().Order());
        Assert.Superset(Enum.GetValues<OrderStatus>().Except([OrderStatus.Pending]).ToHashSet(), batch.Statuses().ToHashSet());
    }

    [Fact]
    public void Run_OverManyInstruments_InParallel_GivesTheSerialFillsAndStates()
    {
        var settings = SettingsFor("bench");
        var instruments = Enumerable.Range(0, 12).Select(i => new DailyBars(RandomBars(300 + 40 * i, 50 + i))).ToArray();
        var (batch, perInstrument) = Spread(RandomOrders(4_000, 500, 10), instruments.Length, new Random(9));

        var serial = new List<DailyFill>();
        var serialWorking = DailyMatcher.Run(instruments, batch, settings, serial);
        var serialStates = Enumerable.Range(0, batch.Count).Select(k => (batch.Status(k), batch.FilledQuantity(k), batch.Commission(k), batch.ClosedBar(k))).ToArray();
        var parallel = new List<DailyFill>();
        var parallelWorking = DailyMatcher.Run(instruments, batch, settings, parallel, maxDegreeOfParallelism: 4);

        Assert.True(serial.Count > 5_000);
        Assert.Equal(serialWorking, parallelWorking);
        Assert.Equal(serial, parallel);
        Assert.Equal(serialStates, Enumerable.Range(0, batch.Count).Select(k => (batch.Status(k), batch.FilledQuantity(k), batch.Commission(k), batch.ClosedBar(k))).ToArray());

        // Each instrument alone gives its part of the fills, in the same order.
        var expected = new List<(long, int, double, double)>();
        for (var i = 0; i < instruments.Length; i++)
        {
            var one = DailyOrders.From(perInstrument[i]);
            var fills = new List<DailyFill>();
            DailyMatcher.Run(instruments[i], one, settings, fills);
            expected.AddRange(fills.Select(f => (one.Id(f.Order), f.Bar, f.Quantity, f.Price)));
        }
        Assert.Equal(expected, serial.Select(f => (batch.Id(f.Order), f.Bar, f.Quantity, f.Price)).ToList());
    }

    [Fact]
    public void Run_Twice_StartsEachOrderAfreshFromItsAddedState()
    {
        var settings = SettingsFor("bench");
        var bars = new DailyBars(RandomBars(400, 3));
        var batch = DailyOrders.From(RandomOrders(1_000, 400, 4));
        var first = new List<DailyFill>();
        DailyMatcher.Run(bars, batch, settings, first);
        var states = Enumerable.Range(0, batch.Count).Select(k => (batch.Status(k), batch.FilledQuantity(k), batch.AverageFillPrice(k), batch.StopTriggered(k))).ToArray();
        var second = new List<DailyFill>();
        DailyMatcher.Run(bars, batch, settings, second);
        Assert.Equal(first, second);
        Assert.Equal(states, Enumerable.Range(0, batch.Count).Select(k => (batch.Status(k), batch.FilledQuantity(k), batch.AverageFillPrice(k), batch.StopTriggered(k))).ToArray());
    }

    [Fact]
    public void Run_AnOrderThatAlreadyStopped_IsLeftAsItWas()
    {
        var done = T.Order(OrderSide.Buy, OrderType.Market, 100);
        done.Status = OrderStatus.Cancelled;
        var batch = DailyOrders.From([done]);
        var fills = new List<DailyFill>();
        Assert.Equal(0, DailyMatcher.Run(new DailyBars([T.Daily(0, 10, 11, 9, 10)]), batch, ExecutionSettings.Default, fills));
        Assert.Empty(fills);
        Assert.Equal((OrderStatus.Cancelled, -1), (batch.Status(0), batch.FirstBar(0)));
    }

    [Fact]
    public void Run_AStopGappingThroughUnderTheVolumeCap_FillsTheOpenThenTheRestAtTheNextOpens()
    {
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.1m, QuantityIncrement = 1m };
        var bars = new DailyBars([T.Daily(0, 100, 101, 99, 100, 10_000), T.Daily(1, 95, 96, 90, 91, 5_000), T.Daily(2, 92, 93, 91, 92, 0), T.Daily(3, 93, 94, 92, 93, 10_000)]);
        var batch = new DailyOrders();
        batch.Add(7, 0, OrderSide.Sell, OrderType.StopLoss, TimeInForce.Gtc, 1_200, null, 97, T.At(0, 12, 0));
        var fills = new List<DailyFill>();
        Assert.Equal(0, DailyMatcher.Run(bars, batch, settings, fills));
        Assert.Equal(
            [new DailyFill(0, 1, 500, 95, 0, FillRule.StopGapped), new DailyFill(0, 3, 700, 93, 0, FillRule.StopTriggeredEarlier)],
            fills);
        Assert.Equal((OrderStatus.Filled, 3, 1, true), (batch.Status(0), batch.ClosedBar(0), batch.FirstBar(0), batch.StopTriggered(0)));
        Assert.Equal((500 * 95 + 700 * 93) / 1_200.0, batch.AverageFillPrice(0), 1e-12);
    }

    [Fact]
    public void SearchTables_FindTheSameBarAsAScan()
    {
        var random = new Random(5);
        foreach (var n in new[] { 0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 1_000, 1_260 })
        {
            var bars = new DailyBars(RandomBars(n, n + 1));
            var tables = new SearchTables();
            tables.Build(new DailyBars(RandomBars(2_000, 77))); // a bigger instrument first: the scratch is reused
            tables.Build(bars);
            var lows = RandomBars(n, n + 1).Select(b => (double)Math.Min(b.Open, b.Low)).ToArray();
            var highs = RandomBars(n, n + 1).Select(b => (double)Math.Max(b.Open, b.High)).ToArray();
            for (var q = 0; q < 500; q++)
            {
                var from = random.Next(n + 1);
                var level = Math.Round(60 + random.NextDouble() * 80, 2);
                var below = from;
                while (below < n && lows[below] > level) below++;
                var above = from;
                while (above < n && highs[above] < level) above++;
                Assert.Equal(below, tables.FirstAtOrBelow(from, level));
                Assert.Equal(above, tables.FirstAtOrAbove(from, level));
            }
            // The answer at every distance from the start, inside the first vector window, at its edge and beyond it: bars
            // whose lowest price falls and highest rises a cent a day, so the first bar past a level is known exactly.
            if (n >= 2)
            {
                var ramp = new DailyBars(Enumerable.Range(0, n).Select(d => T.Daily(d, 100m, 100m + d / 100m, 100m - d / 100m, 100m, 1_000)).ToArray());
                tables.Build(ramp);
                foreach (var from in new[] { 0, 1, n / 2, n - 1 })
                {
                    for (var at = from; at < Math.Min(n, from + 40); at++)
                    {
                        // Half a cent short of bar `at`'s price: no ties to round either way.
                        Assert.Equal(at, tables.FirstAtOrBelow(from, 100 - (at - 0.5) / 100));
                        Assert.Equal(at, tables.FirstAtOrAbove(from, 100 + (at - 0.5) / 100));
                    }
                    Assert.Equal(n, tables.FirstAtOrBelow(from, 100 - (n - 0.5) / 100));
                    Assert.Equal(n, tables.FirstAtOrAbove(from, 100 + (n - 0.5) / 100));
                }
            }
            // The first bar starting at or after an instant, found without branches.
            for (var day = -2; day <= n + 1; day++)
            {
                foreach (var at in new[] { T.Open(day).AddTicks(-1), T.Open(day), T.Open(day).AddTicks(1) })
                {
                    var first = 0;
                    while (first < n && bars.Start(first) < at) first++;
                    Assert.Equal(first, bars.FirstAtOrAfter(at.UtcTicks));
                }
            }
        }
    }

    [Fact]
    public void Inputs_TheMatcherCannotTake_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new DailyBars([T.Bar(0, 10, 0, 1, 1, 1, 1)]));
        Assert.Throws<ArgumentException>(() => new DailyBars([T.Daily(1, 1, 1, 1, 1), T.Daily(0, 1, 1, 1, 1)]));
        Assert.Throws<ArgumentException>(() => new DailyBars([T.Open(0)], [1.0], [double.NaN], [1.0], [1.0]));
        Assert.Throws<NotSupportedException>(() => new DailyOrders().Add(1, 0, OrderSide.Buy, OrderType.Twap, TimeInForce.Day, 10, null, null, T.Open(0)));
        var seen = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 5);
        seen.Session = new DateOnly(2024, 3, 4);
        Assert.Throws<ArgumentException>(() => DailyOrders.From([seen]));
        var batch = new DailyOrders();
        batch.Add(1, 2, OrderSide.Buy, OrderType.Market, TimeInForce.Day, 10, null, null, T.Open(0));
        Assert.Throws<ArgumentException>(() => DailyMatcher.Run([new DailyBars([T.Daily(0, 1, 1, 1, 1)])], batch, ExecutionSettings.Default, new List<DailyFill>()));
    }

    /// <summary>
    /// Above <see cref="DailyOrders.ParallelGroupThreshold"/> orders the parallel run also groups the orders on several
    /// threads and copies the chunks' fills into the list in parallel: the fills (in order), the working count and every
    /// order's end state must still be the serial run's, and each instrument's orders must end as the exact engine ends them.
    /// Instruments without orders, and a list that already holds fills, are part of it.
    /// </summary>
    [Fact]
    public void Run_ALargeBatchInParallel_GroupsOnEveryThread_AndEqualsTheSerialRunAndTheExactEngine()
    {
        var settings = SettingsFor("bench");
        var instruments = Enumerable.Range(0, 40).Select(i => new DailyBars(RandomBars(250 + 7 * i, 300 + i))).ToArray();
        var random = new Random(31);
        var batch = new DailyOrders();
        var perInstrument = new List<MatchOrder>[instruments.Length];
        for (var i = 0; i < instruments.Length; i++) perInstrument[i] = [];
        var orders = RandomOrders(12 * DailyOrders.ParallelGroupThreshold, 250, 32);
        var byIndex = new MatchOrder[orders.Count];
        for (var k = 0; k < orders.Count; k++)
        {
            var o = orders[k];
            o.Status = OrderStatus.Open; // as DailyOrders.Add makes it
            var i = random.Next(instruments.Length);
            if (i % 9 == 4) i--; // instruments 4, 13, 22 and 31 get no orders
            perInstrument[i].Add(o);
            byIndex[batch.Add(o.Id, i, o.Side, o.Type, o.TimeInForce, (double)o.Quantity, (double?)o.LimitPrice, (double?)o.StopPrice, o.PlacedAt)] = o;
        }

        var serial = new List<DailyFill>();
        var serialWorking = DailyMatcher.Run(instruments, batch, settings, serial);
        var serialStates = Enumerable.Range(0, batch.Count).Select(k => (batch.Status(k), batch.FilledQuantity(k), batch.Commission(k), batch.FirstBar(k), batch.ClosedBar(k))).ToArray();
        var earlier = new DailyFill(-1, -1, 1, 1, 1, FillRule.MarketOpen);
        foreach (var threads in new[] { 2, 3, 8 })
        {
            var parallel = new List<DailyFill> { earlier };
            var parallelWorking = DailyMatcher.Run(instruments, batch, settings, parallel, maxDegreeOfParallelism: threads);
            Assert.Equal(serialWorking, parallelWorking);
            Assert.Equal(earlier, parallel[0]);
            Assert.Equal(serial, parallel.Skip(1));
            Assert.Equal(serialStates, Enumerable.Range(0, batch.Count).Select(k => (batch.Status(k), batch.FilledQuantity(k), batch.Commission(k), batch.FirstBar(k), batch.ClosedBar(k))).ToArray());
        }
        Assert.True(serial.Count > 20_000, $"only {serial.Count} fills");

        // The exact engine, instrument by instrument, ends every order the same way.
        var exactWorking = 0;
        var exact = new Dictionary<long, MatchOrder>();
        for (var i = 0; i < instruments.Length; i++)
        {
            var copies = perInstrument[i].Select(Copy).ToList();
            exactWorking += MatchingEngine.Run(RandomBars(250 + 7 * i, 300 + i), copies, settings, []);
            foreach (var c in copies) exact[c.Id] = c;
        }
        Assert.Equal(exactWorking, serialWorking);
        for (var k = 0; k < batch.Count; k++)
        {
            var mine = Copy(byIndex[k]);
            batch.CopyTo(k, mine, instruments[batch.Instrument(k)]);
            AssertSameState(exact[byIndex[k].Id], mine, exactQuantities: true);
        }

        // An order on an instrument without bars is refused on the parallel path too.
        batch.Add(-7, instruments.Length, OrderSide.Buy, OrderType.Market, TimeInForce.Day, 10, null, null, T.Open(0));
        Assert.Throws<ArgumentException>(() => DailyMatcher.Run(instruments, batch, settings, new List<DailyFill>(), maxDegreeOfParallelism: 2));
    }

    [Fact]
    public void Run_IntoDailyFills_KeepsTheChunksSegments_InTheListsOrder_AndReusesThemAfterClear()
    {
        var settings = SettingsFor("bench");
        var instruments = Enumerable.Range(0, 10).Select(i => new DailyBars(RandomBars(300 + 30 * i, 70 + i))).ToArray();
        var (batch, _) = Spread(RandomOrders(3_000, 400, 20), instruments.Length, new Random(4));
        var serial = new List<DailyFill>();
        var serialWorking = DailyMatcher.Run(instruments, batch, settings, serial);

        using var fills = new DailyFills();
        Assert.Equal(serialWorking, DailyMatcher.Run(instruments, batch, settings, fills, maxDegreeOfParallelism: 2));
        Assert.True(fills.SegmentCount > 1, "the parallel run kept one segment only");
        Assert.Equal(serial.Count, fills.Count);
        Assert.Equal(serial, fills); // enumeration
        Assert.Equal(serial, Enumerable.Range(0, fills.SegmentCount).SelectMany(k => fills.Segment(k).ToArray()));
        foreach (var k in new[] { 0, 1, serial.Count / 2, serial.Count - 1 }) Assert.Equal(serial[k], fills[k]);
        Assert.Throws<ArgumentOutOfRangeException>(() => fills[serial.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => fills[-1]);

        // A second run clears what the first left, and gives the same fills again (single-threaded this time: one segment).
        Assert.Equal(serialWorking, DailyMatcher.Run(instruments, batch, settings, fills));
        Assert.Equal(1, fills.SegmentCount);
        Assert.Equal(serial, fills);
        var copy = new List<DailyFill> { new(-1, -1, 1, 1, 1, FillRule.MarketOpen) };
        fills.CopyTo(copy);
        Assert.Equal(serial, copy.Skip(1));

        fills.Clear();
        Assert.Empty(fills);
    }

    [Fact]
    public void DailyFill_KeepsEveryFieldInThirtyTwoBytes_AndRefusesABarItCannotHold()
    {
        Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<DailyFill>());
        foreach (var (bar, rule) in new[] { (-1, FillRule.MarketOpen), (0, FillRule.StopLimitTriggered), (1_259, FillRule.LimitTouched), (DailyFill.MaxBar, FillRule.StopGapped) })
        {
            var fill = new DailyFill(123_456_789, bar, 2.5, 101.25, 1.0, rule);
            Assert.Equal((123_456_789, bar, 2.5, 101.25, 1.0, rule), (fill.Order, fill.Bar, fill.Quantity, fill.Price, fill.Commission, fill.Rule));
        }
        Assert.NotEqual(new DailyFill(1, 2, 3, 4, 5, FillRule.LimitAtOpen), new DailyFill(1, 2, 3, 4, 5, FillRule.LimitTouched));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DailyFill(0, DailyFill.MaxBar + 1, 1, 1, 0, FillRule.MarketOpen));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DailyFill(0, -2, 1, 1, 0, FillRule.MarketOpen));
    }

    /// <summary>The orders spread at random over <paramref name="instruments"/> instruments: one batch, and each instrument's orders.</summary>
    private static (DailyOrders Batch, List<MatchOrder>[] PerInstrument) Spread(List<MatchOrder> orders, int instruments, Random random)
    {
        var batch = new DailyOrders();
        var perInstrument = new List<MatchOrder>[instruments];
        for (var i = 0; i < instruments; i++) perInstrument[i] = [];
        foreach (var o in orders)
        {
            var i = random.Next(instruments);
            perInstrument[i].Add(o);
            batch.Add(o.Id, i, o.Side, o.Type, o.TimeInForce, (double)o.Quantity, (double?)o.LimitPrice, (double?)o.StopPrice, o.PlacedAt);
        }
        return (batch, perInstrument);
    }
}
