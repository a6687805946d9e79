using Signalbook.Features.MarketData.Import;
using Signalbook.Features.MarketData.Providers;
using Signalbook.Features.MarketData.Providers.Demo;

namespace Signalbook.Tests.Features.MarketData.Sync;

/// <summary>
/// The demo market behind a test's script: every call is recorded; symbols can be made to fail, ranges to
/// be missing (as a real closure the calendar does not know would be), and bars to be corrupted.
/// </summary>
public sealed class ScriptedProvider(TimeProvider clock) : IMarketDataProvider
{
    private readonly DemoProvider _demo = new(clock);

    public sealed record Call(string Symbol, string Interval, DateTimeOffset From, DateTimeOffset To, int Returned);

    public List<Call> Calls { get; } = [];
    public HashSet<string> Failing { get; } = [];
    public List<(DateTimeOffset From, DateTimeOffset To)> Holes { get; } = [];
    public Func<OhlcvBar, OhlcvBar> Corrupt { get; set; } = b => b;

    public string Name => "scripted";

    public async Task<IReadOnlyList<OhlcvBar>> GetBarsAsync(string symbol, string interval, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        if (Failing.Contains(symbol))
        {
            Calls.Add(new Call(symbol, interval, from, to, 0));
            throw new MarketDataProviderException(Name, symbol, 503, $"scripted outage for {symbol}");
        }
        var bars = (await _demo.GetBarsAsync(symbol, interval, from, to, ct))
            .Where(b => !Holes.Any(h => b.Ts >= h.From && b.Ts <= h.To))
            .Select(Corrupt)
            .ToList();
        Calls.Add(new Call(symbol, interval, from, to, bars.Count));
        return bars;
    }

    public Task<Quote?> GetLatestQuoteAsync(string symbol, CancellationToken ct = default) => _demo.GetLatestQuoteAsync(symbol, ct);
    public Task<IReadOnlyList<SymbolInfo>> SearchAsync(string query, CancellationToken ct = default) => _demo.SearchAsync(query, ct);
    public Task<ProviderHealth> CheckHealthAsync(CancellationToken ct = default) => _demo.CheckHealthAsync(ct);
}
