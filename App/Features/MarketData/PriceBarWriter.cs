using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.MarketData;

/// <summary>
/// Writes bars in bulk, idempotently: a bar already stored for the same (instrument, interval, ts) is updated, so running an
/// import twice changes nothing and a later correction wins. Daily bars are stored at 00:00 UTC of their trading date whatever
/// instant they come with (the daily-bar rule of <see cref="ExchangeCalendar"/>).
/// <para>
/// The fast path: a writer first takes a transaction-level advisory lock per instrument (every writer of <c>price_bars</c> goes
/// through here, so no other import can store bars of that instrument until this one commits) and reads the instrument's stored
/// range with one indexed query. Rows that fall outside that range, in a strictly rising (or strictly falling) run, cannot
/// conflict with anything, so they go by binary COPY straight into <c>price_bars</c>. The first row that could conflict (inside
/// the stored range, or a step back or repeat that may duplicate an earlier row) switches the rest to a temporary staging table
/// that is merged with INSERT … ON CONFLICT at the end, as before. Everything is in one transaction.
/// </para>
/// </summary>
public sealed class PriceBarWriter(DatabaseConnection connection)
{
    /// <summary>The first key of the advisory lock that serialises writers of one instrument's bars (the second is the instrument id).</summary>
    internal const int LockClass = 0x50424152; // "PBAR"

    internal const string DirectCopy =
        "COPY price_bars (instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source) FROM STDIN (FORMAT BINARY)";

    /// <summary>
    /// Starts a COPY that may carry millions of rows. Its end waits for PostgreSQL to run the foreign-key checks it deferred
    /// to the end of the statement, which for a 5 M-row file takes longer than the connection's command timeout (30 s): the
    /// single-file import failed in CompleteAsync with a read timeout (and with a timeout of zero too, which Npgsql does not
    /// read as "none" here). The caller's token still cancels.
    /// </summary>
    internal static readonly TimeSpan CopyTimeout = TimeSpan.FromMinutes(30);

    internal static async Task<NpgsqlBinaryImporter> BeginCopyAsync(NpgsqlConnection conn, string copy, CancellationToken ct)
    {
        var importer = await conn.BeginBinaryImportAsync(copy, ct);
        importer.Timeout = CopyTimeout;
        return importer;
    }

    internal const string ConflictUpdate = """
        ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET
            open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume,
            vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count, source = EXCLUDED.source
        """;

    public async Task<int> UpsertAsync(long instrumentId, string interval, IReadOnlyList<OhlcvBar> bars, string source, CancellationToken ct = default)
    {
        if (!Intervals.All.Contains(interval)) throw new ArgumentException($"Unknown interval '{interval}'.", nameof(interval));
        if (bars.Count == 0) return 0;
        await using var session = await BeginAsync(instrumentId, interval, source, ct);
        var seen = new HashSet<long>();
        var unique = true;
        foreach (var b in bars)
        {
            unique &= seen.Add(session.StoredTicks(b.Ts.UtcTicks));
            await session.AddAsync(new BarRow
            {
                Line = b.Line, UtcTicks = b.Ts.UtcTicks, Open = b.Open, High = b.High, Low = b.Low, Close = b.Close, Volume = b.Volume,
                Vwap = b.Vwap ?? double.NaN, TradeCount = b.TradeCount ?? -1,
            }, ct);
        }
        return await session.CommitAsync(deduplicate: !unique, ct);
    }

