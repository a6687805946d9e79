using System.Text.Json;
using System.Text.Json.Serialization;

namespace Signalbook.Features.Journal.Nudges;

/// <summary>
/// The parameters of one rule, stored as user_rules.parameters (jsonb, snake_case). Every rule has a
/// <see cref="Severity"/> (the severity of a failed check); each kind adds its own thresholds. A threshold that is null
/// takes the user's risk profile (or the strategy's own limit, see <see cref="NudgeEvaluator"/>), so a stored
/// <c>{"severity":"warn"}</c> follows the profile as the trader edits it. Missing fields in stored JSON take the defaults.
/// </summary>
public abstract record NudgeRuleParameters
{
    public string Severity { get; init; } = NudgeSeverities.Warn;
}

/// <summary>max_position_size: the position's value as % of the account.</summary>
public sealed record PositionSizeParameters : NudgeRuleParameters
{
    /// <summary>Null: the profile's max_position_size_pct.</summary>
    public decimal? MaxPositionSizePct { get; init; }
}

/// <summary>max_risk_per_trade: (entry − stop) × quantity as % of the account.</summary>
public sealed record RiskPerTradeParameters : NudgeRuleParameters
{
    public RiskPerTradeParameters() => Severity = NudgeSeverities.Critical;

    /// <summary>Null: the strategy's max_risk_pct, else the profile's max_risk_per_trade_pct.</summary>
    public decimal? MaxRiskPerTradePct { get; init; }
}

/// <summary>stop_loss_required: an entry without a stop.</summary>
public sealed record StopLossParameters : NudgeRuleParameters
{
    public StopLossParameters() => Severity = NudgeSeverities.Critical;

    /// <summary>Null: the profile's stop_loss_required.</summary>
    public bool? Required { get; init; }
}

/// <summary>min_risk_reward: (target − entry) / (entry − stop).</summary>
public sealed record RiskRewardParameters : NudgeRuleParameters
{
    /// <summary>Null: the strategy's min_risk_reward, else the profile's min_risk_reward_ratio.</summary>
    public decimal? MinRiskRewardRatio { get; init; }
}

/// <summary>daily_loss_limit: today's realised loss as % of the account.</summary>
public sealed record DailyLossParameters : NudgeRuleParameters
{
    public DailyLossParameters() => Severity = NudgeSeverities.Critical;

    /// <summary>Null: the profile's max_daily_loss_pct.</summary>
    public decimal? MaxDailyLossPct { get; init; }
}

/// <summary>max_open_positions: positions open once this one opens.</summary>
public sealed record OpenPositionsParameters : NudgeRuleParameters
{
    /// <summary>Null: the profile's max_open_positions.</summary>
    public int? MaxOpenPositions { get; init; }
}

/// <summary>revenge_trade: an entry soon after a losing exit.</summary>
public sealed record RevengeTradeParameters : NudgeRuleParameters
{
    public int WindowMinutes { get; init; } = 30;

    /// <summary>True: only a loss in the same symbol counts.</summary>
    public bool SameSymbolOnly { get; init; }
}

/// <summary>overtrading: more trades today than <see cref="Multiplier"/> × the median of the user's recent active days.</summary>
public sealed record OvertradingParameters : NudgeRuleParameters
{
    public decimal Multiplier { get; init; } = 2m;

    /// <summary>The norm is the median over at most this many most recent days with trades (today excluded).</summary>
    public int LookbackActiveDays { get; init; } = 20;

    /// <summary>Fewer active days than this before today: no norm yet, the rule is not evaluated.</summary>
    public int MinActiveDays { get; init; } = 5;
}

/// <summary>against_recommendation: buying into a SELL or shorting into a BUY of at least <see cref="MinConfidence"/>.</summary>
public sealed record AgainstRecommendationParameters : NudgeRuleParameters
{
    public double MinConfidence { get; init; } = 0.6;
}

/// <summary>regime_mismatch: a strategy family in a regime it is not meant for (<see cref="RegimeFit"/>).</summary>
public sealed record RegimeMismatchParameters : NudgeRuleParameters
{
    public RegimeMismatchParameters() => Severity = NudgeSeverities.Info;
}

/// <summary>same_setup_losing: the strategy's last <see cref="Losses"/> closed campaigns were all losses.</summary>
public sealed record SameSetupLosingParameters : NudgeRuleParameters
{
    public int Losses { get; init; } = 3;
}

/// <summary>One rule of the catalogue: what it checks, with which defaults, in which phases.</summary>
public sealed record NudgeRuleDefinition(string Code, string Evaluator, string Description, NudgeRuleParameters Defaults, IReadOnlyList<string> Phases)
{
    public Type ParametersType => Defaults.GetType();
}

/// <summary>A rule a user has enabled, with the parameters it runs with (a user_rules row with is_enabled).</summary>
public sealed record NudgeRule(string Code, NudgeRuleParameters Parameters)
{
    /// <summary>The rule with its catalogue defaults.</summary>
    public static NudgeRule Default(string code) => new(code, NudgeRuleCatalog.Get(code).Defaults);
}

/// <summary>Rule codes (user_rules.rule_code, campaign_checks.check_type).</summary>
public static class NudgeRuleCodes
{
    public const string MaxPositionSize = "max_position_size";
    public const string MaxRiskPerTrade = "max_risk_per_trade";
    public const string StopLossRequired = "stop_loss_required";
    public const string MinRiskReward = "min_risk_reward";
    public const string DailyLossLimit = "daily_loss_limit";
    public const string MaxOpenPositions = "max_open_positions";
    public const string RevengeTrade = "revenge_trade";
    public const string Overtrading = "overtrading";
    public const string AgainstRecommendation = "against_recommendation";
    public const string RegimeMismatch = "regime_mismatch";
    public const string SameSetupLosing = "same_setup_losing";
}

