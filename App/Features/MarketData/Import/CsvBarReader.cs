using System.Globalization;

namespace Signalbook.Features.MarketData.Import;

/// <summary>
/// One row as read from a bar file. <see cref="AdjClose"/>, <see cref="Dividend"/> and <see cref="Split"/> are NaN when the
/// file has no such column (or the cell is empty); <see cref="Vwap"/> is NaN and <see cref="TradeCount"/> −1 when absent.
/// </summary>
public struct BarRow
{
    public int Line;
    public long UtcTicks;
    public double Open, High, Low, Close, Volume, Vwap, AdjClose, Dividend, Split;
    public int TradeCount;

    /// <summary>
    /// The calendar date as written in the file when the timestamp carried a non-zero UTC offset (DayNumber + 1; 0 when not):
    /// "2023-05-30 00:00:00+02:00" is a bar of 30 May, whatever zone the instrument was given. See <see cref="ExchangeCalendar.NormalizeDaily(in BarRow)"/>.
    /// </summary>
    public int WrittenDay;

    public readonly DateTimeOffset Ts => new(UtcTicks, TimeSpan.Zero);

    public readonly OhlcvBar ToBar() => new(Line, Ts, Open, High, Low, Close, Volume, double.IsNaN(Vwap) ? null : Vwap, TradeCount < 0 ? null : TradeCount);
}

/// <summary>
/// Reads a bar file one row at a time without keeping it: the streaming core of <see cref="CsvBarParser"/>.
/// A row is split in place (no per-field strings), numbers are parsed from spans, and the common date forms
/// (<c>yyyy-MM-dd</c>, <c>yyyy-MM-dd HH:mm:ss±hh:mm</c>) take a fast path; anything else goes through
/// <see cref="CsvBarParser.ParseTimestamp"/>. Every row is validated exactly as <see cref="CsvBarParser.Parse"/> documents.
/// Duplicate timestamps are not detected here (that needs the whole series); the caller does it.
/// </summary>
public sealed class CsvBarReader : IBarRowSource
{
    private readonly TextReader _reader;
    private readonly TimeZoneInfo _zone;
    private readonly string _fileName;
    private readonly string[] _names;
    private readonly char _delimiter;
    private readonly int _ts, _open, _high, _low, _close, _volume, _vwap, _trades, _adj, _dividend, _split;
    private Range[] _fields = new Range[16];
    private int _line = 1;
    private int _writtenDay;
    private DateOnly _cachedDay;
    private long _cachedDayTicks = -1;

    internal CsvBarReader(TextReader reader, string fileName, TimeZoneInfo zone, ColumnMap? map)
    {
        _reader = reader;
        _zone = zone;
        _fileName = fileName;
        var header = reader.ReadLine();
        if (header is null)
        {
            _names = [];
            HeaderError = new RowError(fileName, 1, "the file is empty");
            Layout = CsvLayout.Generic;
            return;
        }
        header = header.TrimStart('\uFEFF');
        _delimiter = header.Count(c => c == ';') > header.Count(c => c == ',') ? ';' : ',';
        _names = header.Split(_delimiter).Select(n => n.Trim().Trim('"').Trim()).ToArray();
        var columns = BarColumns.Resolve(_names, map);
        Layout = columns.Layout;
        (_ts, _open, _high, _low, _close, _volume, _vwap, _trades, _adj, _dividend, _split) = (columns.Timestamp, columns.Open, columns.High,
            columns.Low, columns.Close, columns.Volume, columns.Vwap, columns.TradeCount, columns.AdjClose, columns.Dividends, columns.Splits);
        var error = columns.Error;
        if (error is not null) HeaderError = new RowError(fileName, 1, error);
    }

    public CsvLayout Layout { get; }

    /// <summary>Set when the header cannot be read; then there are no rows.</summary>
    public RowError? HeaderError { get; }

    public bool HasAdjClose => _adj >= 0;
    public bool HasDividends => _dividend >= 0;

    /// <summary>The line number of the last line read (the header is line 1).</summary>
    public int Line => _line;

    public BarRow Current => _current;

    public RowError? CurrentError { get; private set; }

    private BarRow _current;

