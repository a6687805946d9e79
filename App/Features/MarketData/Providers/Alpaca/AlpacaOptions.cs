using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.MarketData.Providers.Alpaca;

/// <summary>
/// Settings of the Alpaca market-data provider (section <c>MarketData:Alpaca</c>). Checked at start only
/// when <c>MarketData:Provider</c> is <c>alpaca</c>: the key pair is then required.
/// </summary>
public sealed class AlpacaOptions
{
    public const string Section = "MarketData:Alpaca";

    public string KeyId { get; set; } = "";
    public string SecretKey { get; set; } = "";

    [Required, Url] public string DataBaseUrl { get; set; } = "https://data.alpaca.markets";
    [Required, Url] public string TradingBaseUrl { get; set; } = "https://paper-api.alpaca.markets";

    /// <summary>iex (free plan) or sip (paid plan).</summary>
    [Required, RegularExpression("^(iex|sip)$", ErrorMessage = "MarketData:Alpaca:Feed must be iex or sip.")]
    public string Feed { get; set; } = "iex";

    /// <summary>raw, split, dividend or all.</summary>
    [Required, RegularExpression("^(raw|split|dividend|all)$", ErrorMessage = "MarketData:Alpaca:Adjustment must be raw, split, dividend or all.")]
    public string Adjustment { get; set; } = "all";

    /// <summary>Client-side cap; the free plan allows 200 requests per minute.</summary>
    [Range(1, 10_000)] public int MaxRequestsPerMinute { get; set; } = 180;

    /// <summary>Retries after the first attempt for 429, 5xx and timeouts.</summary>
    [Range(0, 10)] public int MaxRetries { get; set; } = 4;

    /// <summary>First backoff for 5xx and timeouts; doubled per retry, plus up to 50 % jitter.</summary>
    [Range(1, 60_000)] public int BaseBackoffMilliseconds { get; set; } = 500;

    /// <summary>Longest wait a 429's Retry-After or X-RateLimit-Reset may impose before the call gives up.</summary>
    [Range(1, 600)] public int MaxRateLimitWaitSeconds { get; set; } = 90;

    [Range(1, 600)] public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>How long the asset list (symbol search) is kept before it is fetched again.</summary>
    [Range(1, 10_080)] public int AssetCacheMinutes { get; set; } = 720;
}
