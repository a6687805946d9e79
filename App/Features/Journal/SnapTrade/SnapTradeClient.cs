using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>
/// The SnapTrade API (docs.snaptrade.com API reference; the official SDKs in passiv/snaptrade-sdks). Every request
/// carries <c>clientId</c> and <c>timestamp</c> (Unix seconds) in the query, user-scoped ones also <c>userId</c> and
/// <c>userSecret</c>, and the <c>Signature</c> header (<see cref="SnapTradeSignature"/>). Endpoints used:
/// <c>POST /snapTrade/registerUser</c> (body <c>{"userId"}</c> → <c>{"userId","userSecret"}</c>),
/// <c>DELETE /snapTrade/deleteUser?userId=</c>, <c>POST /snapTrade/login</c> (→ <c>{"redirectURI"}</c>),
/// <c>GET /authorizations</c>, <c>POST /authorizations/{id}/refresh</c>, <c>DELETE /authorizations/{id}</c>,
/// <c>GET /accounts</c> and <c>GET /accounts/{id}/activities?startDate=&amp;endDate=&amp;offset=&amp;limit=</c>
/// (→ <c>{"data": [...], "pagination": {"offset","limit","total"}}</c>, newest first, at most 1000 a page).
/// Errors come as <c>{"detail", "status_code", "code"}</c>.
/// <para>
/// Robustness: a 429 waits for Retry-After (seconds or a date; without one, the backoff) up to MaxRateLimitRetries and
/// fails at once when asked to wait longer than MaxRetryAfterSeconds; 5xx, timeouts and connection failures back off
/// (doubling, small jitter) up to MaxServerErrorRetries. Every retry is signed afresh (new timestamp). Waits go through
/// the <see cref="TimeProvider"/>, so tests do not sleep.
/// </para>
/// <para>
/// An expired or disabled brokerage authorisation becomes <see cref="SnapTradeAuthorizationExpiredException"/> naming
/// the connection when a connection-scoped call (refresh, delete, activities of one of its accounts) answers HTTP 403,
/// or any status with SnapTrade error code 3003 or a message saying the connection is disabled; and
/// <see cref="ThrowIfDisabled"/> turns the documented <c>disabled: true</c> flag of a listed connection
/// (docs.snaptrade.com/docs/fix-broken-connections: "When disabled == true, the connection is disabled and the user
/// must take an action to fix it") into the same exception before a sync reads it. A 401 is not that: SnapTrade
/// answers 401 for a bad signature, client id or user secret, which is our configuration.
/// </para>
/// </summary>
public sealed class SnapTradeClient(HttpClient http, IOptions<SnapTradeOptions> options, TimeProvider clock, ILogger<SnapTradeClient> logger)
{
    /// <summary>SnapTrade's code for "connection disabled" (seen in its error bodies; the docs list no table of codes).</summary>
    public const string ConnectionDisabledCode = "3003";

    private const string ApiPrefix = "/api/v1";
    private readonly SnapTradeOptions _options = options.Value;

    /// <summary>A connection the call is about: an error that means "reconnect" names it.</summary>
    private sealed record ConnectionScope(string AuthorizationId, string? BrokerageName);

    private readonly record struct Answer(int Status, string Body);

    // ---- users ------------------------------------------------------------------------------------------------------

