using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.MarketData.Admin;

namespace Signalbook.Features.MarketData.Import;

/// <summary>A file handed to a bulk import: its name, size and a way to open it (twice: once to review, once to import).</summary>
public sealed record BulkSource(string FileName, long Size, Func<CancellationToken, Task<Stream>> OpenAsync)
{
    public static BulkSource FromFile(string path, string? fileName = null)
        => new(fileName ?? Path.GetFileName(path), new FileInfo(path).Length,
            _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan)));
}

/// <summary>
/// One file of a bulk import as reviewed before anything is written. The symbol, exchange, time zone, currency and interval
/// are guesses the user may change; <see cref="InstrumentId"/> is set when the instrument already exists.
/// </summary>
public sealed class BulkImportFile
{
    public required string FileName { get; init; }
    public long Size { get; init; }
    public string Symbol { get; set; } = "";
    public string Exchange { get; set; } = Exchanges.Us.Code;
    public string TimeZone { get; set; } = Exchanges.Us.TimeZone;
    public string Currency { get; set; } = Exchanges.Us.Currency;
    public long? InstrumentId { get; set; }
    public string? InstrumentName { get; set; }
    public string? Interval { get; set; }
    public CsvLayout? Layout { get; set; }
    public bool Include { get; set; } = true;

    /// <summary>Rows read (blank lines aside), valid rows, rejected rows; the first rejected rows with their line and reason.</summary>
    public int Rows { get; set; }
    public int ValidRows { get; set; }
    public int RejectedRows { get; set; }
    public IReadOnlyList<RowError> FirstErrors { get; set; } = [];

    /// <summary>Trading dates of the first and last valid bar (see the daily-bar rule in <see cref="ExchangeCalendar"/>).</summary>
    public DateOnly? FirstDate { get; set; }
    public DateOnly? LastDate { get; set; }

    /// <summary>Why the file cannot be imported as it is (unreadable header, no valid row, unknown interval); null when it can.</summary>
    public string? Problem { get; set; }

    public bool CreatesInstrument => InstrumentId is null;
    public bool CanImport => Include && Problem is null && Interval is not null;
}

/// <summary>The outcome of one file: its report (rows stored, rejected rows with line and reason, quality findings) or why it was not imported.</summary>
public sealed record BulkFileResult(string FileName, string Symbol, string Exchange, long? InstrumentId, bool CreatedInstrument, ImportReport? Report, string? Error,
    bool Skipped = false)
{
    /// <summary>success, partial (some rows rejected), failed (nothing stored) or skipped (left out in the review, or not importable).</summary>
    public string Status => Report?.Status ?? (Skipped ? "skipped" : "failed");

    public string Summary => Report?.Summary ?? $"{FileName}: {Error ?? "not imported"}";
}

/// <summary>A whole bulk run: one result per file, and the analysis job queued for the imported instruments (null when none was).</summary>
public sealed record BulkImportOutcome(IReadOnlyList<BulkFileResult> Files, string? AnalysisJobId, string AnalysisNote)
{
    public IReadOnlyList<long> ImportedInstrumentIds => Files.Where(f => f.Report is { BarsStored: > 0 } && f.InstrumentId is not null)
        .Select(f => f.InstrumentId!.Value).Distinct().ToList();
}

