using System.Globalization;

namespace Signalbook.Features.MarketData.Import;

/// <summary>What kind of problem a series-level check found.</summary>
public enum DataQualityKind
{
    /// <summary>The file lists the newest bar first (harmless: bars are stored by timestamp).</summary>
    NewestFirst,

    /// <summary>Rows go back in time in a file that is not simply newest-first.</summary>
    OutOfOrder,

    /// <summary>Two rows with the same timestamp; the first was kept.</summary>
    DuplicateTimestamp,

    /// <summary>A run of bars with zero volume.</summary>
    ZeroVolume,

    /// <summary>Trading days (or intraday bars) the exchange calendar expects but the file lacks.</summary>
    MissingBars,

    /// <summary>Prices jump about 100× and jump back: a currency unit error such as pence (GBp) against pounds (GBP).</summary>
    UnitError100x,

    /// <summary>Prices jump by a large factor (≥ 4×) and jump back within a few bars: a bad tick or a split applied to only some bars.</summary>
    ReversedJump,

    /// <summary>An overnight jump by a split-like ratio (2, 3, 10, 1/2, 1/10 …) that is not reversed and is far larger than the moves around it.</summary>
    UnadjustedSplit,

    /// <summary>A dividend is recorded but Adj Close / Close does not step on its ex-date.</summary>
    DividendNotAdjusted,

    /// <summary>Adj Close / Close steps by an amount that does not match the dividend of that day.</summary>
    AdjustmentMismatch,

    /// <summary>Adj Close / Close steps on a day without a recorded dividend.</summary>
    AdjustmentWithoutDividend,

    /// <summary>Adj Close / Close moves the wrong way (older prices adjusted up, as if a dividend were negative).</summary>
    AdjustmentWrongWay,

    /// <summary>The same dividend recorded on two ex-dates a few days apart.</summary>
    DividendRecordedTwice,

    /// <summary>A dividend of 15 % or more of the previous close: more likely a unit error than a real payment.</summary>
    ImplausibleDividend,

    /// <summary>The same close repeated over many consecutive bars.</summary>
    StalePrices,
}

/// <summary>
/// One finding: its kind, the exchange-local days and file lines it concerns, the numbers that triggered it, and a
/// sentence a person can act on.
/// </summary>
public sealed record DataQualityFinding(DataQualityKind Kind, DateTimeOffset FirstTs, DateTimeOffset LastTs, DateOnly FirstDay, DateOnly LastDay,
    int FirstLine, int LastLine, IReadOnlyDictionary<string, double> Numbers, string Message)
{
    public override string ToString() => $"{Kind} {FirstDay:yyyy-MM-dd}{(LastDay != FirstDay ? $"..{LastDay:yyyy-MM-dd}" : "")}: {Message}";
}

/// <summary>The series-level checks of one import.</summary>
public sealed record DataQualityReport(IReadOnlyList<DataQualityFinding> Findings)
{
    public static readonly DataQualityReport Empty = new([]);

    public IEnumerable<DataQualityFinding> Of(DataQualityKind kind) => Findings.Where(f => f.Kind == kind);

    public bool Has(DataQualityKind kind) => Findings.Any(f => f.Kind == kind);
}

/// <summary>
/// Series-level checks on an imported file, over compact arrays (oldest first, one bar per timestamp). Row-level
/// validation (OHLC order, prices &gt; 0, volume ≥ 0, missing values) happens while reading; these checks look at
/// bars against their neighbours:
/// <list type="bullet">
/// <item>order and duplicate timestamps (from the reader);</item>
/// <item>runs of zero volume; closes repeated over ≥ 5 daily (≥ 60 intraday) bars;</item>
/// <item>missing bars against the exchange calendar (<see cref="ExchangeCalendar"/>; exchanges without a holiday
/// list count every weekday, so their holidays show up as one-day gaps);</item>
/// <item>jumps that reverse: a close-to-close move of ≥ 4× that comes back within 30 bars (≈100×: unit error);</item>
/// <item>unadjusted splits: an overnight gap (open against the previous close) within 10 % of a split ratio, not
/// reversed, and at least twice the largest close-to-close move in the 10 bars on either side;</item>
/// <item>dividend adjustment, when the file has Adj Close: with q = Adj Close / Close, a step between two bars implies
/// a distribution of previous close × (1 − q_prev / q). That is compared with the Dividends column when there is one.</item>
/// </list>
/// Limits (said plainly): the checks see one file, so a dividend that is wrong but consistently applied to Adj Close
/// (e.g. 100× too small) is not detectable from the file alone, and a 100× jump only says the unit changes between
/// two stretches, not which stretch is right.
/// </summary>
public static class DataQuality
{
    private const int MaxPerKind = 50;
    private static readonly double[] SplitRatios = [2, 3, 4, 5, 8, 10, 15, 20, 25, 30, 40, 50, 100, 1000, 1.5, 2.5];

