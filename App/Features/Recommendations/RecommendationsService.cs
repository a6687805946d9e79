using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Users;

namespace Signalbook.Features.Recommendations;

public static class RecommendationLabels
{
    public const string Buy = "BUY";
    public const string Hold = "HOLD";
    public const string Sell = "SELL";

    public static readonly IReadOnlyList<string> All = [Buy, Hold, Sell];
}

public static class MarketCapBuckets
{
    public static readonly IReadOnlyList<string> All = ["small", "mid", "large"];
}

/// <summary>Whether a user has accepted the risk disclosure, and when.</summary>
public sealed record ConsentState(bool Accepted, DateTimeOffset? AcceptedAt);

/// <summary>Thrown when recommendations are asked for on behalf of a user who has not accepted the risk disclosure.</summary>
public sealed class RiskConsentRequiredException() : InvalidOperationException("Accept the risk disclosure before viewing recommendations.");

/// <summary>Sort keys of the dashboard (the grid's column property names).</summary>
public static class RecommendationSort
{
    public const string Confidence = nameof(RecommendationRow.Confidence);
    public const string ExpectedReturn = nameof(RecommendationRow.ExpectedReturnPct);
    public const string Symbol = nameof(RecommendationRow.Symbol);
}

public sealed record RecommendationQuery(
    string Profile = RiskProfiles.Moderate,
    string? Label = null,
    string? Exchange = null,
    string? Sector = null,
    string? MarketCap = null,
    double? MinConfidence = null,
    string? Regime = null,
    bool NewOnly = false,
    string SortBy = RecommendationSort.Confidence,
    bool Descending = true,
    int Skip = 0,
    int Take = 25);

/// <summary>
/// One active recommendation as the dashboard shows it. <see cref="IsNew"/>: generated in the last 24 hours with a
/// label different from the previous recommendation for the instrument and profile (<see cref="PreviousLabel"/>, null when there was none).
/// </summary>
public sealed record RecommendationRow(long Id, long InstrumentId, string Symbol, string? Name, string Exchange, string? Sector, string? MarketCapBucket,
    string Profile, string Label, double Confidence, double? ExpectedReturnPct, int? HorizonDays, double? Entry, double? StopLoss, double? TakeProfit,
    string? Regime, DateTimeOffset GeneratedAt, string ModelVersion, bool IsNew, string? PreviousLabel)
{
    /// <summary>"New" when the instrument had no earlier recommendation for the profile, "Changed from HOLD" when its label changed; null otherwise.</summary>
    public string? NewMarker => !IsNew ? null : PreviousLabel is null ? "New" : $"Changed from {PreviousLabel}";
}

public sealed record ModelVersionInfo(long Id, string Version, string Algorithm, bool IsActive);

public sealed record DashboardResult(IReadOnlyList<RecommendationRow> Rows, int Total, IReadOnlyDictionary<string, int> LabelCounts,
    int NewCount, IReadOnlyList<RecommendationRow> NewRows, IReadOnlyList<ModelVersionInfo> Models);

/// <summary>A past signal of the same instrument and profile with its outcome (null WasCorrect = pending).</summary>
public sealed record PastSignal(long Id, DateTimeOffset GeneratedAt, string Label, double Confidence, double? ExpectedReturnPct, int? HorizonDays,
    bool IsActive, string ModelVersion, bool? WasCorrect, double? RealisedReturnPct, DateTimeOffset? EvaluatedAt)
{
    public string Outcome => WasCorrect switch { true => "Right", false => "Wrong", null => "Pending" };
}

public sealed record RecommendationDetail(long Id, InstrumentHeader Instrument, string Profile, string Label, double Confidence, double? ExpectedReturnPct,
    int? HorizonDays, double? StopLoss, double? TakeProfit, string? Justification, DateTimeOffset GeneratedAt, bool IsActive, ModelVersionInfo Model,
    RecommendationSnapshot? Snapshot, IReadOnlyList<FeaturePercentile> Features, IReadOnlyList<PastSignal> History, IReadOnlyList<ChartBar> Candles)
{
    public double? Entry => Snapshot?.Close;
}

