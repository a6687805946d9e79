using System.Collections.Concurrent;
using System.Text.Json;
using Npgsql;

namespace Signalbook.Data;

/// <summary>
/// Topics of <see cref="PgEventBus"/>. A payload is small JSON (PostgreSQL caps a notification at 8,000 bytes): ids to
/// re-read, never the data itself.
/// </summary>
public static class PgTopics
{
    /// <summary>A user's notifications changed (new, read): payload <c>{"userId": "…"}</c>.</summary>
    public const string Notifications = "notifications";

    /// <summary>A runtime configuration entry changed: payload <c>{"key": "…"}</c>.</summary>
    public const string Config = "config";

    /// <summary>New service log lines were stored (live tail): payload <c>{"lastId": n}</c>.</summary>
    public const string ServiceLogs = "service-logs";

    /// <summary>
    /// Data the recommendations dashboard shows (recommendations, instruments, models) changed: published by statement
    /// triggers in the database (migration 0013), so every writer is covered; payload <c>{"table": "…"}</c>.
    /// </summary>
    public const string Recommendations = "recommendations";

    /// <summary>Raised locally (not through PostgreSQL) after the listener reconnected: events may have been missed, re-read.</summary>
    public const string Reconnected = "reconnected";
}

/// <summary>
/// Events between app nodes over PostgreSQL <c>LISTEN/NOTIFY</c> on one channel, <see cref="Channel"/>: a node publishes
/// (inside the writer's transaction, so listeners hear of committed data only) and every node's subscribers of the topic
/// are called, the publishing node's included. One listening connection per process, opened on the first subscription
/// and re-opened after a failure, when subscribers are told <see cref="PgTopics.Reconnected"/> so they can catch up.
/// </summary>
public sealed class PgEventBus(DatabaseConnection connection, ILogger<PgEventBus> logger, IHostApplicationLifetime? lifetime = null) : IAsyncDisposable
{
    public const string Channel = "signalbook_events";

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<long, Func<string, Task>>> _subscribers = new();
    // The listener stops as the app begins to stop, before the hosted services do: one of them stops the private PostgreSQL,
    // and a listener still connected then logged a lost connection (57P01) at every shutdown.
    private readonly CancellationTokenSource _stop = lifetime is null ? new() : CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
    private readonly Lock _startLock = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private long _nextId;

    /// <summary>Delay before reconnecting after the listening connection failed.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Calls <paramref name="handler"/> with the payload of every event of <paramref name="topic"/> from any node, and with
    /// an empty payload on <see cref="PgTopics.Reconnected"/>. Handlers run on the listener's thread pool work, one event at a
    /// time per process; a failing handler is logged and does not stop the others. Dispose the result to unsubscribe.
    /// </summary>
    public IDisposable Subscribe(string topic, Func<string, Task> handler)
    {
        var id = Interlocked.Increment(ref _nextId);
        _subscribers.GetOrAdd(topic, _ => new()).TryAdd(id, handler);
        EnsureListening();
        return new Subscription(() =>
        {
            if (_subscribers.TryGetValue(topic, out var handlers)) handlers.TryRemove(id, out _);
        });
    }

    /// <summary>Completes once the listening connection is up (tests wait for it before publishing).</summary>
    public Task WaitUntilListeningAsync(CancellationToken ct = default)
    {
        EnsureListening();
        return _listening.Task.WaitAsync(ct);
    }

    /// <summary>Publishes an event on its own connection (committed at once).</summary>
    public async Task PublishAsync(string topic, object payload, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await PublishAsync(conn, null, topic, payload, ct);
    }

    /// <summary>Publishes within the caller's transaction: PostgreSQL delivers it when (and only if) that commits.</summary>
    public static async Task PublishAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string topic, object payload, CancellationToken ct = default)
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_notify(@channel, @message)", conn, tx);
        cmd.Parameters.AddWithValue("channel", Channel);
        cmd.Parameters.AddWithValue("message", Encode(topic, payload));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static string Encode(string topic, object payload)
    {
        var message = JsonSerializer.Serialize(new Envelope(topic, JsonSerializer.SerializeToElement(payload, Json)), Json);
        if (message.Length > 7900) throw new ArgumentException($"Event payload of topic '{topic}' is {message.Length} characters; keep it under 7,900 (send ids, not data).", nameof(payload));
        return message;
    }

    private void EnsureListening()
    {
        if (_loop is not null) return;
        lock (_startLock)
        {
            _loop ??= Task.Run(() => ListenLoopAsync(_stop.Token));
        }
    }

    private async Task ListenLoopAsync(CancellationToken ct)
    {
        var connectedBefore = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connection.Value) { KeepAlive = 15, Pooling = false };
                await using var conn = new NpgsqlConnection(builder.ConnectionString);
                await conn.OpenAsync(ct);
                conn.Notification += (_, e) => Dispatch(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }
                _listening.TrySetResult();
                if (connectedBefore)
                {
                    logger.LogInformation("Event listener reconnected");
                    await DeliverAsync(PgTopics.Reconnected, "");
                }
                connectedBefore = true;
                while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Event listener lost its connection; reconnecting in {Delay}", ReconnectDelay);
                try
                {
                    await Task.Delay(ReconnectDelay, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Dispatch(string message)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(message, Json);
        }
        catch (JsonException e)
        {
            logger.LogWarning(e, "Ignored an event that is not an envelope: {Message}", message.Length > 200 ? message[..200] : message);
            return;
        }
        if (envelope is null) return;
        // Handlers may touch the database; never block the connection's read loop on them.
        _ = Task.Run(() => DeliverAsync(envelope.Topic, envelope.Payload.GetRawText()));
    }

    private async Task DeliverAsync(string topic, string payload)
    {
        if (!_subscribers.TryGetValue(topic, out var handlers)) return;
        foreach (var handler in handlers.Values)
        {
            try
            {
                await handler(payload);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "A subscriber of event topic {Topic} failed", topic);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stop.Dispose();
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Envelope(string Topic, JsonElement Payload);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) dispose();
        }
    }
}
