using System.Globalization;
using Signalbook.Features.Recommendations;

namespace Signalbook.Features.Journal.Nudges;

/// <summary>
/// Runs a user's enabled rules over one trade. Pure: no I/O, no clock (time is the trade's own), so the caller loads
/// the context and stores the outcomes as campaign_checks rows.
/// <list type="bullet">
/// <item>A rule runs only in the phases of its catalogue entry. In pre_trade/at_entry it checks entries (open, add);
/// in at_exit/post_trade it checks exits (reduce, exit); "during" has no rules yet.</item>
/// <item>A rule whose data is missing (a null input, no stop for a risk calculation, a regime label the table cannot
/// read, too little history for a norm) gives no outcome: it is not evaluated, never passed.</item>
/// <item>Thresholds, most specific first: the strategy's own max_risk_pct / min_risk_reward, then the rule's
/// parameters, then the user's risk profile. Details record which one applied (limit_source).</item>
/// <item>A passed check has severity info; a failed one the rule's severity. Outcomes come in the order of the rules given.</item>
/// <item>Rule codes the catalogue does not know (another evaluator's rows in user_rules) are skipped.</item>
/// </list>
/// </summary>
public static class NudgeEvaluator
{
    public const string SourceStrategy = "strategy";
    public const string SourceRule = "rule";
    public const string SourceProfile = "profile";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static IReadOnlyList<CheckOutcome> Evaluate(NudgeContext context, IEnumerable<NudgeRule> rules)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rules);
        if (!CheckPhases.IsValid(context.Phase))
        {
            throw new ArgumentException($"Unknown check phase '{context.Phase}'.", nameof(context));
        }
        var entryPhase = context.Phase is CheckPhases.PreTrade or CheckPhases.AtEntry;
        var exitPhase = context.Phase is CheckPhases.AtExit or CheckPhases.PostTrade;
        if ((entryPhase && !context.Trade.IsEntry) || (exitPhase && context.Trade.IsEntry)) return [];

        var outcomes = new List<CheckOutcome>();
        foreach (var rule in rules)
        {
            var definition = NudgeRuleCatalog.Find(rule.Code);
            if (definition is null || !definition.Phases.Contains(context.Phase)) continue;
            if (rule.Parameters.GetType() != definition.ParametersType)
            {
                throw new ArgumentException($"Rule '{rule.Code}' takes {definition.ParametersType.Name}, not {rule.Parameters.GetType().Name}.", nameof(rules));
            }
            if (!NudgeSeverities.IsValid(rule.Parameters.Severity))
            {
                throw new ArgumentException($"Rule '{rule.Code}' has severity '{rule.Parameters.Severity}'; use info, warn or critical.", nameof(rules));
            }
            var result = rule.Parameters switch
            {
                PositionSizeParameters p => PositionSize(context, p),
                RiskPerTradeParameters p => RiskPerTrade(context, p),
                StopLossParameters p => StopLoss(context, p),
                RiskRewardParameters p => RiskReward(context, p),
                DailyLossParameters p => DailyLoss(context, p),
                OpenPositionsParameters p => OpenPositions(context, p),
                RevengeTradeParameters p => Revenge(context, p),
                OvertradingParameters p => Overtrading(context, p),
                AgainstRecommendationParameters p => AgainstRecommendation(context, p),
                RegimeMismatchParameters => RegimeMismatch(context),
                SameSetupLosingParameters p => SameSetupLosing(context, p),
                _ => null,
            };
            if (result is { } r)
            {
                outcomes.Add(new CheckOutcome(rule.Code, r.Passed ? NudgeSeverities.Info : rule.Parameters.Severity, r.Passed, r.Details, r.Text,
                    context.Phase));
            }
        }
        return outcomes;
    }

    private sealed record Result(bool Passed, Dictionary<string, object?> Details, string Text);

    /// <summary>The strategy's value, else the rule's, else the profile's, with where it came from.</summary>
    private static (decimal Value, string Source) Limit(decimal? strategy, decimal? rule, decimal profile)
        => strategy is { } s ? (s, SourceStrategy) : rule is { } r ? (r, SourceRule) : (profile, SourceProfile);

    private static decimal? Balance(NudgeContext c) => c.AccountBalance is > 0 ? c.AccountBalance : null;

    private static Result? PositionSize(NudgeContext c, PositionSizeParameters p)
    {
        if (Balance(c) is not { } balance) return null;
        var t = c.Trade;
        var (limit, source) = Limit(null, p.MaxPositionSizePct, c.RiskProfile.MaxPositionSizePct);
        var value = (t.HeldQuantityBefore + t.Quantity) * t.Price;
        var pct = value / balance * 100m;
        var passed = pct <= limit;
        var subject = t.Intent == TradeIntent.Add ? "After this add, the position" : "This position";
        var text = passed
            ? $"{subject} is {Pct(pct)} of your account, within your {Lim(limit)}% limit."
            : $"{subject} is {Pct(pct)} of your account ({Money(value, c)}); your limit is {Lim(limit)}%. "
              + (Math.Floor(limit / 100m * balance / t.Price) - t.HeldQuantityBefore is > 0 and var fits
                  ? $"A size of about {Num(fits)} would keep one trade from weighing too much."
                  : "You already hold as much of it as your limit allows.");
        return new(passed, new()
        {
            ["position_value"] = Round(value), ["account_balance"] = balance, ["position_pct"] = Round(pct),
            ["limit_pct"] = limit, ["limit_source"] = source,
        }, text);
    }

    private static Result? RiskPerTrade(NudgeContext c, RiskPerTradeParameters p)
    {
        var t = c.Trade;
        if (Balance(c) is not { } balance || t.Stop is not { } stop) return null;
        var (limit, source) = Limit(c.Strategy?.MaxRiskPct, p.MaxRiskPerTradePct, c.RiskProfile.MaxRiskPerTradePct);
        var risk = Math.Abs(t.Price - stop) * t.Quantity;
        var pct = risk / balance * 100m;
        var passed = pct <= limit;
        var text = passed
            ? $"If the stop at {Num(stop)} is hit you lose {Money(risk, c)}, {Pct(pct)} of your account, within your {Lim(limit)}% limit{SourceNote(source, c)}."
            : $"If the stop at {Num(stop)} is hit you lose {Money(risk, c)}, {Pct(pct)} of your account; your limit is {Lim(limit)}%{SourceNote(source, c)}. "
              + "A smaller size or a closer stop would bring it within your plan.";
        return new(passed, new()
        {
            ["risk_amount"] = Round(risk), ["account_balance"] = balance, ["risk_pct"] = Round(pct), ["stop"] = stop,
            ["limit_pct"] = limit, ["limit_source"] = source,
        }, text);
    }

    private static Result? StopLoss(NudgeContext c, StopLossParameters p)
    {
        var required = p.Required ?? c.RiskProfile.StopLossRequired;
        if (!required) return null;
        var stop = c.Trade.Stop;
        var text = stop is { } s
            ? $"Stop set at {Num(s)}."
            : "This trade has no stop, and your plan asks for one. Where would the idea be wrong? "
              + "Deciding the exit now, while you are calm, is easier than deciding it in a falling market.";
        return new(stop is not null, new() { ["stop"] = stop, ["required"] = true, ["required_source"] = p.Required is null ? SourceProfile : SourceRule },
            text);
    }

    private static Result? RiskReward(NudgeContext c, RiskRewardParameters p)
    {
        var t = c.Trade;
        if (t.Stop is not { } stop || t.Target is not { } target) return null;
        var risk = t.IsLong ? t.Price - stop : stop - t.Price;
        if (risk <= 0) return null; // the stop is on the wrong side of the entry: the ratio would mean nothing
        var reward = t.IsLong ? target - t.Price : t.Price - target;
        var ratio = reward / risk;
        var (min, source) = Limit(c.Strategy?.MinRiskReward, p.MinRiskRewardRatio, c.RiskProfile.MinRiskRewardRatio);
        var passed = ratio >= min;
        var text = passed
            ? $"The target at {Num(target)} pays {Ratio(ratio)} the risk to your stop at {Num(stop)}, meeting your minimum of {Lim(min)}×{SourceNote(source, c)}."
            : $"The target at {Num(target)} pays only {Ratio(ratio)} the risk to your stop at {Num(stop)}; your minimum is {Lim(min)}×{SourceNote(source, c)}. "
              + "Is there a better entry, or a target the chart supports further away?";
        return new(passed, new()
        {
            ["risk_per_unit"] = Round(risk), ["reward_per_unit"] = Round(reward), ["risk_reward"] = Round(ratio),
            ["min_risk_reward"] = min, ["limit_source"] = source,
        }, text);
    }

    private static Result? DailyLoss(NudgeContext c, DailyLossParameters p)
    {
        if (Balance(c) is not { } balance || c.ClosedCampaigns is not { } closed) return null;
        var today = c.LocalDate(c.Trade.Time);
        var todays = closed.Where(x => x.ClosedAt <= c.Trade.Time && c.LocalDate(x.ClosedAt) == today).ToList();
        var pnl = todays.Sum(x => x.RealisedPnl);
        var lossPct = Math.Max(0m, -pnl) / balance * 100m;
        var (limit, source) = Limit(null, p.MaxDailyLossPct, c.RiskProfile.MaxDailyLossPct);
        var passed = lossPct < limit;
        var atExit = !c.Trade.IsEntry;
        string text;
        if (passed)
        {
            text = pnl >= 0
                ? $"Today's realised result is {Money(pnl, c)}; your daily loss limit of {Lim(limit)}% is far away."
                : $"Today's realised loss is {Money(-pnl, c)} ({Pct(lossPct)} of your account), within your daily limit of {Lim(limit)}%.";
        }
        else
        {
            text = atExit
                ? $"With this exit, today's realised loss is {Money(-pnl, c)}, {Pct(lossPct)} of your account: you have reached your daily limit of {Lim(limit)}%. "
                  + "This is a good moment to stop for today; the market will be there tomorrow."
                : $"You have lost {Money(-pnl, c)} today, {Pct(lossPct)} of your account, which reaches your daily limit of {Lim(limit)}%. "
                  + "Your plan says to stop for the day; a new trade now is more likely to be about the losses than about the setup.";
        }
        return new(passed, new()
        {
            ["local_date"] = today.ToString("yyyy-MM-dd", Inv), ["time_zone"] = c.TimeZone.Id, ["realised_pnl_today"] = pnl,
            ["campaigns_closed_today"] = todays.Count, ["loss_pct"] = Round(lossPct), ["limit_pct"] = limit, ["limit_source"] = source,
        }, text);
    }

    private static Result? OpenPositions(NudgeContext c, OpenPositionsParameters p)
    {
        if (c.Trade.Intent != TradeIntent.Open || c.OpenPositions is not { } open) return null;
        var max = p.MaxOpenPositions ?? c.RiskProfile.MaxOpenPositions;
        var after = open + 1;
        var passed = after <= max;
        var text = passed
            ? $"This will be open position {after} of your limit of {max}."
            : $"This would be your {Ordinal(after)} open position; your limit is {max}. Is it a better trade than the ones you already hold?";
        return new(passed, new()
        {
            ["open_positions"] = open, ["open_after"] = after, ["max_open_positions"] = max,
            ["limit_source"] = p.MaxOpenPositions is null ? SourceProfile : SourceRule,
        }, text);
    }

    private static Result? Revenge(NudgeContext c, RevengeTradeParameters p)
    {
        if (c.ClosedCampaigns is not { } closed) return null;
        var t = c.Trade;
        var from = t.Time.AddMinutes(-p.WindowMinutes);
        var loss = closed
            .Where(x => x.RealisedPnl < 0 && x.ClosedAt <= t.Time && x.ClosedAt >= from)
            .Where(x => !p.SameSymbolOnly || string.Equals(x.Symbol, t.Symbol, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(x => x.ClosedAt)
            .FirstOrDefault();
        var details = new Dictionary<string, object?> { ["window_minutes"] = p.WindowMinutes, ["same_symbol_only"] = p.SameSymbolOnly };
        if (loss is null)
        {
            return new(true, details, $"No losing exit in the last {p.WindowMinutes} minutes.");
        }
        var minutes = (int)Math.Floor((t.Time - loss.ClosedAt).TotalMinutes);
        details["loss_symbol"] = loss.Symbol;
        details["loss_pnl"] = loss.RealisedPnl;
        details["loss_closed_at"] = loss.ClosedAt.UtcDateTime.ToString("O", Inv);
        details["minutes_since_loss"] = minutes;
        var ago = minutes switch { 0 => "moments ago", 1 => "1 minute ago", _ => $"{minutes} minutes ago" };
        return new(false, details,
            $"You closed {loss.Symbol} at a loss of {Money(-loss.RealisedPnl, c)} {ago}. "
            + $"Trades opened within {p.WindowMinutes} minutes of a loss are often about winning it back. Is this one in your plan?");
    }

    private static Result? Overtrading(NudgeContext c, OvertradingParameters p)
    {
        if (c.RecentFillTimes is not { } fills) return null;
        var today = c.LocalDate(c.Trade.Time);
        var byDay = fills.GroupBy(c.LocalDate).ToDictionary(g => g.Key, g => g.Count());
        var history = byDay.Where(d => d.Key < today).OrderByDescending(d => d.Key).Take(p.LookbackActiveDays).Select(d => d.Value).ToList();
        if (history.Count < p.MinActiveDays) return null;
        var median = Median(history);
        var todayCount = byDay.GetValueOrDefault(today) + 1;
        var limit = p.Multiplier * median;
        var passed = todayCount <= limit;
        var text = passed
            ? $"This is trade {todayCount} today; on a typical trading day you make {Num(median)}."
            : $"This is your {Ordinal(todayCount)} trade today; on a typical trading day you make {Num(median)} (the median of your last {history.Count}). "
              + "A busy day can be a sign of chasing the market. Is each of these trades one you planned?";
        return new(passed, new()
        {
            ["local_date"] = today.ToString("yyyy-MM-dd", Inv), ["time_zone"] = c.TimeZone.Id, ["trades_today"] = todayCount,
            ["median_per_active_day"] = median, ["active_days"] = history.Count, ["multiplier"] = p.Multiplier, ["threshold"] = limit,
        }, text);
    }

    private static Result? AgainstRecommendation(NudgeContext c, AgainstRecommendationParameters p)
    {
        if (c.Recommendation is not { } rec) return null;
        var t = c.Trade;
        var label = rec.Label.Trim().ToUpperInvariant();
        var against = (t.IsLong && label == RecommendationLabels.Sell) || (!t.IsLong && label == RecommendationLabels.Buy);
        var strong = rec.Confidence >= p.MinConfidence;
        var passed = !(against && strong);
        var action = t.IsLong ? "buys" : "sells short";
        var conf = rec.Confidence.ToString("0%", Inv);
        string text;
        if (!passed)
        {
            text = $"The model says {label} on {t.Symbol} with {conf} confidence, and this trade {action}. "
                   + "If you see something the model does not, note it in your hypothesis; if not, it may be worth waiting.";
        }
        else if (against)
        {
            text = $"The model leans {label} on {t.Symbol}, but only with {conf} confidence (below {p.MinConfidence.ToString("0%", Inv)}).";
        }
        else
        {
            text = label == RecommendationLabels.Hold
                ? $"The model says HOLD on {t.Symbol} ({conf}): no strong view against this trade."
                : $"The model says {label} on {t.Symbol} ({conf}); this trade goes with it.";
        }
        return new(passed, new()
        {
            ["label"] = label, ["confidence"] = rec.Confidence, ["min_confidence"] = p.MinConfidence, ["direction"] = t.IsLong ? "long" : "short",
            ["against"] = against,
        }, text);
    }

    private static Result? RegimeMismatch(NudgeContext c)
    {
        if (c.Strategy is not { Family: { } family } strategy || !StrategyFamilies.All.Contains(family)) return null;
        if (RegimeFit.Read(c.Regime) is not { } regime) return null;
        var misfit = RegimeFit.Misfit(family, regime, c.Trade.IsLong);
        var fam = RegimeFit.FamilyWords(family);
        var text = misfit is null
            ? $"'{strategy.Name}' ({fam}) suits the current {regime.Label} regime."
            : $"'{strategy.Name}' is a {fam} strategy, but {misfit}. A smaller size, or waiting for the market it is built for, keeps the setup's edge on your side.";
        return new(misfit is null, new()
        {
            ["strategy"] = strategy.Name, ["family"] = family, ["regime"] = regime.Label,
            ["regime_character"] = regime.Character.ToString().ToLowerInvariant(), ["direction"] = c.Trade.IsLong ? "long" : "short",
        }, text);
    }

    private static Result? SameSetupLosing(NudgeContext c, SameSetupLosingParameters p)
    {
        if (c.Strategy is not { } strategy || c.ClosedCampaigns is not { } closed) return null;
        var latest = closed
            .Where(x => x.ClosedAt <= c.Trade.Time && string.Equals(x.Strategy, strategy.Name, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(x => x.ClosedAt)
            .ToList();
        var streak = latest.TakeWhile(x => x.RealisedPnl < 0).ToList();
        var lost = -streak.Sum(x => x.RealisedPnl);
        var passed = streak.Count < p.Losses;
        string text;
        if (passed)
        {
            text = streak.Count == 0
                ? $"'{strategy.Name}' is not on a losing streak."
                : $"'{strategy.Name}' has {Plural(streak.Count, "loss", "losses")} in a row; you are alerted at {p.Losses}.";
        }
        else
        {
            text = c.Trade.IsEntry
                ? $"Your last {streak.Count} trades with '{strategy.Name}' were losses ({Money(lost, c)} together). "
                  + "Before taking it again, it may be worth checking whether the setup or the market has changed."
                : $"That makes {streak.Count} losses in a row with '{strategy.Name}' ({Money(lost, c)} together). "
                  + "A short review of these trades before the next one can show whether the setup or its execution needs a change.";
        }
        return new(passed, new()
        {
            ["strategy"] = strategy.Name, ["losing_streak"] = streak.Count, ["streak_loss"] = lost, ["losses_threshold"] = p.Losses,
            ["campaigns_considered"] = latest.Count,
        }, text);
    }

    private static string SourceNote(string source, NudgeContext c)
        => source == SourceStrategy && c.Strategy is { } s ? $" (set by the strategy '{s.Name}')" : "";

    private static decimal Median(List<int> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2m;
    }

    private static decimal Round(decimal x) => Math.Round(x, 2, MidpointRounding.AwayFromZero);

    /// <summary>A percentage with one decimal: 18.0%.</summary>
    private static string Pct(decimal x) => x.ToString("0.0", Inv) + "%";

    /// <summary>A limit as the trader wrote it: 10, 2.5.</summary>
    private static string Lim(decimal x) => x.ToString("0.##", Inv);

    private static string Num(decimal x) => x.ToString("#,##0.##", Inv);

    private static string Ratio(decimal x) => x.ToString("0.0#", Inv) + "×";

    private static string Money(decimal x, NudgeContext c) => x.ToString("#,##0.00", Inv) + " " + c.Currency;

    private static string Plural(int n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";

    private static string Ordinal(int n)
    {
        var suffix = (n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return n.ToString(Inv) + suffix;
    }
}
