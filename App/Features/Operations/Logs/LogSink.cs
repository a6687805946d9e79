using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;

namespace Signalbook.Features.Operations.Logs;

/// <summary>What the log writer has done since this node started (Admin → Logs and Admin → System show it).</summary>
public sealed record LogSinkStats(long Written, long Dropped, int Queued, long Batches, DateTimeOffset? LastFailureAt, string? LastError);

/// <summary>
/// The background writer of service_logs: a bounded lock-free queue of rows already encoded for COPY (<see cref="LogRow"/>)
/// that a logger only ever <see cref="TryEnqueue"/>s into (an atomic count bounds it; a full queue drops the line and
/// counts it; no lock is taken on the request path), drained in batches by one binary COPY each. When the database
/// fails, the batch is dropped and counted, and the next batches are dropped without trying for
/// <see cref="ServiceLogOptions.RetryAfterFailureMilliseconds"/>: the app never waits for its logs. After each batch it
/// announces <see cref="PgTopics.ServiceLogs"/> (at most once a second) so the live tails of every node refresh.
/// </summary>
public sealed class LogSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<byte[]> _queue = new();
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

    public LogSink(DatabaseConnection connection, IOptions<ServiceLogOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        var builder = new NpgsqlConnectionStringBuilder(connection.Value)
        {
            ApplicationName = "signalbook-logs", MaxPoolSize = 2, Timeout = 5, CommandTimeout = 30,
        };
        // A data source of its own, without a logger factory: Npgsql's own logging cannot come back here.
        _db = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>Never blocks: false (and counted as dropped) when the queue is full.</summary>
    public bool TryEnqueue(byte[] row)
    {
        var queued = Interlocked.Increment(ref _queued);
        if (queued > _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return false;
        }
        _queue.Enqueue(row);
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
            // Gather for the flush interval, unless a batch fills first. Under load lines then wait milliseconds, not a
            // second: a line that waits through a garbage collection is promoted, and promoting every line (tens of
            // thousands a second) cost the requests that logged them more than the logging itself.
            if (Volatile.Read(ref _queued) < _options.BatchSize)
                await _batchFull.WaitAsync(TimeSpan.FromMilliseconds(_options.FlushIntervalMilliseconds), ct).ConfigureAwait(false);
            while (_batchFull.CurrentCount > 0 && _batchFull.Wait(0)) { } // releases already answered by this flush
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
            var stored = 0;
            var batch = new List<byte[]>(_options.BatchSize);
            while (true)
            {
                batch.Clear();
                while (batch.Count < _options.BatchSize && _queue.TryDequeue(out var row))
                {
                    Interlocked.Decrement(ref _queued);
                    batch.Add(row);
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

    private async Task<int> WriteAsync(List<byte[]> batch, CancellationToken ct)
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
                // A user deleted since their line was logged fails the foreign key: such lines are kept without the user.
                var ids = batch.Select(LogRow.UserIdOf).OfType<Guid>().Distinct().ToArray();
                var known = new HashSet<Guid>();
                await using (var cmd = new NpgsqlCommand("SELECT id FROM users WHERE id = ANY(@ids)", conn))
                {
                    cmd.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids });
                    await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    while (await reader.ReadAsync(ct).ConfigureAwait(false)) known.Add(reader.GetGuid(0));
                }
                var kept = batch.Select(r => LogRow.UserIdOf(r) is { } id && !known.Contains(id) ? LogRow.WithoutUser(r) : r).ToList();
                if (!await TryCopyAsync(conn, kept, ct).ConfigureAwait(false))
                    throw new InvalidOperationException("service_logs refused a batch whose users all exist.");
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
    /// The batch by binary COPY, the rows' bytes as they were encoded: the cheapest way in for PostgreSQL and no work per
    /// value here, so the writer takes as little CPU from requests as it can. False when a user id no longer exists.
    /// </summary>
    private static async Task<bool> TryCopyAsync(NpgsqlConnection conn, List<byte[]> batch, CancellationToken ct)
    {
        try
        {
            await using var copy = await conn.BeginRawBinaryCopyAsync($"COPY service_logs ({LogRow.Columns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false);
            await copy.WriteAsync(LogRow.Header.ToArray(), ct).ConfigureAwait(false);
            foreach (var row in batch) await copy.WriteAsync(row, ct).ConfigureAwait(false);
            await copy.WriteAsync(LogRow.Trailer.ToArray(), ct).ConfigureAwait(false);
            await copy.DisposeAsync().ConfigureAwait(false); // ends the COPY: the server's verdict comes here
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        _draining.Dispose();
        _wake.Dispose();
        _batchFull.Dispose();
    }
}
