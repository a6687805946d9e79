using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Jobs;

namespace Signalbook.Tests.Jobs;

/// <summary>
/// One app node as far as jobs go: its own container, Hangfire storage, filters and servers (the app's own
/// AddSignalbookJobs), on a database it shares with other nodes, as app instances behind a load balancer do.
/// Short polling intervals keep the tests quick. Disposing stops its servers.
/// </summary>
public sealed class JobsNode : IAsyncDisposable
{
    private bool _serversStarted;

    public JobsNode(string connectionString, string name, IEnumerable<JobDefinition>? extraJobs = null, IDictionary<string, string?>? settings = null)
    {
        ConnectionString = connectionString;
        Name = name;
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Default"] = connectionString,
            ["Jobs:NodeName"] = name,
            ["Jobs:QueuePollMilliseconds"] = "100",
            ["Jobs:SchedulePollMilliseconds"] = "200",
            ["Jobs:OverlapWaitSeconds"] = "1",
            ["Jobs:ShutdownTimeoutSeconds"] = "5",
            // The node has only the jobs feature: the catalogue's every-minute and five-minute jobs would fire (and fail
            // for want of their services) during a test and count as this node's errors. Off.
            ["Jobs:Schedules:statistics"] = "",
            ["Jobs:Schedules:notification-digest"] = "",
            ["Jobs:Schedules:telegram-updates"] = "",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddSingleton(new DatabaseConnection(connectionString));
        services.AddSignalbookAudit();
        services.AddSignalbookJobs(configuration);
        foreach (var job in extraJobs ?? [])
        {
            services.AddSingleton(job);
            services.AddTransient(job.Type);
        }
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public string ConnectionString { get; }
    public string Name { get; }
    public ServiceProvider Services { get; }

    public IBackgroundJobClient Client => Services.GetRequiredService<IBackgroundJobClient>();

    public JobStorage Storage => Services.GetRequiredService<JobStorage>();

    public async Task<JobsNode> StartAsync()
    {
        await Services.GetRequiredService<NodeHeartbeat>().BeatAsync(running: true, default);
        _serversStarted = true;
        await Services.GetRequiredService<JobServers>().StartAsync(default);
        return this;
    }

    /// <summary>Queues a job method on this node's client, as the app's JobClient does.</summary>
    public string Enqueue<T>(System.Linq.Expressions.Expression<Func<T, Task>> call, string queue = JobQueues.Default)
        => Client.Create(Job.FromExpression(call), new EnqueuedState(queue));

    public string StateOf(string jobId)
    {
        using var connection = Storage.GetConnection();
        return connection.GetJobData(jobId)?.State ?? "(none)";
    }

    /// <summary>A job's Hangfire state once it is <paramref name="expected"/> (it changes just after our row is written), or after 10 s.</summary>
    public async Task<string> WaitForStateAsync(string jobId, string expected)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var state = StateOf(jobId);
            if (state == expected || DateTime.UtcNow > until) return state;
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The node dies: its servers stop without waiting for the running job (which ignores cancellation, as a hung or
    /// killed process would), and PostgreSQL ends its lock sessions, as it does when a process's connections drop.
    /// </summary>
    public async Task KillAsync()
    {
        await Services.GetRequiredService<JobServers>().StopAsync(default);
        _serversStarted = false;
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @a", conn);
        cmd.Parameters.AddWithValue("a", JobOverlapLock.ApplicationNameFor(Name));
        await cmd.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_serversStarted) await Services.GetRequiredService<JobServers>().StopAsync(default);
        await Services.DisposeAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        NpgsqlConnection.ClearPool(connection); // this database's idle connections close now, not minutes later
    }
}
