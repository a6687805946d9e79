using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.MarketData;

/// <summary>
/// Writes bars in bulk: Npgsql's binary COPY into a temporary staging table, then one
/// INSERT … ON CONFLICT into <c>price_bars</c>, all in one transaction. Idempotent: a bar already
/// stored for the same (instrument, interval, ts) is updated, so running an import twice changes nothing.
/// Daily bars are stored at 00:00 UTC of their trading date whatever instant they come with (the daily-bar rule of
/// <see cref="ExchangeCalendar"/>).
/// </summary>
public sealed class PriceBarWriter(DatabaseConnection connection)
{
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
            session.Add(new BarRow
            {
                Line = b.Line, UtcTicks = b.Ts.UtcTicks, Open = b.Open, High = b.High, Low = b.Low, Close = b.Close, Volume = b.Volume,
                Vwap = b.Vwap ?? double.NaN, TradeCount = b.TradeCount ?? -1,
            });
        }
        return await session.CommitAsync(deduplicate: !unique, ct);
    }

    /// <summary>
    /// Starts a streaming write: rows added to the session go straight into the COPY stream (nothing is kept in
    /// memory), and <see cref="PriceBarSession.CommitAsync"/> merges them into <c>price_bars</c> and commits.
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
            ExchangeCalendar? daily = null;
            if (interval == Intervals.OneDay)
            {
                await using var find = new NpgsqlCommand("SELECT exchange, time_zone FROM instruments WHERE id = @id", conn, tx);
                find.Parameters.AddWithValue("id", instrumentId);
                await using var found = await find.ExecuteReaderAsync(ct);
                if (!await found.ReadAsync(ct)) throw new ArgumentException($"Instrument {instrumentId} does not exist.", nameof(instrumentId));
                daily = ExchangeCalendar.For(found.GetString(0), found.GetString(1));
            }
            await using (var create = new NpgsqlCommand("""
                CREATE TEMP TABLE price_bars_staging (
                    line integer NOT NULL, ts timestamptz NOT NULL, open double precision NOT NULL, high double precision NOT NULL,
                    low double precision NOT NULL, close double precision NOT NULL, volume double precision NOT NULL,
                    vwap double precision, trade_count integer
                ) ON COMMIT DROP
                """, conn, tx))
            {
                await create.ExecuteNonQueryAsync(ct);
            }
            var importer = await conn.BeginBinaryImportAsync(
                "COPY price_bars_staging (line, ts, open, high, low, close, volume, vwap, trade_count) FROM STDIN (FORMAT BINARY)", ct);
            return new PriceBarSession(conn, tx, importer, instrumentId, interval, source, daily);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
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

    internal PriceBarSession(NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlBinaryImporter importer, long instrumentId, string interval, string source,
        ExchangeCalendar? daily)
        => (_conn, _tx, _importer, _instrumentId, _interval, _source, _daily) = (conn, tx, importer, instrumentId, interval, source, daily);

    /// <summary>The timestamp a bar is stored at: unchanged for intraday bars, 00:00 UTC of the trading date for daily ones.</summary>
    public long StoredTicks(long utcTicks) => _daily is null ? utcTicks : _daily.NormalizeDaily(utcTicks);

    /// <summary>Rows sent so far.</summary>
    public long Count { get; private set; }

    /// <summary>
    /// Sends one valid bar. Synchronous on purpose: Npgsql buffers the row and only touches the socket when its
    /// buffer is full, so an await per field would cost more than it saves.
    /// </summary>
    public void Add(in BarRow bar)
    {
        var importer = _importer ?? throw new InvalidOperationException("The session is already committed.");
        importer.StartRow();
        importer.Write(bar.Line, NpgsqlDbType.Integer);
        importer.Write(new DateTime(StoredTicks(bar.UtcTicks), DateTimeKind.Utc), NpgsqlDbType.TimestampTz);
        importer.Write(bar.Open, NpgsqlDbType.Double);
        importer.Write(bar.High, NpgsqlDbType.Double);
        importer.Write(bar.Low, NpgsqlDbType.Double);
        importer.Write(bar.Close, NpgsqlDbType.Double);
        importer.Write(bar.Volume, NpgsqlDbType.Double);
        if (double.IsNaN(bar.Vwap)) importer.WriteNull(); else importer.Write(bar.Vwap, NpgsqlDbType.Double);
        if (bar.TradeCount < 0) importer.WriteNull(); else importer.Write(bar.TradeCount, NpgsqlDbType.Integer);
        Count++;
    }

    /// <summary>
    /// Ends the COPY, merges the staged rows into <c>price_bars</c> (ON CONFLICT updates, so a re-import changes nothing)
    /// and commits. With <paramref name="deduplicate"/> the first row (lowest line) of each timestamp wins; without it the
    /// caller promises the timestamps are unique (PostgreSQL refuses to update one row twice in one statement).
    /// Returns the number of rows inserted or updated.
    /// </summary>
    public async Task<int> CommitAsync(bool deduplicate, CancellationToken ct = default)
    {
        var importer = _importer ?? throw new InvalidOperationException("The session is already committed.");
        await importer.CompleteAsync(ct);
        await importer.DisposeAsync();
        _importer = null;
        var select = deduplicate
            ? "SELECT DISTINCT ON (ts) ts, open, high, low, close, volume, vwap, trade_count FROM price_bars_staging ORDER BY ts, line"
            : "SELECT ts, open, high, low, close, volume, vwap, trade_count FROM price_bars_staging";
        var insert = $"""
            INSERT INTO price_bars (instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source)
            SELECT @instrument, @interval, s.ts, s.open, s.high, s.low, s.close, s.volume, s.vwap, s.trade_count, @source FROM ({select}) s
            """;
        const string onConflict = """

            ON CONFLICT (instrument_id, interval, ts) DO UPDATE SET
                open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume,
                vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count, source = EXCLUDED.source
            """;

        // Fast path: when nothing is stored yet in the file's time range (a first import), a plain INSERT does the same as
        // the merge without its per-row conflict handling. Under a savepoint, so that if a concurrent import stored a bar
        // in the range meanwhile, the unique violation rolls back to it and the ON CONFLICT merge runs instead.
        var anyStored = await ScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM price_bars p WHERE p.instrument_id = @instrument AND p.interval = @interval
                AND p.ts BETWEEN (SELECT min(ts) FROM price_bars_staging) AND (SELECT max(ts) FROM price_bars_staging))
            """, ct);
        if (!anyStored)
        {
            await _tx.SaveAsync("fast_insert", ct);
            try
            {
                var inserted = await MergeAsync(insert, ct);
                await _tx.ReleaseAsync("fast_insert", ct);
                await _tx.CommitAsync(ct);
                return inserted;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await _tx.RollbackAsync("fast_insert", ct);
            }
        }
        var written = await MergeAsync(insert + onConflict, ct);
        await _tx.CommitAsync(ct);
        return written;
    }

    private async Task<int> MergeAsync(string sql, CancellationToken ct)
    {
        await using var merge = new NpgsqlCommand(sql, _conn, _tx);
        merge.CommandTimeout = 0; // millions of rows may take minutes; the caller's token still cancels
        merge.Parameters.AddWithValue("instrument", _instrumentId);
        merge.Parameters.AddWithValue("interval", _interval);
        merge.Parameters.AddWithValue("source", _source);
        return await merge.ExecuteNonQueryAsync(ct);
    }

    private async Task<T> ScalarAsync<T>(string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, _conn, _tx);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("instrument", _instrumentId);
        command.Parameters.AddWithValue("interval", _interval);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_importer is not null)
        {
            try { await _importer.DisposeAsync(); } // cancels the COPY
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException) { /* the rollback below discards it anyway */ }
        }
        await _tx.DisposeAsync();
        await _conn.DisposeAsync();
    }
}
