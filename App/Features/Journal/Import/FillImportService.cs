using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Jobs;

namespace Signalbook.Features.Journal.Import;

/// <summary>An uploaded broker file and how to read it (format null: detect it from the content).</summary>
public sealed record ImportRequest(string FileName, byte[] Bytes, ImportOptions Options, string? FormatId = null);

/// <summary>What an import would do, computed without writing anything.</summary>
public sealed record ImportPreview(
    string FileName,
    string FormatId,
    string Broker,
    int FillsRead,
    int NewFills,
    int Duplicates,
    IReadOnlyList<ParsedFill> Sample,
    IReadOnlyList<RowProblem> Problems,
    IReadOnlyDictionary<string, int> Skipped)
{
    /// <summary>A file is stored whole or not at all: it imports only when every trade row was read and at least one is new.</summary>
    public bool CanImport => Problems.Count == 0 && NewFills > 0;
}

public sealed record ImportOutcome(long BatchId, string FormatId, string Broker, int FillsRead, int Added, int Duplicates, int Skipped, int CampaignsRebuilt)
{
    /// <summary>Seconds per step of the store (staging and insert into the ledger, each step of the campaign rebuild, commit): for the logs and the journal bench.</summary>
    public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>();
}

public sealed record ImportBatchRow(long Id, string FileName, string FormatId, string Broker, int FillsRead, int FillsAdded, int FillsDuplicate, int RowsSkipped,
    string Status, DateTimeOffset CreatedAt, DateTimeOffset? UndoneAt);

