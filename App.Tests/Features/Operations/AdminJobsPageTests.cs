using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Operations.Admin;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations;

/// <summary>
/// Admin → Jobs over a real database and the app's Hangfire storage (no server started: what the page queues stays
/// queued): the catalogue with schedules, pausing and resuming a schedule after confirming, Run now, and the history
/// grid filtered in SQL.
/// </summary>
public sealed class AdminJobsPageTests : SignalbookTestContext, IAsyncLifetime
{
    private readonly ServiceHarness _harness = new();

    public override async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        UseDatabase(_harness);
        UseJobs();
        var admin = await _harness.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        // The recurring schedules are written at start-up by the app; do the same here.
        Services.GetRequiredService<RecurringSchedules>().Apply();

        await using var db = await _harness.DbAsync();
        var at = new DateTimeOffset(2026, 11, 30, 21, 30, 0, TimeSpan.Zero);
        db.TaskExecutions.AddRange(
            new TaskExecution { TaskName = JobCatalog.DailySync, ExecutedAt = at, FinishedAt = at.AddSeconds(12), DurationSeconds = 12, Status = TaskStatuses.Success, NodeName = "node-a", Details = "{\"bars\":30}" },
            new TaskExecution { TaskName = JobCatalog.Features, ExecutedAt = at.AddMinutes(1), FinishedAt = at.AddMinutes(2), DurationSeconds = 61, Status = TaskStatuses.Failed, NodeName = "node-b", Error = "InvalidOperationException: no bars", TriggerKind = "chained" });
        await db.SaveChangesAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _harness.DisposeAsync();
    }

    [Fact]
    public void Page_ListsEveryJob_WithItsScheduleAndLastRun()
    {
        var page = RenderWithProviders<AdminJobs>();
        page.WaitForAssertion(() => Assert.Equal(JobCatalog.All.Count, page.FindAll("[data-testid=job-row]").Count));
        var sync = page.Find($"[data-testid=job-row][data-job={JobCatalog.DailySync}]");
        Assert.Contains("30 16 * * MON-FRI", sync.TextContent);
        Assert.Contains("America/New_York", sync.TextContent);
        Assert.Equal("success", sync.QuerySelector("[data-testid=job-last-run] [data-testid=status-chip]")?.GetAttribute("data-status"));
        Assert.Contains("12.0 s", sync.TextContent);
        var features = page.Find($"[data-testid=job-row][data-job={JobCatalog.Features}]");
        Assert.Contains("on demand or chained", features.TextContent);
        Assert.Contains("no bars", features.TextContent);
        Assert.True(page.Find($"[data-testid=job-row][data-job={JobCatalog.ModelTraining}] [data-testid=run-now]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task PausingASchedule_AsksFirst_ThenShowsItPaused_AndResumeBringsItBack()
    {
        var page = RenderWithProviders<AdminJobs>();
        var retention = $"[data-testid=job-row][data-job={JobCatalog.Retention}]";
        page.WaitForElement($"{retention} [data-testid=pause]");
        await page.InvokeAsync(() => page.Find($"{retention} [data-testid=pause]").Click()); // one renderer turn: the page polls

        Dialogs.WaitForElement("[data-testid=confirm-cancel]").Click(); // changed their mind: nothing happens
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"{retention} [data-testid=pause]")));
        Assert.DoesNotContain("paused", page.Find($"{retention} [data-testid=job-next]").TextContent);

        await page.InvokeAsync(() => page.Find($"{retention} [data-testid=pause]").Click());
        Dialogs.WaitForElement("[data-testid=confirm-ok]").Click();
        page.WaitForAssertion(() => Assert.Equal("paused", page.Find($"{retention} [data-testid=job-next]").TextContent.Trim()));
        Assert.Contains("schedule is paused", page.Find("[data-testid=jobs-message]").TextContent);

        await page.InvokeAsync(() => page.Find($"{retention} [data-testid=resume]").Click());
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"{retention} [data-testid=job-next] time")));
        Assert.Contains("running again", page.Find("[data-testid=jobs-message]").TextContent);
    }

    [Fact]
    public async Task RunNow_AfterConfirming_QueuesTheJob_AndSaysSo()
    {
        var page = RenderWithProviders<AdminJobs>();
        page.WaitForElement($"[data-testid=job-row][data-job={JobCatalog.Features}] [data-testid=run-now]");
        await page.InvokeAsync(() => page.Find($"[data-testid=job-row][data-job={JobCatalog.Features}] [data-testid=run-now]").Click()); // one renderer turn: the page polls
        Dialogs.WaitForElement("[data-testid=confirm-ok]").Click();
        page.WaitForAssertion(() => Assert.Contains("features started", page.Find("[data-testid=jobs-message]").TextContent));

        var monitor = Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi();
        Assert.True(monitor.EnqueuedCount("default") >= 1, "the job waits in Hangfire's default queue for a server");
    }

    [Fact]
    public async Task History_FilteredByStatus_ShowsOnlyThoseRuns()
    {
        var page = RenderWithProviders<AdminJobs>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=history-grid] tbody tr.mud-table-row").Count));

        await page.InvokeAsync(() => page.Find("[data-testid=history-status]").Closest(".mud-select")!.MouseDown());
        Popovers.WaitForAssertion(() => Assert.Contains(Popovers.FindAll(".mud-list-item"), i => i.TextContent.Trim() == "failed"));
        Popovers.FindAll(".mud-list-item").First(i => i.TextContent.Trim() == "failed").Click();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll("[data-testid=history-grid] tbody tr.mud-table-row");
            var row = Assert.Single(rows);
            Assert.Contains("features", row.TextContent);
            Assert.Contains("no bars", row.TextContent);
            Assert.Contains("chained", row.TextContent);
        });
    }
}
