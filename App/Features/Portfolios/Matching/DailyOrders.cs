namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// A batch of orders as columns for <see cref="DailyMatcher"/>: what each order is (id, instrument, side, type, time in
/// force, quantity, limit, stop, when placed, and its state before the run) and, after a run, what became of it (status,
/// filled quantity, average fill price, commission, whether its stop triggered, its first eligible bar and the bar it
/// stopped working on). A run always starts from the state the order was added with, so one batch can be run again
/// (against other bars or settings) without being rebuilt.
/// <para>
/// Market, limit, stop (StopLoss) and stop-limit orders, Day or Gtc. TWAP/VWAP orders slice over a window and are left to
/// <see cref="MatchingEngine"/>: adding one throws.
/// </para>
/// </summary>
public sealed class DailyOrders
{
    private long[] _id;
    private int[] _instrument;
    private OrderInput[] _input; // what the matcher reads, one 40-byte record per order
    private OrderResult[] _initial; // each order's state as added (FirstBar and ClosedBar −1): where every run starts

    // The last run: every order's inputs grouped by instrument (the matcher walks them in order) and each order's result
    // at the same place; _rank[k] is where order k sits. Null before the first run.
    private OrderInput[]? _work;
    private OrderResult[]? _results;
    private int[]? _rank;
    private int _workCount;

    public DailyOrders(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        capacity = Math.Max(capacity, 1);
        _id = new long[capacity];
        _instrument = new int[capacity];
        _input = new OrderInput[capacity];
        _initial = new OrderResult[capacity];
    }

    public int Count { get; private set; }

    /// <summary>
    /// Adds a new order (Open, nothing filled) and returns its index, which <see cref="DailyFill.Order"/> and the result
    /// accessors use. <paramref name="instrument"/> is the index of its bars in the list given to <see cref="DailyMatcher.Run(IReadOnlyList{DailyBars}, DailyOrders, ExecutionSettings, List{DailyFill}, int)"/>.
    /// An invalid order (quantity not positive, a missing or non-positive limit or stop, an unknown side or type) is added
    /// and, as in <see cref="MatchingEngine"/>, rejected on its first eligible bar.
    /// </summary>
    public int Add(long id, int instrument, OrderSide side, OrderType type, TimeInForce timeInForce, double quantity, double? limit, double? stop, DateTimeOffset placedAt) =>
        AddCore(id, instrument, side, type, timeInForce, quantity, limit ?? double.NaN, stop ?? double.NaN, placedAt, OrderStatus.Open, 0, 0, 0, false);

    /// <summary>
    /// A batch of <see cref="MatchOrder"/>s on one instrument (instrument 0), each starting from its current state. An order
    /// that is no longer working is carried as it is; a working one must not have seen a bar yet (<see cref="MatchOrder.Session"/>
    /// null): resume those with <see cref="MatchingEngine"/>. Write the results back with <see cref="CopyTo"/>.
    /// </summary>
    public static DailyOrders From(IReadOnlyList<MatchOrder> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var batch = new DailyOrders(orders.Count);
        foreach (var o in orders)
        {
            if (o.IsWorking && o.Session is not null)
                throw new ArgumentException($"Order {o.Id} has already seen a bar (session {o.Session}); resume it with MatchingEngine.", nameof(orders));
            batch.AddCore(o.Id, 0, o.Side, o.Type, o.TimeInForce, (double)o.Quantity, o.LimitPrice is { } l ? (double)l : double.NaN,
                o.StopPrice is { } s ? (double)s : double.NaN, o.PlacedAt, o.Status, (double)o.FilledQuantity,
                (double)(o.AverageFillPrice * o.FilledQuantity), (double)o.Commission, o.StopTriggered);
        }
        return batch;
    }