/// <summary>Hit rate and average realised price return of a group of evaluated predictions.</summary>
/// <remarks>
/// <see cref="AvgReturnPct"/> is the instrument's price change after the signal, whatever the label;
/// <see cref="AvgCallReturnPct"/> is what following the BUY and SELL calls earned (the change for a BUY, its negative for
/// a SELL; HOLDs are not trades), null when the group has no such call.
/// </remarks>
public sealed record TrackGroup(string Key, int Count, int Hits, double? AvgReturnPct, double MeanConfidence, double? AvgCallReturnPct = null)
{
    public double HitRate => Count == 0 ? 0 : (double)Hits / Count;
}

/// <summary>One calibration bucket (confidence [Lower, Lower + 0.1)): mean confidence against observed hit rate.</summary>
public sealed record CalibrationPoint(double Lower, double MeanConfidence, double HitRate, int Count);

public sealed record TrackRecord(int Total, int Hits, double? AvgReturnPct, IReadOnlyList<TrackGroup> ByLabel, IReadOnlyList<TrackGroup> ByProfile,
    IReadOnlyList<TrackGroup> ByConfidence, IReadOnlyList<TrackGroup> ByRegime, IReadOnlyList<CalibrationPoint> Calibration, double? AvgCallReturnPct = null)
{
    public double HitRate => Total == 0 ? 0 : (double)Hits / Total;
}

