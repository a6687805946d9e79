using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.Portfolios.Brokers.Alpaca;

/// <summary>
/// Settings of the Alpaca Trading API broker (section <c>Brokers:Alpaca</c>). The keys are not here: each portfolio
/// uses its owner's stored <see cref="BrokerCredentialStore">broker credential</see>.
/// Endpoints per Alpaca's docs ("Paper Trading", docs.alpaca.markets/docs/paper-trading): paper
/// https://paper-api.alpaca.markets, live https://api.alpaca.markets; the key pair of one does not work on the other.
/// </summary>
public sealed class AlpacaTradingOptions
{
    public const string Section = "Brokers:Alpaca";

    [Required, Url] public string PaperBaseUrl { get; set; } = "https://paper-api.alpaca.markets";
    [Required, Url] public string LiveBaseUrl { get; set; } = "https://api.alpaca.markets";

    /// <summary>How long one request may take before it counts as unanswered (fractions allowed, for tests).</summary>
    [Range(0.05, 600)] public double RequestTimeoutSeconds { get; set; } = 15;

    /// <summary>Retries after the first attempt for 5xx, timeouts and connection failures.</summary>
    [Range(0, 10)] public int MaxRetries { get; set; } = 3;

    /// <summary>Retries after the first attempt for HTTP 429.</summary>
    [Range(0, 20)] public int MaxRateLimitRetries { get; set; } = 4;

    /// <summary>First backoff for 5xx and timeouts; doubled per retry, plus up to 50 % jitter.</summary>
    [Range(1, 60_000)] public int BaseBackoffMilliseconds { get; set; } = 500;

    /// <summary>Longest wait a 429's Retry-After or X-RateLimit-Reset may impose before the call gives up instead.</summary>
    [Range(1, 600)] public int MaxRateLimitWaitSeconds { get; set; } = 60;

    /// <summary>Client-side pacing per key id; Alpaca allows 200 requests per minute per account (docs: "Rate limit").</summary>
    [Range(1, 100_000)] public int MaxRequestsPerMinute { get; set; } = 180;

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    public string BaseUrlFor(string environment) => environment switch
    {
        BrokerEnvironments.Paper => PaperBaseUrl,
        BrokerEnvironments.Live => LiveBaseUrl,
        _ => throw new ArgumentException($"Unknown broker environment '{environment}'; expected paper or live.", nameof(environment)),
    };
}
