using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;
using Signalbook.Tests.Features.Models;

namespace Signalbook.Tests.Features.Recommendations;

public class RecommendationScorerTests
{
    private static readonly double[] Neutral = [0.3, 0.4, 0.3];

    [Theory]
    // entry 100, ATR 2. Moderate: 2 × 2 = 4 (inside 3 %..8 %) → stop 96, target 100 + 2.5 × 4.
    [InlineData("moderate", "BUY", 2.0, 0.5, 96.0, 110.0)]
    // Conservative: 1.5 × 2 = 3 → stop 97, target 100 + 2.5 × 3.
    [InlineData("conservative", "BUY", 2.0, 0.5, 97.0, 107.5)]
    // Conservative with ATR 10: 15 is capped at 6 % → stop 94, target 115.
    [InlineData("conservative", "BUY", 10.0, 0.5, 94.0, 115.0)]
    // Moderate with ATR 0.5: 1 is raised to the 3 % floor → stop 97, target 107.5.
    [InlineData("moderate", "BUY", 0.5, 0.5, 97.0, 107.5)]
    // Aggressive SELL: 3 × 2 = 6 → stop 106, target 100 − 3 × 6.
    [InlineData("aggressive", "SELL", 2.0, 0.45, 106.0, 82.0)]
    // Moderate at 70 % confidence: the strong-buy reward 3.0 → target 100 + 3 × 4.
    [InlineData("moderate", "BUY", 2.0, 0.70, 96.0, 112.0)]
    public void Levels_FollowTheProfilesAtrMultipleBoundsAndRiskReward(string profile, string label, double atr, double confidence, double stop, double take)
    {
        var (s, t, _) = RecommendationScorer.Levels(ProfileRules.For(profile), label, 100, atr, confidence);
        Assert.Equal(stop, s!.Value, 9);
        Assert.Equal(take, t!.Value, 9);
    }

    [Fact]
    public void Levels_Hold_HasNoStopOrTarget()
    {
        var (s, t, _) = RecommendationScorer.Levels(ProfileRules.Moderate, "HOLD", 100, 2, 0.5);
        Assert.Null(s);
        Assert.Null(t);
    }

    [Fact]
    public void Decide_AppliesThresholdReturnSignAndAvoidedRegimes()
    {
        double[] bullish = [0.15, 0.40, 0.45];
        var calm = new SnapshotRegime(0, "calm-up", 0.9);
        var stressed = new SnapshotRegime(2, "stressed", 0.8);
        Assert.Equal(("BUY", RecommendationScorer.Reason.Directional), RecommendationScorer.Decide(ProfileRules.Moderate, bullish, 0.01, calm));
        Assert.Equal(("HOLD", RecommendationScorer.Reason.BelowThreshold), RecommendationScorer.Decide(ProfileRules.Conservative, bullish, 0.01, calm));
        Assert.Equal(("HOLD", RecommendationScorer.Reason.ReturnDisagrees), RecommendationScorer.Decide(ProfileRules.Moderate, bullish, -0.002, calm));
        Assert.Equal(("HOLD", RecommendationScorer.Reason.AvoidedRegime),
            RecommendationScorer.Decide(ProfileRules.Conservative, [0.1, 0.3, 0.6], 0.02, stressed));
        Assert.Equal(("BUY", RecommendationScorer.Reason.Directional), RecommendationScorer.Decide(ProfileRules.Aggressive, [0.1, 0.3, 0.6], 0.02, stressed));
        Assert.Equal(("SELL", RecommendationScorer.Reason.Directional), RecommendationScorer.Decide(ProfileRules.Aggressive, [0.38, 0.32, 0.30], -0.004, null));
        Assert.Equal("HOLD", RecommendationScorer.Decide(ProfileRules.Aggressive, Neutral, 0, null).Label);
    }

    private static ScoringModel Model(IReadOnlyList<InstrumentFeatures> data)
    {
        var spec = new TrainingSpec
        {
            Hyperparameters = new Dictionary<string, double> { ["trees"] = 30, ["max_depth"] = 3, ["min_samples_leaf"] = 20, ["early_stopping_rounds"] = 0 },
            Folds = 2,
        };
        var trained = ModelTrainer.Train(data, spec);
        var medians = ((Dictionary<string, object?>)trained.Metrics["feature_medians"]!).Where(p => p.Value is double)
            .ToDictionary(p => p.Key, p => (double)p.Value!);
        var means = ModelTrainer.LabelNames.Select(l => (double?)((Dictionary<string, object?>)trained.Metrics["class_mean_return"]!)[l] ?? 0).ToArray();
        return new ScoringModel(new SnapshotModel(1, ModelTypes.VerdictClassifier, "v1", "gbdt", trained.Provenance.ParamsHash()), trained.Model,
            trained.Provenance.FeatureNames, trained.Calibrator, medians, means, 5, 0.5);
    }

