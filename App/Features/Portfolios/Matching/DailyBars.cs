using System.Numerics;
using System.Runtime.Intrinsics;

namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// One instrument's daily bars for <see cref="DailyMatcher"/>: start instants (UTC ticks) for the no-look-ahead rule, and
/// open, high, low and volume as <see cref="double"/>s, one 32-byte record per bar so a bar costs one cache line to read.
/// Built once here: an index from calendar day to first bar (an order's first eligible bar in O(1)). The search tables
/// that let a resting order skip bars are built by each run (<see cref="SearchTables"/>). Immutable once built; share it
/// between threads freely.
/// </summary>
public sealed class DailyBars
{
    private readonly TimeSpan _offset; // every bar's offset, unless _offsets holds one per bar
    private readonly short[]? _offsets; // minutes
    private readonly DateOnly[]? _session;

    internal readonly long[] StartTicks; // UTC
    internal readonly BarRecord[] Bars;

    // DayFirst[d] = the first bar starting at or after DayBase + d days (UTC ticks); DayFirst[^1] = Count.
    private readonly long _dayBase;
    private readonly int[]? _dayFirst; // null when the bars are too sparse for it

    /// <summary>From <see cref="MatchBar"/>s: they must be daily (not intraday) and sorted by start.</summary>
    public DailyBars(ReadOnlySpan<MatchBar> bars)
    {
        var n = bars.Length;
        StartTicks = new long[n];
        Bars = new BarRecord[n];
        _session = new DateOnly[n];
        _offset = n > 0 ? bars[0].Start.Offset : TimeSpan.Zero;
        for (var i = 0; i < n; i++)
        {
            ref readonly var bar = ref bars[i];
            if (bar.IsIntraday) throw new ArgumentException($"Bar {i} ({bar.Start:O}) is intraday; DailyBars holds daily bars only.", nameof(bars));
            if (bar.Start.Offset != _offset) _offsets ??= new short[n];
            _session[i] = bar.SessionDate;
            StartTicks[i] = bar.Start.UtcTicks;
            Bars[i] = new BarRecord((double)bar.Open, (double)bar.High, (double)bar.Low, (double)bar.Volume);
        }
        if (_offsets is not null)
            for (var i = 0; i < n; i++) _offsets[i] = (short)bars[i].Start.Offset.TotalMinutes;
        CheckSorted(nameof(bars));
        (_dayBase, _dayFirst) = BuildDayIndex(StartTicks);
    }

    /// <summary>
    /// From columns (copied). <paramref name="start"/> is each bar's session open, sorted; a bar's session is the date of its
    /// start in its own offset (as <see cref="MatchBar.SessionDate"/> by default). Prices and volumes must be finite.
    /// </summary>
    public DailyBars(ReadOnlySpan<DateTimeOffset> start, ReadOnlySpan<double> open, ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> volume)
    {
        var n = start.Length;
        if (open.Length != n || high.Length != n || low.Length != n || volume.Length != n)
            throw new ArgumentException($"Every column needs {n} values (start has {n}); got open {open.Length}, high {high.Length}, low {low.Length}, volume {volume.Length}.");
        StartTicks = new long[n];
        Bars = new BarRecord[n];
        _offset = n > 0 ? start[0].Offset : TimeSpan.Zero;
        var allFinite = true;
        for (var i = 0; i < n; i++)
        {
            var at = start[i];
            if (at.Offset != _offset) _offsets ??= new short[n];
            StartTicks[i] = at.UtcTicks;
            double o = open[i], h = high[i], l = low[i], v = volume[i];
            allFinite &= double.IsFinite(o) & double.IsFinite(h) & double.IsFinite(l) & double.IsFinite(v);
            Bars[i] = new BarRecord(o, h, l, v);
        }
        if (!allFinite)
        {
            for (var i = 0; i < n; i++)
            {
                ref readonly var b = ref Bars[i];
                if (!double.IsFinite(b.Open) || !double.IsFinite(b.High) || !double.IsFinite(b.Low) || !double.IsFinite(b.Volume))
                    throw new ArgumentException($"Bar {i} ({start[i]:O}) has a price or volume that is not a finite number.");
            }
        }
        if (_offsets is not null)
            for (var i = 0; i < n; i++) _offsets[i] = (short)start[i].Offset.TotalMinutes;
        CheckSorted(nameof(start));
        (_dayBase, _dayFirst) = BuildDayIndex(StartTicks);
    }

