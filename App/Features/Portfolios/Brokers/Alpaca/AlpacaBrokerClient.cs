using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Signalbook.Features.Portfolios.Brokers.Alpaca;

/// <summary>
/// Alpaca's Trading API v2 for one key pair (facts from docs.alpaca.markets: "Orders", "Positions", "Account",
/// "Account Activities", "Placing Orders"). Endpoints: <c>POST /v2/orders</c>, <c>GET|DELETE /v2/orders/{id}</c>,
/// <c>GET /v2/orders:by_client_order_id</c>, <c>GET /v2/orders?status=&amp;after=&amp;direction=&amp;limit=</c> (after
/// filters by submission time, exclusive; limit at most 500), <c>GET /v2/positions</c>, <c>GET /v2/account</c> and
/// <c>GET /v2/account/activities/FILL</c> (page_token is the id of the last activity of the previous page, page_size at
/// most 100). Authentication: the <c>APCA-API-KEY-ID</c> / <c>APCA-API-SECRET-KEY</c> headers. Errors come as
/// <c>{"code", "message"}</c>; a submit answers 403 when buying power (or shares) is insufficient and 422 when the order
/// is invalid; both become rejections, not exceptions.
/// Robustness: requests are paced per key id; a 429 waits for Retry-After (seconds or a date) or X-RateLimit-Reset (Unix
/// seconds) and retries up to MaxRateLimitRetries; reads back off and retry 5xx, timeouts and connection failures up to
/// MaxRetries. A submit is never blindly repeated: after a lost answer it looks the order up by its client order id and
/// only sends again when Alpaca has none (a duplicate client_order_id is refused by Alpaca anyway, and answered here with
/// the existing order).
/// </summary>
public sealed class AlpacaBrokerClient : IBrokerClient
{
    /// <summary>The IHttpClientFactory client name (handlers and lifetimes managed by the factory; timeouts are ours).</summary>
    public const string HttpClientName = "Signalbook.Brokers.Alpaca";

    private const int OrdersPageLimit = 500;
    private const int MaxPages = 10_000;

    private readonly HttpClient _http;
    private readonly BrokerCredentials _credentials;
    private readonly AlpacaTradingOptions _options;
    private readonly AlpacaTradingRateLimiter _limiter;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string _baseUrl;

    public AlpacaBrokerClient(HttpClient http, BrokerCredentials credentials, IOptions<AlpacaTradingOptions> options, AlpacaTradingRateLimiter limiter,
        TimeProvider clock, ILogger<AlpacaBrokerClient> logger)
    {
        if (credentials.Plugin != BrokerPlugins.Alpaca)
            throw new ArgumentException($"Credential {credentials.Id} is for '{credentials.Plugin}', not alpaca.", nameof(credentials));
        _http = http;
        _credentials = credentials;
        _options = options.Value;
        _limiter = limiter;
        _clock = clock;
        _logger = logger;
        _baseUrl = _options.BaseUrlFor(credentials.Environment).TrimEnd('/');
    }

    public string Plugin => BrokerPlugins.Alpaca;

    public string Environment => _credentials.Environment;