    [Fact]
    public void Score_GivesOnePerProfile_WithSnapshotJustificationAndNoLookAhead()
    {
        var data = SyntheticMarket.Build(instruments: 4, bars: 420, seed: 21);
        var model = Model(data);
        var instrument = data[0];
        const int t = 300;
        var regime = new SnapshotRegime(1, "choppy", 0.77);

        var recs = RecommendationScorer.Score("SYN", instrument, t, model, null, regime);

        Assert.Equal(["conservative", "moderate", "aggressive"], recs.Select(r => r.Profile));
        foreach (var r in recs)
        {
            Assert.Equal(instrument.Ts[t], r.Snapshot.AsOf);
            Assert.Equal(instrument.Close[t], r.Snapshot.Close);
            Assert.Equal(5, r.HorizonDays);
            Assert.Equal(1.0, r.Snapshot.Probabilities.Values.Sum(), 5);
            Assert.Equal(r.Snapshot.Probabilities[r.Label], r.Confidence, 5);
            Assert.Equal(DatasetBuilder.FeatureValue(instrument, "rsi_14", t, true), r.Snapshot.Features["rsi_14"]);
            Assert.Contains(r.Profile, r.Justification, StringComparison.Ordinal);
            Assert.Contains("Regime: choppy (77 %)", r.Justification, StringComparison.Ordinal);
            Assert.NotEmpty(r.Snapshot.Drivers);
            Assert.Contains(FeatureText.Name(r.Snapshot.Drivers[0].Feature), r.Justification, StringComparison.Ordinal);
            Assert.Equal(r.Label == "HOLD", r.StopLoss is null);
        }
        // The planted signal is rsi_14: on the bar where it is most extreme it drives the verdict more than any other feature.
        var extreme = Enumerable.Range(250, 150).MaxBy(i => Math.Abs(instrument.Columns["rsi_14"][i] - 50));
        var strong = RecommendationScorer.Score("SYN", instrument, extreme, model, null, regime);
        Assert.Equal("rsi_14", strong[2].Snapshot.Drivers[0].Feature);

        // Bars after t change nothing: scoring the instrument cut at t gives the same recommendations.
        var cut = new InstrumentFeatures(instrument.InstrumentId, instrument.Ts[..(t + 1)], instrument.Close[..(t + 1)],
            instrument.Columns.ToDictionary(c => c.Key, c => c.Value[..(t + 1)]));
        var again = RecommendationScorer.Score("SYN", cut, t, model, null, regime);
        Assert.Equal(recs.Select(r => (r.Label, r.Confidence, r.Justification)), again.Select(r => (r.Label, r.Confidence, r.Justification)));
        Assert.Equal(recs[1].Snapshot.ToJson(), again[1].Snapshot.ToJson());
    }

    [Fact]
    public void Percentile_IsTheShareOfTheInstrumentsOwnHistoryAtOrBelow()
    {
        var ts = Enumerable.Range(0, 5).Select(i => new DateTimeOffset(2024, 1, 1 + i, 0, 0, 0, TimeSpan.Zero)).ToArray();
        var instrument = new InstrumentFeatures(1, ts, [10, 10, 10, 10, 10], new Dictionary<string, double[]> { ["rsi_14"] = [30, double.NaN, 50, 70, 90] });
        // Up to bar 3: 30, 50, 70 (NaN skipped); 50 is at or above two of three.
        Assert.Equal(66.7, RecommendationScorer.Percentile(instrument, "rsi_14", 3, 50));
        Assert.Equal(100, RecommendationScorer.Percentile(instrument, "rsi_14", 4, 90));
        Assert.Null(RecommendationScorer.Percentile(instrument, "adx_14", 4, 1));
    }

    [Theory]
    [InlineData("up", 100, 101, null, true)]
    [InlineData("up", 100, 99, null, false)]
    [InlineData("down", 100, 97, null, true)]
    [InlineData("neutral", 100, 102, 0.025, true)]
    [InlineData("neutral", 100, 103, 0.025, false)]
    [InlineData("neutral", 100, 100.5, null, true)]
    public void Judge_UpRoseDownFellHoldStayedInsideTheThreshold(string direction, double entry, double actual, double? threshold, bool right)
        => Assert.Equal(right, OutcomeBackfill.Judge(direction, entry, actual, threshold));
}
