namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// A portfolio's history compiled against a <see cref="PriceGrid"/> for <see cref="FastPerformance"/>: events turned into
/// day indices, instruments into slots, amounts into doubles. Compile once, recompute as often as needed.
/// </summary>
public sealed class CompiledPortfolio
{
    internal PriceGrid Grid = null!;
    internal double StartingCash;
    internal int SlotCount;
    internal int[] SlotRowOffset = [];
    // Fills and splits in the order the exact path applies them (by date, a split before the fills of its date).
    internal int[] EventDay = [];
    internal bool[] EventIsSplit = [];
    internal int[] EventSlot = [];
    internal double[] EventQuantity = []; // signed quantity of a fill; the ratio of a split
    internal double[] EventPrice = [];
    internal double[] EventFees = [];
    internal int[] FlowDay = [];
    internal double[] FlowAmount = [];

    private CompiledPortfolio()
    {
    }

    /// <summary>Compiles a history. Same rules as <see cref="EquityCurve.Build"/>: events off the trading days count on the next one, events after the last day are dropped.</summary>
    public static CompiledPortfolio Compile(PriceGrid closes, PortfolioHistory history)
    {
        ArgumentNullException.ThrowIfNull(closes);
        ArgumentNullException.ThrowIfNull(history);
        var days = closes.DayArray;
        var fills = history.Fills;
        var splits = history.Splits ?? [];
        var slots = new Dictionary<long, int>();
        var rowOffsets = new List<int>();
        var capacity = fills.Length + splits.Length;
        var eventDay = new int[capacity];
        var isSplit = new bool[capacity];
        var slot = new int[capacity];
        var quantity = new double[capacity];
        var price = new double[capacity];
        var fees = new double[capacity];
        var count = 0;
        int x = 0, s = 0, day = 0;
        var lastFill = DateOnly.MinValue;
        var lastSplit = DateOnly.MinValue;
        while (x < fills.Length || s < splits.Length)
        {
            var takeSplit = s < splits.Length && (x >= fills.Length || splits[s].Date <= fills[x].Date);
            var date = takeSplit ? splits[s].Date : fills[x].Date;
            if (takeSplit)
            {
                if (date < lastSplit) throw new ArgumentException($"The splits must be in date order: {date} comes after {lastSplit}.", nameof(history));
                lastSplit = date;
            }
            else
            {
                if (date < lastFill) throw new ArgumentException($"The fills must be in date order: {date} comes after {lastFill}.", nameof(history));
                lastFill = date;
            }
            while (day < days.Length && days[day] < date) day++; // events come in date order: the day only moves forward
            if (day == days.Length) break;
            if (takeSplit)
            {
                var split = splits[s++];
                if (split.Ratio <= 0) throw new ArgumentException($"Split ratio {split.Ratio} for instrument {split.InstrumentId} is not positive.", nameof(history));
                if (!slots.TryGetValue(split.InstrumentId, out var k)) continue; // never traded (yet): nothing to scale
                eventDay[count] = day;
                isSplit[count] = true;
                slot[count] = k;
                quantity[count++] = (double)split.Ratio;
            }
            else
            {
                var fill = fills[x++];
                fill.Validate();
                if (!slots.TryGetValue(fill.InstrumentId, out var k))
                {
                    k = slots.Count;
                    slots.Add(fill.InstrumentId, k);
                    var row = closes.IndexOf(fill.InstrumentId);
                    rowOffsets.Add(row < 0 ? -1 : closes.RowOffset(row));
                }
                eventDay[count] = day;
                slot[count] = k;
                quantity[count] = (double)fill.SignedQuantity;
                price[count] = (double)fill.Price;
                fees[count++] = (double)fill.Fees;
            }
        }

        var flows = history.Flows;
        var flowDay = new int[flows.Length];
        var flowAmount = new double[flows.Length];
        var flowCount = 0;
        var lastFlow = DateOnly.MinValue;
        day = 0;
        foreach (var flow in flows)
        {
            if (flow.Date < lastFlow) throw new ArgumentException($"The flows must be in date order: {flow.Date} comes after {lastFlow}.", nameof(history));
            lastFlow = flow.Date;
            while (day < days.Length && days[day] < flow.Date) day++;
            if (day == days.Length) break;
            flowDay[flowCount] = day;
            flowAmount[flowCount++] = (double)flow.Amount;
        }

        return new CompiledPortfolio
        {
            Grid = closes,
            StartingCash = (double)history.StartingCash,
            SlotCount = slots.Count,
            SlotRowOffset = [.. rowOffsets],
            EventDay = eventDay[..count],
            EventIsSplit = isSplit[..count],
            EventSlot = slot[..count],
            EventQuantity = quantity[..count],
            EventPrice = price[..count],
            EventFees = fees[..count],
            FlowDay = flowDay[..flowCount],
            FlowAmount = flowAmount[..flowCount],
        };
    }
}

