using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;

namespace Signalbook.Features.Journal;

/// <summary>What Signalbook knew about an instrument at a moment: its latest completed bar's features, regime and the
/// recommendation active for the trader's profile. Stored as decision_contexts.snapshot.</summary>
public sealed record MarketSnapshot
{
    public required string Symbol { get; init; }
    public required DateTimeOffset AsOf { get; init; }
    public long? InstrumentId { get; init; }

    /// <summary>The feature row's bar time (00:00 UTC of its trading date).</summary>
    public DateTimeOffset? FeaturesAt { get; init; }

    public IReadOnlyDictionary<string, double?>? Features { get; init; }
    public string? Regime { get; init; }
    public double? RegimeProbability { get; init; }
    public string? RecommendationProfile { get; init; }
    public string? RecommendationLabel { get; init; }
    public double? RecommendationConfidence { get; init; }
    public DateTimeOffset? RecommendationAt { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static MarketSnapshot? FromJson(string? json) => string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize<MarketSnapshot>(json, Json);
}

/// <summary>
/// Builds <see cref="MarketSnapshot"/>s without look-ahead: a daily feature row counts only once its bar has completed
/// (bar time + 1 day ≤ the moment: conservative for exchanges that close before midnight UTC), and the recommendation
/// is the newest one generated at or before the moment for the trader's profile.
/// </summary>
public sealed class MarketSnapshotService(IDbContextFactory<AppDbContext> factory)
{
    public async Task<MarketSnapshot> AtAsync(string symbol, DateTimeOffset at, string profile, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var instrumentId = await db.Instruments.AsNoTracking().Where(i => i.Symbol == symbol).OrderByDescending(i => i.IsActive).ThenBy(i => i.Id)
            .Select(i => (long?)i.Id).FirstOrDefaultAsync(ct);
        if (instrumentId is null) return new MarketSnapshot { Symbol = symbol, AsOf = at };

        var cutoff = at.AddDays(-1);
        var feature = await db.Features.AsNoTracking()
            .Where(f => f.InstrumentId == instrumentId && f.Interval == Intervals.OneDay && f.Ts <= cutoff)
            .OrderByDescending(f => f.Ts)
            .Select(f => new { f.Ts, f.Ret1d, f.Ret5d, f.Ret20d, f.Rsi14, f.Momentum5d, f.Vol20d, f.Atr14, f.VolumeZscore, f.ModelId, f.StateId, f.StateProb })
            .FirstOrDefaultAsync(ct);
        string? regime = null;
        if (feature is { ModelId: { } modelId, StateId: >= 0 and var state })
        {
            var names = await db.RegimeModels.AsNoTracking().Where(m => m.ModelId == modelId).Select(m => m.StateNames).FirstOrDefaultAsync(ct);
            regime = names is not null && state < names.Count ? names[state] : null;
        }
        var recommendation = await db.Recommendations.AsNoTracking()
            .Where(r => r.InstrumentId == instrumentId && r.Profile == profile && r.GeneratedAt <= at)
            .OrderByDescending(r => r.GeneratedAt)
            .Select(r => new { r.Label, r.Confidence, r.GeneratedAt })
            .FirstOrDefaultAsync(ct);
        return new MarketSnapshot
        {
            Symbol = symbol,
            AsOf = at,
            InstrumentId = instrumentId,
            FeaturesAt = feature?.Ts,
            Features = feature is null ? null : new Dictionary<string, double?>
            {
                ["ret_1d"] = feature.Ret1d, ["ret_5d"] = feature.Ret5d, ["ret_20d"] = feature.Ret20d, ["rsi_14"] = feature.Rsi14,
                ["momentum_5d"] = feature.Momentum5d, ["vol_20d"] = feature.Vol20d, ["atr_14"] = feature.Atr14, ["volume_zscore"] = feature.VolumeZscore,
            },
            Regime = regime,
            RegimeProbability = regime is null ? null : feature?.StateProb,
            RecommendationProfile = recommendation is null ? null : profile,
            RecommendationLabel = recommendation?.Label,
            RecommendationConfidence = recommendation?.Confidence,
            RecommendationAt = recommendation?.GeneratedAt,
        };
    }
}
