using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Models;
using Signalbook.Features.Models.Admin;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>The training form on Admin → Models with LightGBM chosen: its own hyperparameters, their messages, and the request it stores.</summary>
public sealed class LightGbmTrainingFormTests : PageTestContext
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        UseJobs();
        SignInAdmin();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private async Task<IRenderedComponent<TrainingForm>> FormWithLightGbmAsync()
    {
        var form = RenderWithProviders<TrainingForm>();
        await form.InvokeAsync(() => form.Find("[data-testid=algorithm]").Closest(".mud-select")!.MouseDown());
        var item = Popovers.WaitForElements(".mud-list-item").First(e => e.TextContent.Trim() == Algorithms.LightGbm);
        await Popovers.InvokeAsync(() => item.Click());
        form.WaitForAssertion(() => Assert.Contains("Hyperparameters of lightgbm", form.Find("[data-testid=hyperparameters] legend").TextContent));
        return form;
    }

    private async Task<List<MlTrainingJob>> JobsAsync()
    {
        await using var db = await Db.DbAsync();
        return await db.MlTrainingJobs.AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task ChoosingLightGbm_ShowsItsHyperparametersWithDefaults_AndATooLargeLeafCountIsNamedUnderItsField()
    {
        var form = await FormWithLightGbmAsync();
        foreach (var name in new[] { "trees", "learning_rate", "num_leaves", "max_depth", "min_data_in_leaf", "l2", "subsample", "colsample", "early_stopping_rounds", "seed" })
            Assert.NotNull(form.Find($"[data-testid=hp-{name}]"));
        Assert.Empty(form.FindAll("[data-testid=hp-min_samples_leaf]")); // the GBDT's own field is gone
        Assert.Equal("15", form.Find("[data-testid=hp-num_leaves]").GetAttribute("value"));
        Assert.Contains("Leaves per tree", form.Find("[data-testid=hp-num_leaves]").Closest(".mud-input-control")!.TextContent);

        await form.InvokeAsync(() => form.Find("[data-testid=hp-num_leaves]").Change("63"));
        await form.InvokeAsync(() => form.Find("[data-testid=hp-max_depth]").Change("4"));
        await form.InvokeAsync(() => form.Find("[data-testid=start-training]").Click());

        form.WaitForAssertion(() => Assert.Contains("'num_leaves' (63) is more than a tree of max_depth 4 can hold (16)", form.Find("[data-testid=training-errors]").TextContent),
            TimeSpan.FromSeconds(10));
        var leaves = form.Find("[data-testid=hp-num_leaves]");
        Assert.Equal("true", leaves.GetAttribute("aria-invalid"));
        Assert.Contains("raise max_depth or lower num_leaves", leaves.Closest(".mud-input-control")!.TextContent);
        Assert.Equal("false", form.Find("[data-testid=hp-trees]").GetAttribute("aria-invalid"));
        Assert.Empty(await JobsAsync());

        await form.InvokeAsync(() => form.Find("[data-testid=hp-subsample]").Change("1.5"));
        await form.InvokeAsync(() => form.Find("[data-testid=start-training]").Click());
        form.WaitForAssertion(() => Assert.Contains("'subsample' must be between 0.1 and 1 (got 1.5)", form.Find("[data-testid=training-errors]").TextContent),
            TimeSpan.FromSeconds(10));
        Assert.Equal("true", form.Find("[data-testid=hp-subsample]").GetAttribute("aria-invalid"));
        Assert.Empty(await JobsAsync());
    }

    [Fact]
    public async Task StartingALightGbmTraining_QueuesAJobForLightGbm_WithTheGivenHyperparameters()
    {
        var form = await FormWithLightGbmAsync();
        await form.InvokeAsync(() => form.Find("[data-testid=hp-num_leaves]").Change("31"));
        await form.InvokeAsync(() => form.Find("[data-testid=start-training]").Click());

        form.WaitForAssertion(() => Assert.Contains("queued", form.Find("[data-testid=training-message]").TextContent), TimeSpan.FromSeconds(10));
        var job = Assert.Single(await JobsAsync());
        Assert.Equal((Algorithms.LightGbm, ModelTypes.VerdictClassifier, TrainingStatuses.Pending), (job.Algorithm, job.ModelType, job.Status));
        var spec = TrainingService.SpecOf(job);
        Assert.Equal(Algorithms.LightGbm, spec.Algorithm);
        Assert.Equal(31, spec.ResolvedHyperparameters()["num_leaves"]);
        Assert.Equal(300, spec.ResolvedHyperparameters()["trees"]);
        Assert.IsType<LightGbmLearner>(spec.Learner());
    }
}
