using Signalbook.Features.Models;

namespace Signalbook.Features.Recommendations;

/// <summary>Where a recommendation's feature value sits in the instrument's own history of that feature.</summary>
public sealed record FeaturePercentile(string Feature, double? Value, double? Percentile, int HistoryCount, double? Effect, int? DriverRank);

/// <summary>Percentiles of snapshot values against an instrument's history. Pure: no I/O.</summary>
public static class FeaturePercentiles
{
    /// <summary>
    /// Mid-rank percentile (0–100) of <paramref name="value"/> among <paramref name="history"/>: the share of values
    /// below it plus half the share equal to it. NaNs are ignored; null when there is no history or no value.
    /// A value equal to the only value in history sits at 50; above every value at 100; below every value at 0.
    /// </summary>
    public static double? Of(ReadOnlySpan<double> history, double value)
    {
        if (double.IsNaN(value)) return null;
        int below = 0, equal = 0, n = 0;
        foreach (var h in history)
        {
            if (double.IsNaN(h)) continue;
            n++;
            if (h < value) below++;
            else if (h == value) equal++;
        }
        return n == 0 ? null : 100.0 * (below + 0.5 * equal) / n;
    }

    /// <summary>
    /// Each snapshot feature's percentile within the instrument's history of the same feature over bars up to and
    /// including <paramref name="asOf"/>, using the values as the model saw them (scale-free). state_id is a category:
    /// it gets no percentile. Drivers carry their effect and rank (1 = strongest).
    /// </summary>
    public static IReadOnlyList<FeaturePercentile> Compute(RecommendationSnapshot snapshot, InstrumentFeatures? history)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var drivers = snapshot.Drivers.Select((d, i) => (d, Rank: i + 1)).ToDictionary(x => x.d.Feature, x => x);
        var end = history is null ? 0 : CountUpTo(history.Ts, snapshot.AsOf);
        var result = new List<FeaturePercentile>(snapshot.Features.Count);
        foreach (var (name, value) in snapshot.Features)
        {
            double? percentile = null;
            var count = 0;
            if (value is { } v && history is not null && name != InstrumentFeatures.StateIdName && history.Columns.ContainsKey(name) && end > 0)
            {
                var values = new double[end];
                for (var t = 0; t < end; t++) values[t] = DatasetBuilder.FeatureValue(history, name, t, scaleFree: true);
                count = values.Count(x => !double.IsNaN(x));
                percentile = Of(values, v);
            }
            var driver = drivers.TryGetValue(name, out var d) ? d : default;
            result.Add(new FeaturePercentile(name, value, percentile, count, driver.d?.Effect, driver.d is null ? null : driver.Rank));
        }
        // Drivers first (strongest first), then the rest by name.
        return result.OrderBy(f => f.DriverRank ?? int.MaxValue).ThenBy(f => f.Feature, StringComparer.Ordinal).ToList();
    }

    private static int CountUpTo(DateTimeOffset[] ts, DateTimeOffset asOf)
    {
        var n = 0;
        while (n < ts.Length && ts[n] <= asOf) n++;
        return n;
    }
}