/// <summary>
/// The trader's side of recommendations: the risk-disclosure consent, the preferred profile, the dashboard, one
/// recommendation with its evidence, and the track record of evaluated predictions. Every query of recommendations
/// checks the user's consent first, so nothing is read for a user who has not accepted the disclosure.
/// </summary>
public sealed class RecommendationsService(IDbContextFactory<AppDbContext> factory, TimeProvider clock, AuditService audit,
    MarketsService markets, ModelDataStore modelData)
{
    public const int MaxPageSize = 100;
    public const int HistoryLimit = 50;
    public const int NewRowsLimit = 10;

    /// <summary>Daily candles shown before the recommendation's bar and after it (when they exist).</summary>
    public const int CandlesBefore = 90, CandlesAfter = 30;

    public static readonly IReadOnlyList<string> Profiles = [RiskProfiles.Conservative, RiskProfiles.Moderate, RiskProfiles.Aggressive];

    // ---- consent and preferences ----

    public async Task<ConsentState> ConsentAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await ConsentAsync(db, userId, ct);
    }

    private static async Task<ConsentState> ConsentAsync(AppDbContext db, Guid userId, CancellationToken ct)
        => await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId)
               .Select(s => new ConsentState(s.RiskConsentAccepted, s.RiskConsentAcceptedAt)).SingleOrDefaultAsync(ct)
           ?? new ConsentState(false, null);

    private static async Task EnsureConsentAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        if (!(await ConsentAsync(db, userId, ct)).Accepted) throw new RiskConsentRequiredException();
    }

    /// <summary>
    /// Records that the user accepted the risk disclosure, with the time, and audits it. Accepting again keeps the
    /// first acceptance's time and writes no second audit entry.
    /// </summary>
    public async Task<ConsentState> AcceptRiskDisclosureAsync(Guid userId, AuditActor? actor = null, CancellationToken ct = default)
    {
        DateTimeOffset acceptedAt;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var settings = await FindOrAddSettingsAsync(db, userId, ct);
            if (settings.RiskConsentAccepted) return new ConsentState(true, settings.RiskConsentAcceptedAt);
            acceptedAt = clock.GetUtcNow();
            settings.RiskConsentAccepted = true;
            settings.RiskConsentAcceptedAt = acceptedAt;
            settings.UpdatedAt = acceptedAt;
            await db.SaveChangesAsync(ct);
        }
        await audit.WriteAsync(actor ?? new AuditActor(userId, null, null), AuditActions.RiskConsentAccepted, "user_settings", userId.ToString(),
            details: new { accepted_at = acceptedAt }, ct: ct);
        return new ConsentState(true, acceptedAt);
    }

    public async Task<string> PreferredProfileAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var profile = await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId).Select(s => s.PreferredProfile).SingleOrDefaultAsync(ct);
        return profile is not null && Profiles.Contains(profile) ? profile : RiskProfiles.Moderate;
    }

    public async Task SetPreferredProfileAsync(Guid userId, string profile, CancellationToken ct = default)
    {
        if (!Profiles.Contains(profile)) throw new ArgumentException($"Unknown risk profile '{profile}'.", nameof(profile));
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await FindOrAddSettingsAsync(db, userId, ct);
        settings.PreferredProfile = profile;
        settings.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The user's settings row, added (with every jsonb document at its defaults) when missing, as UserSettingsService does.</summary>
    private async Task<UserSettings> FindOrAddSettingsAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        var settings = await db.UserSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        if (settings is not null) return settings;
        var now = clock.GetUtcNow();
        settings = new UserSettings
        {
            UserId = userId,
            CreatedAt = now,
            UpdatedAt = now,
            Profile = JsonSerializer.Serialize(new TradingProfile(), UserSettingsService.Json),
            RiskProfile = JsonSerializer.Serialize(new RiskPreferences(), UserSettingsService.Json),
            SitePrefs = JsonSerializer.Serialize(new SitePreferences(), UserSettingsService.Json),
        };
        db.UserSettings.Add(settings);
        return settings;
    }

    // ---- dashboard ----

    /// <summary>
    /// Active recommendations of a profile, filtered, sorted and paged. Label counts cover the same filters except the
    /// label one (so the summary keeps showing all three labels); the new-since-yesterday count and list cover the whole profile.
    /// </summary>
    public async Task<DashboardResult> DashboardAsync(Guid userId, RecommendationQuery q, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(q);
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureConsentAsync(db, userId, ct);
        var since = clock.GetUtcNow().AddHours(-24);

        var active = db.Recommendations.AsNoTracking().Where(r => r.IsActive && r.Profile == q.Profile);
        var rows = Project(db, active, since);

        var filtered = rows;
        if (!string.IsNullOrWhiteSpace(q.Exchange)) filtered = filtered.Where(r => r.Exchange == q.Exchange);
        if (!string.IsNullOrWhiteSpace(q.Sector)) filtered = filtered.Where(r => r.Sector == q.Sector);
        if (!string.IsNullOrWhiteSpace(q.MarketCap)) filtered = filtered.Where(r => r.MarketCapBucket == q.MarketCap);
        if (q.MinConfidence is { } min) filtered = filtered.Where(r => r.Confidence >= min);
        if (!string.IsNullOrWhiteSpace(q.Regime))
        {
            var regime = JsonSerializer.Serialize(new { regime = new { name = q.Regime } });
            filtered = filtered.Where(r => EF.Functions.JsonContains(r.Snapshot, regime));
        }
        if (q.NewOnly) filtered = filtered.Where(r => r.GeneratedAt >= since && (r.PreviousLabel == null || r.PreviousLabel != r.Label));

        var counts = await filtered.GroupBy(r => r.Label).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var labelCounts = RecommendationLabels.All.ToDictionary(l => l, l => counts.FirstOrDefault(c => c.Key == l)?.Count ?? 0);

        if (!string.IsNullOrWhiteSpace(q.Label)) filtered = filtered.Where(r => r.Label == q.Label);
        var total = await filtered.CountAsync(ct);

        var sorted = (q.SortBy, q.Descending) switch
        {
            (RecommendationSort.ExpectedReturn, false) => filtered.OrderBy(r => r.ExpectedReturnPct == null).ThenBy(r => r.ExpectedReturnPct).ThenBy(r => r.Symbol),
            (RecommendationSort.ExpectedReturn, true) => filtered.OrderBy(r => r.ExpectedReturnPct == null).ThenByDescending(r => r.ExpectedReturnPct).ThenBy(r => r.Symbol),
            (RecommendationSort.Symbol, false) => filtered.OrderBy(r => r.Symbol).ThenBy(r => r.Id),
            (RecommendationSort.Symbol, true) => filtered.OrderByDescending(r => r.Symbol).ThenBy(r => r.Id),
            (_, false) => filtered.OrderBy(r => r.Confidence).ThenBy(r => r.Symbol),
            _ => filtered.OrderByDescending(r => r.Confidence).ThenBy(r => r.Symbol),
        };
        var take = Math.Clamp(q.Take, 1, MaxPageSize);
        var page = await sorted.Skip(Math.Max(0, q.Skip)).Take(take).ToListAsync(ct);

        var fresh = rows.Where(r => r.GeneratedAt >= since && (r.PreviousLabel == null || r.PreviousLabel != r.Label));
        var newCount = await fresh.CountAsync(ct);
        var newRows = await fresh.OrderByDescending(r => r.Confidence).ThenBy(r => r.Symbol).Take(NewRowsLimit).ToListAsync(ct);

        var models = await db.MlModels.AsNoTracking()
            .Where(m => active.Any(r => r.ModelVersionId == m.Id))
            .OrderByDescending(m => m.CreatedAt).Take(5)
            .Select(m => new ModelVersionInfo(m.Id, m.Version, m.Algorithm, m.IsActive)).ToListAsync(ct);

        return new DashboardResult(page.Select(r => ToRow(r, since)).ToList(), total, labelCounts, newCount, newRows.Select(r => ToRow(r, since)).ToList(), models);
    }

    /// <summary>A flat projection EF can filter and order by; the snapshot text is only read for the rows of one page.</summary>
    private sealed class FlatRow
    {
        public long Id { get; init; }
        public long InstrumentId { get; init; }
        public string Symbol { get; init; } = "";
        public string? Name { get; init; }
        public string Exchange { get; init; } = "";
        public string? Sector { get; init; }
        public string? MarketCapBucket { get; init; }
        public string Profile { get; init; } = "";
        public string Label { get; init; } = "";
        public double Confidence { get; init; }
        public double? ExpectedReturnPct { get; init; }
        public int? HorizonDays { get; init; }
        public double? StopLoss { get; init; }
        public double? TakeProfit { get; init; }
        public string Snapshot { get; init; } = "{}";
        public DateTimeOffset GeneratedAt { get; init; }
        public string ModelVersion { get; init; } = "";
        public string? PreviousLabel { get; init; }
    }

    private static IQueryable<FlatRow> Project(AppDbContext db, IQueryable<Recommendation> recommendations, DateTimeOffset since)
        => from r in recommendations
           join i in db.Instruments on r.InstrumentId equals i.Id
           join m in db.MlModels on r.ModelVersionId equals m.Id
           select new FlatRow
           {
               Id = r.Id, InstrumentId = i.Id, Symbol = i.Symbol, Name = i.Name, Exchange = i.Exchange, Sector = i.Sector, MarketCapBucket = i.MarketCapBucket,
               Profile = r.Profile, Label = r.Label, Confidence = r.Confidence, ExpectedReturnPct = r.ExpectedReturnPct, HorizonDays = r.HorizonDays,
               StopLoss = r.StopLoss, TakeProfit = r.TakeProfit, Snapshot = r.FeaturesSnapshot, GeneratedAt = r.GeneratedAt, ModelVersion = m.Version,
               // The recommendation this one replaced: the latest earlier one for the same instrument and profile.
               PreviousLabel = db.Recommendations
                   .Where(p => p.InstrumentId == r.InstrumentId && p.Profile == r.Profile
                               && (p.GeneratedAt < r.GeneratedAt || (p.GeneratedAt == r.GeneratedAt && p.Id < r.Id)))
                   .OrderByDescending(p => p.GeneratedAt).ThenByDescending(p => p.Id).Select(p => p.Label).FirstOrDefault(),
           };

    private static RecommendationRow ToRow(FlatRow r, DateTimeOffset since)
    {
        var snapshot = RecommendationSnapshot.Parse(r.Snapshot);
        var isNew = r.GeneratedAt >= since && r.PreviousLabel != r.Label;
        return new RecommendationRow(r.Id, r.InstrumentId, r.Symbol, r.Name, r.Exchange, r.Sector, r.MarketCapBucket, r.Profile, r.Label, r.Confidence,
            r.ExpectedReturnPct, r.HorizonDays, snapshot?.Close, r.StopLoss, r.TakeProfit, snapshot?.Regime?.Name, r.GeneratedAt, r.ModelVersion, isNew,
            r.PreviousLabel);
    }

    // ---- one recommendation ----

    /// <summary>One recommendation with its snapshot, feature percentiles, the instrument's past signals for the profile and daily candles; null when unknown.</summary>
    public async Task<RecommendationDetail?> DetailAsync(Guid userId, long id, CancellationToken ct = default)
    {
        RecommendationDetail? detail;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await EnsureConsentAsync(db, userId, ct);
            var rec = await (from r in db.Recommendations.AsNoTracking()
                             where r.Id == id
                             join m in db.MlModels on r.ModelVersionId equals m.Id
                             select new
                             {
                                 r.Id, r.InstrumentId, r.Profile, r.Label, r.Confidence, r.ExpectedReturnPct, r.HorizonDays, r.StopLoss, r.TakeProfit,
                                 r.Justification, r.GeneratedAt, r.IsActive, r.FeaturesSnapshot,
                                 Model = new ModelVersionInfo(m.Id, m.Version, m.Algorithm, m.IsActive),
                             }).SingleOrDefaultAsync(ct);
            if (rec is null) return null;

            var history = await (from r in db.Recommendations.AsNoTracking()
                                 where r.InstrumentId == rec.InstrumentId && r.Profile == rec.Profile
                                 join m in db.MlModels on r.ModelVersionId equals m.Id
                                 orderby r.GeneratedAt descending, r.Id descending
                                 select new
                                 {
                                     r.Id, r.GeneratedAt, r.Label, r.Confidence, r.ExpectedReturnPct, r.HorizonDays, r.IsActive, m.Version,
                                     Prediction = db.MlPredictions.Where(p => p.RecommendationId == r.Id)
                                         .Select(p => new { p.WasCorrect, p.ActualPrice, p.PredictedPrice, p.EvaluatedAt }).FirstOrDefault(),
                                 }).Take(HistoryLimit).ToListAsync(ct);

            var instrument = await markets.InstrumentAsync(rec.InstrumentId, ct);
            if (instrument is null) return null;
            var snapshot = RecommendationSnapshot.Parse(rec.FeaturesSnapshot);
            detail = new RecommendationDetail(rec.Id, instrument, rec.Profile, rec.Label, rec.Confidence, rec.ExpectedReturnPct, rec.HorizonDays, rec.StopLoss,
                rec.TakeProfit, rec.Justification, rec.GeneratedAt, rec.IsActive, rec.Model, snapshot, [],
                history.Select(h => new PastSignal(h.Id, h.GeneratedAt, h.Label, h.Confidence, h.ExpectedReturnPct, h.HorizonDays, h.IsActive, h.Version,
                    h.Prediction?.WasCorrect,
                    RealisedReturnPct(h.Prediction?.ActualPrice, h.Prediction?.PredictedPrice, h.ExpectedReturnPct), h.Prediction?.EvaluatedAt)).ToList(),
                []);
        }

        var snap = detail.Snapshot;
        var asOf = snap?.AsOf ?? detail.GeneratedAt;
        var features = snap is null
            ? []
            : FeaturePercentiles.Compute(snap, (await modelData.LoadDailyAsync([detail.Instrument.Id], to: snap.AsOf, ct: ct)).FirstOrDefault());
        var candles = await CandlesAroundAsync(detail.Instrument.Id, asOf, ct);
        return detail with { Features = features, Candles = candles };
    }

    /// <summary>
    /// Realised price change over the horizon in percent: actual / entry − 1, with the entry recovered from the stored
    /// prediction (predicted = entry × (1 + expected return)). Null while pending or when the prediction lacks a price.
    /// </summary>
    public static double? RealisedReturnPct(double? actualPrice, double? predictedPrice, double? expectedReturnPct)
    {
        if (actualPrice is not { } actual || predictedPrice is not { } predicted || predicted <= 0) return null;
        var entry = predicted / (1 + (expectedReturnPct ?? 0) / 100);
        return (actual / entry - 1) * 100;
    }

    /// <summary>Daily candles from <see cref="CandlesBefore"/> bars before the recommendation's bar to <see cref="CandlesAfter"/> bars after it.</summary>
    private async Task<IReadOnlyList<ChartBar>> CandlesAroundAsync(long instrumentId, DateTimeOffset asOf, CancellationToken ct)
    {
        // Calendar days that hold at least the wanted number of trading days (weekends and holidays in between).
        var bars = await markets.ChartAsync(instrumentId, Intervals.OneDay, asOf.AddDays(-(CandlesBefore * 7 / 5 + 10)), ct,
            limit: CandlesBefore * 2 + CandlesAfter * 2);
        var at = 0;
        while (at < bars.Count && bars[at].Ts <= asOf) at++;
        var start = Math.Max(0, at - CandlesBefore);
        var end = Math.Min(bars.Count, at + CandlesAfter);
        return bars.Skip(start).Take(end - start).ToList();
    }

    // ---- track record ----

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
        await EnsureConsentAsync(db, userId, ct);
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
            Of("profile", k => Profiles.ToList().IndexOf(k)),
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

public static class RecommendationsSetup
{
    /// <summary>The trader's read side, scoring and outcome back-fill.</summary>
    public static IServiceCollection AddSignalbookRecommendations(this IServiceCollection services)
        => services.AddScoped<RecommendationsService>().AddScoped<ScoringService>().AddScoped<OutcomeBackfill>();
}
