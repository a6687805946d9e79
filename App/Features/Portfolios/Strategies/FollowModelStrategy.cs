using System.Text.Json.Nodes;

namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>The rules a model BUY must also satisfy when ml_combine_with_rules is on.</summary>
public enum CombineRules
{
    MeanReversion,
    Momentum,
}

public sealed record FollowModelConfig
{
    public double MlConfidenceThreshold { get; init; } = 0.5;

    /// <summary>A recommendation created more than this many calendar days before t is stale.</summary>
    public int MaxAgeDays { get; init; } = 3;

    public bool MlCombineWithRules { get; init; } = true;

    public CombineRules CombineRules { get; init; } = CombineRules.MeanReversion;

    /// <summary>Stop when the recommendation has none (or one not below the close); null: none.</summary>
    public double? DefaultStopLossPct { get; init; } = 0.08;

    /// <summary>Target when the recommendation has none (or one not above the close); null: none.</summary>
    public double? DefaultTargetPct { get; init; } = 0.10;

    /// <summary>The mean-reversion entry rules used when combining (their exit/stop settings are not used).</summary>
    public MeanReversionConfig MeanReversion { get; init; } = new();

    /// <summary>The momentum entry rules used when combining; its RSI period is the shared rsi_period.</summary>
    public MomentumConfig Momentum { get; init; } = new() { RsiPeriod = 10 };

    public EntryFilterConfig Filters { get; init; } = new();

    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public static FollowModelConfig FromJson(JsonObject? config)
    {
        var v = FollowModelStrategy.Schema.Read(config);
        return new FollowModelConfig
        {
            MlConfidenceThreshold = v.Number("ml_confidence_threshold"),
            MaxAgeDays = v.Int("max_age_days"),
            MlCombineWithRules = v.Flag("ml_combine_with_rules"),
            CombineRules = TradingNames.Parse<CombineRules>(v.Choice("combine_rules")),
            DefaultStopLossPct = v.OptionalNumber("default_stop_loss_pct"),
            DefaultTargetPct = v.OptionalNumber("default_target_pct"),
            MeanReversion = MeanReversionConfig.FromValues(v),
            Momentum = MomentumConfig.FromValues(v),
            Filters = EntryFilterConfig.From(v),
        };
    }
}

/// <summary>
/// Acts on the instrument's latest model recommendation, long only. The recommendation counts when it was created on
/// or before t and at most max_age_days calendar days before t, its confidence is ≥ ml_confidence_threshold, and the
/// strategy has not signalled since it was created (last signal date &lt; created date: one action per recommendation).
/// BUY (flat): buy with the recommendation's stop loss and take profit (the default_* fractions of the close when
/// missing or on the wrong side of the close); with ml_combine_with_rules the combine_rules entry (mean-reversion RSI
/// tiers with their trend filter, or the momentum entry) must hold on day t too. SELL (long): exit; the rules are not
/// asked, since selling only reduces risk. HOLD: nothing. A long also exits at the default stop/target from its
/// average cost.
/// </summary>
public static class FollowModelStrategy
{
    private static readonly FollowModelConfig D = new();

    public static ConfigSchema Schema { get; } = new("follow_model",
    [
        ConfigField.Number("ml_confidence_threshold", "Minimum confidence", D.MlConfidenceThreshold, 0, 1, "Model",
            "Act only on recommendations whose confidence (0–1) is at least this."),
        ConfigField.Int("max_age_days", "Maximum age (days)", D.MaxAgeDays, 0, 60, "Model",
            "Ignore recommendations created more than this many calendar days ago."),
        ConfigField.Flag("ml_combine_with_rules", "Combine with rules", D.MlCombineWithRules, "Model",
            "A model BUY also needs the chosen rules' entry to hold."),
        ConfigField.Choice("combine_rules", "Rules to combine with", TradingNames.ToDb(D.CombineRules), TradingNames.All<CombineRules>(), "Model",
            "mean_reversion: the RSI tiers; momentum: the return and EMA entry."),
        ConfigField.OptionalNumber("default_stop_loss_pct", "Fallback stop loss", D.DefaultStopLossPct, 0.001, 0.9, "Exit",
            "Fraction below the close when the recommendation has no stop loss; empty for none."),
        ConfigField.OptionalNumber("default_target_pct", "Fallback target", D.DefaultTargetPct, 0.001, 10, "Exit",
            "Fraction above the close when the recommendation has no take profit; empty for none."),
        .. MeanReversionStrategy.RuleFields.Select(f => f.Key == "rsi_period"
            ? f with { Default = D.MeanReversion.RsiPeriod, Help = "Bars in Wilder's RSI, for both rule sets." } : f),
        .. MomentumStrategy.RuleFields,
        .. EntryFilterConfig.Fields,
    ], MeanReversionStrategy.RuleChecks);

