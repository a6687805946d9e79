using Signalbook.Features.Models;
using Xunit.Abstractions;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// Walk-forward evaluation on real prices (StockNet, 87 usable US stocks, 2012–2017): verdict labels with a
/// volatility threshold (k = 0.5), 3 expanding folds after the first 40 % of dates, purging and an embargo of H.
/// The GBDT and the logistic baseline are compared with naive rules — always HOLD, and 20-day momentum — and with a
/// GBDT trained on shuffled labels. Asserted: what must hold whatever the market did (finite metrics, AUC in
/// [0, 1], probabilities summing to 1, determinism, and a shuffled-label control at chance, which would fail if
/// labels leaked into features). Whether the model has an edge is printed, not asserted.
/// </summary>
[RunsLong(27)]
public class RealDataWalkForwardTests(ITestOutputHelper output)
{
    private static GbdtLearner Gbdt() => new(new GbdtOptions
    {
        Trees = 40, MaxDepth = 3, LearningRate = 0.15, RowSubsample = 0.8, ColumnSubsample = 0.8, MinSamplesLeaf = 100, L2 = 5,
        EarlyStoppingRounds = 10, Seed = 7,
    });

    private static double FoldMeanAuc(Dataset test, OutOfSample oos) =>
        oos.FoldOf.Distinct().Select(f =>
        {
            var rows = Enumerable.Range(0, oos.FoldOf.Length).Where(i => oos.FoldOf[i] == f).ToArray();
            return Metrics.MacroAuc(rows.Select(i => test.Label[i]).ToArray(), rows.Select(i => oos.Probabilities![i]).ToArray(), 3);
        }).Average();