    public int Count => StartTicks.Length;

    /// <summary>When bar <paramref name="index"/> starts (its session open).</summary>
    public DateTimeOffset Start(int index)
    {
        var offset = _offsets is { } o ? TimeSpan.FromMinutes(o[index]) : _offset;
        return new DateTimeOffset(StartTicks[index] + offset.Ticks, offset);
    }

    /// <summary>The session (trading date) of bar <paramref name="index"/>.</summary>
    public DateOnly SessionDate(int index) => _session is { } s ? s[index] : DateOnly.FromDateTime(Start(index).DateTime);

    /// <summary>The first bar starting at or after <paramref name="utcTicks"/>; <see cref="Count"/> if none.</summary>
    internal int FirstAtOrAfter(long utcTicks)
    {
        var starts = StartTicks;
        if (_dayFirst is not { } days) return LowerBound(starts, 0, starts.Length, utcTicks);
        if (utcTicks <= _dayBase) return 0; // every bar starts at or after the base
        var day = (utcTicks - _dayBase) / TimeSpan.TicksPerDay;
        if (day >= days.Length - 1) return starts.Length;
        // The first bar from that day's start is at most a few bars before the answer (none or one for daily bars).
        int at = days[day], end = days[day + 1];
        for (var step = 0; at < end && starts[at] < utcTicks; step++)
        {
            if (step == 4) return LowerBound(starts, at, end, utcTicks);
            at++;
        }
        return at;
    }

