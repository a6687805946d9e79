using System.Diagnostics;
using System.Text.Json;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;

namespace Signalbook.Features.Operations.Logs;

/// <summary>What the log writer has done since this node started (Admin → Logs and Admin → System show it).</summary>
public sealed record LogSinkStats(long Written, long Dropped, int Queued, long Batches, DateTimeOffset? LastFailureAt, string? LastError);

/// <summary>
/// The background writer of service_logs: a bounded lock-free queue that a logger only ever <see cref="TryEnqueue"/>s into
/// (an atomic count bounds it; a full queue drops the line and counts it; no lock is taken on the request path), drained
/// in batches by one binary COPY each, the context's JSON written here on the writer's thread. When the database
/// fails, the batch is dropped and counted, and the next batches are dropped without trying for
/// <see cref="ServiceLogOptions.RetryAfterFailureMilliseconds"/>: the app never waits for its logs. After each batch it
/// announces <see cref="PgTopics.ServiceLogs"/> (at most once a second) so the live tails of every node refresh.
/// </summary>
public sealed class LogSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<LogLine> _queue = new();
    /// <summary>Lines counted in (incremented before the enqueue, decremented after each dequeue): the bound.</summary>
    private int _queued;
    /// <summary>1 while the writer waits for a first line; the producer that takes it back to 0 wakes the writer.</summary>
    private int _sleeping;
    private readonly SemaphoreSlim _wake = new(0);
    /// <summary>Released by the producer whose line fills a batch: the writer stops gathering and writes at once.</summary>
    private readonly SemaphoreSlim _batchFull = new(0);
    private readonly ServiceLogOptions _options;
    private readonly TimeProvider _clock;
    private readonly NpgsqlDataSource _db;
    private readonly SemaphoreSlim _draining = new(1, 1);
    private readonly Stopwatch _sinceNotify = Stopwatch.StartNew();
    private long _written, _dropped, _batches;
    private DateTimeOffset? _lastFailureAt;
    private string? _lastError;
    private long _retryAfterTicks;
    /// <summary>1 once <see cref="DisposeAsync"/> has begun: lines are dropped and counted, flushes write nothing.</summary>
    private int _disposed;

    public LogSink(DatabaseConnection connection, IOptions<ServiceLogOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        var builder = new NpgsqlConnectionStringBuilder(connection.Value)
        {
            ApplicationName = "signalbook-logs", MaxPoolSize = 2, Timeout = 5, CommandTimeout = 30,
            // A batch's commit does not wait for its WAL to reach the disk: a crash of PostgreSQL itself may lose the last
            // moment's log lines (never anything else: the setting is this data source's own), and the writer spends no
            // time in a flush per batch.
            Options = "-c synchronous_commit=off",
        };
        // A data source of its own, without a logger factory: Npgsql's own logging cannot come back here.
        _db = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>Never blocks: false (and counted as dropped) when the queue is full.</summary>
    public bool TryEnqueue(LogLine line)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            Interlocked.Increment(ref _dropped);
            return false;
        }
        var queued = Interlocked.Increment(ref _queued);
        if (queued > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        _queue.Enqueue(line);
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1) _wake.Release();
        else if (queued == _options.BatchSize) _batchFull.Release();
        return true;
    }

    public LogSinkStats Stats => new(Interlocked.Read(ref _written), Interlocked.Read(ref _dropped), Volatile.Read(ref _queued), Interlocked.Read(ref _batches),
        _lastFailureAt, _lastError);

    /// <summary>The background loop (run by <see cref="LogPump"/>): waits for a first line, lets a batch gather, writes.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        using var _ = LogSuppression.Begin();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (Volatile.Read(ref _queued) == 0)
            {
                // Say we sleep, then look again: a line counted after this look finds _sleeping set and wakes us.
                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _queued) == 0) await _wake.WaitAsync(ct).ConfigureAwait(false);
                Interlocked.Exchange(ref _sleeping, 0);
            }
            // Gather for the flush interval, unless a batch fills first: a writer that slept the whole second while
            // requests logged tens of thousands of lines overflowed the queue and dropped them.
            if (Volatile.Read(ref _queued) < _options.BatchSize)
                await _batchFull.WaitAsync(TimeSpan.FromMilliseconds(_options.FlushIntervalMilliseconds), ct).ConfigureAwait(false);
            while (_batchFull.CurrentCount > 0 && _batchFull.Wait(0)) { } // releases this flush answers
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Writes every line queued now, in batches; returns how many were stored. Tests and shutdown call it.</summary>
    public async Task<int> FlushAsync(CancellationToken ct = default)
    {
        using var _ = LogSuppression.Begin();
        await _draining.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) == 1) return 0;
            var stored = 0;
            var batch = new List<LogLine>(_options.BatchSize);
            while (true)
            {
                batch.Clear();
                while (batch.Count < _options.BatchSize && _queue.TryDequeue(out var line))
                {
                    Interlocked.Decrement(ref _queued);
                    batch.Add(line);
                }
                if (batch.Count == 0) return stored;
                stored += await WriteAsync(batch, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _draining.Release();
        }
    }

    private async Task<int> WriteAsync(List<LogLine> batch, CancellationToken ct)
    {
        if (Environment.TickCount64 < Interlocked.Read(ref _retryAfterTicks))
        {
            Interlocked.Add(ref _dropped, batch.Count);
            return 0;
        }
        try
        {
            await using var conn = await _db.OpenConnectionAsync(ct).ConfigureAwait(false);
            if (!await TryCopyAsync(conn, batch, ct).ConfigureAwait(false))
            {
                await using (var cmd = new NpgsqlCommand("""
                    INSERT INTO service_logs (user_id, level, module, message, context, "timestamp")
                    SELECT u.id, x.level, x.module, x.message, x.context::jsonb, x.ts
                    FROM unnest(@u, @l, @m, @msg, @c, @t) WITH ORDINALITY AS x(uid, level, module, message, context, ts, n)
                    LEFT JOIN users u ON u.id = x.uid
                    ORDER BY x.n
                    """, conn))
                {
                    cmd.Parameters.Add(new NpgsqlParameter("u", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = batch.Select(l => l.UserId).ToArray() });
                    cmd.Parameters.Add(new NpgsqlParameter("l", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(l => l.Level).ToArray() });
                    cmd.Parameters.Add(new NpgsqlParameter("m", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(l => Cut(l.Module, 128)).ToArray() });
                    cmd.Parameters.Add(new NpgsqlParameter("msg", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(l => Cut(l.Message, 1024)).ToArray() });
                    cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(l => ContextJson(l.Context)).ToArray() });
                    cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { Value = batch.Select(l => l.At.ToUniversalTime()).ToArray() });
                    await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            Interlocked.Add(ref _written, batch.Count);
            Interlocked.Increment(ref _batches);
            if (_sinceNotify.Elapsed >= TimeSpan.FromSeconds(1))
            {
                _sinceNotify.Restart();
                await PgEventBus.PublishAsync(conn, null, PgTopics.ServiceLogs, new { count = batch.Count }, ct).ConfigureAwait(false);
            }
            return batch.Count;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            Interlocked.Add(ref _dropped, batch.Count);
            _lastFailureAt = _clock.GetUtcNow();
            _lastError = $"{e.GetType().Name}: {e.Message}";
            Interlocked.Exchange(ref _retryAfterTicks, Environment.TickCount64 + _options.RetryAfterFailureMilliseconds);
            return 0;
        }
    }

    /// <summary>
    /// The batch by binary COPY: the cheapest way in for PostgreSQL, so the writer takes as little CPU from requests as it
    /// can. A user id that no longer exists (a user deleted since) fails the COPY on its foreign key: the caller then
    /// writes the batch by the INSERT that drops such ids.
    /// </summary>
    private async Task<bool> TryCopyAsync(NpgsqlConnection conn, List<LogLine> batch, CancellationToken ct)
    {
        try
        {
            await using var copy = await conn.BeginBinaryImportAsync(
                "COPY service_logs (user_id, level, module, message, context, \"timestamp\") FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
            foreach (var l in batch)
            {
                await copy.StartRowAsync(ct).ConfigureAwait(false);
                if (l.UserId is { } user) await copy.WriteAsync(user, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                else await copy.WriteNullAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(l.Level, NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(Cut(l.Module, 128), NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await copy.WriteAsync(Cut(l.Message, 1024), NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                if (ContextJson(l.Context) is { } json) await copy.WriteAsync(json, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
                else await copy.WriteNullAsync(ct).ConfigureAwait(false);
                await copy.WriteAsync(l.At.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            }
            await copy.CompleteAsync(ct).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return false;
        }
    }

    // The writer's JSON buffer, reused line after line (one writer at a time: FlushAsync holds _draining).
    private readonly System.Buffers.ArrayBufferWriter<byte> _jsonBuffer = new(1024);
    private Utf8JsonWriter? _json;

    /// <summary>The context as a JSON object, written directly (no dictionary, no reflection over the values) into the writer's reused buffer.</summary>
    private string? ContextJson(LogContext context)
    {
        if (context.Count == 0) return null;
        _jsonBuffer.ResetWrittenCount();
        var json = _json ??= new Utf8JsonWriter(_jsonBuffer);
        json.Reset(_jsonBuffer);
        json.WriteStartObject();
        var seen = context.Count > 32 ? new HashSet<string>(StringComparer.Ordinal) : null;
        for (var i = context.Count - 1; i >= 0; i--)
        {
            // A later value of a key wins: write from the end, skip repeats.
            var (key, value) = context[i];
            if (seen is not null ? !seen.Add(key) : RepeatsLater(context, i, key)) continue;
            json.WritePropertyName(key);
            switch (value)
            {
                case null: json.WriteNullValue(); break;
                case string v: json.WriteStringValue(v); break;
                case bool v: json.WriteBooleanValue(v); break;
                case int v: json.WriteNumberValue(v); break;
                case long v: json.WriteNumberValue(v); break;
                case short v: json.WriteNumberValue(v); break;
                case byte v: json.WriteNumberValue(v); break;
                case double v when double.IsFinite(v): json.WriteNumberValue(v); break;
                case float v when float.IsFinite(v): json.WriteNumberValue(v); break;
                case decimal v: json.WriteNumberValue(v); break;
                case Guid v: json.WriteStringValue(v); break;
                case DateTimeOffset v: json.WriteStringValue(v.ToString("O", System.Globalization.CultureInfo.InvariantCulture)); break;
                case DateTime v: json.WriteStringValue(v.ToString("O", System.Globalization.CultureInfo.InvariantCulture)); break;
                case Enum v: json.WriteStringValue(v.ToString()); break;
                default: json.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }
        json.WriteEndObject();
        json.Flush();
        return System.Text.Encoding.UTF8.GetString(_jsonBuffer.WrittenSpan);
    }

    private static bool RepeatsLater(LogContext context, int i, string key)
    {
        for (var j = i + 1; j < context.Count; j++)
            if (string.Equals(context[j].Key, key, StringComparison.Ordinal)) return true;
        return false;
    }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;

    /// <summary>
    /// Waits for a flush in flight (up to 10 s), then closes the connections. The host's stop and the app's own run can
    /// both stop the pump while the container is disposed: the last flush then finishes instead of releasing a disposed
    /// semaphore. Lines still queued, and any logged later, are counted as dropped. The semaphores are left to the
    /// collector (no wait handle was ever taken), so a logger that writes during shutdown never throws.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        var entered = false;
        try
        {
            entered = await _draining.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            var left = Interlocked.Exchange(ref _queued, 0);
            _queue.Clear();
            Interlocked.Add(ref _dropped, left);
            await _db.DisposeAsync().ConfigureAwait(false);
            _json?.Dispose();
        }
        finally
        {
            if (entered) _draining.Release();
        }
    }
}
