using System.Runtime.InteropServices;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Bench;

/// <summary>The sizes of <c>bench portfolio</c>, from its options.</summary>
public sealed record PortfolioBenchOptions(
    int Orders, int Instruments, int Days, int Positions, int MarkingReps, int Portfolios, int GridInstruments, int Repeats, int Seed, string Python)
{
    public static PortfolioBenchOptions Parse(string[] args) => new(
        Math.Max(1, BenchOutput.IntOption(args, "orders", 1_000_000)),
        Math.Max(1, BenchOutput.IntOption(args, "instruments", 500)),
        Math.Max(2, BenchOutput.IntOption(args, "days", 1_260)),
        Math.Max(1, BenchOutput.IntOption(args, "positions", 100_000)),
        Math.Max(1, BenchOutput.IntOption(args, "marking-reps", 200)),
        Math.Max(1, BenchOutput.IntOption(args, "portfolios", 1_000)),
        Math.Max(10, BenchOutput.IntOption(args, "grid-instruments", 500)),
        Math.Max(1, BenchOutput.IntOption(args, "repeats", 3)),
        BenchOutput.IntOption(args, "seed", 20_240_601),
        BenchOutput.Option(args, "python", ""));
}

/// <summary>
/// The synthetic, seeded inputs of <c>bench portfolio</c>, built once and handed to both sides: the C# kernels get them as
/// their own types, <c>portfolio_pandas.py</c> as raw little-endian columns (<see cref="Write"/>). Every price is a whole
/// number of cents and every quantity and volume a whole number, so comparisons of prices give the same answer in
/// <see cref="decimal"/> and in <see cref="double"/> and the two sides take the same branches.
/// </summary>
public sealed class PortfolioBenchData
{
    /// <summary>Daily bars open at 09:30 in a fixed UTC−5 (the synthetic exchange has no DST and no holidays: every weekday trades).</summary>
    public static readonly TimeSpan Offset = TimeSpan.FromHours(-5);

    /// <summary>
    /// The execution settings both sides implement: a 1 % volume cap in whole shares, 0.005/share commission with a 1.00
    /// minimum and a 1 % of notional maximum, and slippage of 2 bp plus 5 % of the bar's range. Limits fill on touch.
    /// </summary>
    public static readonly ExecutionSettings Settings = ExecutionSettings.Default with
    {
        MaxVolumeShare = 0.01m,
        QuantityIncrement = 1m,
        Commission = new CommissionModel { PerShare = 0.005m, MinimumPerFill = 1m, MaxPercentOfNotional = 1m },
        Slippage = new SlippageModel { AdverseBps = 2m, RangeShare = 0.05m },
    };

    // Matching: bars per instrument (all the same days), orders as plain columns (MatchOrder objects are made fresh per run).
    public required MatchBar[][] Bars { get; init; }
    public required int[] OrderInstrument { get; init; }
    public required DateTimeOffset[] OrderPlacedAt { get; init; }
    public required OrderType[] Types { get; init; }
    public required OrderSide[] Sides { get; init; }
    public required TimeInForce[] OrderTif { get; init; }
    public required decimal[] OrderQuantity { get; init; }
    public required decimal?[] OrderLimit { get; init; }
    public required decimal?[] OrderStop { get; init; }

    // Marking.
    public required double[] MarkQuantity { get; init; }
    public required double[] MarkCost { get; init; }
    public required double[] MarkPrice { get; init; }

    // Metrics: one grid of closes (null where missing) and the portfolios' histories, with each fill's day index.
    public required DateOnly[] GridDays { get; init; }
    public required long[] GridIds { get; init; }
    public required decimal?[][] GridCloses { get; init; }
    public required PortfolioHistory[] Histories { get; init; }
    public required int[][] FillDays { get; init; }
    public required int[][] FlowDays { get; init; }

    public int OrderCount => OrderInstrument.Length;

    /// <summary>
    /// The metrics inputs as columns, what portfolio_pandas.py reads from its files: the closes as one instrument-major
    /// matrix (NaN where missing), and every portfolio's fills (day index, grid row, signed quantity, price, fees) and flows
    /// (day index, amount), portfolio p's being [FillStart[p], FillStart[p + 1]) and [FlowStart[p], FlowStart[p + 1]).
    /// </summary>
    public sealed record MetricsColumns(
        double[] Closes, double[] StartingCash, int[] FillStart, int[] FillDay, int[] FillRow, double[] FillQuantity, double[] FillPrice, double[] FillFees,
        int[] FlowStart, int[] FlowDay, double[] FlowAmount);

