using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.MarketData.Providers;

/// <summary>An instrument as a provider describes it; sector and size bucket are null when the provider does not know them.</summary>
public sealed record SymbolInfo(string Symbol, string Exchange, string Name, string? Sector, string? MarketCapBucket, string TimeZone);

/// <summary>A provider call that failed for good (after any retries), naming the provider, the symbol and the HTTP status if any.</summary>
public sealed class MarketDataProviderException(string provider, string symbol, int? status, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string Provider { get; } = provider;
    public string Symbol { get; } = symbol;
    public int? Status { get; } = status;
}

public sealed record Quote(string Symbol, DateTimeOffset Ts, double Price);

public sealed record ProviderHealth(bool Healthy, string Message);

/// <summary>Where bars come from: one implementation per provider, each in its own folder.</summary>
public interface IMarketDataProvider
{
    string Name { get; }

    /// <summary>Bars with from ≤ ts ≤ to, oldest first.</summary>
    Task<IReadOnlyList<OhlcvBar>> GetBarsAsync(string symbol, string interval, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default);

    Task<Quote?> GetLatestQuoteAsync(string symbol, CancellationToken ct = default);

    Task<IReadOnlyList<SymbolInfo>> SearchAsync(string query, CancellationToken ct = default);

    Task<ProviderHealth> CheckHealthAsync(CancellationToken ct = default);
}