    /// <summary>Registers <paramref name="userId"/> (our stable id for the user) and returns the secret SnapTrade issues once.</summary>
    public async Task<SnapTradeUser> RegisterUserAsync(string userId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["userId"] = userId });
        var answer = await SendAsync(HttpMethod.Post, "/snapTrade/registerUser", [], body, user: null, $"registering SnapTrade user {userId}", null, ct);
        return Read(answer, "POST /api/v1/snapTrade/registerUser", root =>
            new SnapTradeUser(Str(root, "userId") ?? userId, Str(root, "userSecret") ?? throw new FormatException("no userSecret")));
    }

    /// <summary>Deletes the SnapTrade user and with it every connection (SnapTrade deletes asynchronously).</summary>
    public async Task DeleteUserAsync(string userId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userId);
        await SendAsync(HttpMethod.Delete, "/snapTrade/deleteUser", [new("userId", userId)], null, user: null, $"deleting SnapTrade user {userId}", null, ct);
    }

    // ---- connections ------------------------------------------------------------------------------------------------

    /// <summary>The connection portal link to open for the user (a new connection, or a repair with <see cref="SnapTradeLoginOptions.Reconnect"/>).</summary>
    public async Task<Uri> GetConnectionPortalUrlAsync(SnapTradeUser user, SnapTradeLoginOptions? login = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        login ??= new SnapTradeLoginOptions();
        var fields = new Dictionary<string, object> { ["connectionType"] = login.ConnectionType };
        if (login.Broker is { } broker) fields["broker"] = broker;
        if (login.CustomRedirect is { } redirect) fields["customRedirect"] = redirect;
        if (login.Reconnect is { } reconnect) fields["reconnect"] = reconnect;
        if (login.ImmediateRedirect is { } immediate) fields["immediateRedirect"] = immediate;
        var what = login.Reconnect is null ? $"opening the connection portal for {user.UserId}" : $"opening the portal to reconnect connection {login.Reconnect}";
        var answer = await SendAsync(HttpMethod.Post, "/snapTrade/login", [], JsonSerializer.Serialize(fields), user, what, null, ct);
        return Read(answer, "POST /api/v1/snapTrade/login", root =>
            new Uri(Str(root, "redirectURI") ?? throw new FormatException("no redirectURI"), UriKind.Absolute));
    }

    public async Task<IReadOnlyList<SnapTradeConnection>> ListConnectionsAsync(SnapTradeUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var answer = await SendAsync(HttpMethod.Get, "/authorizations", [], null, user, $"listing the connections of {user.UserId}", null, ct);
        return Read(answer, "GET /api/v1/authorizations", root => root.EnumerateArray().Select(MapConnection).ToList());
    }

    /// <summary>Asks SnapTrade to re-sync the connection's holdings and recent transactions (queued; billed per call by SnapTrade).</summary>
    public async Task RefreshConnectionAsync(SnapTradeUser user, string authorizationId, string? brokerageName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(authorizationId);
        await SendAsync(HttpMethod.Post, $"/authorizations/{Uri.EscapeDataString(authorizationId)}/refresh", [], null, user,
            $"refreshing connection {Describe(authorizationId, brokerageName)}", new ConnectionScope(authorizationId, brokerageName), ct);
    }

    /// <summary>Deletes the connection and its accounts at SnapTrade (irreversible).</summary>
    public async Task DeleteConnectionAsync(SnapTradeUser user, string authorizationId, string? brokerageName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(authorizationId);
        await SendAsync(HttpMethod.Delete, $"/authorizations/{Uri.EscapeDataString(authorizationId)}", [], null, user,
            $"deleting connection {Describe(authorizationId, brokerageName)}", new ConnectionScope(authorizationId, brokerageName), ct);
    }

    /// <summary>Throws <see cref="SnapTradeAuthorizationExpiredException"/> when SnapTrade marks the connection disabled.</summary>
    public static void ThrowIfDisabled(SnapTradeConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!connection.Disabled) return;
        var since = connection.DisabledAt is { } at ? string.Create(CultureInfo.InvariantCulture, $" since {at.UtcDateTime:yyyy-MM-dd HH:mm} UTC") : "";
        throw new SnapTradeAuthorizationExpiredException(connection.Id, connection.BrokerageName,
            $"The {connection.BrokerageName} connection {connection.Id} is disabled at SnapTrade{since}: its brokerage login expired or was revoked. Reconnect it.",
            "GET /api/v1/authorizations");
    }

    // ---- accounts and activities ------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<SnapTradeAccount>> ListAccountsAsync(SnapTradeUser user, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var answer = await SendAsync(HttpMethod.Get, "/accounts", [], null, user, $"listing the accounts of {user.UserId}", null, ct);
        return Read(answer, "GET /api/v1/accounts", root => root.EnumerateArray().Select(a => new SnapTradeAccount(
            Str(a, "id") ?? throw new FormatException("an account without id"),
            Str(a, "brokerage_authorization") ?? "",
            Str(a, "name"), Str(a, "number"), Str(a, "institution_name"), a.GetRawText())).ToList());
    }

    /// <summary>
    /// Every activity of the account between the dates (inclusive; null = from the first / to the last SnapTrade knows),
    /// reading page after page (offset += page size) until a short or empty page or the reported total; duplicates
    /// across pages (data that moved while paging) are dropped by id. Newest first, as SnapTrade sends them.
    /// </summary>
    public async Task<IReadOnlyList<SnapTradeActivity>> GetActivitiesAsync(SnapTradeUser user, SnapTradeAccount account, DateOnly? startDate,
        DateOnly? endDate = null, string? brokerageName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(account);
        var scope = string.IsNullOrEmpty(account.AuthorizationId) ? null : new ConnectionScope(account.AuthorizationId, brokerageName ?? account.InstitutionName);
        var path = $"/accounts/{Uri.EscapeDataString(account.Id)}/activities";
        var endpoint = "GET " + ApiPrefix + path;
        var limit = _options.ActivitiesPageSize;
        var all = new List<SnapTradeActivity>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var offset = 0;
        for (var page = 0; ; page++)
        {
            if (page >= _options.MaxActivityPages)
                throw new SnapTradeException(SnapTradeErrorKind.InvalidResponse,
                    $"SnapTrade kept sending activities of account {account.Id} after {page} pages of {limit}; stopped ({endpoint}).", endpoint);
            var query = new List<KeyValuePair<string, string>>();
            if (startDate is { } s) query.Add(new("startDate", s.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            if (endDate is { } e) query.Add(new("endDate", e.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
            query.Add(new("offset", offset.ToString(CultureInfo.InvariantCulture)));
            query.Add(new("limit", limit.ToString(CultureInfo.InvariantCulture)));
            var answer = await SendAsync(HttpMethod.Get, path, query, null, user, $"reading activities of account {account.Id} (offset {offset})", scope, ct);
            var (items, total) = Read(answer, endpoint, root =>
            {
                // The paginated shape; an older API version answered a bare array (one page).
                if (root.ValueKind == JsonValueKind.Array) return (root.EnumerateArray().Select(ParseActivity).ToList(), (int?)null);
                var data = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array ? d.EnumerateArray().Select(ParseActivity).ToList() : [];
                int? t = root.TryGetProperty("pagination", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("total", out var tt) && tt.ValueKind == JsonValueKind.Number
                    ? tt.GetInt32() : null;
                return (data, t);
            });
            foreach (var a in items.Where(a => seen.Add(a.Id))) all.Add(a);
            offset += items.Count;
            if (answer.Body.TrimStart().StartsWith('[') || items.Count == 0 || items.Count < limit || (total is { } n && offset >= n)) break;
        }
        return all;
    }

    // ---- transport --------------------------------------------------------------------------------------------------

    private async Task<Answer> SendAsync(HttpMethod method, string path, IReadOnlyList<KeyValuePair<string, string>> parameters, string? bodyJson,
        SnapTradeUser? user, string what, ConnectionScope? scope, CancellationToken ct)
    {
        var endpoint = $"{method.Method} {ApiPrefix}{path}";
        if (!_options.IsConfigured)
            throw new SnapTradeException(SnapTradeErrorKind.NotConfigured,
                $"SnapTrade is not configured (SnapTrade:ClientId and SnapTrade:ConsumerKey) when {what} ({endpoint}).", endpoint);

        var rateLimited = 0;
        var failed = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var query = BuildQuery(user, parameters);
            var fullPath = ApiPrefix + path;
            using var request = new HttpRequestMessage(method, _options.BaseUrl.TrimEnd('/') + fullPath + "?" + query);
            request.Headers.TryAddWithoutValidation("Signature", SnapTradeSignature.Compute(_options.ConsumerKey!, fullPath, query, bodyJson));
            request.Headers.Accept.ParseAdd("application/json");
            if (bodyJson is not null) request.Content = new StringContent(bodyJson, Encoding.UTF8, "application/json");

            string? lostReason = null;
            HttpResponseMessage? response = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout); // real time on purpose: the TimeProvider may be a test's instant clock
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                lostReason = $"no answer within {_options.RequestTimeoutSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
            }
            catch (HttpRequestException e)
            {
                lostReason = $"connection failed ({e.Message})";
            }

            if (response is null)
            {
                if (failed++ < _options.MaxServerErrorRetries)
                {
                    await WaitAsync(Backoff(failed), what, lostReason!, ct);
                    continue;
                }
                throw new SnapTradeException(SnapTradeErrorKind.ServerError,
                    $"SnapTrade did not answer when {what} ({endpoint}): {lostReason}, on all {failed} attempt(s).", endpoint);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsStringAsync(ct);
                if (status is >= 200 and < 300) return new Answer(status, body);

                var (code, message) = ParseError(body);
                var said = message is null ? "" : $": {message.TrimEnd('.')}";
                var codeText = code is null ? "" : $", SnapTrade code {code}";

                if (status == (int)HttpStatusCode.TooManyRequests)
                {
                    var wait = RetryAfter(response) ?? Backoff(rateLimited + 1);
                    if (wait > TimeSpan.FromSeconds(_options.MaxRetryAfterSeconds))
                        throw new SnapTradeException(SnapTradeErrorKind.RateLimited,
                            $"SnapTrade's rate limit (HTTP 429) asks to wait {wait.TotalSeconds:0} s when {what} ({endpoint}), longer than the {_options.MaxRetryAfterSeconds} s allowed; try again later.",
                            endpoint, status, code, message);
                    if (rateLimited++ < _options.MaxRateLimitRetries)
                    {
                        await WaitAsync(wait, what, "HTTP 429", ct);
                        continue;
                    }
                    throw new SnapTradeException(SnapTradeErrorKind.RateLimited,
                        $"SnapTrade's rate limit (HTTP 429) was still in force after {rateLimited} attempt(s) when {what} ({endpoint}){said}; try again in a minute.",
                        endpoint, status, code, message);
                }

                if (status >= 500)
                {
                    if (failed++ < _options.MaxServerErrorRetries)
                    {
                        await WaitAsync(Backoff(failed), what, $"HTTP {status}", ct);
                        continue;
                    }
                    throw new SnapTradeException(SnapTradeErrorKind.ServerError,
                        $"SnapTrade answered HTTP {status} when {what} ({endpoint}), on all {failed} attempt(s){codeText}{said}.", endpoint, status, code, message);
                }

                if (scope is not null && IsExpiredAuthorization(status, code, message))
                    throw new SnapTradeAuthorizationExpiredException(scope.AuthorizationId, scope.BrokerageName,
                        $"The connection {Describe(scope.AuthorizationId, scope.BrokerageName)} needs to be reconnected: SnapTrade answered HTTP {status}{codeText} when {what} ({endpoint}){said}.",
                        endpoint, status, code, message);

                var kind = status switch
                {
                    401 => SnapTradeErrorKind.Unauthorized,
                    403 => SnapTradeErrorKind.Forbidden,
                    404 => SnapTradeErrorKind.NotFound,
                    _ => SnapTradeErrorKind.Rejected,
                };
                var hint = kind == SnapTradeErrorKind.Unauthorized ? " Check SnapTrade:ClientId / SnapTrade:ConsumerKey and the user's stored secret." : "";
                throw new SnapTradeException(kind, $"SnapTrade refused {what} ({endpoint}): HTTP {status}{codeText}{said}.{hint}", endpoint, status, code, message);
            }
        }
    }

    private static bool IsExpiredAuthorization(int status, string? code, string? message) =>
        status == 403
        || code == ConnectionDisabledCode
        || (message is not null && message.Contains("disabled", StringComparison.OrdinalIgnoreCase)
            && (message.Contains("connection", StringComparison.OrdinalIgnoreCase) || message.Contains("authorization", StringComparison.OrdinalIgnoreCase)));

    /// <summary>clientId, timestamp, userId, userSecret, then the endpoint's own; the exact string is both sent and signed.</summary>
    private string BuildQuery(SnapTradeUser? user, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var pairs = new List<KeyValuePair<string, string>>
        {
            new("clientId", _options.ClientId!),
            new("timestamp", clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
        };
        if (user is not null)
        {
            pairs.Add(new("userId", user.UserId));
            pairs.Add(new("userSecret", user.UserSecret));
        }
        pairs.AddRange(parameters);
        return string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
    }

    private TimeSpan Backoff(int retry)
    {
        var ms = _options.BaseBackoffMilliseconds * Math.Pow(2, Math.Min(retry - 1, 10));
        return TimeSpan.FromMilliseconds(ms * (1 + Random.Shared.NextDouble() * 0.2));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } ra) return null;
        if (ra.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (ra.Date is { } date)
        {
            var wait = date - clock.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    private async Task WaitAsync(TimeSpan wait, string what, string why, CancellationToken ct)
    {
        logger.LogWarning("SnapTrade: {Why} when {What}; retrying in {Wait} ms", why, what, (long)wait.TotalMilliseconds);
        if (wait > TimeSpan.Zero) await Task.Delay(wait, clock, ct);
    }

    private static (string? Code, string? Message) ParseError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, body.Length > 300 ? body[..300] : body);
            var code = root.TryGetProperty("code", out var c) ? c.ValueKind switch
            {
                JsonValueKind.String => c.GetString(),
                JsonValueKind.Number => c.GetRawText(),
                _ => null,
            } : null;
            var message = Str(root, "detail") ?? Str(root, "message");
            return (code, message);
        }
        catch (JsonException)
        {
            return (null, string.IsNullOrWhiteSpace(body) ? null : body.Length > 300 ? body[..300] : body);
        }
    }

    private static T Read<T>(Answer answer, string endpoint, Func<JsonElement, T> map)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer.Body);
            return map(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new SnapTradeException(SnapTradeErrorKind.InvalidResponse,
                $"SnapTrade's answer to {endpoint} (HTTP {answer.Status}) is not the documented shape: {e.Message}", endpoint, answer.Status, inner: e);
        }
    }

    private static string Describe(string authorizationId, string? brokerageName) =>
        brokerageName is null ? authorizationId : $"{authorizationId} ({brokerageName})";

    // ---- JSON → records ---------------------------------------------------------------------------------------------

    private static SnapTradeConnection MapConnection(JsonElement c)
    {
        var brokerage = c.TryGetProperty("brokerage", out var b) && b.ValueKind == JsonValueKind.Object ? b : default;
        var brokerageName = brokerage.ValueKind == JsonValueKind.Object ? Str(brokerage, "display_name") ?? Str(brokerage, "name") : null;
        return new SnapTradeConnection(
            Str(c, "id") ?? throw new FormatException("a connection without id"),
            brokerageName ?? Str(c, "name") ?? "SnapTrade",
            brokerage.ValueKind == JsonValueKind.Object ? Str(brokerage, "slug") : null,
            Str(c, "name"),
            Str(c, "type"),
            c.TryGetProperty("disabled", out var d) && d.ValueKind == JsonValueKind.True,
            Time(c, "disabled_date"),
            Time(c, "created_date"),
            Time(c, "updated_date"),
            c.GetRawText());
    }

    /// <summary>One UniversalActivity object → <see cref="SnapTradeActivity"/> (also for re-reading a stored raw activity).</summary>
    public static SnapTradeActivity ParseActivity(JsonElement a)
    {
        var symbol = Obj(a, "symbol");
        var option = Obj(a, "option_symbol");
        var currency = Obj(a, "currency");
        SnapTradeOptionSymbol? opt = null;
        if (option is { } o)
        {
            var underlying = Obj(o, "underlying_symbol");
            opt = new SnapTradeOptionSymbol(
                Str(o, "ticker") ?? "",
                Str(o, "option_type") ?? "",
                Dec(o, "strike_price") ?? 0m,
                Str(o, "expiration_date") ?? "",
                o.TryGetProperty("is_mini_option", out var mini) && mini.ValueKind == JsonValueKind.True,
                underlying is { } u ? Str(u, "symbol") ?? Str(u, "raw_symbol") : null);
        }
        return new SnapTradeActivity
        {
            Id = Str(a, "id") ?? throw new FormatException("an activity without id"),
            Type = (Str(a, "type") ?? "").Trim().ToUpperInvariant(),
            Symbol = symbol is { } s ? Str(s, "symbol") ?? Str(s, "raw_symbol") : null,
            SymbolDescription = symbol is { } s2 ? Str(s2, "description") : null,
            SecurityTypeCode = symbol is { } s3 && Obj(s3, "type") is { } t ? Str(t, "code") : null,
            SymbolCurrency = symbol is { } s4 && Obj(s4, "currency") is { } sc ? Str(sc, "code") : null,
            Option = opt,
            OptionAction = Str(a, "option_type"),
            Units = Dec(a, "units"),
            Price = Dec(a, "price"),
            Amount = Dec(a, "amount"),
            Fee = Dec(a, "fee"),
            Currency = currency is { } cur ? Str(cur, "code") : null,
            TradeDate = Str(a, "trade_date"),
            Description = Str(a, "description"),
            Institution = Str(a, "institution"),
            ExternalReferenceId = Str(a, "external_reference_id"),
            RawJson = a.GetRawText(),
        };
    }

    private static JsonElement? Obj(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;

    private static decimal? Dec(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d)) return d;
        if (v.ValueKind == JsonValueKind.Number) return (decimal)v.GetDouble();
        if (v.ValueKind == JsonValueKind.String && decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s)) return s;
        return null;
    }

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        Str(e, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t : null;
}
