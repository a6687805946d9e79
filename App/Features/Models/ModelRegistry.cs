using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Models;

/// <summary>What a trained model was made from: enough to reproduce it and to tell two versions apart.</summary>
public sealed record ModelProvenance(string ModelType, string Algorithm, IReadOnlyDictionary<string, object?> Hyperparameters, string FeatureVersion,
    DateTimeOffset DataFrom, DateTimeOffset DataTo, IReadOnlyList<string> FeatureNames)
{
    /// <summary>SHA-256 over algorithm, hyperparameters (sorted), feature version, feature names and data window: equal inputs, equal hash.</summary>
    public string ParamsHash()
    {
        var canonical = JsonSerializer.Serialize(new
        {
            algorithm = Algorithm,
            hyperparameters = Hyperparameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)),
            feature_version = FeatureVersion,
            features = FeatureNames,
            from = DataFrom.ToUniversalTime().ToString("O"),
            to = DataTo.ToUniversalTime().ToString("O"),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

public sealed record ModelVersionRow(long Id, string ModelType, string Version, string Algorithm, string ParamsHash, string FeatureVersion,
    bool IsActive, DateTimeOffset CreatedAt, string Metrics);

/// <summary>
/// Versioned models: register a trained model with its artifact, provenance and metrics; activate one (the previous
/// active model of the type is retired in the same transaction; the database allows only one); roll back to the one
/// active before. Activation and rollback are audited with before and after.
/// </summary>
public sealed class ModelRegistry(IDbContextFactory<AppDbContext> factory, AuditService audit, TimeProvider clock)
{
    public Task<ModelVersionRow> RegisterAsync(TrainingResult result, long? trainingJobId = null, Guid? createdBy = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return RegisterAsync(result.Model, result.Provenance, result.Metrics, trainingJobId, createdBy, ct, result.Accuracy);
    }

    public async Task<ModelVersionRow> RegisterAsync(ITrainedModel model, ModelProvenance provenance, IReadOnlyDictionary<string, object?> metrics,
        long? trainingJobId = null, Guid? createdBy = null, CancellationToken ct = default, double? accuracy = null)
    {
        if (model.FeatureCount != provenance.FeatureNames.Count)
            throw new ArgumentException($"The model takes {model.FeatureCount} features but {provenance.FeatureNames.Count} names were given.", nameof(provenance));
        await using var db = await factory.CreateDbContextAsync(ct);
        var count = await db.MlModels.CountAsync(m => m.ModelType == provenance.ModelType, ct);
        var stored = new Dictionary<string, object?>(metrics)
        {
            ["feature_names"] = provenance.FeatureNames,
            ["hyperparameters"] = provenance.Hyperparameters,
            ["data_from"] = provenance.DataFrom,
            ["data_to"] = provenance.DataTo,
        };
        var entity = new MlModel
        {
            ModelType = provenance.ModelType, Version = $"v{count + 1}", Algorithm = provenance.Algorithm, ParamsHash = provenance.ParamsHash(),
            FeatureVersion = provenance.FeatureVersion, Metrics = JsonSerializer.Serialize(stored), Artifact = ModelArtifact.Save(model), Accuracy = accuracy,
            TrainingJobId = trainingJobId, CreatedBy = createdBy, CreatedAt = clock.GetUtcNow(),
        };
        db.MlModels.Add(entity);
        await db.SaveChangesAsync(ct);
        return Row(entity);
    }

    /// <summary>The newest versions of a type (at most <paramref name="take"/>, up to 200) with their metrics read for display.</summary>
    public async Task<IReadOnlyList<ModelVersionView>> ListAsync(string modelType, int take = 50, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.MlModels.AsNoTracking().Where(m => m.ModelType == modelType).OrderByDescending(m => m.Id).Take(Math.Clamp(take, 1, 200))
            .Select(m => new { m.Id, m.ModelType, m.Version, m.Algorithm, m.ParamsHash, m.FeatureVersion, m.IsActive, m.CreatedAt, m.TrainingJobId, m.Metrics })
            .ToListAsync(ct);
        return rows.Select(m => ModelVersionView.Parse(m.Id, m.ModelType, m.Version, m.Algorithm, m.ParamsHash, m.FeatureVersion, m.IsActive, m.CreatedAt,
            m.TrainingJobId, m.Metrics)).ToList();
    }

    /// <summary>One page of the versions of a type, newest first, with the total: the Admin → Models grid pages in SQL.</summary>
    public async Task<(IReadOnlyList<ModelVersionView> Rows, int Total)> PageAsync(string modelType, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var ofType = db.MlModels.AsNoTracking().Where(m => m.ModelType == modelType);
        var total = await ofType.CountAsync(ct);
        var rows = await ofType.OrderByDescending(m => m.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 100))
            .Select(m => new { m.Id, m.ModelType, m.Version, m.Algorithm, m.ParamsHash, m.FeatureVersion, m.IsActive, m.CreatedAt, m.TrainingJobId, m.Metrics })
            .ToListAsync(ct);
        return (rows.Select(m => ModelVersionView.Parse(m.Id, m.ModelType, m.Version, m.Algorithm, m.ParamsHash, m.FeatureVersion, m.IsActive, m.CreatedAt,
            m.TrainingJobId, m.Metrics)).ToList(), total);
    }

    /// <summary>The active model of a type with its feature names, or null when none is active.</summary>
    public async Task<(ModelVersionRow Version, ITrainedModel Model, IReadOnlyList<string> FeatureNames)?> ActiveAsync(string modelType, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return Loaded(await db.MlModels.AsNoTracking().SingleOrDefaultAsync(x => x.ModelType == modelType && x.IsActive, ct));
    }

    /// <summary>Any stored model by id with its feature names (e.g. an older version replayed over past bars), or null.</summary>
    public async Task<(ModelVersionRow Version, ITrainedModel Model, IReadOnlyList<string> FeatureNames)?> LoadAsync(long modelId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return Loaded(await db.MlModels.AsNoTracking().SingleOrDefaultAsync(x => x.Id == modelId, ct));
    }

    private static (ModelVersionRow Version, ITrainedModel Model, IReadOnlyList<string> FeatureNames)? Loaded(MlModel? m)
    {
        if (m?.Artifact is null) return null;
        using var metrics = JsonDocument.Parse(m.Metrics);
        var names = metrics.RootElement.GetProperty("feature_names").EnumerateArray().Select(e => e.GetString()!).ToList();
        return (Row(m), ModelArtifact.Load(m.Artifact), names);
    }

    public async Task ActivateAsync(long modelId, AuditActor actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var target = await db.MlModels.AsNoTracking().SingleOrDefaultAsync(m => m.Id == modelId, ct)
                     ?? throw new ArgumentException($"Model {modelId} does not exist.", nameof(modelId));
        if (target.Artifact is null) throw new InvalidOperationException($"{target.ModelType} {target.Version} has no artifact and cannot serve.");
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var previous = await db.MlModels.Where(m => m.ModelType == target.ModelType && m.IsActive).Select(m => m.Version).SingleOrDefaultAsync(ct);
        await db.MlModels.Where(m => m.ModelType == target.ModelType && m.IsActive && m.Id != modelId).ExecuteUpdateAsync(u => u.SetProperty(m => m.IsActive, false), ct);
        await db.MlModels.Where(m => m.Id == modelId).ExecuteUpdateAsync(u => u.SetProperty(m => m.IsActive, true), ct);
        await tx.CommitAsync(ct);
        await audit.WriteAsync(actor, AuditActions.ModelActivated, "ml_model", modelId.ToString(),
            changes: new AuditChange(new { active = previous }, new { active = target.Version }), ct: ct);
    }

    /// <summary>Re-activates the newest model of the type older than the active one. Returns its version, or null when there is none.</summary>
    public async Task<string?> RollBackAsync(string modelType, AuditActor actor, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var active = await db.MlModels.AsNoTracking().Where(m => m.ModelType == modelType && m.IsActive).Select(m => (long?)m.Id).SingleOrDefaultAsync(ct);
        if (active is null) return null;
        var earlier = await db.MlModels.AsNoTracking().Where(m => m.ModelType == modelType && m.Id < active && m.Artifact != null)
            .OrderByDescending(m => m.Id).Select(m => new { m.Id, m.Version }).FirstOrDefaultAsync(ct);
        if (earlier is null) return null;
        await ActivateAsync(earlier.Id, actor, ct);
        return earlier.Version;
    }

    private static ModelVersionRow Row(MlModel m) => new(m.Id, m.ModelType, m.Version, m.Algorithm, m.ParamsHash, m.FeatureVersion, m.IsActive, m.CreatedAt, m.Metrics);
}

public static class ModelsSetup
{
    public static IServiceCollection AddSignalbookModels(this IServiceCollection services) => services.AddScoped<ModelRegistry>().AddScoped<ModelDataStore>()
        .AddScoped<TrainingService>();
}