    public MetricsColumns MetricsAsColumns()
    {
        var days = GridDays.Length;
        var closes = new double[GridIds.Length * days];
        for (var r = 0; r < GridIds.Length; r++)
            for (var t = 0; t < days; t++) closes[r * days + t] = GridCloses[r][t] is { } c ? (double)c : double.NaN;
        var fillStart = new int[Histories.Length + 1];
        var flowStart = new int[Histories.Length + 1];
        for (var p = 0; p < Histories.Length; p++)
        {
            fillStart[p + 1] = fillStart[p] + Histories[p].Fills.Length;
            flowStart[p + 1] = flowStart[p] + Histories[p].Flows.Length;
        }
        var fillDay = new int[fillStart[^1]];
        var fillRow = new int[fillDay.Length];
        var fillQuantity = new double[fillDay.Length];
        var fillPrice = new double[fillDay.Length];
        var fillFees = new double[fillDay.Length];
        var flowDay = new int[flowStart[^1]];
        var flowAmount = new double[flowDay.Length];
        var row = GridIds.Select((id, r) => (id, r)).ToDictionary(x => x.id, x => x.r);
        for (var p = 0; p < Histories.Length; p++)
        {
            var h = Histories[p];
            for (var x = 0; x < h.Fills.Length; x++)
            {
                var f = h.Fills[x];
                var at = fillStart[p] + x;
                fillDay[at] = FillDays[p][x];
                fillRow[at] = row[f.InstrumentId];
                fillQuantity[at] = (double)(f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity);
                fillPrice[at] = (double)f.Price;
                fillFees[at] = (double)f.Fees;
            }
            for (var x = 0; x < h.Flows.Length; x++)
            {
                flowDay[flowStart[p] + x] = FlowDays[p][x];
                flowAmount[flowStart[p] + x] = (double)h.Flows[x].Amount;
            }
        }
        return new MetricsColumns(closes, Histories.Select(h => (double)h.StartingCash).ToArray(), fillStart, fillDay, fillRow, fillQuantity, fillPrice, fillFees,
            flowStart, flowDay, flowAmount);
    }

    // The same bars as columns (what portfolio_pandas.py reads from its files): start, open, high, low, volume per instrument.
    public required DateTimeOffset[][] BarStart { get; init; }
    public required double[][] BarOpen { get; init; }
    public required double[][] BarHigh { get; init; }
    public required double[][] BarLow { get; init; }
    public required double[][] BarVolume { get; init; }

    /// <summary>
    /// The orders as one <see cref="DailyOrders"/> batch for <see cref="DailyMatcher"/> (order k is batch index k, on instrument
    /// <see cref="OrderInstrument"/>[k]). A run starts every order from this state, so one batch serves every run.
    /// </summary>
    public DailyOrders NewDailyOrders()
    {
        var batch = new DailyOrders(OrderCount);
        for (var k = 0; k < OrderCount; k++)
        {
            batch.Add(k, OrderInstrument[k], Sides[k], Types[k], OrderTif[k], (double)OrderQuantity[k],
                OrderLimit[k] is { } l ? (double)l : null, OrderStop[k] is { } s ? (double)s : null, OrderPlacedAt[k]);
        }
        return batch;
    }

    /// <summary>Fresh orders for one run, grouped by instrument (the bulk <see cref="MatchingEngine.Run(ReadOnlySpan{MatchBar}, IReadOnlyList{MatchOrder}, ExecutionSettings, List{MatchFill}, VolumeProfile?)"/> takes one instrument's orders).</summary>
    public List<MatchOrder>[] NewOrders()
    {
        var byInstrument = new List<MatchOrder>[Bars.Length];
        for (var i = 0; i < byInstrument.Length; i++) byInstrument[i] = new List<MatchOrder>(OrderCount / Bars.Length + 16);
        for (var k = 0; k < OrderCount; k++)
        {
            byInstrument[OrderInstrument[k]].Add(new MatchOrder
            {
                Id = k,
                Side = Sides[k],
                Type = Types[k],
                TimeInForce = OrderTif[k],
                Quantity = OrderQuantity[k],
                LimitPrice = OrderLimit[k],
                StopPrice = OrderStop[k],
                PlacedAt = OrderPlacedAt[k],
            });
        }
        return byInstrument;
    }

