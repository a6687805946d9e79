using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;

namespace Signalbook.Features.Journal.Plans;

/// <summary>What the pre-trade form submits.</summary>
public sealed record PlanInput(string Symbol, FillSide Side, decimal Quantity, decimal Price, decimal? Stop = null, decimal? Target = null,
    long? StrategyId = null, string? Hypothesis = null);

/// <summary>One check of a plan as stored in trade_plans.checks (snake_case).</summary>
public sealed record PlanCheck(string CheckType, string Severity, bool Passed, string NudgeText, Dictionary<string, object?>? Details = null);

/// <summary>A checked plan: its checks (failed first, most serious first) and what the market looked like.</summary>
public sealed record PlanDetail(long Id, string Symbol, FillSide Side, decimal Quantity, decimal Price, decimal? Stop, decimal? Target, long? StrategyId,
    string? StrategyName, string? Hypothesis, IReadOnlyList<PlanCheck> Checks, MarketSnapshot? Snapshot, string? TraderAction, DateTimeOffset CreatedAt,
    DateTimeOffset? DecidedAt)
{
    public int Failed => Checks.Count(c => !c.Passed);
}

/// <summary>One plan of the history.</summary>
public sealed record PlanRow(long Id, DateTimeOffset CreatedAt, string Symbol, FillSide Side, decimal Quantity, decimal Price, string? StrategyName,
    int Checks, int Failed, string? WorstSeverity, string? TraderAction, DateTimeOffset? DecidedAt);

/// <summary>A strategy the trader can tag a plan with.</summary>
public sealed record PlanStrategyOption(long Id, string Name, string? Family);

/// <summary>The field names of a plan's <see cref="JournalFieldError"/>s.</summary>
public static class PlanFields
{
    public const string Symbol = "symbol";
    public const string Side = "side";
    public const string Quantity = "quantity";
    public const string Price = "price";
    public const string Stop = "stop";
    public const string Target = "target";
    public const string Strategy = "strategy";
    public const string Hypothesis = "hypothesis";
    public const string Action = "trader_action";
}

/// <summary>
/// The pre-trade check: the trader describes a trade they plan, the nudge engine checks it in phase pre_trade at the
/// current time (their rules, risk profile, open positions, recent history, the recommendation and regime now), and the
/// plan is kept in trade_plans with its checks and market snapshot; the trader then records whether they proceeded,
/// modified or cancelled it. Scoped to the caller: another trader's plan or strategy is not found.
/// </summary>
public sealed class TradePlanService(IDbContextFactory<AppDbContext> factory, JournalNudgeService nudges, TimeProvider clock)
{
    public const int MaxHypothesisLength = 4000;
    public const int HistorySize = 20;

    private static readonly Dictionary<string, int> SeverityRank = new() { [NudgeSeverities.Info] = 0, [NudgeSeverities.Warn] = 1, [NudgeSeverities.Critical] = 2 };

