namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// Many portfolios' histories in one flat set of columns for <see cref="FastPerformance.RunBatch(PriceGrid, PortfolioBatch, MetricsOptions?, int)"/>:
/// per portfolio its starting cash, its events (fills and splits, each with a day index into the price grid's days and an
/// instrument row of the grid) and its cash flows (day index, amount). No per-portfolio objects: adding a portfolio appends
/// to the columns. Build it from histories with <see cref="From"/>, or directly from day indices and rows.
/// <para>
/// An instrument is its row in the grid's closes (0, 1, …), or a negative number for one the grid has no closes for (each
/// distinct negative number is its own instrument, marked at its last fill price, as <see cref="EquityCurve"/> does). Within
/// a portfolio, events are applied in the order added (their days must not decrease; a split before the fills of its day),
/// and flows are in day order. Events and flows dated after the last day (day ≥ <see cref="DayCount"/>) are outside the
/// curve and ignored, as <see cref="EquityCurve.Build"/> ignores them.
/// </para>
/// </summary>
public sealed class PortfolioBatch
{
    private double[] _startingCash;
    private int[] _eventStart; // portfolio p's events are [EventStart(p), EventStart(p + 1))
    private int[] _flowStart;

    private int[] _eventDay;
    private int[] _eventInstrument;
    private double[] _eventQuantity; // signed quantity of a fill; the ratio of a split
    private double[] _eventPrice; // NaN marks a split
    private double[] _eventFees;
    private int _events;

    private int[] _flowDay;
    private double[] _flowAmount;
    private int _flows;

    private int _lastEventDay;
    private int _lastFlowDay;