    [Theory]
    [InlineData(5)]
    [InlineData(20)]
    public void WalkForward_OnStocknet_ReportsModelAndBaselines(int horizon)
    {
        var data = Stocknet.Data(horizon);
        var folds = WalkForwardSplitter.Split(data.Ts, data.LabelEnd, new WalkForwardOptions { Folds = 3, InitialTrainFraction = 0.4, Embargo = horizon });
        foreach (var fold in folds)
            Assert.All(fold.Train, i => Assert.True(data.LabelEnd[i] < fold.TestStart));

        var gbdt = WalkForwardRunner.Run(data, folds, Gbdt, d => d.Verdicts(), validationDates: 60);
        var test = data.Subset(gbdt.Rows);
        var predicted = gbdt.Probabilities!.Select(Metrics.ArgMax).ToArray();
        var model = VerdictEvaluation.Evaluate(test, predicted, gbdt.Probabilities, gbdt.Probabilities!.Select(p => p[2] - p[0]).ToArray());

        var logistic = WalkForwardRunner.Run(data, folds, () => new LogisticLearner(new LogisticOptions { C = 0.1 }), d => d.Verdicts());
        var logisticEval = VerdictEvaluation.Evaluate(test, logistic.Probabilities!.Select(Metrics.ArgMax).ToArray(), logistic.Probabilities,
            logistic.Probabilities!.Select(p => p[2] - p[0]).ToArray());

        // Always HOLD, with each fold's training class frequencies as its (constant) probabilities.
        var priors = new double[test.Count][];
        var position = 0;
        foreach (var fold in folds)
        {
            var counts = new double[3];
            foreach (var i in fold.Train) counts[data.Label[i]]++;
            var p = counts.Select(c => c / fold.Train.Length).ToArray();
            for (var j = 0; j < fold.Test.Length; j++) priors[position++] = p;
        }
        var hold = VerdictEvaluation.Evaluate(test, Enumerable.Repeat((int)Verdict.Hold, test.Count).ToArray(), priors, new double[test.Count]);

        // Momentum: BUY when the last 20 days rose, SELL when they fell (HOLD when unknown); score = ret_20d.
        var ret20 = data.FeatureNames.ToList().IndexOf("ret_20d");
        var momentumScore = Enumerable.Range(0, test.Count).Select(i => test.X[i, ret20]).Select(v => double.IsNaN(v) ? 0 : v).ToArray();
        var momentum = VerdictEvaluation.Evaluate(test,
            momentumScore.Select(v => v > 0 ? (int)Verdict.Buy : v < 0 ? (int)Verdict.Sell : (int)Verdict.Hold).ToArray(), null, momentumScore);

        // Control: the same GBDT on labels shuffled within each training set.
        var shuffled = WalkForwardRunner.Run(data, folds, Gbdt, d =>
        {
            var labels = (int[])d.Label.Clone();
            new Random(11).Shuffle(labels);
            return TrainingSet.Classification(d.X, labels, 3);
        }, validationDates: 60);
        var control = VerdictEvaluation.Evaluate(test, shuffled.Probabilities!.Select(Metrics.ArgMax).ToArray(), shuffled.Probabilities,
            shuffled.Probabilities!.Select(p => p[2] - p[0]).ToArray());

        output.WriteLine($"H={horizon}: {data.Count} labelled rows, {test.Count} out-of-sample rows in {folds.Count} folds " +
                         $"({folds[0].TestStart:yyyy-MM-dd} … {folds[^1].TestEnd:yyyy-MM-dd}); actual S/H/B = " +
                         string.Join('/', Enumerable.Range(0, 3).Select(k => (test.Label.Count(l => l == k) / (double)test.Count).ToString("F2", System.Globalization.CultureInfo.InvariantCulture))));
        output.WriteLine($"gbdt      {model.Summary()}");
        output.WriteLine($"logistic  {logisticEval.Summary()}");
        output.WriteLine($"hold      {hold.Summary()}");
        output.WriteLine($"momentum  {momentum.Summary()}");
        output.WriteLine($"shuffled  {control.Summary()}");
        output.WriteLine("gbdt calibration (bucket: n, mean confidence, observed): " + string.Join("; ", model.Calibration.Where(b => b.Count > 0)
            .Select(b => FormattableString.Invariant($"[{b.Lower:F1},{b.Upper:F1}): {b.Count}, {b.MeanConfidence:F3}, {b.ObservedFrequency:F3}"))));

        foreach (var e in new[] { model, logisticEval })
        {
            foreach (var v in new[] { e.Accuracy, e.MacroAuc, e.UpAuc, e.LogLoss, e.Brier, e.Ic, e.RankIc, e.TopDecileReturn, e.MaxDrawdown, e.CalibrationError })
                Assert.True(double.IsFinite(v));
            Assert.InRange(e.MacroAuc, 0, 1);
            Assert.InRange(e.UpAuc, 0, 1);
            Assert.InRange(e.MaxDrawdown, 0, 1);
        }
        Assert.All(gbdt.Probabilities!, p => Assert.Equal(1, p.Sum(), 9));
        Assert.Equal(test.Count, model.Calibration.Sum(b => b.Count));
        // A shuffled-label model must be at chance; a clear edge here would mean labels leak into features. Measured
        // within each fold: pooled over folds, even constant per-fold probabilities (the fold's priors) score an AUC
        // away from 0.5, because class frequencies drift between folds.
        var controlAuc = FoldMeanAuc(test, shuffled);
        output.WriteLine(FormattableString.Invariant(
            $"within-fold mean macro AUC: gbdt {FoldMeanAuc(test, gbdt):F4}, logistic {FoldMeanAuc(test, logistic):F4}, shuffled control {controlAuc:F4}"));
        Assert.InRange(controlAuc, 0.47, 0.53);
        // Always HOLD is right exactly as often as HOLD occurs.
        Assert.Equal(test.Label.Count(l => l == (int)Verdict.Hold) / (double)test.Count, hold.Accuracy, 12);

        // Determinism: refitting the first fold gives the same out-of-sample probabilities.
        var again = WalkForwardRunner.Run(data, [folds[0]], Gbdt, d => d.Verdicts(), validationDates: 60);
        Assert.Equal(gbdt.Probabilities!.Take(folds[0].Test.Length), again.Probabilities!);
    }
}