    private static int LowerBound(long[] starts, int lo, int hi, long value)
    {
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (starts[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>
    /// Reads every cache line of the start ticks and the day index once, in order, so the orders matched next (at random
    /// bars) find them in cache instead of each missing to memory (the bars themselves are read in order by
    /// <see cref="SearchTables.Build"/>). Returns a value only so the reads are not dropped.
    /// </summary>
    internal long Warm()
    {
        var sum = 0L;
        var starts = StartTicks;
        for (var i = 0; i < starts.Length; i += 8) sum += starts[i];
        if (_dayFirst is { } days)
            for (var i = 0; i < days.Length; i += 16) sum += days[i];
        return sum;
    }

    private void CheckSorted(string parameter)
    {
        for (var i = 1; i < StartTicks.Length; i++)
        {
            if (StartTicks[i] < StartTicks[i - 1])
                throw new ArgumentException($"Bars must be sorted by start: bar {i} ({Start(i):O}) starts before bar {i - 1} ({Start(i - 1):O}).", parameter);
        }
    }

    /// <summary>Base = the first bar's UTC day; first[d] = the first bar starting at or after base + d days, up to the day after the last bar.</summary>
    private static (long Base, int[]? First) BuildDayIndex(long[] starts)
    {
        var n = starts.Length;
        if (n == 0) return (0, null);
        var dayBase = starts[0] - ((starts[0] % TimeSpan.TicksPerDay) + TimeSpan.TicksPerDay) % TimeSpan.TicksPerDay;
        var span = (starts[n - 1] - dayBase) / TimeSpan.TicksPerDay + 2;
        if (span > 4L * n + 1_000) return (dayBase, null); // bars years apart: binary search instead
        var first = new int[span + 1];
        var i = 0;
        for (var d = 0; d < first.Length; d++)
        {
            var dayStart = dayBase + d * TimeSpan.TicksPerDay;
            while (i < n && starts[i] < dayStart) i++;
            first[d] = i;
        }
        return (dayBase, first);
    }
}

/// <summary>One daily bar's prices and volume, together in 32 bytes.</summary>
internal readonly record struct BarRecord(double Open, double High, double Low, double Volume);

/// <summary>
/// For one instrument's bars, for every aligned block of 1, 2, 4, … bars, the lowest of open and low and the highest of
/// open and high, so a resting limit or an untriggered stop finds the next bar that reaches its price in O(log distance)
/// steps instead of visiting every bar (the bars the exact engine's bulk run skips: nothing happens to such an order on a
/// bar that does not reach its price). A search first compares the <see cref="Window"/> bars from its start in vectors,
/// without a branch per bar, and climbs the blocks only past them. Scratch space of one thread, rebuilt for each instrument
/// in turn: building it reads the bars in order, which also brings them into cache for the orders that follow.
/// </summary>
internal sealed class SearchTables
{
    private double[] _floor = new double[64];
    private double[] _ceiling = new double[64];
    private int[] _offsets = new int[8]; // level k starts at _offsets[k]
    private int _top;
    private int _count;

    public void Build(DailyBars bars)
    {
        var records = bars.Bars;
        var n = records.Length;
        _count = n;
        var levels = 1;
        var total = n;
        for (var size = n; size > 1; levels++)
        {
            size = (size + 1) / 2;
            total += size;
        }
        if (_floor.Length < total)
        {
            _floor = new double[Math.Max(total, _floor.Length * 2)];
            _ceiling = new double[_floor.Length];
        }
        if (_offsets.Length < levels) _offsets = new int[levels];
        var floor = _floor;
        var ceiling = _ceiling;
        for (var i = 0; i < n; i++)
        {
            ref readonly var b = ref records[i];
            floor[i] = b.Low < b.Open ? b.Low : b.Open;
            ceiling[i] = b.High > b.Open ? b.High : b.Open;
        }
        _offsets[0] = 0;
        int below = 0, belowSize = n;
        for (var k = 1; k < levels; k++)
        {
            var here = below + belowSize;
            var size = (belowSize + 1) / 2;
            _offsets[k] = here;
            for (var j = 0; j < size; j++)
            {
                var a = below + 2 * j;
                var lo = floor[a];
                var hi = ceiling[a];
                if (2 * j + 1 < belowSize)
                {
                    if (floor[a + 1] < lo) lo = floor[a + 1];
                    if (ceiling[a + 1] > hi) hi = ceiling[a + 1];
                }
                floor[here + j] = lo;
                ceiling[here + j] = hi;
            }
            below = here;
            belowSize = size;
        }
        _top = levels - 1;
    }

    /// <summary>The first bar at or after <paramref name="from"/> whose lowest of open and low is ≤ <paramref name="level"/>; the bar count if none.</summary>
    public int FirstAtOrBelow(int from, double level) => FirstReaching(_floor, from, level, below: true);

    /// <summary>The first bar at or after <paramref name="from"/> whose highest of open and high is ≥ <paramref name="level"/>; the bar count if none.</summary>
    public int FirstAtOrAbove(int from, double level) => FirstReaching(_ceiling, from, level, below: false);

    /// <summary>Both searches: inlined into each with <paramref name="below"/> a constant, so each compares one way only.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private int FirstReaching(double[] table, int from, double level, bool below)
    {
        var offsets = _offsets;
        var top = _top;
        var n = _count;
        int p = from, k = 0;
        if (p + Window <= n)
        {
            var found = Reaching(ref table[p], level, below);
            if (found != 0) return p + BitOperations.TrailingZeroCount(found);
            p += Window; // a multiple of 2^k for k ≤ 4: climb to the block that starts there
            while (k < top && ((p >> k) & 1) == 0) k++;
        }
        while (p < n)
        {
            var value = table[offsets[k] + (p >> k)];
            if (below ? value <= level : value >= level)
            {
                if (k == 0) return p;
                k--; // the block reaches the level: look at its first half
            }
            else
            {
                p += 1 << k; // skip the block; climb while the next position starts a bigger block
                while (k < top && ((p >> k) & 1) == 0) k++;
            }
        }
        return n;
    }

    /// <summary>
    /// How many bars from the start of a search are compared in vectors before the blocks are climbed. Resting orders
    /// that fill at all mostly reach their price within a few weeks, and 16 comparisons in four vectors cost less than
    /// the climb's unpredictable branches: about 7 % of a bulk run single-threaded (bench portfolio's orders).
    /// </summary>
    private const int Window = 16;

    /// <summary>
    /// Bit j set when <paramref name="first"/>[j] ≤ <paramref name="level"/> (<paramref name="below"/>) or ≥ it, for
    /// j &lt; <see cref="Window"/>. Inlined into each search with <paramref name="below"/> a constant.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static uint Reaching(ref double first, double level, bool below)
    {
        var l = Vector256.Create(level);
        var bits = 0u;
        for (var j = 0; j < Window; j += Vector256<double>.Count)
        {
            var values = Vector256.LoadUnsafe(ref first, (nuint)j);
            bits |= Vector256.ExtractMostSignificantBits(below ? Vector256.LessThanOrEqual(values, l) : Vector256.GreaterThanOrEqual(values, l)) << j;
        }
        return bits;
    }
}