    public static PortfolioBenchData Create(PortfolioBenchOptions o)
    {
        var random = new Random(o.Seed);

        // Matching bars: a geometric random walk per instrument with overnight gaps, OHLC consistent, in cents; log-normal
        // volume around 50 000 shares (so the 1 % cap, ~500 shares, binds on the larger orders) and 1 % of bars without trades.
        var days = Weekdays(new DateOnly(2019, 1, 7), o.Days);
        var bars = new MatchBar[o.Instruments][];
        for (var i = 0; i < o.Instruments; i++)
        {
            var row = new MatchBar[days.Length];
            var close = 20.0 + random.NextDouble() * 180;
            for (var t = 0; t < days.Length; t++)
            {
                var open = Cents(close * Math.Exp(0.01 * Gaussian(random)));
                close = Math.Max(0.05, close * Math.Exp(0.02 * Gaussian(random)));
                var c = Cents(close);
                var high = Math.Max(Math.Max(open, c), Cents(Math.Max((double)open, close) * (1 + Math.Abs(0.01 * Gaussian(random)))));
                var low = Math.Min(Math.Min(open, c), Math.Max(0.01m, Cents(Math.Min((double)open, close) * (1 - Math.Abs(0.01 * Gaussian(random))))));
                var volume = random.Next(100) == 0 ? 0m : Math.Round((decimal)(50_000 * Math.Exp(0.5 * Gaussian(random))));
                var start = new DateTimeOffset(days[t].ToDateTime(new TimeOnly(9, 30)), Offset);
                row[t] = new MatchBar(start, open, high, low, c, volume, null, false, TimeSpan.FromHours(6.5), days[t]);
                close = (double)c;
            }
            bars[i] = row;
        }

        // Orders: 40 % market, 35 % limit, 25 % stop; buy or sell; 30 % day, 70 % good-till-cancelled; 1–3 000 shares.
        // Placed before a session's open (first eligible bar: that session) or during it (the next session's), with the limit
        // or stop set around the last close known then: mostly away from the market, sometimes marketable.
        var n = o.Orders;
        var instrument = new int[n];
        var placedAt = new DateTimeOffset[n];
        var type = new OrderType[n];
        var side = new OrderSide[n];
        var tif = new TimeInForce[n];
        var quantity = new decimal[n];
        var limit = new decimal?[n];
        var stop = new decimal?[n];
        for (var k = 0; k < n; k++)
        {
            var i = random.Next(o.Instruments);
            var day = random.Next(days.Length);
            var during = random.Next(2) == 1;
            instrument[k] = i;
            placedAt[k] = new DateTimeOffset(days[day].ToDateTime(during ? new TimeOnly(13, 0) : new TimeOnly(8, 0)), Offset);
            var reference = during ? bars[i][day].Open : day > 0 ? bars[i][day - 1].Close : bars[i][0].Open;
            var roll = random.Next(100);
            type[k] = roll < 40 ? OrderType.Market : roll < 75 ? OrderType.Limit : OrderType.StopLoss;
            side[k] = random.Next(2) == 0 ? OrderSide.Buy : OrderSide.Sell;
            tif[k] = random.Next(10) < 3 ? TimeInForce.Day : TimeInForce.Gtc;
            quantity[k] = random.Next(1, 3_001);
            // Away from the market by −1 % … +6 %: below for a buy limit or a sell stop, above for a sell limit or a buy stop.
            var away = (decimal)(-0.01 + random.NextDouble() * 0.07);
            var below = Math.Max(0.01m, Math.Round(reference * (1 - away), 2));
            var above = Math.Round(reference * (1 + away), 2);
            var buy = side[k] == OrderSide.Buy;
            if (type[k] == OrderType.Limit) limit[k] = buy ? below : above;
            else if (type[k] == OrderType.StopLoss) stop[k] = buy ? above : below;
        }

        // Marking: 10 % flat, 70 % of the rest long, 1–1 000 units, cost 5–500, mark within about ±10 % of it.
        var m = o.Positions;
        var mq = new double[m];
        var mc = new double[m];
        var mp = new double[m];
        for (var k = 0; k < m; k++)
        {
            mq[k] = random.Next(10) == 0 ? 0 : random.Next(1, 1_001) * (random.Next(10) < 7 ? 1 : -1);
            mc[k] = (double)Cents(5 + random.NextDouble() * 495);
            mp[k] = (double)Cents(mc[k] * Math.Exp(0.1 * Gaussian(random)));
        }

        // Metrics: one year of closes for the grid's instruments (1 % missing after the first day, carried forward), and per
        // portfolio 10 instruments, 100 fills (60 % buys of about 2 000 a time, at the day's close ± noise, fees 0.005/share
        // with a 1.00 minimum), 100 000 starting cash, a 10 000 deposit mid-year and a 5 000 withdrawal in the autumn.
        var gridDays = Weekdays(new DateOnly(2024, 1, 1), 252);
        var ids = Enumerable.Range(1, o.GridInstruments).Select(x => (long)x).ToArray();
        var closes = new decimal?[ids.Length][];
        var carried = new decimal[ids.Length][];
        for (var i = 0; i < ids.Length; i++)
        {
            closes[i] = new decimal?[gridDays.Length];
            carried[i] = new decimal[gridDays.Length];
            var price = 20.0 + random.NextDouble() * 180;
            var last = 0m;
            for (var t = 0; t < gridDays.Length; t++)
            {
                price = Math.Max(0.05, price * Math.Exp(0.02 * Gaussian(random)));
                if (t == 0 || random.Next(100) != 0)
                {
                    last = Cents(price);
                    closes[i][t] = last;
                }
                carried[i][t] = last;
            }
        }
        var histories = new PortfolioHistory[o.Portfolios];
        var fillDays = new int[o.Portfolios][];
        var flowDays = new int[o.Portfolios][];
        for (var p = 0; p < histories.Length; p++)
        {
            var held = new HashSet<int>();
            while (held.Count < 10) held.Add(random.Next(ids.Length));
            var pick = held.ToArray();
            var when = new int[100];
            for (var x = 0; x < when.Length; x++) when[x] = random.Next(gridDays.Length);
            Array.Sort(when);
            var fills = new Fill[when.Length];
            for (var x = 0; x < fills.Length; x++)
            {
                var row = pick[random.Next(pick.Length)];
                var close = carried[row][when[x]];
                var price = Math.Max(0.01m, Math.Round(close * (decimal)(1 + 0.002 * Gaussian(random)), 2));
                var qty = Math.Max(1m, Math.Round(2_000m / price * (decimal)(0.5 + random.NextDouble())));
                var fees = Math.Max(1m, Math.Round(0.005m * qty, 2));
                var fillSide = random.Next(10) < 6 ? OrderSide.Buy : OrderSide.Sell;
                var ts = new DateTimeOffset(gridDays[when[x]].ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero);
                fills[x] = new Fill(ids[row], fillSide, qty, price, fees, ts);
            }
            var flowAt = new[] { 126, 200 }.Where(d => d < gridDays.Length).ToArray();
            var flows = flowAt.Select((d, j) => new CashFlow(gridDays[d], j == 0 ? 10_000m : -5_000m)).ToArray();
            histories[p] = new PortfolioHistory(100_000m, flows, fills);
            fillDays[p] = when;
            flowDays[p] = flowAt;
        }

        return new PortfolioBenchData
        {
            Bars = bars,
            BarStart = bars.Select(row => row.Select(b => b.Start).ToArray()).ToArray(),
            BarOpen = bars.Select(row => row.Select(b => (double)b.Open).ToArray()).ToArray(),
            BarHigh = bars.Select(row => row.Select(b => (double)b.High).ToArray()).ToArray(),
            BarLow = bars.Select(row => row.Select(b => (double)b.Low).ToArray()).ToArray(),
            BarVolume = bars.Select(row => row.Select(b => (double)b.Volume).ToArray()).ToArray(),
            OrderInstrument = instrument,
            OrderPlacedAt = placedAt,
            Types = type,
            Sides = side,
            OrderTif = tif,
            OrderQuantity = quantity,
            OrderLimit = limit,
            OrderStop = stop,
            MarkQuantity = mq,
            MarkCost = mc,
            MarkPrice = mp,
            GridDays = gridDays,
            GridIds = ids,
            GridCloses = closes,
            Histories = histories,
            FillDays = fillDays,
            FlowDays = flowDays,
        };
    }

