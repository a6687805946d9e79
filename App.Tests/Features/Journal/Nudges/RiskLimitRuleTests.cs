using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Users;
using static Signalbook.Tests.Features.Journal.Nudges.NudgeFixture;

namespace Signalbook.Tests.Features.Journal.Nudges;

/// <summary>The risk-profile rules, on hand-worked numbers (100,000 USD account unless a test says otherwise).</summary>
public sealed class RiskLimitRuleTests
{
    [Fact]
    public void PositionSize_AboveTheLimit_FailsNamingBothNumbers()
    {
        // 180 × 100 = 18,000 = 18.0 % of 100,000; the limit is 10 % → at most 100 shares.
        var o = Failed(Context(Buy(quantity: 180m)), NudgeRuleCodes.MaxPositionSize);
        Assert.Equal(NudgeSeverities.Warn, o.Severity);
        Assert.StartsWith("This position is 18.0% of your account (18,000.00 USD); your limit is 10%.", o.NudgeText);
        Assert.Contains("A size of about 100 would", o.NudgeText);
        Assert.Equal(18.00m, o.Details["position_pct"]);
        Assert.Equal(NudgeEvaluator.SourceProfile, o.Details["limit_source"]);
    }

    [Fact]
    public void PositionSize_WithinTheLimit_Passes()
    {
        var o = Passed(Context(), NudgeRuleCodes.MaxPositionSize);
        Assert.Equal("This position is 5.0% of your account, within your 10% limit.", o.NudgeText);
    }

    [Fact]
    public void PositionSize_AnAdd_IsJudgedOnTheWholePosition()
    {
        // Holding 80, adding 40 at 100: 12,000 = 12.0 %.
        var add = Buy(quantity: 40m) with { Intent = TradeIntent.Add, HeldQuantityBefore = 80m };
        var o = Failed(Context(add), NudgeRuleCodes.MaxPositionSize);
        Assert.StartsWith("After this add, the position is 12.0% of your account", o.NudgeText);
        Assert.Contains("A size of about 20 would", o.NudgeText);
    }

    [Fact]
    public void PositionSize_WithoutAnAccountBalance_IsNotEvaluated()
    {
        NotEvaluated(Context() with { AccountBalance = null }, NudgeRuleCodes.MaxPositionSize);
        NotEvaluated(Context() with { AccountBalance = 0m }, NudgeRuleCodes.MaxPositionSize);
    }

    [Fact]
    public void PositionSize_TheRuleParameter_OverridesTheProfile()
    {
        // 5 % passes the profile's 10 % but not a rule limit of 4 %.
        var o = Failed(Context(), NudgeRuleCodes.MaxPositionSize, new PositionSizeParameters { MaxPositionSizePct = 4m, Severity = NudgeSeverities.Critical });
        Assert.Equal(NudgeSeverities.Critical, o.Severity);
        Assert.Equal(4m, o.Details["limit_pct"]);
        Assert.Equal(NudgeEvaluator.SourceRule, o.Details["limit_source"]);
    }

    [Fact]
    public void RiskPerTrade_AboveTheLimit_FailsAsCritical()
    {
        // 500 × (100 − 97) = 1,500 = 1.5 % of the account; the limit is 1 %.
        var o = Failed(Context(Buy(quantity: 500m, stop: 97m)), NudgeRuleCodes.MaxRiskPerTrade);
        Assert.Equal(NudgeSeverities.Critical, o.Severity);
        Assert.StartsWith("If the stop at 97 is hit you lose 1,500.00 USD, 1.5% of your account; your limit is 1%.", o.NudgeText);
        Assert.Equal(1500m, o.Details["risk_amount"]);
    }

    [Fact]
    public void RiskPerTrade_WithinTheLimit_Passes()
    {
        // 50 × 2 = 100 = 0.1 %.
        var o = Passed(Context(), NudgeRuleCodes.MaxRiskPerTrade);
        Assert.Contains("you lose 100.00 USD, 0.1% of your account, within your 1% limit", o.NudgeText);
    }