/// <summary>user_rules.evaluator: which part of the engine runs a rule.</summary>
public static class NudgeEvaluators
{
    /// <summary>Limits of the risk profile, on the trade's own numbers.</summary>
    public const string RiskLimits = "risk_limits";

    /// <summary>Patterns in the trader's recent history.</summary>
    public const string Behaviour = "behaviour";

    /// <summary>The trade against the model's view of the market.</summary>
    public const string MarketContext = "market_context";

    public static readonly IReadOnlyList<string> All = [RiskLimits, Behaviour, MarketContext];
}

/// <summary>The rule catalogue: every rule the engine knows, its defaults, and JSON reading and writing of parameters.</summary>
public static class NudgeRuleCatalog
{
    /// <summary>snake_case, nulls left out (a missing threshold means "use the profile").</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly string[] Entry = [CheckPhases.PreTrade, CheckPhases.AtEntry];
    private static readonly string[] EntryAndExit = [CheckPhases.PreTrade, CheckPhases.AtEntry, CheckPhases.AtExit, CheckPhases.PostTrade];

    public static readonly IReadOnlyList<NudgeRuleDefinition> All =
    [
        new(NudgeRuleCodes.MaxPositionSize, NudgeEvaluators.RiskLimits,
            "The position (after an add, the whole position) is worth more of the account than max_position_size_pct.",
            new PositionSizeParameters(), Entry),
        new(NudgeRuleCodes.MaxRiskPerTrade, NudgeEvaluators.RiskLimits,
            "The loss if the stop is hit is more of the account than max_risk_per_trade_pct (the strategy's max_risk_pct first).",
            new RiskPerTradeParameters(), Entry),
        new(NudgeRuleCodes.StopLossRequired, NudgeEvaluators.RiskLimits,
            "An entry without a stop while stop_loss_required is on.",
            new StopLossParameters(), Entry),
        new(NudgeRuleCodes.MinRiskReward, NudgeEvaluators.RiskLimits,
            "The reward to the target is less than min_risk_reward_ratio times the risk to the stop (the strategy's min_risk_reward first).",
            new RiskRewardParameters(), Entry),
        new(NudgeRuleCodes.DailyLossLimit, NudgeEvaluators.RiskLimits,
            "Today's realised loss (in the trader's time zone) has reached max_daily_loss_pct of the account.",
            new DailyLossParameters(), EntryAndExit),
        new(NudgeRuleCodes.MaxOpenPositions, NudgeEvaluators.RiskLimits,
            "Opening this position makes more open positions than max_open_positions.",
            new OpenPositionsParameters(), Entry),
        new(NudgeRuleCodes.RevengeTrade, NudgeEvaluators.Behaviour,
            "An entry within window_minutes after closing a trade at a loss.",
            new RevengeTradeParameters(), Entry),
        new(NudgeRuleCodes.Overtrading, NudgeEvaluators.Behaviour,
            "More trades today than multiplier × the median trades of the last lookback_active_days days with trades.",
            new OvertradingParameters(), Entry),
        new(NudgeRuleCodes.AgainstRecommendation, NudgeEvaluators.MarketContext,
            "Buying while the model says SELL, or selling short while it says BUY, with at least min_confidence.",
            new AgainstRecommendationParameters(), Entry),
        new(NudgeRuleCodes.RegimeMismatch, NudgeEvaluators.MarketContext,
            "The strategy's family is not meant for the current market regime (see RegimeFit).",
            new RegimeMismatchParameters(), Entry),
        new(NudgeRuleCodes.SameSetupLosing, NudgeEvaluators.Behaviour,
            "The strategy's last `losses` closed campaigns were all losses.",
            new SameSetupLosingParameters(), EntryAndExit),
    ];

    public static NudgeRuleDefinition? Find(string code) => All.FirstOrDefault(r => r.Code == code);

    public static NudgeRuleDefinition Get(string code)
        => Find(code) ?? throw new ArgumentException($"Unknown nudge rule '{code}'.", nameof(code));

    /// <summary>Every rule at its defaults: the rows to seed user_rules with.</summary>
    public static IReadOnlyList<NudgeRule> Defaults() => All.Select(r => new NudgeRule(r.Code, r.Defaults)).ToList();

    /// <summary>
    /// Reads user_rules.parameters for <paramref name="code"/>: missing fields and a null or empty document take the
    /// defaults. Throws <see cref="ArgumentException"/> for an unknown code or a severity outside the vocabulary.
    /// </summary>
    public static NudgeRuleParameters ReadParameters(string code, string? json)
    {
        var definition = Get(code);
        if (string.IsNullOrWhiteSpace(json)) return definition.Defaults;
        var parameters = (NudgeRuleParameters?)JsonSerializer.Deserialize(json, definition.ParametersType, Json) ?? definition.Defaults;
        if (!NudgeSeverities.IsValid(parameters.Severity))
        {
            throw new ArgumentException($"Rule '{code}' has severity '{parameters.Severity}'; use info, warn or critical.", nameof(json));
        }
        return parameters;
    }

    /// <summary>The JSON to store in user_rules.parameters.</summary>
    public static string WriteParameters(NudgeRuleParameters parameters) => JsonSerializer.Serialize(parameters, parameters.GetType(), Json);
}
