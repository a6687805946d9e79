using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.MarketData.Import;

/// <summary>What an import did, in words a person can act on.</summary>
/// <param name="Rejected">The rejected rows with their line numbers (at most <see cref="CsvImportService.MaxListedErrors"/> listed).</param>
/// <param name="Quality">Series-level findings (order, gaps, jumps, splits, dividend adjustment …); empty when there was nothing to check.</param>
/// <param name="RejectedCount">All rejected rows, listed or not; −1 means <c>Rejected.Count</c>.</param>
public sealed record ImportReport(string File, string Symbol, CsvLayout Layout, int RowsRead, int BarsStored, IReadOnlyList<RowError> Rejected,
    DateTimeOffset? FirstBar, DateTimeOffset? LastBar, bool WasNewestFirst, DataQualityReport? Quality = null, int RejectedCount = -1)
{
    public int RejectedTotal => RejectedCount < 0 ? Rejected.Count : RejectedCount;

    public DataQualityReport QualityReport => Quality ?? DataQualityReport.Empty;

    /// <summary>success: every row stored; partial: some rows rejected; failed: nothing stored.</summary>
    public string Status => BarsStored == 0 ? "failed" : RejectedTotal > 0 ? "partial" : "success";

    public string Summary => Status switch
    {
        "success" => $"{File}: all {BarsStored} bars stored for {Symbol}.",
        "partial" => $"{File}: {BarsStored} bars stored for {Symbol}; {RejectedTotal} row(s) rejected and not stored (listed with their line numbers).",
        _ => $"{File}: nothing stored for {Symbol}; {RejectedTotal} row(s) rejected.",
    };
}

/// <summary>How far an import has got; <see cref="TotalBytes"/> is 0 when the stream's length is unknown.</summary>
public sealed record ImportProgress(long BytesRead, long TotalBytes, long RowsRead, long BarsStored);

/// <summary>
/// Imports a bar file for one instrument as a stream: each row is parsed and validated as it is read and every valid
/// row goes straight into a binary COPY to a staging table (<see cref="PriceBarWriter.BeginAsync"/>), then one
/// INSERT … ON CONFLICT merges them into <c>price_bars</c> and commits. The valid rows are all stored, or none if the
/// write fails; rejected rows are reported with their line numbers, not stored. Only compact arrays (32 bytes a bar)
/// are kept, for duplicate detection and the data-quality checks (<see cref="DataQuality"/>), so a file of millions of
/// rows imports in a few hundred MB. The run is recorded in <c>data_sync_log</c>.
/// </summary>
public sealed class CsvImportService(IDbContextFactory<AppDbContext> factory, PriceBarWriter writer, TimeProvider clock)
{
    /// <summary>Rejected rows listed one by one in the report; beyond this they are only counted.</summary>
    public const int MaxListedErrors = 10_000;

