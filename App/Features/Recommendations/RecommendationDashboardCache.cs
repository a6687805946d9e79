using System.Collections.Concurrent;
using Signalbook.Data;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// The dashboard's query results, shared by every circuit of the process. What a filter shows depends only on the
/// query, never on who asks (consent is checked per call, outside the cache), and recommendations change when scoring
/// runs, not while traders filter: a thousand traders on the same profile and filters cost one set of queries, not a
/// thousand. An entry is dropped:
/// <list type="bullet">
/// <item>when any node commits a change to <c>recommendations</c>, <c>instruments</c> or <c>ml_models</c>: statement
/// triggers (migration 0013) publish <see cref="PgTopics.Recommendations"/> through <see cref="PgEventBus"/>, after
/// the commit only;</item>
/// <item>when the event listener reconnected (events may have been missed);</item>
/// <item><see cref="Lifetime"/> after it was made, by the app's clock, so "new since yesterday" — measured from the
/// time of the load — drifts by at most that, and a clock moved backwards never serves an entry from its future.</item>
/// </list>
/// Callers asking for the same query while it loads wait for that one load (no stampede after a change). A failed load
/// is not kept.
/// </summary>
public sealed class RecommendationDashboardCache : IDisposable
{
    /// <summary>How long an entry may be served at most.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>Distinct queries kept at most; past it the cache starts afresh (queries are a few profiles × filters × pages).</summary>
    public const int MaxEntries = 1_000;

    /// <summary>How long a first call waits for the node's event listener before it loads without the cache.</summary>
    private static readonly TimeSpan ListenerWait = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock;
    private readonly PgEventBus _bus;
    private readonly Lock _subscribeLock = new();
    private ConcurrentDictionary<RecommendationQuery, Entry> _entries = new();
    private IDisposable[]? _subscriptions;
    private Task? _listening;
    private long _loads;

    public RecommendationDashboardCache(TimeProvider clock, PgEventBus bus)
    {
        _clock = clock;
        _bus = bus;
    }

    /// <summary>Loads made since start (tests: a hit makes none).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    /// <summary>
    /// The cached result of <paramref name="query"/>, or the result of <paramref name="load"/>, kept for the next caller.
    /// The load is shared by every caller waiting for it, so it runs without any one caller's cancellation;
    /// <paramref name="ct"/> stops only this caller's wait.
    /// </summary>
    public async Task<DashboardResult> GetOrLoadAsync(RecommendationQuery query, Func<CancellationToken, Task<DashboardResult>> load, CancellationToken ct)
    {
        // Until this node listens, a change could go unheard and an entry outlive it: wait for the listener (at once
        // after the first call), and without one (the database unreachable for it) do not cache at all.
        var listening = EnsureSubscribed();
        if (!listening.IsCompletedSuccessfully)
        {
            try
            {
                await listening.WaitAsync(ListenerWait, ct);
            }
            catch (TimeoutException)
            {
                return await load(ct);
            }
        }
        var entries = _entries;
        var now = _clock.GetUtcNow();
        while (true)
        {
            var entry = entries.GetOrAdd(query, static (_, state) => new Entry(state.now, new Lazy<Task<DashboardResult>>(() => state.self.LoadAsync(state.load))),
                (now, load, self: this));
            if (!entry.IsFresh(now))
            {
                entries.TryRemove(KeyValuePair.Create(query, entry));
                continue;
            }
            if (entries.Count > MaxEntries) Interlocked.CompareExchange(ref _entries, new(), entries);
            var task = entry.Result.Value;
            try
            {
                return await task.WaitAsync(ct);
            }
            catch when (task.IsFaulted || task.IsCanceled)
            {
                entries.TryRemove(KeyValuePair.Create(query, entry));
                throw;
            }
        }
    }

    /// <summary>Drops every entry (a change was committed, or events may have been missed).</summary>
    public void Clear() => Interlocked.Exchange(ref _entries, new());

    private Task<DashboardResult> LoadAsync(Func<CancellationToken, Task<DashboardResult>> load)
    {
        Interlocked.Increment(ref _loads);
        return load(CancellationToken.None);
    }

    private Task OnChangedAsync(string payload)
    {
        Clear();
        return Task.CompletedTask;
    }

    private Task EnsureSubscribed()
    {
        if (_listening is { } listening) return listening;
        lock (_subscribeLock)
        {
            if (_listening is null)
            {
                _subscriptions =
                [
                    _bus.Subscribe(PgTopics.Recommendations, OnChangedAsync),
                    _bus.Subscribe(PgTopics.Reconnected, OnChangedAsync),
                ];
                _listening = _bus.WaitUntilListeningAsync(CancellationToken.None);
            }
            return _listening;
        }
    }

    public void Dispose()
    {
        foreach (var subscription in Interlocked.Exchange(ref _subscriptions, []) ?? []) subscription.Dispose();
    }

    private sealed record Entry(DateTimeOffset MadeAt, Lazy<Task<DashboardResult>> Result)
    {
        public bool IsFresh(DateTimeOffset now) => now >= MadeAt && now - MadeAt < Lifetime;
    }
}
