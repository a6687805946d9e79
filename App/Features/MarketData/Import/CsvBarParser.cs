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
}

/// <summary>Which header names hold which field, for files of no known layout (case-insensitive).</summary>
public sealed record ColumnMap(string Timestamp, string Open, string High, string Low, string Close, string? Volume = null,
    string? Vwap = null, string? TradeCount = null);

/// <summary>One bar from a file or a provider; <see cref="Line"/> is its line in the file, 0 when it came from elsewhere.</summary>
public sealed record OhlcvBar(int Line, DateTimeOffset Ts, double Open, double High, double Low, double Close, double Volume,
    double? Vwap, int? TradeCount);

/// <summary>A rejected row: the file, its 1-based line number (the header is line 1) and why.</summary>
public sealed record RowError(string File, int Line, string Reason)
{
    public override string ToString() => $"{File}, line {Line}: {Reason}";
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
        var header = reader.ReadLine();
        if (header is null) return new ParseResult(CsvLayout.Generic, [], [new RowError(fileName, 1, "the file is empty")], false);
        header = header.TrimStart('\uFEFF');
        var delimiter = header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';
        var names = Split(header, delimiter).Select(n => n.Trim()).ToArray();
        var (layout, columns, headerError) = Resolve(names, map);
        if (headerError is not null) return new ParseResult(layout, [], [new RowError(fileName, 1, headerError)], false);

