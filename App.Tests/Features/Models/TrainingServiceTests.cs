using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.MarketData.Sync;
using Signalbook.Features.Models;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// Training jobs against the real database: request, run, cancel (pending and running), failures, and the Hangfire
/// job on the training queue. The servers only start in the tests that go through them, so the others call
/// <see cref="TrainingService.RunAsync"/> themselves, as the job would.
/// </summary>
public sealed class TrainingServiceTests : JobsHarness
{
    private static readonly Dictionary<string, double> SmallGbdt = new() { ["trees"] = 20, ["max_depth"] = 3, ["min_samples_leaf"] = 20, ["early_stopping_rounds"] = 0 };

    private static TrainingSpec Small => new() { Algorithm = Algorithms.Gbdt, Hyperparameters = SmallGbdt, Horizon = 5, Folds = 3 };

    protected override string NodeName => "training-test";

    /// <summary>Two demo instruments' three years of daily bars with features, through the real sync and feature code.</summary>
    private async Task SeedAsync(int instruments = 2)
    {
        foreach (var info in DemoProvider.Universe.Take(instruments))
        {
            var id = await WithAsync<InstrumentService, long>(s => s.EnsureAsync(info));
            var sync = await WithAsync<MarketDataSyncService, SyncResult>(s => s.SyncAsync(id, Intervals.OneDay));
            Assert.NotEqual("failed", sync.Status);
            Assert.True(await WithAsync<FeatureService, int>(f => f.UpdateAsync(id, Intervals.OneDay)) > 500);
        }
    }

    private async Task<(long JobId, Signalbook.Features.Users.AppUser Admin)> RequestAsync(TrainingSpec spec)
    {
        var admin = await AdminAsync();
        var result = await WithAsync<TrainingService, TrainingRequestResult>(t => t.RequestAsync(spec, ActorOf(admin)));
        Assert.True(result.Accepted, string.Join(" ", result.Errors));
        return (result.JobId!.Value, admin);
    }

