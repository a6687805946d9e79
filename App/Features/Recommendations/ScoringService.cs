using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Regimes;

namespace Signalbook.Features.Recommendations;

public sealed record ScoringRun(int Instruments, int Scored, int Unchanged, int Recommendations, string? NotRunBecause = null);

/// <summary>
/// Writes recommendations: for every active instrument's newest daily features, one per risk profile from the active
/// verdict classifier (and the active price regressor for the expected return, when its horizon matches). The
/// instrument's previous active recommendations become history in the same transaction, and each new one gets an
/// ml_predictions row whose outcome <see cref="OutcomeBackfill"/> fills in once the horizon has passed.
/// Scoring the same bar with the same models again writes nothing.
/// </summary>
public sealed class ScoringService(IDbContextFactory<AppDbContext> factory, ModelRegistry registry, ModelDataStore store, TimeProvider clock)
{
    public async Task<ScoringRun> ScoreAsync(IProgress<JobStep>? progress = null, CancellationToken ct = default)
    {
        var model = await ActiveClassifierAsync(ct);
        if (model is null) return new ScoringRun(0, 0, 0, 0, "No verdict classifier is active: train one and activate it in Admin → Models.");
        var regressor = await ActiveRegressorAsync(ct);
        var instruments = await store.LoadDailyAsync(ct: ct);
        var symbols = await SymbolsAsync(ct);
        var current = await CurrentAsync(ct);
        var (scored, unchanged, written) = (0, 0, 0);
        for (var i = 0; i < instruments.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            var instrument = instruments[i];
            var symbol = symbols.GetValueOrDefault(instrument.InstrumentId, $"#{instrument.InstrumentId}");
            progress?.Report(new JobStep((double)i / instruments.Count, $"Scoring {symbol} ({i + 1} of {instruments.Count})"));
            var t = instrument.Ts.Length - 1;
            if (current.TryGetValue(instrument.InstrumentId, out var now) && now.AsOf == instrument.Ts[t] && now.ModelId == model.Descriptor.Id
                && now.RegressorId == (regressor?.Horizon == model.Horizon ? regressor.Descriptor.Id : null))
            {
                unchanged++;
                continue;
            }
            var regimes = await RegimesAsync(instrument.InstrumentId, instrument.Ts[t], ct);
            var recs = RecommendationScorer.Score(symbol, instrument, t, model, regressor, regimes.GetValueOrDefault(instrument.Ts[t]));
            written += await WriteAsync(instrument.InstrumentId, symbol, recs, clock.GetUtcNow(), active: true, ct);
            scored++;
        }
        progress?.Report(new JobStep(1, $"Scored {scored} instruments"));
        return new ScoringRun(instruments.Count, scored, unchanged, written);
    }

