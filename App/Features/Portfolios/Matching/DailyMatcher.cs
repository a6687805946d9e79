namespace Signalbook.Features.Portfolios.Matching;

/// <summary>Which rule made a <see cref="DailyFill"/>: the <see cref="MatchRules"/> string as a byte.</summary>
public enum FillRule : byte
{
    MarketOpen,
    LimitAtOpen,
    LimitTouched,
    LimitTradedThrough,
    StopGapped,
    StopTouched,
    StopTriggeredEarlier,
    StopLimitGapped,
    StopLimitTriggered,
}

/// <summary>
/// One execution from <see cref="DailyMatcher"/>: order <see cref="Order"/> (its index in the <see cref="DailyOrders"/>)
/// filled <see cref="Quantity"/> at <see cref="Price"/> (slippage included) on bar <see cref="Bar"/> of its instrument,
/// paying <see cref="Commission"/>.
/// </summary>
/// <remarks>
/// 32 bytes: the rule shares a word with the bar (at most <see cref="MaxBar"/>, about 16.7 million bars, 66,000 years of
/// daily bars). A bulk run writes millions of these, and with the rule in a field of its own each took 40 bytes: the
/// run's time is largely the memory it writes (bench portfolio).
/// </remarks>
public readonly record struct DailyFill
{
    /// <summary>The highest bar index a fill can name (−1 is allowed too, for a caller's marker).</summary>
    public const int MaxBar = (1 << 24) - 2;

    private readonly uint _barAndRule;

    public DailyFill(int order, int bar, double quantity, double price, double commission, FillRule rule)
    {
        if ((uint)(bar + 1) > MaxBar + 1) throw new ArgumentOutOfRangeException(nameof(bar), bar, $"A fill's bar is from -1 to {MaxBar}.");
        Order = order;
        _barAndRule = ((uint)(bar + 1) << 8) | (byte)rule;
        Quantity = quantity;
        Price = price;
        Commission = commission;
    }

    public int Order { get; }
    public int Bar => (int)(_barAndRule >> 8) - 1;
    public double Quantity { get; }
    public double Price { get; }
    public double Commission { get; }
    public FillRule Rule => (FillRule)(byte)_barAndRule;

    public double Notional => Quantity * Price;

    /// <summary>The <see cref="MatchRules"/> string of a rule.</summary>
    public static string RuleText(FillRule rule) => rule switch
    {
        FillRule.MarketOpen => MatchRules.MarketOpen,
        FillRule.LimitAtOpen => MatchRules.LimitAtOpen,
        FillRule.LimitTouched => MatchRules.LimitTouched,
        FillRule.LimitTradedThrough => MatchRules.LimitTradedThrough,
        FillRule.StopGapped => MatchRules.StopGapped,
        FillRule.StopTouched => MatchRules.StopTouched,
        FillRule.StopTriggeredEarlier => MatchRules.StopTriggeredEarlier,
        FillRule.StopLimitGapped => MatchRules.StopLimitGapped,
        FillRule.StopLimitTriggered => MatchRules.StopLimitTriggered,
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown rule."),
    };

    /// <summary>The same fill as <see cref="MatchingEngine"/> reports it (decimals from the doubles).</summary>
    public MatchFill ToMatchFill(DailyOrders orders, DailyBars bars)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(bars);
        return new MatchFill(orders.Id(Order), bars.Start(Bar), (decimal)Quantity, (decimal)Price, (decimal)Commission, RuleText(Rule));
    }
}

/// <summary>
/// The bulk matcher for daily bars: the rules of <see cref="MatchingEngine"/> for market, limit, stop and stop-limit
/// orders (Day or Gtc) on daily bars, over columns (<see cref="DailyBars"/>, <see cref="DailyOrders"/>) in
/// <see cref="double"/>, for backtests of many orders. Each order is matched on its own from its first eligible bar (the
/// first starting at or after it was placed, found by binary search); a resting limit or an untriggered stop jumps to the
/// next bar that reaches its price through the bars' search tables. The settings' rates are worked out once per run.
/// <para>
/// <b>Same results as the exact engine</b> (the tests hold it to <see cref="MatchingEngine.Run(ReadOnlySpan{MatchBar}, IReadOnlyList{MatchOrder}, ExecutionSettings, List{MatchFill}, VolumeProfile?)"/>
/// on thousands of random orders): the same fills on the same bars by the same rules, the same final states, prices and
/// commissions within 1e-9 relative (the doubles' rounding). Quantities are exact when they are whole numbers (or other
/// values a double holds exactly, below 2^53), as shares and volumes are; the volume cap and its rounding to
/// <see cref="ExecutionSettings.QuantityIncrement"/> treat values within 1e-12 relative of each other as equal, so the
/// doubles' rounding of share × volume cannot move a fill by one increment (the decimal engine sees the exact product).
/// </para>
/// </summary>
public static class DailyMatcher
{
    private const double Snap = 1e-12;

