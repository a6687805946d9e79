using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Operations.SystemStatus;
using Signalbook.Features.Operations.SystemStatus.Pages;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations.SystemStatus;

/// <summary>Admin → System over a real database: the attention list, the node table and a chart per group of series.</summary>
public sealed class AdminSystemPageTests : SignalbookTestContext, IAsyncLifetime
{
    private readonly ServiceHarness _harness = new();

    public override async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        UseDatabase(_harness);
        var admin = await _harness.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _harness.DisposeAsync();
    }

    [Fact]
    public void AnEmptySystem_SaysNothingNeedsAttention_AndThatThereAreNoSamples()
    {
        var page = RenderWithProviders<AdminSystem>();
        page.WaitForAssertion(() => Assert.Contains("Nothing needs attention", page.Markup));
        Assert.Contains("No node has checked in", page.Markup);
        Assert.Contains("No samples in this window", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=system-chart]"));
    }

    [Fact]
    public async Task WithSamplesAFailedJobAndNodes_ThePageChartsTheSeries_AndListsWhatNeedsAttention()
    {
        var now = _harness.Clock.GetUtcNow();
        await using (var db = await _harness.DbAsync())
        {
            db.TaskExecutions.Add(new TaskExecution { TaskName = JobCatalog.DailySync, ExecutedAt = now.AddHours(-1), Status = TaskStatuses.Failed, Error = "HttpRequestException: 503", NodeName = "node-a" });
            db.ServiceStatuses.Add(new ServiceStatus { NodeName = "node-a", ServiceRunning = true, LastHeartbeat = now.AddSeconds(-10), CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync();
        }
        _harness.Clock.Advance(TimeSpan.FromMinutes(-10));
        await _harness.WithAsync<StatisticsSampler, StatisticsSample>(s => s.SampleAsync());
        _harness.Clock.Advance(TimeSpan.FromMinutes(10));
        await _harness.WithAsync<StatisticsSampler, StatisticsSample>(s => s.SampleAsync());

        var page = RenderWithProviders<AdminSystem>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=system-chart]")));
        var charts = page.FindAll("[data-testid=system-chart]").Select(c => c.GetAttribute("data-chart")).ToList();
        Assert.Equal(["users", "data", "jobs", "errors", "db"], charts);
        Assert.Contains("Users 1", page.Find("[data-testid=system-chart][data-chart=users]").TextContent);
        Assert.Contains("Success rate (24 h) 0.0", page.Find("[data-testid=system-chart][data-chart=jobs]").TextContent);

        var item = page.Find($"[data-testid=attention-item][data-kind={AttentionKinds.FailingJob}]");
        Assert.Contains($"Job {JobCatalog.DailySync} failed 1 time in 24 h", item.TextContent);
        Assert.Contains("HttpRequestException: 503", item.TextContent);
        Assert.Contains("running", page.Find("[data-testid=node-row][data-node=node-a]").TextContent);
    }
}
