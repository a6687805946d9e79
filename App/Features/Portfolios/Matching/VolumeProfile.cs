namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// An intraday volume profile for VWAP orders: a weight per time-of-day bucket, built from <b>previous</b> sessions only
/// (never the session being traded, whose later volumes are the future). Buckets are keyed by the time of day of
/// <see cref="MatchBar.Start"/> in its own offset, so the profile and the bars it is applied to must carry the same
/// (exchange-local) offset.
/// </summary>
public sealed class VolumeProfile
{
    private readonly decimal[] _weights;

    /// <param name="bucketLength">The bucket size; it must divide a day evenly (e.g. 5, 15, 30 minutes, 1 hour).</param>
    /// <param name="weights">One non-negative weight per bucket of the day, starting at 00:00 (24 h ÷ bucketLength of them).</param>
    public VolumeProfile(TimeSpan bucketLength, ReadOnlySpan<decimal> weights)
    {
        if (bucketLength <= TimeSpan.Zero || TimeSpan.TicksPerDay % bucketLength.Ticks != 0)
            throw new ArgumentOutOfRangeException(nameof(bucketLength), bucketLength, "bucketLength must be positive and divide a day evenly.");
        var buckets = (int)(TimeSpan.TicksPerDay / bucketLength.Ticks);
        if (weights.Length != buckets)
            throw new ArgumentException($"weights must hold one weight per bucket of the day ({buckets}); got {weights.Length}.", nameof(weights));
        foreach (var w in weights)
            if (w < 0m) throw new ArgumentException($"weights must not be negative; got {w}.", nameof(weights));
        BucketLength = bucketLength;
        _weights = weights.ToArray();
    }

    public TimeSpan BucketLength { get; }

    public int BucketCount => _weights.Length;

    public decimal this[int bucket] => _weights[bucket];

    /// <summary>
    /// The average volume per time-of-day bucket over the sessions of <paramref name="bars"/> strictly before
    /// <paramref name="before"/> (later bars are ignored, so passing a whole history cannot leak the future). Daily bars
    /// are ignored. A bar longer than a bucket puts its volume in the bucket of its start.
    /// </summary>
    public static VolumeProfile FromHistory(ReadOnlySpan<MatchBar> bars, TimeSpan bucketLength, DateOnly before)
    {
        if (bucketLength <= TimeSpan.Zero || TimeSpan.TicksPerDay % bucketLength.Ticks != 0)
            throw new ArgumentOutOfRangeException(nameof(bucketLength), bucketLength, "bucketLength must be positive and divide a day evenly.");
        var weights = new decimal[(int)(TimeSpan.TicksPerDay / bucketLength.Ticks)];
        var sessions = new HashSet<DateOnly>();
        foreach (ref readonly var bar in bars)
        {
            if (!bar.IsIntraday || bar.SessionDate >= before) continue;
            weights[(int)(bar.Start.TimeOfDay.Ticks / bucketLength.Ticks)] += bar.Volume;
            sessions.Add(bar.SessionDate);
        }
        if (sessions.Count > 1)
            for (var i = 0; i < weights.Length; i++) weights[i] /= sessions.Count;
        return new VolumeProfile(bucketLength, weights);
    }

    /// <summary>
    /// The weight of the time-of-day span [from, to): whole buckets count fully, a bucket cut by either end counts for the
    /// share of it inside the span. Spans longer than a day wrap around (each day counts again).
    /// </summary>
    public decimal Weight(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from) return 0m;
        var bucket = BucketLength.Ticks;
        var start = from.TimeOfDay.Ticks;
        var end = start + (to - from).Ticks;
        var total = 0m;
        for (var b = start / bucket; b * bucket < end; b++)
        {
            var lo = Math.Max(start, b * bucket);
            var hi = Math.Min(end, (b + 1) * bucket);
            var w = _weights[(int)(b % _weights.Length)];
            if (w == 0m) continue;
            total += hi - lo == bucket ? w : w * (hi - lo) / bucket;
        }
        return total;
    }
}