    [Fact]
    public void RiskPerTrade_ForAShort_UsesTheDistanceToAStopAbove()
    {
        // Short 500 at 100, stop 103: 1,500 = 1.5 %.
        var shortSale = Buy(quantity: 500m, stop: 103m, target: 94m) with { Side = FillSide.Sell };
        var o = Failed(Context(shortSale), NudgeRuleCodes.MaxRiskPerTrade);
        Assert.Equal(1.5m, o.Details["risk_pct"]);
    }

    [Fact]
    public void RiskPerTrade_WithoutAStop_IsNotEvaluated()
        => NotEvaluated(Context(Buy(stop: null)), NudgeRuleCodes.MaxRiskPerTrade);

    [Fact]
    public void RiskPerTrade_TheStrategyLimit_OverridesTheRuleAndTheProfile()
    {
        // 1.5 % risk: the strategy allows 2 %, the rule says 0.5 %, the profile 1 % → the strategy wins.
        var context = Context(Buy(quantity: 500m, stop: 97m)) with { Strategy = new NudgeStrategy("Swing A", MaxRiskPct: 2m) };
        var o = Passed(context, NudgeRuleCodes.MaxRiskPerTrade, new RiskPerTradeParameters { MaxRiskPerTradePct = 0.5m });
        Assert.Equal(2m, o.Details["limit_pct"]);
        Assert.Equal(NudgeEvaluator.SourceStrategy, o.Details["limit_source"]);
        Assert.Contains("(set by the strategy 'Swing A')", o.NudgeText);
    }

    [Fact]
    public void RiskPerTrade_TheRuleLimit_OverridesTheProfileWhenTheStrategyHasNone()
    {
        var context = Context(Buy(quantity: 500m, stop: 97m)) with
        {
            Strategy = new NudgeStrategy("Swing A"),
            RiskProfile = new RiskPreferences { MaxRiskPerTradePct = 2m },
        };
        var o = Failed(context, NudgeRuleCodes.MaxRiskPerTrade, new RiskPerTradeParameters { MaxRiskPerTradePct = 1.2m });
        Assert.Equal(1.2m, o.Details["limit_pct"]);
        Assert.Equal(NudgeEvaluator.SourceRule, o.Details["limit_source"]);
    }

    [Fact]
    public void RiskPerTrade_TheProfileLimit_AppliesWhenNothingOverridesIt()
    {
        var context = Context(Buy(quantity: 500m, stop: 97m)) with { RiskProfile = new RiskPreferences { MaxRiskPerTradePct = 2m } };
        var o = Passed(context, NudgeRuleCodes.MaxRiskPerTrade);
        Assert.Equal(NudgeEvaluator.SourceProfile, o.Details["limit_source"]);
    }

    [Fact]
    public void StopLoss_MissingWhileRequired_FailsKindly()
    {
        var o = Failed(Context(Buy(stop: null)), NudgeRuleCodes.StopLossRequired);
        Assert.Equal(NudgeSeverities.Critical, o.Severity);
        Assert.StartsWith("This trade has no stop, and your plan asks for one.", o.NudgeText);
    }

    [Fact]
    public void StopLoss_Set_Passes()
        => Assert.Equal("Stop set at 98.", Passed(Context(), NudgeRuleCodes.StopLossRequired).NudgeText);

    [Fact]
    public void StopLoss_NotRequiredByTheProfile_IsNotEvaluatedUnlessTheRuleRequiresIt()
    {
        var relaxed = Context(Buy(stop: null)) with { RiskProfile = new RiskPreferences { StopLossRequired = false } };
        NotEvaluated(relaxed, NudgeRuleCodes.StopLossRequired);
        var o = Failed(relaxed, NudgeRuleCodes.StopLossRequired, new StopLossParameters { Required = true });
        Assert.Equal(NudgeEvaluator.SourceRule, o.Details["required_source"]);
    }

