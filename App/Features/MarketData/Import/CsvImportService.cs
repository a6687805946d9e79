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

/// <summary>One file of <see cref="CsvImportService.ImportManyAsync"/>: the instrument and interval, and how to open it.</summary>
/// <param name="Size">The file's length in bytes, −1 when unknown; small files are read whole and share one transaction.</param>
public sealed record ImportRequest(long InstrumentId, string Interval, string FileName, Func<CancellationToken, Task<Stream>> OpenAsync, long Size = -1,
    ColumnMap? Map = null, IProgress<ImportProgress>? Progress = null)
{
    public static ImportRequest FromFile(long instrumentId, string interval, string path, string? fileName = null, IProgress<ImportProgress>? progress = null)
        => new(instrumentId, interval, fileName ?? Path.GetFileName(path),
            _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)),
            new FileInfo(path).Length, null, progress);
}

/// <summary>The outcome of one file of <see cref="CsvImportService.ImportManyAsync"/>: its report, or the error that stopped it (nothing of it stored).</summary>
public sealed record ImportOutcome(ImportRequest Request, ImportReport? Report, Exception? Error);

/// <summary>
/// Imports bar files. <see cref="ImportAsync"/> streams one file of any size: each row is parsed and validated as it is read
/// and every valid row goes straight into a binary COPY (<see cref="PriceBarWriter.BeginAsync"/>: into <c>price_bars</c> itself
/// while the rows cannot conflict with stored bars, else into a staging table merged with INSERT … ON CONFLICT), then it
/// commits. <see cref="ImportManyAsync"/> imports many files in a few shared transactions, one per core
/// (<see cref="PriceBarWriter.BeginBatchAsync"/>). Either way the valid rows of a file are all stored, or none if the write
/// fails; rejected rows are reported with their file and line numbers, not stored. Only compact arrays (32 bytes a bar) are
/// kept, for duplicate detection and the data-quality checks (<see cref="DataQuality"/>), so a file of millions of rows
/// imports in a few hundred MB. Every file's run is recorded in <c>data_sync_log</c>.
/// </summary>
public sealed class CsvImportService(IDbContextFactory<AppDbContext> factory, PriceBarWriter writer, TimeProvider clock, ILogger<CsvImportService> logger)
{
    /// <summary>Rejected rows listed one by one in the report; beyond this they are only counted.</summary>
    public const int MaxListedErrors = 10_000;

    /// <summary>Files up to this size are read whole (about 100 bytes a row in memory) and written in a shared transaction.</summary>
    public const long BatchFileBytes = 16 << 20;

    public async Task<ImportReport> ImportAsync(long instrumentId, string interval, Stream csv, string fileName, ColumnMap? map = null,
        CancellationToken ct = default, IProgress<ImportProgress>? progress = null)
    {
        InstrumentInfo instrument;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            instrument = await db.Instruments.AsNoTracking().Where(i => i.Id == instrumentId)
                             .Select(i => new InstrumentInfo(i.Id, i.Symbol, i.Exchange, i.TimeZone)).SingleOrDefaultAsync(ct)
                         ?? throw new ArgumentException($"Instrument {instrumentId} does not exist.", nameof(instrumentId));
        }

        // Parquet keeps its index at the end of the file: a stream that cannot seek (an upload) is spooled to a temporary file first.
        await using var spool = BarFileFormats.IsParquet(fileName) && !csv.CanSeek ? await SpoolAsync(csv, ct) : null;
        var log = new DataSyncLog { InstrumentId = instrumentId, Interval = interval, LastSyncAt = clock.GetUtcNow() };
        var reading = new FileReading(instrument, interval, fileName);
        var stored = 0;
        try
        {
            await using var session = await writer.BeginAsync(instrumentId, interval, "csv_import", ct);
            await reading.ReadAsync(spool ?? csv, map, progress, (row, token) => session.AddAsync(row, token), ct);
            if (reading.Buffer.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                stored = await session.CommitAsync(deduplicate: reading.Buffer.MayHaveDuplicates, ct);
            }
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

        var report = reading.Finish(stored, progress);
        await using var db2 = await factory.CreateDbContextAsync(ct);
        var totals = await db2.PriceBars.Where(p => p.InstrumentId == instrumentId && p.Interval == interval)
            .GroupBy(_ => 1).Select(g => new { Count = g.Count(), First = g.Min(p => p.Ts), Last = g.Max(p => p.Ts) }).SingleOrDefaultAsync(ct);
        reading.Describe(log, report);
        log.TotalBars = totals?.Count ?? 0;
        log.FirstSyncedTs = totals?.First;
        log.LastSyncedTs = totals?.Last;
        db2.DataSyncLog.Add(log);
        await db2.SaveChangesAsync(ct);
        return report;
    }

