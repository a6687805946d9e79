namespace Signalbook.Features.MarketData.Sync;

/// <summary>Bars to ask a provider for: the first and last missing bar time of a run, and how many bars the exchange should have produced in it.</summary>
public sealed record BarRange(DateTimeOffset From, DateTimeOffset To, int ExpectedBars);

/// <summary>
/// Pure gap arithmetic. Missing bars are the exchange calendar's expected bar times that are neither stored
/// nor inside a range the provider already answered empty. Consecutive missing bars in the expected
/// sequence form one run, whatever lies between them in clock time (a weekend, a holiday, the night): so a
/// gap over a long weekend is one request, and a weekend or holiday can never be a gap of its own.
/// The run before the first stored bar (back to the horizon), after the last, and every interior hole come
/// out of the same rule.
/// </summary>
public static class GapPlanner
{
    public static IReadOnlyList<BarRange> MissingRuns(IReadOnlyList<DateTimeOffset> expected, IReadOnlySet<DateTimeOffset> present,
        IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> knownEmpty)
    {
        var runs = new List<BarRange>();
        DateTimeOffset? start = null;
        DateTimeOffset last = default;
        var count = 0;
        foreach (var ts in expected)
        {
            var missing = !present.Contains(ts) && !knownEmpty.Any(r => ts >= r.From && ts <= r.To);
            if (missing)
            {
                start ??= ts;
                last = ts;
                count++;
            }
            else if (start is not null)
            {
                runs.Add(new BarRange(start.Value, last, count));
                (start, count) = (null, 0);
            }
        }
        if (start is not null) runs.Add(new BarRange(start.Value, last, count));
        return runs;
    }

    /// <summary>When a bar is complete: the session's close for a daily bar, the bar's end for an intraday one.</summary>
    public static DateTimeOffset BarEnd(ExchangeCalendar calendar, string interval, DateTimeOffset ts) => interval switch
    {
        Intervals.OneDay => calendar.At(calendar.LocalDate(ts), calendar.Close),
        Intervals.OneHour => ts.AddHours(1),
        Intervals.FifteenMinutes => ts.AddMinutes(15),
        Intervals.OneMinute => ts.AddMinutes(1),
        _ => throw new ArgumentException($"Unknown interval '{interval}'; expected one of {string.Join(", ", Intervals.All)}.", nameof(interval)),
    };
}