    public async Task<ImportReport> ImportAsync(long instrumentId, string interval, Stream csv, string fileName, ColumnMap? map = null,
        CancellationToken ct = default, IProgress<ImportProgress>? progress = null)
    {
        Instrument instrument;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Id == instrumentId, ct)
                         ?? throw new ArgumentException($"Instrument {instrumentId} does not exist.", nameof(instrumentId));
        }
        var calendar = ExchangeCalendar.For(instrument.Exchange, instrument.TimeZone);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(instrument.TimeZone);
        var daily = interval == Intervals.OneDay;

        // Parquet keeps its index at the end of the file: a stream that cannot seek (an upload) is spooled to a temporary file first.
        await using var spool = BarFileFormats.IsParquet(fileName) && !csv.CanSeek ? await SpoolAsync(csv, ct) : null;
        var input = spool ?? csv;
        var totalBytes = input.CanSeek ? Math.Max(0, input.Length - input.Position) : 0;
        var counted = new CountingStream(input);
        await using var rows = BarFileFormats.IsParquet(fileName)
            ? await BarFileFormats.OpenAsync(input, fileName, zone, map, ct)
            : await BarFileFormats.OpenAsync(counted, fileName, zone, map, ct);
        var parquet = BarFileFormats.IsParquet(fileName);

        var errors = new List<RowError>();
        var rejected = 0;
        void Reject(RowError e)
        {
            rejected++;
            if (errors.Count < MaxListedErrors) errors.Add(e);
        }
        if (rows.HeaderError is { } headerError) Reject(headerError);

        var log = new DataSyncLog { InstrumentId = instrumentId, Interval = interval, LastSyncAt = clock.GetUtcNow() };
        var buffer = new BarSeriesBuffer(rows.HasAdjClose, rows.HasDividends);
        var stored = 0;
        long read = 0;
        var step = Math.Max(totalBytes / 100, 1);
        var nextBytes = step;
        long nextRows = 50_000;
        try
        {
            await using var session = await writer.BeginAsync(instrumentId, interval, "csv_import", ct);
            while (await rows.ReadAsync(ct))
            {
                read++;
                if (rows.CurrentError is { } error) Reject(error);
                else
                {
                    var row = rows.Current;
                    // The daily-bar rule (ExchangeCalendar): a daily bar is stored at 00:00 UTC of its trading date.
                    if (daily) row.UtcTicks = calendar.NormalizeDaily(row);
                    session.Add(row);
                    buffer.Add(row);
                }
                var bytes = parquet ? input.Position : counted.BytesRead;
                if (progress is not null && (read >= nextRows || (totalBytes > 0 && bytes >= nextBytes)))
                {
                    progress.Report(new ImportProgress(bytes, totalBytes, read, 0));
                    nextRows = read + 50_000;
                    nextBytes = bytes + step;
                }
                if ((read & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
            if (buffer.Count > 0) stored = await session.CommitAsync(deduplicate: buffer.MayHaveDuplicates, ct);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException)
        {
            log.Status = "failed";
            log.ErrorMessage = $"{fileName}: the database refused the import, nothing was stored: {ex.Message}";
            await using var failed = await factory.CreateDbContextAsync(CancellationToken.None);
            failed.DataSyncLog.Add(log);
            await failed.SaveChangesAsync(CancellationToken.None);
            throw;
        }

        var (series, duplicates) = buffer.Finish();
        foreach (var (line, firstLine, ticks) in duplicates)
            Reject(new RowError(fileName, line, CsvBarParser.DuplicateReason(firstLine, new DateTimeOffset(ticks, TimeSpan.Zero))));
        errors.Sort((a, b) => a.Line.CompareTo(b.Line));
        var quality = DataQuality.Analyze(series, interval, calendar, buffer.WasNewestFirst, buffer.WasNewestFirst ? 0 : buffer.StepsBack,
            buffer.FirstStepBackLine, duplicates);
        progress?.Report(new ImportProgress(totalBytes > 0 ? totalBytes : counted.BytesRead, totalBytes, read, stored));

        var report = new ImportReport(fileName, instrument.Symbol, rows.Layout, (int)read + (rows.HeaderError is null ? 0 : 1), stored,
            errors, series.Count > 0 ? new DateTimeOffset(series.UtcTicks[0], TimeSpan.Zero) : null,
            series.Count > 0 ? new DateTimeOffset(series.UtcTicks[^1], TimeSpan.Zero) : null, buffer.WasNewestFirst, quality, rejected);

        await using var db2 = await factory.CreateDbContextAsync(ct);
        var totals = await db2.PriceBars.Where(p => p.InstrumentId == instrumentId && p.Interval == interval)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), First = g.Min(p => p.Ts), Last = g.Max(p => p.Ts) }).SingleOrDefaultAsync(ct);
        log.Status = report.Status;
        log.BarsFetched = stored;
        log.TotalBars = totals?.Count ?? 0;
        log.FirstSyncedTs = totals?.First;
        log.LastSyncedTs = totals?.Last;
        log.ErrorMessage = rejected == 0 ? null : string.Join("\n", errors.Take(50)) + (rejected > 50 ? $"\n… and {rejected - 50} more" : "");
        db2.DataSyncLog.Add(log);
        await db2.SaveChangesAsync(ct);
        return report;
    }

    private static async Task<FileStream> SpoolAsync(Stream source, CancellationToken ct)
    {
        var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await source.CopyToAsync(spool, ct);
        spool.Position = 0;
        return spool;
    }

    /// <summary>Counts the bytes read through it, for progress reports.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            BytesRead += n;
            return n;
        }
    }
}