/// <summary>
/// File imports into the fills ledger: preview (parse, validate, count duplicates, write nothing), import (the whole
/// file in one transaction: a batch row, the new fills through COPY into a staging table and one
/// INSERT … ON CONFLICT DO NOTHING on (user, external_trade_id), then the touched campaigns rebuilt), history and undo.
/// </summary>
public sealed class FillImportService(IDbContextFactory<AppDbContext> factory, CampaignStore campaigns, IOptions<JournalOptions> options, TimeProvider clock,
    ILogger<FillImportService> logger, NodeIdentity? node = null)
{
    public async Task<ImportPreview> PreviewAsync(JournalCaller caller, ImportRequest request, CancellationToken ct = default)
    {
        var (format, result, ids) = Parse(request);
        var existing = await CountExistingAsync(caller.UserId, ids, ct);
        return new ImportPreview(request.FileName, format.Id, format.Broker, result.Fills.Count, result.Fills.Count - existing, existing,
            result.Fills.Take(options.Value.PreviewRows).ToList(), result.Problems, result.SkippedNonTrades);
    }

    public async Task<ImportOutcome> ImportAsync(JournalCaller caller, ImportRequest request, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        var (format, result, ids) = Parse(request);
        if (result.Problems.Count > 0)
        {
            throw new ImportFileException($"'{request.FileName}' has {result.Problems.Count} row(s) that cannot be read, so nothing was imported. First: {result.Problems[0]}.");
        }
        if (result.Fills.Count == 0)
        {
            throw new ImportFileException($"'{request.FileName}' holds no trades ({result.SkippedCount} other row(s): {DescribeSkipped(result.SkippedNonTrades)}). Nothing was imported.");
        }
        var batch = new ImportBatch
        {
            UserId = caller.UserId, FileName = Truncate(request.FileName, 255), FormatId = format.Id, Broker = format.Broker,
            FileSha256 = Convert.ToHexStringLower(SHA256.HashData(request.Bytes)), FileSize = request.Bytes.Length,
            FillsRead = result.Fills.Count, RowsSkipped = result.SkippedCount, CreatedAt = clock.GetUtcNow(),
        };
        // The attempt is written (running) before the fills, and committed on its own: if this node dies mid-import, the
        // fills' transaction rolls back but the attempt stays visible, and the start-up sweep marks it interrupted.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var run = new TaskExecution
        {
            TaskName = ImportTask, UserId = caller.UserId, RequestedBy = caller.UserId, TriggerKind = JobStart.ManualKind, ExecutedAt = batch.CreatedAt,
            NodeName = node?.Name ?? Environment.MachineName, Status = TaskStatuses.Running,
            Details = JsonSerializer.Serialize(new { file = batch.FileName, fills = batch.FillsRead }),
        };
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            db.TaskExecutions.Add(run);
            await db.SaveChangesAsync(ct);
        }
        ImportOutcome? outcome = null;
        string? error = null;
        try
        {
            outcome = await StoreAsync(caller.UserId, batch, format.Broker, result.Fills, ids, ct);
            return outcome;
        }
        catch (Exception e)
        {
            error = $"{e.GetType().Name}: {e.Message}";
            throw;
        }
        finally
        {
            var finishedAt = clock.GetUtcNow();
            var details = JsonSerializer.Serialize(new { file = batch.FileName, fills = batch.FillsRead, batch_id = outcome?.BatchId, added = outcome?.Added });
            var status = outcome is null ? TaskStatuses.Failed : TaskStatuses.Success;
            var message = error is { Length: > 512 } ? error[..512] : error;
            await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
            await db.TaskExecutions.Where(t => t.Id == run.Id && t.Status == TaskStatuses.Running).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, status).SetProperty(t => t.FinishedAt, finishedAt).SetProperty(t => t.Error, message)
                .SetProperty(t => t.DurationSeconds, started.Elapsed.TotalSeconds).SetProperty(t => t.Progress, outcome is null ? 0 : 1)
                .SetProperty(t => t.Details, details), CancellationToken.None);
        }
    }

    /// <summary>The task name of a file import's run row in service_task_execution.</summary>
    public const string ImportTask = "journal-import";

    /// <summary>Stores parsed fills as one batch (used by <see cref="ImportAsync"/> and by the journal bench).</summary>
    internal async Task<ImportOutcome> StoreAsync(Guid userId, ImportBatch batch, string broker, IReadOnlyList<ParsedFill> fills, IReadOnlyList<string> ids, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);

        long batchId;
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO import_batches (user_id, file_name, format_id, broker, file_sha256, file_size, fills_read, fills_added, fills_duplicate, rows_skipped, status, created_at)
            VALUES (@u, @n, @f, @b, @h, @s, @r, 0, 0, @k, 'imported', @t) RETURNING id
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            insert.Parameters.AddWithValue("u", userId);
            insert.Parameters.AddWithValue("n", batch.FileName);
            insert.Parameters.AddWithValue("f", batch.FormatId);
            insert.Parameters.AddWithValue("b", batch.Broker);
            insert.Parameters.AddWithValue("h", batch.FileSha256);
            insert.Parameters.AddWithValue("s", batch.FileSize);
            insert.Parameters.AddWithValue("r", batch.FillsRead);
            insert.Parameters.AddWithValue("k", batch.RowsSkipped);
            insert.Parameters.AddWithValue("t", batch.CreatedAt);
            batchId = (long)(await insert.ExecuteScalarAsync(ct))!;
        }

        var timer = new Hosting.PhaseTimer();
        var (added, touched) = await FillLedger.InsertAsync(conn, tx, userId, fills, ids, broker, FillSource.FileImport, batchId, null, ct, timer);
        await using (var counts = new NpgsqlCommand("UPDATE import_batches SET fills_added = @a, fills_duplicate = @d WHERE id = @id", conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            counts.Parameters.AddWithValue("a", added);
            counts.Parameters.AddWithValue("d", fills.Count - added);
            counts.Parameters.AddWithValue("id", batchId);
            await counts.ExecuteNonQueryAsync(ct);
        }
        var rebuilt = await campaigns.RebuildAsync(conn, tx, userId, touched, ct, timer);
        await tx.CommitAsync(ct);
        timer.Mark("commit");
        var phases = timer.Seconds();
        logger.LogInformation("Import batch {BatchId}: {Added} of {Read} fills stored, {Campaigns} campaigns rebuilt ({Phases})", batchId, added, fills.Count, rebuilt,
            Hosting.PhaseTimer.Describe(phases, "F2", " s"));
        return new ImportOutcome(batchId, batch.FormatId, batch.Broker, fills.Count, added, fills.Count - added, batch.RowsSkipped, rebuilt) { PhaseSeconds = phases };
    }

    public async Task<IReadOnlyList<ImportBatchRow>> HistoryAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ImportBatches.AsNoTracking().Where(b => b.UserId == caller.UserId).OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id)
            .Select(b => new ImportBatchRow(b.Id, b.FileName, b.FormatId, b.Broker, b.FillsRead, b.FillsAdded, b.FillsDuplicate, b.RowsSkipped, b.Status, b.CreatedAt, b.UndoneAt))
            .Take(200).ToListAsync(ct);
    }

    /// <summary>What undoing a batch would delete: its fills and the decision contexts and checks the trader attached to them.</summary>
    public async Task<(int Fills, int Contexts)> UndoImpactAsync(JournalCaller caller, long batchId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await FindBatchAsync(db, caller, batchId, ct);
        var fills = await db.TradeFills.CountAsync(f => f.ImportBatchId == batchId && f.UserId == caller.UserId, ct);
        var contexts = await db.DecisionContexts.CountAsync(c => c.UserId == caller.UserId && db.TradeFills.Any(f => f.Id == c.FillId && f.ImportBatchId == batchId), ct);
        return (fills, contexts);
    }

    /// <summary>
    /// Undoes a whole batch: deletes its fills (their contexts and checks go with them) and rebuilds the campaigns they
    /// were in; the batch row stays, marked undone. Refused while a fill of the batch has a correction pointing at it.
    /// </summary>
    public async Task<int> UndoAsync(JournalCaller caller, long batchId, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        await using var db = await factory.CreateDbContextAsync(ct);
        var batch = await FindBatchAsync(db, caller, batchId, ct);
        if (batch.Status == ImportBatchStatus.Undone) throw new JournalValidationException("batch", $"Import {batchId} ('{batch.FileName}') was already undone.");
        var corrected = await db.TradeFills.AnyAsync(f => f.UserId == caller.UserId && (f.ReversesFillId != null || f.ReplacesFillId != null)
            && db.TradeFills.Any(o => o.ImportBatchId == batchId && (o.Id == f.ReversesFillId || o.Id == f.ReplacesFillId)), ct);
        if (corrected) throw new JournalValidationException("batch", $"Fills of '{batch.FileName}' have corrections; undo the corrections first.");

        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var touched = new HashSet<SeriesKey>();
        var deleted = 0;
        await using (var delete = new NpgsqlCommand("DELETE FROM trade_fills WHERE user_id = @u AND import_batch_id = @b RETURNING symbol, asset_type", conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            delete.Parameters.AddWithValue("u", caller.UserId);
            delete.Parameters.AddWithValue("b", batchId);
            await using var reader = await delete.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                deleted++;
                touched.Add(new SeriesKey(reader.GetString(0), TradingNamesParse(reader.GetString(1))));
            }
        }
        await using (var mark = new NpgsqlCommand("UPDATE import_batches SET status = 'undone', undone_at = @t WHERE id = @b", conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            mark.Parameters.AddWithValue("t", clock.GetUtcNow());
            mark.Parameters.AddWithValue("b", batchId);
            await mark.ExecuteNonQueryAsync(ct);
        }
        await campaigns.RebuildAsync(conn, tx, caller.UserId, touched, ct);
        await tx.CommitAsync(ct);
        return deleted;
    }

    private static async Task<ImportBatch> FindBatchAsync(AppDbContext db, JournalCaller caller, long batchId, CancellationToken ct)
        => await db.ImportBatches.AsNoTracking().SingleOrDefaultAsync(b => b.Id == batchId && b.UserId == caller.UserId, ct)
           ?? throw new JournalNotFoundException($"Import {batchId}");

    private (IBrokerFileFormat Format, ParseResult Result, IReadOnlyList<string> Ids) Parse(ImportRequest request)
    {
        if (request.Bytes.Length == 0) throw new ImportFileException($"'{request.FileName}' is empty.");
        if (request.Bytes.Length > options.Value.MaxImportBytes)
        {
            throw new ImportFileException($"'{request.FileName}' is {request.Bytes.Length / 1024.0 / 1024.0:0.0} MB; the largest file you can import is {options.Value.MaxImportBytes / 1024.0 / 1024.0:0.#} MB. Split it by date range.");
        }
        if (request.Options.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw new JournalValidationException("TimeZone", $"'{zone}' is not a time zone this server knows.");
        }
        var file = new ImportFile(request.FileName, request.Bytes);
        var format = request.FormatId is { } id
            ? BrokerFormats.Find(id) ?? throw new JournalValidationException("Format", $"'{id}' is not a format Signalbook reads.")
            : BrokerFormats.Detect(file);
        var result = format.Parse(file, request.Options);
        return (format, result, FillHash.Assign(format.Id, result.Fills));
    }

    private async Task<int> CountExistingAsync(Guid userId, IReadOnlyList<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return 0;
        await using var db = await factory.CreateDbContextAsync(ct);
        var distinct = ids.Distinct().ToArray();
        var existing = 0;
        foreach (var chunk in distinct.Chunk(10_000))
        {
            existing += await db.TradeFills.CountAsync(f => f.UserId == userId && chunk.Contains(f.ExternalTradeId), ct);
        }
        return existing;
    }

    private static FillAssetType TradingNamesParse(string name) => Portfolios.TradingNames.Parse<FillAssetType>(name);

    private static string DescribeSkipped(IReadOnlyDictionary<string, int> skipped)
        => skipped.Count == 0 ? "none" : string.Join(", ", skipped.OrderByDescending(k => k.Value).Select(k => $"{k.Value} {k.Key}"));

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}