    private int AddCore(long id, int instrument, OrderSide side, OrderType type, TimeInForce tif, double quantity, double limit, double stop,
        DateTimeOffset placedAt, OrderStatus status, double filled, double notional, double commission, bool triggered)
    {
        var working = status is OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled;
        if (working && type is OrderType.Twap or OrderType.Vwap)
            throw new NotSupportedException($"Order {id} is {type}: DailyMatcher does not slice algo orders; use MatchingEngine.");
        ArgumentOutOfRangeException.ThrowIfNegative(instrument);
        if (!Enum.IsDefined(status)) throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown order status.");
        if (Count == _id.Length) Grow();
        var k = Count++;
        _id[k] = id;
        _instrument[k] = instrument;
        // MatchingEngine.Validate, in double. An unknown side or type is kept as an invalid order (rejected on its first bar).
        var valid = quantity > 0 && filled >= 0 && filled <= quantity
                    && side is OrderSide.Buy or OrderSide.Sell
                    && type is OrderType.Market or OrderType.Limit or OrderType.StopLoss or OrderType.StopLimit
                    && (type is not (OrderType.Limit or OrderType.StopLimit) || limit > 0)
                    && (type is not (OrderType.StopLoss or OrderType.StopLimit) || stop > 0);
        var fresh = status == OrderStatus.Open && filled == 0 && notional == 0 && commission == 0 && !triggered;
        _input[k] = new OrderInput
        {
            PlacedTicks = placedAt.UtcTicks,
            Quantity = quantity,
            Limit = limit,
            Stop = stop,
            Order = k,
            Side = valid ? (byte)side : (byte)0,
            Type = valid ? (byte)type : (byte)0,
            Tif = tif == TimeInForce.Day ? (byte)0 : (byte)1,
            Flags = (byte)((valid ? OrderInput.ValidFlag : 0) | (fresh ? 0 : OrderInput.StateFlag)),
        };
        _initial[k] = new OrderResult
        {
            Filled = filled,
            Notional = notional,
            Commission = commission,
            FirstBar = -1,
            ClosedBar = -1,
            Status = (byte)status,
            Triggered = triggered,
        };
        _workCount = -1; // the last run's results no longer cover every order
        return k;
    }

    private void Grow()
    {
        var size = _id.Length * 2;
        Array.Resize(ref _id, size);
        Array.Resize(ref _instrument, size);
        Array.Resize(ref _input, size);
        Array.Resize(ref _initial, size);
    }

    /// <summary>Below this many orders, grouping runs on one thread whatever the parallelism.</summary>
    internal const int ParallelGroupThreshold = 2_048;

    /// <summary>
    /// For a run: every order's inputs copied into the working array, grouped by instrument (a counting sort, keeping the
    /// batch's order within an instrument), and a results array of the same size for the matcher to fill in;
    /// <paramref name="start"/>[i] .. start[i + 1] are instrument i's. The copy is one 40-byte record per order (it was 80
    /// with the state, and grouping took twice as long): results are written by the matcher, and an order's starting state
    /// is read from the batch only for the few added with one (<see cref="OrderInput.HasState"/>).
    /// With <paramref name="parallelism"/> &gt; 1 the batch is cut into that many contiguous ranges, each counted and copied
    /// by its own thread into places fixed by one prefix sum (range 0's orders of an instrument before range 1's), so the
    /// result is the same array as on one thread.
    /// </summary>
    internal (OrderInput[] Inputs, OrderResult[] Results) Group(int instruments, out int[] start, int parallelism = 1)
    {
        var count = Count;
        var instrumentOf = _instrument;
        var parts = parallelism > 1 && count >= ParallelGroupThreshold ? Math.Min(parallelism, count / (ParallelGroupThreshold / 2)) : 1;
        var width = instruments + 1;
        var counts = new int[parts * width];

        // Count each range's orders per instrument (an order on an unknown instrument is counted in the extra slot).
        void CountRange(int part)
        {
            var (from, to) = Range(count, parts, part);
            var mine = counts.AsSpan(part * width, width);
            for (var k = from; k < to; k++)
            {
                var i = instrumentOf[k];
                mine[(uint)i < (uint)instruments ? i : instruments]++;
            }
        }
        if (parts == 1) CountRange(0);
        else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, CountRange);
        for (var part = 0; part < parts; part++)
        {
            if (counts[part * width + instruments] == 0) continue;
            var (from, to) = Range(count, parts, part);
            for (var k = from; k < to; k++)
            {
                if ((uint)instrumentOf[k] >= (uint)instruments)
                    throw new ArgumentException($"Order {_id[k]} is on instrument {instrumentOf[k]}, but bars were given for {instruments}.", "orders");
            }
        }

        // Where each range's orders of each instrument go: instrument by instrument, range by range.
        start = new int[instruments + 1];
        var at = 0;
        for (var i = 0; i < instruments; i++)
        {
            start[i] = at;
            for (var part = 0; part < parts; part++)
            {
                var n = counts[part * width + i];
                counts[part * width + i] = at;
                at += n;
            }
        }
        start[instruments] = at;

