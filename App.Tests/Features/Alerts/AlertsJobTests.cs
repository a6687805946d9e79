using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Alerts;
using Signalbook.Features.Audit;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Alerts;

/// <summary>The alerts job runs after a sync: daily sync → features → recommendations → alerts, as continuations on Hangfire.</summary>
public sealed class AlertsJobTests : JobsHarness
{
    [Fact]
    public async Task DailySync_ContinuesThroughRecommendationsToTheAlertsJob_WhichFiresARuleOnTheNewBars()
    {
        var info = DemoProvider.Universe[0];
        var instrument = await WithAsync<InstrumentService, long>(s => s.EnsureAsync(info));
        var trader = await CreateUserAsync($"alerts-job-{Guid.NewGuid():N}@alerts.test", Roles.Trader);
        // Any daily move at all: the demo's random walk never closes two sessions at exactly the same price.
        var rule = await WithAsync<AlertRuleService, long>(s => s.CreateAsync(AlertCaller.Trader(trader.Id),
            new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = instrument, Threshold = 0.0001 }));
        await StartServersAsync();
        Assert.Null(await WithAsync<JobsService, string?>(j => j.RunNowAsync(JobCatalog.DailySync, new AuditActor(null, "admin@test.local", "127.0.0.1"))));

        var run = Assert.Single(await FinishedRunsAsync(JobCatalog.Alerts, 1, seconds: 240));
        var recommendations = Assert.Single(await FinishedRunsAsync(JobCatalog.Recommendations, 1, seconds: 0));
        Assert.True(run.Status == TaskStatuses.Success, run.Error);
        Assert.Equal("chained", run.TriggerKind);
        Assert.True(recommendations.Id < run.Id);
        Assert.Contains("\"alerts_job\"", recommendations.Details);
        Assert.Contains("\"alerts_fired\": 1", run.Details);

        await using var db = await DbAsync();
        var newest = await db.PriceBars.Where(p => p.InstrumentId == instrument && p.Interval == Intervals.OneDay).MaxAsync(p => p.Ts);
        var alert = Assert.Single(await db.Alerts.AsNoTracking().Where(a => a.RuleId == rule).ToListAsync());
        Assert.Equal((newest, info.Symbol), (alert.BarTs, alert.Symbol));
        Assert.Equal(1, await db.Notifications.CountAsync(n => n.UserId == trader.Id));
    }
}