    private string Timeout => _options.RequestTimeoutSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    public async Task<BrokerOrderAck> SubmitOrderAsync(BrokerOrderRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (AlpacaOrderRules.Validate(request) is { } problem)
            return BrokerOrderAck.Rejected(request.ClientOrderId, problem, BrokerRejectSource.Local);

        var json = JsonSerializer.Serialize(Body(request), AlpacaJson.Options);
        var what = $"placing order {request.ClientOrderId} ({TradingNames.ToDb(request.Side)} {Num(request.Quantity)} {request.Symbol})";
        for (var attempt = 0; ; attempt++)
        {
            string lost;
            var kind = BrokerErrorKind.ServerError;
            BrokerException? inner = null;
            try
            {
                var answer = await SendAsync(HttpMethod.Post, "/v2/orders", json, what, retryUnanswered: false, ct);
                if (answer.Status is 200 or 201) return Ack(MapOrder(Parse<AlpacaOrder>(answer, what)), recovered: false);
                if (answer.Status is 403 or 422)
                {
                    var (code, message) = ParseError(answer.Body);
                    // Alpaca refuses a client_order_id it already holds: the order was placed before (an earlier call whose
                    // answer was lost, or a restart); answer with that order rather than a rejection.
                    if (answer.Status == 422 && message?.Contains("client_order_id", StringComparison.OrdinalIgnoreCase) == true
                        && await FindOrderByClientOrderIdAsync(request.ClientOrderId, ct) is { } existing)
                    {
                        return Ack(existing, recovered: true);
                    }
                    return BrokerOrderAck.Rejected(request.ClientOrderId, $"Alpaca rejected the order: {Describe(answer.Status, code, message)}.",
                        BrokerRejectSource.Broker, answer.Status, code);
                }
                if (answer.Status < 500) throw Failure(answer, what);
                lost = $"Alpaca answered HTTP {answer.Status} {ErrorText(answer.Body)}".TrimEnd();
            }
            catch (BrokerException e) when (e.Kind is BrokerErrorKind.Timeout or BrokerErrorKind.Network)
            {
                lost = e.Message;
                kind = e.Kind;
                inner = e;
            }

            // The answer was lost: the order may or may not be at Alpaca. Look it up before anything is sent again.
            _logger.LogWarning("Alpaca submit of {ClientOrderId} unanswered ({Why}); looking it up by client order id", request.ClientOrderId, lost);
            if (await FindOrderByClientOrderIdAsync(request.ClientOrderId, ct) is { } found) return Ack(found, recovered: true);
            if (attempt >= _options.MaxRetries)
            {
                throw new BrokerException(kind,
                    $"{lost.TrimEnd('.')}; tried {attempt + 1} time(s). Alpaca has no order with client order id {request.ClientOrderId} so far, "
                    + "so nothing was placed; submitting again with the same client order id can never place it twice.", inner: inner);
            }
            await BackoffAsync(attempt, what, lost, ct);
        }
    }

    public async Task<BrokerCancelResult> CancelOrderAsync(string brokerOrderId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(brokerOrderId);
        var what = $"cancelling order {brokerOrderId}";
        var answer = await SendAsync(HttpMethod.Delete, $"/v2/orders/{Uri.EscapeDataString(brokerOrderId)}", null, what, retryUnanswered: true, ct);
        // DELETE answers 204 once Alpaca has taken the request; the order then moves to pending_cancel / canceled.
        if (answer.Status is 200 or 204) return new BrokerCancelResult(brokerOrderId, true, null, answer.Status);
        var (code, message) = ParseError(answer.Body);
        return answer.Status switch
        {
            404 => new BrokerCancelResult(brokerOrderId, false, $"Alpaca has no order {brokerOrderId}: {Describe(404, code, message)}.", 404),
            422 => new BrokerCancelResult(brokerOrderId, false, $"Alpaca cannot cancel order {brokerOrderId} (already filled, cancelled or expired?): {Describe(422, code, message)}.", 422),
            _ => throw Failure(answer, what),
        };
    }

    public async Task<BrokerOrderUpdate> GetOrderAsync(string brokerOrderId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(brokerOrderId);
        var what = $"reading order {brokerOrderId}";
        var answer = await SendAsync(HttpMethod.Get, $"/v2/orders/{Uri.EscapeDataString(brokerOrderId)}?nested=true", null, what, retryUnanswered: true, ct);
        if (answer.Status != 200) throw Failure(answer, what);
        return MapOrder(Parse<AlpacaOrder>(answer, what));
    }

