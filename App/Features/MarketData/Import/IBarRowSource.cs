namespace Signalbook.Features.MarketData.Import;

/// <summary>
/// A bar file read one row at a time, whatever its format (<see cref="CsvBarReader"/>, <see cref="ParquetBarReader"/>): each row
/// is validated by the same rules and a bad one comes back as a <see cref="RowError"/> naming its line (or row) and reason.
/// </summary>
public interface IBarRowSource : IAsyncDisposable
{
    CsvLayout Layout { get; }

    /// <summary>Set when the header (or schema) cannot be read; then there are no rows.</summary>
    RowError? HeaderError { get; }

    bool HasAdjClose { get; }

    bool HasDividends { get; }

    /// <summary>Moves to the next row: false at the end. Then <see cref="Current"/> is the bar, or <see cref="CurrentError"/> says why the row was refused.</summary>
    ValueTask<bool> ReadAsync(CancellationToken ct = default);

    BarRow Current { get; }

    RowError? CurrentError { get; }
}

/// <summary>The bar file formats the import reads.</summary>
public static class BarFileFormats
{
    public static readonly IReadOnlyList<string> Extensions = [".csv", ".txt", ".parquet"];

    public static bool IsParquet(string fileName) => fileName.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    public static bool IsSupported(string fileName) => Extensions.Any(e => fileName.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Opens a file by its extension. A Parquet file needs a seekable stream (its index is at the end); a CSV is streamed.
    /// The stream stays open; dispose the source, then the stream.
    /// </summary>
    public static async Task<IBarRowSource> OpenAsync(Stream stream, string fileName, TimeZoneInfo zone, ColumnMap? map = null, CancellationToken ct = default)
    {
        if (IsParquet(fileName)) return await ParquetBarReader.OpenAsync(stream, fileName, zone, map, ct);
        var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        return new OwningCsvSource(CsvBarParser.Open(reader, fileName, zone, map), reader);
    }

    private sealed class OwningCsvSource(CsvBarReader inner, StreamReader reader) : IBarRowSource
    {
        public CsvLayout Layout => inner.Layout;
        public RowError? HeaderError => inner.HeaderError;
        public bool HasAdjClose => inner.HasAdjClose;
        public bool HasDividends => inner.HasDividends;
        public BarRow Current => inner.Current;
        public RowError? CurrentError => inner.CurrentError;
        public ValueTask<bool> ReadAsync(CancellationToken ct = default) => inner.ReadAsync(ct);

        public ValueTask DisposeAsync()
        {
            reader.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