    /// <param name="dayCount">The number of days of the grid the batch will run against.</param>
    public PortfolioBatch(int dayCount, int portfolioCapacity = 16, int eventCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dayCount);
        DayCount = dayCount;
        portfolioCapacity = Math.Max(portfolioCapacity, 1);
        eventCapacity = Math.Max(eventCapacity, 1);
        _startingCash = new double[portfolioCapacity];
        _eventStart = new int[portfolioCapacity + 1];
        _flowStart = new int[portfolioCapacity + 1];
        _eventDay = new int[eventCapacity];
        _eventInstrument = new int[eventCapacity];
        _eventQuantity = new double[eventCapacity];
        _eventPrice = new double[eventCapacity];
        _eventFees = new double[eventCapacity];
        _flowDay = new int[Math.Max(4, portfolioCapacity * 2)];
        _flowAmount = new double[_flowDay.Length];
    }

    /// <summary>The days the batch's day indices count (the grid's day count).</summary>
    public int DayCount { get; }

    /// <summary>The number of portfolios.</summary>
    public int Count { get; private set; }

    /// <summary>Starts a new portfolio (the next fills, splits and flows are its own) and returns its index.</summary>
    public int AddPortfolio(double startingCash)
    {
        if (Count + 1 >= _eventStart.Length)
        {
            var size = Math.Max(4, Count * 2);
            Array.Resize(ref _startingCash, size);
            Array.Resize(ref _eventStart, size + 1);
            Array.Resize(ref _flowStart, size + 1);
        }
        _startingCash[Count] = startingCash;
        _eventStart[Count] = _events;
        _flowStart[Count] = _flows;
        Count++;
        _lastEventDay = 0;
        _lastFlowDay = 0;
        return Count - 1;
    }

    /// <summary>A fill of the current portfolio: <paramref name="signedQuantity"/> (+ buy, − sell) of an instrument at a price, paying fees.</summary>
    public void AddFill(int day, int instrument, double signedQuantity, double price, double fees)
    {
        if (!(signedQuantity != 0)) throw new ArgumentOutOfRangeException(nameof(signedQuantity), signedQuantity, "A fill's quantity is not zero; its sign gives the side.");
        if (!(price >= 0)) throw new ArgumentOutOfRangeException(nameof(price), price, "A fill's price cannot be negative.");
        AddEvent(day, instrument, signedQuantity, price, fees);
    }

    /// <summary>A split of the current portfolio's instrument, effective at the start of <paramref name="day"/>: <paramref name="ratio"/> new shares per old one.</summary>
    public void AddSplit(int day, int instrument, double ratio)
    {
        if (!(ratio > 0)) throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "A split ratio is positive.");
        AddEvent(day, instrument, ratio, double.NaN, 0);
    }

    /// <summary>A deposit (+) or withdrawal (−) of the current portfolio on <paramref name="day"/>.</summary>
    public void AddFlow(int day, double amount)
    {
        var p = Current();
        ArgumentOutOfRangeException.ThrowIfNegative(day);
        if (day < _lastFlowDay) throw new ArgumentException($"Portfolio {p}'s flows must be in day order: day {day} comes after day {_lastFlowDay}.", nameof(day));
        _lastFlowDay = day;
        if (day >= DayCount) return;
        if (_flows == _flowDay.Length)
        {
            Array.Resize(ref _flowDay, Math.Max(4, _flows * 2));
            Array.Resize(ref _flowAmount, _flowDay.Length);
        }
        _flowDay[_flows] = day;
        _flowAmount[_flows++] = amount;
    }

    private void AddEvent(int day, int instrument, double quantity, double price, double fees)
    {
        var p = Current();
        ArgumentOutOfRangeException.ThrowIfNegative(day);
        if (day < _lastEventDay) throw new ArgumentException($"Portfolio {p}'s fills and splits must be in day order: day {day} comes after day {_lastEventDay}.", nameof(day));
        _lastEventDay = day;
        if (day >= DayCount) return;
        if (_events == _eventDay.Length)
        {
            var size = Math.Max(16, _events * 2);
            Array.Resize(ref _eventDay, size);
            Array.Resize(ref _eventInstrument, size);
            Array.Resize(ref _eventQuantity, size);
            Array.Resize(ref _eventPrice, size);
            Array.Resize(ref _eventFees, size);
        }
        _eventDay[_events] = day;
        _eventInstrument[_events] = instrument;
        _eventQuantity[_events] = quantity;
        _eventPrice[_events] = price;
        _eventFees[_events++] = fees;
    }

    private int Current() => Count > 0 ? Count - 1 : throw new InvalidOperationException("Add a portfolio (AddPortfolio) before its fills, splits and flows.");

    /// <summary>
    /// Compiles histories against <paramref name="grid"/>: the rules of <see cref="CompiledPortfolio.Compile"/> (fills and
    /// splits merged by date, a split before the fills of its date; an event off the trading days counts on the next one;
    /// events after the last day dropped; a split of an instrument not yet traded ignored), with the same checks.
    /// </summary>
    public static PortfolioBatch From(PriceGrid grid, IReadOnlyList<PortfolioHistory> histories)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(histories);
        var events = 0;
        foreach (var h in histories) events += (h ?? throw new ArgumentException("A history is null.", nameof(histories))).Fills.Length + (h.Splits?.Length ?? 0);
        var batch = new PortfolioBatch(grid.DayCount, histories.Count, events);
        var days = grid.DayArray;
        var dayNumbers = new int[days.Length];
        for (var t = 0; t < days.Length; t++) dayNumbers[t] = days[t].DayNumber;
        // Per portfolio: the instruments seen so far and their rows (a linear scan: portfolios hold few instruments).
        var ids = new long[16];
        var rows = new int[16];
        foreach (var history in histories)
        {
            batch.AddPortfolio((double)history.StartingCash);
            var seen = 0;
            var unknown = 0;
            var fills = history.Fills;
            var splits = history.Splits ?? [];
            int x = 0, s = 0, day = 0;
            var lastFill = int.MinValue;
            var lastSplit = int.MinValue;
            while (x < fills.Length || s < splits.Length)
            {
                var takeSplit = s < splits.Length && (x >= fills.Length || splits[s].Date <= fills[x].Date);
                int date;
                if (takeSplit)
                {
                    date = splits[s].Date.DayNumber;
                    if (date < lastSplit) throw new ArgumentException($"The splits must be in date order: {splits[s].Date} comes after {DateOnly.FromDayNumber(lastSplit)}.", nameof(histories));
                    lastSplit = date;
                }
                else
                {
                    date = DayNumber(fills[x].Timestamp);
                    if (date < lastFill) throw new ArgumentException($"The fills must be in date order: {DateOnly.FromDayNumber(date)} comes after {DateOnly.FromDayNumber(lastFill)}.", nameof(histories));
                    lastFill = date;
                }
                while (day < dayNumbers.Length && dayNumbers[day] < date) day++;
                if (day == dayNumbers.Length) break;
                if (takeSplit)
                {
                    var split = splits[s++];
                    if (split.Ratio <= 0) throw new ArgumentException($"Split ratio {split.Ratio} for instrument {split.InstrumentId} is not positive.", nameof(histories));
                    var k = Find(ids, seen, split.InstrumentId);
                    if (k < 0) continue; // never traded (yet): nothing to scale
                    batch.AddEvent(day, rows[k], (double)split.Ratio, double.NaN, 0);
                }
                else
                {
                    var fill = fills[x++];
                    fill.Validate();
                    var k = Find(ids, seen, fill.InstrumentId);
                    if (k < 0)
                    {
                        if (seen == ids.Length)
                        {
                            Array.Resize(ref ids, seen * 2);
                            Array.Resize(ref rows, seen * 2);
                        }
                        k = seen++;
                        ids[k] = fill.InstrumentId;
                        var row = grid.IndexOf(fill.InstrumentId);
                        rows[k] = row >= 0 ? row : -1 - unknown++;
                    }
                    var quantity = (double)fill.Quantity;
                    batch.AddEvent(day, rows[k], fill.Side == OrderSide.Buy ? quantity : -quantity, (double)fill.Price, (double)fill.Fees);
                }
            }

            var lastFlow = DateOnly.MinValue;
            day = 0;
            foreach (var flow in history.Flows)
            {
                if (flow.Date < lastFlow) throw new ArgumentException($"The flows must be in date order: {flow.Date} comes after {lastFlow}.", nameof(histories));
                lastFlow = flow.Date;
                var date = flow.Date.DayNumber;
                while (day < dayNumbers.Length && dayNumbers[day] < date) day++;
                if (day == dayNumbers.Length) break;
                batch.AddFlow(day, (double)flow.Amount);
            }
        }
        return batch;
    }

    /// <summary>
    /// A batch of fills and flows given as columns, portfolio p's fills being [<paramref name="fillStart"/>[p],
    /// fillStart[p + 1]) of the fill columns and its flows [<paramref name="flowStart"/>[p], flowStart[p + 1]) of the flow
    /// columns (so fillStart and flowStart have one entry more than there are portfolios), checked as <see cref="AddFill"/>
    /// and <see cref="AddFlow"/> check them. The arrays are taken as they are, not copied (a batch of a million fills is then
    /// built without touching new memory): do not change them while the batch is in use. Adding to the batch afterwards
    /// copies them first.
    /// </summary>
    public static PortfolioBatch FromColumns(int dayCount, double[] startingCash,
        int[] fillStart, int[] fillDay, int[] fillInstrument, double[] fillSignedQuantity, double[] fillPrice, double[] fillFees,
        int[] flowStart, int[] flowDay, double[] flowAmount)
    {
        ArgumentNullException.ThrowIfNull(startingCash);
        ArgumentNullException.ThrowIfNull(fillStart);
        ArgumentNullException.ThrowIfNull(fillDay);
        ArgumentNullException.ThrowIfNull(fillInstrument);
        ArgumentNullException.ThrowIfNull(fillSignedQuantity);
        ArgumentNullException.ThrowIfNull(fillPrice);
        ArgumentNullException.ThrowIfNull(fillFees);
        ArgumentNullException.ThrowIfNull(flowStart);
        ArgumentNullException.ThrowIfNull(flowDay);
        ArgumentNullException.ThrowIfNull(flowAmount);
        var portfolios = startingCash.Length;
        var fills = fillDay.Length;
        if (fillStart.Length != portfolios + 1 || flowStart.Length != portfolios + 1)
            throw new ArgumentException($"fillStart and flowStart need one entry per portfolio and one more ({portfolios + 1}); got {fillStart.Length} and {flowStart.Length}.");
        if (fillInstrument.Length != fills || fillSignedQuantity.Length != fills || fillPrice.Length != fills || fillFees.Length != fills || flowAmount.Length != flowDay.Length)
            throw new ArgumentException("Every fill column needs one value per fill, and every flow column one per flow.");
        if (fillStart[0] != 0 || fillStart[portfolios] != fills || flowStart[0] != 0 || flowStart[portfolios] != flowDay.Length)
            throw new ArgumentException("fillStart and flowStart must start at 0 and end at the number of fills and flows.");
        var inside = true;
        for (var p = 0; p < portfolios; p++)
        {
            if (fillStart[p + 1] < fillStart[p] || flowStart[p + 1] < flowStart[p]) throw new ArgumentException($"Portfolio {p}'s fills or flows end before they start.");
            var last = 0;
            for (var x = fillStart[p]; x < fillStart[p + 1]; x++)
            {
                var day = fillDay[x];
                if (day < last) throw new ArgumentException($"Portfolio {p}'s fills must be in day order: day {day} comes after day {last}.", nameof(fillDay));
                last = day;
                if (!(fillSignedQuantity[x] != 0)) throw new ArgumentOutOfRangeException(nameof(fillSignedQuantity), fillSignedQuantity[x], "A fill's quantity is not zero; its sign gives the side.");
                if (!(fillPrice[x] >= 0)) throw new ArgumentOutOfRangeException(nameof(fillPrice), fillPrice[x], "A fill's price cannot be negative.");
            }
            if (fillStart[p + 1] > fillStart[p] && fillDay[fillStart[p]] < 0) throw new ArgumentOutOfRangeException(nameof(fillDay), fillDay[fillStart[p]], "A day index is not negative.");
            inside &= fillStart[p + 1] == fillStart[p] || last < dayCount;
            last = 0;
            for (var x = flowStart[p]; x < flowStart[p + 1]; x++)
            {
                var day = flowDay[x];
                if (day < last) throw new ArgumentException($"Portfolio {p}'s flows must be in day order: day {day} comes after day {last}.", nameof(flowDay));
                last = day;
            }
            if (flowStart[p + 1] > flowStart[p] && flowDay[flowStart[p]] < 0) throw new ArgumentOutOfRangeException(nameof(flowDay), flowDay[flowStart[p]], "A day index is not negative.");
            inside &= flowStart[p + 1] == flowStart[p] || last < dayCount;
        }

        if (!inside)
        {
            // Some events fall after the last day: add one by one, which leaves them out.
            var copy = new PortfolioBatch(dayCount, portfolios, fills);
            for (var p = 0; p < portfolios; p++)
            {
                copy.AddPortfolio(startingCash[p]);
                for (var x = fillStart[p]; x < fillStart[p + 1]; x++) copy.AddFill(fillDay[x], fillInstrument[x], fillSignedQuantity[x], fillPrice[x], fillFees[x]);
                for (var x = flowStart[p]; x < flowStart[p + 1]; x++) copy.AddFlow(flowDay[x], flowAmount[x]);
            }
            return copy;
        }
        // Every array is exactly full, so the first AddPortfolio, AddFill or AddFlow grows (copies) it before writing.
        return new PortfolioBatch(dayCount, 1, 1)
        {
            _startingCash = startingCash,
            _eventStart = fillStart,
            _flowStart = flowStart,
            _eventDay = fillDay,
            _eventInstrument = fillInstrument,
            _eventQuantity = fillSignedQuantity,
            _eventPrice = fillPrice,
            _eventFees = fillFees,
            _flowDay = flowDay,
            _flowAmount = flowAmount,
            _events = fills,
            _flows = flowDay.Length,
            Count = portfolios,
            _lastEventDay = portfolios > 0 && fillStart[portfolios] > fillStart[portfolios - 1] ? fillDay[fills - 1] : 0,
            _lastFlowDay = portfolios > 0 && flowStart[portfolios] > flowStart[portfolios - 1] ? flowDay[^1] : 0,
        };
    }

    /// <summary><see cref="Fill.Date"/> (the UTC date) as a day number, without building the date.</summary>
    private static int DayNumber(DateTimeOffset timestamp) => (int)(timestamp.UtcTicks / TimeSpan.TicksPerDay);

    private static int Find(long[] ids, int count, long id)
    {
        for (var k = 0; k < count; k++)
        {
            if (ids[k] == id) return k;
        }
        return -1;
    }

    internal double StartingCash(int p) => _startingCash[p];
    /// <summary>Where portfolio <paramref name="p"/>'s events start; for p = <see cref="Count"/>, where they all end.</summary>
    internal int EventStart(int p) => p < Count ? _eventStart[p] : _events;

    internal int FlowStart(int p) => p < Count ? _flowStart[p] : _flows;
    internal int[] EventDay => _eventDay;
    internal int[] EventInstrument => _eventInstrument;
    internal double[] EventQuantity => _eventQuantity;
    internal double[] EventPrice => _eventPrice;
    internal double[] EventFees => _eventFees;
    internal int[] FlowDay => _flowDay;
    internal double[] FlowAmount => _flowAmount;
}