    public static StrategySignal Evaluate(FollowModelConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (StrategyRules.Precheck(input) is { } early) return early;
        if (StrategyRules.ProtectiveExit(input, config.DefaultStopLossPct, config.DefaultTargetPct) is { } protective) return protective;

        if (input.RecommendationAsOfT is not { } rec) return StrategySignal.None("No model recommendation on or before this day");
        var created = Fmt.Date(rec.CreatedOn);
        var age = input.Date.DayNumber - rec.CreatedOn.DayNumber;
        if (age > config.MaxAgeDays)
            return StrategySignal.None($"Model recommendation of {created} is {age} days old (max_age_days {config.MaxAgeDays})");
        if (input.LastSignalDate is { } last && last >= rec.CreatedOn)
            return StrategySignal.None($"Already acted on the model recommendation of {created} (last signal {Fmt.Date(last)})");
        var label = rec.Label.Trim().ToUpperInvariant();
        var model = $"Model {label} of {created}, confidence {Fmt.N(rec.Confidence, 2)}";
        if (label == "HOLD") return StrategySignal.None($"{model}: nothing to do");
        if (label is not ("BUY" or "SELL")) return StrategySignal.None($"Unknown recommendation label '{rec.Label}'");
        if (rec.Confidence < config.MlConfidenceThreshold)
            return StrategySignal.Blocked($"{model} < ml_confidence_threshold {Fmt.N(config.MlConfidenceThreshold)}", "ml_confidence_threshold");
        model += $" ≥ {Fmt.N(config.MlConfidenceThreshold)}";

        if (label == "SELL")
            return input.Position.IsLong ? StrategySignal.Exit(model) : StrategySignal.None($"{model}, but there is no long position to exit");
        if (input.Position.IsLong) return StrategySignal.None($"{model}, but already long: no adding");

        var reason = model;
        if (config.MlCombineWithRules)
        {
            var (agrees, text, _) = config.CombineRules == CombineRules.Momentum
                ? Widen(MomentumStrategy.Entry(config.Momentum, input.Close, input.T))
                : MeanReversionStrategy.Entry(config.MeanReversion, input.Close, input.T);
            var rules = config.CombineRules == CombineRules.Momentum ? "momentum" : "mean-reversion";
            if (!agrees) return StrategySignal.Blocked($"{model}, but the {rules} rules disagree: {text}", "ml_combine_with_rules");
            reason += $"; {rules} rules agree: {text}";
        }
        var price = input.LastClose;
        var stop = rec.StopLoss is { } s && s > 0 && s < price ? s : StrategyRules.StopPrice(price, config.DefaultStopLossPct);
        var target = rec.TakeProfit is { } g && g > price ? g : StrategyRules.TargetPrice(price, config.DefaultTargetPct);
        if (rec.Entry is { } entry) reason += $"; model entry {Fmt.Price(entry)}, close {Fmt.Price(price)}";
        return EntryFilters.Apply(config.Filters, input, new StrategySignal(SignalAction.Buy, reason, stop, target));
    }

    private static (bool, string, string?) Widen((bool Agrees, string Text) entry) => (entry.Agrees, entry.Text, null);
}
