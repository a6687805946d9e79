using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Signalbook.Features.Journal.SnapTrade;
using Signalbook.Tests.Infrastructure;
using Received = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Received;
using Reply = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Reply;

namespace Signalbook.Tests.Features.Journal.SnapTrade;

/// <summary>
/// The SnapTrade client against a local HTTP server answering in SnapTrade's documented shapes
/// (Fixtures/SnapTrade/README.md), resolved through <see cref="SnapTradeSetup.AddSignalbookSnapTrade"/>. The clock is
/// fixed (the signed timestamp is known) and its waits return at once but are recorded.
/// </summary>
public sealed class SnapTradeClientTests : IAsyncLifetime
{
    private const string ClientId = "SIGNALBOOKTEST";
    private const string ConsumerKey = "test-consumer-key";
    private const long Timestamp = 1635790389; // the docs' example timestamp
    private const string ConnectionId = "87b24961-b51e-4db8-9226-f198f6518a89";
    private static readonly SnapTradeUser User = new("sb-user-42", "s3cr3t");
    private static readonly SnapTradeAccount Account = new("917c8734-8470-4a3e-a18f-57c3f2ee6631", ConnectionId, "Alpaca Margin", "PA3QWERTY12", "Alpaca", "{}");

    private ScriptedHttpServer _server = null!;
    private readonly InstantTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(Timestamp));
    private readonly List<ServiceProvider> _providers = [];

    public async Task InitializeAsync() => _server = await ScriptedHttpServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var sp in _providers) await sp.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static string Fixture(string name) => ScriptedHttpServer.Fixture(name, "SnapTrade");

    private static Reply Json(string name, int status = 200) => ScriptedHttpServer.Json(name, status, "SnapTrade");

    private SnapTradeClient Client(Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SnapTrade:BaseUrl"] = _server.BaseUrl,
            ["SnapTrade:ClientId"] = ClientId,
            ["SnapTrade:ConsumerKey"] = ConsumerKey,
            ["SnapTrade:MaxServerErrorRetries"] = "2",
            ["SnapTrade:MaxRateLimitRetries"] = "2",
            ["SnapTrade:BaseBackoffMilliseconds"] = "100",
            ["SnapTrade:RequestTimeoutSeconds"] = "5",
        };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSignalbookSnapTrade();
        var sp = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _providers.Add(sp);
        return sp.GetRequiredService<SnapTradeClient>();
    }

    /// <summary>An independent HMAC of a hand-written canonical payload (not the app's canonicaliser).</summary>
    private static string Hmac(string payload) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ConsumerKey), Encoding.UTF8.GetBytes(payload)));

    private static string UserQuery => $"clientId={ClientId}&timestamp={Timestamp}&userId=sb-user-42&userSecret=s3cr3t";

    // ---- signature ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Signature_OfRegisterUser_MatchesTheHmacOfTheDocumentedPayload()
    {
        _server.Script = (_, _) => Json("register-user.json");
        await Client().RegisterUserAsync("sb-user-42");

        var r = Assert.Single(_server.Requests);
        Assert.Equal($"clientId={ClientId}&timestamp={Timestamp}", r.QueryString);
        // Computed with Python's json.dumps(..., separators=(",", ":"), sort_keys=True) + hmac/sha256/base64, as the SDK does.
        Assert.Equal("DKysBl0nXgeLDl4tTWAZU3+7ke0VxMV65sQJt69wJrU=", r.Headers["Signature"]);
        Assert.Equal(Hmac($"{{\"content\":{{\"userId\":\"sb-user-42\"}},\"path\":\"/api/v1/snapTrade/registerUser\",\"query\":\"clientId={ClientId}&timestamp={Timestamp}\"}}"),
            r.Headers["Signature"]);
    }

    [Fact]
    public void Signature_SortsNestedKeys_EscapesLikePython_AndSignsNoBodyAsNull()
    {
        const string body = "{\"reconnect\":\"conn-1\",\"connectionType\":\"read\",\"nested\":{\"z\":1,\"a\":[true,null,\"é\"]}}";
        var query = $"clientId={ClientId}&timestamp={Timestamp}&userId=sb-user-42&userSecret=s3cr3t";

        Assert.Equal("{\"content\":{\"connectionType\":\"read\",\"nested\":{\"a\":[true,null,\"\\u00e9\"],\"z\":1},\"reconnect\":\"conn-1\"},\"path\":\"/api/v1/snapTrade/login\",\"query\":\"" + query + "\"}",
            SnapTradeSignature.Payload("/api/v1/snapTrade/login", query, body));
        Assert.Equal("ql98PqhcK0TxwaBRrkwTOQv47ENpEppiMXFBabonFxM=", SnapTradeSignature.Compute(ConsumerKey, "/api/v1/snapTrade/login", query, body)); // from Python
        Assert.Equal("DBgUFSBhAsv0bS69Udxmm770fnYbgv5R274C5KyQ3dU=", SnapTradeSignature.Compute(ConsumerKey, "/api/v1/authorizations", query, null));
        Assert.Equal(SnapTradeSignature.Compute(ConsumerKey, "/api/v1/authorizations", query, null), SnapTradeSignature.Compute(ConsumerKey, "/api/v1/authorizations", query, "{}"));
    }

    [Fact]
    public async Task Signature_OfAUserScopedGet_IsOverTheQueryExactlyAsSent_WithNullContent()
    {
        _server.Script = (_, _) => Json("authorizations.json");
        await Client().ListConnectionsAsync(User);

        var r = Assert.Single(_server.Requests);
        Assert.Equal(UserQuery, r.QueryString);
        Assert.Equal(Hmac($"{{\"content\":null,\"path\":\"/api/v1/authorizations\",\"query\":\"{r.QueryString}\"}}"), r.Headers["Signature"]);
    }

    // ---- endpoints ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Register_PostsTheUserId_AndReturnsTheIssuedSecret()
    {
        _server.Script = (_, _) => Json("register-user.json");
        var user = await Client().RegisterUserAsync("sb-user-42");

        Assert.Equal(new SnapTradeUser("sb-user-42", "2f1b8c7e-5d3a-4b6f-9e0d-7a1c2b3d4e5f"), user);
        Assert.DoesNotContain("2f1b8c7e", user.ToString());
        var r = Assert.Single(_server.Requests);
        Assert.Equal(("POST", "/api/v1/snapTrade/registerUser"), (r.Method, r.Path));
        Assert.False(r.Query.ContainsKey("userSecret"));
        Assert.StartsWith("application/json", r.Headers["Content-Type"]);
        Assert.Equal("sb-user-42", JsonDocument.Parse(r.Body).RootElement.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task DeleteUser_IsADeleteWithTheUserIdInTheQuery()
    {
        _server.Script = (_, _) => new Reply(200, "{\"status\":\"deleted\",\"detail\":\"User queued for deletion\",\"userId\":\"sb-user-42\"}");
        await Client().DeleteUserAsync("sb-user-42");

        var r = Assert.Single(_server.Requests);
        Assert.Equal(("DELETE", "/api/v1/snapTrade/deleteUser", "sb-user-42", ""), (r.Method, r.Path, r.Query["userId"], r.Body));
        Assert.Equal($"clientId={ClientId}&timestamp={Timestamp}&userId=sb-user-42", r.QueryString);
    }

    [Fact]
    public async Task PortalLink_PostsReadOnlyReconnectBody_WithTheUserInTheQuery_AndReturnsTheRedirectUri()
    {
        _server.Script = (_, _) => Json("login.json");
        var link = await Client().GetConnectionPortalUrlAsync(User, new SnapTradeLoginOptions { Reconnect = ConnectionId, CustomRedirect = "https://signalbook.test/brokers/done" });

        Assert.Equal("https://app.snaptrade.com/snapTrade/redeemToken?token=EXAMPLETOKEN&clientId=SIGNALBOOKTEST", link.ToString());
        var r = Assert.Single(_server.Requests);
        Assert.Equal(("POST", "/api/v1/snapTrade/login", UserQuery), (r.Method, r.Path, r.QueryString));
        var body = JsonDocument.Parse(r.Body).RootElement;
        Assert.Equal("read", body.GetProperty("connectionType").GetString());
        Assert.Equal(ConnectionId, body.GetProperty("reconnect").GetString());
        Assert.Equal("https://signalbook.test/brokers/done", body.GetProperty("customRedirect").GetString());
        Assert.False(body.TryGetProperty("broker", out _));
        Assert.Equal(Hmac($"{{\"content\":{{\"connectionType\":\"read\",\"customRedirect\":\"https://signalbook.test/brokers/done\",\"reconnect\":\"{ConnectionId}\"}},\"path\":\"/api/v1/snapTrade/login\",\"query\":\"{UserQuery}\"}}"),
            r.Headers["Signature"]);
    }

    [Fact]
    public async Task ListConnections_MapsBrokerageAndTheDisabledFlag()
    {
        _server.Script = (_, _) => Json("authorizations.json");
        var connections = await Client().ListConnectionsAsync(User);

        Assert.Equal(2, connections.Count);
        var alpaca = connections[0];
        Assert.Equal((ConnectionId, "Alpaca", "ALPACA", "read", false), (alpaca.Id, alpaca.BrokerageName, alpaca.BrokerageSlug, alpaca.Type, alpaca.Disabled));
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 14, 2, 11, TimeSpan.Zero), alpaca.CreatedAt);
        var questrade = connections[1];
        Assert.True(questrade.Disabled);
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 8, 15, 0, TimeSpan.Zero), questrade.DisabledAt);
        Assert.Contains("\"slug\": \"QUESTRADE\"", questrade.RawJson);
        var r = Assert.Single(_server.Requests);
        Assert.Equal(("GET", "/api/v1/authorizations", ""), (r.Method, r.Path, r.Body));

        SnapTradeClient.ThrowIfDisabled(alpaca);
        var expired = Assert.Throws<SnapTradeAuthorizationExpiredException>(() => SnapTradeClient.ThrowIfDisabled(questrade));
        Assert.Equal(("3c9d1e2f-4a5b-4c6d-8e7f-901a2b3c4d5e", "Questrade"), (expired.AuthorizationId, expired.BrokerageName));
        Assert.StartsWith("The Questrade connection 3c9d1e2f-4a5b-4c6d-8e7f-901a2b3c4d5e is disabled at SnapTrade since 2026-11-02 08:15 UTC", expired.Message);
    }

    [Fact]
    public async Task RefreshAndDeleteConnection_PostAndDeleteTheAuthorizationPath_WithoutABody()
    {
        _server.Script = (r, _) => r.Method == "DELETE" ? new Reply(204) : Json("refresh.json");
        var client = Client();
        await client.RefreshConnectionAsync(User, ConnectionId, "Alpaca");
        await client.DeleteConnectionAsync(User, ConnectionId, "Alpaca");

        var requests = _server.Requests;
        Assert.Equal([("POST", $"/api/v1/authorizations/{ConnectionId}/refresh"), ("DELETE", $"/api/v1/authorizations/{ConnectionId}")],
            requests.Select(r => (r.Method, r.Path)));
        Assert.All(requests, r =>
        {
            Assert.Equal("", r.Body);
            Assert.Equal(UserQuery, r.QueryString);
            Assert.Equal(Hmac($"{{\"content\":null,\"path\":\"{r.Path}\",\"query\":\"{UserQuery}\"}}"), r.Headers["Signature"]);
        });
    }

    [Fact]
    public async Task ListAccounts_GivesEachAccountItsConnection()
    {
        _server.Script = (_, _) => Json("accounts.json");
        var account = Assert.Single(await Client().ListAccountsAsync(User));

        Assert.Equal((Account.Id, ConnectionId, "Alpaca Margin", "PA3QWERTY12", "Alpaca"),
            (account.Id, account.AuthorizationId, account.Name, account.Number, account.InstitutionName));
        Assert.Equal(("GET", "/api/v1/accounts"), (Assert.Single(_server.Requests).Method, _server.Requests[0].Path));
    }

    [Fact]
    public async Task Activities_ReadEveryPageByOffset_AndStopAtTheTotal()
    {
        _server.Script = (r, _) => r.Query["offset"] switch
        {
            "0" => Json("activities-page1.json"),
            "3" => Json("activities-page2.json"),
            var o => new Reply(400, $"{{\"detail\":\"unexpected offset {o}\"}}"),
        };
        var activities = await Client(new() { ["SnapTrade:ActivitiesPageSize"] = "3" })
            .GetActivitiesAsync(User, Account, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30));

        Assert.Equal(["act-p0", "act-p1", "act-p2", "act-p3", "act-p4"], activities.Select(a => a.Id));
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count); // page 2 is short of the limit and reaches the total: no third request
        Assert.All(requests, r =>
        {
            Assert.Equal(("GET", $"/api/v1/accounts/{Account.Id}/activities"), (r.Method, r.Path));
            Assert.Equal(("2026-11-01", "2026-11-30", "3", "s3cr3t"), (r.Query["startDate"], r.Query["endDate"], r.Query["limit"], r.Query["userSecret"]));
        });
        Assert.Equal(["0", "3"], requests.Select(r => r.Query["offset"]));
    }

    [Fact]
    public async Task Activities_FullPagesWithoutATotal_ContinueUntilAnEmptyPage_AndDropRepeatedIds()
    {
        var page1 = JsonDocument.Parse(Fixture("activities-page1.json")).RootElement.GetProperty("data").GetRawText();
        _server.Script = (r, _) => r.Query["offset"] switch
        {
            "0" or "3" => new Reply(200, $"{{\"data\":{page1}}}"), // the same three again: data shifted while paging
            _ => new Reply(200, "{\"data\":[]}"),
        };
        var activities = await Client(new() { ["SnapTrade:ActivitiesPageSize"] = "3" }).GetActivitiesAsync(User, Account, startDate: null);

        Assert.Equal(["act-p0", "act-p1", "act-p2"], activities.Select(a => a.Id));
        Assert.Equal(["0", "3", "6"], _server.Requests.Select(r => r.Query["offset"]));
        Assert.All(_server.Requests, r => Assert.False(r.Query.ContainsKey("startDate")));
    }

    // ---- rate limits, server errors, expired authorisations ---------------------------------------------------------

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter_ThenSucceeds()
    {
        _server.Script = (_, n) => n == 0
            ? new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "7" })
            : Json("authorizations.json");
        var connections = await Client().ListConnectionsAsync(User);

        Assert.Equal(2, connections.Count);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Equal([TimeSpan.FromSeconds(7)], _clock.Delays);
    }

    [Fact]
    public async Task TooManyRequests_Forever_FailsClearly_AfterTheBoundedAttempts()
    {
        _server.Script = (_, _) => new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "1" });
        var error = await Assert.ThrowsAsync<SnapTradeException>(() => Client().ListAccountsAsync(User));

        Assert.Equal(SnapTradeErrorKind.RateLimited, error.Kind);
        Assert.Equal((429, "GET /api/v1/accounts"), (error.HttpStatus, error.Endpoint));
        Assert.Equal("SnapTrade's rate limit (HTTP 429) was still in force after 3 attempt(s) when listing the accounts of sb-user-42 (GET /api/v1/accounts): Too many requests, please slow down; try again in a minute.",
            error.Message);
        Assert.Equal(3, _server.Requests.Count); // the first attempt and MaxRateLimitRetries = 2
        Assert.Equal(2, _clock.Delays.Count);
    }

    [Fact]
    public async Task TooManyRequests_AskingForALongerWaitThanAllowed_FailsAtOnce()
    {
        _server.Script = (_, _) => new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "3600" });
        var error = await Assert.ThrowsAsync<SnapTradeException>(() => Client().ListAccountsAsync(User));

        Assert.Equal(SnapTradeErrorKind.RateLimited, error.Kind);
        Assert.Contains("asks to wait 3600 s", error.Message);
        Assert.Single(_server.Requests);
        Assert.Empty(_clock.Delays);
    }

    [Fact]
    public async Task ServerErrors_AreRetriedWithBackoff_ThenSucceed_SignedAfreshEachTime()
    {
        _server.Script = (_, n) => n < 2 ? new Reply(n == 0 ? 500 : 503, Fixture("error-server.json")) : Json("accounts.json");
        var accounts = await Client().ListAccountsAsync(User);

        Assert.Single(accounts);
        Assert.Equal(3, _server.Requests.Count);
        var delays = _clock.Delays.ToList();
        Assert.Equal(2, delays.Count);
        Assert.InRange(delays[0].TotalMilliseconds, 100, 120); // base, plus up to 20 % jitter
        Assert.InRange(delays[1].TotalMilliseconds, 200, 240); // doubled
        Assert.All(_server.Requests, r => Assert.Equal(Hmac($"{{\"content\":null,\"path\":\"/api/v1/accounts\",\"query\":\"{r.QueryString}\"}}"), r.Headers["Signature"]));
    }

    [Fact]
    public async Task ServerErrors_Forever_FailAfterTheBoundedRetries_WithStatusCodeAndMessage()
    {
        _server.Script = (_, _) => new Reply(500, Fixture("error-server.json"));
        var error = await Assert.ThrowsAsync<SnapTradeException>(() => Client().RefreshConnectionAsync(User, ConnectionId, "Alpaca"));

        Assert.Equal(SnapTradeErrorKind.ServerError, error.Kind);
        Assert.Equal((500, "1000", "Encountered an unexpected exception."), (error.HttpStatus, error.SnapTradeCode, error.SnapTradeMessage));
        Assert.Equal($"SnapTrade answered HTTP 500 when refreshing connection {ConnectionId} (Alpaca) (POST /api/v1/authorizations/{ConnectionId}/refresh), on all 3 attempt(s), SnapTrade code 1000: Encountered an unexpected exception.",
            error.Message);
        Assert.Equal(3, _server.Requests.Count);
        Assert.IsNotType<SnapTradeAuthorizationExpiredException>(error);
    }

    [Fact]
    public async Task DisabledConnection_OnActivities_IsTheReconnectException_NamingTheConnection()
    {
        _server.Script = (_, _) => Json("error-connection-disabled.json", 400);
        var error = await Assert.ThrowsAsync<SnapTradeAuthorizationExpiredException>(() => Client().GetActivitiesAsync(User, Account, null));

        Assert.Equal((ConnectionId, "Alpaca", SnapTradeErrorKind.AuthorizationExpired), (error.AuthorizationId, error.BrokerageName, error.Kind));
        Assert.Equal((400, "3003"), (error.HttpStatus, error.SnapTradeCode));
        Assert.StartsWith($"The connection {ConnectionId} (Alpaca) needs to be reconnected: SnapTrade answered HTTP 400, SnapTrade code 3003", error.Message);
        Assert.Contains("the connection is disabled", error.Message);
        Assert.Single(_server.Requests); // not retried
    }

    [Fact]
    public async Task Forbidden_OnRefresh_IsTheReconnectException_ButUnauthorized_IsOurCredentials()
    {
        _server.Script = (_, n) => n == 0
            ? new Reply(403, "{\"detail\":\"Brokerage authorization is no longer valid\",\"status_code\":403}")
            : new Reply(401, "{\"detail\":\"Unable to verify signature sent\",\"status_code\":401,\"code\":\"1076\"}");
        var client = Client();
        var expired = await Assert.ThrowsAsync<SnapTradeAuthorizationExpiredException>(() => client.RefreshConnectionAsync(User, ConnectionId, "Alpaca"));
        var unauthorized = await Assert.ThrowsAsync<SnapTradeException>(() => client.RefreshConnectionAsync(User, ConnectionId, "Alpaca"));

        Assert.Equal(ConnectionId, expired.AuthorizationId);
        Assert.Equal(403, expired.HttpStatus);
        Assert.IsNotType<SnapTradeAuthorizationExpiredException>(unauthorized);
        Assert.Equal(SnapTradeErrorKind.Unauthorized, unauthorized.Kind);
        Assert.Contains("HTTP 401, SnapTrade code 1076: Unable to verify signature sent.", unauthorized.Message);
        Assert.Contains("Check SnapTrade:ClientId / SnapTrade:ConsumerKey", unauthorized.Message);
    }

    [Fact]
    public async Task NotConfigured_FailsWithoutARequest_SayingWhichSettingsAreMissing()
    {
        var error = await Assert.ThrowsAsync<SnapTradeException>(() => Client(new() { ["SnapTrade:ConsumerKey"] = "" }).ListConnectionsAsync(User));

        Assert.Equal(SnapTradeErrorKind.NotConfigured, error.Kind);
        Assert.Contains("SnapTrade:ClientId and SnapTrade:ConsumerKey", error.Message);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void SyncWindow_StartsTheOverlapBeforeTheLastSyncedDay_OrReadsEverythingTheFirstTime()
    {
        Assert.Null(SnapTradeSyncWindow.StartDate(null, 3));
        Assert.Equal(new DateOnly(2026, 11, 17), SnapTradeSyncWindow.StartDate(new DateTimeOffset(2026, 11, 20, 23, 30, 0, TimeSpan.Zero), 3));
        // The UTC day counts: 20 Nov 21:00 in New York is 21 Nov UTC.
        Assert.Equal(new DateOnly(2026, 11, 21), SnapTradeSyncWindow.StartDate(new DateTimeOffset(2026, 11, 20, 21, 0, 0, TimeSpan.FromHours(-5)), 0));
    }
}

/// <summary>A fixed clock whose timers fire at once, recording each wait asked for (so retries never sleep).</summary>
internal sealed class InstantTimeProvider(DateTimeOffset now) : TimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _delays = new();

    public IReadOnlyList<TimeSpan> Delays => _delays.ToList();

    public override DateTimeOffset GetUtcNow() => now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _delays.Enqueue(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new Fired();
    }

    private sealed class Fired : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