/// <summary>
/// The bulk summary of one portfolio from <see cref="FastPerformance"/>: the headline figures of a
/// <see cref="PerformanceReport"/>, in doubles. Days are indices into the grid's days; −1 for none.
/// </summary>
public readonly record struct FastPerformanceSummary(
    int Days,
    double EndingEquity,
    double TotalPnl,
    double TimeWeightedReturn,
    double? AnnualisedReturn,
    double? Sharpe,
    double? Sortino,
    double MaxDrawdown,
    int PeakDay,
    int TroughDay,
    int RecoveryDay,
    int Trades,
    int Wins,
    int Losses,
    double GrossProfit,
    double GrossLoss,
    double? WinRate,
    double? ProfitFactor,
    double? TimeInMarket,
    double? AverageGrossExposure);

/// <summary>
/// The fast path for recomputing many portfolios at once (screening, benchmarks): one pass over the days per portfolio
/// in <see cref="double"/>, with the FIFO matching, equity, returns and every statistic accumulated on the way, and no
/// per-day arrays. Same definitions and conventions as <see cref="LotBook"/>, <see cref="EquityCurve"/> and
/// <see cref="PerformanceMetrics"/> (the tests hold it to them to 1e-9); money is rounded as doubles are, so the
/// exact <see cref="decimal"/> path stays the one for ledgers and display. Online forms: Welford's mean and variance
/// for Sharpe; the drawdown's recovery is the first day after the deepest trough back at its peak.
/// </summary>
public static partial class FastPerformance
{
    private const double Tolerance = 1e-12;

    /// <summary>A trade within this of zero (in money) is break-even, as its exact decimal P&amp;L would be: neither win nor loss.</summary>
    private const double BreakEven = 1e-9;
    private static readonly double SqrtYear = Math.Sqrt(PerformanceMetrics.TradingDaysPerYear);

    /// <summary>Compiles and runs every history (compiling costs about as much as running; compile once to rerun).</summary>
    public static FastPerformanceSummary[] RunMany(PriceGrid closes, IReadOnlyList<PortfolioHistory> portfolios, MetricsOptions? options = null, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(portfolios);
        var compiled = new CompiledPortfolio[portfolios.Count];
        for (var i = 0; i < compiled.Length; i++) compiled[i] = CompiledPortfolio.Compile(closes, portfolios[i]);
        return RunMany(closes, compiled, options, maxDegreeOfParallelism);
    }

