namespace Signalbook.Features.MarketData.Import;

/// <summary>A growable list in fixed chunks: no doubling copies, so millions of values cost their size and no more.</summary>
internal sealed class ChunkedBuffer<T> where T : unmanaged
{
    private const int ChunkSize = 1 << 16;
    private readonly List<T[]> _chunks = [];
    private int _inLast = ChunkSize;

    public int Count { get; private set; }

    public void Add(T value)
    {
        if (_inLast == ChunkSize)
        {
            _chunks.Add(new T[ChunkSize]);
            _inLast = 0;
        }
        _chunks[^1][_inLast++] = value;
        Count++;
    }

    /// <summary>The values as one array; the chunks are released.</summary>
    public T[] Drain()
    {
        var result = new T[Count];
        var at = 0;
        foreach (var chunk in _chunks)
        {
            var n = Math.Min(ChunkSize, Count - at);
            Array.Copy(chunk, 0, result, at, n);
            at += n;
        }
        _chunks.Clear();
        return result;
    }
}

/// <summary>
/// The compact columns the data-quality checks need, oldest first with one bar per timestamp: 32 bytes a bar
/// (prices and volumes as float, ample for ratio and run checks), so five million bars fit in about 160 MB.
/// </summary>
public sealed record PriceSeries(long[] UtcTicks, int[] Lines, float[] Open, float[] Close, float[] Volume, float[]? AdjClose, float[]? Dividend)
{
    public int Count => UtcTicks.Length;
}

/// <summary>
/// Collects valid rows as they stream by, noting the file's order; <see cref="Finish"/> sorts them oldest first,
/// finds duplicate timestamps (the first line wins, as in the database merge) and returns the series.
/// </summary>
public sealed class BarSeriesBuffer(bool keepAdjClose, bool keepDividends)
{
    private readonly ChunkedBuffer<long> _ticks = new();
    private readonly ChunkedBuffer<int> _lines = new();
    private readonly ChunkedBuffer<float> _open = new(), _close = new(), _volume = new();
    private readonly ChunkedBuffer<float>? _adj = keepAdjClose ? new() : null;
    private readonly ChunkedBuffer<float>? _div = keepDividends ? new() : null;
    private long _previous = long.MinValue;
    private int _ascending, _descending, _equal;

    public int Count => _ticks.Count;

    /// <summary>True once a row's timestamp equals or precedes the previous row's and the file is not simply newest-first.</summary>
    public bool MayHaveDuplicates => _equal > 0 || (_ascending > 0 && _descending > 0);

    /// <summary>Rows whose timestamp precedes the previous row's, in file order.</summary>
    public int StepsBack => _descending;

    public int? FirstStepBackLine { get; private set; }

    public void Add(in BarRow row)
    {
        if (_ticks.Count > 0)
        {
            if (row.UtcTicks > _previous) _ascending++;
            else if (row.UtcTicks < _previous)
            {
                _descending++;
                FirstStepBackLine ??= row.Line;
            }
            else _equal++;
        }
        _previous = row.UtcTicks;
        _ticks.Add(row.UtcTicks);
        _lines.Add(row.Line);
        _open.Add((float)row.Open);
        _close.Add((float)row.Close);
        _volume.Add((float)row.Volume);
        _adj?.Add(double.IsNaN(row.AdjClose) ? float.NaN : (float)row.AdjClose);
        _div?.Add(double.IsNaN(row.Dividend) ? 0f : (float)row.Dividend);
    }

    /// <summary>Whether every row came strictly newest first.</summary>
    public bool WasNewestFirst => Count > 1 && _descending == Count - 1;

    public (PriceSeries Series, List<(int Line, int FirstLine, long UtcTicks)> Duplicates) Finish()
    {
        var ticks = _ticks.Drain();
        var lines = _lines.Drain();
        int[]? order = null;
        if (WasNewestFirst)
        {
            order = new int[ticks.Length];
            for (var i = 0; i < order.Length; i++) order[i] = order.Length - 1 - i;
        }
        else if (_descending > 0 || _equal > 0)
        {
            order = new int[ticks.Length];
            for (var i = 0; i < order.Length; i++) order[i] = i;
            // Sort by (timestamp, line): the first occurrence of a timestamp comes first.
            Array.Sort(order, (a, b) => ticks[a] != ticks[b] ? ticks[a].CompareTo(ticks[b]) : lines[a].CompareTo(lines[b]));
        }

        var duplicates = new List<(int, int, long)>();
        if (order is not null)
        {
            var keep = new List<int>(order.Length);
            foreach (var index in order)
            {
                if (keep.Count > 0 && ticks[keep[^1]] == ticks[index]) duplicates.Add((lines[index], lines[keep[^1]], ticks[index]));
                else keep.Add(index);
            }
            order = keep.ToArray();
        }
        T[] Apply<T>(T[] values) where T : unmanaged
        {
            if (order is null) return values;
            var result = new T[order.Length];
            for (var i = 0; i < order.Length; i++) result[i] = values[order[i]];
            return result;
        }
        var series = new PriceSeries(Apply(ticks), Apply(lines), Apply(_open.Drain()), Apply(_close.Drain()), Apply(_volume.Drain()),
            _adj is null ? null : Apply(_adj.Drain()), _div is null ? null : Apply(_div.Drain()));
        duplicates.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return (series, duplicates);
    }
}
