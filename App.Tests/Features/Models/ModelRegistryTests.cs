using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Audit;
using Signalbook.Features.Models;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

public sealed class ModelRegistryTests : ServiceHarness
{
    private static readonly AuditActor Admin = new(null, "admin@test.local", "127.0.0.1");
    private static readonly string[] Names = ["ret_5d", "rsi_14"];

    /// <summary>A small logistic model on a separable toy set: y = 1 when the first feature is positive.</summary>
    private static (ITrainedModel Model, FeatureMatrix X) Train(double c)
    {
        var rows = Enumerable.Range(0, 40).Select(i => new[] { (i - 20) / 10.0, (i % 7) / 7.0 }).ToList();
        var x = FeatureMatrix.FromRows(rows);
        var y = rows.Select(r => r[0] > 0 ? 1 : 0).ToArray();
        return (new LogisticLearner(new LogisticOptions { C = c }).Fit(TrainingSet.Classification(x, y, 2)), x);
    }

    private static ModelProvenance Provenance(double c, DateTimeOffset? to = null) => new(ModelTypes.VerdictClassifier, "logistic",
        new Dictionary<string, object?> { ["C"] = c }, "f1", new DateTimeOffset(2012, 9, 4, 0, 0, 0, TimeSpan.Zero), to ?? new DateTimeOffset(2016, 12, 30, 0, 0, 0, TimeSpan.Zero), Names);

    [Fact]
    public void ParamsHash_CoversHyperparametersAndTheDataWindow_AndIsStable()
    {
        Assert.Equal(Provenance(1).ParamsHash(), Provenance(1).ParamsHash());
        Assert.NotEqual(Provenance(1).ParamsHash(), Provenance(2).ParamsHash());
        Assert.NotEqual(Provenance(1).ParamsHash(), Provenance(1, to: new DateTimeOffset(2017, 6, 30, 0, 0, 0, TimeSpan.Zero)).ParamsHash());
        Assert.NotEqual(Provenance(1).ParamsHash(), (Provenance(1) with { FeatureVersion = "f2" }).ParamsHash());
    }

    [Fact]
    public async Task Register_Activate_RollBack_TheActiveModelServesItsStoredArtifact()
    {
        var (first, x) = Train(1);
        var (second, _) = Train(0.01);
        var v1 = await WithAsync<ModelRegistry, ModelVersionRow>(r => r.RegisterAsync(first, Provenance(1), new Dictionary<string, object?> { ["auc"] = 1.0 }));
        var v2 = await WithAsync<ModelRegistry, ModelVersionRow>(r => r.RegisterAsync(second, Provenance(0.01), new Dictionary<string, object?> { ["auc"] = 0.99 }));
        Assert.Equal(("v1", "v2"), (v1.Version, v2.Version));
        Assert.False(v1.IsActive);

        await using (var scope = Scope())
        {
            var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
            Assert.Null(await registry.ActiveAsync(ModelTypes.VerdictClassifier));
            await registry.ActivateAsync(v1.Id, Admin);
            await registry.ActivateAsync(v2.Id, Admin);

            var active = await registry.ActiveAsync(ModelTypes.VerdictClassifier);
            Assert.NotNull(active);
            Assert.Equal("v2", active.Value.Version.Version);
            Assert.Equal(Names, active.Value.FeatureNames);
            Assert.Equal(second.PredictValues(x), active.Value.Model.PredictValues(x)); // bit for bit from the stored artifact

            Assert.Equal("v1", await registry.RollBackAsync(ModelTypes.VerdictClassifier, Admin));
            Assert.Equal("v1", (await registry.ActiveAsync(ModelTypes.VerdictClassifier))!.Value.Version.Version);
            Assert.Null(await registry.RollBackAsync(ModelTypes.VerdictClassifier, Admin)); // nothing older than v1
            Assert.Equal([false, true], (await registry.ListAsync(ModelTypes.VerdictClassifier)).Select(m => m.IsActive));
        }

        await using var db = await DbAsync();
        var audits = await db.AuditLogs.Where(a => a.Action == AuditActions.ModelActivated).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal(3, audits.Count);
        Assert.Contains("\"v2\"", audits[2].Changes);
        Assert.Contains("\"v1\"", audits[2].Changes);
    }

    [Fact]
    public async Task Register_WithTheWrongNumberOfFeatureNames_IsRefused()
    {
        var (model, _) = Train(1);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => WithAsync<ModelRegistry, ModelVersionRow>(r =>
            r.RegisterAsync(model, Provenance(1) with { FeatureNames = ["ret_5d"] }, new Dictionary<string, object?>())));
        Assert.Contains("takes 2 features but 1 names", e.Message);
    }
}