        var bars = new List<OhlcvBar>();
        var errors = new List<RowError>();
        var seen = new Dictionary<DateTimeOffset, int>();
        var line = 1;
        var descending = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var fields = Split(text, delimiter);
            var (bar, error) = ParseRow(fields, names, columns, line, exchangeZone);
            if (error is not null)
            {
                errors.Add(new RowError(fileName, line, error));
                continue;
            }
            if (seen.TryGetValue(bar!.Ts, out var first))
            {
                errors.Add(new RowError(fileName, line, $"duplicate of line {first} (same timestamp {bar.Ts:yyyy-MM-dd HH:mm:ss} UTC)"));
                continue;
            }
            seen[bar.Ts] = line;
            if (bars.Count > 0 && bar.Ts < bars[^1].Ts) descending++;
            bars.Add(bar);
        }
        var newestFirst = bars.Count > 1 && descending == bars.Count - 1;
        bars.Sort((a, b) => a.Ts.CompareTo(b.Ts));
        return new ParseResult(layout, bars, errors, newestFirst);
    }

    private sealed record Columns(int Ts, int Open, int High, int Low, int Close, int Volume, int Vwap, int TradeCount);

    private static (CsvLayout, Columns, string?) Resolve(string[] names, ColumnMap? map)
    {
        int Find(string? name) => name is null ? -1 : Array.FindIndex(names, n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        if (map is null && names.Contains("Adj Close", StringComparer.OrdinalIgnoreCase) && Find("Date") >= 0)
        {
            map = new ColumnMap("Date", "Open", "High", "Low", "Close", "Volume");
            var c = Build(map);
            return (CsvLayout.Yahoo, c, Missing(c, map));
        }
        if (map is null && Find("timestamp") >= 0 && Find("open") >= 0 && Find("close") >= 0)
        {
            map = new ColumnMap("timestamp", "open", "high", "low", "close", "volume", "vwap", "trade_count");
            var c = Build(map);
            return (CsvLayout.Alpaca, c, Missing(c, map));
        }
        if (map is null)
        {
            return (CsvLayout.Generic, Build(new ColumnMap("", "", "", "", "")),
                $"unknown header ({string.Join(", ", names)}): expected Yahoo (Date,Open,High,Low,Close,Adj Close,Volume) or Alpaca (timestamp,open,high,low,close,volume,…) columns, or give a column mapping");
        }
        var generic = Build(map);
        return (CsvLayout.Generic, generic, Missing(generic, map));

        Columns Build(ColumnMap m) => new(Find(m.Timestamp), Find(m.Open), Find(m.High), Find(m.Low), Find(m.Close), Find(m.Volume), Find(m.Vwap), Find(m.TradeCount));

        string? Missing(Columns c, ColumnMap m)
        {
            var missing = new List<string>();
            if (c.Ts < 0) missing.Add(m.Timestamp);
            if (c.Open < 0) missing.Add(m.Open);
            if (c.High < 0) missing.Add(m.High);
            if (c.Low < 0) missing.Add(m.Low);
            if (c.Close < 0) missing.Add(m.Close);
            if (m.Volume is not null && c.Volume < 0) missing.Add(m.Volume);
            return missing.Count == 0 ? null : $"the header lacks the column(s) {string.Join(", ", missing)}";
        }
    }

    private static (OhlcvBar?, string?) ParseRow(string[] fields, string[] names, Columns c, int line, TimeZoneInfo zone)
    {
        string? Field(int index) => index >= 0 && index < fields.Length ? fields[index].Trim() : null;

        var tsText = Field(c.Ts);
        if (string.IsNullOrEmpty(tsText) || IsNull(tsText)) return (null, $"missing timestamp in column {names[c.Ts]}");
        if (ParseTimestamp(tsText, zone) is not { } ts) return (null, $"'{tsText}' in column {names[c.Ts]} is not a date or time");

        var values = new double[5];
        int[] indexes = [c.Open, c.High, c.Low, c.Close, c.Volume];
        for (var k = 0; k < indexes.Length; k++)
        {
            if (indexes[k] < 0)
            {
                values[k] = 0; // no volume column: volume unknown, stored as 0
                continue;
            }
            var text = Field(indexes[k]);
            var column = names[indexes[k]];
            if (string.IsNullOrEmpty(text) || IsNull(text)) return (null, $"missing value in column {column}");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out values[k]) || !double.IsFinite(values[k]))
                return (null, $"'{text}' in column {column} is not a number");
        }
        var (open, high, low, close, volume) = (values[0], values[1], values[2], values[3], values[4]);
        if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return (null, "prices must be greater than 0");
        if (volume < 0) return (null, $"volume {volume} is negative");
        if (high < low) return (null, $"high {high} is below low {low}");
        if (high < Math.Max(open, close)) return (null, $"high {high} is below the open or close ({open}, {close})");
        if (low > Math.Min(open, close)) return (null, $"low {low} is above the open or close ({open}, {close})");

        double? vwap = null;
        if (Field(c.Vwap) is { Length: > 0 } v && !IsNull(v))
        {
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var vw)) return (null, $"'{v}' in column {names[c.Vwap]} is not a number");
            vwap = vw;
        }
        int? trades = null;
        if (Field(c.TradeCount) is { Length: > 0 } t && !IsNull(t))
        {
            if (!int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var tc) || tc < 0) return (null, $"'{t}' in column {names[c.TradeCount]} is not a count");
            trades = tc;
        }
        return (new OhlcvBar(line, ts, open, high, low, close, volume, vwap, trades), null);
    }

    /// <summary>A timestamp in UTC, or null when the text is no date this parser knows.</summary>
    public static DateTimeOffset? ParseTimestamp(string text, TimeZoneInfo zone)
    {
        text = text.Trim().Trim('"');
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) && text.Length is 10 or 13)
        {
            return text.Length == 13 ? DateTimeOffset.FromUnixTimeMilliseconds(epoch) : DateTimeOffset.FromUnixTimeSeconds(epoch);
        }
        if (HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var withOffset))
        {
            return withOffset.ToUniversalTime();
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

    private static bool IsNull(string text) => text.Equals("null", StringComparison.OrdinalIgnoreCase) || text.Equals("nan", StringComparison.OrdinalIgnoreCase)
                                              || text == "-" || text.Equals("n/a", StringComparison.OrdinalIgnoreCase);

    private static string[] Split(string line, char delimiter)
    {
        var parts = line.Split(delimiter);
        for (var i = 0; i < parts.Length; i++) parts[i] = parts[i].Trim().Trim('"');
        return parts;
    }
}
