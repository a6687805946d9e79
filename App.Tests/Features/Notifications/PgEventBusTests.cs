using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Signalbook.Data;
using Signalbook.Features.Notifications;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

/// <summary>LISTEN/NOTIFY between two buses on one database, as between two app nodes.</summary>
public sealed class PgEventBusTests : ServiceHarness
{
    private PgEventBus OtherNode() => new(new DatabaseConnection(ConnectionString), NullLogger<PgEventBus>.Instance);

    [Fact]
    public async Task AnEventPublishedOnOneNode_ReachesTheSubscribersOfBothNodes_AndOnlyOfItsTopic()
    {
        var local = Services.GetRequiredService<PgEventBus>();
        await using var remote = OtherNode();
        var heardRemote = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var heardLocal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var wrongTopic = 0;
        using var a = remote.Subscribe(PgTopics.Config, p => { heardRemote.TrySetResult(p); return Task.CompletedTask; });
        using var b = local.Subscribe(PgTopics.Config, p => { heardLocal.TrySetResult(p); return Task.CompletedTask; });
        using var c = remote.Subscribe(PgTopics.ServiceLogs, _ => { Interlocked.Increment(ref wrongTopic); return Task.CompletedTask; });
        await Task.WhenAll(local.WaitUntilListeningAsync(), remote.WaitUntilListeningAsync());

        await local.PublishAsync(PgTopics.Config, new { key = "Jobs:Schedules:features" });

        var payload = await heardRemote.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Jobs:Schedules:features", JsonDocument.Parse(payload).RootElement.GetProperty("key").GetString());
        Assert.Equal(payload, await heardLocal.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, wrongTopic);
    }

    [Fact]
    public async Task WhenTheAppBeginsToStop_TheListenerLetsGoOfItsConnection_BeforeTheDatabaseGoesAway()
    {
        using var stopping = new CancellationTokenSource();
        await using var bus = new PgEventBus(new DatabaseConnection(ConnectionString), NullLogger<PgEventBus>.Instance, new Stopping(stopping.Token));
        using var _ = bus.Subscribe(PgTopics.Config, _ => Task.CompletedTask);
        await bus.WaitUntilListeningAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var listening = await ListenersAsync();
        Assert.True(listening >= 1);

        await stopping.CancelAsync();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await ListenersAsync() == listening && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(listening - 1, await ListenersAsync());
    }

    private async Task<long> ListenersAsync()
    {
        await using var conn = new Npgsql.NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN {PgEventBus.Channel}'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>An app lifetime whose stopping token the test cancels.</summary>
    private sealed class Stopping(CancellationToken stopping) : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => stopping;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication() => throw new NotSupportedException();
    }

    [Fact]
    public async Task ANotification_IsStoredAndAnnouncedToTheUsersCircuitsOnAnotherNode_AfterItCommits()
    {
        var userId = await WithAsync<IDbContextFactory<AppDbContext>, Guid>(async f =>
        {
            await using var db = await f.CreateDbContextAsync();
            return await db.Users.Where(u => u.Email == "admin@test.local").Select(u => u.Id).SingleAsync();
        });
        await using var remote = OtherNode();
        var heard = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = remote.Subscribe(PgTopics.Notifications, p =>
        {
            heard.TrySetResult(JsonDocument.Parse(p).RootElement.GetProperty("userId").GetGuid());
            return Task.CompletedTask;
        });
        await remote.WaitUntilListeningAsync();

        var id = await WithAsync<INotifier, long>(n => n.NotifyAsync(new NotificationRequest(userId, NotificationTypes.Trading, NotificationLevels.Info, "Order filled", "Bought 10 AAPL at 190.10")));

        Assert.Equal(userId, await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var stored = await WithAsync<IDbContextFactory<AppDbContext>, Notification>(async f =>
        {
            await using var db = await f.CreateDbContextAsync();
            return await db.Notifications.SingleAsync(n => n.Id == id);
        });
        Assert.False(stored.Read);
        Assert.Equal(Clock.GetUtcNow(), stored.CreatedAt);
    }

    [Fact]
    public async Task NotifyAdmins_RaisesOnePerActiveAdmin_AndBadInputIsRefusedWithTheNameOfWhatIsWrong()
    {
        Assert.Equal(1, await WithAsync<INotifier, int>(n => n.NotifyAdminsAsync(NotificationTypes.Error, NotificationLevels.Error, "New error", "NullReferenceException in …")));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => WithAsync<INotifier, long>(n =>
            n.NotifyAsync(new NotificationRequest(Guid.NewGuid(), "trades", NotificationLevels.Info, "x", "y"))));
        Assert.Contains("Unknown notification type 'trades'", e.Message);
    }

    [Fact]
    public void APayloadTooLargeForPostgres_IsRefused_NotTruncated()
    {
        var e = Assert.Throws<ArgumentException>(() => PgEventBus.Encode(PgTopics.Config, new { data = new string('x', 8000) }));
        Assert.Contains("keep it under 7,900", e.Message);
    }
}