/// <summary>
/// Imports many bar files at once, as a user with a folder of exports expects:
/// <list type="number">
/// <item><see cref="PlanAsync"/> reads each file without writing anything and proposes its instrument from the file name
/// (<c>AAPL.csv</c>, <c>MC.PA.csv</c>, <c>7203.T.parquet</c>, <c>TEP-PA-1d-….csv</c>): symbol, exchange, time zone and
/// currency from the suffix (<see cref="Exchanges"/>), interval from the bars' spacing, row counts and the first rejected rows.</item>
/// <item>The user reviews and edits the plan.</item>
/// <item><see cref="ImportAsync"/> creates the missing instruments (audited), then imports the files through
/// <see cref="CsvImportService.ImportManyAsync"/> (small files share a transaction per core, and are imported again one by one
/// should it fail): a file is stored whole (its valid rows) or not at all; its rejected rows and quality findings come back in
/// its result. A new instrument whose file stored nothing is removed again. Then features, regimes and scoring
/// are queued for the imported instruments (<see cref="IInstrumentAnalysisQueue"/>, when the node runs jobs).</item>
/// </list>
/// </summary>
public sealed partial class BulkImportService(IDbContextFactory<AppDbContext> factory, CsvImportService importer, DataAdminService admin,
    AuditService audit, IServiceProvider services, ILogger<BulkImportService> logger)
{
    /// <summary>Rejected rows listed per file in the review.</summary>
    public const int ReviewErrors = 20;

    /// <summary>Valid rows whose spacing decides the interval.</summary>
    private const int IntervalSample = 2000;

    public async Task<IReadOnlyList<BulkImportFile>> PlanAsync(IReadOnlyList<BulkSource> sources, CancellationToken ct = default)
    {
        var plan = new List<BulkImportFile>();
        foreach (var source in sources)
        {
            ct.ThrowIfCancellationRequested();
            var (symbol, hint) = SymbolFromFileName(source.FileName);
            var exchange = Exchanges.ForSymbol(symbol);
            var file = new BulkImportFile
            {
                FileName = source.FileName, Size = source.Size, Symbol = symbol, Exchange = exchange.Code, TimeZone = exchange.TimeZone, Currency = exchange.Currency,
            };
            plan.Add(file);
            if (!BarFileFormats.IsSupported(source.FileName))
            {
                file.Problem = $"{source.FileName}: not a bar file this import reads (expected {string.Join(", ", BarFileFormats.Extensions)}).";
                file.Include = false;
                continue;
            }
            try
            {
                await ReviewAsync(source, file, hint, ct);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException)
            {
                file.Problem = $"{source.FileName} could not be read: {ex.Message}";
                file.Include = false;
            }
        }
        await MatchInstrumentsAsync(plan, ct);
        return plan;
    }

    /// <summary>Finds which files' instruments exist already (after the user edited a symbol or an exchange, too).</summary>
    public async Task MatchInstrumentsAsync(IReadOnlyList<BulkImportFile> files, CancellationToken ct = default)
    {
        var symbols = files.Select(f => Normalize(f.Symbol)).Distinct().ToList();
        await using var db = await factory.CreateDbContextAsync(ct);
        var existing = await db.Instruments.AsNoTracking().Where(i => symbols.Contains(i.Symbol))
            .Select(i => new { i.Id, i.Symbol, i.Exchange, i.Name, i.TimeZone, i.Currency }).ToListAsync(ct);
        foreach (var file in files)
        {
            var match = existing.FirstOrDefault(i => i.Symbol == Normalize(file.Symbol) && string.Equals(i.Exchange, file.Exchange.Trim(), StringComparison.OrdinalIgnoreCase));
            file.InstrumentId = match?.Id;
            file.InstrumentName = match?.Name;
            if (match is not null) (file.TimeZone, file.Currency) = (match.TimeZone, match.Currency);
        }
    }

    public async Task<BulkImportOutcome> ImportAsync(IReadOnlyList<BulkImportFile> files, IReadOnlyList<BulkSource> sources, AuditActor actor,
        Func<BulkImportFile, IProgress<ImportProgress>?>? progressFor = null, CancellationToken ct = default)
    {
        var results = new BulkFileResult?[files.Count];
        await MatchInstrumentsAsync(files, ct);

        // 1. The instruments first (audited one by one, as the admin page creates them), then every file in one call.
        var requests = new List<(int Index, bool Created, ImportRequest Request)>();
        var createdIds = new List<(BulkImportFile File, long Id)>();
        for (var i = 0; i < files.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var file = files[i];
            var source = sources.FirstOrDefault(s => s.FileName == file.FileName);
            if (!file.CanImport || source is null)
            {
                results[i] = new BulkFileResult(file.FileName, file.Symbol, file.Exchange, file.InstrumentId, false, null,
                    source is null ? "the file is no longer available; add it again" : file.Problem ?? (file.Include ? "no interval chosen" : "left out in the review"),
                    Skipped: source is not null);
                continue;
            }
            var created = false;
            var id = file.InstrumentId ?? await FindAsync(file, ct); // an earlier file of this run (another bar size) may have created it
            if (id is null)
            {
                var form = new InstrumentForm
                {
                    Symbol = Normalize(file.Symbol), Exchange = file.Exchange.Trim().ToUpperInvariant(), TimeZone = file.TimeZone.Trim(), Currency = file.Currency.Trim().ToUpperInvariant(),
                    IsActive = true,
                };
                if (await admin.SaveAsync(form, actor, ct) is { } invalid)
                {
                    results[i] = new BulkFileResult(file.FileName, file.Symbol, file.Exchange, null, false, null, $"the instrument cannot be created: {invalid}");
                    continue;
                }
                (id, created) = (form.Id, true);
                createdIds.Add((file, id!.Value));
            }
            file.InstrumentId = id;
            requests.Add((i, created, new ImportRequest(id!.Value, file.Interval!, file.FileName, source.OpenAsync, source.Size, null, progressFor?.Invoke(file))));
        }

        // 2. The files: small ones share a transaction per core, each stored whole or not at all.
        IReadOnlyList<ImportOutcome> outcomes;
        try
        {
            outcomes = await importer.ImportManyAsync(requests.Select(r => r.Request).ToList(), ct: ct);
        }
        catch (Exception ex)
        {
            // Cancelled (or the database went away): nothing of the files in progress was stored; remove the instruments made for them.
            foreach (var (file, id) in createdIds) await RemoveAsync(file, id);
            if (ex is OperationCanceledException) throw;
            if (ct.IsCancellationRequested) throw new OperationCanceledException("The bulk import was cancelled; nothing of the file in progress was stored.", ex, ct);
            throw;
        }

        // 3. One result per file, audited; an instrument made for a file that stored nothing is removed again.
        for (var k = 0; k < requests.Count; k++)
        {
            var (i, created, _) = requests[k];
            var (file, outcome, id) = (files[i], outcomes[k], requests[k].Request.InstrumentId);
            var stored = outcome.Report is { BarsStored: > 0 };
            // Another file of this run may have stored bars for the instrument it created; RemoveAsync only removes an instrument without bars.
            if (created && !stored) await RemoveAsync(file, id);
            if (outcome.Report is { } report)
            {
                await audit.WriteAsync(actor, AuditActions.BarsImported, "instrument", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    success: stored, details: $"{report.File}: {report.BarsStored} bars stored, {report.RejectedTotal} rejected ({file.Interval}, bulk import)",
                    ct: CancellationToken.None);
                results[i] = new BulkFileResult(file.FileName, report.Symbol, file.Exchange, !stored && created ? null : id, created && stored, report,
                    stored ? null : "nothing stored: every row was rejected");
            }
            else
            {
                logger.LogError(outcome.Error, "Bulk import of {File} for {Symbol} failed", file.FileName, file.Symbol);
                results[i] = new BulkFileResult(file.FileName, file.Symbol, file.Exchange, created ? null : id, false, null,
                    $"the import failed and nothing of this file was stored: {outcome.Error?.Message}");
            }
        }

        var final = results.Select(r => r!).ToList();
        var imported = final.Where(r => r.Report is { BarsStored: > 0 } && r.InstrumentId is not null).Select(r => r.InstrumentId!.Value).Distinct().ToList();
        var (jobId, note) = await QueueAnalysisAsync(imported, final.Count, ct);
        return new BulkImportOutcome(final, jobId, note);
    }

    private async Task<long?> FindAsync(BulkImportFile file, CancellationToken ct)
    {
        var (symbol, exchange) = (Normalize(file.Symbol), file.Exchange.Trim().ToUpperInvariant());
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Instruments.Where(i => i.Symbol == symbol && i.Exchange == exchange).Select(i => (long?)i.Id).SingleOrDefaultAsync(ct);
    }

    /// <summary>Removes an instrument this run created when its file stored nothing, so a failed file leaves no empty instrument behind.</summary>
    private async Task RemoveAsync(BulkImportFile file, long id)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        await db.Instruments.Where(i => i.Id == id && !db.PriceBars.Any(p => p.InstrumentId == id)).ExecuteDeleteAsync(CancellationToken.None);
        file.InstrumentId = null;
    }

    private async Task<(string? JobId, string Note)> QueueAnalysisAsync(IReadOnlyList<long> imported, int files, CancellationToken ct)
    {
        if (imported.Count == 0) return (null, "Nothing was imported, so no analysis was queued.");
        if (services.GetService(typeof(IInstrumentAnalysisQueue)) is not IInstrumentAnalysisQueue queue)
            return (null, "Features, regimes and recommendations follow at the next scheduled run (background jobs do not run on this node).");
        try
        {
            var job = await queue.EnqueueAsync(imported, $"bulk import of {files} file(s)", ct);
            return (job, $"Features, regimes and recommendations are being computed for {imported.Count} instrument(s){(job is null ? "" : $" (job {job})")}.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Queueing the analysis of {Count} imported instruments failed", imported.Count);
            return (null, $"The bars are stored, but queueing features, regimes and recommendations failed ({ex.Message}); they follow at the next scheduled run.");
        }
    }

    private async Task ReviewAsync(BulkSource source, BulkImportFile file, string? intervalHint, CancellationToken ct)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(file.TimeZone);
        await using var stream = await source.OpenAsync(ct);
        await using var spool = BarFileFormats.IsParquet(source.FileName) && !stream.CanSeek ? await SpoolAsync(stream, ct) : null;
        await using var rows = await BarFileFormats.OpenAsync(spool ?? stream, source.FileName, zone, null, ct);
        file.Layout = rows.Layout;
        if (rows.HeaderError is { } header)
        {
            (file.Problem, file.Include, file.FirstErrors) = (header.Reason, false, [header]);
            return;
        }
        var errors = new List<RowError>();
        var sample = new List<long>();
        long first = long.MaxValue, last = long.MinValue;
        BarRow firstRow = default, lastRow = default;
        while (await rows.ReadAsync(ct))
        {
            file.Rows++;
            if (rows.CurrentError is { } error)
            {
                file.RejectedRows++;
                if (errors.Count < ReviewErrors) errors.Add(error);
                continue;
            }
            file.ValidRows++;
            var row = rows.Current;
            if (sample.Count < IntervalSample) sample.Add(row.UtcTicks);
            if (row.UtcTicks < first) (first, firstRow) = (row.UtcTicks, row);
            if (row.UtcTicks > last) (last, lastRow) = (row.UtcTicks, row);
        }
        file.FirstErrors = errors;
        file.Interval = DetectInterval(sample) ?? intervalHint;
        if (file.ValidRows == 0)
        {
            (file.Problem, file.Include) = ("no valid row: every row was rejected (see the rejected rows)", false);
            return;
        }
        if (file.Interval is null)
        {
            file.Problem = "the interval cannot be told from the timestamps; choose it";
            return;
        }
        var calendar = ExchangeCalendar.For(file.Exchange, file.TimeZone);
        DateOnly Date(in BarRow r) => file.Interval == Intervals.OneDay
            ? DateOnly.FromDateTime(new DateTime(calendar.NormalizeDaily(r), DateTimeKind.Utc))
            : calendar.LocalDate(new DateTimeOffset(r.UtcTicks, TimeSpan.Zero));
        (file.FirstDate, file.LastDate) = (Date(firstRow), Date(lastRow));
    }

    /// <summary>
    /// The bar interval from the median spacing of consecutive bars: about a day or a weekend (20 h to 4 days) is daily; one
    /// hour, 15 minutes and one minute are those intervals. Null when there are too few bars or the spacing fits none.
    /// </summary>
    public static string? DetectInterval(IReadOnlyList<long> ticks)
    {
        if (ticks.Count < 2) return null;
        var sorted = ticks.Order().ToArray();
        var gaps = new List<long>(sorted.Length);
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i] > sorted[i - 1]) gaps.Add(sorted[i] - sorted[i - 1]);
        if (gaps.Count == 0) return null;
        gaps.Sort();
        var median = TimeSpan.FromTicks(gaps[gaps.Count / 2]);
        return median.TotalHours switch
        {
            >= 20 and <= 96 => Intervals.OneDay,
            >= 0.9 and <= 1.1 => Intervals.OneHour,
            >= 0.24 and <= 0.26 => Intervals.FifteenMinutes,
            >= 0.015 and <= 0.018 => Intervals.OneMinute,
            _ => null,
        };
    }

    /// <summary>
    /// The symbol a file's name stands for, and the interval its name states if any: <c>AAPL.csv</c> → AAPL; <c>MC.PA.parquet</c>
    /// → MC.PA; <c>TEP-PA-1d-bad-div.csv</c> → TEP.PA, daily (a known exchange suffix after a dash, then an interval token).
    /// </summary>
    public static (string Symbol, string? Interval) SymbolFromFileName(string fileName)
    {
        var name = Path.GetFileName(fileName);
        foreach (var ext in BarFileFormats.Extensions)
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) name = name[..^ext.Length];
        var tokens = name.Split(['-', '_', ' '], StringSplitOptions.RemoveEmptyEntries);
        var at = Array.FindIndex(tokens, t => IntervalToken().IsMatch(t));
        if (at <= 0) return (Normalize(name), null);
        var symbolTokens = tokens[..at];
        var symbol = symbolTokens.Length >= 2 && Exchanges.BySuffixCode(symbolTokens[^1]) is not null
            ? string.Join("-", symbolTokens[..^1]) + "." + symbolTokens[^1]
            : string.Join("-", symbolTokens);
        var interval = tokens[at].ToLowerInvariant() switch
        {
            "1d" => Intervals.OneDay,
            "1h" or "60m" => Intervals.OneHour,
            "15m" => Intervals.FifteenMinutes,
            "1m" => Intervals.OneMinute,
            _ => null,
        };
        return (Normalize(symbol), interval);
    }

    private static string Normalize(string symbol) => symbol.Trim().ToUpperInvariant();

    private static async Task<FileStream> SpoolAsync(Stream source, CancellationToken ct)
    {
        var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await source.CopyToAsync(spool, ct);
        spool.Position = 0;
        return spool;
    }

    [GeneratedRegex("^[0-9]+(m|h|d|wk|mo)$", RegexOptions.IgnoreCase)]
    private static partial Regex IntervalToken();
}