    [Fact]
    public void RiskReward_BelowTheMinimum_Fails()
    {
        // Long at 100, stop 98, target 103: reward 3 / risk 2 = 1.5 < 2.
        var o = Failed(Context(Buy(target: 103m)), NudgeRuleCodes.MinRiskReward);
        Assert.StartsWith("The target at 103 pays only 1.5× the risk to your stop at 98; your minimum is 2×.", o.NudgeText);
        Assert.Equal(1.5m, o.Details["risk_reward"]);
    }

    [Fact]
    public void RiskReward_ForAShortMeetingTheMinimum_Passes()
    {
        // Short at 100, stop 102, target 94: reward 6 / risk 2 = 3.
        var shortSale = Buy(stop: 102m, target: 94m) with { Side = FillSide.Sell };
        var o = Passed(Context(shortSale), NudgeRuleCodes.MinRiskReward);
        Assert.Equal(3m, o.Details["risk_reward"]);
    }

    [Fact]
    public void RiskReward_ATargetOnTheWrongSide_Fails()
    {
        // Long at 100 with a "target" of 99: the ratio is −0.5.
        var o = Failed(Context(Buy(target: 99m)), NudgeRuleCodes.MinRiskReward);
        Assert.Equal(-0.5m, o.Details["risk_reward"]);
    }

    [Fact]
    public void RiskReward_WithoutATargetOrWithAStopOnTheWrongSide_IsNotEvaluated()
    {
        NotEvaluated(Context(Buy(target: null)), NudgeRuleCodes.MinRiskReward);
        NotEvaluated(Context(Buy(stop: null)), NudgeRuleCodes.MinRiskReward);
        NotEvaluated(Context(Buy(stop: 101m)), NudgeRuleCodes.MinRiskReward);
    }

    [Fact]
    public void RiskReward_TheStrategyMinimum_OverridesTheRuleAndTheProfile()
    {
        var context = Context(Buy(target: 103m)) with { Strategy = new NudgeStrategy("Scalp", MinRiskReward: 1.2m) };
        var o = Passed(context, NudgeRuleCodes.MinRiskReward, new RiskRewardParameters { MinRiskRewardRatio = 3m });
        Assert.Equal(1.2m, o.Details["min_risk_reward"]);
        Assert.Equal(NudgeEvaluator.SourceStrategy, o.Details["limit_source"]);
    }

    [Fact]
    public void DailyLoss_LimitReachedToday_FailsAtEntry()
    {
        // Today in New York: −2,000 (10:00) and −1,200 (08:00) = −3,200 = 3.2 % ≥ 3 %. The −5,000 closed at
        // 03:00 UTC is 23:00 on the 13th in New York: yesterday.
        var context = Context() with
        {
            ClosedCampaigns = [Closed("2025-03-14T14:00:00Z", -2000m), Closed("2025-03-14T12:00:00Z", -1200m), Closed("2025-03-14T03:00:00Z", -5000m)],
        };
        var o = Failed(context, NudgeRuleCodes.DailyLossLimit);
        Assert.Equal(NudgeSeverities.Critical, o.Severity);
        Assert.StartsWith("You have lost 3,200.00 USD today, 3.2% of your account, which reaches your daily limit of 3%.", o.NudgeText);
        Assert.Equal(-3200m, o.Details["realised_pnl_today"]);
        Assert.Equal("2025-03-14", o.Details["local_date"]);
    }

    [Fact]
    public void DailyLoss_WithinTheLimit_Passes()
    {
        var context = Context() with { ClosedCampaigns = [Closed("2025-03-14T14:00:00Z", -2000m), Closed("2025-03-14T13:00:00Z", 500m)] };
        var o = Passed(context, NudgeRuleCodes.DailyLossLimit);
        Assert.Equal("Today's realised loss is 1,500.00 USD (1.5% of your account), within your daily limit of 3%.", o.NudgeText);
    }