    public ValueTask<bool> ReadAsync(CancellationToken ct = default)
    {
        var more = Read(out _current, out var error);
        CurrentError = error;
        return ValueTask.FromResult(more);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// The next non-blank row: true with <paramref name="error"/> null for a valid bar, true with an error for a rejected
    /// row, false at the end of the file.
    /// </summary>
    public bool Read(out BarRow row, out RowError? error)
    {
        row = default;
        error = null;
        if (HeaderError is not null) return false;
        while (_reader.ReadLine() is { } text)
        {
            _line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            var reason = ParseRow(text, ref row);
            if (reason is not null) error = new RowError(_fileName, _line, reason);
            return true;
        }
        return false;
    }

    private string? ParseRow(string text, ref BarRow row)
    {
        var span = text.AsSpan();
        var count = 0;
        var start = 0;
        for (var i = 0; i <= span.Length; i++)
        {
            if (i < span.Length && span[i] != _delimiter) continue;
            if (count == _fields.Length) Array.Resize(ref _fields, count * 2);
            _fields[count++] = new Range(start, i);
            start = i + 1;
        }

        row.Line = _line;
        var tsText = Field(span, count, _ts);
        if (tsText.IsEmpty || IsNull(tsText)) return $"missing timestamp in column {BarColumns.Name(_names, _ts)}";
        if (ParseTs(tsText) is not { } ticks) return $"'{tsText}' in column {BarColumns.Name(_names, _ts)} is not a date or time";
        row.UtcTicks = ticks;
        row.WrittenDay = _writtenDay;

        if (ReadNumber(Field(span, count, _open), _open, out row.Open) is { } e1) return e1;
        if (ReadNumber(Field(span, count, _high), _high, out row.High) is { } e2) return e2;
        if (ReadNumber(Field(span, count, _low), _low, out row.Low) is { } e3) return e3;
        if (ReadNumber(Field(span, count, _close), _close, out row.Close) is { } e4) return e4;
        if (_volume < 0) row.Volume = 0; // no volume column: volume unknown, stored as 0
        else if (ReadNumber(Field(span, count, _volume), _volume, out row.Volume) is { } e5) return e5;

        if (BarColumns.Check(row) is { } invalid) return invalid;

        row.Vwap = double.NaN;
        if (Field(span, count, _vwap) is { Length: > 0 } v && !IsNull(v))
        {
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out row.Vwap)) return $"'{v}' in column {_names[_vwap]} is not a number";
        }
        row.TradeCount = -1;
        if (Field(span, count, _trades) is { Length: > 0 } t && !IsNull(t))
        {
            if (BarColumns.Count(t, out row.TradeCount) is { } reason) return $"'{t}' in column {_names[_trades]} {reason}";
        }
        row.AdjClose = Optional(Field(span, count, _adj));
        row.Dividend = Optional(Field(span, count, _dividend));
        row.Split = Optional(Field(span, count, _split));
        return null;
    }

    private string? ReadNumber(ReadOnlySpan<char> text, int column, out double value)
    {
        value = 0;
        if (text.IsEmpty || IsNull(text)) return $"missing value in column {_names[column]}";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
            return $"'{text}' in column {_names[column]} is not a number";
        return null;
    }

    private static double Optional(ReadOnlySpan<char> text)
        => !text.IsEmpty && !IsNull(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : double.NaN;


    /// <summary>UTC ticks of a timestamp: fast paths for yyyy-MM-dd and yyyy-MM-dd HH:mm:ss±hh:mm, else the general parser.</summary>
    private long? ParseTs(ReadOnlySpan<char> s)
    {
        _writtenDay = 0;
        if (s.Length >= 10 && s[4] == '-' && s[7] == '-' && Digits(s, 0, 4, out var y) && Digits(s, 5, 2, out var mo) && Digits(s, 8, 2, out var d)
            && y >= 1 && mo is >= 1 and <= 12 && d >= 1 && d <= DateTime.DaysInMonth(y, mo))
        {
            if (s.Length == 10) return LocalMidnightUtc(new DateOnly(y, mo, d));
            if (s.Length == 25 && s[10] is ' ' or 'T' && s[13] == ':' && s[16] == ':' && s[19] is '+' or '-' && s[22] == ':'
                && Digits(s, 11, 2, out var h) && Digits(s, 14, 2, out var mi) && Digits(s, 17, 2, out var sec)
                && Digits(s, 20, 2, out var oh) && Digits(s, 23, 2, out var om) && h < 24 && mi < 60 && sec < 60 && oh < 15 && om < 60)
            {
                var local = new DateTime(y, mo, d, h, mi, sec, DateTimeKind.Unspecified).Ticks;
                var offset = (oh * 60L + om) * TimeSpan.TicksPerMinute * (s[19] == '-' ? -1 : 1);
                if (offset != 0) _writtenDay = new DateOnly(y, mo, d).DayNumber + 1;
                return local - offset;
            }
        }
        if (CsvBarParser.ParseTimestampAsWritten(s.ToString(), _zone) is not { } parsed) return null;
        if (parsed.Offset != TimeSpan.Zero) _writtenDay = DateOnly.FromDateTime(parsed.DateTime).DayNumber + 1;
        return parsed.UtcTicks;
    }

    private long LocalMidnightUtc(DateOnly day)
    {
        if (day == _cachedDay && _cachedDayTicks >= 0) return _cachedDayTicks;
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(local)) local = local.AddHours(1);
        _cachedDay = day;
        _cachedDayTicks = TimeZoneInfo.ConvertTimeToUtc(local, _zone).Ticks;
        return _cachedDayTicks;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int length, out int value)
    {
        value = 0;
        for (var i = start; i < start + length; i++)
        {
            var c = s[i] - '0';
            if ((uint)c > 9) return false;
            value = value * 10 + c;
        }
        return true;
    }

    private ReadOnlySpan<char> Field(ReadOnlySpan<char> span, int count, int index) => index >= 0 && index < count ? Clean(span[_fields[index]]) : default;

    private static ReadOnlySpan<char> Clean(ReadOnlySpan<char> field) => field.Trim().Trim('"').Trim();

    internal static bool IsNull(ReadOnlySpan<char> text) => text.Equals("null", StringComparison.OrdinalIgnoreCase) || text.Equals("nan", StringComparison.OrdinalIgnoreCase)
                                                          || text is "-" || text.Equals("n/a", StringComparison.OrdinalIgnoreCase);
}
