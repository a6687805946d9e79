using System.Globalization;

namespace Signalbook.Features.MarketData.Import;

/// <summary>Where each field sits in a file's columns (−1: absent), the layout recognised, and why the header is refused if it is.</summary>
public sealed record ResolvedColumns(CsvLayout Layout, int Timestamp, int Open, int High, int Low, int Close, int Volume, int Vwap, int TradeCount,
    int AdjClose, int Dividends, int Splits, string? Error);

/// <summary>
/// Recognises a bar file's layout from its column names, the same way for CSV headers and Parquet schemas:
/// <list type="bullet">
/// <item>Yahoo: <c>Date</c> or <c>Datetime</c> with <c>Adj Close</c>;</item>
/// <item>Alpaca: <c>timestamp,open,high,low,close,volume[,trade_count,vwap]</c>;</item>
/// <item>yfinance without Adj Close: <c>Datetime,Open,High,Low,Close,Volume</c> (intraday, timestamps with UTC offsets) or
/// <c>Date,…</c>, or pandas' unnamed datetime index as the first column (an empty name, <c>Unnamed: 0</c> or
/// <c>__index_level_0__</c>);</item>
/// <item>anything else through a <see cref="ColumnMap"/>.</item>
/// </list>
/// Names are matched case-insensitively.
/// </summary>
public static class BarColumns
{
    private static readonly string[] IndexNames = ["", "Unnamed: 0", "__index_level_0__", "index"];

    public static ResolvedColumns Resolve(IReadOnlyList<string> names, ColumnMap? map)
    {
        int Find(string? name) => name is null ? -1 : IndexOf(names, name);
        CsvLayout layout;
        int ts;
        if (map is not null)
        {
            layout = CsvLayout.Generic;
            ts = Find(map.Timestamp);
        }
        else if (Find("Adj Close") >= 0 && (Find("Date") >= 0 || Find("Datetime") >= 0))
        {
            layout = CsvLayout.Yahoo;
            ts = Find("Date") >= 0 ? Find("Date") : Find("Datetime");
            map = new ColumnMap(names[ts], "Open", "High", "Low", "Close", "Volume");
        }
        else if (Find("timestamp") >= 0 && Find("open") >= 0 && Find("close") >= 0)
        {
            layout = CsvLayout.Alpaca;
            ts = Find("timestamp");
            map = new ColumnMap("timestamp", "open", "high", "low", "close", "volume", "vwap", "trade_count");
        }
        else if (Find("Open") >= 0 && Find("High") >= 0 && Find("Low") >= 0 && Find("Close") >= 0
                 && (Find("Datetime") >= 0 || Find("Date") >= 0 || (names.Count > 0 && IndexNames.Contains(names[0], StringComparer.OrdinalIgnoreCase))))
        {
            layout = CsvLayout.Yfinance;
            ts = Find("Datetime") >= 0 ? Find("Datetime") : Find("Date") >= 0 ? Find("Date") : 0;
            map = new ColumnMap(names[ts], "Open", "High", "Low", "Close", Find("Volume") >= 0 ? "Volume" : null);
        }
        else
        {
            return new ResolvedColumns(CsvLayout.Generic, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                $"unknown header ({string.Join(", ", names)}): expected Yahoo (Date,Open,High,Low,Close,Adj Close,Volume), yfinance (Datetime,Open,High,Low,Close,Volume, "
                + "or a first unnamed date column), or Alpaca (timestamp,open,high,low,close,volume,…) columns, or give a column mapping");
        }

        var resolved = new ResolvedColumns(layout, ts, Find(map.Open), Find(map.High), Find(map.Low), Find(map.Close), Find(map.Volume), Find(map.Vwap),
            Find(map.TradeCount), Find("Adj Close"), Find("Dividends"), Find("Stock Splits"), null);
        var missing = new List<string>();
        if (resolved.Timestamp < 0) missing.Add(map.Timestamp);
        if (resolved.Open < 0) missing.Add(map.Open);
        if (resolved.High < 0) missing.Add(map.High);
        if (resolved.Low < 0) missing.Add(map.Low);
        if (resolved.Close < 0) missing.Add(map.Close);
        if (map.Volume is not null && resolved.Volume < 0) missing.Add(map.Volume);
        return missing.Count == 0 ? resolved : resolved with { Error = $"the header lacks the column(s) {string.Join(", ", missing)}" };
    }

    /// <summary>A column's name for a message; the unnamed index column is called what it is.</summary>
    public static string Name(IReadOnlyList<string> names, int index)
        => index < 0 || index >= names.Count ? "?" : names[index].Length == 0 ? "1 (the unnamed date index)" : names[index];

    /// <summary>
    /// Reads a count such as a trade count. Exporters that go through floating point write <c>37.0</c>: an integral value is a
    /// count; a fractional, negative or too large one is refused (the reason completes "'x' in column y …").
    /// </summary>
    public static string? Count(ReadOnlySpan<char> text, out int count)
    {
        count = -1;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out count)) return count < 0 ? "is a negative count" : null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)) return "is not a count";
        return Count(value, out count);
    }

    /// <inheritdoc cref="Count(ReadOnlySpan{char}, out int)"/>
    public static string? Count(double value, out int count)
    {
        count = -1;
        if (value != Math.Floor(value)) return "is not a whole count (a count has no fraction)";
        if (value < 0) return "is a negative count";
        if (value > int.MaxValue) return "is too large for a count";
        count = (int)value;
        return null;
    }

    /// <summary>The row rules every format shares: prices &gt; 0, volume ≥ 0, low ≤ open, close ≤ high. Null when the bar is valid.</summary>
    public static string? Check(in BarRow row)
    {
        var (open, high, low, close, volume) = (row.Open, row.High, row.Low, row.Close, row.Volume);
        if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return "prices must be greater than 0";
        if (volume < 0) return $"volume {F(volume)} is negative";
        if (high < low) return $"high {F(high)} is below low {F(low)}";
        if (high < Math.Max(open, close)) return $"high {F(high)} is below the open or close ({F(open)}, {F(close)})";
        if (low > Math.Min(open, close)) return $"low {F(low)} is above the open or close ({F(open)}, {F(close)})";
        return null;
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }
}
