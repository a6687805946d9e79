using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Models;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// The recommendations dashboard: the active recommendations of a profile, filtered, sorted and paged in SQL, with the
/// label split, what is new since yesterday and the model versions that produced them. Checks the user's consent first,
/// on every call; the results, the same for every user, come from <see cref="RecommendationDashboardCache"/> when another
/// circuit asked the same query since the data last changed.
/// </summary>
public sealed class RecommendationDashboardService(IDbContextFactory<AppDbContext> factory, TimeProvider clock, RecommendationDashboardCache cache)
{
    public const int MaxPageSize = 100;
    public const int NewRowsLimit = 10;

    /// <summary>
    /// Active recommendations of a profile, filtered, sorted and paged. Label counts cover the same filters except the
    /// label one (so the summary keeps showing all three labels); the new-since-yesterday count and list cover the whole profile.
    /// </summary>
    public async Task<DashboardResult> DashboardAsync(Guid userId, RecommendationQuery q, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(q);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await RiskConsentService.EnsureConsentAsync(db, userId, ct);
        }
        var key = Normalise(q);
        return await cache.GetOrLoadAsync(key, token => LoadAsync(key, token), ct);
    }

    /// <summary>One form per distinct query (blank filters are none, paging clamped), so equal requests share an entry.</summary>
    private static RecommendationQuery Normalise(RecommendationQuery q) => q with
    {
        Label = Blank(q.Label), Exchange = Blank(q.Exchange), Sector = Blank(q.Sector), MarketCap = Blank(q.MarketCap), Regime = Blank(q.Regime),
        Skip = Math.Max(0, q.Skip), Take = Math.Clamp(q.Take, 1, MaxPageSize),
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>Runs a normalised query (<see cref="Normalise"/>): a filter is null or a value.</summary>
    private async Task<DashboardResult> LoadAsync(RecommendationQuery q, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var since = clock.GetUtcNow().AddHours(-24);

        var active = db.Recommendations.AsNoTracking().Where(r => r.IsActive && r.Profile == q.Profile);
        var rows = Project(db, active, since);

        var filtered = rows;
        if (q.Exchange is not null) filtered = filtered.Where(r => r.Exchange == q.Exchange);
        if (q.Sector is not null) filtered = filtered.Where(r => r.Sector == q.Sector);
        if (q.MarketCap is not null) filtered = filtered.Where(r => r.MarketCapBucket == q.MarketCap);
        if (q.MinConfidence is { } min) filtered = filtered.Where(r => r.Confidence >= min);
        if (q.Regime is not null)
        {
            var regime = JsonSerializer.Serialize(new { regime = new { name = q.Regime } });
            filtered = filtered.Where(r => EF.Functions.JsonContains(r.Snapshot, regime));
        }
        if (q.NewOnly) filtered = filtered.Where(r => r.GeneratedAt >= since && (r.PreviousLabel == null || r.PreviousLabel != r.Label));

        var counts = await filtered.GroupBy(r => r.Label).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var labelCounts = RecommendationLabels.All.ToDictionary(l => l, l => counts.FirstOrDefault(c => c.Key == l)?.Count ?? 0);

        if (q.Label is not null) filtered = filtered.Where(r => r.Label == q.Label);
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
        var page = await sorted.Skip(q.Skip).Take(q.Take).ToListAsync(ct);

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
}