    public static DataQualityReport Analyze(PriceSeries s, string interval, ExchangeCalendar calendar, bool wasNewestFirst = false, int stepsBack = 0,
        int? firstStepBackLine = null, IReadOnlyList<(int Line, int FirstLine, long UtcTicks)>? duplicates = null)
    {
        var findings = new List<DataQualityFinding>();
        var perKind = new Dictionary<DataQualityKind, int>();
        var daily = interval == Intervals.OneDay;

        void Add(DataQualityKind kind, int first, int last, string message, params (string Name, double Value)[] numbers)
        {
            perKind[kind] = perKind.GetValueOrDefault(kind) + 1;
            if (perKind[kind] > MaxPerKind) return;
            var (a, b) = (new DateTimeOffset(s.UtcTicks[first], TimeSpan.Zero), new DateTimeOffset(s.UtcTicks[last], TimeSpan.Zero));
            findings.Add(new DataQualityFinding(kind, a, b, calendar.TradingDate(interval, a), calendar.TradingDate(interval, b), s.Lines[first], s.Lines[last],
                numbers.ToDictionary(n => n.Name, n => n.Value), message));
        }
        string Day(int i) => daily ? calendar.TradingDate(interval, new DateTimeOffset(s.UtcTicks[i], TimeSpan.Zero)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : TimeZoneInfo.ConvertTime(new DateTimeOffset(s.UtcTicks[i], TimeSpan.Zero), calendar.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

        var n = s.Count;
        if (n == 0) return DataQualityReport.Empty;

        if (wasNewestFirst)
            Add(DataQualityKind.NewestFirst, 0, n - 1, "The file lists the newest bar first; the bars were stored in time order.", ("rows", n));
        else if (stepsBack > 0)
            Add(DataQualityKind.OutOfOrder, 0, n - 1,
                $"{stepsBack} row(s) go back in time (first at line {firstStepBackLine}); the bars were sorted by timestamp before storing.",
                ("rows_out_of_order", stepsBack), ("first_line", firstStepBackLine ?? 0));
        if (duplicates is not null)
        {
            foreach (var (line, firstLine, ticks) in duplicates)
            {
                var at = Array.BinarySearch(s.UtcTicks, ticks);
                if (at < 0) continue;
                perKind[DataQualityKind.DuplicateTimestamp] = perKind.GetValueOrDefault(DataQualityKind.DuplicateTimestamp) + 1;
                if (perKind[DataQualityKind.DuplicateTimestamp] > MaxPerKind) continue;
                var ts = new DateTimeOffset(ticks, TimeSpan.Zero);
                findings.Add(new DataQualityFinding(DataQualityKind.DuplicateTimestamp, ts, ts, calendar.TradingDate(interval, ts), calendar.TradingDate(interval, ts), firstLine, line,
                    new Dictionary<string, double> { ["line"] = line, ["first_line"] = firstLine },
                    $"Line {line} repeats the timestamp of line {firstLine} ({Day(at)}); line {firstLine} was kept."));
            }
        }

        ZeroVolume(s, Add, Day);
        Stale(s, daily ? 5 : 60, Add, Day);
        Gaps(s, interval, calendar, Add);
        var excluded = new bool[n];
        ReversedJumps(s, excluded, Add, Day);
        Splits(s, excluded, Add, Day);
        if (s.AdjClose is not null) Adjustments(s, Add, Day);

        foreach (var (kind, count) in perKind.Where(k => k.Value > MaxPerKind))
        {
            var ts = new DateTimeOffset(s.UtcTicks[n - 1], TimeSpan.Zero);
            findings.Add(new DataQualityFinding(kind, ts, ts, calendar.TradingDate(interval, ts), calendar.TradingDate(interval, ts), 0, 0,
                new Dictionary<string, double> { ["not_listed"] = count - MaxPerKind }, $"… and {count - MaxPerKind} more findings of this kind, not listed."));
        }
        return new DataQualityReport(findings);
    }

    private delegate void Sink(DataQualityKind kind, int first, int last, string message, params (string Name, double Value)[] numbers);

    private static string N(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static void ZeroVolume(PriceSeries s, Sink add, Func<int, string> day)
    {
        for (var i = 0; i < s.Count; i++)
        {
            if (s.Volume[i] != 0) continue;
            var j = i;
            while (j + 1 < s.Count && s.Volume[j + 1] == 0) j++;
            var count = j - i + 1;
            add(DataQualityKind.ZeroVolume, i, j, count == 1
                ? $"Zero volume on {day(i)} (line {s.Lines[i]})."
                : $"Zero volume on {count} consecutive bars, {day(i)} to {day(j)} (lines {Math.Min(s.Lines[i], s.Lines[j])}–{Math.Max(s.Lines[i], s.Lines[j])}).", ("bars", count));
            i = j;
        }
    }

    private static void Stale(PriceSeries s, int minRun, Sink add, Func<int, string> day)
    {
        for (var i = 0; i < s.Count; i++)
        {
            var j = i;
            while (j + 1 < s.Count && s.Close[j + 1] == s.Close[i]) j++;
            if (j - i + 1 >= minRun)
                add(DataQualityKind.StalePrices, i, j, $"The close stays at {N(s.Close[i])} for {j - i + 1} consecutive bars, {day(i)} to {day(j)}: stale or untraded prices.",
                    ("bars", j - i + 1), ("close", s.Close[i]));
            i = j;
        }
    }

    private static void Gaps(PriceSeries s, string interval, ExchangeCalendar calendar, Sink add)
    {
        if (interval == Intervals.OneDay)
        {
            var previous = calendar.TradingDate(interval, new DateTimeOffset(s.UtcTicks[0], TimeSpan.Zero));
            for (var i = 1; i < s.Count; i++)
            {
                var day = calendar.TradingDate(interval, new DateTimeOffset(s.UtcTicks[i], TimeSpan.Zero));
                if (day.DayNumber - previous.DayNumber > 1)
                {
                    var missing = calendar.TradingDays(previous.AddDays(1), day.AddDays(-1)).ToList();
                    if (missing.Count > 0)
                        add(DataQualityKind.MissingBars, i - 1, i, missing.Count == 1
                                ? $"No bar for the trading day {missing[0]:yyyy-MM-dd} (between lines {s.Lines[i - 1]} and {s.Lines[i]})."
                                : $"No bars for {missing.Count} trading days, {missing[0]:yyyy-MM-dd} to {missing[^1]:yyyy-MM-dd} (between lines {s.Lines[i - 1]} and {s.Lines[i]}).",
                            ("missing_days", missing.Count));
                }
                previous = day;
            }
            return;
        }
        var step = interval switch { Intervals.OneMinute => TimeSpan.FromMinutes(1), Intervals.FifteenMinutes => TimeSpan.FromMinutes(15), _ => TimeSpan.FromHours(1) };
        for (var i = 1; i < s.Count; i++)
        {
            if (s.UtcTicks[i] - s.UtcTicks[i - 1] <= step.Ticks) continue;
            var from = new DateTimeOffset(s.UtcTicks[i - 1], TimeSpan.Zero);
            var to = new DateTimeOffset(s.UtcTicks[i], TimeSpan.Zero);
            var missing = calendar.ExpectedBars(interval, from.AddTicks(1), to.AddTicks(-1)).Count();
            if (missing > 0)
                add(DataQualityKind.MissingBars, i - 1, i, $"{missing} bar(s) the exchange calendar expects are missing between lines {s.Lines[i - 1]} and {s.Lines[i]}.",
                    ("missing_bars", missing));
        }
    }

    private static void ReversedJumps(PriceSeries s, bool[] excluded, Sink add, Func<int, string> day)
    {
        var limit = Math.Log(4);
        for (var i = 1; i < s.Count; i++)
        {
            var jump = Math.Log((double)s.Close[i] / s.Close[i - 1]);
            if (Math.Abs(jump) < limit) continue;
            for (var k = i + 1; k < s.Count && k <= i + 30; k++)
            {
                if (Math.Abs(Math.Log((double)s.Close[k] / s.Close[i - 1])) >= Math.Abs(jump) / 2) continue;
                var factor = Math.Exp(jump);
                var size = Math.Max(factor, 1 / factor);
                var unit = size is >= 70 and <= 140;
                var what = factor > 1 ? $"{N(size)}× higher" : $"{N(size)}× lower";
                var span = k - 1 == i ? $"on {day(i)} (line {s.Lines[i]})"
                    : $"from {day(i)} to {day(k - 1)} (lines {Math.Min(s.Lines[i], s.Lines[k - 1])}–{Math.Max(s.Lines[i], s.Lines[k - 1])})";
                var message = unit
                    ? $"Prices {span} are {what} than the bars around them (close {N(s.Close[i - 1])} → {N(s.Close[i])} → {N(s.Close[k])}): a 100× unit error such as pence (GBp) against pounds (GBP). One of the two stretches is in the wrong unit."
                    : $"Prices {span} are {what} than the bars around them (close {N(s.Close[i - 1])} → {N(s.Close[i])} → {N(s.Close[k])}) and come back: a bad tick or a split applied to only these bars.";
                add(unit ? DataQualityKind.UnitError100x : DataQualityKind.ReversedJump, i, k - 1, message,
                    ("factor", factor), ("close_before", s.Close[i - 1]), ("close_first", s.Close[i]), ("close_after", s.Close[k]), ("reversal_line", s.Lines[k]));
                for (var m = i; m <= k; m++) excluded[m] = true;
                i = k;
                break;
            }
        }
    }

    private static void Splits(PriceSeries s, bool[] excluded, Sink add, Func<int, string> day)
    {
        for (var i = 1; i < s.Count; i++)
        {
            if (excluded[i]) continue;
            var gap = (double)s.Open[i] / s.Close[i - 1];
            var size = Math.Max(gap, 1 / gap);
            if (size < 1.4) continue;
            var ratio = SplitRatios.MinBy(r => Math.Abs(size / r - 1));
            if (Math.Abs(size / ratio - 1) > 0.10) continue;
            var largest = 0.0;
            for (var k = Math.Max(1, i - 10); k < Math.Min(s.Count, i + 11); k++)
            {
                if (k == i || excluded[k]) continue;
                largest = Math.Max(largest, Math.Abs(Math.Log((double)s.Close[k] / s.Close[k - 1])));
            }
            if (Math.Abs(Math.Log(gap)) < 2 * largest) continue;
            var text = gap < 1 ? $"{N(ratio)}-for-1 split" : $"1-for-{N(ratio)} reverse split";
            add(DataQualityKind.UnadjustedSplit, i - 1, i,
                $"Overnight from {day(i - 1)} to {day(i)} (line {s.Lines[i]}) the price moves {N(s.Close[i - 1])} → {N(s.Open[i])} (×{N(gap)}), close to a {text}, " +
                $"and does not come back; the largest other daily move nearby is {N(Math.Exp(largest) * 100 - 100)} %. The bars before it are probably not split-adjusted.",
                ("gap", gap), ("split_ratio", gap < 1 ? ratio : 1 / ratio), ("close_before", s.Close[i - 1]), ("open", s.Open[i]));
        }
    }

    private static void Adjustments(PriceSeries s, Sink add, Func<int, string> day)
    {
        var adj = s.AdjClose!;
        var div = s.Dividend;
        int lastDividend = -1;
        for (var i = 1; i < s.Count; i++)
        {
            var q0 = adj[i - 1] / (double)s.Close[i - 1];
            var q1 = adj[i] / (double)s.Close[i];
            if (!double.IsFinite(q0) || !double.IsFinite(q1)) continue;
            var previousClose = (double)s.Close[i - 1];
            var implied = previousClose * (1 - q0 / q1);
            var tolerance = 0.0005 * previousClose;
            var stepped = Math.Abs(implied) > tolerance;
            var d = div is null ? 0 : (double)div[i];
            var numbers = new[] { ("dividend", d), ("implied_dividend", implied), ("ratio_before", q0), ("ratio_after", q1), ("previous_close", previousClose) };

            if (d > 0)
            {
                // Float32 prices (Yahoo's) resolve Adj Close / Close to about 1e-7, so a dividend of more than 0.002 % of
                // the price must show as a step; the looser tolerance above only guards days without a dividend.
                var noise = 2e-5 * previousClose;
                if (d > noise && Math.Abs(implied) < 0.1 * d)
                    add(DataQualityKind.DividendNotAdjusted, i, i,
                        $"A dividend of {N(d)} on {day(i)} (line {s.Lines[i]}) is not reflected in Adj Close: Adj Close / Close stays at {N(q1)} instead of stepping by about {N(d / previousClose * 100)} %.", numbers);
                else if (d > noise && Math.Abs(implied - d) > 0.1 * d + noise)
                    add(DataQualityKind.AdjustmentMismatch, i, i,
                        $"On {day(i)} (line {s.Lines[i]}) Adj Close / Close steps {N(q0)} → {N(q1)}, which implies a distribution of {N(implied)}, but the dividend recorded is {N(d)}.", numbers);
                if (d >= 0.15 * previousClose)
                    add(DataQualityKind.ImplausibleDividend, i, i,
                        $"The dividend of {N(d)} on {day(i)} (line {s.Lines[i]}) is {N(d / previousClose * 100)} % of the previous close {N(previousClose)}: probably a unit error (e.g. cents as euros).", numbers);
                if (lastDividend >= 0 && s.UtcTicks[i] - s.UtcTicks[lastDividend] <= TimeSpan.FromDays(7).Ticks
                                      && Math.Abs(div![lastDividend] - d) <= 0.01 * d)
                    add(DataQualityKind.DividendRecordedTwice, lastDividend, i,
                        $"The same dividend of {N(d)} is recorded on {day(lastDividend)} (line {s.Lines[lastDividend]}) and again on {day(i)} (line {s.Lines[i]}): one payment counted twice.",
                        ("dividend", d), ("first_line", s.Lines[lastDividend]), ("second_line", s.Lines[i]));
                lastDividend = i;
                continue;
            }
            if (!stepped) continue;
            if (implied < 0)
                add(DataQualityKind.AdjustmentWrongWay, i, i,
                    $"On {day(i)} (line {s.Lines[i]}) Adj Close / Close falls {N(q0)} → {N(q1)}: older prices are adjusted up, as if a dividend of {N(implied)} were paid. Adjustment factors only grow towards 1 over time.", numbers);
            else if (div is not null)
                add(DataQualityKind.AdjustmentWithoutDividend, i, i,
                    $"On {day(i)} (line {s.Lines[i]}) Adj Close / Close steps {N(q0)} → {N(q1)} (a distribution of {N(implied)}), but no dividend is recorded that day.", numbers);
            else if (implied >= 0.15 * previousClose)
                add(DataQualityKind.AdjustmentMismatch, i, i,
                    $"On {day(i)} (line {s.Lines[i]}) Adj Close / Close steps {N(q0)} → {N(q1)}: a distribution of {N(implied)}, {N(implied / previousClose * 100)} % of the previous close, far more than a normal dividend.", numbers);
        }
    }
}