    /// <summary>
    /// Imports many files, in request order per instrument. Files up to <see cref="BatchFileBytes"/> are read whole, one at a
    /// time, and written in one transaction per stream (<paramref name="streams"/>, by default one per core; files of one
    /// instrument share a stream): the rows of a file that cannot conflict with stored bars go by COPY straight into
    /// <c>price_bars</c>, the others through a staging table, and the files' <c>data_sync_log</c> rows commit with them. Should a
    /// stream's transaction fail, its files are imported again one by one, so one bad file costs the others nothing. Larger
    /// files (and Parquet files) are streamed one by one through <see cref="ImportAsync"/>. Each outcome holds the file's report
    /// (rejected rows with their line numbers) or the error that kept all of it out.
    /// </summary>
    public async Task<IReadOnlyList<ImportOutcome>> ImportManyAsync(IReadOnlyList<ImportRequest> requests, int streams = 0, CancellationToken ct = default)
    {
        var outcomes = new ImportOutcome?[requests.Count];
        var ids = requests.Select(r => r.InstrumentId).Distinct().ToList();
        Dictionary<long, InstrumentInfo> instruments;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            instruments = await db.Instruments.AsNoTracking().Where(i => ids.Contains(i.Id))
                .Select(i => new InstrumentInfo(i.Id, i.Symbol, i.Exchange, i.TimeZone)).ToDictionaryAsync(i => i.Id, ct);
        }

        var small = new List<int>();
        var large = new List<int>();
        for (var i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (!instruments.ContainsKey(r.InstrumentId))
                outcomes[i] = new ImportOutcome(r, null, new ArgumentException($"Instrument {r.InstrumentId} does not exist."));
            else if (!Intervals.All.Contains(r.Interval))
                outcomes[i] = new ImportOutcome(r, null, new ArgumentException($"Unknown interval '{r.Interval}'."));
            else if (r.Size is >= 0 and <= BatchFileBytes && !BarFileFormats.IsParquet(r.FileName)) small.Add(i);
            else large.Add(i);
        }

        // Files of one instrument stay in one stream (in request order); instruments are spread by size.
        streams = streams > 0 ? streams : Math.Clamp(Environment.ProcessorCount, 1, 4);
        var parts = Enumerable.Range(0, streams).Select(_ => new List<int>()).ToArray();
        var sizes = new long[streams];
        foreach (var group in small.GroupBy(i => requests[i].InstrumentId).OrderByDescending(g => g.Sum(i => requests[i].Size)))
        {
            var at = Array.IndexOf(sizes, sizes.Min());
            parts[at].AddRange(group);
            sizes[at] += group.Sum(i => requests[i].Size) + 1;
        }
        await Task.WhenAll(parts.Where(p => p.Count > 0).Select(p => Task.Run(() => ImportBatchAsync(requests, p, instruments, outcomes, ct), ct)));

