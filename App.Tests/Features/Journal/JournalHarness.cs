using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.SnapTrade;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal;

/// <summary>
/// The journal's services over a test database, with a throwaway Data Protection key ring, a recording sync
/// scheduler, and SnapTrade pointed at a local scripted server (SnapTrade's documented shapes, fast retries).
/// Shared by a test class: each test makes its own traders, so tests never see each other's rows.
/// </summary>
public class JournalHarness : ServiceHarness
{
    public RecordingSnapTradeScheduler Scheduler { get; } = new();

    public ScriptedHttpServer Server { get; private set; } = null!;

    private static int _users;

    protected override async Task<string> CreateDatabaseAsync()
    {
        Server = await ScriptedHttpServer.StartAsync();
        return await base.CreateDatabaseAsync();
    }

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["SnapTrade:BaseUrl"] = Server.BaseUrl,
        ["SnapTrade:ClientId"] = "SIGNALBOOKTEST",
        ["SnapTrade:ConsumerKey"] = "test-consumer-key",
        ["SnapTrade:ActivitiesPageSize"] = "3",
        ["SnapTrade:MaxServerErrorRetries"] = "2",
        ["SnapTrade:MaxRateLimitRetries"] = "2",
        ["SnapTrade:BaseBackoffMilliseconds"] = "1",
        ["SnapTrade:RequestTimeoutSeconds"] = "10",
    };

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<ISnapTradeSyncScheduler>(Scheduler);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>A new trader (or another role) with a unique e-mail.</summary>
    public async Task<Guid> NewUserAsync(string role = Roles.Trader) =>
        (await CreateUserAsync($"journal{Interlocked.Increment(ref _users)}-{Guid.NewGuid():N}@journal.test", role)).Id;
}

/// <summary>What the sync service asked the scheduler for, as "register|remove|run &lt;connection&gt; [owner]".</summary>
public sealed class RecordingSnapTradeScheduler : ISnapTradeSyncScheduler
{
    private readonly List<string> _calls = [];

    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_calls) return [.. _calls];
        }
    }

    public void Register(Guid ownerId, long connectionId)
    {
        lock (_calls) _calls.Add($"register {connectionId} {ownerId}");
    }

    public void Remove(long connectionId)
    {
        lock (_calls) _calls.Add($"remove {connectionId}");
    }

    public string RunNow(Guid ownerId, long connectionId, Guid? requestedBy, string reason)
    {
        lock (_calls) _calls.Add($"run {connectionId} {ownerId}");
        return $"job-{connectionId}";
    }
}
