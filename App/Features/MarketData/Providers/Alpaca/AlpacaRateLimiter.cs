using Microsoft.Extensions.Options;

namespace Signalbook.Features.MarketData.Providers.Alpaca;

/// <summary>
/// Client-side request pacing for Alpaca, shared by every provider instance (a singleton): requests are
/// spaced at least 60 s / MaxRequestsPerMinute apart, so a burst never exceeds the per-minute budget and
/// the server's 429 stays the exception. A 429 also pushes the next slot back to when the server said to retry.
/// </summary>
public sealed class AlpacaRateLimiter(IOptions<AlpacaOptions> options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public TimeSpan Spacing => TimeSpan.FromMinutes(1) / options.Value.MaxRequestsPerMinute;

    /// <summary>Waits for this caller's slot: slots are handed out in order, one per spacing interval.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            var slot = _next > now ? _next : now;
            _next = slot + Spacing;
            wait = slot - now;
        }
        if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
    }

    /// <summary>The server refused for rate: nobody goes before <paramref name="until"/>.</summary>
    public void Defer(DateTimeOffset until)
    {
        lock (_gate)
        {
            if (until > _next) _next = until;
        }
    }
}
