using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Quartz;
using Signalbook.Features.Audit;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Jobs;

/// <summary>The market-data jobs on a real scheduler: sync, the chained features run, skipping outside the session.</summary>
public sealed class MarketDataJobsTests : ServiceHarness
{
    private static readonly AuditActor Admin = new(null, "admin@test.local", "127.0.0.1");

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddScoped<JobsService>();
        services.AddSingleton<NodeHeartbeat>();
        services.AddOptions<JobsOptions>().Configure(o => o.NodeName = "jobs-test");
        services.AddQuartzScheduler(ConnectionString, new JobsOptions { NodeName = "jobs-test", ClusterCheckinMilliseconds = 1000 });
    }

    public override async Task DisposeAsync()
    {
        await (await Services.GetRequiredService<ISchedulerFactory>().GetScheduler()).Shutdown(waitForJobsToComplete: true);
        await base.DisposeAsync();
    }

    private async Task StartAsync(int instruments)
    {
        foreach (var info in DemoProvider.Universe.Take(instruments))
            await WithAsync<InstrumentService, long>(s => s.EnsureAsync(info));
        await Services.GetRequiredService<NodeHeartbeat>().BeatAsync(running: true, default);
        await (await Services.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
    }

    private async Task<List<TaskExecution>> FinishedRunsAsync(string task, int atLeast)
    {
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            await using var db = await DbAsync();
            var runs = await db.TaskExecutions.AsNoTracking().Where(t => t.TaskName == task && t.Status != TaskStatuses.Running).OrderBy(t => t.Id).ToListAsync();
            if (runs.Count >= atLeast || DateTime.UtcNow > until) return runs;
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task DailySync_RunNow_FetchesBars_ChainsFeaturesAndRegimes_AndASecondRunFetchesNothing()
    {
        await StartAsync(instruments: 2);
        var refusal = await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.DailySync, Admin));
        Assert.Null(refusal);

        var sync = Assert.Single(await FinishedRunsAsync(JobCatalog.DailySync, 1));
        Assert.True(sync.Status == TaskStatuses.Success, sync.Error);
        Assert.Equal("manual", sync.TriggerKind);
        Assert.Contains("\"instruments_ok\": 2", sync.Details);
        Assert.Contains("\"chained\": \"features\"", sync.Details);

        var features = Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1));
        Assert.True(features.Status == TaskStatuses.Success, features.Error);
        Assert.Equal("chained", features.TriggerKind);
        await using (var db = await DbAsync())
        {
            var bars = await db.PriceBars.CountAsync(p => p.Interval == Intervals.OneDay);
            Assert.InRange(bars, 2 * 750, 2 * 760); // three years of sessions each
            Assert.Equal(bars, await db.Features.CountAsync(f => f.Interval == Intervals.OneDay));
            Assert.Equal(2, await db.RegimeModels.CountAsync());
            Assert.True(await db.Features.CountAsync(f => f.StateId != null) > 2 * 600);
        }

        // Nothing new: the sync succeeds with no bars and chains nothing.
        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.DailySync, Admin)));
        var runs = await FinishedRunsAsync(JobCatalog.DailySync, 2);
        Assert.Equal(TaskStatuses.Success, runs[1].Status);
        Assert.Contains("\"bars_fetched\": 0", runs[1].Details);
        Assert.DoesNotContain("chained", runs[1].Details);
        await Task.Delay(1500);
        Assert.Single(await FinishedRunsAsync(JobCatalog.Features, 1));

        var list = await WithAsync<JobsService, IReadOnlyList<JobRow>>(j => j.ListAsync());
        Assert.Equal(runs[1].Id, list.Single(j => j.Name == JobCatalog.DailySync).LastRun!.Id);
        Assert.Equal("0 30 16 ? * MON-FRI", list.Single(j => j.Name == JobCatalog.DailySync).Cron);
        var (history, total) = await WithAsync<JobsService, (IReadOnlyList<JobRunSummary>, int)>(j => j.HistoryAsync(new JobHistoryQuery(TaskName: JobCatalog.DailySync)));
        Assert.Equal(2, total);
        Assert.Equal(runs.Select(r => r.Id).Reverse(), history.Select(h => h.Id));
    }

    [Fact]
    public async Task IntradaySync_FiredByItsScheduleWhileTheMarketIsClosed_IsSkipped_ButRunNowSyncs()
    {
        await StartAsync(instruments: 1);
        Clock.Advance(TimeSpan.FromDays(1)); // Saturday 21 November 2026
        var scheduler = await Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await scheduler.TriggerJob(new JobKey(JobCatalog.IntradaySync, JobsSetup.Group));
        var skipped = Assert.Single(await FinishedRunsAsync(JobCatalog.IntradaySync, 1));
        Assert.Equal(TaskStatuses.Skipped, skipped.Status);
        Assert.Contains("session is closed", skipped.Details);
        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.IntradaySync, Admin)));
        var runs = await FinishedRunsAsync(JobCatalog.IntradaySync, 2);
        Assert.True(runs[1].Status == TaskStatuses.Success, string.Join(" / ", runs.Select(r => $"{r.Id} {r.Status} {r.TriggerKind} {r.FireInstanceId} {r.Details}")));
        await using var db = await DbAsync();
        var intraday = await db.PriceBars.CountAsync(p => p.Interval == Intervals.FifteenMinutes);
        Assert.True(intraday >= 19 * 26, $"{intraday} bars; run: {runs[1].Details}");
    }
}
