namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// Closing prices of instruments over the caller's trading days, with a missing close carried forward from the last
/// known one. Immutable once built, so one grid can be shared by many equity curves (and threads).
/// </summary>
public sealed class PriceGrid
{
    private readonly DateOnly[] _days;
    private readonly long[] _instrumentIds;
    private readonly Dictionary<long, int> _index;
    // Instrument-major: [instrument × dayCount + day]. _marks holds the close, or the last known close before it.
    private readonly decimal[] _marks;
    private readonly bool[] _known;
    // The same marks as doubles, for the fast path (FastPerformance); NaN where no close is known yet.
    internal readonly double[] MarksAsDouble;

    /// <param name="days">The trading days, strictly increasing.</param>
    /// <param name="instrumentIds">Distinct instrument ids, one per row of <paramref name="closes"/>.</param>
    /// <param name="closes">Per instrument, one close per day (null where missing).</param>
    public PriceGrid(DateOnly[] days, long[] instrumentIds, decimal?[][] closes)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(instrumentIds);
        ArgumentNullException.ThrowIfNull(closes);
        for (var t = 1; t < days.Length; t++)
        {
            if (days[t] <= days[t - 1]) throw new ArgumentException($"Trading days must be strictly increasing: {days[t]} follows {days[t - 1]}.", nameof(days));
        }
        if (closes.Length != instrumentIds.Length) throw new ArgumentException($"{closes.Length} close rows for {instrumentIds.Length} instruments.", nameof(closes));

        _days = (DateOnly[])days.Clone();
        _instrumentIds = (long[])instrumentIds.Clone();
        _index = new Dictionary<long, int>(instrumentIds.Length);
        _marks = new decimal[instrumentIds.Length * days.Length];
        _known = new bool[_marks.Length];
        MarksAsDouble = new double[_marks.Length];
        for (var k = 0; k < instrumentIds.Length; k++)
        {
            if (!_index.TryAdd(instrumentIds[k], k)) throw new ArgumentException($"Instrument {instrumentIds[k]} appears twice.", nameof(instrumentIds));
            var row = closes[k];
            if (row.Length != days.Length) throw new ArgumentException($"Instrument {instrumentIds[k]} has {row.Length} closes for {days.Length} days.", nameof(closes));
            var known = false;
            var last = 0m;
            var offset = k * days.Length;
            for (var t = 0; t < days.Length; t++)
            {
                if (row[t] is { } close)
                {
                    last = close;
                    known = true;
                }
                _marks[offset + t] = last;
                _known[offset + t] = known;
                MarksAsDouble[offset + t] = known ? (double)last : double.NaN;
            }
        }
    }

    /// <summary>
    /// Builds a grid from close rows in any order. A close dated before the first day stands for that instrument until
    /// its first close inside the range (the latest such close wins); a close on a date that is not one of the days is
    /// ignored otherwise. The instruments are those the closes name.
    /// </summary>
    public static PriceGrid FromCloses(DateOnly[] days, IEnumerable<DailyClose> closes)
    {
        ArgumentNullException.ThrowIfNull(days);
        ArgumentNullException.ThrowIfNull(closes);
        var dayIndex = new Dictionary<DateOnly, int>(days.Length);
        for (var t = 0; t < days.Length; t++) dayIndex[days[t]] = t;
        var rows = new Dictionary<long, decimal?[]>();
        var seeds = new Dictionary<long, DailyClose>();
        var ids = new List<long>();
        foreach (var c in closes)
        {
            if (!rows.TryGetValue(c.InstrumentId, out var row))
            {
                row = new decimal?[days.Length];
                rows.Add(c.InstrumentId, row);
                ids.Add(c.InstrumentId);
            }
            if (dayIndex.TryGetValue(c.Date, out var t))
            {
                row[t] = c.Close;
            }
            else if (days.Length > 0 && c.Date < days[0] && (!seeds.TryGetValue(c.InstrumentId, out var seed) || c.Date >= seed.Date))
            {
                seeds[c.InstrumentId] = c;
            }
        }
        foreach (var (id, seed) in seeds)
        {
            var row = rows[id];
            row[0] ??= seed.Close;
        }
        var idArray = ids.ToArray();
        var matrix = new decimal?[idArray.Length][];
        for (var k = 0; k < idArray.Length; k++) matrix[k] = rows[idArray[k]];
        return new PriceGrid(days, idArray, matrix);
    }

    public IReadOnlyList<DateOnly> Days => _days;

    public IReadOnlyList<long> InstrumentIds => _instrumentIds;

    public int DayCount => _days.Length;

    internal DateOnly[] DayArray => _days;

    /// <summary>The instrument's row in the grid, or −1 if the grid has no prices for it.</summary>
    public int IndexOf(long instrumentId) => _index.TryGetValue(instrumentId, out var k) ? k : -1;

    /// <summary>The close on day <paramref name="day"/>, or the last known close before it; false if none is known yet.</summary>
    public bool TryGetMark(long instrumentId, int day, out decimal mark)
    {
        var k = IndexOf(instrumentId);
        if (k < 0)
        {
            mark = 0;
            return false;
        }
        return TryGetMarkAt(k, day, out mark);
    }

    internal int RowOffset(int instrumentIndex) => instrumentIndex * _days.Length;

    internal bool TryGetMarkAt(int instrumentIndex, int day, out decimal mark)
    {
        var at = instrumentIndex * _days.Length + day;
        mark = _marks[at];
        return _known[at];
    }
}
