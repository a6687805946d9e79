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
    private OrderSide[] _side;
    private OrderType[] _type;
    private TimeInForce[] _tif;
    private double[] _quantity;
    private double[] _limit; // NaN when none
    private double[] _stop; // NaN when none
    private long[] _placedTicks;
    private DateTimeOffset[] _placedAt;
    private OrderStatus[] _initialStatus;
    private double[] _initialFilled;
    private double[] _initialNotional;
    private double[] _initialCommission;
    private bool[] _initialTriggered;
    private bool[] _valid;

    // Results of the last run.
    private OrderStatus[] _status;
    private double[] _filled;
    private double[] _notional;
    private double[] _commission;
    private bool[] _triggered;
    private int[] _firstBar;
    private int[] _closedBar;

    public DailyOrders(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        capacity = Math.Max(capacity, 1);
        _id = new long[capacity];
        _instrument = new int[capacity];
        _side = new OrderSide[capacity];
        _type = new OrderType[capacity];
        _tif = new TimeInForce[capacity];
        _quantity = new double[capacity];
        _limit = new double[capacity];
        _stop = new double[capacity];
        _placedTicks = new long[capacity];
        _placedAt = new DateTimeOffset[capacity];
        _initialStatus = new OrderStatus[capacity];
        _initialFilled = new double[capacity];
        _initialNotional = new double[capacity];
        _initialCommission = new double[capacity];
        _initialTriggered = new bool[capacity];
        _valid = new bool[capacity];
        _status = new OrderStatus[capacity];
        _filled = new double[capacity];
        _notional = new double[capacity];
        _commission = new double[capacity];
        _triggered = new bool[capacity];
        _firstBar = new int[capacity];
        _closedBar = new int[capacity];
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
        if (Count == _id.Length) Grow();
        var k = Count++;
        _id[k] = id;
        _instrument[k] = instrument;
        _side[k] = side;
        _type[k] = type;
        _tif[k] = tif;
        _quantity[k] = quantity;
        _limit[k] = limit;
        _stop[k] = stop;
        _placedAt[k] = placedAt;
        _placedTicks[k] = placedAt.UtcTicks;
        _initialStatus[k] = status;
        _initialFilled[k] = filled;
        _initialNotional[k] = notional;
        _initialCommission[k] = commission;
        _initialTriggered[k] = triggered;
        // MatchingEngine.Validate, in double.
        _valid[k] = quantity > 0 && filled >= 0 && filled <= quantity
                    && side is OrderSide.Buy or OrderSide.Sell
                    && Enum.IsDefined(type)
                    && (type is not (OrderType.Limit or OrderType.StopLimit) || limit > 0)
                    && (type is not (OrderType.StopLoss or OrderType.StopLimit) || stop > 0);
        Reset(k);
        return k;
    }

    private void Grow()
    {
        var size = _id.Length * 2;
        Array.Resize(ref _id, size);
        Array.Resize(ref _instrument, size);
        Array.Resize(ref _side, size);
        Array.Resize(ref _type, size);
        Array.Resize(ref _tif, size);
        Array.Resize(ref _quantity, size);
        Array.Resize(ref _limit, size);
        Array.Resize(ref _stop, size);
        Array.Resize(ref _placedTicks, size);
        Array.Resize(ref _placedAt, size);
        Array.Resize(ref _initialStatus, size);
        Array.Resize(ref _initialFilled, size);
        Array.Resize(ref _initialNotional, size);
        Array.Resize(ref _initialCommission, size);
        Array.Resize(ref _initialTriggered, size);
        Array.Resize(ref _valid, size);
        Array.Resize(ref _status, size);
        Array.Resize(ref _filled, size);
        Array.Resize(ref _notional, size);
        Array.Resize(ref _commission, size);
        Array.Resize(ref _triggered, size);
        Array.Resize(ref _firstBar, size);
        Array.Resize(ref _closedBar, size);
    }

    /// <summary>Puts order <paramref name="k"/>'s results back to the state it was added with.</summary>
    internal void Reset(int k)
    {
        _status[k] = _initialStatus[k];
        _filled[k] = _initialFilled[k];
        _notional[k] = _initialNotional[k];
        _commission[k] = _initialCommission[k];
        _triggered[k] = _initialTriggered[k];
        _firstBar[k] = -1;
        _closedBar[k] = -1;
    }

    // Inputs, for the matcher.
    internal long[] Ids => _id;
    internal int[] Instruments => _instrument;
    internal OrderSide[] Sides => _side;
    internal OrderType[] Types => _type;
    internal TimeInForce[] TimesInForce => _tif;
    internal double[] Quantities => _quantity;
    internal double[] Limits => _limit;
    internal double[] Stops => _stop;
    internal long[] PlacedTicks => _placedTicks;
    internal bool[] Valid => _valid;
    internal OrderStatus[] InitialStatus => _initialStatus;

    // Results, for the matcher to write.
    internal OrderStatus[] StatusArray => _status;
    internal double[] FilledArray => _filled;
    internal double[] NotionalArray => _notional;
    internal double[] CommissionArray => _commission;
    internal bool[] TriggeredArray => _triggered;
    internal int[] FirstBarArray => _firstBar;
    internal int[] ClosedBarArray => _closedBar;

    public long Id(int k) => _id[Check(k)];

    public int Instrument(int k) => _instrument[Check(k)];

    public OrderStatus Status(int k) => _status[Check(k)];

    public bool IsWorking(int k) => _status[Check(k)] is OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled;

    public double FilledQuantity(int k) => _filled[Check(k)];

    /// <summary>Quantity-weighted average price of the fills (0 before the first fill).</summary>
    public double AverageFillPrice(int k) => _filled[Check(k)] > 0 ? _notional[k] / _filled[k] : 0;

    public double Commission(int k) => _commission[Check(k)];

    public bool StopTriggered(int k) => _triggered[Check(k)];

    /// <summary>The order's first eligible bar in the last run (where it was validated and its session fixed); −1 if it had none or was not working.</summary>
    public int FirstBar(int k) => _firstBar[Check(k)];

    /// <summary>The bar on which the order stopped working in the last run (filled, expired or rejected); −1 while working.</summary>
    public int ClosedBar(int k) => _closedBar[Check(k)];

    /// <summary>Every order's filled quantity after the last run, by index.</summary>
    public ReadOnlySpan<double> FilledQuantities => _filled.AsSpan(0, Count);

    /// <summary>Every order's status after the last run, by index.</summary>
    public ReadOnlySpan<OrderStatus> Statuses => _status.AsSpan(0, Count);

    /// <summary>
    /// Writes order <paramref name="k"/>'s result into <paramref name="order"/> (the order it was made from, or a copy) as
    /// <see cref="MatchingEngine"/> would have left it: status, filled quantity, average fill price, commission (decimals
    /// from doubles), stop triggered, session, closed at, the day-expiry note and the reject reason.
    /// </summary>
    public void CopyTo(int k, MatchOrder order, DailyBars bars)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(bars);
        Check(k);
        if (_firstBar[k] < 0) return; // not touched by the run
        order.Status = _status[k];
        order.FilledQuantity = (decimal)_filled[k];
        order.AverageFillPrice = (decimal)AverageFillPrice(k);
        order.Commission = (decimal)_commission[k];
        order.StopTriggered = _triggered[k];
        if (_status[k] == OrderStatus.Rejected)
        {
            order.RejectReason = MatchingEngine.Validate(order);
            order.ClosedAt = bars.Start(_closedBar[k]);
            return;
        }
        order.Session = bars.SessionDate(_firstBar[k]);
        if (_closedBar[k] >= 0) order.ClosedAt = bars.Start(_closedBar[k]);
        if (_status[k] == OrderStatus.Cancelled) order.Note = MatchingEngine.ExpiredDayNote;
    }

    private int Check(int k) => (uint)k < (uint)Count ? k : throw new ArgumentOutOfRangeException(nameof(k), k, $"There are {Count} orders.");
}
