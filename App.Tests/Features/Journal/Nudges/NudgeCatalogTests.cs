using System.Text.Json;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using static Signalbook.Tests.Features.Journal.Nudges.NudgeFixture;

namespace Signalbook.Tests.Features.Journal.Nudges;

/// <summary>The vocabularies, the rule catalogue, its stored JSON, and how the evaluator picks rules by phase.</summary>
public sealed class NudgeCatalogTests
{
    [Fact]
    public void Vocabularies_HoldTheSeedValuesInOrder()
    {
        Assert.Equal(["info", "warn", "critical"], NudgeSeverities.All);
        Assert.Equal(["pre_trade", "at_entry", "during", "at_exit", "post_trade"], CheckPhases.All);
        Assert.Equal(["proceeded", "modified", "cancelled"], TraderActions.All);
        Assert.Equal(["entry", "add", "reduce", "exit", "idea", "post_trade_reflection"], DecisionContextTypes.All);
        Assert.Equal(["trend", "breakout", "momentum", "mean_reversion", "volatility"], StrategyFamilies.All);
        Assert.Equal(["long", "short", "both"], StrategyDirections.All);
        Assert.InRange(Emotions.All.Count, 10, 14);
        Assert.Equal(Emotions.All.Count, Emotions.All.Distinct().Count());
        Assert.Equal("exit", DecisionContextTypes.Of(TradeIntent.Exit));
    }

    [Theory]
    [InlineData("fomo", 5, true)]
    [InlineData("calm", 1, true)]
    [InlineData("fomo", 6, false)]
    [InlineData("fomo", 0, false)]
    [InlineData("hungry", 3, false)]
    public void Emotions_AcceptOnlyTheVocabularyAtIntensityOneToFive(string emotion, int intensity, bool valid)
        => Assert.Equal(valid, new EmotionReading(emotion, intensity).IsValid);

    [Fact]
    public void Catalogue_EveryRuleHasAUniqueCodeAKnownEvaluatorValidPhasesAndSeverity()
    {
        Assert.Equal(11, NudgeRuleCatalog.All.Count);
        Assert.Equal(NudgeRuleCatalog.All.Count, NudgeRuleCatalog.All.Select(r => r.Code).Distinct().Count());
        foreach (var rule in NudgeRuleCatalog.All)
        {
            Assert.Contains(rule.Evaluator, NudgeEvaluators.All);
            Assert.NotEmpty(rule.Phases);
            Assert.All(rule.Phases, p => Assert.Contains(p, CheckPhases.All));
            Assert.Contains(rule.Defaults.Severity, NudgeSeverities.All);
            Assert.False(string.IsNullOrWhiteSpace(rule.Description));
        }
        Assert.Contains(CheckPhases.AtExit, NudgeRuleCatalog.Get(NudgeRuleCodes.DailyLossLimit).Phases);
        Assert.Contains(CheckPhases.PostTrade, NudgeRuleCatalog.Get(NudgeRuleCodes.SameSetupLosing).Phases);
        Assert.Equal(30, ((RevengeTradeParameters)NudgeRuleCatalog.Get(NudgeRuleCodes.RevengeTrade).Defaults).WindowMinutes);
        Assert.Equal(3, ((SameSetupLosingParameters)NudgeRuleCatalog.Get(NudgeRuleCodes.SameSetupLosing).Defaults).Losses);
    }

    [Fact]
    public void Parameters_AreWrittenSnakeCaseWithoutNullThresholds()
    {
        using var doc = JsonDocument.Parse(NudgeRuleCatalog.WriteParameters(new PositionSizeParameters { MaxPositionSizePct = 8m, Severity = NudgeSeverities.Critical }));
        Assert.Equal(8m, doc.RootElement.GetProperty("max_position_size_pct").GetDecimal());
        Assert.Equal("critical", doc.RootElement.GetProperty("severity").GetString());

        using var defaults = JsonDocument.Parse(NudgeRuleCatalog.WriteParameters(new OvertradingParameters()));
        Assert.Equal(2m, defaults.RootElement.GetProperty("multiplier").GetDecimal());
        Assert.Equal(20, defaults.RootElement.GetProperty("lookback_active_days").GetInt32());
        Assert.Equal(5, defaults.RootElement.GetProperty("min_active_days").GetInt32());

        var profileFollowing = NudgeRuleCatalog.WriteParameters(new RiskPerTradeParameters());
        Assert.Equal("""{"severity":"critical"}""", profileFollowing);
    }

    [Fact]
    public void Parameters_EveryDefaultRoundTripsThroughJson()
    {
        foreach (var rule in NudgeRuleCatalog.All)
        {
            Assert.Equal(rule.Defaults, NudgeRuleCatalog.ReadParameters(rule.Code, NudgeRuleCatalog.WriteParameters(rule.Defaults)));
        }
    }

