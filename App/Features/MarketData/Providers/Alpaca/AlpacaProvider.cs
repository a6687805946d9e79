using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.MarketData.Providers.Alpaca;

/// <summary>
/// Alpaca Market Data API v2 (facts from docs.alpaca.markets, "Historical bars", "Latest trade" and the
/// Trading API's "Assets"): bars from <c>GET /v2/stocks/{symbol}/bars</c>, followed through
/// <c>next_page_token</c>; the latest trade from <c>/v2/stocks/{symbol}/trades/latest</c>; symbol search
/// over the Trading API's <c>/v2/assets</c> list, cached and filtered here. Authentication is the
/// <c>APCA-API-KEY-ID</c> / <c>APCA-API-SECRET-KEY</c> header pair.
/// Robustness: requests are paced by <see cref="AlpacaRateLimiter"/>; a 429 waits for Retry-After (seconds)
/// or X-RateLimit-Reset (Unix seconds) and retries; 5xx and timeouts back off exponentially with jitter up
/// to MaxRetries; 401/403 and other 4xx fail at once; unreadable JSON fails with the URL and the reason.
/// Daily bars are stamped at local midnight of the trading day in New York, the app's convention
/// (<see cref="ExchangeCalendar.At"/>); Alpaca already sends them so, and the mapping makes it certain.
/// </summary>
public sealed class AlpacaProvider(HttpClient http, IOptions<AlpacaOptions> options, AlpacaRateLimiter limiter, AlpacaAssetCache assets,
    TimeProvider clock, ILogger<AlpacaProvider> logger) : IMarketDataProvider
{
    /// <summary>Alpaca's stock data begins in 2016; earlier starts are clamped so a "from the beginning" call stays valid.</summary>
    private static readonly DateTimeOffset EarliestData = new(2015, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private AlpacaOptions Options => options.Value;

    public string Name => "alpaca";

    public async Task<IReadOnlyList<OhlcvBar>> GetBarsAsync(string symbol, string interval, DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        if (!Intervals.All.Contains(interval))
            throw new ArgumentException($"Unknown interval '{interval}'; expected one of {string.Join(", ", Intervals.All)}.", nameof(interval));
        var start = from < EarliestData ? EarliestData : from;
        var now = clock.GetUtcNow();
        var end = to > now ? now : to;
        var result = new List<OhlcvBar>();
        if (start > end) return result;

        var calendar = ExchangeCalendar.Nyse;
        string? pageToken = null;
        var pages = 0;
        do
        {
            var url = $"{Options.DataBaseUrl.TrimEnd('/')}/v2/stocks/{Uri.EscapeDataString(symbol)}/bars?timeframe={interval}"
                      + $"&start={Rfc3339(start)}&end={Rfc3339(end)}&limit=10000&adjustment={Options.Adjustment}&feed={Options.Feed}"
                      + (pageToken is null ? "" : $"&page_token={Uri.EscapeDataString(pageToken)}");
            var page = await GetJsonAsync<BarsPage>(url, symbol, ct);
            foreach (var b in page.Bars ?? [])
            {
                var ts = b.T.ToUniversalTime();
                if (interval == Intervals.OneDay) ts = calendar.NormalizeDaily(ts); // Alpaca stamps New York midnight
                if (ts < from || ts > to) continue;
                result.Add(new OhlcvBar(0, ts, b.O, b.H, b.L, b.C, b.V, b.Vw, b.N is { } n ? (int)Math.Min(n, int.MaxValue) : null));
            }
            pageToken = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
            if (++pages > 10_000) throw new MarketDataProviderException(Name, symbol, null, $"Alpaca: bars for {symbol} did not end after {pages} pages; stopped.");
        } while (pageToken is not null);

        result.Sort((a, b) => a.Ts.CompareTo(b.Ts));
        return result;
    }

    public async Task<Quote?> GetLatestQuoteAsync(string symbol, CancellationToken ct = default)
    {
        var url = $"{Options.DataBaseUrl.TrimEnd('/')}/v2/stocks/{Uri.EscapeDataString(symbol)}/trades/latest?feed={Options.Feed}";
        var latest = await GetJsonAsync<LatestTrade>(url, symbol, ct);
        return latest.Trade is { } t ? new Quote(latest.Symbol ?? symbol, t.T.ToUniversalTime(), t.P) : null;
    }

    public async Task<IReadOnlyList<SymbolInfo>> SearchAsync(string query, CancellationToken ct = default)
    {
        var all = await assets.GetAsync(async c =>
        {
            var url = $"{Options.TradingBaseUrl.TrimEnd('/')}/v2/assets?status=active&asset_class=us_equity";
            var list = await GetJsonAsync<List<Asset>>(url, "(asset list)", c);
            return list.Where(a => a.Tradable && !string.IsNullOrEmpty(a.Symbol))
                .Select(a => new SymbolInfo(a.Symbol!, a.Exchange ?? "US", a.Name ?? a.Symbol!, null, null, ExchangeCalendar.Nyse.TimeZoneId))
                .ToList();
        }, ct);
        query = query.Trim();
        if (query.Length == 0) return [];
        return all.Where(s => s.Symbol.Contains(query, StringComparison.OrdinalIgnoreCase) || s.Name.Contains(query, StringComparison.OrdinalIgnoreCase))
            .OrderBy(s => s.Symbol.Equals(query, StringComparison.OrdinalIgnoreCase) ? 0 : s.Symbol.StartsWith(query, StringComparison.OrdinalIgnoreCase) ? 1 : 2)
            .ThenBy(s => s.Symbol, StringComparer.Ordinal)
            .Take(50)
            .ToList();
    }

    public async Task<ProviderHealth> CheckHealthAsync(CancellationToken ct = default)
    {
        try
        {
            var quote = await GetLatestQuoteAsync("SPY", ct);
            return new ProviderHealth(true, quote is null ? "reachable; no recent SPY trade" : $"reachable; SPY last traded {quote.Ts:u}");
        }
        catch (MarketDataProviderException ex)
        {
            return new ProviderHealth(false, ex.Message);
        }
    }

    /// <summary>One GET with pacing, retries and clear errors; the body read as <typeparamref name="T"/>.</summary>
    private async Task<T> GetJsonAsync<T>(string url, string symbol, CancellationToken ct)
    {
        var o = Options;
        for (var attempt = 0; ; attempt++)
        {
            await limiter.WaitAsync(ct);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("APCA-API-KEY-ID", o.KeyId);
            request.Headers.Add("APCA-API-SECRET-KEY", o.SecretKey);
            request.Headers.Accept.ParseAdd("application/json");

            HttpResponseMessage response;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(o.RequestTimeoutSeconds));
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException)
            {
                var what = ex is OperationCanceledException ? $"no answer within {o.RequestTimeoutSeconds} s" : ex.Message;
                if (attempt >= o.MaxRetries)
                    throw new MarketDataProviderException(Name, symbol, null, $"Alpaca: request for {symbol} failed after {attempt + 1} attempt(s): {what} ({Redact(url)}).", ex);
                await BackoffAsync(attempt, symbol, what, ct);
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(ct);
                    try
                    {
                        return JsonSerializer.Deserialize<T>(body, Json)
                               ?? throw new JsonException("the body is JSON null");
                    }
                    catch (JsonException ex)
                    {
                        throw new MarketDataProviderException(Name, symbol, status,
                            $"Alpaca: the answer for {symbol} is not the documented JSON ({ex.Message}); body starts \"{Snippet(body)}\" ({Redact(url)}).", ex);
                    }
                }
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new MarketDataProviderException(Name, symbol, status,
                        $"Alpaca refused the request for {symbol} with HTTP {status} ({response.StatusCode}): check MarketData:Alpaca:KeyId and "
                        + $"MarketData:Alpaca:SecretKey, and that the plan covers feed '{o.Feed}'. {await ErrorTextAsync(response, ct)}");
                }
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var wait = RateLimitWait(response);
                    if (attempt >= o.MaxRetries || wait > TimeSpan.FromSeconds(o.MaxRateLimitWaitSeconds))
                        throw new MarketDataProviderException(Name, symbol, status,
                            $"Alpaca: rate limit (HTTP 429) for {symbol} still in force after {attempt + 1} attempt(s); the server asked to wait {wait.TotalSeconds:0.#} s.");
                    logger.LogWarning("Alpaca rate limit for {Symbol}: waiting {Wait} before retry {Attempt}", symbol, wait, attempt + 1);
                    limiter.Defer(clock.GetUtcNow() + wait);
                    continue;
                }
                if (status >= 500)
                {
                    if (attempt >= o.MaxRetries)
                        throw new MarketDataProviderException(Name, symbol, status,
                            $"Alpaca: HTTP {status} for {symbol} on all {attempt + 1} attempt(s); giving up. {await ErrorTextAsync(response, ct)}");
                    await BackoffAsync(attempt, symbol, $"HTTP {status}", ct);
                    continue;
                }
                throw new MarketDataProviderException(Name, symbol, status,
                    $"Alpaca: HTTP {status} for {symbol} ({Redact(url)}). {await ErrorTextAsync(response, ct)}");
            }
        }
    }

    private async Task BackoffAsync(int attempt, string symbol, string why, CancellationToken ct)
    {
        var baseMs = Options.BaseBackoffMilliseconds * Math.Pow(2, attempt);
        var wait = TimeSpan.FromMilliseconds(baseMs * (1 + 0.5 * Random.Shared.NextDouble()));
        logger.LogWarning("Alpaca {Why} for {Symbol}: retry {Attempt} in {Wait}", why, symbol, attempt + 1, wait);
        await Task.Delay(wait, clock, ct);
    }

    /// <summary>How long a 429 asks us to wait: Retry-After (seconds or a date), else X-RateLimit-Reset (Unix seconds), else one spacing.</summary>
    private TimeSpan RateLimitWait(HttpResponseMessage response)
    {
        var now = clock.GetUtcNow();
        if (response.Headers.RetryAfter is { } retry)
        {
            if (retry.Delta is { } delta) return delta;
            if (retry.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        }
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var reset))
        {
            var at = DateTimeOffset.FromUnixTimeSeconds(reset);
            return at > now ? at - now : TimeSpan.Zero;
        }
        return limiter.Spacing;
    }

    private static async Task<string> ErrorTextAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct);
        return body.Length == 0 ? "" : $"Server said: {Snippet(body)}";
    }

    private static string Snippet(string body) => body.Length <= 200 ? body : body[..200] + "…";

    /// <summary>The URL without its query's page token, for messages (it never carries the keys: those travel in headers).</summary>
    private static string Redact(string url) => url.Split("&page_token=")[0];

    private static string Rfc3339(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private sealed record BarsPage(
        [property: JsonPropertyName("bars")] List<AlpacaBar>? Bars,
        [property: JsonPropertyName("symbol")] string? Symbol,
        [property: JsonPropertyName("next_page_token")] string? NextPageToken);

    /// <summary>t time (RFC 3339), o h l c prices, v volume, n trade count, vw volume-weighted average price.</summary>
    private sealed record AlpacaBar(
        [property: JsonPropertyName("t")] DateTimeOffset T,
        [property: JsonPropertyName("o")] double O,
        [property: JsonPropertyName("h")] double H,
        [property: JsonPropertyName("l")] double L,
        [property: JsonPropertyName("c")] double C,
        [property: JsonPropertyName("v")] double V,
        [property: JsonPropertyName("n")] long? N,
        [property: JsonPropertyName("vw")] double? Vw);

    private sealed record LatestTrade(
        [property: JsonPropertyName("symbol")] string? Symbol,
        [property: JsonPropertyName("trade")] TradeBody? Trade);

    private sealed record TradeBody(
        [property: JsonPropertyName("t")] DateTimeOffset T,
        [property: JsonPropertyName("p")] double P);

    private sealed record Asset(
        [property: JsonPropertyName("symbol")] string? Symbol,
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("exchange")] string? Exchange,
        [property: JsonPropertyName("tradable")] bool Tradable);
}

/// <summary>The Trading API's asset list, fetched at most once per AssetCacheMinutes (it is thousands of entries).</summary>
public sealed class AlpacaAssetCache(IOptions<AlpacaOptions> options, TimeProvider clock)
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<SymbolInfo>? _assets;
    private DateTimeOffset _fetchedAt;

    public async Task<IReadOnlyList<SymbolInfo>> GetAsync(Func<CancellationToken, Task<IReadOnlyList<SymbolInfo>>> fetch, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_assets is null || clock.GetUtcNow() - _fetchedAt > TimeSpan.FromMinutes(options.Value.AssetCacheMinutes))
            {
                _assets = await fetch(ct);
                _fetchedAt = clock.GetUtcNow();
            }
            return _assets;
        }
        finally
        {
            _gate.Release();
        }
    }
}
