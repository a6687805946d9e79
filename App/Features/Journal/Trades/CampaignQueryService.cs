using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Journal.Contexts;
using Signalbook.Features.MarketData;

namespace Signalbook.Features.Journal.Trades;

/// <summary>
/// Reads campaigns for the trades pages: the grid (filters, one sort column, server-side paging over
/// campaign_summaries, projected rows) and one campaign's detail (legs, daily bars around the holding period, the
/// decision contexts of its fills with their checks, and the journal entries about it). Every query is scoped to the
/// caller: another trader's campaign is not found.
/// </summary>
public sealed class CampaignQueryService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    /// <summary>Bars shown before the first fill and after the last (calendar days).</summary>
    public const int ChartPaddingDays = 20;

    /// <summary>At most this many bars on a campaign chart (the most recent of a very long campaign).</summary>
    public const int MaxChartBars = 750;

    public const int MaxPageSize = 200;

    public async Task<CampaignList> QueryAsync(JournalCaller caller, CampaignQuery query, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.CampaignSummaries.AsNoTracking().Where(c => c.UserId == caller.UserId);
        if (!string.IsNullOrWhiteSpace(query.Symbol))
        {
            var symbol = query.Symbol.Trim().ToUpperInvariant();
            q = q.Where(c => c.Symbol == symbol);
        }
        if (query.StrategyId is { } sid) q = q.Where(c => c.StrategyId == sid);
        if (!string.IsNullOrWhiteSpace(query.Direction)) q = q.Where(c => c.Direction == query.Direction);
        if (!string.IsNullOrWhiteSpace(query.Regime)) q = q.Where(c => c.Regime == query.Regime);
        q = query.Outcome switch
        {
            CampaignOutcomes.Open => q.Where(c => c.ClosedAt == null),
            CampaignOutcomes.Win => q.Where(c => c.ClosedAt != null && c.RealisedPnl > 0),
            CampaignOutcomes.Loss => q.Where(c => c.ClosedAt != null && c.RealisedPnl < 0),
            _ => q,
        };
        if (query.From is { } from)
        {
            var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(c => c.OpenedAt >= start);
        }
        if (query.To is { } to)
        {
            var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            q = q.Where(c => c.OpenedAt < end);
        }
        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            var tag = JsonSerializer.Serialize(new[] { query.Tag.Trim() });
            var user = caller.UserId;
            q = q.Where(c => db.JournalEntries.Any(e => e.UserId == user && e.TradeId == c.GroupId.ToString() && EF.Functions.JsonContains(e.Tags, tag)));
        }

        var total = await q.CountAsync(ct);
        var rows = await Project(db, Sort(db, q, query.SortBy, query.Descending).Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, MaxPageSize)))
            .ToListAsync(ct);
        return new CampaignList(rows, total);
    }

    /// <summary>Whether the caller has any campaign at all (the grid's empty state differs from "no match").</summary>
    public async Task<bool> AnyAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.CampaignSummaries.AnyAsync(c => c.UserId == caller.UserId, ct);
    }

    public async Task<CampaignFacets> FacetsAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var mine = db.CampaignSummaries.AsNoTracking().Where(c => c.UserId == caller.UserId);
        var symbols = await mine.Select(c => c.Symbol).Distinct().OrderBy(s => s).Take(1000).ToListAsync(ct);
        var regimes = await mine.Where(c => c.Regime != null).Select(c => c.Regime!).Distinct().OrderBy(r => r).ToListAsync(ct);
        var strategies = await StrategiesAsync(db, caller, ct);
        var tagDocs = await db.JournalEntries.AsNoTracking().Where(e => e.UserId == caller.UserId && e.TradeId != null).OrderByDescending(e => e.Date)
            .Select(e => e.Tags).Take(2000).ToListAsync(ct);
        var tags = tagDocs.SelectMany(ReadTags).Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase).ToList();
        return new CampaignFacets(symbols, strategies, regimes, tags);
    }

    /// <summary>The caller's strategies, for the filters and the context form.</summary>
    public async Task<IReadOnlyList<StrategyOption>> StrategiesAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await StrategiesAsync(db, caller, ct);
    }

    public async Task<CampaignDetail> DetailAsync(JournalCaller caller, long groupId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var summary = await Project(db, db.CampaignSummaries.AsNoTracking().Where(c => c.GroupId == groupId && c.UserId == caller.UserId))
            .SingleOrDefaultAsync(ct) ?? throw new JournalNotFoundException($"Trade {groupId}");

        var legs = await db.CampaignFills.AsNoTracking().Where(cf => cf.GroupId == groupId)
            .Join(db.TradeFills.Where(f => f.UserId == caller.UserId), cf => cf.FillId, f => f.Id, (cf, f) => new { cf, f })
            .OrderBy(x => x.f.ExecutedAt).ThenBy(x => x.f.Id)
            .Select(x => new CampaignLeg(x.f.Id, x.f.ExecutedAt, x.f.Side, x.cf.Quantity, x.f.Quantity, x.f.Price, x.f.Fees, x.f.Source, x.f.Broker, x.f.Currency,
                x.f.AssetType, x.f.ReplacesFillId, db.DecisionContexts.Any(d => d.FillId == x.f.Id)))
            .ToListAsync(ct);
        var fillIds = legs.Select(l => l.FillId).ToArray();

        var instrumentId = await db.TradeFills.AsNoTracking().Where(f => fillIds.Contains(f.Id) && f.InstrumentId != null)
            .OrderBy(f => f.Id).Select(f => f.InstrumentId).FirstOrDefaultAsync(ct);
        IReadOnlyList<CampaignBar> bars = [];
        if (instrumentId is { } iid)
        {
            var from = summary.OpenedAt.AddDays(-ChartPaddingDays);
            var to = (summary.ClosedAt ?? clock.GetUtcNow()).AddDays(ChartPaddingDays);
            var recent = await db.PriceBars.AsNoTracking().Where(b => b.InstrumentId == iid && b.Interval == Intervals.OneDay && b.Ts >= from && b.Ts <= to)
                .OrderByDescending(b => b.Ts).Take(MaxChartBars)
                .Select(b => new CampaignBar(b.Ts, b.Open, b.High, b.Low, b.Close)).ToListAsync(ct);
            recent.Reverse();
            bars = recent;
        }

        var contextRows = await db.DecisionContexts.AsNoTracking().Where(c => c.UserId == caller.UserId && fillIds.Contains(c.FillId))
            .Select(c => new
            {
                c.Id, c.FillId, c.ContextType, c.StrategyId,
                StrategyName = db.Strategies.Where(s => s.Id == c.StrategyId).Select(s => s.Name).FirstOrDefault(),
                c.Hypothesis, c.ExitIntent, c.FeelingsThen, c.FeelingsNow, c.Notes, c.Snapshot, c.CreatedAt, c.UpdatedAt,
            })
            .ToListAsync(ct);
        var contextIds = contextRows.Select(c => c.Id).ToArray();
        var checks = await db.CampaignChecks.AsNoTracking().Where(c => c.UserId == caller.UserId && contextIds.Contains(c.DecisionContextId))
            .OrderBy(c => c.Passed).ThenBy(c => c.Id).Select(DecisionContextService.ToView).ToListAsync(ct);
        var order = legs.Select((l, i) => (l.FillId, i)).ToDictionary(x => x.FillId, x => x.i);
        var contexts = contextRows.OrderBy(c => order[c.FillId]).Select(c => new ContextView(c.Id, c.FillId, c.ContextType, c.StrategyId, c.StrategyName, c.Hypothesis,
                ContextJson.ReadExitIntent(c.ExitIntent), ContextJson.ReadFeelings(c.FeelingsThen), ContextJson.ReadFeelings(c.FeelingsNow), c.Notes, Snapshot(c.Snapshot),
                c.CreatedAt, c.UpdatedAt,
                checks.Where(k => k.DecisionContextId == c.Id).OrderBy(k => k.Passed).ThenBy(k => SeverityRank(k.Severity)).ThenBy(k => k.Id).ToList()))
            .ToList();

        var tradeId = groupId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var noteRows = await db.JournalEntries.AsNoTracking().Where(e => e.UserId == caller.UserId && e.TradeId == tradeId)
            .OrderBy(e => e.Date).ThenBy(e => e.Id).Select(e => new { e.Id, e.Date, e.EntryType, e.Content, e.Tags, e.Mood }).Take(200).ToListAsync(ct);
        var notes = noteRows.Select(n => new CampaignNote(n.Id, n.Date, n.EntryType, n.Content, ReadTags(n.Tags), n.Mood)).ToList();
        return new CampaignDetail(summary, legs, instrumentId, bars, contexts, notes);
    }

    private static async Task<IReadOnlyList<StrategyOption>> StrategiesAsync(AppDbContext db, JournalCaller caller, CancellationToken ct)
        => await db.Strategies.AsNoTracking().Where(s => s.UserId == caller.UserId).OrderBy(s => s.Name).Select(s => new StrategyOption(s.Id, s.Name)).ToListAsync(ct);

    private static IQueryable<CampaignRow> Project(AppDbContext db, IQueryable<CampaignSummary> q) => q.Select(c => new CampaignRow(
        c.GroupId, c.Symbol, c.AssetType, c.Direction, c.OpenedAt, c.ClosedAt, c.MaxPosition, c.OpenQuantity, c.EntryAverage, c.ExitAverage, c.RealisedPnl,
        c.ReturnPct, c.RMultiple, c.Mae, c.Mfe, c.Fees, c.FillCount, c.Currency, c.StrategyId,
        db.Strategies.Where(s => s.Id == c.StrategyId).Select(s => s.Name).FirstOrDefault(), c.Regime));

    /// <summary>Sorts by a grid column (a <see cref="CampaignRow"/> property name), then by group id so pages never overlap.</summary>
    private static IQueryable<CampaignSummary> Sort(AppDbContext db, IQueryable<CampaignSummary> q, string? column, bool descending)
    {
        IOrderedQueryable<CampaignSummary> sorted = column switch
        {
            nameof(CampaignRow.Symbol) => By(q, c => c.Symbol, descending),
            nameof(CampaignRow.Direction) => By(q, c => c.Direction, descending),
            nameof(CampaignRow.ClosedAt) => By(q, c => c.ClosedAt, descending),
            nameof(CampaignRow.MaxPosition) => By(q, c => c.MaxPosition, descending),
            nameof(CampaignRow.OpenQuantity) => By(q, c => c.OpenQuantity, descending),
            nameof(CampaignRow.EntryAverage) => By(q, c => c.EntryAverage, descending),
            nameof(CampaignRow.ExitAverage) => By(q, c => c.ExitAverage, descending),
            nameof(CampaignRow.RealisedPnl) => By(q, c => c.RealisedPnl, descending),
            nameof(CampaignRow.ReturnPct) => By(q, c => c.ReturnPct, descending),
            nameof(CampaignRow.RMultiple) => By(q, c => c.RMultiple, descending),
            nameof(CampaignRow.Mae) => By(q, c => c.Mae, descending),
            nameof(CampaignRow.Mfe) => By(q, c => c.Mfe, descending),
            nameof(CampaignRow.Fees) => By(q, c => c.Fees, descending),
            nameof(CampaignRow.FillCount) => By(q, c => c.FillCount, descending),
            nameof(CampaignRow.HoldingTime) => By(q, c => c.ClosedAt - c.OpenedAt, descending),
            nameof(CampaignRow.StrategyName) or nameof(CampaignRow.StrategyId) =>
                By(q, c => db.Strategies.Where(s => s.Id == c.StrategyId).Select(s => s.Name).FirstOrDefault(), descending),
            nameof(CampaignRow.Regime) => By(q, c => c.Regime, descending),
            nameof(CampaignRow.Outcome) => By(q, c => c.ClosedAt == null ? 2 : c.RealisedPnl > 0 ? 1 : 0, descending),
            _ => By(q, c => c.OpenedAt, descending),
        };
        return descending ? sorted.ThenByDescending(c => c.GroupId) : sorted.ThenBy(c => c.GroupId);
    }

    private static IOrderedQueryable<CampaignSummary> By<TKey>(IQueryable<CampaignSummary> q, Expression<Func<CampaignSummary, TKey>> key, bool descending)
        => descending ? q.OrderByDescending(key) : q.OrderBy(key);

    private static int SeverityRank(string severity) => severity switch { "critical" => 0, "warn" => 1, _ => 2 };

    private static SnapshotView? Snapshot(string? json)
    {
        try
        {
            return MarketSnapshot.FromJson(json) is { } s
                ? new SnapshotView(s.Regime, s.RegimeProbability, s.RecommendationLabel, s.RecommendationConfidence, s.RecommendationProfile, s.FeaturesAt)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> ReadTags(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<string?>>(json)?.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim()).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
