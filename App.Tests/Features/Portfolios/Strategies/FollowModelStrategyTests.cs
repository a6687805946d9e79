using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

public sealed class FollowModelStrategyTests
{
    private static readonly FollowModelConfig Standalone = new() { MlCombineWithRules = false, Filters = Bars.NoFilters };

    // RSI(10) = 20 at the last bar (see MeanReversionStrategyTests): the mean-reversion rules agree.
    private static readonly double[] Oversold = [100, 101, 100, 99, 98, 97, 98, 97, 96, 95, 94];

    // +10 then nine −1: RSI(10) 52.6, no mean-reversion entry.
    private static readonly double[] NotOversold = Bars.Path(100, 10, -1, -1, -1, -1, -1, -1, -1, -1, -1);

    private static readonly DailyBars OversoldBars = Bars.FromCloses(Oversold); // last bar Monday 2024-01-15
    private static readonly DateOnly T = OversoldBars.Dates[^1];

    private static ModelRecommendation Rec(string label = "BUY", double confidence = 0.7, double? stop = 90, double? target = 105, int daysBefore = 1) =>
        new(label, confidence, 94.5, stop, target, T.AddDays(-daysBefore));

    private static StrategySignal Run(FollowModelConfig config, ModelRecommendation? rec, PositionState? position = null, DailyBars? bars = null,
        DateOnly? lastSignal = null) =>
        FollowModelStrategy.Evaluate(config, new StrategyInput(bars ?? OversoldBars, position, 10_000m, rec, lastSignal));

    [Fact]
    public void FreshConfidentBuy_Buys_WithTheRecommendationsStopAndTarget()
    {
        var signal = Run(Standalone, Rec());

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal(90, signal.StopPrice);
        Assert.Equal(105, signal.TargetPrice);
        Assert.Equal("Model BUY of 2024-01-14, confidence 0.7 ≥ 0.5; model entry 94.50, close 94.00", signal.Reason);
    }

    [Fact]
    public void BuyWithoutStopOrTarget_FallsBackToTheDefaultFractions()
    {
        // Close 94: 94 × 0.92 = 86.48 and 94 × 1.10 = 103.4; a "stop" above the close is ignored too.
        var missing = Run(Standalone, Rec(stop: null, target: null));
        var wrongSide = Run(Standalone, Rec(stop: 95, target: 93));

        Assert.Equal(86.48, missing.StopPrice!.Value, 1e-9);
        Assert.Equal(103.4, missing.TargetPrice!.Value, 1e-9);
        Assert.Equal(86.48, wrongSide.StopPrice!.Value, 1e-9);
        Assert.Equal(103.4, wrongSide.TargetPrice!.Value, 1e-9);
    }

    [Fact]
    public void ConfidenceBelowTheThreshold_IsBlocked()
    {
        var signal = Run(Standalone, Rec(confidence: 0.42));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("ml_confidence_threshold", signal.BlockedBy);
        Assert.Equal("Model BUY of 2024-01-14, confidence 0.42 < ml_confidence_threshold 0.5", signal.Reason);
    }

    [Fact]
    public void ConfidenceExactlyAtTheThreshold_Counts()
    {
        Assert.Equal(SignalAction.Buy, Run(Standalone, Rec(confidence: 0.5)).Action);
    }

    [Fact]
    public void StaleRecommendation_IsIgnored()
    {
        // Created four days before t; max_age_days 3.
        var stale = Run(Standalone, Rec(daysBefore: 4));
        var justFresh = Run(Standalone, Rec(daysBefore: 3));

        Assert.Equal(SignalAction.None, stale.Action);
        Assert.Equal("Model recommendation of 2024-01-11 is 4 days old (max_age_days 3)", stale.Reason);
        Assert.Equal(SignalAction.Buy, justFresh.Action);
    }

    [Fact]
    public void RecommendationCreatedAfterT_IsNotSeen()
    {
        var signal = Run(Standalone, Rec(daysBefore: -1));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("No model recommendation on or before this day", signal.Reason);
    }

    [Fact]
    public void RecommendationAlreadyActedOn_IsNotActedOnAgain()
    {
        var signal = Run(Standalone, Rec(), lastSignal: T.AddDays(-1));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.StartsWith("Already acted on the model recommendation of 2024-01-14", signal.Reason);
    }

    [Fact]
    public void Sell_ExitsALong_AndDoesNothingWhenFlat()
    {
        var exit = Run(Standalone, Rec("SELL", 0.8), new PositionState(10, 95m, Bars.Start));
        var flat = Run(Standalone, Rec("SELL", 0.8));

        Assert.Equal(SignalAction.Exit, exit.Action);
        Assert.Equal("Model SELL of 2024-01-14, confidence 0.8 ≥ 0.5", exit.Reason);
        Assert.Equal(SignalAction.None, flat.Action);
        Assert.EndsWith("but there is no long position to exit", flat.Reason);
    }

    [Fact]
    public void Hold_DoesNothing_AndLabelsAreCaseInsensitive()
    {
        Assert.Equal(SignalAction.None, Run(Standalone, Rec("HOLD")).Action);
        Assert.Equal(SignalAction.Buy, Run(Standalone, Rec("buy")).Action);
    }

    [Fact]
    public void CombinedWithMeanReversion_BuysOnlyWhenTheRsiRulesAgree()
    {
        var config = Standalone with { MlCombineWithRules = true, CombineRules = CombineRules.MeanReversion };

        var agree = Run(config, Rec());
        var disagree = Run(config, Rec(), bars: Bars.FromCloses(NotOversold));

        Assert.Equal(SignalAction.Buy, agree.Action);
        Assert.Contains("mean-reversion rules agree: RSI(10) 20 ≤ extreme oversold 20", agree.Reason);
        Assert.Equal(SignalAction.None, disagree.Action);
        Assert.Equal("ml_combine_with_rules", disagree.BlockedBy);
        Assert.EndsWith("but the mean-reversion rules disagree: No entry: RSI(10) 52.6 > near oversold 40", disagree.Reason);
    }

    [Fact]
    public void CombinedWithMomentum_UsesTheMomentumEntry()
    {
        var config = Standalone with
        {
            MlCombineWithRules = true,
            CombineRules = CombineRules.Momentum,
            Momentum = new MomentumConfig { LookbackPeriod = 5, EmaPeriod = 5, RsiPeriod = 14 },
        };
        double[] rising = [100, 99, 100, 99, 100, 99, 100, 99, 100, 99, 100, 102, 104, 106, 108, 110];

        var agree = Run(config, Rec(stop: null, target: null), bars: Bars.FromCloses(rising, dates: Bars.Weekdays(16, new DateOnly(2023, 12, 25))));
        var disagree = Run(config, Rec());

        Assert.Equal(SignalAction.Buy, agree.Action);
        Assert.Contains("momentum rules agree: 5-day return 10% ≥ threshold 5%", agree.Reason);
        Assert.Equal("ml_combine_with_rules", disagree.BlockedBy);
    }

    [Fact]
    public void SellIsHonoured_EvenWhenTheRulesWouldNotAgree()
    {
        var config = Standalone with { MlCombineWithRules = true };

        var signal = Run(config, Rec("SELL"), new PositionState(10, 95m, Bars.Start), Bars.FromCloses(NotOversold));

        Assert.Equal(SignalAction.Exit, signal.Action);
    }

    [Fact]
    public void Long_BuyIsNotAddedTo()
    {
        var signal = Run(Standalone, Rec(), new PositionState(10, 95m, Bars.Start));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.EndsWith("but already long: no adding", signal.Reason);
    }
}