    private async Task<MlTrainingJob> JobRowAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.MlTrainingJobs.AsNoTracking().SingleAsync(j => j.Id == id);
    }

    [Fact]
    public async Task RequestThenRun_CompletesWithProgressAndLogs_AndRegistersAVersionLinkedToTheJob()
    {
        await SeedAsync();
        var (jobId, admin) = await RequestAsync(Small);
        var pending = await JobRowAsync(jobId);
        Assert.Equal((TrainingStatuses.Pending, admin.Id, FeatureCalculator.Version), (pending.Status, pending.StartedBy, pending.FeatureVersion));
        Assert.Contains("\"horizon\": 5", pending.Hyperparameters); // jsonb as PostgreSQL prints it
        Assert.Contains("\"trees\": 20", pending.Hyperparameters);

        var steps = new List<JobStep>();
        var outcome = await WithAsync<TrainingService, TrainingRunOutcome>(t => t.RunAsync(jobId, new SyncProgress(steps)));
        Assert.True(outcome.Status == TaskStatuses.Success, outcome.Error);
        Assert.Equal("v1", outcome.ModelVersion);
        Assert.Contains(steps, s => s.Message.Contains("fold 3 of 3", StringComparison.Ordinal));

        var job = await JobRowAsync(jobId);
        Assert.Equal(TrainingStatuses.Completed, job.Status);
        Assert.Equal(1.0, job.Progress);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.CompletedAt);
        Assert.Null(job.ErrorMessage);
        Assert.InRange(job.Accuracy!.Value, 0.2, 1.0);
        Assert.Contains("Fold 1:", job.Logs);
        Assert.Contains("Fold 3:", job.Logs);
        Assert.Contains("Registered verdict_classifier v1", job.Logs);
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] Requested by admin@test.local", job.Logs);

        await using (var db = await DbAsync())
        {
            var model = await db.MlModels.AsNoTracking().SingleAsync();
            Assert.Equal((jobId, (Guid?)admin.Id, "v1", job.Accuracy), (model.TrainingJobId, model.CreatedBy, model.Version, model.Accuracy));
            Assert.False(model.IsActive);
            Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.Action == AuditActions.TrainingRequested && a.ResourceId == jobId.ToString()));
        }

        var (rows, total) = await WithAsync<TrainingService, (IReadOnlyList<TrainingJobRow>, int)>(t => t.ListJobsAsync(0, 10));
        Assert.Equal(1, total);
        Assert.Equal(("admin@test.local", TrainingStatuses.Completed), (rows[0].StartedByEmail, rows[0].Status));
        var detail = await WithAsync<TrainingService, TrainingJobDetail?>(t => t.JobAsync(jobId));
        Assert.Equal("v1", detail!.ModelVersion);
        Assert.Contains("Fold 2:", detail.Logs);

        // A second run of the same job (a duplicate firing) finds nothing to do.
        var again = await WithAsync<TrainingService, TrainingRunOutcome>(t => t.RunAsync(jobId));
        Assert.Equal(TaskStatuses.Skipped, again.Status);
        await using var check = await DbAsync();
        Assert.Equal(1, await check.MlModels.CountAsync());
    }

    [Fact]
    public async Task Request_WithAnInvalidSpec_NamesEveryProblem_AndStoresNothing()
    {
        var admin = await AdminAsync();
        var spec = new TrainingSpec
        {
            ModelType = ModelTypes.PriceRegressor, Algorithm = Algorithms.Logistic, Horizon = 7, Folds = 1,
            Hyperparameters = new Dictionary<string, double> { ["c"] = 0 },
        };
        var result = await WithAsync<TrainingService, TrainingRequestResult>(t => t.RequestAsync(spec, ActorOf(admin)));
        Assert.False(result.Accepted);
        Assert.Contains(result.Errors, e => e.Contains("'logistic' cannot train a price_regressor", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Horizon must be 5 or 20", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Folds must be between 2 and 10", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("'c' must be between", StringComparison.Ordinal));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.MlTrainingJobs.CountAsync());
        Assert.Equal(0, await db.AuditLogs.CountAsync(a => a.Action == AuditActions.TrainingRequested));
    }

    [Fact]
    public async Task Run_WithNoStoredFeatures_FailsWithAClearMessage()
    {
        var (jobId, _) = await RequestAsync(Small);
        var outcome = await WithAsync<TrainingService, TrainingRunOutcome>(t => t.RunAsync(jobId));
        Assert.Equal(TaskStatuses.Failed, outcome.Status);
        var job = await JobRowAsync(jobId);
        Assert.Equal(TrainingStatuses.Failed, job.Status);
        Assert.StartsWith("No labelled rows in the data window", job.ErrorMessage);
        Assert.Contains("Failed: No labelled rows", job.Logs);
        Assert.NotNull(job.CompletedAt);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.MlModels.CountAsync());
    }

    [Fact]
    public async Task Cancel_APendingJob_CancelsAtOnce_AndItsLaterFiringDoesNothing()
    {
        var (jobId, admin) = await RequestAsync(Small);
        Assert.Null(await WithAsync<TrainingService, string?>(t => t.CancelAsync(jobId, ActorOf(admin))));
        var job = await JobRowAsync(jobId);
        Assert.Equal(TrainingStatuses.Cancelled, job.Status);
        Assert.Contains("Cancelled by admin@test.local", job.Logs);

        var outcome = await WithAsync<TrainingService, TrainingRunOutcome>(t => t.RunAsync(jobId));
        Assert.Equal(TaskStatuses.Skipped, outcome.Status);
        Assert.Equal(TrainingStatuses.Cancelled, (await JobRowAsync(jobId)).Status);
        var twice = await WithAsync<TrainingService, string?>(t => t.CancelAsync(jobId, ActorOf(admin)));
        Assert.Contains("already cancelled", twice);
        await using var db = await DbAsync();
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.Action == AuditActions.TrainingCancelled));
    }

    [Fact]
    public async Task Cancel_ARunningJob_StopsItWithinSeconds_KeepsItCancelled_AndRegistersNothing()
    {
        await SeedAsync();
        // Big enough to run for a long while: the cancel has to be what ends it.
        var slow = Small with { Hyperparameters = new Dictionary<string, double> { ["trees"] = 2000, ["max_depth"] = 10, ["min_samples_leaf"] = 1, ["learning_rate"] = 0.001, ["early_stopping_rounds"] = 0 } };
        var (jobId, admin) = await RequestAsync(slow);
        var run = Task.Run(() => WithAsync<TrainingService, TrainingRunOutcome>(t => t.RunAsync(jobId)));

        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await JobRowAsync(jobId)).Status != TrainingStatuses.Running)
        {
            Assert.True(DateTime.UtcNow < until, "the job never started running");
            Assert.False(run.IsCompleted, "the run ended before it could be cancelled");
            await Task.Delay(50);
        }
        await Task.Delay(500);
        Assert.Null(await WithAsync<TrainingService, string?>(t => t.CancelAsync(jobId, ActorOf(admin))));
        var cancelledAt = DateTime.UtcNow;

        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - cancelledAt} to stop");
        Assert.Equal(TaskStatuses.Cancelled, outcome.Status);
        var job = await JobRowAsync(jobId);
        Assert.Equal(TrainingStatuses.Cancelled, job.Status);
        Assert.Null(job.ErrorMessage);
        Assert.Contains("no model was registered", job.Logs);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.MlModels.CountAsync());
    }

    [Fact]
    public async Task OnHangfire_ARequestedTrainingCompletesOnTheTrainingQueue_AndRunNowWithoutARequestIsSkipped()
    {
        await SeedAsync();
        await StartServersAsync();

        var (jobId, admin) = await RequestAsync(Small);
        var runs = await FinishedRunsAsync(1);
        var run = Assert.Single(runs);
        Assert.True(run.Status == TaskStatuses.Success, run.Error);
        Assert.Equal(("manual", (Guid?)admin.Id), (run.TriggerKind, run.RequestedBy));
        Assert.Contains($"\"training_job_id\":{jobId}", run.Details!.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(TrainingStatuses.Completed, (await JobRowAsync(jobId)).Status);
        var history = Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().JobDetails(run.FireInstanceId).History;
        Assert.Contains(history, h => h.StateName == "Enqueued" && h.Data["Queue"] == JobQueues.Training);

        // Run now on the Jobs page carries no training: the shell says where to start one.
        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.ModelTraining, ActorOf(admin))));
        runs = await FinishedRunsAsync(2);
        Assert.Equal(TaskStatuses.Skipped, runs[1].Status);
        Assert.Contains("Admin → Models", System.Text.RegularExpressions.Regex.Unescape(runs[1].Details!));
    }

    [Fact]
    public async Task OnHangfire_CancelFromTheModelsPage_StopsARunningTrainingWithinSeconds_AndDeletesItsJob()
    {
        await SeedAsync();
        await StartServersAsync();
        var slow = Small with { Hyperparameters = new Dictionary<string, double> { ["trees"] = 2000, ["max_depth"] = 10, ["min_samples_leaf"] = 1, ["learning_rate"] = 0.001, ["early_stopping_rounds"] = 0 } };
        var (jobId, admin) = await RequestAsync(slow);
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await JobRowAsync(jobId)).Status != TrainingStatuses.Running)
        {
            Assert.True(DateTime.UtcNow < until, "the training never started on the training queue");
            await Task.Delay(50);
        }
        await Task.Delay(500);
        Assert.Null(await WithAsync<TrainingService, string?>(t => t.CancelAsync(jobId, ActorOf(admin))));
        var cancelledAt = DateTime.UtcNow;

        var run = Assert.Single(await FinishedRunsAsync(1, seconds: 30));
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - cancelledAt} to stop");
        Assert.Equal(TaskStatuses.Cancelled, run.Status);
        Assert.Equal(TrainingStatuses.Cancelled, (await JobRowAsync(jobId)).Status);
        using var connection = Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        Assert.Equal("Deleted", connection.GetJobData(run.FireInstanceId).State);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.MlModels.CountAsync());
    }

    private Task<List<TaskExecution>> FinishedRunsAsync(int atLeast, int seconds = 120) => FinishedRunsAsync(JobCatalog.ModelTraining, atLeast, seconds);

    [Fact]
    public void StoredHyperparameters_RebuildTheSameSpec()
    {
        var spec = Small with { Horizon = 20, Folds = 4, VolatilityMultiple = 0.75 };
        var job = new MlTrainingJob
        {
            ModelType = spec.ModelType, Algorithm = spec.Algorithm, Hyperparameters = System.Text.Json.JsonSerializer.Serialize(TrainingService.StoredHyperparameters(spec)),
        };
        var back = TrainingService.SpecOf(job);
        Assert.Equal((20, 4, 0.75), (back.Horizon, back.Folds, back.VolatilityMultiple));
        Assert.Equal(spec.ResolvedHyperparameters().OrderBy(p => p.Key), back.ResolvedHyperparameters().OrderBy(p => p.Key));
        Assert.Empty(back.Validate());
    }

    [Theory]
    [InlineData("[2026-11-20 14:30:00] Started.\n[2026-11-20 14:31:05] Fold 1: x [not a time]\n", "2026-11-20T14:31:05Z")]
    [InlineData("ted.\n[2026-11-20 14:30:00] Started.\n", "2026-11-20T14:30:00Z")]
    [InlineData("no stamps at all", null)]
    public void LastLogTime_IsTheLastStampedLine(string tail, string? expected)
        => Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), TrainingService.LastLogTime(tail));

    /// <summary>Collects reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SyncProgress(List<JobStep> steps) : IProgress<JobStep>
    {
        public void Report(JobStep value)
        {
            lock (steps) steps.Add(value);
        }
    }
}
