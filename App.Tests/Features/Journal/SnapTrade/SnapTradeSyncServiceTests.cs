using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.SnapTrade;
using Signalbook.Features.Notifications;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;
using Received = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Received;
using Reply = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Reply;

namespace Signalbook.Tests.Features.Journal.SnapTrade;

/// <summary>
/// One trader's SnapTrade world for the scripted server: their two connections (the second disabled) and one account
/// of the first, with fresh ids per test (authorization ids are unique across users), and the account's activities
/// served page by page as SnapTrade pages them (offset/limit, newest first). <see cref="Activities"/> may answer
/// otherwise (errors, rate limits).
/// </summary>
internal sealed class SnapTradeWorld
{
    public string Authorization { get; } = Guid.NewGuid().ToString();
    public string DisabledAuthorization { get; } = Guid.NewGuid().ToString();
    public string AccountId { get; } = Guid.NewGuid().ToString();
    public List<JsonNode> Items { get; set; } = Load("activities-mixed.json");

    /// <summary>Overrides the activities answer: the request and its 0-based number among activities requests; null = serve <see cref="Items"/>.</summary>
    public Func<Received, int, Reply?>? Activities { get; set; }

    private int _activityRequests = -1;

    public static List<JsonNode> Load(params string[] fixtures) =>
        fixtures.SelectMany(f => JsonNode.Parse(ScriptedHttpServer.Fixture(f, "SnapTrade"))!["data"]!.AsArray().Select(n => n!.DeepClone())).ToList();

    public Reply Answer(Received r)
    {
        switch (r.Path)
        {
            case "/api/v1/snapTrade/registerUser":
                var userId = JsonNode.Parse(r.Body)!["userId"]!.GetValue<string>();
                return new Reply(200, JsonSerializer.Serialize(new { userId, userSecret = $"secret-of-{userId}" }));
            case "/api/v1/snapTrade/login":
                return new Reply(200, """{"redirectURI":"https://app.snaptrade.com/snapTrade/redeemToken?token=abc","sessionId":"s-1"}""");
            case "/api/v1/authorizations":
                return new Reply(200, ScriptedHttpServer.Fixture("authorizations.json", "SnapTrade")
                    .Replace("87b24961-b51e-4db8-9226-f198f6518a89", Authorization, StringComparison.Ordinal)
                    .Replace("3c9d1e2f-4a5b-4c6d-8e7f-901a2b3c4d5e", DisabledAuthorization, StringComparison.Ordinal));
            case "/api/v1/accounts":
                return new Reply(200, ScriptedHttpServer.Fixture("accounts.json", "SnapTrade")
                    .Replace("87b24961-b51e-4db8-9226-f198f6518a89", Authorization, StringComparison.Ordinal)
                    .Replace("917c8734-8470-4a3e-a18f-57c3f2ee6631", AccountId, StringComparison.Ordinal));
        }
        if (r.Method == "DELETE" && r.Path.StartsWith("/api/v1/authorizations/", StringComparison.Ordinal)) return new Reply(204);
        if (r.Path == $"/api/v1/accounts/{AccountId}/activities")
        {
            var n = Interlocked.Increment(ref _activityRequests);
            if (Activities?.Invoke(r, n) is { } custom) return custom;
            var offset = int.Parse(r.Query.GetValueOrDefault("offset", "0"), System.Globalization.CultureInfo.InvariantCulture);
            var limit = int.Parse(r.Query.GetValueOrDefault("limit", "1000"), System.Globalization.CultureInfo.InvariantCulture);
            var page = new JsonArray(Items.Skip(offset).Take(limit).Select(i => i.DeepClone()).ToArray());
            return new Reply(200, new JsonObject { ["data"] = page, ["pagination"] = new JsonObject { ["offset"] = offset, ["limit"] = limit, ["total"] = Items.Count } }.ToJsonString());
        }
        return new Reply(404, """{"detail":"not scripted","status_code":404}""");
    }
}