        foreach (var i in large)
        {
            ct.ThrowIfCancellationRequested();
            outcomes[i] = await ImportOneAsync(requests[i], ct);
        }
        return outcomes.Select(o => o!).ToList();
    }

    private async Task ImportBatchAsync(IReadOnlyList<ImportRequest> requests, List<int> part, Dictionary<long, InstrumentInfo> instruments,
        ImportOutcome?[] outcomes, CancellationToken ct)
    {
        var reports = new List<(int Index, ImportReport Report)>();
        var logs = new List<DataSyncLog>();
        try
        {
            await using var batch = await writer.BeginBatchAsync(part.Select(i => (requests[i].InstrumentId, requests[i].Interval)).ToList(), "csv_import", ct);
            var rows = new List<BarRow>();
            foreach (var i in part)
            {
                ct.ThrowIfCancellationRequested();
                var request = requests[i];
                var reading = new FileReading(instruments[request.InstrumentId], request.Interval, request.FileName);
                rows.Clear();
                await using (var stream = await request.OpenAsync(ct))
                {
                    await reading.ReadAsync(stream, request.Map, request.Progress, (row, _) =>
                    {
                        rows.Add(row);
                        return ValueTask.CompletedTask;
                    }, ct);
                }
                ct.ThrowIfCancellationRequested();
                await batch.AddFileAsync(request.InstrumentId, request.Interval, rows, rows.Count, !reading.Buffer.MayHaveDuplicates, ct);
                // Every distinct valid row is written: inserted, or updating a stored bar (or a row of an earlier file of this batch).
                var report = reading.Finish(stored: null, progress: null);
                reports.Add((i, report));
                var log = new DataSyncLog { InstrumentId = request.InstrumentId, Interval = request.Interval, LastSyncAt = clock.GetUtcNow() };
                reading.Describe(log, report);
                logs.Add(log);
            }
            ct.ThrowIfCancellationRequested();
            await batch.CommitAsync(logs, ct);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException && !ct.IsCancellationRequested)
        {
            // Something in this transaction failed, so none of it was stored: import its files one by one, each in its own transaction.
            logger.LogWarning(ex, "A shared import transaction of {Count} files failed; importing them one by one", part.Count);
            foreach (var i in part) outcomes[i] = await ImportOneAsync(requests[i], ct);
            return;
        }
        foreach (var (i, report) in reports)
        {
            outcomes[i] = new ImportOutcome(requests[i], report, null);
            requests[i].Progress?.Report(new ImportProgress(requests[i].Size, requests[i].Size, report.RowsRead, report.BarsStored));
        }
    }

    private async Task<ImportOutcome> ImportOneAsync(ImportRequest request, CancellationToken ct)
    {
        try
        {
            await using var stream = await request.OpenAsync(ct);
            return new ImportOutcome(request, await ImportAsync(request.InstrumentId, request.Interval, stream, request.FileName, request.Map, ct, request.Progress), null);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Import of {File} failed", request.FileName);
            return new ImportOutcome(request, null, ex);
        }
    }

    private sealed record InstrumentInfo(long Id, string Symbol, string Exchange, string TimeZone);

    /// <summary>
    /// One file as it is read: each row parsed and validated, the daily-bar rule applied, rejected rows collected (the first
    /// <see cref="MaxListedErrors"/> listed), valid rows handed on and kept compactly for the duplicate and quality checks.
    /// </summary>
    private sealed class FileReading(InstrumentInfo instrument, string interval, string fileName)
    {
        private readonly ExchangeCalendar _calendar = ExchangeCalendar.For(instrument.Exchange, instrument.TimeZone);
        private readonly List<RowError> _errors = [];
        private int _rejected;
        private long _read, _bytes, _totalBytes;
        private CsvLayout _layout;
        private bool _headerError;

        public BarSeriesBuffer Buffer { get; private set; } = new(false, false);

        private void Reject(RowError e)
        {
            _rejected++;
            if (_errors.Count < MaxListedErrors) _errors.Add(e);
        }

        public async Task ReadAsync(Stream input, ColumnMap? map, IProgress<ImportProgress>? progress, Func<BarRow, CancellationToken, ValueTask> sink, CancellationToken ct)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(instrument.TimeZone);
            var daily = interval == Intervals.OneDay;
            var parquet = BarFileFormats.IsParquet(fileName);
            _totalBytes = input.CanSeek ? Math.Max(0, input.Length - input.Position) : 0;
            var counted = new CountingStream(input);
            await using var rows = await BarFileFormats.OpenAsync(parquet ? input : counted, fileName, zone, map, ct);
            _layout = rows.Layout;
            if (rows.HeaderError is { } headerError)
            {
                Reject(headerError);
                _headerError = true;
            }
            Buffer = new BarSeriesBuffer(rows.HasAdjClose, rows.HasDividends);
            var step = Math.Max(_totalBytes / 100, 1);
            var nextBytes = step;
            long nextRows = 50_000;
            while (await rows.ReadAsync(ct))
            {
                _read++;
                if (rows.CurrentError is { } error) Reject(error);
                else
                {
                    var row = rows.Current;
                    // The daily-bar rule (ExchangeCalendar): a daily bar is stored at 00:00 UTC of its trading date.
                    if (daily) row.UtcTicks = _calendar.NormalizeDaily(row);
                    await sink(row, ct);
                    Buffer.Add(row);
                }
                if (progress is not null)
                {
                    var bytes = parquet ? input.Position : counted.BytesRead;
                    if (_read >= nextRows || (_totalBytes > 0 && bytes >= nextBytes))
                    {
                        progress.Report(new ImportProgress(bytes, _totalBytes, _read, 0));
                        nextRows = _read + 50_000;
                        nextBytes = bytes + step;
                    }
                }
                if ((_read & 0xFFFF) == 0) ct.ThrowIfCancellationRequested();
            }
            _bytes = parquet ? input.Position : counted.BytesRead;
            progress?.Report(new ImportProgress(_bytes, _totalBytes, _read, 0));
        }

        /// <summary>The report once the valid rows are stored (<paramref name="stored"/> of them): duplicates and quality findings included.</summary>
        public ImportReport Finish(int? stored, IProgress<ImportProgress>? progress)
        {
            var (series, duplicates) = Buffer.Finish();
            foreach (var (line, firstLine, ticks) in duplicates)
                Reject(new RowError(fileName, line, CsvBarParser.DuplicateReason(firstLine, new DateTimeOffset(ticks, TimeSpan.Zero))));
            _errors.Sort((a, b) => a.Line.CompareTo(b.Line));
            var quality = DataQuality.Analyze(series, interval, _calendar, Buffer.WasNewestFirst, Buffer.WasNewestFirst ? 0 : Buffer.StepsBack,
                Buffer.FirstStepBackLine, duplicates);
            var barsStored = stored ?? series.Count;
            progress?.Report(new ImportProgress(_totalBytes > 0 ? _totalBytes : _bytes, _totalBytes, _read, barsStored));
            return new ImportReport(fileName, instrument.Symbol, _layout, (int)_read + (_headerError ? 1 : 0), barsStored,
                _errors, series.Count > 0 ? new DateTimeOffset(series.UtcTicks[0], TimeSpan.Zero) : null,
                series.Count > 0 ? new DateTimeOffset(series.UtcTicks[^1], TimeSpan.Zero) : null, Buffer.WasNewestFirst, quality, _rejected);
        }

        public void Describe(DataSyncLog log, ImportReport report)
        {
            log.Status = report.Status;
            log.BarsFetched = report.BarsStored;
            log.ErrorMessage = _rejected == 0 ? null : string.Join("\n", _errors.Take(50)) + (_rejected > 50 ? $"\n… and {_rejected - 50} more" : "");
        }
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