    /// <summary>
    /// Starts a streaming write for one instrument and interval: rows added to the session go straight into a COPY stream
    /// (nothing is kept in memory), and <see cref="PriceBarSession.CommitAsync"/> finishes it and commits.
    /// Disposing an uncommitted session rolls everything back.
    /// </summary>
    public async Task<PriceBarSession> BeginAsync(long instrumentId, string interval, string source, CancellationToken ct = default)
    {
        if (!Intervals.All.Contains(interval)) throw new ArgumentException($"Unknown interval '{interval}'.", nameof(interval));
        var conn = new NpgsqlConnection(connection.Value);
        try
        {
            await conn.OpenAsync(ct);
            var tx = await conn.BeginTransactionAsync(ct);
            await LockAsync(conn, tx, [instrumentId], ct);
            // A separate statement after the lock, so that its snapshot sees what the previous holder committed.
            await using var find = new NpgsqlCommand("""
                SELECT i.exchange, i.time_zone,
                       (SELECT min(p.ts) FROM price_bars p WHERE p.instrument_id = i.id AND p.interval = @interval),
                       (SELECT max(p.ts) FROM price_bars p WHERE p.instrument_id = i.id AND p.interval = @interval)
                FROM instruments i WHERE i.id = @id
                """, conn, tx);
            find.Parameters.AddWithValue("id", instrumentId);
            find.Parameters.AddWithValue("interval", interval);
            ExchangeCalendar? daily;
            (long Min, long Max)? stored = null;
            await using (var found = await find.ExecuteReaderAsync(ct))
            {
                if (!await found.ReadAsync(ct)) throw new ArgumentException($"Instrument {instrumentId} does not exist.", nameof(instrumentId));
                daily = interval == Intervals.OneDay ? ExchangeCalendar.For(found.GetString(0), found.GetString(1)) : null;
                if (!found.IsDBNull(2)) stored = (found.GetFieldValue<DateTime>(2).Ticks, found.GetFieldValue<DateTime>(3).Ticks);
            }
            var importer = await BeginCopyAsync(conn, DirectCopy, ct);
            return new PriceBarSession(conn, tx, importer, instrumentId, interval, source, daily, stored);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts one transaction for many small files (see <see cref="PriceBarBatch"/>): the advisory locks of all their instruments
    /// (in id order, so two batches cannot deadlock) and the stored range of every (instrument, interval) with one query.
    /// </summary>
    public async Task<PriceBarBatch> BeginBatchAsync(IReadOnlyCollection<(long InstrumentId, string Interval)> keys, string source, CancellationToken ct = default)
    {
        foreach (var (_, interval) in keys)
            if (!Intervals.All.Contains(interval)) throw new ArgumentException($"Unknown interval '{interval}'.", nameof(keys));
        var conn = new NpgsqlConnection(connection.Value);
        try
        {
            await conn.OpenAsync(ct);
            var tx = await conn.BeginTransactionAsync(ct);
            var distinct = keys.Distinct().ToArray();
            await LockAsync(conn, tx, distinct.Select(k => k.InstrumentId), ct);
            var ranges = new Dictionary<(long, string), (long Min, long Max)>();
            await using (var find = new NpgsqlCommand("""
                SELECT k.id, k.iv,
                       (SELECT min(p.ts) FROM price_bars p WHERE p.instrument_id = k.id AND p.interval = k.iv),
                       (SELECT max(p.ts) FROM price_bars p WHERE p.instrument_id = k.id AND p.interval = k.iv)
                FROM unnest(@ids, @intervals) AS k(id, iv)
                """, conn, tx))
            {
                find.CommandTimeout = 0;
                find.Parameters.AddWithValue("ids", distinct.Select(k => k.InstrumentId).ToArray());
                find.Parameters.AddWithValue("intervals", distinct.Select(k => k.Interval).ToArray());
                await using var found = await find.ExecuteReaderAsync(ct);
                while (await found.ReadAsync(ct))
                    if (!found.IsDBNull(2))
                        ranges[(found.GetInt64(0), found.GetString(1))] = (found.GetFieldValue<DateTime>(2).Ticks, found.GetFieldValue<DateTime>(3).Ticks);
            }
            return new PriceBarBatch(conn, tx, source, ranges);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    private static async Task LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IEnumerable<long> instrumentIds, CancellationToken ct)
    {
        var ids = instrumentIds.Distinct().Order().ToArray();
        if (ids.Length == 0) return;
        // unnest keeps the array's order, so the locks are taken in id order.
        await using var command = new NpgsqlCommand(
            "SELECT count(pg_advisory_xact_lock(@class, (k % 2147483647)::integer)) FROM unnest(@ids) AS k", conn, tx);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("class", LockClass);
        command.Parameters.AddWithValue("ids", ids);
        await command.ExecuteScalarAsync(ct);
    }

    internal static void WriteDirect(NpgsqlBinaryImporter importer, long instrumentId, string interval, string source, in BarRow bar, long storedTicks)
    {
        importer.StartRow();
        importer.Write(instrumentId, NpgsqlDbType.Bigint);
        importer.Write(interval, NpgsqlDbType.Varchar);
        importer.Write(new DateTime(storedTicks, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
        WriteValues(importer, bar);
        importer.Write(source, NpgsqlDbType.Varchar);
    }

    internal static void WriteValues(NpgsqlBinaryImporter importer, in BarRow bar)
    {
        importer.Write(bar.Open, NpgsqlDbType.Double);
        importer.Write(bar.High, NpgsqlDbType.Double);
        importer.Write(bar.Low, NpgsqlDbType.Double);
        importer.Write(bar.Close, NpgsqlDbType.Double);
        importer.Write(bar.Volume, NpgsqlDbType.Double);
        if (double.IsNaN(bar.Vwap)) importer.WriteNull(); else importer.Write(bar.Vwap, NpgsqlDbType.Double);
        if (bar.TradeCount < 0) importer.WriteNull(); else importer.Write(bar.TradeCount, NpgsqlDbType.Integer);
    }

    internal static async Task<int> ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, conn, tx);
        command.CommandTimeout = 0; // millions of rows may take minutes; the caller's token still cancels
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>One streaming write of bars for one instrument and interval (see <see cref="PriceBarWriter.BeginAsync"/>).</summary>
public sealed class PriceBarSession : IAsyncDisposable
{
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private NpgsqlBinaryImporter? _importer;
    private readonly long _instrumentId;
    private readonly string _interval;
    private readonly string _source;
    private readonly ExchangeCalendar? _daily;
    private readonly (long Min, long Max)? _stored;
    private bool _staging, _committed;
    private long _last;
    private int _direction;

    internal PriceBarSession(NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlBinaryImporter importer, long instrumentId, string interval, string source,
        ExchangeCalendar? daily, (long Min, long Max)? stored)
        => (_conn, _tx, _importer, _instrumentId, _interval, _source, _daily, _stored) = (conn, tx, importer, instrumentId, interval, source, daily, stored);

    /// <summary>The timestamp a bar is stored at: unchanged for intraday bars, 00:00 UTC of the trading date for daily ones.</summary>
    public long StoredTicks(long utcTicks) => _daily is null ? utcTicks : _daily.NormalizeDaily(utcTicks);

    /// <summary>Rows sent so far.</summary>
    public long Count => DirectCount + StagedCount;

    /// <summary>Rows sent straight into <c>price_bars</c> (the fast path).</summary>
    public long DirectCount { get; private set; }

    /// <summary>Rows sent to the staging table, to be merged at the end.</summary>
    public long StagedCount { get; private set; }

    /// <summary>
    /// Sends one valid bar. Synchronous unless the bar is the first that could conflict: Npgsql buffers the row and only
    /// touches the socket when its buffer is full, so an await per field would cost more than it saves.
    /// </summary>
    public ValueTask AddAsync(in BarRow bar, CancellationToken ct = default)
    {
        var importer = _importer ?? throw new InvalidOperationException("The session is already committed.");
        var ticks = StoredTicks(bar.UtcTicks);
        if (_staging)
        {
            WriteStaged(importer, bar, ticks);
            return ValueTask.CompletedTask;
        }
        if (CanGoDirect(ticks))
        {
            PriceBarWriter.WriteDirect(importer, _instrumentId, _interval, _source, bar, ticks);
            DirectCount++;
            return ValueTask.CompletedTask;
        }
        return SwitchToStagingAsync(bar, ticks, ct);
    }

    /// <summary>Outside the stored range, and strictly after (or strictly before) every row sent directly so far: no conflict possible.</summary>
    private bool CanGoDirect(long ticks)
    {
        if (_stored is { } s && ticks >= s.Min && ticks <= s.Max) return false;
        if (DirectCount > 0)
        {
            var step = Math.Sign(ticks - _last);
            if (step == 0 || (_direction != 0 && step != _direction)) return false;
            _direction = step;
        }
        _last = ticks;
        return true;
    }

    private async ValueTask SwitchToStagingAsync(BarRow bar, long ticks, CancellationToken ct)
    {
        var direct = _importer!;
        _importer = null;
        await direct.CompleteAsync(ct);
        await direct.DisposeAsync();
        await PriceBarWriter.ExecuteAsync(_conn, _tx, """
            CREATE TEMP TABLE price_bars_staging (
                line integer NOT NULL, ts timestamptz NOT NULL, open double precision NOT NULL, high double precision NOT NULL,
                low double precision NOT NULL, close double precision NOT NULL, volume double precision NOT NULL,
                vwap double precision, trade_count integer
            ) ON COMMIT DROP
            """, ct);
        _importer = await PriceBarWriter.BeginCopyAsync(_conn,
            "COPY price_bars_staging (line, ts, open, high, low, close, volume, vwap, trade_count) FROM STDIN (FORMAT BINARY)", ct);
        _staging = true;
        WriteStaged(_importer, bar, ticks);
    }

    private void WriteStaged(NpgsqlBinaryImporter importer, in BarRow bar, long ticks)
    {
        importer.StartRow();
        importer.Write(bar.Line, NpgsqlDbType.Integer);
        importer.Write(new DateTime(ticks, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
        PriceBarWriter.WriteValues(importer, bar);
        StagedCount++;
    }

    /// <summary>
    /// Ends the COPY, merges any staged rows into <c>price_bars</c> and commits. Of rows with the same timestamp the first
    /// (lowest line) wins; a stored bar is updated by the file's row (a later correction wins). With
    /// <paramref name="deduplicate"/> false the caller promises the staged timestamps are unique (PostgreSQL refuses to update
    /// one row twice in one statement). Returns the number of rows inserted or updated.
    /// </summary>
    public async Task<int> CommitAsync(bool deduplicate, CancellationToken ct = default)
    {
        var importer = _importer ?? throw new InvalidOperationException("The session is already committed.");
        await importer.CompleteAsync(ct);
        await importer.DisposeAsync();
        _importer = null;
        var written = (int)DirectCount;
        if (_staging) written += await MergeStagedAsync(deduplicate, ct);
        await _tx.CommitAsync(ct);
        _committed = true;
        return written;
    }

    private async Task<int> MergeStagedAsync(bool deduplicate, CancellationToken ct)
    {
        var select = deduplicate
            ? "SELECT DISTINCT ON (ts) ts, open, high, low, close, volume, vwap, trade_count FROM price_bars_staging ORDER BY ts, line"
            : "SELECT ts, open, high, low, close, volume, vwap, trade_count FROM price_bars_staging";
        var insert = $"""
            INSERT INTO price_bars (instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source)
            SELECT @instrument, @interval, s.ts, s.open, s.high, s.low, s.close, s.volume, s.vwap, s.trade_count, @source FROM ({select}) s
            """;
        var parameters = new List<(string, object)> { ("instrument", _instrumentId), ("interval", _interval), ("source", _source) };
        // A staged row that meets a bar sent directly by this session (all of which lie outside the stored range) repeats an
        // earlier line of the file: the earlier line stays. One that meets a bar stored before (inside the range) corrects it.
        var onConflict = "\n" + PriceBarWriter.ConflictUpdate;
        if (DirectCount > 0)
        {
            if (_stored is { } s)
            {
                onConflict += "\nWHERE EXCLUDED.ts BETWEEN @stored_min AND @stored_max";
                parameters.Add(("stored_min", new DateTime(s.Min, DateTimeKind.Utc)));
                parameters.Add(("stored_max", new DateTime(s.Max, DateTimeKind.Utc)));
            }
            else onConflict = "\nON CONFLICT (instrument_id, interval, ts) DO NOTHING";
        }

        // When nothing is stored yet in the staged time range, a plain INSERT does the same as the merge without its per-row
        // conflict handling. (The advisory lock keeps other writers out; the savepoint is a second guard.)
        await using var check = new NpgsqlCommand("""
            SELECT EXISTS (SELECT 1 FROM price_bars p WHERE p.instrument_id = @instrument AND p.interval = @interval
                AND p.ts BETWEEN (SELECT min(ts) FROM price_bars_staging) AND (SELECT max(ts) FROM price_bars_staging))
            """, _conn, _tx);
        check.CommandTimeout = 0;
        check.Parameters.AddWithValue("instrument", _instrumentId);
        check.Parameters.AddWithValue("interval", _interval);
        var anyStored = (bool)(await check.ExecuteScalarAsync(ct))!;
        if (!anyStored)
        {
            await _tx.SaveAsync("fast_insert", ct);
            try
            {
                var inserted = await PriceBarWriter.ExecuteAsync(_conn, _tx, insert, ct, [.. parameters]);
                await _tx.ReleaseAsync("fast_insert", ct);
                return inserted;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await _tx.RollbackAsync("fast_insert", ct);
            }
        }
        return await PriceBarWriter.ExecuteAsync(_conn, _tx, insert + onConflict, ct, [.. parameters]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_importer is not null)
        {
            try { await _importer.DisposeAsync(); } // cancels the COPY
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* the rollback below discards it anyway */ }
        }
        if (!_committed)
        {
            try { await _tx.DisposeAsync(); }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* a broken connection has rolled back already */ }
        }
        await _conn.DisposeAsync();
    }
}

/// <summary>
/// One transaction for many small files (see <see cref="PriceBarWriter.BeginBatchAsync"/>), each read whole beforehand. A
/// file whose timestamps are unique and lie outside everything stored or written so far for its (instrument, interval) goes
/// into one COPY straight into <c>price_bars</c>, shared by all such files; any other file goes into one staging table,
/// merged at the end with INSERT … ON CONFLICT (of one file the first line of a timestamp wins; of two files the later one).
/// The rows' timestamps must already be the stored ones (daily bars normalised).
/// </summary>
public sealed class PriceBarBatch : IAsyncDisposable
{
    private readonly NpgsqlConnection _conn;
    private readonly NpgsqlTransaction _tx;
    private readonly string _source;
    private readonly Dictionary<(long, string), (long Min, long Max)> _ranges;
    private NpgsqlBinaryImporter? _direct, _staged;
    private bool _stagingCreated, _committed;
    private int _files;

    internal PriceBarBatch(NpgsqlConnection conn, NpgsqlTransaction tx, string source, Dictionary<(long, string), (long Min, long Max)> ranges)
        => (_conn, _tx, _source, _ranges) = (conn, tx, source, ranges);

    /// <summary>Files sent straight into <c>price_bars</c> and files staged for the merge.</summary>
    public int DirectFiles { get; private set; }

    public int StagedFiles { get; private set; }

    /// <summary>
    /// Sends one file's valid rows (<paramref name="count"/> of <paramref name="rows"/>); <paramref name="unique"/> says its
    /// timestamps are all different. Returns true when the file went the direct way.
    /// </summary>
    public async Task<bool> AddFileAsync(long instrumentId, string interval, IReadOnlyList<BarRow> rows, int count, bool unique, CancellationToken ct = default)
    {
        if (_committed) throw new InvalidOperationException("The batch is already committed.");
        var file = ++_files;
        if (count == 0) return false;
        long min = long.MaxValue, max = long.MinValue;
        for (var i = 0; i < count; i++)
        {
            var t = rows[i].UtcTicks;
            if (t < min) min = t;
            if (t > max) max = t;
        }
        var key = (instrumentId, interval);
        var known = _ranges.TryGetValue(key, out var r);
        var direct = unique && (!known || max < r.Min || min > r.Max);
        _ranges[key] = known ? (Math.Min(r.Min, min), Math.Max(r.Max, max)) : (min, max);
        if (direct)
        {
            if (_staged is not null) await CloseAsync(_staged, ct);
            _staged = null;
            _direct ??= await PriceBarWriter.BeginCopyAsync(_conn, PriceBarWriter.DirectCopy, ct);
            for (var i = 0; i < count; i++)
            {
                var row = rows[i];
                PriceBarWriter.WriteDirect(_direct, instrumentId, interval, _source, row, row.UtcTicks);
            }
            DirectFiles++;
            return true;
        }
        if (_direct is not null) await CloseAsync(_direct, ct);
        _direct = null;
        if (!_stagingCreated)
        {
            await PriceBarWriter.ExecuteAsync(_conn, _tx, """
                CREATE TEMP TABLE price_bars_batch (
                    file integer NOT NULL, line integer NOT NULL, instrument_id bigint NOT NULL, interval varchar(10) NOT NULL,
                    ts timestamptz NOT NULL, open double precision NOT NULL, high double precision NOT NULL, low double precision NOT NULL,
                    close double precision NOT NULL, volume double precision NOT NULL, vwap double precision, trade_count integer
                ) ON COMMIT DROP
                """, ct);
            _stagingCreated = true;
        }
        _staged ??= await PriceBarWriter.BeginCopyAsync(_conn,
            "COPY price_bars_batch (file, line, instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count) FROM STDIN (FORMAT BINARY)", ct);
        for (var i = 0; i < count; i++)
        {
            var row = rows[i];
            _staged.StartRow();
            _staged.Write(file, NpgsqlDbType.Integer);
            _staged.Write(row.Line, NpgsqlDbType.Integer);
            _staged.Write(instrumentId, NpgsqlDbType.Bigint);
            _staged.Write(interval, NpgsqlDbType.Varchar);
            _staged.Write(new DateTime(row.UtcTicks, DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
            PriceBarWriter.WriteValues(_staged, row);
        }
        StagedFiles++;
        return false;
    }

    private static async Task CloseAsync(NpgsqlBinaryImporter importer, CancellationToken ct)
    {
        await importer.CompleteAsync(ct);
        await importer.DisposeAsync();
    }

    /// <summary>
    /// Ends the COPY, merges the staged files, records <paramref name="logs"/> in <c>data_sync_log</c> (their totals counted
    /// from <c>price_bars</c> after the merge) and commits: all of it, or nothing.
    /// </summary>
    public async Task CommitAsync(IReadOnlyList<DataSyncLog> logs, CancellationToken ct = default)
    {
        if (_direct is not null) await CloseAsync(_direct, ct);
        if (_staged is not null) await CloseAsync(_staged, ct);
        (_direct, _staged) = (null, null);
        if (_stagingCreated)
        {
            await PriceBarWriter.ExecuteAsync(_conn, _tx, $"""
                INSERT INTO price_bars (instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source)
                SELECT DISTINCT ON (instrument_id, interval, ts) instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, @source
                FROM price_bars_batch ORDER BY instrument_id, interval, ts, file DESC, line
                {PriceBarWriter.ConflictUpdate}
                """, ct, ("source", _source));
        }
        if (logs.Count > 0)
        {
            // Each log's totals must come from the (instrument_id, interval, ts) index. Right after a bulk load the table's
            // statistics can still say it is empty (a fresh or truncated table not yet analyzed); the planner then scans the
            // whole table once per instrument, which took minutes for a few thousand files over 5 M bars (bench ingest, run 2).
            await PriceBarWriter.ExecuteAsync(_conn, _tx, "SET LOCAL enable_seqscan = off", ct);
            await PriceBarWriter.ExecuteAsync(_conn, _tx, """
                INSERT INTO data_sync_log (instrument_id, interval, last_sync_at, status, bars_fetched, error_message, total_bars, first_synced_ts, last_synced_ts)
                SELECT l.id, l.iv, l.at, l.status, l.fetched, l.message, t.n, t.first, t.last
                FROM unnest(@ids, @intervals, @at, @statuses, @fetched, @messages) WITH ORDINALITY AS l(id, iv, at, status, fetched, message, o)
                CROSS JOIN LATERAL (SELECT count(*)::integer AS n, min(p.ts) AS first, max(p.ts) AS last
                                    FROM price_bars p WHERE p.instrument_id = l.id AND p.interval = l.iv) t
                ORDER BY l.o
                """, ct,
                ("ids", logs.Select(l => l.InstrumentId).ToArray()), ("intervals", logs.Select(l => l.Interval).ToArray()),
                ("at", logs.Select(l => l.LastSyncAt.UtcDateTime).ToArray()), ("statuses", logs.Select(l => l.Status).ToArray()),
                ("fetched", logs.Select(l => l.BarsFetched).ToArray()), ("messages", logs.Select(l => l.ErrorMessage).ToArray()));
        }
        await _tx.CommitAsync(ct);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var importer in new[] { _direct, _staged })
        {
            if (importer is null) continue;
            try { await importer.DisposeAsync(); } // cancels the COPY
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* the rollback below discards it anyway */ }
        }
        if (!_committed)
        {
            try { await _tx.DisposeAsync(); }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* a broken connection has rolled back already */ }
        }
        await _conn.DisposeAsync();
    }
}
