using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Users;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// One recommendation with its evidence: the snapshot the model saw, feature percentiles, the instrument's past signals
/// for the profile with their outcomes, and the daily candles around it. Checks the user's consent first.
/// </summary>
public sealed class RecommendationDetailService(IDbContextFactory<AppDbContext> factory, MarketsService markets, ModelDataStore modelData)
{
    /// <summary>
    /// The instrument's active recommendation for the user's preferred risk profile (what the instrument page shows), or
    /// null when the models have not scored it yet. Throws <see cref="RiskConsentRequiredException"/> before consent.
    /// </summary>
    public async Task<InstrumentRecommendation?> ActiveForInstrumentAsync(Guid userId, long instrumentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await RiskConsentService.EnsureConsentAsync(db, userId, ct);
        var preferred = await db.UserSettings.AsNoTracking().Where(u => u.UserId == userId).Select(u => u.PreferredProfile).SingleOrDefaultAsync(ct);
        var profile = preferred is not null && RecommendationProfiles.All.Contains(preferred) ? preferred : RiskProfiles.Moderate;
        return await db.Recommendations.AsNoTracking()
            .Where(r => r.InstrumentId == instrumentId && r.Profile == profile && r.IsActive)
            .OrderByDescending(r => r.GeneratedAt).ThenByDescending(r => r.Id)
            .Select(r => new InstrumentRecommendation(r.Id, r.Profile, r.Label, r.Confidence, r.GeneratedAt))
            .FirstOrDefaultAsync(ct);
    }

    public const int HistoryLimit = 50;

    /// <summary>Daily candles shown before the recommendation's bar and after it (when they exist).</summary>
    public const int CandlesBefore = 90, CandlesAfter = 30;

    /// <summary>One recommendation with its snapshot, feature percentiles, the instrument's past signals for the profile and daily candles; null when unknown.</summary>
    public async Task<RecommendationDetail?> DetailAsync(Guid userId, long id, CancellationToken ct = default)
    {
        RecommendationDetail? detail;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await RiskConsentService.EnsureConsentAsync(db, userId, ct);
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
}
