using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Models;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// How past recommendations turned out: hit rates, realised returns and calibration of evaluated predictions, aggregated
/// in the database. Checks the user's consent first.
/// </summary>
public sealed class TrackRecordService(IDbContextFactory<AppDbContext> factory)
{
    /// <summary>Row of the track-record aggregate: one group of one dimension.</summary>
    private sealed record GroupRow(string Dimension, string Key, int N, int Hits, double? AvgReturn, double MeanConfidence, double? AvgCall);

    /// <summary>
    /// Hit rate and average realised return of evaluated predictions (WasCorrect not null) by label, profile, confidence
    /// bucket (0.1 wide; 1.0 falls in the top bucket) and regime (from the snapshot), plus calibration points.
    /// Aggregated in the database, so the result stays small however many outcomes there are.
    /// </summary>
    public async Task<TrackRecord> TrackRecordAsync(Guid userId, string? profile = null, long? modelVersionId = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await RiskConsentService.EnsureConsentAsync(db, userId, ct);
        var groups = await db.Database.SqlQuery<GroupRow>($"""
            WITH b AS (
                SELECT r.profile, r.label, r.confidence,
                       COALESCE(r.features_snapshot -> 'regime' ->> 'name', 'unknown') AS regime,
                       LEAST(FLOOR(r.confidence * 10), 9)::int AS bucket,
                       p.was_correct,
                       CASE WHEN p.actual_price IS NULL THEN NULL
                            WHEN (r.features_snapshot ->> 'close') IS NOT NULL AND (r.features_snapshot ->> 'close')::float8 > 0
                                THEN (p.actual_price / (r.features_snapshot ->> 'close')::float8 - 1) * 100
                            WHEN p.predicted_price > 0
                                THEN (p.actual_price * (1 + COALESCE(r.expected_return_pct, 0) / 100) / p.predicted_price - 1) * 100
                       END AS realised
                FROM ml_predictions p
                JOIN recommendations r ON r.id = p.recommendation_id
                WHERE p.was_correct IS NOT NULL
                  AND ({profile}::text IS NULL OR r.profile = {profile}::text)
                  AND ({modelVersionId}::bigint IS NULL OR r.model_version_id = {modelVersionId}::bigint)
            ),
            o AS (
                SELECT b.*, CASE b.label WHEN 'BUY' THEN realised WHEN 'SELL' THEN -realised END AS call FROM b
            )
            SELECT 'all' AS "Dimension", '' AS "Key", COUNT(*)::int AS "N", (COUNT(*) FILTER (WHERE was_correct))::int AS "Hits",
                   AVG(realised) AS "AvgReturn", COALESCE(AVG(confidence), 0) AS "MeanConfidence", AVG(call) AS "AvgCall" FROM o
            UNION ALL
            SELECT 'label', label, COUNT(*)::int, (COUNT(*) FILTER (WHERE was_correct))::int, AVG(realised), AVG(confidence), AVG(call) FROM o GROUP BY label
            UNION ALL
            SELECT 'profile', profile, COUNT(*)::int, (COUNT(*) FILTER (WHERE was_correct))::int, AVG(realised), AVG(confidence), AVG(call) FROM o GROUP BY profile
            UNION ALL
            SELECT 'bucket', bucket::text, COUNT(*)::int, (COUNT(*) FILTER (WHERE was_correct))::int, AVG(realised), AVG(confidence), AVG(call) FROM o GROUP BY bucket
            UNION ALL
            SELECT 'regime', regime, COUNT(*)::int, (COUNT(*) FILTER (WHERE was_correct))::int, AVG(realised), AVG(confidence), AVG(call) FROM o GROUP BY regime
            """).ToListAsync(ct);

        var all = groups.Single(g => g.Dimension == "all");
        IReadOnlyList<TrackGroup> Of(string dimension, Func<string, object> order) => groups.Where(g => g.Dimension == dimension)
            .OrderBy(g => order(g.Key)).Select(g => new TrackGroup(dimension == "bucket" ? BucketName(int.Parse(g.Key, System.Globalization.CultureInfo.InvariantCulture)) : g.Key,
                g.N, g.Hits, g.AvgReturn, g.MeanConfidence, g.AvgCall)).ToList();

        var buckets = groups.Where(g => g.Dimension == "bucket").Select(g => (Bucket: int.Parse(g.Key, System.Globalization.CultureInfo.InvariantCulture), g))
            .OrderBy(x => x.Bucket).ToList();
        return new TrackRecord(all.N, all.Hits, all.AvgReturn,
            Of("label", k => RecommendationLabels.All.ToList().IndexOf(k)),
            Of("profile", k => RecommendationProfiles.All.ToList().IndexOf(k)),
            buckets.Select(b => new TrackGroup(BucketName(b.Bucket), b.g.N, b.g.Hits, b.g.AvgReturn, b.g.MeanConfidence, b.g.AvgCall)).ToList(),
            Of("regime", k => k),
            buckets.Select(b => new CalibrationPoint(b.Bucket / 10.0, b.g.MeanConfidence, b.g.N == 0 ? 0 : (double)b.g.Hits / b.g.N, b.g.N)).ToList(),
            all.AvgCall);
    }

    private static string BucketName(int bucket) => $"{bucket * 10}–{bucket * 10 + 10} %";

    /// <summary>Model versions that produced evaluated recommendations, newest first (the track record's filter).</summary>
    public async Task<IReadOnlyList<ModelVersionInfo>> ModelVersionsAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.MlModels.AsNoTracking().Where(m => m.ModelType == ModelTypes.VerdictClassifier)
            .OrderByDescending(m => m.CreatedAt).Take(50)
            .Select(m => new ModelVersionInfo(m.Id, m.Version, m.Algorithm, m.IsActive)).ToListAsync(ct);
    }
}