    public async Task<BrokerOrderUpdate?> FindOrderByClientOrderIdAsync(string clientOrderId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientOrderId);
        var what = $"looking up client order id {clientOrderId}";
        var answer = await SendAsync(HttpMethod.Get, $"/v2/orders:by_client_order_id?client_order_id={Uri.EscapeDataString(clientOrderId)}", null, what,
            retryUnanswered: true, ct);
        if (answer.Status == 404) return null;
        if (answer.Status != 200) throw Failure(answer, what);
        return MapOrder(Parse<AlpacaOrder>(answer, what));
    }

    public async Task<IReadOnlyList<BrokerOrderUpdate>> GetOrderUpdatesSinceAsync(DateTimeOffset since, CancellationToken ct = default)
    {
        var byId = new Dictionary<string, BrokerOrderUpdate>(StringComparer.Ordinal);
        foreach (var o in await ListOrdersAsync("all", since, ct)) byId[o.BrokerOrderId] = o;
        foreach (var o in await ListOrdersAsync("open", null, ct)) byId[o.BrokerOrderId] = o;
        return byId.Values.OrderBy(o => o.SubmittedAt ?? o.CreatedAt).ThenBy(o => o.BrokerOrderId, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<BrokerFill>> GetFillsSinceAsync(DateTimeOffset since, int pageSize = 100, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, 100); // Alpaca's maximum page size
        var fills = new List<BrokerFill>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? pageToken = null;
        for (var page = 0; ; page++)
        {
            if (page >= MaxPages) throw new BrokerException(BrokerErrorKind.InvalidResponse, $"Alpaca: fills since {Rfc3339(since)} did not end after {page} pages; stopped.");
            var what = $"reading fills since {Rfc3339(since)}" + (pageToken is null ? "" : $" (page {page + 1})");
            var url = $"/v2/account/activities/FILL?after={Uri.EscapeDataString(Rfc3339(since))}&direction=asc&page_size={pageSize}"
                      + (pageToken is null ? "" : $"&page_token={Uri.EscapeDataString(pageToken)}");
            var answer = await SendAsync(HttpMethod.Get, url, null, what, retryUnanswered: true, ct);
            if (answer.Status != 200) throw Failure(answer, what);
            var items = Parse<List<AlpacaFillActivity>>(answer, what);
            var added = 0;
            foreach (var a in items)
            {
                if (!seen.Add(a.Id)) continue;
                added++;
                fills.Add(new BrokerFill(a.Id, a.OrderId ?? "", a.Symbol ?? "", ParseSide(a.Side, what), a.Qty, a.Price, a.TransactionTime.ToUniversalTime(),
                    string.Equals(a.Type, "partial_fill", StringComparison.OrdinalIgnoreCase), a.CumQty, a.LeavesQty));
            }
            // A short page is the last one; a page with nothing new means the token did not move (never loop on it).
            if (items.Count < pageSize || added == 0) break;
            pageToken = items[^1].Id;
        }
        return fills;
    }

    public async Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken ct = default)
    {
        const string what = "reading positions";
        var answer = await SendAsync(HttpMethod.Get, "/v2/positions", null, what, retryUnanswered: true, ct);
        if (answer.Status != 200) throw Failure(answer, what);
        return Parse<List<AlpacaPosition>>(answer, what)
            .Select(p => new BrokerPosition(p.Symbol,
                string.Equals(p.Side, "short", StringComparison.OrdinalIgnoreCase) ? -Math.Abs(p.Qty) : p.Qty,
                p.AvgEntryPrice, p.CurrentPrice, p.MarketValue, p.CostBasis, p.UnrealizedPl, p.AssetClass ?? "us_equity"))
            .ToList();
    }

    public async Task<BrokerAccount> GetAccountAsync(CancellationToken ct = default)
    {
        const string what = "reading the account";
        var answer = await SendAsync(HttpMethod.Get, "/v2/account", null, what, retryUnanswered: true, ct);
        if (answer.Status != 200) throw Failure(answer, what);
        var a = Parse<AlpacaAccount>(answer, what);
        return new BrokerAccount(a.AccountNumber ?? "", a.Status ?? "", a.Currency ?? "USD", a.Cash, a.BuyingPower, a.Equity, a.PatternDayTrader,
            a.TradingBlocked, a.AccountBlocked);
    }

    /// <summary>Orders by submission time, oldest first, every page (a page is at most 500; the next starts after the last one's submission).</summary>
    private async Task<List<BrokerOrderUpdate>> ListOrdersAsync(string status, DateTimeOffset? after, CancellationToken ct)
    {
        var result = new List<BrokerOrderUpdate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var cursor = after;
        for (var page = 0; ; page++)
        {
            if (page >= MaxPages) throw new BrokerException(BrokerErrorKind.InvalidResponse, $"Alpaca: the {status} order list did not end after {page} pages; stopped.");
            var what = $"listing {status} orders" + (cursor is { } c ? $" after {Rfc3339(c)}" : "");
            var url = $"/v2/orders?status={status}&direction=asc&limit={OrdersPageLimit}&nested=true"
                      + (cursor is { } at ? $"&after={Uri.EscapeDataString(Rfc3339(at))}" : "");
            var answer = await SendAsync(HttpMethod.Get, url, null, what, retryUnanswered: true, ct);
            if (answer.Status != 200) throw Failure(answer, what);
            var items = Parse<List<AlpacaOrder>>(answer, what);
            var added = 0;
            foreach (var o in items)
            {
                if (!seen.Add(o.Id)) continue;
                added++;
                result.Add(MapOrder(o));
            }
            if (items.Count < OrdersPageLimit || added == 0) break;
            // `after` is exclusive: start a microsecond before the last one so orders sharing its instant are not lost (duplicates are skipped).
            var last = items[^1].SubmittedAt ?? items[^1].CreatedAt;
            if (last is null) break;
            cursor = last.Value.AddTicks(-10);
        }
        return result;
    }

    private sealed record Answer(int Status, string Body);

    /// <summary>
    /// One request with pacing, the per-request timeout and the 429 policy. With <paramref name="retryUnanswered"/> (reads,
    /// cancels) 5xx, timeouts and connection failures are retried with backoff; without it (a submit) they come back at
    /// once (5xx as the answer, the others as <see cref="BrokerException"/>) so the caller can look before repeating.
    /// </summary>
    private async Task<Answer> SendAsync(HttpMethod method, string pathAndQuery, string? json, string what, bool retryUnanswered, CancellationToken ct)
    {
        var rateLimited = 0;
        var failures = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            await _limiter.WaitAsync(_credentials.KeyId, ct);
            using var request = new HttpRequestMessage(method, _baseUrl + pathAndQuery);
            request.Headers.Add("APCA-API-KEY-ID", _credentials.KeyId);
            request.Headers.Add("APCA-API-SECRET-KEY", _credentials.Secret);
            request.Headers.Accept.ParseAdd("application/json");
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout);
            HttpResponseMessage response;
            string body;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                try
                {
                    body = await response.Content.ReadAsStringAsync(timeout.Token);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ex is OperationCanceledException or HttpRequestException)
            {
                var (kind, why) = ex is OperationCanceledException
                    ? (BrokerErrorKind.Timeout, $"Alpaca did not answer within {Timeout} s")
                    : (BrokerErrorKind.Network, $"Could not reach Alpaca ({ex.Message})");
                if (!retryUnanswered) throw new BrokerException(kind, $"{why} when {what}.", inner: ex);
                if (failures >= _options.MaxRetries)
                    throw new BrokerException(kind, $"{why} when {what}, on all {failures + 1} attempt(s).", inner: ex);
                await BackoffAsync(failures++, what, why, ct);
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var wait = RateLimitWait(response);
                    var (code, message) = ParseError(body);
                    if (rateLimited >= _options.MaxRateLimitRetries)
                    {
                        throw new BrokerException(BrokerErrorKind.RateLimited,
                            $"Alpaca's rate limit (HTTP 429) was still in force after {rateLimited + 1} attempt(s) when {what}; try again in a minute.",
                            status, code, message);
                    }
                    if (wait > TimeSpan.FromSeconds(_options.MaxRateLimitWaitSeconds))
                    {
                        throw new BrokerException(BrokerErrorKind.RateLimited,
                            $"Alpaca's rate limit (HTTP 429) asks to wait {wait.TotalSeconds:0.#} s when {what}, longer than the {_options.MaxRateLimitWaitSeconds} s allowed; try again later.",
                            status, code, message);
                    }
                    rateLimited++;
                    _logger.LogWarning("Alpaca rate limit when {What}: waiting {Wait} before retry {Attempt}", what, wait, rateLimited);
                    _limiter.Defer(_credentials.KeyId, _clock.GetUtcNow() + wait);
                    continue;
                }
                if (status >= 500 && retryUnanswered)
                {
                    if (failures >= _options.MaxRetries)
                    {
                        var (code, message) = ParseError(body);
                        throw new BrokerException(BrokerErrorKind.ServerError,
                            $"Alpaca answered HTTP {status} when {what}, on all {failures + 1} attempt(s). {ErrorText(body)}".TrimEnd(), status, code, message);
                    }
                    await BackoffAsync(failures++, what, $"HTTP {status}", ct);
                    continue;
                }
                return new Answer(status, body);
            }
        }
    }

    private async Task BackoffAsync(int attempt, string what, string why, CancellationToken ct)
    {
        var baseMs = _options.BaseBackoffMilliseconds * Math.Pow(2, attempt);
        var wait = TimeSpan.FromMilliseconds(baseMs * (1 + 0.5 * Random.Shared.NextDouble()));
        _logger.LogWarning("Alpaca {Why} when {What}: retry {Attempt} in {Wait}", why, what, attempt + 1, wait);
        await Task.Delay(wait, _clock, ct);
    }

    /// <summary>How long a 429 asks us to wait: Retry-After (seconds or a date), else X-RateLimit-Reset (Unix seconds), else one backoff step.</summary>
    private TimeSpan RateLimitWait(HttpResponseMessage response)
    {
        var now = _clock.GetUtcNow();
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
        return TimeSpan.FromMilliseconds(_options.BaseBackoffMilliseconds);
    }

    private BrokerException Failure(Answer answer, string what)
    {
        var (code, message) = ParseError(answer.Body);
        var described = Describe(answer.Status, code, message);
        return answer.Status switch
        {
            401 or 403 => new BrokerException(BrokerErrorKind.Unauthorized,
                $"Alpaca refused the keys when {what}: {described}. Check that the key pair is current and meant for the {Environment} endpoint "
                + "(paper keys do not work on live, nor the other way round).", answer.Status, code, message),
            404 => new BrokerException(BrokerErrorKind.NotFound, $"Alpaca found nothing when {what}: {described}.", answer.Status, code, message),
            >= 500 => new BrokerException(BrokerErrorKind.ServerError, $"Alpaca failed when {what}: {described}.", answer.Status, code, message),
            _ => new BrokerException(BrokerErrorKind.Refused, $"Alpaca refused {what}: {described}.", answer.Status, code, message),
        };
    }

    /// <summary>"insufficient buying power (HTTP 403, Alpaca code 40310000)".</summary>
    private static string Describe(int status, long? code, string? message)
    {
        var detail = code is { } c ? $"HTTP {status}, Alpaca code {c}" : $"HTTP {status}";
        return string.IsNullOrWhiteSpace(message) ? detail : $"{message.Trim().TrimEnd('.')} ({detail})";
    }

    private static (long? Code, string? Message) ParseError(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return (null, null);
        try
        {
            var e = JsonSerializer.Deserialize<AlpacaError>(body, AlpacaJson.Options);
            return (e?.Code, e?.Message ?? Snippet(body));
        }
        catch (JsonException)
        {
            return (null, Snippet(body));
        }
    }

    private static string ErrorText(string body) => string.IsNullOrWhiteSpace(body) ? "" : $"Server said: {Snippet(body)}";

    private static string Snippet(string body) => body.Length <= 200 ? body : body[..200] + "…";

    private static T Parse<T>(Answer answer, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(answer.Body, AlpacaJson.Options) ?? throw new JsonException("the body is JSON null");
        }
        catch (JsonException ex)
        {
            throw new BrokerException(BrokerErrorKind.InvalidResponse,
                $"Alpaca's answer when {what} is not the documented JSON ({ex.Message}); body starts \"{Snippet(answer.Body)}\".", answer.Status, inner: ex);
        }
    }

    private BrokerOrderAck Ack(BrokerOrderUpdate order, bool recovered) => order.Status == OrderStatus.Rejected
        ? new BrokerOrderAck(order.ClientOrderId, order.BrokerOrderId, OrderStatus.Rejected, $"Alpaca rejected order {order.BrokerOrderId} (status {order.BrokerStatus}).",
            BrokerRejectSource.Broker, null, null, order, recovered)
        : BrokerOrderAck.For(order, recovered);

    internal static AlpacaOrderBody Body(BrokerOrderRequest r)
    {
        var orderClass = r.OrderClass switch
        {
            BrokerOrderClass.Bracket => "bracket",
            BrokerOrderClass.Oco => "oco",
            _ => null,
        };
        return new AlpacaOrderBody(
            r.Symbol.Trim().ToUpperInvariant(),
            Num(r.Quantity),
            r.Side == OrderSide.Buy ? "buy" : "sell",
            AlpacaOrderRules.AlpacaType(r.Type)!,
            r.TimeInForce == TimeInForce.Gtc ? "gtc" : "day",
            r.ClientOrderId,
            r.LimitPrice is { } l ? Num(l) : null,
            r.StopPrice is { } s ? Num(s) : null,
            orderClass,
            orderClass is null ? null : new AlpacaTakeProfit(Num(r.TakeProfitLimitPrice!.Value)),
            orderClass is null ? null : new AlpacaStopLoss(Num(r.StopLossStopPrice!.Value), r.StopLossLimitPrice is { } sl ? Num(sl) : null));
    }

    internal static BrokerOrderUpdate MapOrder(AlpacaOrder o)
    {
        var what = $"order {o.Id}";
        var filled = o.FilledQty ?? 0;
        var brokerStatus = o.Status ?? "";
        return new BrokerOrderUpdate(
            o.Id,
            o.ClientOrderId ?? "",
            o.Symbol ?? "",
            ParseSide(o.Side, what),
            o.Type switch
            {
                "market" => OrderType.Market,
                "limit" => OrderType.Limit,
                "stop" => OrderType.StopLoss,
                "stop_limit" => OrderType.StopLimit,
                _ => null,
            },
            o.Type ?? "",
            o.TimeInForce switch
            {
                "day" => TimeInForce.Day,
                "gtc" => TimeInForce.Gtc,
                _ => null,
            },
            MapStatus(brokerStatus, filled, o.Qty),
            brokerStatus,
            o.Qty,
            filled,
            o.FilledAvgPrice,
            o.LimitPrice,
            o.StopPrice,
            string.IsNullOrEmpty(o.OrderClass) ? "simple" : o.OrderClass,
            o.CreatedAt?.ToUniversalTime(),
            o.SubmittedAt?.ToUniversalTime(),
            o.UpdatedAt?.ToUniversalTime(),
            o.FilledAt?.ToUniversalTime(),
            o.CanceledAt?.ToUniversalTime(),
            o.ExpiredAt?.ToUniversalTime(),
            o.FailedAt?.ToUniversalTime(),
            (o.Legs ?? []).Select(MapOrder).ToList());
    }

    /// <summary>
    /// Alpaca's order statuses ("Orders at Alpaca", Order Lifecycle) onto ours: working states are open (partially
    /// filled once something filled), held (a bracket leg waiting for its entry) is pending, canceled / expired /
    /// replaced end as cancelled, calculated (done for the day, settlement pending) is filled when all filled.
    /// </summary>
    internal static OrderStatus MapStatus(string status, decimal filled, decimal? quantity) => status switch
    {
        "filled" => OrderStatus.Filled,
        "partially_filled" => OrderStatus.PartiallyFilled,
        "canceled" or "expired" or "replaced" => OrderStatus.Cancelled,
        "rejected" => OrderStatus.Rejected,
        "held" => OrderStatus.Pending,
        "calculated" when quantity is { } q && filled >= q => OrderStatus.Filled,
        _ => filled > 0 ? OrderStatus.PartiallyFilled : OrderStatus.Open, // new, accepted, pending_new, done_for_day, pending_cancel, …
    };

    private static OrderSide ParseSide(string? side, string what) => side switch
    {
        "buy" => OrderSide.Buy,
        "sell" or "sell_short" => OrderSide.Sell,
        _ => throw new BrokerException(BrokerErrorKind.InvalidResponse, $"Alpaca's {what} has side '{side}', expected buy or sell."),
    };

    private static string Num(decimal d) => d.ToString("0.#########", CultureInfo.InvariantCulture);

    private static string Rfc3339(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