/// <summary>The SnapTrade sync service against the scripted server and the real database.</summary>
public sealed class SnapTradeSyncServiceTests(JournalHarness h) : IClassFixture<JournalHarness>
{
    private static readonly int MixedFills = SnapTradeActivityMapper.Map(
        SnapTradeWorld.Load("activities-mixed.json").Select(n => SnapTradeClient.ParseActivity(JsonDocument.Parse(n.ToJsonString()).RootElement)).ToList()).Fills.Count;

    private SnapTradeWorld Use(SnapTradeWorld world)
    {
        h.Server.Script = (r, _) => world.Answer(r);
        return world;
    }

    private Task<T> With<T>(Func<SnapTradeSyncService, Task<T>> act) => h.WithAsync(act);

    private IReadOnlyList<Received> ActivityRequests(SnapTradeWorld world) => h.Server.Requests.Where(r => r.Path.Contains(world.AccountId, StringComparison.Ordinal)).ToList();

    /// <summary>A trader registered at SnapTrade with the world's connections listed (the first active, the second disabled).</summary>
    private async Task<(JournalCaller Caller, long Active, long Disabled)> ConnectedAsync(SnapTradeWorld world)
    {
        var caller = JournalCaller.Trader(await h.NewUserAsync());
        await With(s => s.RegisterAsync(caller));
        var refresh = await With(s => s.RefreshConnectionsAsync(caller));
        return (caller, refresh.Connections.Single(c => c.AuthorizationId == world.Authorization).Id,
            refresh.Connections.Single(c => c.AuthorizationId == world.DisabledAuthorization).Id);
    }

    private async Task<BrokerConnection> ConnectionAsync(long id)
    {
        await using var db = await h.DbAsync();
        return await db.BrokerConnections.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    private async Task<List<TradeFill>> FillsAsync(Guid user)
    {
        await using var db = await h.DbAsync();
        return await db.TradeFills.AsNoTracking().Where(f => f.UserId == user).ToListAsync();
    }

    [Fact]
    public async Task Register_StoresTheSecretEncrypted_AndASecondCallDoesNotRegisterAgain()
    {
        Use(new SnapTradeWorld());
        var caller = JournalCaller.Trader(await h.NewUserAsync());
        var before = h.Server.Requests.Count(r => r.Path.EndsWith("/registerUser", StringComparison.Ordinal));

        Assert.True(await With(s => s.RegisterAsync(caller)));
        Assert.False(await With(s => s.RegisterAsync(caller)));

        Assert.Equal(before + 1, h.Server.Requests.Count(r => r.Path.EndsWith("/registerUser", StringComparison.Ordinal)));
        await using var db = await h.DbAsync();
        var row = await db.SnapTradeUsers.AsNoTracking().SingleAsync(u => u.UserId == caller.UserId);
        var snapId = SnapTradeSyncService.SnapTradeUserIdFor(caller.UserId);
        Assert.Equal(snapId, row.SnapTradeUserId);
        Assert.DoesNotContain("secret-of", row.ProtectedSecret, StringComparison.Ordinal);
        var protector = h.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SnapTradeSyncService.Purpose, caller.UserId.ToString("N"));
        Assert.Equal($"secret-of-{snapId}", protector.Unprotect(row.ProtectedSecret));
    }

    [Fact]
    public async Task RefreshConnections_UpsertsByAuthorizationId_MarksTheDisabledOneExpired_AndSchedulesTheActiveOne()
    {
        var world = Use(new SnapTradeWorld());
        var (caller, active, disabled) = await ConnectedAsync(world);

        var again = await With(s => s.RefreshConnectionsAsync(caller));

        Assert.Equal((0, 2), (again.Added, again.Updated));
        Assert.Equal(2, again.Connections.Count);
        var a = await ConnectionAsync(active);
        Assert.Equal(("Alpaca", "ALPACA", true, "active"), (a.BrokerageName, a.BrokerageSlug, a.IsActive, again.Connections.Single(c => c.Id == active).Status));
        Assert.Contains("Connection-1", a.Meta, StringComparison.Ordinal);
        var d = await ConnectionAsync(disabled);
        Assert.Equal((false, BrokerSyncStatus.Expired), (d.IsActive, d.LastSyncStatus));
        Assert.Contains("Reconnect", d.LastSyncError, StringComparison.Ordinal);
        Assert.Equal("expired", again.Connections.Single(c => c.Id == disabled).Status);
        Assert.Contains($"register {active} {caller.UserId}", h.Scheduler.Calls);
        Assert.Contains($"run {active} {caller.UserId}", h.Scheduler.Calls);
        Assert.Contains($"remove {disabled}", h.Scheduler.Calls);
        Assert.DoesNotContain($"run {disabled} {caller.UserId}", h.Scheduler.Calls);
    }