    /// <summary>Runs compiled portfolios; with <paramref name="maxDegreeOfParallelism"/> &gt; 1 over the thread pool, results in input order.</summary>
    public static FastPerformanceSummary[] RunMany(PriceGrid closes, IReadOnlyList<CompiledPortfolio> portfolios, MetricsOptions? options = null, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(closes);
        ArgumentNullException.ThrowIfNull(portfolios);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        options ??= MetricsOptions.Default;
        var results = new FastPerformanceSummary[portfolios.Count];
        if (maxDegreeOfParallelism == 1)
        {
            var workspace = new Workspace();
            for (var i = 0; i < results.Length; i++) results[i] = Run(closes, portfolios[i], options, workspace);
        }
        else
        {
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, () => new Workspace(),
                (i, _, workspace) =>
                {
                    results[i] = Run(closes, portfolios[i], options, workspace);
                    return workspace;
                },
                _ => { });
        }
        return results;
    }

    public static FastPerformanceSummary Run(PriceGrid closes, CompiledPortfolio portfolio, MetricsOptions? options = null) =>
        Run(closes, portfolio, options ?? MetricsOptions.Default, new Workspace());

    private static FastPerformanceSummary Run(PriceGrid closes, CompiledPortfolio p, MetricsOptions options, Workspace w)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!ReferenceEquals(p.Grid, closes)) throw new ArgumentException("The portfolio was compiled against another price grid.", nameof(p));
        var n = closes.DayCount;
        var marks = closes.MarksAsDouble;
        w.Reset(p.SlotCount);
        var qty = w.Quantity;
        var lastPrice = w.LastPrice;
        var slotRow = p.SlotRowOffset;

        var cash = p.StartingCash;
        var previous = p.StartingCash;
        int e = 0, f = 0;
        var events = p.EventDay.Length;
        var flows = p.FlowDay.Length;

        // Trades.
        int trades = 0, wins = 0, losses = 0;
        double grossProfit = 0, grossLoss = 0;
        // Returns (Welford), downside, TWR.
        double growth = 1, mean = 0, m2 = 0, downside = 0;
        var target = options.SortinoTargetDailyReturn;
        // Drawdown of the TWR index.
        double peak = 1, maxDrawdown = 0, troughPeak = 1;
        int peakDay = -1, troughDay = -1, troughPeakDay = -1, recoveryDay = -1;
        // Exposure.
        var inMarket = 0;
        var ratioSum = 0.0;
        var ratioDays = 0;

        for (var t = 0; t < n; t++)
        {
            for (; e < events && p.EventDay[e] <= t; e++)
            {
                var k = p.EventSlot[e];
                if (p.EventIsSplit[e])
                {
                    var ratio = p.EventQuantity[e];
                    qty[k] *= ratio;
                    lastPrice[k] /= ratio;
                    w.Lots[k].Split(ratio);
                    continue;
                }
                var q = p.EventQuantity[e];
                var price = p.EventPrice[e];
                var fees = p.EventFees[e];
                cash += -q * price - fees;
                lastPrice[k] = price;
                var realised = w.Lots[k].Apply(ref qty[k], q, price, fees, out var closed);
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
            var flow = 0.0;
            for (; f < flows && p.FlowDay[f] <= t; f++) flow += p.FlowAmount[f];
            cash += flow;

            double longValue = 0, shortValue = 0;
            var open = 0;
            for (var k = 0; k < p.SlotCount; k++)
            {
                var q = qty[k];
                if (q == 0) continue;
                open++;
                var mark = slotRow[k] >= 0 ? marks[slotRow[k] + t] : double.NaN;
                if (double.IsNaN(mark)) mark = lastPrice[k];
                if (q > 0) longValue += q * mark;
                else shortValue += q * mark;
            }
            var equity = cash + longValue + shortValue;
            var pnl = equity - previous - flow;
            var basis = previous > 0 ? previous : previous + flow;
            var r = basis > 0 ? pnl / basis : 0.0;
            if (r < -1) r = -1;
            previous = equity;

            growth *= 1 + r;
            var delta = r - mean;
            mean += delta / (t + 1);
            m2 += delta * (r - mean);
            var shortfall = r - target;
            if (shortfall < 0) downside += shortfall * shortfall;

            if (growth >= peak * (1 - Tolerance))
            {
                if (growth > peak)
                {
                    peak = growth;
                    peakDay = t;
                }
                if (recoveryDay < 0 && troughDay >= 0 && growth >= troughPeak * (1 - Tolerance)) recoveryDay = t;
            }
            else
            {
                var drawdown = growth / peak - 1;
                if (drawdown < maxDrawdown)
                {
                    maxDrawdown = drawdown;
                    troughDay = t;
                    troughPeakDay = peakDay;
                    troughPeak = peak;
                    recoveryDay = -1;
                }
            }

            if (open > 0) inMarket++;
            if (equity > 0)
            {
                ratioSum += (longValue - shortValue) / equity;
                ratioDays++;
            }
        }

        var twr = growth - 1;
        var totalFlows = 0.0;
        foreach (var amount in p.FlowAmount) totalFlows += amount;
        double? sharpe = null, sortino = null;
        if (n >= 2)
        {
            var sd = Math.Sqrt(m2 / (n - 1));
            if (sd >= PerformanceMetrics.ZeroVolatility) sharpe = (mean - options.RiskFreeDailyRate) / sd * SqrtYear;
            var dd = Math.Sqrt(downside / n);
            if (dd >= PerformanceMetrics.ZeroVolatility) sortino = (mean - options.RiskFreeDailyRate) / dd * SqrtYear;
        }
        return new FastPerformanceSummary(
            n,
            previous,
            previous - p.StartingCash - totalFlows,
            twr,
            PerformanceMetrics.Annualise(twr, n),
            sharpe,
            sortino,
            maxDrawdown,
            troughDay < 0 ? -1 : troughPeakDay,
            troughDay,
            troughDay < 0 ? -1 : recoveryDay,
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

    /// <summary>Per-thread scratch space, reused from portfolio to portfolio.</summary>
    private sealed class Workspace
    {
        public double[] Quantity = [];
        public double[] LastPrice = [];
        public LotQueue[] Lots = [];

        public void Reset(int slots)
        {
            if (Lots.Length < slots)
            {
                var lots = new LotQueue[Math.Max(slots, Lots.Length * 2)];
                Array.Copy(Lots, lots, Lots.Length);
                for (var k = Lots.Length; k < lots.Length; k++) lots[k] = new LotQueue();
                Lots = lots;
                Quantity = new double[lots.Length];
                LastPrice = new double[lots.Length];
            }
            Array.Clear(Quantity);
            Array.Clear(LastPrice);
            for (var k = 0; k < slots; k++) Lots[k].Clear();
        }
    }

    /// <summary>The FIFO lots of one slot: quantity (positive), entry price and opening fee per unit, oldest at the head.</summary>
    private sealed class LotQueue
    {
        /// <summary>A lot's three numbers side by side, so taking or adding one touches one place in memory.</summary>
        private struct Lot
        {
            public double Quantity, Price, FeePerUnit;
        }

        private Lot[] _lots = new Lot[16];
        private int _head;
        private int _tail;

        public void Clear() => _head = _tail = 0;

        public void Split(double ratio)
        {
            for (var i = _head; i < _tail; i++)
            {
                ref var lot = ref _lots[i];
                lot.Quantity *= ratio;
                lot.Price /= ratio;
                lot.FeePerUnit /= ratio;
            }
        }

        /// <summary>Applies a fill of signed quantity <paramref name="q"/>; returns its realised P&amp;L (net of fees, as in <see cref="LotBook"/>).</summary>
        public double Apply(ref double position, double q, double price, double fees, out bool closed)
        {
            var size = Math.Abs(q);
            var realised = 0.0;
            closed = false;
            if (position != 0 && (position > 0) != (q > 0))
            {
                closed = true;
                var held = Math.Abs(position);
                var closeQuantity = size >= held * (1 - Tolerance) ? held : size;
                var closeFees = fees * closeQuantity / size;
                var direction = position > 0 ? 1.0 : -1.0;
                var toClose = closeQuantity;
                while (toClose > 0 && _head < _tail)
                {
                    ref var lot = ref _lots[_head];
                    var lotQuantity = lot.Quantity;
                    var take = toClose >= lotQuantity * (1 - Tolerance) ? lotQuantity : toClose;
                    realised += direction * take * (price - lot.Price) - take * lot.FeePerUnit - closeFees * take / closeQuantity;
                    if (take == lotQuantity) _head++;
                    else lot.Quantity = lotQuantity - take;
                    toClose -= take;
                }
                if (closeQuantity == held || _head == _tail)
                {
                    // Closed out: drop any rounding residue so the position is exactly flat.
                    _head = _tail = 0;
                    position = 0;
                }
                else
                {
                    position -= direction * closeQuantity;
                }
                size -= closeQuantity;
                fees -= closeFees;
                if (size <= closeQuantity * Tolerance) return realised;
            }
            Push(size, price, fees / size);
            position += q > 0 ? size : -size;
            return realised;
        }

        /// <summary>
        /// The batch path's <see cref="Apply"/>: one division per fill (the fill's fee per unit, which every closed and
        /// opened part shares) instead of one per part; the same realised P&amp;L up to the doubles' rounding.
        /// </summary>
        public double ApplyOneDivision(ref double position, double q, double price, double fees, out bool closed)
        {
            var size = Math.Abs(q);
            var feePerUnit = fees / size;
            closed = false;
            if (position == 0 || (position > 0) == (q > 0))
            {
                Push(size, price, feePerUnit);
                position += q;
                return 0;
            }
            closed = true;
            var realised = 0.0;
            var held = Math.Abs(position);
            var closeQuantity = size >= held * (1 - Tolerance) ? held : size;
            var direction = position > 0 ? 1.0 : -1.0;
            var toClose = closeQuantity;
            while (toClose > 0 && _head < _tail)
            {
                ref var lot = ref _lots[_head];
                var lotQuantity = lot.Quantity;
                var take = toClose >= lotQuantity * (1 - Tolerance) ? lotQuantity : toClose;
                realised += direction * take * (price - lot.Price) - take * lot.FeePerUnit - take * feePerUnit;
                if (take == lotQuantity) _head++;
                else lot.Quantity = lotQuantity - take;
                toClose -= take;
            }
            if (closeQuantity == held || _head == _tail)
            {
                // Closed out: drop any rounding residue so the position is exactly flat.
                _head = _tail = 0;
                position = 0;
            }
            else
            {
                position -= direction * closeQuantity;
            }
            size -= closeQuantity;
            if (size <= closeQuantity * Tolerance) return realised;
            Push(size, price, feePerUnit);
            position += q > 0 ? size : -size;
            return realised;
        }

        private void Push(double quantity, double price, double feePerUnit)
        {
            if (_tail == _lots.Length)
            {
                var live = _tail - _head;
                if (_head > 0 && live < _lots.Length / 2) Array.Copy(_lots, _head, _lots, 0, live);
                else
                {
                    var bigger = new Lot[_lots.Length * 2];
                    Array.Copy(_lots, _head, bigger, 0, live);
                    _lots = bigger;
                }
                _head = 0;
                _tail = live;
            }
            ref var lot = ref _lots[_tail++];
            lot.Quantity = quantity;
            lot.Price = price;
            lot.FeePerUnit = feePerUnit;
        }
    }
}
