using Microsoft.Extensions.Options;

namespace Signalbook.Features.MarketData.Providers.Alpaca;

/// <summary>
/// Client-side request pacing for Alpaca, shared by every provider instance (a singleton): callers go one
/// at a time, each at least 60 s / MaxRequestsPerMinute after the previous one actually left, so neither a
/// burst nor a late wake-up exceeds the per-minute budget and the server's 429 stays the exception. A 429
/// pushes the next departure back to when the server said to retry.
/// </summary>
public sealed class AlpacaRateLimiter(IOptions<AlpacaOptions> options, TimeProvider clock)
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly Lock _gate = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;

    public TimeSpan Spacing => TimeSpan.FromMinutes(1) / options.Value.MaxRequestsPerMinute;

    /// <summary>Returns when this caller may send its request.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            while (true)
            {
                TimeSpan wait;
                lock (_gate) wait = _next - clock.GetUtcNow();
                if (wait <= TimeSpan.Zero) break;
                await Task.Delay(wait, clock, ct);
            }
            lock (_gate) _next = clock.GetUtcNow() + Spacing;
        }
        finally
        {
            _turn.Release();
        }
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