    [Fact]
    public async Task FirstSync_StoresTheTradesAsBrokerSyncedFills_OfTheConnection_WithTheirCampaigns()
    {
        var world = Use(new SnapTradeWorld());
        var (caller, connection, _) = await ConnectedAsync(world);

        var outcome = await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        Assert.True(MixedFills > 0);
        Assert.Equal((BrokerSyncStatus.Success, 1, 9, MixedFills, MixedFills, 0), (outcome.Status, outcome.Accounts, outcome.Activities, outcome.FillsRead, outcome.Added, outcome.Duplicates));
        var fills = await FillsAsync(caller.UserId);
        Assert.Equal(MixedFills, fills.Count);
        Assert.All(fills, f => Assert.Equal((FillSource.BrokerSynced, (long?)connection, (long?)null, "Alpaca"), (f.Source, f.BrokerConnectionId, f.ImportBatchId, f.Broker)));
        Assert.Contains(fills, f => f.ExternalTradeId == "act-sell-msft");
        await using (var db = await h.DbAsync())
        {
            Assert.True(await db.CampaignSummaries.CountAsync(s => s.UserId == caller.UserId) > 0);
        }
        var row = await ConnectionAsync(connection);
        Assert.Equal((h.Clock.GetUtcNow(), BrokerSyncStatus.Success), (row.LastSyncedAt, row.LastSyncStatus));
        Assert.All(ActivityRequests(world), r => Assert.False(r.Query.ContainsKey("startDate")));
    }

    [Fact]
    public async Task SecondSync_AddsNothing_AndReadsFromTheOverlapBeforeTheLastSync()
    {
        var world = Use(new SnapTradeWorld());
        var (caller, connection, _) = await ConnectedAsync(world);
        await With(s => s.SyncConnectionAsync(caller.UserId, connection));
        var firstRequests = ActivityRequests(world).Count;
        h.Clock.Advance(TimeSpan.FromDays(1));

        var second = await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        Assert.Equal((BrokerSyncStatus.Success, 0, MixedFills), (second.Status, second.Added, second.Duplicates));
        Assert.Equal(MixedFills, (await FillsAsync(caller.UserId)).Count);
        var later = ActivityRequests(world).Skip(firstRequests).ToList();
        Assert.NotEmpty(later);
        // The first sync ran on 2026-11-20 (the harness clock) or later; three days of overlap before that day.
        var firstSyncDay = DateOnly.FromDateTime(h.Clock.GetUtcNow().AddDays(-1).UtcDateTime);
        Assert.All(later, r => Assert.Equal(firstSyncDay.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Query["startDate"]));
    }