    /// <summary>
    /// Writes the inputs for <c>portfolio_pandas.py</c> as raw little-endian arrays (int64 and float64, one column after
    /// another) and <c>params.txt</c> (the settings as key=value lines). The script's docstring lists the files.
    /// </summary>
    public void Write(string dir, PortfolioBenchOptions o)
    {
        var lengths = Bars.Select(b => (long)b.Length).ToArray();
        var all = Bars.SelectMany(b => b).ToArray();
        WriteColumns(Path.Combine(dir, "m_bar_lengths.bin"), lengths);
        WriteColumns(Path.Combine(dir, "m_bar_start.bin"), all.Select(b => b.Start.ToUnixTimeSeconds()).ToArray());
        WriteColumns(Path.Combine(dir, "m_bars.bin"),
            all.Select(b => (double)b.Open).ToArray(), all.Select(b => (double)b.High).ToArray(), all.Select(b => (double)b.Low).ToArray(),
            all.Select(b => (double)b.Close).ToArray(), all.Select(b => (double)b.Volume).ToArray());
        WriteColumns(Path.Combine(dir, "m_orders_int.bin"),
            OrderInstrument.Select(x => (long)x).ToArray(), OrderPlacedAt.Select(x => x.ToUnixTimeSeconds()).ToArray(),
            Types.Select(x => (long)x).ToArray(), Sides.Select(x => (long)x).ToArray(), OrderTif.Select(x => (long)x).ToArray());
        WriteColumns(Path.Combine(dir, "m_orders_float.bin"),
            OrderQuantity.Select(x => (double)x).ToArray(), OrderLimit.Select(x => x is { } v ? (double)v : double.NaN).ToArray(),
            OrderStop.Select(x => x is { } v ? (double)v : double.NaN).ToArray());

        WriteColumns(Path.Combine(dir, "k_positions.bin"), MarkQuantity, MarkCost, MarkPrice);

        WriteColumns(Path.Combine(dir, "g_closes.bin"), GridCloses.Select(row => row.Select(c => c is { } v ? (double)v : double.NaN).ToArray()).ToArray());
        var fillPortfolio = new List<long>();
        var fillDay = new List<long>();
        var fillRow = new List<long>();
        var fillQty = new List<double>();
        var fillPrice = new List<double>();
        var fillFees = new List<double>();
        var flowPortfolio = new List<long>();
        var flowDay = new List<long>();
        var flowAmount = new List<double>();
        for (var p = 0; p < Histories.Length; p++)
        {
            var h = Histories[p];
            for (var x = 0; x < h.Fills.Length; x++)
            {
                var f = h.Fills[x];
                fillPortfolio.Add(p);
                fillDay.Add(FillDays[p][x]);
                fillRow.Add(f.InstrumentId - 1);
                fillQty.Add((double)(f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity));
                fillPrice.Add((double)f.Price);
                fillFees.Add((double)f.Fees);
            }
            for (var x = 0; x < h.Flows.Length; x++)
            {
                flowPortfolio.Add(p);
                flowDay.Add(FlowDays[p][x]);
                flowAmount.Add((double)h.Flows[x].Amount);
            }
        }
        WriteColumns(Path.Combine(dir, "g_fills_int.bin"), fillPortfolio.ToArray(), fillDay.ToArray(), fillRow.ToArray());
        WriteColumns(Path.Combine(dir, "g_fills_float.bin"), fillQty.ToArray(), fillPrice.ToArray(), fillFees.ToArray());
        WriteColumns(Path.Combine(dir, "g_flows_int.bin"), flowPortfolio.ToArray(), flowDay.ToArray());
        WriteColumns(Path.Combine(dir, "g_flows_float.bin"), flowAmount.ToArray());
        WriteColumns(Path.Combine(dir, "g_starting_cash.bin"), Histories.Select(h => (double)h.StartingCash).ToArray());

        var s = Settings;
        File.WriteAllLines(Path.Combine(dir, "params.txt"),
        [
            $"instruments={Bars.Length}", $"orders={OrderCount}", $"positions={MarkQuantity.Length}", $"portfolios={Histories.Length}",
            $"grid_instruments={GridIds.Length}", $"grid_days={GridDays.Length}", $"repeats={o.Repeats}", $"marking_reps={o.MarkingReps}",
            $"max_volume_share={Inv(s.MaxVolumeShare)}", $"quantity_increment={Inv(s.QuantityIncrement)}",
            $"per_share={Inv(s.Commission.PerShare)}", $"percent_of_notional={Inv(s.Commission.PercentOfNotional)}",
            $"per_order={Inv(s.Commission.PerOrder)}", $"minimum_per_fill={Inv(s.Commission.MinimumPerFill)}",
            $"max_percent_of_notional={(s.Commission.MaxPercentOfNotional is { } max ? Inv(max) : "none")}",
            $"adverse_bps={Inv(s.Slippage.AdverseBps)}", $"range_share={Inv(s.Slippage.RangeShare)}",
            $"trade_through={(s.TradeThrough ? 1 : 0)}",
        ]);
    }

    private static string Inv(decimal d) => d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void WriteColumns<T>(string path, params T[][] columns) where T : unmanaged
    {
        using var file = File.Create(path);
        foreach (var column in columns) file.Write(MemoryMarshal.AsBytes(column.AsSpan()));
    }

    private static DateOnly[] Weekdays(DateOnly from, int count)
    {
        var days = new DateOnly[count];
        var d = from;
        for (var t = 0; t < count; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days[t++] = d;
        return days;
    }

    private static decimal Cents(double x) => Math.Max(0.01m, Math.Round((decimal)x, 2));

    private static double Gaussian(Random random)
    {
        var u = 1 - random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
