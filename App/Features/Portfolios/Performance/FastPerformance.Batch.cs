using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Signalbook.Features.Portfolios.Performance;

public static partial class FastPerformance
{
    /// <summary>
    /// Runs every portfolio of <paramref name="batch"/> against <paramref name="closes"/>: the same summaries as
    /// <see cref="RunMany(PriceGrid, IReadOnlyList{CompiledPortfolio}, MetricsOptions?, int)"/> (held to the exact path
    /// within 1e-9 by the tests), computed slot by slot instead of day by day: each held instrument adds quantity × close
    /// to a per-day long or short column over each span of days its position is constant (a vector loop), so a day costs
    /// nothing for instruments not held and nothing is divided per instrument. One workspace per thread, reused from
    /// portfolio to portfolio; with <paramref name="maxDegreeOfParallelism"/> &gt; 1 the portfolios are spread over the
    /// thread pool (results in batch order).
    /// </summary>
    public static FastPerformanceSummary[] RunBatch(PriceGrid closes, PortfolioBatch batch, MetricsOptions? options = null, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(closes);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.DayCount != closes.DayCount)
            throw new ArgumentException($"The batch counts {batch.DayCount} days; the grid has {closes.DayCount}.", nameof(batch));
        return RunBatchCore(closes.MarksAsDouble, closes.InstrumentIds.Count, batch, options, maxDegreeOfParallelism);
    }

    /// <summary>
    /// <see cref="RunBatch(PriceGrid, PortfolioBatch, MetricsOptions?, int)"/> on closes given as one instrument-major
    /// matrix (row r's closes are <c>closes[r × days .. (r + 1) × days)</c>, <see cref="double.NaN"/> where missing); a
    /// missing close is carried forward from the last known one here, as <see cref="PriceGrid"/> does.
    /// </summary>
    public static FastPerformanceSummary[] RunBatch(ReadOnlySpan<double> closes, PortfolioBatch batch, MetricsOptions? options = null, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var n = batch.DayCount;
        if (n == 0 ? closes.Length != 0 : closes.Length % n != 0)
            throw new ArgumentException($"The closes ({closes.Length}) are not whole rows of {n} days.", nameof(closes));
        var rows = n == 0 ? 0 : closes.Length / n;
        var marks = ArrayPool<double>.Shared.Rent(Math.Max(1, closes.Length)); // reused from call to call: no fresh pages to fault in
        for (var r = 0; r < rows; r++)
        {
            var last = double.NaN;
            var row = closes.Slice(r * n, n);
            var mark = marks.AsSpan(r * n, n);
            for (var t = 0; t < row.Length; t++)
            {
                var c = row[t];
                if (!double.IsNaN(c)) last = c;
                mark[t] = last;
            }
        }
        try
        {
            return RunBatchCore(marks, rows, batch, options, maxDegreeOfParallelism);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(marks);
        }
    }

    /// <summary>Histories compiled into a <see cref="PortfolioBatch"/> and run: <see cref="RunMany(PriceGrid, IReadOnlyList{PortfolioHistory}, MetricsOptions?, int)"/> without a compiled object per portfolio.</summary>
    public static FastPerformanceSummary[] RunBatch(PriceGrid closes, IReadOnlyList<PortfolioHistory> portfolios, MetricsOptions? options = null, int maxDegreeOfParallelism = 1) =>
        RunBatch(closes, PortfolioBatch.From(closes, portfolios), options, maxDegreeOfParallelism);

    private static FastPerformanceSummary[] RunBatchCore(double[] marks, int rows, PortfolioBatch batch, MetricsOptions? options, int maxDegreeOfParallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        options ??= MetricsOptions.Default;
        var n = batch.DayCount;
        // The first day each row has a close (marks are carried forward, so known from then on); n when never.
        var firstKnown = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            var t = 0;
            while (t < n && double.IsNaN(marks[r * n + t])) t++;
            firstKnown[r] = t;
        }
        var instruments = batch.EventInstrument;
        for (var e = 0; e < batch.EventStart(batch.Count); e++)
        {
            if (instruments[e] >= rows) throw new ArgumentException($"An event names instrument row {instruments[e]}; the closes have {rows} rows.", nameof(batch));
        }

        var results = new FastPerformanceSummary[batch.Count];
        if (maxDegreeOfParallelism == 1 || batch.Count < 2)
        {
            var w = new BatchWorkspace(n, rows);
            for (var p = 0; p < results.Length; p++) results[p] = RunOne(batch, p, marks, firstKnown, options, w);
        }
        else
        {
            var chunks = Math.Min(batch.Count, maxDegreeOfParallelism * 8);
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => new BatchWorkspace(n, rows),
                (c, _, w) =>
                {
                    var from = (int)((long)results.Length * c / chunks);
                    var to = (int)((long)results.Length * (c + 1) / chunks);
                    for (var p = from; p < to; p++) results[p] = RunOne(batch, p, marks, firstKnown, options, w);
                    return w;
                },
                _ => { });
        }
        return results;
    }

    private static FastPerformanceSummary RunOne(PortfolioBatch batch, int p, double[] marks, int[] firstKnown, MetricsOptions options, BatchWorkspace w)
    {
        var n = batch.DayCount;
        w.Begin();
        var cashDelta = w.CashDelta;
        var flowOf = w.Flow;

        // Events: the lots and trades in order; each change of a position closes the span of days it held still.
        int trades = 0, wins = 0, losses = 0;
        double grossProfit = 0, grossLoss = 0;
        var days = batch.EventDay;
        var instruments = batch.EventInstrument;
        var quantities = batch.EventQuantity;
        var prices = batch.EventPrice;
        var feesOf = batch.EventFees;
        for (int e = batch.EventStart(p), end = batch.EventStart(p + 1); e < end; e++)
        {
            var d = days[e];
            var key = instruments[e];
            var k = w.SlotOf(key);
            var price = prices[e];
            if (double.IsNaN(price))
            {
                if (k < 0) continue; // a split of an instrument never traded: nothing to scale
                var ratio = quantities[e];
                Mark(w, k, d, marks, firstKnown, n);
                w.Quantity[k] *= ratio;
                w.LastPrice[k] /= ratio;
                w.Lots[k].Split(ratio);
                continue;
            }
            if (k < 0) k = w.AddSlot(key, d);
            else Mark(w, k, d, marks, firstKnown, n);
            var q = quantities[e];
            var fees = feesOf[e];
            cashDelta[d] += -q * price - fees;
            w.LastPrice[k] = price;
            var realised = w.Lots[k].ApplyOneDivision(ref w.Quantity[k], q, price, fees, out var closed);
            if (closed)
            {
                trades++;
                if (realised > BreakEven)
                {
                    wins++;
                    grossProfit += realised;
                }
                else if (realised < -BreakEven)
                {
                    losses++;
                    grossLoss += realised;
                }
            }
        }
        for (var k = 0; k < w.SlotCount; k++) Mark(w, k, n, marks, firstKnown, n);

        var totalFlows = 0.0;
        var flowDays = batch.FlowDay;
        var amounts = batch.FlowAmount;
        for (int f = batch.FlowStart(p), end = batch.FlowStart(p + 1); f < end; f++)
        {
            flowOf[flowDays[f]] += amounts[f];
            cashDelta[flowDays[f]] += amounts[f];
            totalFlows += amounts[f];
        }

        // Equity per day (cash is a running sum), then the returns and exposure ratios in vectors.
        var startingCash = batch.StartingCash(p);
        var equity = w.Equity;
        var longValue = w.Long;
        var shortValue = w.Short;
        var cash = startingCash;
        for (var t = 0; t < n; t++)
        {
            cash += cashDelta[t]; // the day's fills and flows
            equity[t] = cash + longValue[t] + shortValue[t];
        }
        var returns = w.Returns;
        var (ratioSum, ratioDays) = ReturnsAndExposure(startingCash, equity, flowOf, longValue, shortValue, returns, n);

        // The TWR index, its peak before each day, and the days in the market: chains without branches.
        var growthOf = w.Growth;
        var peakBefore = w.PeakBefore;
        double growth = 1, sum = 0, peak = 1;
        var open = 0;
        var inMarket = 0;
        var openDelta = w.OpenDelta;
        for (var t = 0; t < n; t++)
        {
            var r = returns[t];
            sum += r;
            growth *= 1 + r;
            growthOf[t] = growth;
            peakBefore[t] = peak;
            peak = growth > peak ? growth : peak; // not Math.Max: a NaN day leaves the peak as it was
            open += openDelta[t];
            inMarket += open > 0 ? 1 : 0;
        }
        var drawdown = Drawdown(growthOf, peakBefore, n);

        // Sharpe and Sortino as PerformanceMetrics computes them: the mean, then the squared deviations from it.
        double? sharpe = null, sortino = null;
        if (n >= 2)
        {
            var mean = sum / n;
            var (squares, downside) = Deviations(returns.AsSpan(0, n), mean, options.SortinoTargetDailyReturn);
            var sd = Math.Sqrt(squares / (n - 1));
            if (sd >= PerformanceMetrics.ZeroVolatility) sharpe = (mean - options.RiskFreeDailyRate) / sd * SqrtYear;
            var dd = Math.Sqrt(downside / n);
            if (dd >= PerformanceMetrics.ZeroVolatility) sortino = (mean - options.RiskFreeDailyRate) / dd * SqrtYear;
        }
        var twr = growth - 1;
        var ending = n == 0 ? startingCash : equity[n - 1];
        return new FastPerformanceSummary(
            n,
            ending,
            ending - startingCash - totalFlows,
            twr,
            PerformanceMetrics.Annualise(twr, n),
            sharpe,
            sortino,
            drawdown.Max,
            drawdown.PeakDay,
            drawdown.TroughDay,
            drawdown.RecoveryDay,
            trades,
            wins,
            losses,
            grossProfit,
            grossLoss,
            trades == 0 ? null : (double)wins / trades,
            losses == 0 ? null : grossProfit / -grossLoss,
            n == 0 ? null : (double)inMarket / n,
            ratioDays == 0 ? null : ratioSum / ratioDays);
    }

    /// <summary>
    /// r_t = P&amp;L_t ÷ basis_t (PerformanceMetrics.DailyReturns, in doubles; the same operations per day, so the same
    /// values) and Σ gross exposure ÷ equity over the days with positive equity, several days per vector.
    /// </summary>
    private static (double Sum, int Days) ReturnsAndExposure(double startingCash, double[] equity, double[] flow, double[] longValue, double[] shortValue, double[] returns, int n)
    {
        double ratioSum = 0;
        var ratioDays = 0;
        if (n == 0) return (0, 0);
        ref var e = ref MemoryMarshal.GetArrayDataReference(equity);
        ref var f = ref MemoryMarshal.GetArrayDataReference(flow);
        ref var l = ref MemoryMarshal.GetArrayDataReference(longValue);
        ref var s = ref MemoryMarshal.GetArrayDataReference(shortValue);
        ref var r = ref MemoryMarshal.GetArrayDataReference(returns);
        // Day 0 against the starting cash, then days 1.. against the day before.
        returns[0] = DailyReturn(equity[0], startingCash, flow[0]);
        if (equity[0] > 0)
        {
            ratioSum += (longValue[0] - shortValue[0]) / equity[0];
            ratioDays++;
        }
        var t = 1;
        if (Vector.IsHardwareAccelerated)
        {
            var count = Vector<double>.Count;
            var zero = Vector<double>.Zero;
            var minusOne = new Vector<double>(-1.0);
            var sums = Vector<double>.Zero;
            var days = Vector<long>.Zero;
            for (; t + count <= n; t += count)
            {
                var today = Vector.LoadUnsafe(ref e, (nuint)t);
                var before = Vector.LoadUnsafe(ref e, (nuint)(t - 1));
                var flows = Vector.LoadUnsafe(ref f, (nuint)t);
                var pnl = today - before - flows;
                var basis = Vector.ConditionalSelect(Vector.GreaterThan(before, zero), before, before + flows);
                var ret = Vector.ConditionalSelect(Vector.GreaterThan(basis, zero), pnl / basis, zero);
                ret = Vector.ConditionalSelect(Vector.LessThan(ret, minusOne), minusOne, ret);
                ret.StoreUnsafe(ref r, (nuint)t);
                var positive = Vector.GreaterThan(today, zero);
                var ratio = (Vector.LoadUnsafe(ref l, (nuint)t) - Vector.LoadUnsafe(ref s, (nuint)t)) / today;
                sums += Vector.ConditionalSelect(positive, ratio, zero);
                days -= positive; // a true lane is all ones: −1
            }
            ratioSum += Vector.Sum(sums);
            ratioDays += (int)Vector.Sum(days);
        }
        for (; t < n; t++)
        {
            returns[t] = DailyReturn(equity[t], equity[t - 1], flow[t]);
            if (equity[t] > 0)
            {
                ratioSum += (longValue[t] - shortValue[t]) / equity[t];
                ratioDays++;
            }
        }
        return (ratioSum, ratioDays);
    }

    private static double DailyReturn(double equity, double previous, double flow)
    {
        var pnl = equity - previous - flow;
        var basis = previous > 0 ? previous : previous + flow;
        var r = basis > 0 ? pnl / basis : 0.0;
        return r < -1 ? -1 : r;
    }

    /// <summary>
    /// The deepest drawdown of the TWR index, as <see cref="PerformanceMetrics"/> finds it day by day: a day is in drawdown
    /// when its index is below its peak so far (less a relative <see cref="Tolerance"/>); the deepest is the first day of the
    /// lowest index ÷ peak − 1; its peak day is the last day before it that set a new peak (−1 for the start); its recovery
    /// the first day after it not in drawdown (−1 if none). The search for the deepest day runs several days per vector.
    /// </summary>
    private static (double Max, int PeakDay, int TroughDay, int RecoveryDay) Drawdown(double[] growth, double[] peakBefore, int n)
    {
        const double atPeak = 1 - Tolerance;
        var deepest = 0.0;
        var trough = -1;
        var t = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<double>.Count)
        {
            ref var g = ref MemoryMarshal.GetArrayDataReference(growth);
            ref var p = ref MemoryMarshal.GetArrayDataReference(peakBefore);
            var limit = new Vector<double>(atPeak);
            var one = Vector<double>.One;
            var best = Vector<double>.Zero;
            var bestDay = new Vector<long>(-1);
            var day = Vector<long>.Indices;
            var step = new Vector<long>(Vector<double>.Count);
            for (; t + Vector<double>.Count <= n; t += Vector<double>.Count)
            {
                var index = Vector.LoadUnsafe(ref g, (nuint)t);
                var peak = Vector.LoadUnsafe(ref p, (nuint)t);
                var down = index / peak - one;
                var deeper = Vector.LessThan(index, peak * limit) & Vector.LessThan(down, best); // strictly: a lane keeps its first
                best = Vector.ConditionalSelect(deeper, down, best);
                bestDay = Vector.ConditionalSelect(deeper, day, bestDay);
                day += step;
            }
            for (var lane = 0; lane < Vector<double>.Count; lane++)
            {
                // The lowest value; between lanes that tie, the earliest day.
                if (bestDay[lane] >= 0 && (best[lane] < deepest || (best[lane] == deepest && bestDay[lane] < trough)))
                {
                    deepest = best[lane];
                    trough = (int)bestDay[lane];
                }
            }
        }
        for (; t < n; t++)
        {
            if (!(growth[t] < peakBefore[t] * atPeak)) continue;
            var down = growth[t] / peakBefore[t] - 1;
            if (down < deepest)
            {
                deepest = down;
                trough = t;
            }
        }
        if (trough < 0) return (0, -1, -1, -1);
        var peakDay = trough - 1;
        while (peakDay >= 0 && !(growth[peakDay] > peakBefore[peakDay])) peakDay--;
        var recovery = trough + 1;
        while (recovery < n && !(growth[recovery] >= peakBefore[recovery] * atPeak)) recovery++;
        return (deepest, peakDay, trough, recovery < n ? recovery : -1);
    }

    /// <summary>Σ (r − mean)² and Σ min(0, r − target)², several days per vector.</summary>
    private static (double Squares, double Downside) Deviations(ReadOnlySpan<double> returns, double mean, double target)
    {
        double squares = 0, downside = 0;
        var t = 0;
        if (Vector.IsHardwareAccelerated && returns.Length >= Vector<double>.Count)
        {
            var m = new Vector<double>(mean);
            var goal = new Vector<double>(target);
            var sq = Vector<double>.Zero;
            var down = Vector<double>.Zero;
            for (; t + Vector<double>.Count <= returns.Length; t += Vector<double>.Count)
            {
                var r = new Vector<double>(returns[t..]);
                var d = r - m;
                sq += d * d;
                var shortfall = Vector.Min(r - goal, Vector<double>.Zero);
                down += shortfall * shortfall;
            }
            squares = Vector.Sum(sq);
            downside = Vector.Sum(down);
        }
        for (; t < returns.Length; t++)
        {
            var d = returns[t] - mean;
            squares += d * d;
            var shortfall = returns[t] - target;
            if (shortfall < 0) downside += shortfall * shortfall;
        }
        return (squares, downside);
    }

    /// <summary>
    /// Adds slot <paramref name="k"/>'s position to the long or short column over the days since it last changed, up to
    /// <paramref name="until"/> (exclusive): q × the day's close, or q × its last fill price before any close is known; and
    /// counts the span as days in the market.
    /// </summary>
    private static void Mark(BatchWorkspace w, int k, int until, double[] marks, int[] firstKnown, int n)
    {
        var from = w.SpanStart[k];
        w.SpanStart[k] = until;
        var q = w.Quantity[k];
        if (q == 0 || from >= until) return;
        w.OpenDelta[from]++;
        w.OpenDelta[until]--;
        var target = q > 0 ? w.Long : w.Short;
        var key = w.Key[k];
        var known = key >= 0 ? Math.Clamp(firstKnown[key], from, until) : until;
        var last = q * w.LastPrice[k];
        for (var t = from; t < known; t++) target[t] += last;
        if (known >= until) return;
        // Bounds: known < until ≤ n = target.Length, and key < rows so key × n + until ≤ marks.Length (checked per batch).
        ref var column = ref MemoryMarshal.GetArrayDataReference(target);
        ref var close = ref MemoryMarshal.GetArrayDataReference(marks);
        var offset = key * n;
        var i = known;
        var width = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var scale = new Vector<double>(q);
            for (; i + width <= until; i += width)
                (Vector.LoadUnsafe(ref column, (nuint)i) + scale * Vector.LoadUnsafe(ref close, (nuint)(offset + i))).StoreUnsafe(ref column, (nuint)i);
            // The last days of the span in one more vector, its lanes past the span left as they were: the workspace's
            // columns have a vector of room past the last day, and the closes are read past the span only where the
            // array goes on (a short span then costs no scalar loop and no mispredicted loop exit).
            if (i < until && offset + i + width <= marks.Length)
            {
                var inside = Vector.LessThan(Vector<long>.Indices + new Vector<long>(i), new Vector<long>(until)).As<long, double>();
                var current = Vector.LoadUnsafe(ref column, (nuint)i);
                Vector.ConditionalSelect(inside, current + scale * Vector.LoadUnsafe(ref close, (nuint)(offset + i)), current).StoreUnsafe(ref column, (nuint)i);
                return;
            }
        }
        for (; i < until; i++) target[i] += q * marks[offset + i];
    }

    /// <summary>Per-thread scratch space of <see cref="RunBatch(PriceGrid, PortfolioBatch, MetricsOptions?, int)"/>, reused from portfolio to portfolio.</summary>
    private sealed class BatchWorkspace(int days, int rows)
    {

        public readonly double[] Long = new double[days + Vector<double>.Count];
        public readonly double[] Short = new double[days + Vector<double>.Count];
        public readonly double[] CashDelta = new double[days];
        public readonly double[] Flow = new double[days];
        public readonly double[] Returns = new double[days];
        public readonly double[] Growth = new double[days];
        public readonly double[] PeakBefore = new double[days];
        public readonly double[] Equity = new double[days];
        public readonly int[] OpenDelta = new int[days + 1]; // +1 where a held span starts, −1 after it ends

        // Slots: the instruments the current portfolio has traded. A grid row finds its slot through _slotOfRow, valid
        // when _rowStamp matches this portfolio's stamp (so nothing is cleared between portfolios).
        private readonly int[] _slotOfRow = new int[rows];
        private readonly int[] _rowStamp = new int[rows];
        private int _stamp;
        public int SlotCount;
        public int[] Key = new int[16];
        public double[] Quantity = new double[16];
        public double[] LastPrice = new double[16];
        public int[] SpanStart = new int[16];
        public LotQueue[] Lots = [.. Enumerable.Range(0, 16).Select(_ => new LotQueue())];

        public void Begin()
        {
            Array.Clear(Long);
            Array.Clear(Short);
            Array.Clear(CashDelta);
            Array.Clear(Flow);
            Array.Clear(OpenDelta);
            SlotCount = 0;
            if (++_stamp == int.MaxValue)
            {
                Array.Clear(_rowStamp);
                _stamp = 1;
            }
        }

        public int SlotOf(int key)
        {
            if (key >= 0) return _rowStamp[key] == _stamp ? _slotOfRow[key] : -1;
            for (var k = 0; k < SlotCount; k++)
            {
                if (Key[k] == key) return k;
            }
            return -1;
        }

        public int AddSlot(int key, int day)
        {
            if (SlotCount == Key.Length)
            {
                var size = SlotCount * 2;
                Array.Resize(ref Key, size);
                Array.Resize(ref Quantity, size);
                Array.Resize(ref LastPrice, size);
                Array.Resize(ref SpanStart, size);
                var lots = new LotQueue[size];
                Array.Copy(Lots, lots, SlotCount);
                for (var k = SlotCount; k < size; k++) lots[k] = new LotQueue();
                Lots = lots;
            }
            var slot = SlotCount++;
            Key[slot] = key;
            Quantity[slot] = 0;
            LastPrice[slot] = 0;
            SpanStart[slot] = day;
            Lots[slot].Clear();
            if (key >= 0)
            {
                _slotOfRow[key] = slot;
                _rowStamp[key] = _stamp;
            }
            return slot;
        }
    }
}
