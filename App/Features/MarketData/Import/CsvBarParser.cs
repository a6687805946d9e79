using System.Globalization;

namespace Signalbook.Features.MarketData.Import;

public enum CsvLayout
{
    /// <summary>Date,Open,High,Low,Close,Adj Close,Volume[,Dividends,Stock Splits]</summary>
    Yahoo,

    /// <summary>timestamp,open,high,low,close,volume,trade_count,vwap</summary>
    Alpaca,

    /// <summary>Any header, read through a <see cref="ColumnMap"/>.</summary>
    Generic,

    /// <summary>yfinance without Adj Close: Datetime|Date|(unnamed index),Open,High,Low,Close[,Volume]; intraday timestamps carry UTC offsets.</summary>
    Yfinance,
}

/// <summary>Which header names hold which field, for files of no known layout (case-insensitive).</summary>
public sealed record ColumnMap(string Timestamp, string Open, string High, string Low, string Close, string? Volume = null,
    string? Vwap = null, string? TradeCount = null);

/// <summary>One bar from a file or a provider; <see cref="Line"/> is its line in the file, 0 when it came from elsewhere.</summary>
public sealed record OhlcvBar(int Line, DateTimeOffset Ts, double Open, double High, double Low, double Close, double Volume,
    double? Vwap, int? TradeCount);

/// <summary>A rejected row: the file, its 1-based line number (the header is line 1) and why.</summary>
/// <param name="Unit">"line" for text files; "row" for Parquet, whose rows are counted from 1.</param>
public sealed record RowError(string File, int Line, string Reason, string Unit = "line")
{
    public override string ToString() => $"{File}, {Unit} {Line}: {Reason}";
}

public sealed record ParseResult(CsvLayout Layout, IReadOnlyList<OhlcvBar> Bars, IReadOnlyList<RowError> Errors, bool WasNewestFirst);

/// <summary>
/// Reads bar files line by line. Every row is validated (missing values, numbers, OHLC order,
/// prices &gt; 0, volume ≥ 0, duplicate timestamps) and a bad row becomes a <see cref="RowError"/>
/// naming its line, never a silent drop. Timestamps: with an offset (ISO 8601, "Z", "+02:00") as
/// given; without one, in the instrument's exchange time zone (a date alone is that day's midnight
/// there). Recognised dates: yyyy-MM-dd[ HH:mm[:ss]] or with T, MM/dd/yyyy (slashes are US order),
/// dd.MM.yyyy (dots are European order), yyyyMMdd, and Unix seconds or milliseconds. The bars come
/// back oldest first whatever the file's order.
/// </summary>
public static class CsvBarParser
{
    private static readonly string[] NaiveFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF", "MM/dd/yyyy", "M/d/yyyy", "MM/dd/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "dd.MM.yyyy", "d.M.yyyy",
        "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss", "yyyyMMdd",
    ];

    public static ParseResult Parse(TextReader reader, string fileName, TimeZoneInfo exchangeZone, ColumnMap? map = null)
    {
        var rows = Open(reader, fileName, exchangeZone, map);
        if (rows.HeaderError is { } headerError) return new ParseResult(rows.Layout, [], [headerError], false);

        var bars = new List<OhlcvBar>();
        var errors = new List<RowError>();
        var seen = new Dictionary<DateTimeOffset, int>();
        var descending = 0;
        while (rows.Read(out var row, out var error))
        {
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }
            var bar = row.ToBar();
            if (seen.TryGetValue(bar.Ts, out var first))
            {
                errors.Add(new RowError(fileName, row.Line, DuplicateReason(first, bar.Ts)));
                continue;
            }
            seen[bar.Ts] = row.Line;
            if (bars.Count > 0 && bar.Ts < bars[^1].Ts) descending++;
            bars.Add(bar);
        }
        var newestFirst = bars.Count > 1 && descending == bars.Count - 1;
        bars.Sort((a, b) => a.Ts.CompareTo(b.Ts));
        return new ParseResult(rows.Layout, bars, errors, newestFirst);
    }

    /// <summary>Opens a file for reading row by row, without keeping it in memory (see <see cref="CsvBarReader"/>).</summary>
    public static CsvBarReader Open(TextReader reader, string fileName, TimeZoneInfo exchangeZone, ColumnMap? map = null)
        => new(reader, fileName, exchangeZone, map);

    internal static string DuplicateReason(int firstLine, DateTimeOffset ts) => $"duplicate of line {firstLine} (same timestamp {ts:yyyy-MM-dd HH:mm:ss} UTC)";

    /// <summary>A timestamp in UTC, or null when the text is no date this parser knows.</summary>
    public static DateTimeOffset? ParseTimestamp(string text, TimeZoneInfo zone) => ParseTimestampAsWritten(text, zone)?.ToUniversalTime();

    /// <summary>
    /// As <see cref="ParseTimestamp"/>, keeping the offset the text was written with (UTC for Unix times; the exchange zone's
    /// offset for naive times is not kept: they come back in UTC).
    /// </summary>
    internal static DateTimeOffset? ParseTimestampAsWritten(string text, TimeZoneInfo zone)
    {
        text = text.Trim().Trim('"');
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) && text.Length is 10 or 13)
        {
            return text.Length == 13 ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : DateTimeOffset.FromUnixTimeSeconds(epoch);
        }
        if (HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withOffset))
        {
            return withOffset;
        }
        if (DateTime.TryParseExact(text, NaiveFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var naive))
        {
            var local = DateTime.SpecifyKind(naive, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(local)) local = local.AddHours(1); // a wall time skipped by a DST jump
            return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
        }
        return null;
    }

    private static bool HasOffset(string text)
        => text.EndsWith('Z') || (text.Length > 10 && (text.LastIndexOf('+') > 9 || text.LastIndexOf('-') > 9));
}
