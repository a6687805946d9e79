using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Data;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Jobs;

/// <summary>
/// Two app nodes, each with its own Hangfire servers (the app's own set-up), on one database: recurring firings run
/// once, a job never overlaps itself, a dead node's job is taken over, failures follow the job's retry policy, and
/// every run is in service_task_execution.
/// </summary>
[RunsLong(11)]
public sealed class HangfireClusterTests : IAsyncLifetime
{
    private static readonly JobDefinition[] TestJobs =
    [
        new(SlowJob.Name, "Takes a while, reports progress; may overlap (so a duplicate firing would show as a second run).", typeof(SlowJob), null,
            Overlap: OverlapPolicy.Allow),
        new(ExclusiveJob.Name, "Never overlaps itself: a second start is skipped.", typeof(ExclusiveJob), null, Overlap: OverlapPolicy.Skip),
        new(PatientJob.Name, "Never overlaps itself: a second start waits.", typeof(PatientJob), null, Overlap: OverlapPolicy.Wait),
        new(FailingJob.Name, "Fails every time; retried twice, a second apart.", typeof(FailingJob), null, RetryAttempts: 2, RetryDelaysSeconds: [1, 1]),
        new(InvalidJob.Name, "Refuses its input; would be retried three times for any other failure.", typeof(InvalidJob), null, RetryAttempts: 3,
            RetryDelaysSeconds: [1]),
        new(HangingJob.Name, "Hangs on node-a (ignoring cancellation, as a dying process does); completes elsewhere.", typeof(HangingJob), null),
    ];

    private string _cs = "";
    private readonly List<JobsNode> _nodes = [];

    public async Task InitializeAsync()
    {
        HangingJob.Release = new CancellationTokenSource();
        _cs = await TestPostgres.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        await HangingJob.Release.CancelAsync(); // lets node-a's hung thread end before its container goes
        HangingJob.Release.Dispose();
        foreach (var node in _nodes) await node.DisposeAsync();
    }

    private async Task<JobsNode> NodeAsync(string name, bool start = true, IDictionary<string, string?>? settings = null)
    {
        var node = new JobsNode(_cs, name, TestJobs, settings);
        _nodes.Add(node);
        return start ? await node.StartAsync() : node;
    }

