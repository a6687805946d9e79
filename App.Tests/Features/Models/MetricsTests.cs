using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public class MetricsTests
{
    // Four rows, three classes (0 SELL, 1 HOLD, 2 BUY), used by several tests below.
    //   row  actual  P(0) P(1) P(2)  argmax  confidence
    //   0    0       0.6  0.3  0.1   0       0.6
    //   1    1       0.2  0.5  0.3   1       0.5
    //   2    2       0.1  0.2  0.7   2       0.7
    //   3    0       0.2  0.5  0.3   1       0.5   (wrong)
    private static readonly int[] Actual = [0, 1, 2, 0];

    private static readonly double[][] Probabilities =
    [
        [0.6, 0.3, 0.1],
        [0.2, 0.5, 0.3],
        [0.1, 0.2, 0.7],
        [0.2, 0.5, 0.3],
    ];

    private static int[] Predicted => Probabilities.Select(Metrics.ArgMax).ToArray();

    [Fact]
    public void Accuracy_ThreeOfFourRight_IsThreeQuarters()
    {
        // Predicted 0,1,2,1 against 0,1,2,0.
        Assert.Equal(0.75, Metrics.Accuracy(Actual, Predicted), 12);
    }

    [Fact]
    public void PerClass_HandWorkedConfusion_GivesPrecisionRecallF1()
    {
        // Class 0: TP 1 (row 0), FP 0, FN 1 (row 3) → P 1, R 0.5, F1 = 2·1·0.5/1.5 = 2/3.
        // Class 1: TP 1 (row 1), FP 1 (row 3), FN 0 → P 0.5, R 1, F1 2/3.
        // Class 2: TP 1, FP 0, FN 0 → P 1, R 1, F1 1.
        var scores = Metrics.PerClass(Actual, Predicted, 3);
        Assert.Equal(1, scores[0].Precision, 12);
        Assert.Equal(0.5, scores[0].Recall, 12);
        Assert.Equal(2.0 / 3, scores[0].F1, 12);
        Assert.Equal(2, scores[0].Support);
        Assert.Equal(0.5, scores[1].Precision, 12);
        Assert.Equal(1, scores[1].Recall, 12);
        Assert.Equal(2.0 / 3, scores[1].F1, 12);
        Assert.Equal(1, scores[2].F1, 12);
    }

    [Fact]
    public void RocAuc_WithTies_CountsHalfForTiedPairs()
    {
        // Positives score 0.9, 0.8, 0.1; negatives 0.8, 0.3. Pairs (pos, neg):
        // (0.9,0.8) 1, (0.9,0.3) 1, (0.8,0.8) ½, (0.8,0.3) 1, (0.1,0.8) 0, (0.1,0.3) 0 → 3.5 / 6.
        var auc = Metrics.RocAuc([true, false, true, false, true], [0.9, 0.8, 0.8, 0.3, 0.1]);
        Assert.Equal(3.5 / 6, auc, 12);
    }

    [Fact]
    public void RocAuc_OneClassOnly_IsUndefined()
    {
        Assert.True(double.IsNaN(Metrics.RocAuc([true, true], [0.1, 0.2])));
    }

    [Fact]
    public void MacroAuc_ThreeClasses_IsMeanOfOneVsRest()
    {
        // Class 0: positives (rows 0, 3) score 0.6, 0.2; negatives 0.2, 0.1 → pairs 1, 1, ½, 1 → 3.5/4 = 0.875.
        // Class 1: positive row 1 scores 0.5; negatives 0.3, 0.2, 0.5 → 1 + 1 + ½ = 2.5/3.
        // Class 2: positive row 2 scores 0.7; negatives 0.1, 0.3, 0.3 → 1.
        // Macro = (0.875 + 0.8333… + 1) / 3 = 0.902777…
        Assert.Equal((0.875 + 2.5 / 3 + 1) / 3, Metrics.MacroAuc(Actual, Probabilities, 3), 12);
    }

    [Fact]
    public void LogLoss_HandWorked()
    {
        // −(ln 0.6 + ln 0.5 + ln 0.7 + ln 0.2) / 4 = (0.510826 + 0.693147 + 0.356675 + 1.609438) / 4 = 0.7925214
        Assert.Equal(0.7925214151746922, Metrics.LogLoss(Actual, Probabilities), 10);
    }

    [Fact]
    public void Brier_HandWorked()
    {
        // Row 0: 0.4² + 0.3² + 0.1² = 0.26; row 1: 0.2² + 0.5² + 0.3² = 0.38; row 2: 0.1² + 0.2² + 0.3² = 0.14;
        // row 3: 0.8² + 0.5² + 0.3² = 0.98. Mean = 1.76 / 4 = 0.44.
        Assert.Equal(0.44, Metrics.Brier(Actual, Probabilities), 12);
    }

    [Fact]
    public void Calibration_GroupsByConfidence_AndCountsCorrectCalls()
    {
        // Confidences 0.6 (right), 0.5 (right), 0.7 (right), 0.5 (wrong): bucket [0.5,0.6) has 2 rows, mean 0.5,
        // observed 1/2; [0.6,0.7) one row 0.6 observed 1; [0.7,0.8) one row 0.7 observed 1.
        // ECE = 2/4·|0.5−0.5| + 1/4·|0.6−1| + 1/4·|0.7−1| = 0.1 + 0.075 = 0.175.
        var buckets = Metrics.Calibration(Actual, Probabilities, 10);
        Assert.Equal(10, buckets.Length);
        Assert.Equal(2, buckets[5].Count);
        Assert.Equal(0.5, buckets[5].MeanConfidence, 12);
        Assert.Equal(0.5, buckets[5].ObservedFrequency, 12);
        Assert.Equal(1, buckets[6].Count);
        Assert.Equal(1, buckets[6].ObservedFrequency, 12);
        Assert.Equal(1, buckets[7].Count);
        Assert.Equal(0.7, buckets[7].MeanConfidence, 12);
        Assert.Equal(0, buckets[0].Count);
        Assert.Equal(4, buckets.Sum(b => b.Count));
        Assert.Equal(0.175, Metrics.ExpectedCalibrationError(buckets), 12);
    }

    [Fact]
    public void Pearson_HandWorked()
    {
        // a = 1,2,3,4 (mean 2.5), b = 2,4,5,9 (mean 5). Σda·db = 4.5+0.5+0+6 = 11; Σda² = 5; Σdb² = 26 → 11/√130.
        Assert.Equal(11 / Math.Sqrt(130), Metrics.Pearson([1, 2, 3, 4], [2, 4, 5, 9]), 12);
    }

    [Fact]
    public void Spearman_WithTies_UsesMidRanks()
    {
        // a = 1,2,2,3 → ranks 1, 2.5, 2.5, 4; b = 1,3,2,4 → ranks 1,3,2,4. Deviations from 2.5:
        // a −1.5,0,0,1.5; b −1.5,0.5,−0.5,1.5 → Σ = 4.5; Σa² = 4.5; Σb² = 5 → 4.5/√22.5 = 0.9487.
        Assert.Equal(4.5 / Math.Sqrt(22.5), Metrics.Spearman([1, 2, 2, 3], [1, 3, 2, 4]), 12);
        Assert.Equal([1, 2.5, 2.5, 4], Metrics.MidRanks([1, 2, 2, 3]));
        // A monotone but non-linear relation has rank IC 1 and Pearson IC below 1.
        Assert.Equal(1, Metrics.Spearman([1, 2, 3, 4], [1, 8, 27, 1000]), 12);
        Assert.True(Metrics.Pearson([1, 2, 3, 4], [1, 8, 27, 1000]) < 0.9);
    }

    [Fact]
    public void HitRate_CountsOnlyDirectionalCalls()
    {
        // Calls: BUY +2 % hit, SELL +1 % miss, (HOLD skipped), BUY −1 % miss, SELL −3 % hit → 2/4.
        Assert.Equal(0.5, Metrics.HitRate([1, -1, 0, 1, -1], [0.02, 0.01, 0.05, -0.01, -0.03]), 12);
        Assert.True(double.IsNaN(Metrics.HitRate([0, 0], [0.1, -0.1])));
    }

    [Fact]
    public void TopDecileReturn_TakesTheHighestScoredTenth()
    {
        // 20 rows, score i, realised i/100: top ⌈20/10⌉ = 2 rows are 19 and 18 → (0.19 + 0.18)/2.
        var score = Enumerable.Range(0, 20).Select(i => (double)i).ToArray();
        var realised = score.Select(s => s / 100).ToArray();
        Assert.Equal(0.185, Metrics.TopDecileReturn(score, realised), 12);
    }

    [Fact]
    public void SignalPortfolio_HandWorked_SharpeAndDrawdown()
    {
        // H = 2. Day 1: BUY r=+10 %, SELL r=+4 % → mean(0.10/2, −0.04/2) = 0.015.
        // Day 2: BUY r=−5 %, HOLD → −0.05/2 = −0.025. Day 3: HOLD only → 0.
        // Mean −0.003333, sample sd 0.0202073 → Sharpe = −0.003333/0.0202073·√252 = −2.61861.
        // Equity 1.015 → 0.989625 → 0.989625: drawdown (1.015 − 0.989625)/1.015 = 0.025.
        var d1 = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        DateTimeOffset[] dates = [d1, d1, d1.AddDays(1), d1.AddDays(1), d1.AddDays(2)];
        var result = Metrics.SignalPortfolio(dates, [1, -1, 1, 0, 0], [0.10, 0.04, -0.05, 0.2, 0.3], 2);
        Assert.Equal(3, result.Days);
        Assert.Equal(0.015, result.DailyReturns[0], 12);
        Assert.Equal(-0.025, result.DailyReturns[1], 12);
        Assert.Equal(0, result.DailyReturns[2], 12);
        Assert.Equal(-2.6186146828319097, result.Sharpe, 9);
        Assert.Equal(0.025, result.MaxDrawdown, 12);
    }

    [Fact]
    public void VerdictEvaluation_PerfectCalls_ScoreFullMarks()
    {
        var d = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);
        var r = new[] { 0.05, -0.04, 0.001, 0.04, -0.06, 0.0 };
        var labels = r.Select(v => DatasetBuilder.Label(v, 0.01)).ToArray();
        var data = new Dataset
        {
            FeatureNames = ["x"], X = new FeatureMatrix(new double[r.Length], r.Length, 1), InstrumentIds = [1, 2, 3, 1, 2, 3],
            Ts = [d, d, d, d.AddDays(1), d.AddDays(1), d.AddDays(1)], LabelEnd = [.. Enumerable.Repeat(d.AddDays(9), 6)],
            ForwardReturn = r, Label = labels, Threshold = [.. Enumerable.Repeat(0.01, 6)], Horizon = 5,
        };
        // A regressor that predicts the realised return exactly makes the same calls.
        var fromReturns = VerdictEvaluation.FromReturns(data, r);
        Assert.Equal(1, fromReturns.Accuracy);
        Assert.Equal(1, fromReturns.Ic, 12);
        Assert.True(double.IsNaN(fromReturns.LogLoss));
        var probabilities = labels.Select(l => Enumerable.Range(0, 3).Select(k => k == l ? 0.9 : 0.05).ToArray()).ToArray();
        var evaluation = VerdictEvaluation.Evaluate(data, labels, probabilities, r);
        Assert.Equal(1, evaluation.Accuracy);
        Assert.Equal(1, evaluation.MacroAuc, 12);
        Assert.Equal(1, evaluation.HitRate);
        Assert.Equal(1, evaluation.RankIc, 12);
        Assert.True(evaluation.Sharpe > 0);
        Assert.Equal(0, evaluation.MaxDrawdown);
    }
}
