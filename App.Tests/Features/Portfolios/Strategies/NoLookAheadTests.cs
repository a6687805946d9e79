using System.Text.Json.Nodes;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>
/// A signal on day t depends only on bars 0..t: bars appended after t (here wild ones: ten-fold prices, zero volume,
/// huge gaps) with an explicit evaluation index give exactly the signal of the arrays cut at t.
/// </summary>
public sealed class NoLookAheadTests
{
    public static TheoryData<StrategyType, string> Configs => new()
    {
        { StrategyType.MeanReversion, """{"trend_filter": "off"}""" },
        { StrategyType.MeanReversion, "{}" },
        { StrategyType.Momentum, """{"lookback_period": 10, "momentum_threshold": 0.02, "ema_period": 20}""" },
        { StrategyType.Dca, """{"only_below_average": true, "interval_trading_days": 3}""" },
        { StrategyType.GridTrading, """{"grid_spacing_pct": 0.01}""" },
        { StrategyType.FollowModel, """{"ml_combine_with_rules": false}""" },
        { StrategyType.FollowModel, """{"combine_rules": "momentum", "lookback_period": 5, "momentum_threshold": 0}""" },
    };

    private static DailyBars WithFuture(DailyBars cut, int extra, int seed)
    {
        var random = new Random(seed);
        var n = cut.Length;
        var last = cut.Dates[^1];
        double Wild() => cut.Close[^1] * (random.Next(2) == 0 ? 10 : 0.1) * (0.5 + random.NextDouble());
        var future = Enumerable.Range(0, extra).Select(_ => (O: Wild(), C: Wild())).ToArray();
        return new DailyBars(
            [.. cut.Dates, .. Enumerable.Range(1, extra).Select(i => last.AddDays(i))],
            [.. cut.Open, .. future.Select(f => f.O)],
            [.. cut.High, .. future.Select(f => Math.Max(f.O, f.C) * 1.5)],
            [.. cut.Low, .. future.Select(f => Math.Min(f.O, f.C) * 0.5)],
            [.. cut.Close, .. future.Select(f => f.C)],
            [.. cut.Volume, .. future.Select(_ => 0.0)]);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void AppendingFutureBars_NeverChangesTheSignal(StrategyType type, string json)
    {
        var all = Bars.Stocknet("AAPL");
        var config = JsonNode.Parse(json)!.AsObject();
        var actions = new HashSet<SignalAction>();
        for (var t = 5; t < 420; t += 3)
        {
            var cut = Bars.Take(all, t + 1);
            var future = WithFuture(cut, extra: 1 + t % 30, seed: t);
            var date = cut.Dates[t];
            // A recommendation from the day before and one from the future (never seen).
            var rec = new ModelRecommendation(t % 5 == 0 ? "SELL" : "BUY", 0.8, cut.Close[t], cut.Close[t] * 0.95, cut.Close[t] * 1.1, date.AddDays(-1));
            foreach (var position in new[] { PositionState.Flat, new PositionState(100, (decimal)cut.Close[t - 3], cut.Dates[t - 3]) })
            {
                var expected = StrategyEngine.Evaluate(type, config, new StrategyInput(cut, position, 100_000m, rec, cut.Dates[t - 4]));
                var withFuture = StrategyEngine.Evaluate(type, config, new StrategyInput(future, position, 100_000m, rec, cut.Dates[t - 4], evaluationIndex: t));
                Assert.Equal(expected, withFuture);
                actions.Add(expected.Action);
            }
        }
        Assert.True(actions.Count > 1, $"only {string.Join(", ", actions)} seen: the test would not notice a change");
    }

    [Fact]
    public void ARecommendationCreatedAfterT_IsTheSameAsNone()
    {
        var bars = Bars.Take(Bars.Stocknet("AAPL"), 300);
        var config = new FollowModelConfig { MlCombineWithRules = false };
        var t = 250;
        var later = new ModelRecommendation("BUY", 0.99, 100, 90, 120, bars.Dates[t + 1]);

        var withLater = FollowModelStrategy.Evaluate(config, new StrategyInput(bars, cash: 100_000m, recommendation: later, evaluationIndex: t));
        var without = FollowModelStrategy.Evaluate(config, new StrategyInput(bars, cash: 100_000m, evaluationIndex: t));
        var atTPlus1 = FollowModelStrategy.Evaluate(config, new StrategyInput(bars, cash: 100_000m, recommendation: later, evaluationIndex: t + 1));

        Assert.Equal(without, withLater);
        Assert.Equal(SignalAction.None, withLater.Action);
        Assert.Equal("No model recommendation on or before this day", withLater.Reason);
        Assert.NotEqual(withLater.Reason, atTPlus1.Reason); // seen once t reaches its creation day
    }

    [Fact]
    public void Input_RejectsAnIndexOutsideTheBars_AndUnorderedDates()
    {
        var bars = Bars.FromCloses([100, 101, 102]);
        var shuffled = bars with { Dates = [bars.Dates[0], bars.Dates[2], bars.Dates[1]] };

        Assert.Throws<ArgumentOutOfRangeException>(() => new StrategyInput(bars, evaluationIndex: 3));
        Assert.Throws<ArgumentException>(() => new StrategyInput(shuffled));
        Assert.Throws<ArgumentException>(() => new StrategyInput(bars with { Volume = [1, 2] }));
        Assert.Equal(2, new StrategyInput(bars, evaluationIndex: 1).Close.Length);
    }
}