    [Fact]
    public async Task Sync_ReadsEveryPage_OfAnAccountsActivities()
    {
        var world = Use(new SnapTradeWorld { Items = SnapTradeWorld.Load("activities-page1.json", "activities-page2.json") });
        var (caller, connection, _) = await ConnectedAsync(world);

        var outcome = await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        Assert.Equal((5, 5), (outcome.Activities, outcome.Added));
        Assert.Equal(["0", "3"], ActivityRequests(world).Select(r => r.Query["offset"]).ToArray());
        Assert.Equal(["act-p0", "act-p1", "act-p2", "act-p3", "act-p4"], (await FillsAsync(caller.UserId)).Select(f => f.ExternalTradeId).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Sync_WaitsOutARateLimit_ThenStoresTheFills()
    {
        var world = new SnapTradeWorld
        {
            Activities = (_, n) => n == 0
                ? new Reply(429, ScriptedHttpServer.Fixture("error-rate-limit.json", "SnapTrade"), new Dictionary<string, string> { ["Retry-After"] = "0" })
                : null,
        };
        Use(world);
        var (caller, connection, _) = await ConnectedAsync(world);

        var outcome = await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        Assert.Equal((BrokerSyncStatus.Success, MixedFills), (outcome.Status, outcome.Added));
        Assert.Equal(MixedFills, (await FillsAsync(caller.UserId)).Count);
    }

    [Fact]
    public async Task Sync_WhenSnapTradeKeepsFailing_RecordsFailedWithTheReason_AndWritesNoFill()
    {
        var world = new SnapTradeWorld { Activities = (_, _) => new Reply(500, ScriptedHttpServer.Fixture("error-server.json", "SnapTrade")) };
        Use(world);
        var (caller, connection, _) = await ConnectedAsync(world);

        var outcome = await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        Assert.Equal((BrokerSyncStatus.Failed, 0), (outcome.Status, outcome.Added));
        Assert.Contains("failed", outcome.Message, StringComparison.Ordinal);
        Assert.Equal(3, ActivityRequests(world).Count); // the first attempt and two retries
        Assert.Empty(await FillsAsync(caller.UserId));
        var row = await ConnectionAsync(connection);
        Assert.Equal((BrokerSyncStatus.Failed, true, (DateTimeOffset?)null), (row.LastSyncStatus, row.IsActive, row.LastSyncedAt));
        Assert.Contains("Alpaca", row.LastSyncError, StringComparison.Ordinal);
        var notice = await NotificationOfAsync(caller.UserId);
        Assert.Equal((NotificationTypes.Service, NotificationLevels.Warning, "journal/connections"), (notice.Type, notice.Level, notice.Link));
        Assert.Equal(row.LastSyncError, notice.Message);
    }

    private async Task<Notification> NotificationOfAsync(Guid user)
    {
        await using var db = await h.DbAsync();
        return await db.Notifications.AsNoTracking().SingleAsync(n => n.UserId == user);
    }

    [Fact]
    public async Task Sync_OfAnExpiredAuthorisation_MarksItExpiredAndInactive_AskingToReconnect()
    {
        var world = new SnapTradeWorld { Activities = (_, _) => new Reply(400, ScriptedHttpServer.Fixture("error-connection-disabled.json", "SnapTrade")) };
        Use(world);
        var (caller, connection, _) = await ConnectedAsync(world);

        var outcome = await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        Assert.Equal(BrokerSyncStatus.Expired, outcome.Status);
        var row = await ConnectionAsync(connection);
        Assert.Equal((BrokerSyncStatus.Expired, false), (row.LastSyncStatus, row.IsActive));
        Assert.Contains("Reconnect", row.LastSyncError, StringComparison.Ordinal);
        var notice = await NotificationOfAsync(caller.UserId);
        Assert.Equal((NotificationTypes.Service, NotificationLevels.Error), (notice.Type, notice.Level));
        Assert.StartsWith("Reconnect ", notice.Title, StringComparison.Ordinal);
        Assert.Empty(await FillsAsync(caller.UserId));
        var list = await With(s => s.ListAsync(caller));
        Assert.Equal("expired", list.Single(c => c.Id == connection).Status);
        await Assert.ThrowsAsync<JournalValidationException>(() => With(s => s.RequestSyncAsync(caller, connection)));
    }

    [Fact]
    public async Task RemoveConnection_DeletesItAtSnapTrade_AndKeepsItsFills()
    {
        var world = Use(new SnapTradeWorld());
        var (caller, connection, _) = await ConnectedAsync(world);
        await With(s => s.SyncConnectionAsync(caller.UserId, connection));

        await With(async s => { await s.RemoveConnectionAsync(caller, connection); return true; });

        Assert.Contains(h.Server.Requests, r => r.Method == "DELETE" && r.Path == $"/api/v1/authorizations/{world.Authorization}");
        Assert.False((await ConnectionAsync(connection)).IsActive);
        Assert.Equal(MixedFills, (await FillsAsync(caller.UserId)).Count);
        Assert.Contains($"remove {connection}", h.Scheduler.Calls);
    }

    [Fact]
    public async Task AnotherTrader_CannotSyncRequestOrRemoveTheConnection()
    {
        var world = Use(new SnapTradeWorld());
        var (_, connection, _) = await ConnectedAsync(world);
        var other = JournalCaller.Trader(await h.NewUserAsync());

        await Assert.ThrowsAsync<JournalNotFoundException>(() => With(s => s.SyncConnectionAsync(other.UserId, connection)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => With(s => s.RequestSyncAsync(other, connection)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => With(async s => { await s.RemoveConnectionAsync(other, connection); return true; }));
        Assert.Empty(await With(s => s.ListAsync(other)));
        Assert.True((await ConnectionAsync(connection)).IsActive);
    }

    [Fact]
    public async Task SyncJob_SyncsTheConnectionOfTheOwnerItNames_AndRefusesAnyoneElse()
    {
        var world = Use(new SnapTradeWorld());
        var (caller, connection, _) = await ConnectedAsync(world);
        var stranger = await h.NewUserAsync();

        await using var scope = h.Scope();
        var job = ActivatorUtilities.CreateInstance<SnapTradeSyncJob>(scope.ServiceProvider);
        var outcome = await job.RunAsync(new JobStart(JobStart.ManualKind, caller.UserId, "test", caller.UserId), connection, null, default);

        Assert.Equal(TaskStatuses.Success, outcome.Status);
        Assert.Equal(MixedFills, outcome.Details["added"]);
        Assert.Equal(connection, outcome.Details["connection"]);
        Assert.All(await FillsAsync(caller.UserId), f => Assert.Equal(connection, f.BrokerConnectionId));
        await Assert.ThrowsAsync<JobValidationException>(() => job.RunAsync(new JobStart(JobStart.CronKind, ForUser: stranger), connection, null, default));
        await Assert.ThrowsAsync<JobValidationException>(() => job.RunAsync(JobStart.Cron, connection, null, default));
        Assert.Empty(await FillsAsync(stranger));
    }

    [Fact]
    public void SyncScheduler_QueuesTheJobForTheConnectionAndItsOwner()
    {
        var recorded = new RecordingJobClient();
        var scheduler = new HangfireSnapTradeSyncScheduler(null!, new JobClient(recorded));
        var owner = Guid.NewGuid();

        Assert.Equal("hf-1", scheduler.RunNow(owner, 42, owner, "Sync now"));

        var (job, state) = Assert.Single(recorded.Created);
        Assert.Equal(typeof(SnapTradeSyncJob), job.Type);
        var start = Assert.IsType<JobStart>(job.Args[0]);
        Assert.Equal((JobStart.ManualKind, (Guid?)owner), (start.Kind, start.ForUser));
        Assert.Equal(42L, job.Args[1]);
        Assert.Equal(Hangfire.States.EnqueuedState.StateName, state.Name);
        Assert.Equal("snaptrade-sync:42", HangfireSnapTradeSyncScheduler.RecurringId(42));
        Assert.Equal(typeof(SnapTradeSyncJob), JobCatalog.Find(JobCatalog.SnapTradeSync)!.Type);
    }

    private sealed class RecordingJobClient : Hangfire.IBackgroundJobClient
    {
        public List<(Hangfire.Common.Job Job, Hangfire.States.IState State)> Created { get; } = [];

        public string Create(Hangfire.Common.Job job, Hangfire.States.IState state)
        {
            Created.Add((job, state));
            return $"hf-{Created.Count}";
        }

        public bool ChangeState(string jobId, Hangfire.States.IState state, string expectedState) => true;
    }
}
