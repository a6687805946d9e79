using Hangfire;
using Hangfire.Storage;
using Hangfire.Storage.Monitoring;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.MarketData.Sync;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Jobs;

/// <summary>
/// The catalogue's jobs on Hangfire with the app's set-up: the sync → features → recommendations chain as
/// continuations, skipping outside the session, schedules (overrides, time zones, pause and resume) and the
/// analysis an import queues.
/// </summary>
public sealed class MarketDataJobsTests : JobsHarness
{
    private static readonly AuditActor Admin = new(null, "admin@test.local", "127.0.0.1");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Jobs:Schedules:features"] = "0 3 * * *",
        ["Jobs:Schedules:market-data-retention"] = "",
    };

    private async Task AddInstrumentsAsync(int instruments)
    {
        foreach (var info in DemoProvider.Universe.Take(instruments))
            await WithAsync<InstrumentService, long>(s => s.EnsureAsync(info));
    }

    private StateHistoryDto[] HistoryOf(string jobId) => Services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId).History.ToArray();

    [Fact]
    public async Task DailySync_RunNow_ContinuesWithFeaturesThenRecommendations_AndASecondRunFetchesNothingAndContinuesWithNothing()
    {
        await AddInstrumentsAsync(2);
        await StartServersAsync();
        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.DailySync, Admin)));

        var sync = Assert.Single(await FinishedRunsAsync(JobCatalog.DailySync, 1));
        var features = Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1));
        var recommendations = Assert.Single(await FinishedRunsAsync(JobCatalog.Recommendations, 1));
        Assert.True(sync.Status == TaskStatuses.Success, sync.Error);
        Assert.True(features.Status == TaskStatuses.Success, features.Error);
        Assert.True(recommendations.Status == TaskStatuses.Success, recommendations.Error);
        Assert.Equal(("manual", "chained", "chained"), (sync.TriggerKind, features.TriggerKind, recommendations.TriggerKind));
        Assert.Contains("\"instruments_ok\": 2", sync.Details);
        Assert.Contains("\"continued_with\": \"features\"", sync.Details);
        Assert.Contains("\"continued_with\": \"recommendations\"", features.Details);
        Assert.True(sync.Id < features.Id && features.Id < recommendations.Id);

        // Continuations, not jobs starting jobs: each waited on its parent, and ran once the parent had succeeded.
        Assert.Contains(HistoryOf(features.FireInstanceId!), h => h.StateName == "Awaiting" && h.Data["ParentId"] == sync.FireInstanceId);
        Assert.Contains(HistoryOf(recommendations.FireInstanceId!), h => h.StateName == "Awaiting" && h.Data["ParentId"] == features.FireInstanceId);
        // Hangfire stamps the two states from different transactions; one fresh-clone run in three saw the child's
        // Processing stamped a few milliseconds before the parent's Succeeded. The order is what Awaiting/ParentId above
        // guarantees; this checks it to within that stamping noise.
        var parentSucceeded = HistoryOf(sync.FireInstanceId!).Single(h => h.StateName == "Succeeded").CreatedAt;
        var childProcessing = HistoryOf(features.FireInstanceId!).Single(h => h.StateName == "Processing").CreatedAt;
        Assert.True(parentSucceeded <= childProcessing.AddMilliseconds(250), $"parent succeeded at {parentSucceeded:O}, child processing at {childProcessing:O}");

        await using (var db = await DbAsync())
        {
            var bars = await db.PriceBars.CountAsync(p => p.Interval == Intervals.OneDay);
            Assert.InRange(bars, 2 * 750, 2 * 760); // three years of sessions each
            Assert.Equal(bars, await db.Features.CountAsync(f => f.Interval == Intervals.OneDay));
            Assert.Equal(2, await db.RegimeModels.CountAsync());
            Assert.True(await db.Features.CountAsync(f => f.StateId != null) > 2 * 600);
        }

        // Nothing new: the sync succeeds with no bars and nothing follows it.
        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.DailySync, Admin)));
        var runs = await FinishedRunsAsync(JobCatalog.DailySync, 2);
        Assert.Equal(TaskStatuses.Success, runs[1].Status);
        Assert.Contains("\"bars_fetched\": 0", runs[1].Details);
        Assert.DoesNotContain("continued_with", runs[1].Details);
        await Task.Delay(1500);
        Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1, seconds: 0));

        var list = await WithAsync<JobsService, IReadOnlyList<JobRow>>(j => j.ListAsync());
        Assert.Equal(runs[1].Id, list.Single(j => j.Name == JobCatalog.DailySync).LastRun!.Id);
        var (history, total) = await WithAsync<JobsService, (IReadOnlyList<JobRunSummary>, int)>(j => j.HistoryAsync(new JobHistoryQuery(TaskName: JobCatalog.DailySync)));
        Assert.Equal(2, total);
        Assert.Equal(runs.Select(r => r.Id).Reverse(), history.Select(h => h.Id));
    }

    [Fact]
    public async Task IntradaySync_FiredByItsScheduleWhileTheMarketIsClosed_IsSkipped_ButRunNowSyncs()
    {
        await AddInstrumentsAsync(1);
        await StartServersAsync();
        Clock.Advance(TimeSpan.FromDays(1)); // Saturday 21 November 2026
        ((RecurringJobManager)Services.GetRequiredService<IRecurringJobManager>()).TriggerJob(JobCatalog.IntradaySync); // its recurring job, as its cron fires it
        var skipped = Assert.Single(await FinishedRunsAsync(JobCatalog.IntradaySync, 1));
        Assert.Equal((TaskStatuses.Skipped, "cron"), (skipped.Status, skipped.TriggerKind));
        Assert.Contains("session is closed", skipped.Details);

        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.IntradaySync, Admin)));
        var runs = await FinishedRunsAsync(JobCatalog.IntradaySync, 2);
        Assert.True(runs[1].Status == TaskStatuses.Success, string.Join(" / ", runs.Select(r => $"{r.Id} {r.Status} {r.TriggerKind} {r.Details}")));
        await using var db = await DbAsync();
        var intraday = await db.PriceBars.CountAsync(p => p.Interval == Intervals.FifteenMinutes);
        Assert.True(intraday >= 19 * 26, $"{intraday} bars; run: {runs[1].Details}");
    }

    [Fact]
    public async Task Schedules_AreRegisteredWithTheirCronAndTimeZone_Overridable_AndPauseRemovesThemUntilResumed()
    {
        await StartServersAsync();
        var storage = Services.GetRequiredService<JobStorage>();
        Dictionary<string, RecurringJobDto> Recurring()
        {
            using var connection = storage.GetConnection();
            return connection.GetRecurringJobs().ToDictionary(r => r.Id);
        }

        var recurring = Recurring();
        Assert.Equal(["features", "market-data-daily-sync", "market-data-intraday-sync", "operations-retention"], recurring.Keys.Order());
        Assert.Equal(("30 16 * * MON-FRI", "America/New_York"), (recurring[JobCatalog.DailySync].Cron, recurring[JobCatalog.DailySync].TimeZoneId));
        Assert.Equal(("2/15 9-16 * * MON-FRI", "America/New_York"), (recurring[JobCatalog.IntradaySync].Cron, recurring[JobCatalog.IntradaySync].TimeZoneId));
        Assert.Equal("0 3 * * *", recurring[JobCatalog.Features].Cron); // Jobs:Schedules:features
        // 16:30 in New York is 21:30 UTC in winter.
        Assert.Equal(new TimeOnly(21, 30), TimeOnly.FromDateTime(recurring[JobCatalog.DailySync].NextExecution!.Value));

        var rows = await WithAsync<JobsService, IReadOnlyList<JobRow>>(j => j.ListAsync());
        var daily = rows.Single(j => j.Name == JobCatalog.DailySync);
        Assert.Equal(("30 16 * * MON-FRI", false), (daily.Cron, daily.Paused));
        Assert.NotNull(daily.NextFire);
        Assert.Null(rows.Single(j => j.Name == JobCatalog.Retention).Cron); // Jobs:Schedules:market-data-retention is empty

        await WithAsync<JobsService, bool>(async j => { await j.PauseAsync(JobCatalog.DailySync, Admin); return true; });
        Assert.DoesNotContain(JobCatalog.DailySync, Recurring().Keys);
        Services.GetRequiredService<RecurringSchedules>().Apply(); // what every node does at start: a pause survives it
        Assert.DoesNotContain(JobCatalog.DailySync, Recurring().Keys);
        daily = (await WithAsync<JobsService, IReadOnlyList<JobRow>>(j => j.ListAsync())).Single(j => j.Name == JobCatalog.DailySync);
        Assert.Equal(("30 16 * * MON-FRI", true), (daily.Cron, daily.Paused));
        Assert.Null(daily.NextFire);

        await WithAsync<JobsService, bool>(async j => { await j.ResumeAsync(JobCatalog.DailySync, Admin); return true; });
        Assert.Equal("30 16 * * MON-FRI", Recurring()[JobCatalog.DailySync].Cron);
        Assert.False((await WithAsync<JobsService, IReadOnlyList<JobRow>>(j => j.ListAsync())).Single(j => j.Name == JobCatalog.DailySync).Paused);
        await using var db = await DbAsync();
        Assert.Equal([AuditActions.JobPaused, AuditActions.JobResumed],
            await db.AuditLogs.Where(a => a.Action.StartsWith("job.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync());
    }

    [Fact]
    public async Task AnalysisQueue_QueuedWithoutAServer_RunsFeaturesForTheImportedInstrumentOnly_ThenRecommendations()
    {
        await AddInstrumentsAsync(2);
        var instruments = await WithAsync<InstrumentService, IReadOnlyList<(long Id, string Symbol)>>(s => s.ActiveIdsAsync());
        var imported = instruments[0];
        Assert.NotEqual("failed", (await WithAsync<MarketDataSyncService, SyncResult>(s => s.SyncAsync(imported.Id, Intervals.OneDay))).Status);

        var queue = Services.GetRequiredService<IInstrumentAnalysisQueue>();
        Assert.Null(await queue.EnqueueAsync([], "nothing imported"));
        var id = await queue.EnqueueAsync([imported.Id], $"import of {imported.Symbol}.csv");
        Assert.NotNull(id);
        Assert.Equal("Enqueued", HistoryOf(id).First().StateName); // queued with no server running on this node

        await StartServersAsync();
        var features = Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1));
        Assert.True(features.Status == TaskStatuses.Success, features.Error);
        Assert.Equal((id, "chained"), (features.FireInstanceId, features.TriggerKind));
        Assert.Contains("\"instruments\": 1", features.Details);
        Assert.Contains($"import of {imported.Symbol}.csv", features.Details);
        var recommendations = Assert.Single(await FinishedRunsAsync(JobCatalog.Recommendations, 1));
        Assert.True(recommendations.Status == TaskStatuses.Success, recommendations.Error);
        Assert.Contains(HistoryOf(recommendations.FireInstanceId!), h => h.StateName == "Awaiting" && h.Data["ParentId"] == id);

        await using var db = await DbAsync();
        Assert.True(await db.Features.CountAsync(f => f.InstrumentId == imported.Id) > 700);
        Assert.Equal(0, await db.Features.CountAsync(f => f.InstrumentId == instruments[1].Id));
        Assert.Equal(1, await db.RegimeModels.CountAsync());
    }

    [Fact]
    public async Task AnalysisQueue_ForNoActiveInstrument_FailsAsInvalidAtOnce_WithoutRetries()
    {
        await StartServersAsync();
        var id = await Services.GetRequiredService<IInstrumentAnalysisQueue>().EnqueueAsync([987654], "import of a deleted instrument");
        var run = Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1));
        Assert.Equal((TaskStatuses.Failed, id), (run.Status, run.FireInstanceId));
        Assert.StartsWith("None of the instruments 987654 exists and is active", run.Error);
        await Task.Delay(1500);
        Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1, seconds: 0)); // features retries other failures after 30 s; not this one
        Assert.Equal("Failed", HistoryOf(id!).First().StateName);
    }
}
