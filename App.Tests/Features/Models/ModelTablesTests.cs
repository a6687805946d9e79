using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>The rules of the model tables that the database itself enforces.</summary>
public sealed class ModelTablesTests : ServiceHarness
{
    private async Task<long> ModelAsync(string version, bool active, string type = ModelTypes.VerdictClassifier)
    {
        await using var db = await DbAsync();
        var model = new MlModel { ModelType = type, Version = version, ParamsHash = $"hash-{version}", FeatureVersion = "f1", IsActive = active, CreatedAt = Clock.GetUtcNow() };
        db.MlModels.Add(model);
        await db.SaveChangesAsync();
        return model.Id;
    }

    private static void AssertUniqueViolation(DbUpdateException e, string index)
    {
        var pg = Assert.IsType<PostgresException>(e.InnerException);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, pg.SqlState);
        Assert.Equal(index, pg.ConstraintName);
    }

    [Fact]
    public async Task AtMostOneActiveModelPerType_IsEnforcedByTheDatabase()
    {
        await ModelAsync("v1", active: true);
        await ModelAsync("v1", active: true, type: ModelTypes.PriceRegressor); // another type may have its own
        await ModelAsync("v2", active: false);

        var e = await Assert.ThrowsAsync<DbUpdateException>(() => ModelAsync("v3", active: true));
        AssertUniqueViolation(e, "ux_ml_models_model_type");

        // Activation is a swap in one transaction: retire the old, activate the new.
        await using var db = await DbAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        await db.MlModels.Where(m => m.ModelType == ModelTypes.VerdictClassifier && m.IsActive).ExecuteUpdateAsync(u => u.SetProperty(m => m.IsActive, false));
        await db.MlModels.Where(m => m.ModelType == ModelTypes.VerdictClassifier && m.Version == "v2").ExecuteUpdateAsync(u => u.SetProperty(m => m.IsActive, true));
        await tx.CommitAsync();
        Assert.Equal(["v2"], await db.MlModels.Where(m => m.ModelType == ModelTypes.VerdictClassifier && m.IsActive).Select(m => m.Version).ToListAsync());

        var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() => ModelAsync("v2", active: false));
        AssertUniqueViolation(duplicate, "ux_ml_models_model_type_version");
    }

    [Fact]
    public async Task OneActiveRecommendationPerInstrumentAndProfile_OlderOnesStayAsHistory()
    {
        var model = await ModelAsync("v1", active: true);
        var instrument = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("DLTA", "DEMO"));
        Recommendation Rec(string profile, string label, bool active = true) => new()
        {
            InstrumentId = instrument, ModelVersionId = model, Profile = profile, Label = label, Confidence = 0.6,
            FeaturesSnapshot = "{\"rsi_14\": 55.2}", GeneratedAt = Clock.GetUtcNow(), IsActive = active,
        };
        await using (var db = await DbAsync())
        {
            db.Recommendations.AddRange(Rec("moderate", "BUY"), Rec("aggressive", "BUY"), Rec("moderate", "HOLD", active: false));
            await db.SaveChangesAsync();
        }
        await using (var db = await DbAsync())
        {
            db.Recommendations.Add(Rec("moderate", "SELL"));
            AssertUniqueViolation(await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync()), "ux_recommendations_instrument_id_profile");
        }
        await using (var db = await DbAsync())
        {
            db.Recommendations.Add(Rec("reckless", "BUY", active: false));
            var pg = Assert.IsType<PostgresException>((await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync())).InnerException);
            Assert.Equal("ck_recommendations_profile", pg.ConstraintName);
        }
    }
}