        if (_work is null || _work.Length < count)
        {
            _work = new OrderInput[Math.Max(count, 1)];
            _results = new OrderResult[_work.Length];
        }
        if (_rank is null || _rank.Length < count) _rank = new int[Math.Max(count, 1)];
        var work = _work;
        var input = _input;
        var rank = _rank;
        void CopyRange(int part)
        {
            var (from, to) = Range(count, parts, part);
            var next = counts.AsSpan(part * width, width);
            for (var k = from; k < to; k++)
            {
                var slot = next[instrumentOf[k]]++;
                rank[k] = slot;
                work[slot] = input[k];
            }
        }
        if (parts == 1) CopyRange(0);
        else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, CopyRange);
        _workCount = count;
        return (work, _results!);
    }

    /// <summary>Order <paramref name="k"/>'s state as it was added (the start of every run), with no bars seen.</summary>
    internal OrderResult InitialResult(int k) => _initial[k];

    /// <summary>Order <paramref name="k"/>'s state: after the last run if it covered every order, else as added.</summary>
    private ref readonly OrderResult Current(int k) => ref Ran ? ref Result(k) : ref _initial[k];

    private static (int From, int To) Range(int count, int parts, int part) => ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    private ref readonly OrderResult Result(int k) => ref _results![_rank![k]];

    private bool Ran => _results is not null && _workCount == Count;

    public long Id(int k) => _id[Check(k)];

    public int Instrument(int k) => _instrument[Check(k)];

    public OrderStatus Status(int k) => (OrderStatus)Current(Check(k)).Status;

    public bool IsWorking(int k) => Status(k) is OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled;

    public double FilledQuantity(int k) => Current(Check(k)).Filled;

    /// <summary>Quantity-weighted average price of the fills (0 before the first fill).</summary>
    public double AverageFillPrice(int k)
    {
        var filled = FilledQuantity(k);
        return filled > 0 ? Current(k).Notional / filled : 0;
    }

    public double Commission(int k) => Current(Check(k)).Commission;

    public bool StopTriggered(int k) => Current(Check(k)).Triggered;

    /// <summary>The order's first eligible bar in the last run (where it was validated and its session fixed); −1 if it had none or was not working.</summary>
    public int FirstBar(int k) => Ran ? Result(Check(k)).FirstBar : -1;

    /// <summary>The bar on which the order stopped working in the last run (filled, expired or rejected); −1 while working.</summary>
    public int ClosedBar(int k) => Ran ? Result(Check(k)).ClosedBar : -1;

    /// <summary>Every order's filled quantity after the last run, by index.</summary>
    public double[] FilledQuantities()
    {
        var filled = new double[Count];
        for (var k = 0; k < filled.Length; k++) filled[k] = FilledQuantity(k);
        return filled;
    }

    /// <summary>Every order's status after the last run, by index.</summary>
    public OrderStatus[] Statuses()
    {
        var statuses = new OrderStatus[Count];
        for (var k = 0; k < statuses.Length; k++) statuses[k] = Status(k);
        return statuses;
    }

    /// <summary>
    /// Writes order <paramref name="k"/>'s result into <paramref name="order"/> (the order it was made from, or a copy) as
    /// <see cref="MatchingEngine"/> would have left it: status, filled quantity, average fill price, commission (decimals
    /// from doubles), stop triggered, session, closed at, the day-expiry note and the reject reason.
    /// </summary>
    public void CopyTo(int k, MatchOrder order, DailyBars bars)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(bars);
        if (FirstBar(k) < 0) return; // not touched by the run
        ref readonly var r = ref Result(k);
        var status = (OrderStatus)r.Status;
        order.Status = status;
        order.FilledQuantity = (decimal)r.Filled;
        order.AverageFillPrice = (decimal)AverageFillPrice(k);
        order.Commission = (decimal)r.Commission;
        order.StopTriggered = r.Triggered;
        if (status == OrderStatus.Rejected)
        {
            order.RejectReason = MatchingEngine.Validate(order);
            order.ClosedAt = bars.Start(r.ClosedBar);
            return;
        }
        order.Session = bars.SessionDate(r.FirstBar);
        if (r.ClosedBar >= 0) order.ClosedAt = bars.Start(r.ClosedBar);
        if (status == OrderStatus.Cancelled) order.Note = MatchingEngine.ExpiredDayNote;
    }

    private int Check(int k) => (uint)k < (uint)Count ? k : throw new ArgumentOutOfRangeException(nameof(k), k, $"There are {Count} orders.");
}

/// <summary>One order's inputs as the matcher reads them (40 bytes), made when the order is added.</summary>
internal struct OrderInput
{
    public const byte ValidFlag = 1;
    public const byte StateFlag = 2; // added with a state other than Open and nothing filled: read it from the batch

    public long PlacedTicks;
    public double Quantity;
    public double Limit;
    public double Stop;
    public int Order;
    public byte Side; // OrderSide
    public byte Type; // OrderType
    public byte Tif; // 0 Day, 1 Gtc
    public byte Flags;

    public readonly bool Valid => (Flags & ValidFlag) != 0;

    public readonly bool HasState => (Flags & StateFlag) != 0;
}

/// <summary>One order's result after a run (40 bytes), written by the matcher.</summary>
internal struct OrderResult
{
    public double Filled;
    public double Notional;
    public double Commission;
    public int FirstBar;
    public int ClosedBar;
    public byte Status; // OrderStatus
    public bool Triggered;
}
