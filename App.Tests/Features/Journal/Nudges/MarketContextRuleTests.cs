using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using static Signalbook.Tests.Features.Journal.Nudges.NudgeFixture;

namespace Signalbook.Tests.Features.Journal.Nudges;

/// <summary>The trade against the model's recommendation and against the market regime its strategy is built for.</summary>
public sealed class MarketContextRuleTests
{
    private static NudgeTrade ShortSale => Buy(stop: 102m, target: 94m) with { Side = FillSide.Sell };

    [Fact]
    public void AgainstRecommendation_BuyingAConfidentSell_Fails()
    {
        var o = Failed(Context() with { Recommendation = new NudgeRecommendation("SELL", 0.72) }, NudgeRuleCodes.AgainstRecommendation);
        Assert.StartsWith("The model says SELL on AAPL with 72% confidence, and this trade buys.", o.NudgeText);
        Assert.True((bool)o.Details["against"]!);
    }

    [Fact]
    public void AgainstRecommendation_ShortingAConfidentBuy_Fails()
    {
        var o = Failed(Context(ShortSale) with { Recommendation = new NudgeRecommendation("BUY", 0.8) }, NudgeRuleCodes.AgainstRecommendation);
        Assert.Contains("and this trade sells short", o.NudgeText);
    }

    [Fact]
    public void AgainstRecommendation_AWeakOpposingCall_PassesUnlessTheThresholdIsLower()
    {
        var context = Context() with { Recommendation = new NudgeRecommendation("SELL", 0.45) };
        var o = Passed(context, NudgeRuleCodes.AgainstRecommendation);
        Assert.Equal("The model leans SELL on AAPL, but only with 45% confidence (below 60%).", o.NudgeText);
        Failed(context, NudgeRuleCodes.AgainstRecommendation, new AgainstRecommendationParameters { MinConfidence = 0.4 });
    }

    [Theory]
    [InlineData("BUY", "The model says BUY on AAPL (64%); this trade goes with it.")]
    [InlineData("HOLD", "The model says HOLD on AAPL (64%): no strong view against this trade.")]
    public void AgainstRecommendation_AlignedOrHold_Passes(string label, string text)
        => Assert.Equal(text, Passed(Context() with { Recommendation = new NudgeRecommendation(label, 0.64) }, NudgeRuleCodes.AgainstRecommendation).NudgeText);

    [Fact]
    public void AgainstRecommendation_WithoutARecommendation_IsNotEvaluated()
        => NotEvaluated(Context(), NudgeRuleCodes.AgainstRecommendation);

    [Fact]
    public void AgainstRecommendation_SellingToCloseALong_IsNotAnEntryAndIsNotChecked()
    {
        var exit = Buy() with { Side = FillSide.Sell, Intent = TradeIntent.Exit };
        NotEvaluated(Context(exit, CheckPhases.AtExit) with { Recommendation = new NudgeRecommendation("BUY", 0.9) }, NudgeRuleCodes.AgainstRecommendation);
    }

    private static NudgeContext In(string regime, string family, NudgeTrade? trade = null)
        => Context(trade) with { Regime = regime, Strategy = new NudgeStrategy("My Setup", family) };

    [Theory]
    [InlineData(StrategyFamilies.MeanReversion, "calm-up")]
    [InlineData(StrategyFamilies.MeanReversion, "stressed")]
    [InlineData(StrategyFamilies.Trend, "choppy")]
    [InlineData(StrategyFamilies.Trend, "stressed")]
    [InlineData(StrategyFamilies.Momentum, "sideways")]
    [InlineData(StrategyFamilies.Breakout, "choppy")]
    [InlineData(StrategyFamilies.Volatility, "unusual")]
    [InlineData(StrategyFamilies.Trend, "bear")]
    public void RegimeMismatch_AFamilyInARegimeItIsNotMeantFor_Fails(string family, string regime)
    {
        var o = Failed(In(regime, family), NudgeRuleCodes.RegimeMismatch);
        Assert.Equal(NudgeSeverities.Info, o.Severity);
        Assert.StartsWith($"'My Setup' is a {RegimeFit.FamilyWords(family)} strategy, but ", o.NudgeText);
    }

    [Theory]
    [InlineData(StrategyFamilies.MeanReversion, "choppy")]
    [InlineData(StrategyFamilies.Trend, "calm-up")]
    [InlineData(StrategyFamilies.Momentum, "bull")]
    [InlineData(StrategyFamilies.Breakout, "stressed")]
    [InlineData(StrategyFamilies.Volatility, "stressed")]
    public void RegimeMismatch_AFamilyInItsRegime_Passes(string family, string regime)
        => Passed(In(regime, family), NudgeRuleCodes.RegimeMismatch);

    [Fact]
    public void RegimeMismatch_ATrendShortInAnUptrend_Fails()
    {
        var o = Failed(In("calm-up", StrategyFamilies.Trend, ShortSale), NudgeRuleCodes.RegimeMismatch);
        Assert.Equal("'My Setup' is a trend strategy, but this short trade goes against the market's uptrend (calm-up). "
            + "A smaller size, or waiting for the market it is built for, keeps the setup's edge on your side.", o.NudgeText);
    }

    [Fact]
    public void RegimeMismatch_MeanReversionInATrend_ExplainsWhy()
    {
        var o = Failed(In("calm-up", StrategyFamilies.MeanReversion), NudgeRuleCodes.RegimeMismatch);
        Assert.Contains("mean-reversion strategies expect prices to snap back, and the market is trending (calm-up)", o.NudgeText);
        Assert.Equal("trending", o.Details["regime_character"]);
    }

    [Fact]
    public void RegimeMismatch_AnUnreadableRegimeOrNoFamily_IsNotEvaluated()
    {
        NotEvaluated(In("vol-3", StrategyFamilies.Trend), NudgeRuleCodes.RegimeMismatch);
        NotEvaluated(Context() with { Strategy = new NudgeStrategy("My Setup", StrategyFamilies.Trend) }, NudgeRuleCodes.RegimeMismatch);
        NotEvaluated(Context() with { Regime = "choppy", Strategy = new NudgeStrategy("Untagged") }, NudgeRuleCodes.RegimeMismatch);
        NotEvaluated(Context() with { Regime = "choppy" }, NudgeRuleCodes.RegimeMismatch);
    }

    [Theory]
    [InlineData("calm-up", RegimeCharacter.Trending, 1)]
    [InlineData("Bear", RegimeCharacter.Trending, -1)]
    [InlineData("high_vol", RegimeCharacter.Volatile, 0)]
    [InlineData("choppy", RegimeCharacter.Sideways, 0)]
    [InlineData("unusual", RegimeCharacter.Unusual, 0)]
    public void RegimeFit_ReadsModelAndCommonLabels(string label, RegimeCharacter character, int direction)
    {
        var r = RegimeFit.Read(label);
        Assert.NotNull(r);
        Assert.Equal(character, r.Character);
        Assert.Equal(direction, r.Direction);
    }
}
