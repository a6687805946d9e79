using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace Signalbook.Features.MarketData.Import;

/// <summary>
/// Reads a Parquet bar file (as pandas, polars or the trading-buddy seed write them) one row group at a time, with the
/// column rules of <see cref="BarColumns"/> and the row rules of the CSV reader. Rows are numbered from 1 and errors say
/// "row". Timestamps: a timestamp column adjusted to UTC (pandas' tz-aware index) is an instant; a naive one, a date or a
/// text without offset is wall time in the exchange's zone, as in a CSV; integers are Unix seconds, milliseconds,
/// microseconds or nanoseconds (by magnitude). Only one row group's columns are held at a time.
/// </summary>
public sealed class ParquetBarReader : IBarRowSource
{
    private readonly ParquetReader _reader;
    private readonly string _fileName;
    private readonly TimeZoneInfo _zone;
    private readonly DataField[] _fields;
    private readonly string[] _names;
    private readonly ResolvedColumns _columns;
    private int _group = -1;
    private int _index;
    private int _count;
    private long _rowBase;
    private long?[] _ticks = [];
    private string?[] _tsErrors = [];
    private int[] _writtenDays = [];
    private double[] _open = [], _high = [], _low = [], _close = [], _volume = [], _vwap = [], _trades = [], _adj = [], _dividend = [], _split = [];

    private ParquetBarReader(ParquetReader reader, string fileName, TimeZoneInfo zone, ColumnMap? map)
    {
        _reader = reader;
        _fileName = fileName;
        _zone = zone;
        _fields = reader.Schema.GetDataFields();
        _names = _fields.Select(f => f.Name).ToArray();
        _columns = BarColumns.Resolve(_names, map);
        if (_columns.Error is { } error) HeaderError = new RowError(fileName, 0, error, "schema");
    }

