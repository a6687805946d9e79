using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Models;
using Signalbook.Features.Models.Admin;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>Admin → Models in bUnit over the real services and database: the training form, the jobs grid and the versions.</summary>
public sealed class AdminModelsPageTests : SignalbookTestContext, IAsyncLifetime
{
    private readonly ServiceHarness _harness = new();
    private Guid AdminId { get; set; }

    /// <summary>A fresh database per test: the page lists every job and version, so tests must not see each other's.</summary>
    public override async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        UseDatabase(_harness);
        UseJobs();
        var admin = await _harness.AdminAsync(); // a real account: what the admin does is audited under their id
        AdminId = admin.Id;
        SignIn(AdminId, admin.Email!, Roles.Admin);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _harness.DisposeAsync();
    }

    private static string Metrics(double accuracy, double auc) => $$$"""
        {"horizon": 5, "rows": 900, "oos_rows": 450,
         "walk_forward": {"model": {"accuracy": {{{accuracy}}}, "macro_auc": {{{auc}}}, "sharpe": 0.9},
                          "always_hold": {"accuracy": 0.41, "sharpe": 0}, "momentum": {"accuracy": 0.35, "sharpe": 0.2}},
         "feature_importance": {"ret_5d": 0.6, "rsi_14": 0.4}, "hyperparameters": {"trees": 20}}
        """;

    private async Task<(long Old, long New)> AddTwoVersionsAsync(string modelType)
    {
        await using var db = await _harness.DbAsync();
        var now = _harness.Clock.GetUtcNow();
        var old = new MlModel { ModelType = modelType, Version = "v1", Algorithm = "gbdt", ParamsHash = "a1", FeatureVersion = "f1", Metrics = Metrics(0.44, 0.55),
            Artifact = [1], IsActive = true, CreatedAt = now.AddDays(-2) };
        var fresh = new MlModel { ModelType = modelType, Version = "v2", Algorithm = "logistic", ParamsHash = "b2", FeatureVersion = "f1", Metrics = Metrics(0.47, 0.58),
            Artifact = [1], CreatedAt = now.AddDays(-1) };
        db.MlModels.AddRange(old, fresh);
        await db.SaveChangesAsync();
        return (old.Id, fresh.Id);
    }

    private static IElement VersionCell(IRenderedComponent<AdminModelsPage> page, string version)
        => page.Find($"[data-testid=version-cell][data-version={version}]");

    [Fact]
    public async Task ActivatingAVersion_AfterConfirming_MakesItTheOnlyActiveOne_AndSaysSo()
    {
        await AddTwoVersionsAsync(ModelTypes.VerdictClassifier);
        var page = RenderWithProviders<AdminModelsPage>();
        page.WaitForAssertion(() => Assert.Equal("true", VersionCell(page, "v1").GetAttribute("data-active")), TimeSpan.FromSeconds(10));
        Assert.Contains("(better)", page.Find("[data-testid=compare-table]").TextContent); // v2's accuracy beats v1's

        await page.InvokeAsync(() => page.Find("tr:has([data-testid=version-cell][data-version=v2]) [data-testid=activate]").Click()); // one renderer turn: the jobs grid refreshes every second
        Dialogs.WaitForElement("[data-testid=confirm-ok]");
        Assert.Contains("Make verdict_classifier v2 the active model?", Dialogs.Markup);
        Dialogs.Find("[data-testid=confirm-ok]").Click();

        page.WaitForAssertion(() => Assert.Contains("verdict_classifier v2 is now active.", page.Find("[data-testid=versions-message]").TextContent), TimeSpan.FromSeconds(10));
        // Any node can queue work on Hangfire: re-scoring is queued (a server on some node runs it).
        Assert.Contains("Recommendations are being re-scored", page.Find("[data-testid=versions-message]").TextContent);
        Assert.True(Services.GetRequiredService<Hangfire.JobStorage>().GetMonitoringApi().EnqueuedCount("default") >= 1);
        page.WaitForAssertion(() => Assert.Equal("true", VersionCell(page, "v2").GetAttribute("data-active")), TimeSpan.FromSeconds(10));
        Assert.Equal("false", VersionCell(page, "v1").GetAttribute("data-active"));
        Assert.Single(page.FindAll("[data-testid=active-badge]"));
        await using var db = await _harness.DbAsync();
        Assert.Equal("v2", await db.MlModels.Where(m => m.ModelType == ModelTypes.VerdictClassifier && m.IsActive).Select(m => m.Version).SingleAsync());
    }

    [Fact]
    public async Task RollingBack_AndThenKeepingTheCurrentOne_ChangesNothing()
    {
        await AddTwoVersionsAsync(ModelTypes.PriceRegressor);
        var page = RenderWithProviders<AdminModelsPage>();
        page.WaitForElement("[data-testid=versions-type] button[data-type=price_regressor]");
        await page.InvokeAsync(() => page.Find("[data-testid=versions-type] button[data-type=price_regressor]").Click());
        page.WaitForAssertion(() => Assert.Equal("true", VersionCell(page, "v1").GetAttribute("data-active")), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find("[data-testid=rollback]").Click()); // one renderer turn: the jobs grid refreshes every second
        Dialogs.WaitForElement("[data-testid=confirm-cancel]").Click();
        page.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=confirm-ok]")));
        Assert.Empty(page.FindAll("[data-testid=versions-message]"));
        Assert.Equal("true", VersionCell(page, "v1").GetAttribute("data-active"));
    }

    [Fact]
    public async Task StartingATraining_WithAnOutOfRangeHyperparameter_NamesItUnderTheField_AndStartsNothing()
    {
        int JobCount()
        {
            using var db = _harness.DbAsync().GetAwaiter().GetResult();
            return db.MlTrainingJobs.Count();
        }
        var before = JobCount();
        var page = RenderWithProviders<AdminModelsPage>();
        page.WaitForElement("[data-testid=hp-max_depth]").Change("99");
        await page.InvokeAsync(() => page.Find("[data-testid=start-training]").Click()); // one renderer turn: the jobs grid refreshes every second

        page.WaitForAssertion(() => Assert.Contains("'max_depth' must be between 1 and 12", page.Find("[data-testid=training-errors]").TextContent), TimeSpan.FromSeconds(10));
        var input = page.Find("[data-testid=hp-max_depth]");
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Contains("must be between 1 and 12", input.Closest(".mud-input-control")!.TextContent); // the message sits under its field
        Assert.Equal("false", page.Find("[data-testid=hp-trees]").GetAttribute("aria-invalid"));
        Assert.Empty(page.FindAll("[data-testid=training-message]"));
        await Task.Yield();
        Assert.Equal(before, JobCount());
    }

    [Fact]
    public async Task CancellingAPendingJob_AfterConfirming_ShowsItCancelled()
    {
        long id;
        await using (var db = await _harness.DbAsync())
        {
            var job = new MlTrainingJob { Status = TrainingStatuses.Pending, ModelType = ModelTypes.VerdictClassifier, Algorithm = "gbdt", FeatureVersion = "f1",
                CreatedAt = _harness.Clock.GetUtcNow(), Logs = "requested\n" };
            db.MlTrainingJobs.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
        }
        var page = RenderWithProviders<AdminModelsPage>();
        IElement Status() => page.Find($"tr:has([data-job-id='{id}']) [data-testid=job-status]");
        page.WaitForAssertion(() => Assert.Equal("pending", Status().GetAttribute("data-status")), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find($"tr:has([data-job-id='{id}']) [data-testid=job-cancel]").Click()); // one renderer turn: the jobs grid refreshes every second
        Dialogs.WaitForElement("[data-testid=confirm-ok]").Click();

        page.WaitForAssertion(() => Assert.Equal("cancelled", Status().GetAttribute("data-status")), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll($"tr:has([data-job-id='{id}']) [data-testid=job-cancel]"));
        Snackbars.WaitForAssertion(() => Assert.Contains($"Training job #{id} cancelled.", Snackbars.Markup), TimeSpan.FromSeconds(10));

        await page.InvokeAsync(() => page.Find($"tr:has([data-job-id='{id}']) [data-testid=job-logs-toggle]").Click()); // one renderer turn: the jobs grid refreshes every second
        page.WaitForAssertion(() => Assert.Contains("requested", page.Find("[data-testid=job-logs]").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AJobThatEndsWhileThePageIsOpen_ShowsItsOutcome_AndItsNewVersion_WithoutAReload()
    {
        long id;
        await using (var db = await _harness.DbAsync())
        {
            var job = new MlTrainingJob { Status = TrainingStatuses.Running, ModelType = ModelTypes.VerdictClassifier, Algorithm = "random_forest", FeatureVersion = "f1",
                CreatedAt = _harness.Clock.GetUtcNow(), StartedAt = _harness.Clock.GetUtcNow(), Progress = 0.4 };
            db.MlTrainingJobs.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
        }
        var page = RenderWithProviders<AdminModelsPage>();
        IElement Status() => page.Find($"tr:has([data-job-id='{id}']) [data-testid=job-status]");
        page.WaitForAssertion(() => Assert.Equal("running", Status().GetAttribute("data-status")), TimeSpan.FromSeconds(10));
        Assert.Contains("40 %", page.Find($"tr:has([data-job-id='{id}']) [data-testid=job-progress]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=version-cell][data-version=v9]"));

        // Another node finishes the training and registers its version.
        await using (var db = await _harness.DbAsync())
        {
            var job = await db.MlTrainingJobs.SingleAsync(j => j.Id == id);
            (job.Status, job.Progress, job.CompletedAt, job.Accuracy) = (TrainingStatuses.Completed, 1, _harness.Clock.GetUtcNow(), 0.456);
            db.MlModels.Add(new MlModel { ModelType = ModelTypes.VerdictClassifier, Version = "v9", Algorithm = "random_forest", ParamsHash = "c9", FeatureVersion = "f1",
                Metrics = Metrics(0.456, 0.6), Artifact = [1], TrainingJobId = id, CreatedAt = _harness.Clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        page.WaitForAssertion(() => Assert.Equal("completed", Status().GetAttribute("data-status")), TimeSpan.FromSeconds(15));
        Assert.Contains("45.6 %", page.Find($"tr:has([data-job-id='{id}']) [data-testid=job-accuracy]").TextContent);
        page.WaitForAssertion(() => Assert.Equal("false", VersionCell(page, "v9").GetAttribute("data-active")), TimeSpan.FromSeconds(15));
    }
}
