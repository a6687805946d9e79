using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Jobs;

/// <summary>
/// Two app nodes, each with its own scheduler (the app's own Quartz set-up: clustered AdoJobStore on
/// PostgreSQL), sharing one database — as two app instances behind a load balancer would.
/// </summary>
public sealed class ClusteredSchedulerTests : IAsyncLifetime
{
    private string _cs = "";
    private readonly List<ServiceProvider> _nodes = [];

    public async Task InitializeAsync() => _cs = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await (await node.GetRequiredService<ISchedulerFactory>().GetScheduler()).Shutdown(waitForJobsToComplete: true);
            await node.DisposeAsync();
        }
    }

    private async Task<ServiceProvider> StartNodeAsync(string name, Action<IQuartzBuilder>? more = null, Dictionary<string, string>? schedules = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(_cs));
        services.AddSingleton(new DatabaseConnection(_cs));
        services.AddSignalbookAudit();
        services.AddScoped<JobsService>();
        services.AddSingleton<NodeHeartbeat>();
        services.AddOptions<JobsOptions>().Configure(o => o.NodeName = name);
        services.AddQuartzScheduler(_cs, new JobsOptions { NodeName = name, ClusterCheckinMilliseconds = 1000, Schedules = schedules ?? [] }, more);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        _nodes.Add(provider);
        await provider.GetRequiredService<NodeHeartbeat>().BeatAsync(running: true, default);
        await (await provider.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        return provider;
    }

    private async Task<List<TaskExecution>> RunsAsync(string task)
    {
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(_cs).Options);
        return await db.TaskExecutions.AsNoTracking().Where(t => t.TaskName == task).OrderBy(t => t.ExecutedAt).ToListAsync();
    }

    private async Task<List<TaskExecution>> WaitForRunsAsync(string task, int count, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var runs = await RunsAsync(task);
            if (runs.Count(r => r.Status != TaskStatuses.Running) >= count || DateTime.UtcNow > until) return runs;
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task TwoNodesOnOneDatabase_EachFiringOfATriggerRunsOnExactlyOneNode()
    {
        const int firings = 4;
        var start = DateTimeOffset.UtcNow.AddSeconds(8); // both nodes are up before the first firing
        void Schedule(IQuartzBuilder q)
        {
            var key = new JobKey(SlowJob.Name, JobsSetup.Group);
            q.AddJob<SlowJob>(j => j.WithIdentity(key).StoreDurably());
            q.AddTrigger(t => t.ForJob(key).WithIdentity(SlowJob.Name, JobsSetup.Group)
                .StartAt(start)
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(2)).WithRepeatCount(firings - 1)));
        }
        // Both nodes register the same job and trigger, as every app instance does at start-up.
        await StartNodeAsync("node-a", Schedule);
        await StartNodeAsync("node-b", Schedule);

        var runs = await WaitForRunsAsync(SlowJob.Name, firings, TimeSpan.FromSeconds(60));
        await Task.Delay(3000); // a duplicate would start within this window
        runs = await RunsAsync(SlowJob.Name);

        Assert.True(firings == runs.Count, string.Join("\n", runs.Select(r => $"{r.NodeName} {r.ExecutedAt:HH:mm:ss.fff} {r.FireInstanceId} {r.Status}")));
        Assert.Equal(firings, runs.Select(r => r.FireInstanceId).Distinct().Count());
        Assert.All(runs, r => Assert.Equal(TaskStatuses.Success, r.Status));
        Assert.All(runs, r => Assert.Contains(r.NodeName, new[] { "node-a", "node-b" }));
        Assert.All(runs, r => Assert.Equal(1.0, r.Progress));
        Assert.All(runs, r => Assert.Contains("\"steps\": 3", r.Details)); // as jsonb renders it

        await using var conn = new NpgsqlConnection(_cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT instance_name FROM qrtz_scheduler_state ORDER BY 1", conn);
        var members = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync()) while (await reader.ReadAsync()) members.Add(reader.GetString(0));
        Assert.Equal(["node-a", "node-b"], members);
    }

    [Fact]
    public async Task RunNow_IsRecordedAsManual_FailuresKeepTheirError_AndPauseStopsTheSchedule()
    {
        var node = await StartNodeAsync("node-a", q =>
        {
            var key = new JobKey(FailingJob.Name, JobsSetup.Group);
            q.AddJob<FailingJob>(j => j.WithIdentity(key).StoreDurably());
        }, schedules: new() { [JobCatalog.Features] = "0 0 3 * * ?" });
        var admin = new AuditActor(null, "admin@test.local", "127.0.0.1");

        await using (var scope = node.CreateAsyncScope())
        {
            var jobs = scope.ServiceProvider.GetRequiredService<JobsService>();
            var features = (await jobs.ListAsync()).Single(j => j.Name == JobCatalog.Features);
            Assert.Equal("0 0 3 * * ?", features.Cron);
            Assert.False(features.Paused);
            Assert.NotNull(features.NextFire);

            await jobs.PauseAsync(JobCatalog.Features, admin);
            features = (await jobs.ListAsync()).Single(j => j.Name == JobCatalog.Features);
            Assert.True(features.Paused);
            Assert.Null(features.NextFire);
            await jobs.ResumeAsync(JobCatalog.Features, admin);
            Assert.False((await jobs.ListAsync()).Single(j => j.Name == JobCatalog.Features).Paused);

            var scheduler = await node.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.TriggerJob(new JobKey(FailingJob.Name, JobsSetup.Group),
                new JobDataMap { [SignalbookJob.TriggerKindKey] = "manual", [SignalbookJob.RequestedByKey] = "" });
        }

        var run = Assert.Single(await WaitForRunsAsync(FailingJob.Name, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(TaskStatuses.Failed, run.Status);
        Assert.Equal("manual", run.TriggerKind);
        Assert.Equal("InvalidOperationException: the provider answered 503 for DLTA", run.Error);
        Assert.Equal(0.5, run.Progress); // where it got to before failing
        Assert.NotNull(run.DurationSeconds);

        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(_cs).Options);
        var status = await db.ServiceStatuses.SingleAsync(s => s.NodeName == "node-a");
        Assert.Equal(1, status.ErrorCount);
        Assert.Equal(run.Error, status.LastError);
        Assert.True(status.ServiceRunning);
        Assert.Equal([AuditActions.JobPaused, AuditActions.JobResumed],
            await db.AuditLogs.Where(a => a.Action.StartsWith("job.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    /// <summary>Takes a while and reports progress, so a duplicate run on the other node would overlap and show.</summary>
    public sealed class SlowJob(IServiceScopeFactory scopes, ILogger<SlowJob> logger) : SignalbookJob(scopes, logger)
    {
        public const string Name = "test-slow";

        protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
        {
            for (var i = 0; i < 3; i++)
            {
                progress.Report(new JobProgress(i / 3.0, $"step {i + 1}"));
                await Task.Delay(400, ct);
            }
            return JobOutcome.Success(new Dictionary<string, object?> { ["steps"] = 3 });
        }
    }

    public sealed class FailingJob(IServiceScopeFactory scopes, ILogger<FailingJob> logger) : SignalbookJob(scopes, logger)
    {
        public const string Name = "test-failing";

        protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
        {
            progress.Report(new JobProgress(0.5, "half way"));
            await Task.Delay(50, ct);
            throw new InvalidOperationException("the provider answered 503 for DLTA");
        }
    }
}