    public static async Task<ParquetBarReader> OpenAsync(Stream stream, string fileName, TimeZoneInfo zone, ColumnMap? map = null, CancellationToken ct = default)
    {
        if (!stream.CanSeek) throw new ArgumentException("A Parquet file is read from a seekable stream (its index is at the end).", nameof(stream));
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true, ct);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException || ex.GetType().Namespace?.StartsWith("Parquet", StringComparison.Ordinal) == true)
        {
            return new ParquetBarReader(fileName, $"not a readable Parquet file: {ex.Message}");
        }
        return new ParquetBarReader(reader, fileName, zone, map);
    }

    private ParquetBarReader(string fileName, string error)
    {
        _reader = null!;
        _fileName = fileName;
        _zone = TimeZoneInfo.Utc;
        _fields = [];
        _names = [];
        _columns = new ResolvedColumns(CsvLayout.Generic, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, error);
        HeaderError = new RowError(fileName, 0, error, "file");
    }

    public CsvLayout Layout => _columns.Layout;
    public RowError? HeaderError { get; }
    public bool HasAdjClose => _columns.AdjClose >= 0;
    public bool HasDividends => _columns.Dividends >= 0;
    public BarRow Current { get; private set; }
    public RowError? CurrentError { get; private set; }

    public async ValueTask<bool> ReadAsync(CancellationToken ct = default)
    {
        if (HeaderError is not null) return false;
        while (_index >= _count)
        {
            if (_group + 1 >= _reader.RowGroupCount) return false;
            _rowBase += _count;
            await LoadGroupAsync(++_group, ct);
        }
        var i = _index++;
        var row = new BarRow { Line = (int)Math.Min(int.MaxValue, _rowBase + i + 1) };
        CurrentError = null;
        var reason = Fill(i, ref row);
        Current = row;
        if (reason is not null) CurrentError = new RowError(_fileName, row.Line, reason, "row");
        return true;
    }

    private string? Fill(int i, ref BarRow row)
    {
        if (_tsErrors[i] is { } tsError) return tsError;
        row.UtcTicks = _ticks[i]!.Value;
        row.WrittenDay = _writtenDays.Length > i ? _writtenDays[i] : 0;
        if (Required(_open, _columns.Open, i, out row.Open) is { } e1) return e1;
        if (Required(_high, _columns.High, i, out row.High) is { } e2) return e2;
        if (Required(_low, _columns.Low, i, out row.Low) is { } e3) return e3;
        if (Required(_close, _columns.Close, i, out row.Close) is { } e4) return e4;
        if (_columns.Volume < 0) row.Volume = 0;
        else if (Required(_volume, _columns.Volume, i, out row.Volume) is { } e5) return e5;
        if (BarColumns.Check(row) is { } invalid) return invalid;
        row.Vwap = _columns.Vwap < 0 ? double.NaN : _vwap[i];
        row.TradeCount = -1;
        if (_columns.TradeCount >= 0 && !double.IsNaN(_trades[i]) && BarColumns.Count(_trades[i], out row.TradeCount) is { } countError)
            return $"{_trades[i].ToString(CultureInfo.InvariantCulture)} in column {_names[_columns.TradeCount]} {countError}";
        row.AdjClose = _columns.AdjClose < 0 ? double.NaN : _adj[i];
        row.Dividend = _columns.Dividends < 0 ? double.NaN : _dividend[i];
        row.Split = _columns.Splits < 0 ? double.NaN : _split[i];
        return null;
    }

    private string? Required(double[] values, int column, int i, out double value)
    {
        value = values[i];
        if (double.IsNaN(value)) return $"missing value in column {_names[column]}";
        if (!double.IsFinite(value)) return $"{value.ToString(CultureInfo.InvariantCulture)} in column {_names[column]} is not a number";
        return null;
    }

    private async Task LoadGroupAsync(int group, CancellationToken ct)
    {
        using var rg = _reader.OpenRowGroupReader(group);
        var n = (int)rg.RowCount;
        (_index, _count) = (0, n);
        _writtenDays = [];
        (_ticks, _tsErrors) = await ReadTimestampsAsync(rg, _fields[_columns.Timestamp], n, ct);
        async Task<double[]> Column(int index) => index < 0 ? [] : await ReadNumbersAsync(rg, _fields[index], n, ct);
        _open = await Column(_columns.Open);
        _high = await Column(_columns.High);
        _low = await Column(_columns.Low);
        _close = await Column(_columns.Close);
        _volume = await Column(_columns.Volume);
        _vwap = await Column(_columns.Vwap);
        _trades = await Column(_columns.TradeCount);
        _adj = await Column(_columns.AdjClose);
        _dividend = await Column(_columns.Dividends);
        _split = await Column(_columns.Splits);
    }

    private async Task<(long?[] Ticks, string?[] Errors)> ReadTimestampsAsync(ParquetRowGroupReader rg, DataField field, int n, CancellationToken ct)
    {
        var ticks = new long?[n];
        var errors = new string?[n];
        var name = BarColumns.Name(_names, _columns.Timestamp);
        var type = field.ClrType;
        if (type == typeof(DateTime))
        {
            var values = await ReadStructsAsync<DateTime>(rg, field, n, ct);
            // Parquet.Net hands every timestamp back as a UTC DateTime, so the schema decides: pandas' tz-aware timestamps are
            // stored adjusted to UTC (an instant); naive ones are not (wall time at the exchange, as in a CSV); a DATE column is a
            // day; INT96 (Impala) and legacy TIMESTAMP_MILLIS/MICROS timestamps are UTC by convention.
            var instant = field is not DateTimeDataField d || d.DateTimeFormat switch
            {
                DateTimeFormat.Timestamp => d.IsAdjustedToUTC,
                DateTimeFormat.Date => false,
                _ => true,
            };
            for (var i = 0; i < n; i++)
            {
                if (values[i] is not { } v) continue;
                ticks[i] = !instant ? Local(v) : v.Kind == DateTimeKind.Local ? v.ToUniversalTime().Ticks : v.Ticks;
            }
        }
        else if (type == typeof(DateTimeOffset))
        {
            var values = await ReadStructsAsync<DateTimeOffset>(rg, field, n, ct);
            for (var i = 0; i < n; i++) ticks[i] = values[i]?.UtcTicks;
        }
        else if (type == typeof(DateOnly))
        {
            var values = await ReadStructsAsync<DateOnly>(rg, field, n, ct);
            for (var i = 0; i < n; i++) ticks[i] = values[i] is { } d ? Local(d.ToDateTime(TimeOnly.MinValue)) : null;
        }
        else if (type == typeof(string))
        {
            var values = new string?[n];
            await rg.ReadAsync(field, values.AsMemory(), null, ct);
            for (var i = 0; i < n; i++)
            {
                if (values[i] is not { } text || string.IsNullOrWhiteSpace(text) || CsvBarReader.IsNull(text.AsSpan().Trim())) continue;
                if (CsvBarParser.ParseTimestampAsWritten(text, _zone) is { } parsed)
                {
                    ticks[i] = parsed.UtcTicks;
                    if (parsed.Offset != TimeSpan.Zero)
                    {
                        if (_writtenDays.Length == 0) _writtenDays = new int[n];
                        _writtenDays[i] = DateOnly.FromDateTime(parsed.DateTime).DayNumber + 1;
                    }
                }
                else errors[i] = $"'{values[i]}' in column {name} is not a date or time";
            }
        }
        else if (type == typeof(long) || type == typeof(int))
        {
            var values = await ReadNumbersAsync(rg, field, n, ct);
            for (var i = 0; i < n; i++)
            {
                if (double.IsNaN(values[i])) continue;
                var epoch = (long)values[i];
                var abs = Math.Abs(epoch);
                var utcTicks = abs < 100_000_000_000L ? epoch * TimeSpan.TicksPerSecond
                    : abs < 100_000_000_000_000L ? epoch * TimeSpan.TicksPerMillisecond
                    : abs < 100_000_000_000_000_000L ? epoch * 10 : epoch / 100;
                ticks[i] = DateTime.UnixEpoch.Ticks + utcTicks;
            }
        }
        else
        {
            for (var i = 0; i < n; i++) errors[i] = $"column {name} holds {type.Name} values, not dates or times";
            return (ticks, errors);
        }
        for (var i = 0; i < n; i++)
            if (ticks[i] is null) errors[i] ??= $"missing timestamp in column {name}";
            else if (ticks[i] < DateTime.MinValue.Ticks || ticks[i] > DateTime.MaxValue.Ticks) (ticks[i], errors[i]) = (null, $"the timestamp in column {name} is out of range");
        return (ticks, errors);
    }

    private long Local(DateTime wallTime)
    {
        var local = DateTime.SpecifyKind(wallTime, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(local)) local = local.AddHours(1); // a wall time skipped by a DST jump
        return TimeZoneInfo.ConvertTimeToUtc(local, _zone).Ticks;
    }

    /// <summary>A numeric column as doubles; null becomes NaN.</summary>
    private static async Task<double[]> ReadNumbersAsync(ParquetRowGroupReader rg, DataField field, int n, CancellationToken ct)
    {
        var t = field.ClrType;
        if (t == typeof(double)) return Doubles(await ReadStructsAsync<double>(rg, field, n, ct), v => v);
        if (t == typeof(float)) return Doubles(await ReadStructsAsync<float>(rg, field, n, ct), v => v);
        if (t == typeof(decimal)) return Doubles(await ReadStructsAsync<decimal>(rg, field, n, ct), v => (double)v);
        if (t == typeof(long)) return Doubles(await ReadStructsAsync<long>(rg, field, n, ct), v => v);
        if (t == typeof(int)) return Doubles(await ReadStructsAsync<int>(rg, field, n, ct), v => v);
        if (t == typeof(short)) return Doubles(await ReadStructsAsync<short>(rg, field, n, ct), v => v);
        if (t == typeof(string))
        {
            var values = new string?[n];
            await rg.ReadAsync(field, values.AsMemory(), null, ct);
            return values.Select(s => s is not null && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN).ToArray();
        }
        throw new InvalidDataException($"column {field.Name} holds {t.Name} values, not numbers");
    }

    private static double[] Doubles<T>(T?[] values, Func<T, double> convert) where T : struct
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++) result[i] = values[i] is { } v ? convert(v) : double.NaN;
        return result;
    }

    private static async Task<T?[]> ReadStructsAsync<T>(ParquetRowGroupReader rg, DataField field, int n, CancellationToken ct) where T : struct
    {
        var values = new T?[n];
        if (field.IsNullable)
        {
            await rg.ReadAsync<T>(field, values.AsMemory(), null, ct);
            return values;
        }
        var raw = new T[n];
        await rg.ReadAsync<T>(field, raw.AsMemory(), null, ct);
        for (var i = 0; i < n; i++) values[i] = raw[i];
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null) await _reader.DisposeAsync();
    }
}
