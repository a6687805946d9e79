using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>
/// Settings of the SnapTrade API (section <c>SnapTrade</c>). The client id and consumer key are the app's key pair
/// (docs.snaptrade.com, "Request Signatures"); they may be left empty when the app runs without broker sync, and a call
/// then fails with <see cref="SnapTradeErrorKind.NotConfigured"/> instead of the app refusing to start.
/// </summary>
public sealed class SnapTradeOptions
{
    public const string Section = "SnapTrade";

    [Required, Url] public string BaseUrl { get; set; } = "https://api.snaptrade.com";

    public string? ClientId { get; set; }

    /// <summary>The HMAC key that signs every request. Secret: configuration or a secret store, never the repository.</summary>
    public string? ConsumerKey { get; set; }

    /// <summary>Activities per page; SnapTrade's default and maximum is 1000 (get_account_activities docs).</summary>
    [Range(1, 1000)] public int ActivitiesPageSize { get; set; } = 1000;

    /// <summary>Safety stop for a paging loop that never ends (a server that ignores offset).</summary>
    [Range(1, 100_000)] public int MaxActivityPages { get; set; } = 1000;

    /// <summary>How long one request may take before it counts as unanswered (fractions allowed, for tests).</summary>
    [Range(0.05, 600)] public double RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after the first attempt for 5xx, timeouts and connection failures.</summary>
    [Range(0, 10)] public int MaxServerErrorRetries { get; set; } = 3;

    /// <summary>Retries after the first attempt for HTTP 429.</summary>
    [Range(0, 20)] public int MaxRateLimitRetries { get; set; } = 4;

    /// <summary>First backoff for 5xx and timeouts (and for a 429 without Retry-After); doubled per retry.</summary>
    [Range(1, 60_000)] public int BaseBackoffMilliseconds { get; set; } = 500;

    /// <summary>Longest wait a 429's Retry-After may impose; a longer one fails at once with the wait named.</summary>
    [Range(1, 3600)] public int MaxRetryAfterSeconds { get; set; } = 90;

    /// <summary>
    /// Days an incremental sync re-reads before the last synced time (<see cref="SnapTradeSyncWindow"/>): brokers post
    /// trades late and some give dates only. Re-read fills are dropped by their external id.
    /// </summary>
    [Range(0, 60)] public int SyncOverlapDays { get; set; } = 3;

    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(RequestTimeoutSeconds);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ClientId) && !string.IsNullOrWhiteSpace(ConsumerKey);
}