    public async Task<IReadOnlyList<PlanStrategyOption>> StrategiesAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Strategies.AsNoTracking().Where(s => s.UserId == caller.UserId).OrderBy(s => s.Name)
            .Select(s => new PlanStrategyOption(s.Id, s.Name, s.ImpliedStrategyFamily)).ToListAsync(ct);
    }

    /// <summary>Every problem with the plan, on its field; empty when it can be checked.</summary>
    public static IReadOnlyList<JournalFieldError> Validate(PlanInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<JournalFieldError>();
        var symbol = (input.Symbol ?? "").Trim();
        if (symbol.Length == 0) errors.Add(new(PlanFields.Symbol, "Enter the symbol you plan to trade."));
        else if (symbol.Length > 32) errors.Add(new(PlanFields.Symbol, "A symbol has at most 32 characters."));
        if (!Enum.IsDefined(input.Side)) errors.Add(new(PlanFields.Side, "Choose buy or sell."));
        if (input.Quantity <= 0) errors.Add(new(PlanFields.Quantity, "The quantity must be above 0."));
        if (input.Price <= 0) errors.Add(new(PlanFields.Price, "The price must be above 0."));
        var buy = input.Side == FillSide.Buy;
        if (input.Stop is { } stop)
        {
            if (stop <= 0) errors.Add(new(PlanFields.Stop, "The stop must be above 0, or empty for none."));
            else if (input.Price > 0 && (buy ? stop >= input.Price : stop <= input.Price))
                errors.Add(new(PlanFields.Stop, buy ? "A buy's stop goes below the entry price." : "A short's stop goes above the entry price."));
        }
        if (input.Target is { } target)
        {
            if (target <= 0) errors.Add(new(PlanFields.Target, "The target must be above 0, or empty for none."));
            else if (input.Price > 0 && (buy ? target <= input.Price : target >= input.Price))
                errors.Add(new(PlanFields.Target, buy ? "A buy's target goes above the entry price." : "A short's target goes below the entry price."));
        }
        if ((input.Hypothesis?.Trim().Length ?? 0) > MaxHypothesisLength)
            errors.Add(new(PlanFields.Hypothesis, $"The hypothesis can be at most {MaxHypothesisLength} characters."));
        return errors;
    }

    /// <summary>Checks the plan now and stores it with its checks and snapshot.</summary>
    /// <exception cref="JournalFormException">Every field error at once; nothing was written.</exception>
    public async Task<PlanDetail> CheckAsync(JournalCaller caller, PlanInput input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        var errors = Validate(input).ToList();
        await using var db = await factory.CreateDbContextAsync(ct);
        string? strategyName = null;
        if (input.StrategyId is { } sid)
        {
            strategyName = await db.Strategies.AsNoTracking().Where(s => s.Id == sid && s.UserId == caller.UserId).Select(s => s.Name).SingleOrDefaultAsync(ct);
            if (strategyName is null) errors.Add(new(PlanFields.Strategy, "Choose one of your own strategies."));
        }
        JournalFormException.ThrowIfAny(errors);

        var symbol = input.Symbol.Trim().ToUpperInvariant();
        var now = clock.GetUtcNow();
        var (intent, held) = await IntentAsync(db, caller.UserId, symbol, input, ct);
        var trade = new NudgeTrade
        {
            Symbol = symbol, Side = input.Side, Intent = intent, Quantity = input.Quantity, Price = input.Price, Time = now, Stop = input.Stop,
            Target = input.Target, HeldQuantityBefore = held,
        };
        var (outcomes, snapshot) = await nudges.EvaluateAsync(caller.UserId, trade, CheckPhases.PreTrade, input.StrategyId, ct: ct);
        var checks = Order(outcomes.Select(o => new PlanCheck(o.CheckType, o.Severity, o.Passed, o.NudgeText, o.Details.ToDictionary(k => k.Key, k => k.Value))));
        var plan = new TradePlan
        {
            UserId = caller.UserId, Symbol = symbol, Side = input.Side, Quantity = input.Quantity, Price = input.Price, Stop = input.Stop, Target = input.Target,
            StrategyId = input.StrategyId, Hypothesis = string.IsNullOrWhiteSpace(input.Hypothesis) ? null : input.Hypothesis.Trim(),
            Checks = JsonSerializer.Serialize(checks, NudgeRuleCatalog.Json), Snapshot = snapshot.ToJson(), CreatedAt = now,
        };
        db.TradePlans.Add(plan);
        await db.SaveChangesAsync(ct);
        return Detail(plan, strategyName);
    }

    /// <summary>Records what the trader did with the plan (proceeded, modified, cancelled) and when; a later choice replaces it.</summary>
    public async Task<PlanDetail> DecideAsync(JournalCaller caller, long planId, string action, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        if (!TraderActions.All.Contains(action)) throw new JournalValidationException(PlanFields.Action, "Choose proceeded, modified or cancelled.");
        await using var db = await factory.CreateDbContextAsync(ct);
        var plan = await db.TradePlans.SingleOrDefaultAsync(p => p.Id == planId && p.UserId == caller.UserId, ct)
                   ?? throw new JournalNotFoundException($"Plan {planId}");
        plan.TraderAction = action;
        plan.DecidedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return Detail(plan, await StrategyNameAsync(db, plan.StrategyId, ct));
    }

    public async Task<PlanDetail> GetAsync(JournalCaller caller, long planId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var plan = await db.TradePlans.AsNoTracking().SingleOrDefaultAsync(p => p.Id == planId && p.UserId == caller.UserId, ct)
                   ?? throw new JournalNotFoundException($"Plan {planId}");
        return Detail(plan, await StrategyNameAsync(db, plan.StrategyId, ct));
    }

    /// <summary>The caller's most recent plans, newest first.</summary>
    public async Task<IReadOnlyList<PlanRow>> RecentAsync(JournalCaller caller, int take = HistorySize, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.TradePlans.AsNoTracking().Where(p => p.UserId == caller.UserId).OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.Id)
            .Take(Math.Clamp(take, 1, 200))
            .Select(p => new
            {
                p.Id, p.CreatedAt, p.Symbol, p.Side, p.Quantity, p.Price, p.Checks, p.TraderAction, p.DecidedAt,
                Strategy = db.Strategies.Where(s => s.Id == p.StrategyId).Select(s => s.Name).FirstOrDefault(),
            }).ToListAsync(ct);
        return rows.Select(r =>
        {
            var checks = ReadChecks(r.Checks);
            var failed = checks.Where(c => !c.Passed).ToList();
            var worst = failed.Count == 0 ? null : failed.MaxBy(c => SeverityRank.GetValueOrDefault(c.Severity))!.Severity;
            return new PlanRow(r.Id, r.CreatedAt, r.Symbol, r.Side, r.Quantity, r.Price, r.Strategy, checks.Count, failed.Count, worst, r.TraderAction, r.DecidedAt);
        }).ToList();
    }

    /// <summary>
    /// What the planned trade does to the position: adding to an open campaign in the same direction (judged on the whole
    /// position), reducing or closing one in the other, else opening.
    /// </summary>
    private static async Task<(TradeIntent Intent, decimal Held)> IntentAsync(AppDbContext db, Guid userId, string symbol, PlanInput input, CancellationToken ct)
    {
        var open = await db.CampaignSummaries.AsNoTracking().Where(c => c.UserId == userId && c.Symbol == symbol && c.ClosedAt == null)
            .OrderByDescending(c => c.OpenedAt).Select(c => new { c.Direction, c.OpenQuantity }).FirstOrDefaultAsync(ct);
        if (open is null || open.OpenQuantity == 0) return (TradeIntent.Open, 0m);
        var held = Math.Abs(open.OpenQuantity);
        var sameWay = (open.Direction == "long") == (input.Side == FillSide.Buy);
        if (sameWay) return (TradeIntent.Add, held);
        return (input.Quantity >= held ? TradeIntent.Exit : TradeIntent.Reduce, held);
    }

    private static List<PlanCheck> Order(IEnumerable<PlanCheck> checks)
        => checks.OrderBy(c => c.Passed).ThenByDescending(c => SeverityRank.GetValueOrDefault(c.Severity)).ToList();

    private static PlanDetail Detail(TradePlan p, string? strategyName)
        => new(p.Id, p.Symbol, p.Side, p.Quantity, p.Price, p.Stop, p.Target, p.StrategyId, strategyName, p.Hypothesis, ReadChecks(p.Checks),
            MarketSnapshot.FromJson(p.Snapshot), p.TraderAction, p.CreatedAt, p.DecidedAt);

    private static async Task<string?> StrategyNameAsync(AppDbContext db, long? id, CancellationToken ct)
        => id is { } sid ? await db.Strategies.AsNoTracking().Where(s => s.Id == sid).Select(s => s.Name).SingleOrDefaultAsync(ct) : null;

    private static List<PlanCheck> ReadChecks(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<PlanCheck>>(json, NudgeRuleCatalog.Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