    private async Task<List<TaskExecution>> RunsAsync(string task)
    {
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(_cs).Options);
        return await db.TaskExecutions.AsNoTracking().Where(t => t.TaskName == task).OrderBy(t => t.Id).ToListAsync();
    }

    private async Task<List<TaskExecution>> WaitForRunsAsync(string task, Func<List<TaskExecution>, bool> done, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var runs = await RunsAsync(task);
            if (done(runs) || DateTime.UtcNow > until) return runs;
            await Task.Delay(100);
        }
    }

    private static string Describe(IEnumerable<TaskExecution> runs)
        => string.Join("\n", runs.Select(r => $"{r.Id} {r.NodeName} {r.ExecutedAt:HH:mm:ss.fff} {r.FireInstanceId} {r.Status} {r.Error} {r.Details}"));

    [Fact]
    public async Task TwoServers_ARecurringJobEverySecondSecond_RunsOncePerOccurrence()
    {
        var a = await NodeAsync("node-a");
        await NodeAsync("node-b");
        // Both nodes' schedulers poll every 200 ms for due recurring jobs; each occurrence must become one job.
        a.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate(SlowJob.Name,
            Job.FromExpression<SlowJob>(j => j.RunAsync(JobStart.Cron, null, CancellationToken.None)), "*/2 * * * * *", new RecurringJobOptions());
        await Task.Delay(TimeSpan.FromSeconds(9));
        a.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(SlowJob.Name);
        var runs = await WaitForRunsAsync(SlowJob.Name, r => r.All(x => x.Status != TaskStatuses.Running));
        await Task.Delay(1000); // a duplicate of the last occurrence would start within this window
        runs = await RunsAsync(SlowJob.Name);

        Assert.True(runs.Count is >= 3 and <= 6, Describe(runs));
        Assert.Equal(runs.Count, runs.Select(r => r.FireInstanceId).Distinct().Count());
        // One run per occurrence: Hangfire stamps each job it creates for a recurring job with its occurrence ("Time").
        using (var connection = a.Storage.GetConnection())
        {
            var occurrences = runs.Select(r => connection.GetJobParameter(r.FireInstanceId, "Time")).ToList();
            Assert.All(occurrences, Assert.NotNull);
            Assert.True(occurrences.Distinct().Count() == runs.Count, Describe(runs) + "\n" + string.Join(", ", occurrences));
        }
        Assert.All(runs, r => Assert.Equal((TaskStatuses.Success, "cron", 1.0), (r.Status, r.TriggerKind, r.Progress)));
        Assert.All(runs, r => Assert.Contains(r.NodeName, new[] { "node-a", "node-b" }));
        Assert.All(runs, r => Assert.Contains("\"steps\": 3", r.Details)); // as jsonb renders it
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(_cs).Options);
        Assert.Equal(["node-a", "node-b"], await db.ServiceStatuses.Where(s => s.NodeName != null).OrderBy(s => s.NodeName).Select(s => s.NodeName!).ToListAsync());
    }

    [Fact]
    public async Task NoOverlap_ASecondStartOnAnotherNodeWhileOneRuns_IsSkippedAndRecorded_NotQueued()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        var first = a.Enqueue<ExclusiveJob>(j => j.RunAsync(JobStart.Cron, null, CancellationToken.None));
        await WaitForRunsAsync(ExclusiveJob.Name, r => r.Any(x => x.Status == TaskStatuses.Running));
        var second = b.Enqueue<ExclusiveJob>(j => j.RunAsync(JobStart.Cron, null, CancellationToken.None));

        var runs = await WaitForRunsAsync(ExclusiveJob.Name, r => r.Count == 2 && r.All(x => x.Status != TaskStatuses.Running));
        Assert.True(runs.Count == 2, Describe(runs));
        var ran = Assert.Single(runs, r => r.FireInstanceId == first);
        var skipped = Assert.Single(runs, r => r.FireInstanceId == second);
        Assert.Equal(TaskStatuses.Success, ran.Status);
        Assert.Equal(TaskStatuses.Skipped, skipped.Status);
        Assert.Contains("a run of test-exclusive was in progress", skipped.Details);
        Assert.Equal("Succeeded", await a.WaitForStateAsync(first, "Succeeded"));
        Assert.Equal("Deleted", await a.WaitForStateAsync(second, "Deleted")); // dropped, not waiting in a queue
        Assert.Equal(1, ExclusiveJob.MaxConcurrent);
    }

    [Fact]
    public async Task NoOverlap_AJobThatWaits_RunsAfterTheOtherFinishes_OnAnyNode()
    {
        var a = await NodeAsync("node-a");
        var b = await NodeAsync("node-b");
        var first = a.Enqueue<PatientJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None));
        await WaitForRunsAsync(PatientJob.Name, r => r.Any(x => x.Status == TaskStatuses.Running));
        var second = b.Enqueue<PatientJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None));

        var runs = await WaitForRunsAsync(PatientJob.Name, r => r.Count(x => x.Status == TaskStatuses.Success) == 2);
        Assert.True(runs.Count == 2 && runs.All(r => r.Status == TaskStatuses.Success), Describe(runs) + "\n"
            + string.Join("\n", a.Storage.GetMonitoringApi().JobDetails(second).History.Select(h => $"{h.CreatedAt:HH:mm:ss.fff} {h.StateName} {h.Reason}")));
        Assert.Equal([first, second], runs.Select(r => r.FireInstanceId));
        Assert.True(runs[1].ExecutedAt >= runs[0].FinishedAt, Describe(runs));
        var history = a.Storage.GetMonitoringApi().JobDetails(second).History;
        Assert.Contains(history, h => h.StateName == "Scheduled" && h.Reason.StartsWith("Waiting: a run of test-patient", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AServerDiesMidRun_TheOtherServerTakesTheJobOver_AndItCompletesOnce()
    {
        // Jobs of a node that stopped answering become visible again after 4 s (kept alive while their node runs them).
        var fast = new Dictionary<string, string?> { ["Jobs:InvisibilityTimeoutSeconds"] = "4", ["Jobs:ShutdownTimeoutSeconds"] = "1" };
        var a = await NodeAsync("node-a", settings: fast);
        var id = a.Enqueue<HangingJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None));
        await WaitForRunsAsync(HangingJob.Name, r => r.Any(x => x.Status == TaskStatuses.Running && x.NodeName == "node-a"));
        await NodeAsync("node-b", settings: fast);
        await Task.Delay(500);

        await a.KillAsync();
        var runs = await WaitForRunsAsync(HangingJob.Name, r => r.Any(x => x.Status == TaskStatuses.Success), seconds: 60);
        await Task.Delay(1000);
        runs = await RunsAsync(HangingJob.Name);

        var done = Assert.Single(runs, r => r.Status == TaskStatuses.Success);
        Assert.Equal(("node-b", id), (done.NodeName, done.FireInstanceId));
        var abandoned = Assert.Single(runs, r => r.NodeName == "node-a");
        Assert.Equal(TaskStatuses.Failed, abandoned.Status);
        Assert.StartsWith("Abandoned: its node stopped during the run; node-b took the job over", abandoned.Error);
        Assert.Equal(2, runs.Count);
        Assert.Equal(1, HangingJob.Completions);
        Assert.Equal("Succeeded", await _nodes[1].WaitForStateAsync(id, "Succeeded"));
    }

    [Fact]
    public async Task AFailingJob_IsRetriedPerItsPolicy_ThenRecordedAsFailedWithItsError()
    {
        var a = await NodeAsync("node-a");
        await NodeAsync("node-b");
        var id = a.Enqueue<FailingJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None));

        var runs = await WaitForRunsAsync(FailingJob.Name, r => r.Count(x => x.Status == TaskStatuses.Failed) == 3);
        await Task.Delay(2500); // a fourth attempt would have started by now
        runs = await RunsAsync(FailingJob.Name);

        Assert.True(runs.Count == 3, Describe(runs)); // the first attempt and two retries
        Assert.All(runs, r => Assert.Equal((TaskStatuses.Failed, id, "InvalidOperationException: the provider answered 503 for DLTA"), (r.Status, r.FireInstanceId, r.Error)));
        Assert.All(runs, r => Assert.Equal(0.5, r.Progress)); // where each attempt got to
        Assert.Contains("retry 1 of 2 follows", runs[0].Details);
        Assert.Contains("retry 2 of 2 follows", runs[1].Details);
        Assert.Contains("none: every retry was used", runs[2].Details);
        Assert.Equal("Failed", await a.WaitForStateAsync(id, "Failed"));
        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(_cs).Options);
        var errors = await db.ServiceStatuses.Where(s => s.NodeName != null).SumAsync(s => s.ErrorCount);
        Assert.Equal(3, errors);
    }

    [Fact]
    public async Task AValidationFailure_IsNotRetried()
    {
        var a = await NodeAsync("node-a");
        var id = a.Enqueue<InvalidJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None));

        var runs = await WaitForRunsAsync(InvalidJob.Name, r => r.Any(x => x.Status == TaskStatuses.Failed));
        await Task.Delay(2500); // a retry (1 s later) would have started by now
        runs = await RunsAsync(InvalidJob.Name);

        var run = Assert.Single(runs);
        Assert.Equal((TaskStatuses.Failed, "Jobs:Test:Symbol is not set; nothing to do."), (run.Status, run.Error));
        Assert.Contains("none: the input or configuration is invalid", run.Details);
        Assert.Equal("Failed", await a.WaitForStateAsync(id, "Failed"));
    }

    [Fact]
    public async Task ANodeWithJobsDisabled_RunsNoServer_ButQueuesJobsThatAnotherNodeRuns()
    {
        var quiet = await NodeAsync("node-quiet", start: false, settings: new Dictionary<string, string?> { ["Jobs:Enabled"] = "false" });
        Assert.Null(quiet.Services.GetService<JobServers>());
        Assert.Null(quiet.Services.GetService<NodeHeartbeat>());
        var id = quiet.Enqueue<SlowJob>(j => j.RunAsync(JobStart.Manual(null), null, CancellationToken.None));
        await Task.Delay(1000);
        Assert.Equal("Enqueued", quiet.StateOf(id));
        Assert.Empty(await RunsAsync(SlowJob.Name));

        await NodeAsync("node-a");
        var run = Assert.Single(await WaitForRunsAsync(SlowJob.Name, r => r.Any(x => x.Status == TaskStatuses.Success)));
        Assert.Equal(("node-a", id), (run.NodeName, run.FireInstanceId));
    }

    public sealed class SlowJob
    {
        public const string Name = "test-slow";

        public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
        {
            var progress = JobContext.ProgressOf(context);
            for (var i = 0; i < 3; i++)
            {
                progress.Report(new JobProgress(i / 3.0, $"step {i + 1}"));
                await Task.Delay(150, ct);
            }
            return JobOutcome.Success(new Dictionary<string, object?> { ["steps"] = 3 });
        }
    }

    public sealed class ExclusiveJob
    {
        public const string Name = "test-exclusive";
        private static int _running;

        public static int MaxConcurrent { get; private set; }

        public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
        {
            MaxConcurrent = Math.Max(MaxConcurrent, Interlocked.Increment(ref _running));
            try
            {
                await Task.Delay(2500, ct);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
            return JobOutcome.Success(new Dictionary<string, object?>());
        }
    }

    public sealed class PatientJob
    {
        public const string Name = "test-patient";

        public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
        {
            await Task.Delay(1500, ct);
            return JobOutcome.Success(new Dictionary<string, object?>());
        }
    }

    public sealed class FailingJob
    {
        public const string Name = "test-failing";

        public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
        {
            JobContext.ProgressOf(context).Report(new JobProgress(0.5, "half way"));
            await Task.Delay(50, ct);
            throw new InvalidOperationException("the provider answered 503 for DLTA");
        }
    }

    public sealed class InvalidJob
    {
        public const string Name = "test-invalid";

        public Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
            => throw new JobValidationException("Jobs:Test:Symbol is not set; nothing to do.");
    }

    public sealed class HangingJob(NodeIdentity node)
    {
        public const string Name = "test-hanging";
        private static int _completions;

        public static CancellationTokenSource Release { get; set; } = new();

        public static int Completions => _completions;

        public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
        {
            if (node.Name == "node-a") await Task.Delay(Timeout.Infinite, Release.Token); // deaf to Hangfire's token
            await Task.Delay(300, ct);
            Interlocked.Increment(ref _completions);
            return JobOutcome.Success(new Dictionary<string, object?>());
        }
    }
}