    [Fact]
    public void Parameters_MissingFieldsTakeTheDefaults()
    {
        var p = Assert.IsType<RevengeTradeParameters>(NudgeRuleCatalog.ReadParameters(NudgeRuleCodes.RevengeTrade, """{"window_minutes":45}"""));
        Assert.Equal(45, p.WindowMinutes);
        Assert.Equal(NudgeSeverities.Warn, p.Severity);
        Assert.False(p.SameSymbolOnly);
        Assert.Equal(NudgeRuleCatalog.Get(NudgeRuleCodes.DailyLossLimit).Defaults, NudgeRuleCatalog.ReadParameters(NudgeRuleCodes.DailyLossLimit, null));
        var d = Assert.IsType<DailyLossParameters>(NudgeRuleCatalog.ReadParameters(NudgeRuleCodes.DailyLossLimit, "{}"));
        Assert.Equal(NudgeSeverities.Critical, d.Severity);
    }

    [Fact]
    public void Parameters_AnUnknownCodeOrSeverity_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => NudgeRuleCatalog.ReadParameters("no_such_rule", "{}"));
        Assert.Throws<ArgumentException>(() => NudgeRuleCatalog.ReadParameters(NudgeRuleCodes.Overtrading, """{"severity":"block"}"""));
    }

    [Fact]
    public void Evaluate_AllDefaultRulesOnACleanPlannedTrade_PassesEveryRuleWithItsData()
    {
        var context = Context() with
        {
            OpenPositions = 1,
            ClosedCampaigns = [],
            Recommendation = new NudgeRecommendation("BUY", 0.7),
            Regime = "calm-up",
            Strategy = new NudgeStrategy("Golden Cross", StrategyFamilies.Trend, StrategyDirections.Long),
        };
        var outcomes = NudgeEvaluator.Evaluate(context, NudgeRuleCatalog.Defaults());
        // Overtrading has no fill history, so it is the one rule left out.
        Assert.Equal(NudgeRuleCatalog.All.Select(r => r.Code).Where(c => c != NudgeRuleCodes.Overtrading), outcomes.Select(o => o.CheckType));
        Assert.All(outcomes, o => Assert.True(o.Passed, o.NudgeText));
        Assert.All(outcomes, o => Assert.Equal(CheckPhases.PreTrade, o.Phase));
    }

    [Fact]
    public void Evaluate_AtExit_RunsOnlyTheExitRules()
    {
        var exit = Buy() with { Side = FillSide.Sell, Intent = TradeIntent.Exit };
        var context = Context(exit, CheckPhases.AtExit) with
        {
            OpenPositions = 9,
            ClosedCampaigns = [],
            Recommendation = new NudgeRecommendation("BUY", 0.9),
            Strategy = new NudgeStrategy("Golden Cross", StrategyFamilies.Trend),
        };
        var outcomes = NudgeEvaluator.Evaluate(context, NudgeRuleCatalog.Defaults());
        Assert.Equal([NudgeRuleCodes.DailyLossLimit, NudgeRuleCodes.SameSetupLosing], outcomes.Select(o => o.CheckType));
    }

    [Fact]
    public void Evaluate_AnEntryChecksNothingInAnExitPhase_AndNoRuleRunsDuring()
    {
        Assert.Empty(NudgeEvaluator.Evaluate(Context(phase: CheckPhases.AtExit) with { ClosedCampaigns = [] }, NudgeRuleCatalog.Defaults()));
        Assert.Empty(NudgeEvaluator.Evaluate(Context(phase: CheckPhases.During) with { ClosedCampaigns = [] }, NudgeRuleCatalog.Defaults()));
    }

    [Fact]
    public void Evaluate_SkipsUnknownCodesAndRejectsMismatchedParametersOrPhases()
    {
        Assert.Empty(NudgeEvaluator.Evaluate(Context(), [new NudgeRule("legacy_rule", new PositionSizeParameters())]));
        Assert.Throws<ArgumentException>(() => NudgeEvaluator.Evaluate(Context(), [new NudgeRule(NudgeRuleCodes.MaxOpenPositions, new PositionSizeParameters())]));
        Assert.Throws<ArgumentException>(() => NudgeEvaluator.Evaluate(Context(phase: "later"), NudgeRuleCatalog.Defaults()));
        Assert.Throws<ArgumentException>(() => NudgeEvaluator.Evaluate(Context(),
            [new NudgeRule(NudgeRuleCodes.MaxPositionSize, new PositionSizeParameters { Severity = "block" })]));
    }

    [Fact]
    public void Outcome_DetailsSerialiseToJson()
    {
        var o = Failed(Context(Buy(quantity: 180m)), NudgeRuleCodes.MaxPositionSize);
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(o.Details));
        Assert.Equal(18.0m, doc.RootElement.GetProperty("position_pct").GetDecimal());
        Assert.Equal("profile", doc.RootElement.GetProperty("limit_source").GetString());
    }
}