    [Fact]
    public void DailyLoss_NoCampaignsClosed_PassesButUnknownHistoryIsNotEvaluated()
    {
        Passed(Context() with { ClosedCampaigns = [] }, NudgeRuleCodes.DailyLossLimit);
        NotEvaluated(Context(), NudgeRuleCodes.DailyLossLimit);
        NotEvaluated(Context() with { ClosedCampaigns = [], AccountBalance = null }, NudgeRuleCodes.DailyLossLimit);
    }

    [Theory]
    [InlineData("America/New_York", -3200, false)] // 10:00 and 12:00 on the 14th: both today (the trade is 19:30 on the 14th)
    [InlineData("Asia/Tokyo", -1200, true)]        // 23:00 on the 14th is yesterday; 01:00 on the 15th is today (trade 08:30 on the 15th)
    [InlineData("Europe/Paris", 0, true)]          // 15:00 and 17:00 on the 14th: yesterday (trade 00:30 on the 15th)
    public void DailyLoss_TodayIsTheTradersCalendarDay(string zone, int expectedPnl, bool passes)
    {
        var trade = Buy() with { Time = new DateTimeOffset(2025, 3, 14, 23, 30, 0, TimeSpan.Zero) };
        var context = Context(trade) with
        {
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById(zone),
            ClosedCampaigns = [Closed("2025-03-14T14:00:00Z", -2000m), Closed("2025-03-14T16:00:00Z", -1200m)],
        };
        var o = Run(context, NudgeRuleCodes.DailyLossLimit);
        Assert.NotNull(o);
        Assert.Equal(passes, o.Passed);
        Assert.Equal((decimal)expectedPnl, o.Details["realised_pnl_today"]);
    }

    [Fact]
    public void DailyLoss_AtExit_CountsTheCampaignThisExitCloses()
    {
        var exit = Buy() with { Side = FillSide.Sell, Intent = TradeIntent.Exit, Time = Now.AddMinutes(5) };
        var context = Context(exit, CheckPhases.AtExit) with
        {
            ClosedCampaigns = [Closed("2025-03-14T14:00:00Z", -2000m), Closed("2025-03-14T15:05:00Z", -1000m, symbol: "AAPL")],
        };
        var o = Failed(context, NudgeRuleCodes.DailyLossLimit);
        Assert.StartsWith("With this exit, today's realised loss is 3,000.00 USD, 3.0% of your account: you have reached your daily limit of 3%.",
            o.NudgeText);
    }

    [Fact]
    public void OpenPositions_OneMoreThanAllowed_Fails()
    {
        var o = Failed(Context() with { OpenPositions = 5 }, NudgeRuleCodes.MaxOpenPositions);
        Assert.StartsWith("This would be your 6th open position; your limit is 5.", o.NudgeText);
    }

    [Fact]
    public void OpenPositions_UpToTheLimit_Passes()
        => Assert.Equal("This will be open position 5 of your limit of 5.", Passed(Context() with { OpenPositions = 4 }, NudgeRuleCodes.MaxOpenPositions).NudgeText);

    [Fact]
    public void OpenPositions_UnknownCountOrAnAdd_IsNotEvaluated()
    {
        NotEvaluated(Context(), NudgeRuleCodes.MaxOpenPositions);
        NotEvaluated(Context(Buy() with { Intent = TradeIntent.Add }) with { OpenPositions = 9 }, NudgeRuleCodes.MaxOpenPositions);
    }

    [Fact]
    public void OpenPositions_TheRuleParameter_OverridesTheProfile()
        => Passed(Context() with { OpenPositions = 5 }, NudgeRuleCodes.MaxOpenPositions, new OpenPositionsParameters { MaxOpenPositions = 8 });
}