    /// <summary>
    /// Replays a (non-active) model over past bars: every <paramref name="everyBars"/>-th bar from <paramref name="from"/>
    /// on, each instrument gets one recommendation per profile stored as history (inactive, generated at the bar's time,
    /// marked replay in the snapshot) with its prediction row. Only honest when the model was trained on data that ends
    /// before <paramref name="from"/>; the demo uses it to give the track record something to show.
    /// </summary>
    public async Task<int> ReplayAsync(long modelId, DateTimeOffset from, int everyBars, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyBars, 1);
        var loaded = await registry.LoadAsync(modelId, ct) ?? throw new ArgumentException($"Model {modelId} has no artifact.", nameof(modelId));
        var model = ScoringModelOf(loaded);
        DateTimeOffset dataTo;
        using (var metrics = JsonDocument.Parse(loaded.Version.Metrics)) dataTo = metrics.RootElement.GetProperty("data_to").GetDateTimeOffset();
        if (dataTo >= from) throw new InvalidOperationException($"Model {model.Descriptor.Version} saw data up to {dataTo:yyyy-MM-dd}; replaying it from {from:yyyy-MM-dd} would score bars it learned from.");
        var symbols = await SymbolsAsync(ct);
        var written = 0;
        foreach (var instrument in await store.LoadDailyAsync(ct: ct))
        {
            var symbol = symbols.GetValueOrDefault(instrument.InstrumentId, $"#{instrument.InstrumentId}");
            var regimes = await RegimesAsync(instrument.InstrumentId, from, ct);
            var first = Array.FindIndex(instrument.Ts, ts => ts >= from);
            if (first < 0) continue;
            for (var t = first; t < instrument.Ts.Length; t += everyBars)
            {
                ct.ThrowIfCancellationRequested();
                var recs = RecommendationScorer.Score(symbol, instrument, t, model, null, regimes.GetValueOrDefault(instrument.Ts[t]), replay: true);
                written += await WriteAsync(instrument.InstrumentId, symbol, recs, instrument.Ts[t], active: false, ct);
            }
        }
        return written;
    }

    private async Task<int> WriteAsync(long instrumentId, string symbol, IReadOnlyList<ScoredRecommendation> recs, DateTimeOffset generatedAt, bool active,
        CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (active)
        {
            // Previous recommendations of this instrument stay as history.
            await db.Recommendations.Where(r => r.InstrumentId == instrumentId && r.IsActive).ExecuteUpdateAsync(u => u.SetProperty(r => r.IsActive, false), ct);
        }
        var entities = recs.Select(r => new Recommendation
        {
            InstrumentId = instrumentId, ModelVersionId = r.Snapshot.Model.Id, Profile = r.Profile, Label = r.Label, Confidence = r.Confidence,
            ExpectedReturnPct = r.ExpectedReturnPct, HorizonDays = r.HorizonDays, StopLoss = r.StopLoss, TakeProfit = r.TakeProfit,
            Justification = r.Justification, FeaturesSnapshot = r.Snapshot.ToJson(), GeneratedAt = generatedAt, IsActive = active,
        }).ToList();
        db.Recommendations.AddRange(entities);
        await db.SaveChangesAsync(ct);
        for (var i = 0; i < recs.Count; i++)
        {
            var r = recs[i];
            db.MlPredictions.Add(new MlPrediction
            {
                ModelName = r.Snapshot.Model.Type, ModelVersion = r.Snapshot.Model.Version, Symbol = symbol, InstrumentId = instrumentId, RecommendationId = entities[i].Id,
                PredictedPrice = Math.Round(r.Snapshot.Close * (1 + r.ExpectedReturnPct / 100), 6),
                PredictedDirection = r.Label switch { "BUY" => "up", "SELL" => "down", _ => "neutral" }, Confidence = r.Confidence,
                FeatureImportance = JsonSerializer.Serialize(r.Snapshot.Drivers.ToDictionary(d => d.Feature, d => d.Effect)),
                PredictedAt = generatedAt, PredictionHorizon = r.HorizonDays * 24 * 60,
            });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return entities.Count;
    }

    public async Task<ScoringModel?> ActiveClassifierAsync(CancellationToken ct = default)
        => await registry.ActiveAsync(ModelTypes.VerdictClassifier, ct) is { } active ? ScoringModelOf(active) : null;

    private async Task<ScoringRegressor?> ActiveRegressorAsync(CancellationToken ct)
    {
        if (await registry.ActiveAsync(ModelTypes.PriceRegressor, ct) is not { } active) return null;
        using var metrics = JsonDocument.Parse(active.Version.Metrics);
        return new ScoringRegressor(Descriptor(active.Version), active.Model, active.FeatureNames, HorizonOf(metrics.RootElement) ?? 0);
    }

    private static ScoringModel ScoringModelOf((ModelVersionRow Version, ITrainedModel Model, IReadOnlyList<string> FeatureNames) loaded)
    {
        var (version, model, names) = loaded;
        if (model.Task == ModelTask.Regression || model.Classes != 3)
            throw new InvalidOperationException($"{version.ModelType} {version.Version} is not a three-class verdict classifier.");
        using var doc = JsonDocument.Parse(version.Metrics);
        var root = doc.RootElement;
        ProbabilityCalibrator? calibrator = null;
        if (root.TryGetProperty("calibrator", out var cal) && cal.TryGetProperty("slope", out var slope) && cal.TryGetProperty("bias", out var bias))
            calibrator = new ProbabilityCalibrator(slope.GetDouble(), Doubles(bias));
        var medians = root.TryGetProperty("feature_medians", out var m)
            ? m.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble())
            : new Dictionary<string, double>();
        var means = ModelTrainer.LabelNames.Select(l => root.TryGetProperty("class_mean_return", out var c) && c.TryGetProperty(l, out var v)
            && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0).ToArray();
        var horizon = HorizonOf(root) ?? 5;
        var k = root.TryGetProperty("label_rule", out var rule) && rule.TryGetProperty("k", out var kv) && kv.ValueKind == JsonValueKind.Number ? kv.GetDouble() : 0.5;
        return new ScoringModel(Descriptor(version), model, names, calibrator, medians, means, horizon, k);
    }

    private static int? HorizonOf(JsonElement metrics)
        => metrics.TryGetProperty("horizon", out var h) && h.ValueKind == JsonValueKind.Number ? h.GetInt32() : null;

    private static SnapshotModel Descriptor(ModelVersionRow v) => new(v.Id, v.ModelType, v.Version, v.Algorithm, v.ParamsHash);

    private static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private async Task<Dictionary<long, string>> SymbolsAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Instruments.AsNoTracking().ToDictionaryAsync(i => i.Id, i => i.Symbol, ct);
    }

    private sealed record Current(DateTimeOffset AsOf, long ModelId, long? RegressorId);

    /// <summary>What each instrument's active recommendations were made from (one profile is enough: all three are written together).</summary>
    private async Task<Dictionary<long, Current>> CurrentAsync(CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Recommendations.AsNoTracking().Where(r => r.IsActive && r.Profile == Users.RiskProfiles.Moderate)
            .Select(r => new { r.InstrumentId, r.FeaturesSnapshot }).ToListAsync(ct);
        var result = new Dictionary<long, Current>();
        foreach (var r in rows)
        {
            if (RecommendationSnapshot.Parse(r.FeaturesSnapshot) is { } s) result[r.InstrumentId] = new Current(s.AsOf, s.Model.Id, s.Regressor?.Id);
        }
        return result;
    }

    /// <summary>The stored daily regime of each bar from <paramref name="from"/> on, named by its regime model.</summary>
    private async Task<Dictionary<DateTimeOffset, SnapshotRegime>> RegimesAsync(long instrumentId, DateTimeOffset from, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Features.AsNoTracking()
            .Where(f => f.InstrumentId == instrumentId && f.Interval == Intervals.OneDay && f.Ts >= from && f.StateId != null)
            .Select(f => new { f.Ts, StateId = f.StateId!.Value, f.StateProb, f.ModelId }).ToListAsync(ct);
        var ids = rows.Select(r => r.ModelId).Where(m => m != null).Distinct().ToList();
        var names = await db.RegimeModels.AsNoTracking().Where(m => ids.Contains(m.ModelId)).ToDictionaryAsync(m => m.ModelId, m => m.StateNames, ct);
        return rows.ToDictionary(r => r.Ts, r => new SnapshotRegime(r.StateId,
            RegimeFeatures.NameOf(r.StateId, r.ModelId is null ? null : names.GetValueOrDefault(r.ModelId)) ?? $"state {r.StateId}", r.StateProb));
    }
}
