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

    /// <summary>
    /// Joins runs separated by at most <paramref name="maxBetween"/> expected bars into one request: a stock
    /// that does not trade every minute leaves many one-bar holes, and one request that re-reads a few stored
    /// bars (the write is idempotent) is far cheaper than one request per hole against a rate limit.
    /// </summary>
    public static IReadOnlyList<BarRange> Batch(IReadOnlyList<DateTimeOffset> expected, IReadOnlyList<BarRange> runs, int maxBetween)
    {
        var result = new List<BarRange>();
        var lastIndex = -1;
        foreach (var run in runs)
        {
            var first = IndexOf(expected, run.From);
            if (result.Count > 0 && first - lastIndex - 1 <= maxBetween)
            {
                var previous = result[^1];
                result[^1] = new BarRange(previous.From, run.To, previous.ExpectedBars + run.ExpectedBars);
            }
            else
            {
                result.Add(run);
            }
            lastIndex = IndexOf(expected, run.To);
        }
        return result;
    }

    /// <summary>How many stored bars a request may re-read to join two holes: about one session's worth.</summary>
    public static int JoinWithin(string interval) => interval switch
    {
        Intervals.OneDay => 5,
        Intervals.OneHour => 7,
        Intervals.FifteenMinutes => 26,
        Intervals.OneMinute => 390,
        _ => 0,
    };

    private static int IndexOf(IReadOnlyList<DateTimeOffset> expected, DateTimeOffset ts)
    {
        int lo = 0, hi = expected.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var c = expected[mid].CompareTo(ts);
            if (c == 0) return mid;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        throw new ArgumentException($"{ts:O} is not an expected bar time.", nameof(ts));
    }

    /// <summary>When a bar is complete: the session's close for a daily bar, the bar's end for an intraday one.</summary>
    public static DateTimeOffset BarEnd(ExchangeCalendar calendar, string interval, DateTimeOffset ts) => interval switch
    {
        Intervals.OneDay => calendar.At(calendar.TradingDate(interval, ts), calendar.Close),
        Intervals.OneHour => ts.AddHours(1),
        Intervals.FifteenMinutes => ts.AddMinutes(15),
        Intervals.OneMinute => ts.AddMinutes(1),
        _ => throw new ArgumentException($"Unknown interval '{interval}'; expected one of {string.Join(", ", Intervals.All)}.", nameof(interval)),
    };
}
