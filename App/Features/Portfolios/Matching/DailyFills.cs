using System.Buffers;
using System.Collections;

namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// The fills of a <see cref="DailyMatcher"/> run in its order (instrument by instrument, order by order, bar by bar), held
/// as segments: each parallel chunk's fills stay in the array the chunk wrote them to, where copying them into one list
/// was a sixth of a bulk run. Read them by index, by enumeration, or segment by segment (<see cref="Segment"/>, the fastest).
/// <see cref="Clear"/> keeps the arrays for the next run, as a list keeps its capacity; <see cref="Dispose"/> returns them
/// to the shared pool. Not thread-safe.
/// </summary>
public sealed class DailyFills : IReadOnlyList<DailyFill>, IDisposable
{
    private readonly List<FillBuffer> _segments = [];
    private readonly List<FillBuffer> _spare = [];

    // _ends[k]: the fills in segments 0..k (for the indexer's binary search).
    private readonly List<int> _ends = [];

    public int Count { get; private set; }

    public int SegmentCount => _segments.Count;

    /// <summary>Segment <paramref name="index"/>'s fills, in order.</summary>
    public ReadOnlySpan<DailyFill> Segment(int index) => _segments[index].Span;

    public DailyFill this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            var k = _ends.BinarySearch(index);
            k = k < 0 ? ~k : k + 1; // the first segment ending after index
            return _segments[k].Span[index - (k == 0 ? 0 : _ends[k - 1])];
        }
    }

    /// <summary>Appends every fill, in order, to <paramref name="list"/>.</summary>
    public void CopyTo(List<DailyFill> list)
    {
        ArgumentNullException.ThrowIfNull(list);
        list.EnsureCapacity(list.Count + Count);
        foreach (var segment in _segments) list.AddRange(segment.Span);
    }

    /// <summary>Empties the fills and keeps their arrays for the next run.</summary>
    public void Clear()
    {
        foreach (var segment in _segments)
        {
            segment.Reset();
            _spare.Add(segment);
        }
        _segments.Clear();
        _ends.Clear();
        Count = 0;
    }

    public void Dispose()
    {
        Clear();
        foreach (var buffer in _spare) buffer.Release();
        _spare.Clear();
    }

    public IEnumerator<DailyFill> GetEnumerator()
    {
        foreach (var segment in _segments)
        {
            for (var i = 0; i < segment.Count; i++) yield return segment.Span[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An empty buffer for a chunk's fills: one kept from an earlier run (it grows if it must), else a new one of <paramref name="capacity"/>.</summary>
    internal FillBuffer Take(int capacity)
    {
        if (_spare.Count == 0) return new FillBuffer(Math.Max(16, capacity));
        var last = _spare[^1];
        _spare.RemoveAt(_spare.Count - 1);
        return last;
    }

    /// <summary>Adds a chunk's fills after those already here.</summary>
    internal void Append(FillBuffer buffer)
    {
        _segments.Add(buffer);
        Count += buffer.Count;
        _ends.Add(Count);
    }
}

/// <summary>Where <see cref="DailyMatcher"/> appends one chunk's fills: an array rented from the shared pool, grown by doubling.</summary>
internal sealed class FillBuffer(int capacity)
{
    private DailyFill[] _items = ArrayPool<DailyFill>.Shared.Rent(capacity);

    public int Count { get; private set; }

    public ReadOnlySpan<DailyFill> Span => _items.AsSpan(0, Count);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(in DailyFill fill)
    {
        if (Count == _items.Length) Grow();
        _items[Count++] = fill;
    }

    public void Reset() => Count = 0;

    private void Grow()
    {
        var bigger = ArrayPool<DailyFill>.Shared.Rent(Math.Max(16, _items.Length * 2));
        Span.CopyTo(bigger);
        ArrayPool<DailyFill>.Shared.Return(_items);
        _items = bigger;
    }

    public void Release()
    {
        if (_items.Length == 0) return;
        ArrayPool<DailyFill>.Shared.Return(_items);
        _items = [];
        Count = 0;
    }
}
