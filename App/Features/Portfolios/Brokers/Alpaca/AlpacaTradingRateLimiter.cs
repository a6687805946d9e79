using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Signalbook.Features.Portfolios.Brokers.Alpaca;

/// <summary>
/// Client-side pacing for the Trading API, one lane per key id (Alpaca counts requests per account): callers on a lane
/// go one at a time, each at least 60 s / MaxRequestsPerMinute after the previous one, and a 429 pushes the lane's
/// next departure back to when the server said to retry. The same idea as the market-data provider's limiter, kept
/// per key because every portfolio owner brings their own account.
/// </summary>
public sealed class AlpacaTradingRateLimiter(IOptions<AlpacaTradingOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    public TimeSpan Spacing => TimeSpan.FromMinutes(1) / options.Value.MaxRequestsPerMinute;

    /// <summary>Returns when a request with this key id may leave.</summary>
    public async Task WaitAsync(string keyId, CancellationToken ct)
    {
        var lane = _lanes.GetOrAdd(keyId, _ => new Lane());
        await lane.Turn.WaitAsync(ct);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (lane.Gate) wait = lane.Next - clock.GetUtcNow();
                if (wait <= TimeSpan.Zero) break;
                await Task.Delay(wait, clock, ct);
            }
            lock (lane.Gate) lane.Next = clock.GetUtcNow() + Spacing;
        }
        finally
        {
            lane.Turn.Release();
        }
    }

    /// <summary>The server refused for rate: nobody with this key id goes before <paramref name="until"/>.</summary>
    public void Defer(string keyId, DateTimeOffset until)
    {
        var lane = _lanes.GetOrAdd(keyId, _ => new Lane());
        lock (lane.Gate)
        {
            if (until > lane.Next) lane.Next = until;
        }
    }

    private sealed class Lane
    {
        public readonly SemaphoreSlim Turn = new(1, 1);
        public readonly Lock Gate = new();
        public DateTimeOffset Next = DateTimeOffset.MinValue;
    }
}