/// <summary>The COPY staging of parsed fills, shared by file imports and broker syncs.</summary>
internal static class FillStaging
{
    public const string Table = "trade_fills_staging";

    public static async Task CopyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<ParsedFill> fills, IReadOnlyList<string> ids, string broker, CancellationToken ct)
    {
        await using (var create = new NpgsqlCommand($"""
            CREATE TEMP TABLE IF NOT EXISTS {Table} (
                ord integer NOT NULL, symbol varchar(32) NOT NULL, side varchar(4) NOT NULL, quantity numeric(24,8) NOT NULL, price numeric(24,10) NOT NULL,
                fees numeric(20,6) NOT NULL, executed_at timestamptz NOT NULL, broker varchar(100), asset_type varchar(16) NOT NULL, currency varchar(10) NOT NULL,
                order_id varchar(255), venue varchar(100), external_trade_id varchar(255) NOT NULL, raw_data jsonb, isin varchar(12),
                multiplier numeric(12,4) NOT NULL, option_underlying varchar(20), option_expiry date, option_strike numeric(20,6), option_right varchar(4)
            ) ON COMMIT DROP
            """, conn, tx) { CommandTimeout = JournalSql.BulkTimeoutSeconds })
        {
            await create.ExecuteNonQueryAsync(ct);
        }
        await using var copy = await conn.BeginBinaryImportAsync($"""
            COPY {Table} (ord, symbol, side, quantity, price, fees, executed_at, broker, asset_type, currency, order_id, venue, external_trade_id, raw_data, isin,
                multiplier, option_underlying, option_expiry, option_strike, option_right) FROM STDIN (FORMAT BINARY)
            """, ct);
        copy.Timeout = TimeSpan.FromSeconds(JournalSql.BulkTimeoutSeconds);
        // raw_data is written by one reused Utf8JsonWriter (the same JSON object JsonSerializer made of the map, without
        // its per-row serializer setup and buffers).
        var rawBuffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        await using var rawJson = new Utf8JsonWriter(rawBuffer);
        for (var i = 0; i < fills.Count; i++)
        {
            var f = fills[i];
            copy.StartRow();
            copy.Write(i, NpgsqlDbType.Integer);
            copy.Write(Limit(f.Symbol.Trim().ToUpperInvariant(), 32, "symbol", f.Line), NpgsqlDbType.Varchar);
            copy.Write(f.Side == FillSide.Buy ? "buy" : "sell", NpgsqlDbType.Varchar);
            copy.Write(f.Quantity, NpgsqlDbType.Numeric);
            copy.Write(f.Price, NpgsqlDbType.Numeric);
            copy.Write(Math.Abs(f.Fees), NpgsqlDbType.Numeric);
            copy.Write(f.ExecutedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
            copy.Write(broker, NpgsqlDbType.Varchar);
            copy.Write(Portfolios.TradingNames.ToDb(f.AssetType), NpgsqlDbType.Varchar);
            copy.Write(f.Currency.Trim().ToUpperInvariant(), NpgsqlDbType.Varchar);
            WriteNullable(copy, f.OrderId is null ? null : Limit(f.OrderId, 255, "order id", f.Line));
            WriteNullable(copy, f.Venue is null ? null : Limit(f.Venue, 100, "venue", f.Line));
            copy.Write(ids[i], NpgsqlDbType.Varchar);
            copy.Write(RawJson(f.Raw, rawJson, rawBuffer), NpgsqlDbType.Jsonb);
            WriteNullable(copy, f.Isin is { Length: 12 } isin ? isin : null);
            copy.Write(f.Multiplier, NpgsqlDbType.Numeric);
            WriteNullable(copy, f.Option?.Underlying);
            if (f.Option is { } o) copy.Write(o.Expiry, NpgsqlDbType.Date); else copy.WriteNull();
            if (f.Option is { } s) copy.Write(s.Strike, NpgsqlDbType.Numeric); else copy.WriteNull();
            WriteNullable(copy, f.Option is { } r ? Portfolios.TradingNames.ToDb(r.Right) : null);
        }
        await copy.CompleteAsync(ct);
    }

    /// <summary>The fill's raw cells as a JSON object (keys in the map's order, null cells as JSON null).</summary>
    internal static string RawJson(IReadOnlyDictionary<string, string?> raw, Utf8JsonWriter json, System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartObject();
        foreach (var (key, value) in raw)
        {
            if (value is null) json.WriteNull(key); else json.WriteString(key, value);
        }
        json.WriteEndObject();
        json.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null) copy.WriteNull(); else copy.Write(value, NpgsqlDbType.Varchar);
    }

    private static string Limit(string value, int max, string what, int line)
        => value.Length <= max ? value : throw new ImportFileException($"line {line}: the {what} '{value[..Math.Min(40, value.Length)]}…' is longer than {max} characters.");
}
