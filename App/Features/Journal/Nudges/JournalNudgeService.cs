using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal.Nudges;

/// <summary>
/// Runs the trader's rules against the database: loads a <see cref="NudgeContext"/> as of the trade's time (settings,
/// enabled rules, open and closed campaigns, recent fills, the recommendation and regime known then, the strategy),
/// evaluates it, and for a fill's decision context stores the outcomes as campaign_checks.
/// </summary>
public sealed class JournalNudgeService(IDbContextFactory<AppDbContext> factory, UserSettingsService settings, MarketSnapshotService snapshots, TimeProvider clock)
{
    private static readonly TimeSpan History = TimeSpan.FromDays(90);

    /// <summary>The trader's rules: their user_rules rows, or every catalogue rule at its defaults when they have none yet.</summary>
    public async Task<IReadOnlyList<NudgeRule>> RulesAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.UserRules.AsNoTracking().Where(r => r.UserId == userId).Select(r => new { r.RuleCode, r.Parameters, r.IsEnabled }).ToListAsync(ct);
        if (rows.Count == 0) return NudgeRuleCatalog.Defaults();
        return rows.Where(r => r.IsEnabled && NudgeRuleCatalog.Find(r.RuleCode) is not null)
            .Select(r => new NudgeRule(r.RuleCode, NudgeRuleCatalog.ReadParameters(r.RuleCode, r.Parameters))).ToList();
    }

    /// <summary>Evaluates a trade (planned or done) in a phase. <paramref name="excludeFillId"/> leaves the trade's own fill out of the history.</summary>
    public async Task<(IReadOnlyList<CheckOutcome> Outcomes, MarketSnapshot Snapshot)> EvaluateAsync(Guid userId, NudgeTrade trade, string phase, long? strategyId,
        long? excludeFillId = null, CancellationToken ct = default)
    {
        var (profile, risk, preferred) = await settings.GetTradingAsync(userId, ct);
        var snapshot = await snapshots.AtAsync(trade.Symbol, trade.Time, preferred, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        var at = trade.Time;
        var since = at - History;

        var openPositions = await db.CampaignSummaries.AsNoTracking()
            .CountAsync(c => c.UserId == userId && c.Symbol != trade.Symbol && c.OpenedAt < at && (c.ClosedAt == null || c.ClosedAt > at), ct);
        var closed = await db.CampaignSummaries.AsNoTracking()
            .Where(c => c.UserId == userId && c.ClosedAt != null && c.ClosedAt < at && c.ClosedAt >= since)
            .OrderBy(c => c.ClosedAt)
            .Select(c => new ClosedCampaign(c.Symbol, c.ClosedAt!.Value, c.RealisedPnl,
                c.StrategyId == null ? null : db.Strategies.Where(s => s.Id == c.StrategyId).Select(s => s.Name).FirstOrDefault()))
            .ToListAsync(ct);
        var fillTimes = await db.TradeFills.AsNoTracking()
            .Where(f => f.UserId == userId && f.ExecutedAt >= since && f.ExecutedAt < at && f.Id != (excludeFillId ?? 0) && f.ReversesFillId == null)
            .Select(f => f.ExecutedAt).ToListAsync(ct);
        NudgeStrategy? strategy = null;
        if (strategyId is { } sid)
        {
            strategy = await db.Strategies.AsNoTracking().Where(s => s.Id == sid && s.UserId == userId)
                .Select(s => new NudgeStrategy(s.Name, s.ImpliedStrategyFamily, s.Direction,
                    s.MaxRiskPct == null ? null : (decimal)s.MaxRiskPct, s.MinRiskReward == null ? null : (decimal)s.MinRiskReward))
                .FirstOrDefaultAsync(ct) ?? throw new JournalNotFoundException($"Strategy {sid}");
        }
        var context = new NudgeContext
        {
            Phase = phase,
            Trade = trade,
            AccountBalance = profile.AccountBalance,
            RiskProfile = risk,
            TimeZone = UserSettingsService.ZoneOf(profile),
            OpenPositions = openPositions,
            ClosedCampaigns = closed,
            RecentFillTimes = fillTimes,
            Recommendation = snapshot.RecommendationLabel is { } label ? new NudgeRecommendation(label, snapshot.RecommendationConfidence ?? 0) : null,
            Regime = snapshot.Regime,
            Strategy = strategy,
        };
        return (NudgeEvaluator.Evaluate(context, await RulesAsync(userId, ct)), snapshot);
    }

    /// <summary>
    /// Checks one fill's decision context: works out what the fill did to the position (open, add, reduce, exit), reads
    /// the stop and target from the context's exit intent, evaluates in the matching phase (at_entry or at_exit; a
    /// post-trade reflection: post_trade) and replaces that context's earlier checks of the phase. Returns the stored checks.
    /// </summary>
    public async Task<IReadOnlyList<CampaignCheck>> CheckContextAsync(Guid userId, long decisionContextId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var context = await db.DecisionContexts.AsNoTracking().SingleOrDefaultAsync(c => c.Id == decisionContextId && c.UserId == userId, ct)
                      ?? throw new JournalNotFoundException($"Decision context {decisionContextId}");
        var fill = await db.TradeFills.AsNoTracking().SingleAsync(f => f.Id == context.FillId, ct);
        var before = await PositionBeforeAsync(db, fill, ct);
        var signed = fill.Side == FillSide.Buy ? fill.Quantity : -fill.Quantity;
        var after = before + signed;
        var intent = before == 0 ? TradeIntent.Open
            : Math.Sign(after) == Math.Sign(before) && Math.Abs(after) > Math.Abs(before) ? TradeIntent.Add
            : after == 0 || Math.Sign(after) != Math.Sign(before) ? TradeIntent.Exit
            : TradeIntent.Reduce;
        var (stop, target) = ReadExitIntent(context.ExitIntent);
        var trade = new NudgeTrade
        {
            Symbol = fill.Symbol, Side = fill.Side, Intent = intent, Quantity = fill.Quantity, Price = fill.Price, Time = fill.ExecutedAt,
            Stop = stop, Target = target, HeldQuantityBefore = Math.Abs(before),
        };
        var phase = context.ContextType == DecisionContextTypes.PostTradeReflection ? CheckPhases.PostTrade
            : trade.IsEntry ? CheckPhases.AtEntry : CheckPhases.AtExit;
        var (outcomes, _) = await EvaluateAsync(userId, trade, phase, context.StrategyId, fill.Id, ct);

        var now = clock.GetUtcNow();
        await db.CampaignChecks.Where(c => c.DecisionContextId == context.Id && c.CheckPhase == phase).ExecuteDeleteAsync(ct);
        var rows = outcomes.Select(o => new CampaignCheck
        {
            DecisionContextId = context.Id, UserId = userId, CheckType = o.CheckType, Severity = o.Severity, Passed = o.Passed,
            Details = JsonSerializer.Serialize(o.Details, NudgeRuleCatalog.Json), NudgeText = o.NudgeText, CheckedAt = now, CheckPhase = o.Phase,
        }).ToList();
        db.CampaignChecks.AddRange(rows);
        await db.SaveChangesAsync(ct);
        return rows;
    }

    /// <summary>The signed position of the fill's series just before it (fills ordered by time, then id; corrections left out).</summary>
    private static async Task<decimal> PositionBeforeAsync(AppDbContext db, TradeFill fill, CancellationToken ct)
    {
        var earlier = db.TradeFills.AsNoTracking().Where(f => f.UserId == fill.UserId && f.Symbol == fill.Symbol && f.AssetType == fill.AssetType
            && f.ReversesFillId == null && !db.TradeFills.Any(r => r.ReversesFillId == f.Id)
            && (f.ExecutedAt < fill.ExecutedAt || (f.ExecutedAt == fill.ExecutedAt && f.Id < fill.Id)));
        var buys = await earlier.Where(f => f.Side == FillSide.Buy).SumAsync(f => (decimal?)f.Quantity, ct) ?? 0m;
        var sells = await earlier.Where(f => f.Side == FillSide.Sell).SumAsync(f => (decimal?)f.Quantity, ct) ?? 0m;
        return buys - sells;
    }

    /// <summary>Stop and target from an exit intent document {"stop": …, "target": …}.</summary>
    public static (decimal? Stop, decimal? Target) ReadExitIntent(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return (null, null);
        using var doc = JsonDocument.Parse(json);
        return (Number(doc.RootElement, "stop"), Number(doc.RootElement, "target"));

        static decimal? Number(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDecimal() > 0 ? v.GetDecimal() : null;
    }
}