    /// <summary>Where <see cref="DailyBars.Warm"/>'s reads go, so the JIT keeps them.</summary>
    private static long Warmed;

    /// <summary>
    /// Runs every order of <paramref name="orders"/> over the bars of its instrument (<paramref name="instruments"/>[order's
    /// instrument]) and appends the fills to <paramref name="fills"/> instrument by instrument, within one instrument order by
    /// order (in the batch's order), within one order bar by bar. With <paramref name="maxDegreeOfParallelism"/> &gt; 1 the
    /// instruments are spread over the thread pool (same results, same fill order). Returns how many orders are still working.
    /// </summary>
    public static int Run(IReadOnlyList<DailyBars> instruments, DailyOrders orders, ExecutionSettings settings, List<DailyFill> fills, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(fills);
        using var segments = new DailyFills();
        var working = Run(instruments, orders, settings, segments, maxDegreeOfParallelism);
        segments.CopyTo(fills);
        return working;
    }

    /// <summary>
    /// <see cref="Run(IReadOnlyList{DailyBars}, DailyOrders, ExecutionSettings, List{DailyFill}, int)"/> into
    /// <paramref name="fills"/>, which it clears first: the fills stay in the arrays the parallel chunks wrote them to, in
    /// the same order, instead of being copied into one list (for bulk runs, where that copy was a sixth of the time).
    /// </summary>
    public static int Run(IReadOnlyList<DailyBars> instruments, DailyOrders orders, ExecutionSettings settings, DailyFills fills, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(fills);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        var rates = new Rates(settings);
        for (var i = 0; i < instruments.Count; i++)
            if (instruments[i] is null) throw new ArgumentException($"The bars of instrument {i} are null.", nameof(instruments));
        var (work, results) = orders.Group(instruments.Count, out var start, maxDegreeOfParallelism);
        fills.Clear();

        if (maxDegreeOfParallelism == 1 || instruments.Count < 2)
        {
            var tables = new SearchTables();
            var sink = fills.Take(orders.Count * 3);
            var working = 0;
            for (var i = 0; i < instruments.Count; i++)
            {
                if (start[i + 1] > start[i]) working += RunInstrument(instruments[i], orders, work.AsSpan(start[i], start[i + 1] - start[i]), results.AsSpan(start[i], start[i + 1] - start[i]), rates, sink, tables);
            }
            fills.Append(sink);
            return working;
        }

        // Contiguous ranges of instruments, each into its own segment (kept by the DailyFills from run to run, so repeated runs
        // do not allocate and fault in fresh memory for every fill); the segments join in order at the end.
        var chunks = Math.Min(instruments.Count, maxDegreeOfParallelism * 8);
        var first = new int[chunks + 1]; // chunk c: instruments first[c] .. first[c + 1] - 1
        for (var c = 0; c <= chunks; c++) first[c] = (int)((long)instruments.Count * c / chunks);
        var chunkFills = new FillBuffer[chunks];
        var chunkWorking = new int[chunks];
        for (var c = 0; c < chunks; c++) chunkFills[c] = fills.Take((start[first[c + 1]] - start[first[c]]) * 3);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, c =>
        {
            var (from, to) = (first[c], first[c + 1]);
            var local = chunkFills[c];
            var tables = new SearchTables();
            var working = 0;
            for (var i = from; i < to; i++)
            {
                if (start[i + 1] > start[i]) working += RunInstrument(instruments[i], orders, work.AsSpan(start[i], start[i + 1] - start[i]), results.AsSpan(start[i], start[i + 1] - start[i]), rates, local, tables);
            }
            chunkWorking[c] = working;
        });
        var all = 0;
        for (var c = 0; c < chunks; c++)
        {
            fills.Append(chunkFills[c]);
            all += chunkWorking[c];
        }
        return all;
    }

    /// <summary>Runs every order of <paramref name="orders"/> over one instrument's bars (the orders' instrument must be 0).</summary>
    public static int Run(DailyBars bars, DailyOrders orders, ExecutionSettings settings, List<DailyFill> fills)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return Run([bars], orders, settings, fills);
    }

    /// <summary>The settings as double rates, worked out once per run.</summary>
    private sealed class Rates
    {
        public readonly bool Capped;
        public readonly double Share;
        public readonly double Increment;
        public readonly bool Slips;
        public readonly double Bps;
        public readonly double RangeShare;
        public readonly double PerShare;
        public readonly double Percent;
        public readonly double PerOrder;
        public readonly double Minimum;
        public readonly bool HasMaximum;
        public readonly double Maximum;
        public readonly bool Through;

        public Rates(ExecutionSettings s)
        {
            Capped = s.MaxVolumeShare > 0m;
            Share = (double)s.MaxVolumeShare;
            Increment = (double)s.QuantityIncrement;
            Slips = !s.Slippage.IsNone;
            Bps = (double)(s.Slippage.AdverseBps / 10_000m);
            RangeShare = (double)s.Slippage.RangeShare;
            var c = s.Commission;
            PerShare = (double)c.PerShare;
            Percent = (double)(c.PercentOfNotional / 100m);
            PerOrder = (double)c.PerOrder;
            Minimum = (double)c.MinimumPerFill;
            HasMaximum = c.MaxPercentOfNotional is not null;
            Maximum = c.MaxPercentOfNotional is { } max ? (double)(max / 100m) : 0;
            Through = s.TradeThrough;
        }
    }

    /// <summary>The order being matched.</summary>
    private struct State
    {
        public int Index;
        public double Quantity;
        public double Filled;
        public double Notional;
        public double Commission;
        public bool Triggered;
        public bool FilledAny;
        public bool Done;
    }

    private static int RunInstrument(DailyBars bars, DailyOrders batch, ReadOnlySpan<OrderInput> orders, Span<OrderResult> results, Rates r, FillBuffer fills, SearchTables tables)
    {
        var n = bars.Count;
        var records = bars.Bars;
        var through = r.Through;
        var working = 0;
        // Orders land on random bars: with more than a few per instrument, reading its bars in order first (building the
        // search tables does) is cheaper than missing the cache at each order's bars.
        tables.Build(bars);
        if (orders.Length * 16 >= n) Warmed += bars.Warm();

        for (var x = 0; x < orders.Length; x++)
        {
            ref readonly var w = ref orders[x];
            ref var result = ref results[x];
            result = w.HasState ? batch.InitialResult(w.Order) : new OrderResult { FirstBar = -1, ClosedBar = -1, Status = (byte)OrderStatus.Open };
            var status = (OrderStatus)result.Status;
            if (status is not (OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled)) continue;
            var i = bars.FirstAtOrAfter(w.PlacedTicks);
            if (i >= n)
            {
                working++;
                continue;
            }
            result.FirstBar = i;
            if (!w.Valid)
            {
                result.Status = (byte)OrderStatus.Rejected;
                result.ClosedBar = i;
                continue;
            }

            var s = new State
            {
                Index = w.Order,
                Quantity = w.Quantity,
                Filled = result.Filled,
                Notional = result.Notional,
                Commission = result.Commission,
                Triggered = result.Triggered,
            };
            var type = (OrderType)w.Type;
            var buy = w.Side == (byte)OrderSide.Buy;
            var day = w.Tif == 0;
            var limit = w.Limit;
            var stop = w.Stop;
            var expired = false;

            while (true)
            {
                // A Gtc resting limit or untriggered stop: jump to the next bar that reaches its price (nothing happens on the others).
                if (!day && type != OrderType.Market)
                {
                    if (type == OrderType.Limit || (type == OrderType.StopLimit && s.Triggered))
                        i = buy ? tables.FirstAtOrBelow(i, limit) : tables.FirstAtOrAbove(i, limit);
                    else if (!s.Triggered)
                        i = buy ? tables.FirstAtOrAbove(i, stop) : tables.FirstAtOrBelow(i, stop);
                    if (i >= n) break;
                }

                ref readonly var b = ref records[i];
                var o = b.Open;
                switch (type)
                {
                    case OrderType.Market:
                        Fill(ref s, b, i, Slip(o, buy, b, r), FillRule.MarketOpen, r, fills);
                        break;
                    case OrderType.Limit:
                        MatchLimit(ref s, b, i, buy, limit, r, fills);
                        break;
                    case OrderType.StopLoss:
                        if (s.Triggered)
                        {
                            Fill(ref s, b, i, Slip(o, buy, b, r), FillRule.StopTriggeredEarlier, r, fills);
                        }
                        else if (buy ? o >= stop : o <= stop)
                        {
                            s.Triggered = true;
                            Fill(ref s, b, i, Slip(o, buy, b, r), FillRule.StopGapped, r, fills);
                        }
                        else if (buy ? b.High >= stop : b.Low <= stop)
                        {
                            s.Triggered = true;
                            Fill(ref s, b, i, Slip(stop, buy, b, r), FillRule.StopTouched, r, fills);
                        }
                        break;
                    default: // StopLimit
                        if (s.Triggered)
                        {
                            MatchLimit(ref s, b, i, buy, limit, r, fills);
                        }
                        else
                        {
                            var gapped = buy ? o >= stop : o <= stop;
                            if (gapped || (buy ? b.High >= stop : b.Low <= stop))
                            {
                                s.Triggered = true;
                                var price = gapped ? o : stop;
                                var satisfies = buy ? through ? price < limit : price <= limit : through ? price > limit : price >= limit;
                                if (satisfies)
                                    Fill(ref s, b, i, SlipWithin(price, buy, b, limit, r), gapped ? FillRule.StopLimitGapped : FillRule.StopLimitTriggered, r, fills);
                            }
                        }
                        break;
                }

                if (s.Done) break;
                if (day)
                {
                    expired = true;
                    break;
                }
                if (++i >= n) break;
            }

            result.Filled = s.Filled;
            result.Notional = s.Notional;
            result.Commission = s.Commission;
            result.Triggered = s.Triggered;
            if (s.Done)
            {
                result.Status = (byte)OrderStatus.Filled;
                result.ClosedBar = i;
            }
            else if (expired)
            {
                result.Status = (byte)OrderStatus.Cancelled;
                result.ClosedBar = i;
            }
            else
            {
                result.Status = (byte)(s.FilledAny ? OrderStatus.PartiallyFilled : status == OrderStatus.Pending ? OrderStatus.Open : status);
                working++;
            }
        }
        return working;
    }

    private static void MatchLimit(ref State s, in BarRecord b, int i, bool buy, double limit, Rates r, FillBuffer fills)
    {
        var o = b.Open;
        var through = r.Through;
        if (buy)
        {
            if (through ? o < limit : o <= limit)
                Fill(ref s, b, i, SlipWithin(o, true, b, limit, r), FillRule.LimitAtOpen, r, fills);
            else if (through ? b.Low < limit : b.Low <= limit)
                Fill(ref s, b, i, limit, through ? FillRule.LimitTradedThrough : FillRule.LimitTouched, r, fills);
        }
        else
        {
            if (through ? o > limit : o >= limit)
                Fill(ref s, b, i, SlipWithin(o, false, b, limit, r), FillRule.LimitAtOpen, r, fills);
            else if (through ? b.High > limit : b.High >= limit)
                Fill(ref s, b, i, limit, through ? FillRule.LimitTradedThrough : FillRule.LimitTouched, r, fills);
        }
    }

    /// <summary><see cref="SlippageModel.Apply"/> without a limit.</summary>
    private static double Slip(double price, bool buy, in BarRecord b, Rates r)
    {
        if (!r.Slips) return price;
        var move = price * r.Bps + r.RangeShare * (b.High - b.Low);
        if (buy)
        {
            var up = price + move;
            var ceiling = b.High > price ? b.High : price;
            return up < ceiling ? up : ceiling;
        }
        var down = price - move;
        var floor = b.Low < price ? b.Low : price;
        return down > floor ? down : floor;
    }

    /// <summary><see cref="SlippageModel.Apply"/> with a limit: never worse than it.</summary>
    private static double SlipWithin(double price, bool buy, in BarRecord b, double limit, Rates r)
    {
        if (!r.Slips) return price;
        var p = Slip(price, buy, b, r);
        if (buy)
        {
            var cap = limit > price ? limit : price;
            return p < cap ? p : cap;
        }
        var floor = limit < price ? limit : price;
        return p > floor ? p : floor;
    }

    /// <summary>MatchingEngine's Fill: the remainder, capped by the volume share and rounded down to the increment when the cap cuts it.</summary>
    private static void Fill(ref State s, in BarRecord b, int i, double price, FillRule rule, Rates r, FillBuffer fills)
    {
        var remaining = s.Quantity - s.Filled;
        var qty = remaining;
        if (r.Capped)
        {
            var cap = r.Share * b.Volume;
            if (cap < remaining - remaining * Snap)
            {
                qty = cap;
                if (r.Increment > 0)
                {
                    var units = cap / r.Increment;
                    var whole = Math.Round(units);
                    if (Math.Abs(units - whole) <= Snap * Math.Max(1, whole)) units = whole;
                    qty = Math.Floor(units) * r.Increment;
                }
            }
        }
        if (!(qty > 0)) return;

        var notional = qty * price;
        var commission = r.PerShare * qty + r.Percent * notional + (s.Filled == 0 ? r.PerOrder : 0);
        if (commission < r.Minimum) commission = r.Minimum;
        if (r.HasMaximum)
        {
            var max = r.Maximum * notional;
            if (max < commission) commission = max;
        }
        if (qty == remaining || remaining - qty <= s.Quantity * Snap)
        {
            s.Filled = s.Quantity;
            s.Done = true;
        }
        else
        {
            s.Filled += qty;
        }
        s.FilledAny = true;
        s.Notional += notional;
        s.Commission += commission;
        fills.Add(new DailyFill(s.Index, i, qty, price, commission, rule));
    }
}
