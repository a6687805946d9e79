namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// One instrument's daily bars as columns for <see cref="DailyMatcher"/>: start instants (UTC ticks, for the no-look-ahead
/// search), open, high, low and volume as <see cref="double"/>, and two search tables built once here. The tables hold,
/// for every aligned block of 1, 2, 4, … bars, the lowest of open and low and the highest of open and high, so a resting
/// limit or an untriggered stop finds the next bar that reaches its price in O(log distance) steps instead of visiting
/// every bar (the same bars the exact engine's bulk run skips: nothing happens to such an order on a bar that does not
/// reach its price). Immutable once built; share it between threads freely.
/// </summary>
public sealed class DailyBars
{
    private readonly DateTimeOffset[] _start;
    private readonly DateOnly[]? _session;

    internal readonly long[] StartTicks;
    internal readonly double[] Open;
    internal readonly double[] High;
    internal readonly double[] Low;
    internal readonly double[] Volume;

    // Level k of a table starts at LevelOffset[k] and has one entry per aligned block of 2^k bars (the last one may be short).
    internal readonly double[] Floor; // min(open, low) per block
    internal readonly double[] Ceiling; // max(open, high) per block
    internal readonly int[] LevelOffset;
    internal readonly int TopLevel;

    /// <summary>Columns from <see cref="MatchBar"/>s: they must be daily (not intraday) and sorted by start.</summary>
    public DailyBars(ReadOnlySpan<MatchBar> bars)
    {
        var n = bars.Length;
        _start = new DateTimeOffset[n];
        _session = new DateOnly[n];
        StartTicks = new long[n];
        Open = new double[n];
        High = new double[n];
        Low = new double[n];
        Volume = new double[n];
        for (var i = 0; i < n; i++)
        {
            ref readonly var bar = ref bars[i];
            if (bar.IsIntraday) throw new ArgumentException($"Bar {i} ({bar.Start:O}) is intraday; DailyBars holds daily bars only.", nameof(bars));
            _start[i] = bar.Start;
            _session[i] = bar.SessionDate;
            StartTicks[i] = bar.Start.UtcTicks;
            Open[i] = (double)bar.Open;
            High[i] = (double)bar.High;
            Low[i] = (double)bar.Low;
            Volume[i] = (double)bar.Volume;
        }
        CheckSorted(nameof(bars));
        (Floor, Ceiling, LevelOffset, TopLevel) = BuildTables(Open, High, Low);
    }

    /// <summary>
    /// Columns given directly (copied). <paramref name="start"/> is each bar's session open, sorted; a bar's session is the
    /// date of its start in its own offset (as <see cref="MatchBar.SessionDate"/> by default). Prices and volumes must be finite.
    /// </summary>
    public DailyBars(ReadOnlySpan<DateTimeOffset> start, ReadOnlySpan<double> open, ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> volume)
    {
        var n = start.Length;
        if (open.Length != n || high.Length != n || low.Length != n || volume.Length != n)
            throw new ArgumentException($"Every column needs {n} values (start has {n}); got open {open.Length}, high {high.Length}, low {low.Length}, volume {volume.Length}.");
        _start = start.ToArray();
        StartTicks = new long[n];
        for (var i = 0; i < n; i++) StartTicks[i] = _start[i].UtcTicks;
        Open = open.ToArray();
        High = high.ToArray();
        Low = low.ToArray();
        Volume = volume.ToArray();
        for (var i = 0; i < n; i++)
        {
            if (!double.IsFinite(Open[i]) || !double.IsFinite(High[i]) || !double.IsFinite(Low[i]) || !double.IsFinite(Volume[i]))
                throw new ArgumentException($"Bar {i} ({_start[i]:O}) has a price or volume that is not a finite number.");
        }
        CheckSorted(nameof(start));
        (Floor, Ceiling, LevelOffset, TopLevel) = BuildTables(Open, High, Low);
    }

    public int Count => StartTicks.Length;

    /// <summary>When bar <paramref name="index"/> starts (its session open).</summary>
    public DateTimeOffset Start(int index) => _start[index];

    /// <summary>The session (trading date) of bar <paramref name="index"/>.</summary>
    public DateOnly SessionDate(int index) => _session is { } s ? s[index] : DateOnly.FromDateTime(_start[index].DateTime);

    /// <summary>The first bar starting at or after <paramref name="utcTicks"/>; <see cref="Count"/> if none.</summary>
    internal int FirstAtOrAfter(long utcTicks)
    {
        var starts = StartTicks;
        int lo = 0, hi = starts.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (starts[mid] < utcTicks) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>The first bar at or after <paramref name="from"/> whose lowest of open and low is ≤ <paramref name="level"/>; <see cref="Count"/> if none.</summary>
    internal int FirstAtOrBelow(int from, double level)
    {
        var table = Floor;
        var offsets = LevelOffset;
        var top = TopLevel;
        var n = StartTicks.Length;
        int p = from, k = 0;
        while (p < n)
        {
            if (table[offsets[k] + (p >> k)] <= level)
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

    /// <summary>The first bar at or after <paramref name="from"/> whose highest of open and high is ≥ <paramref name="level"/>; <see cref="Count"/> if none.</summary>
    internal int FirstAtOrAbove(int from, double level)
    {
        var table = Ceiling;
        var offsets = LevelOffset;
        var top = TopLevel;
        var n = StartTicks.Length;
        int p = from, k = 0;
        while (p < n)
        {
            if (table[offsets[k] + (p >> k)] >= level)
            {
                if (k == 0) return p;
                k--;
            }
            else
            {
                p += 1 << k;
                while (k < top && ((p >> k) & 1) == 0) k++;
            }
        }
        return n;
    }

    private void CheckSorted(string parameter)
    {
        for (var i = 1; i < StartTicks.Length; i++)
        {
            if (StartTicks[i] < StartTicks[i - 1])
                throw new ArgumentException($"Bars must be sorted by start: bar {i} ({_start[i]:O}) starts before bar {i - 1} ({_start[i - 1]:O}).", parameter);
        }
    }

    private static (double[] Floor, double[] Ceiling, int[] Offsets, int Top) BuildTables(double[] open, double[] high, double[] low)
    {
        var n = open.Length;
        var sizes = new List<int> { n };
        while (sizes[^1] > 1) sizes.Add((sizes[^1] + 1) / 2);
        var offsets = new int[sizes.Count];
        var total = 0;
        for (var k = 0; k < sizes.Count; k++)
        {
            offsets[k] = total;
            total += sizes[k];
        }
        var floor = new double[Math.Max(total, 1)];
        var ceiling = new double[floor.Length];
        for (var i = 0; i < n; i++)
        {
            var o = open[i];
            floor[i] = low[i] < o ? low[i] : o;
            ceiling[i] = high[i] > o ? high[i] : o;
        }
        for (var k = 1; k < sizes.Count; k++)
        {
            int below = offsets[k - 1], here = offsets[k], belowSize = sizes[k - 1];
            for (var j = 0; j < sizes[k]; j++)
            {
                var a = below + 2 * j;
                var hasB = 2 * j + 1 < belowSize;
                var lo = floor[a];
                var hi = ceiling[a];
                if (hasB)
                {
                    if (floor[a + 1] < lo) lo = floor[a + 1];
                    if (ceiling[a + 1] > hi) hi = ceiling[a + 1];
                }
                floor[here + j] = lo;
                ceiling[here + j] = hi;
            }
        }
        return (floor, ceiling, offsets, sizes.Count - 1);
    }
}
