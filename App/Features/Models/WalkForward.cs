namespace Signalbook.Features.Models;

public enum TrainWindow
{
    /// <summary>Train on everything before the test fold.</summary>
    Expanding,

    /// <summary>Train on the last <see cref="WalkForwardOptions.RollingDates"/> dates before the test fold.</summary>
    Rolling,
}

public sealed record WalkForwardOptions
{
    /// <summary>Number of test folds, consecutive blocks of dates after the initial training period.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>Share of the distinct dates used only for training before the first test fold.</summary>
    public double InitialTrainFraction { get; init; } = 0.4;
    public TrainWindow Window { get; init; } = TrainWindow.Expanding;
    public int RollingDates { get; init; } = 504;
    /// <summary>Embargo in dates (trading days): set it to the horizon H.</summary>
    public int Embargo { get; init; } = 5;
    /// <summary>
    /// Also train on rows after the test fold (purged k-fold style cross-validation, López de Prado 2018, ch. 7).
    /// Off for walk-forward, where training only ever precedes the test.
    /// </summary>
    public bool TrainAfterTest { get; init; }
}

/// <summary>One split: row indices into the dataset and the test fold's span.</summary>
public sealed record Fold(int Index, int[] Train, int[] Test, DateTimeOffset TestStart, DateTimeOffset TestEnd);

/// <summary>
/// Time-ordered splits with purging and an embargo (López de Prado, Advances in Financial Machine Learning, §7.4).
/// Test folds are consecutive, disjoint blocks of the distinct dates. A training row is purged when its label
/// window [t, label end] overlaps the test span [test start, test end]; with <see cref="WalkForwardOptions.TrainAfterTest"/>
/// the embargo also removes training rows whose t falls within <see cref="WalkForwardOptions.Embargo"/> dates after
/// the test end (their features overlap the test labels' period).
/// </summary>
public static class WalkForwardSplitter
{
    public static IReadOnlyList<Fold> Split(IReadOnlyList<DateTimeOffset> ts, IReadOnlyList<DateTimeOffset> labelEnd, WalkForwardOptions options)
    {
        ArgumentNullException.ThrowIfNull(ts);
        ArgumentNullException.ThrowIfNull(labelEnd);
        ArgumentNullException.ThrowIfNull(options);
        if (ts.Count != labelEnd.Count) throw new ArgumentException("One label end per row.");
        if (options.Folds < 1) throw new ArgumentOutOfRangeException(nameof(options), "At least one fold.");
        if (options.InitialTrainFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(options), "The initial training share is in [0, 1).");
        var dates = ts.Distinct().Order().ToArray();
        var dateIndex = new Dictionary<DateTimeOffset, int>();
        for (var i = 0; i < dates.Length; i++) dateIndex[dates[i]] = i;
        var firstTest = (int)(dates.Length * options.InitialTrainFraction);
        var testDates = dates.Length - firstTest;
        if (testDates < options.Folds) throw new ArgumentException($"{testDates} test dates cannot make {options.Folds} folds.");

        var folds = new List<Fold>();
        for (var k = 0; k < options.Folds; k++)
        {
            var startIdx = firstTest + (int)((long)testDates * k / options.Folds);
            var endIdx = firstTest + (int)((long)testDates * (k + 1) / options.Folds) - 1;
            var testStart = dates[startIdx];
            var testEnd = dates[endIdx];
            var embargoEnd = dates[Math.Min(endIdx + options.Embargo, dates.Length - 1)];
            var windowStart = options.Window == TrainWindow.Rolling ? dates[Math.Max(0, startIdx - options.RollingDates)] : dates[0];
            var train = new List<int>();
            var test = new List<int>();
            for (var i = 0; i < ts.Count; i++)
            {
                var t = ts[i];
                if (t >= testStart && t <= testEnd)
                {
                    test.Add(i);
                    continue;
                }
                if (t < windowStart) continue;
                if (t > testEnd)
                {
                    if (!options.TrainAfterTest) continue;
                    if (t <= embargoEnd) continue; // embargo
                }
                if (t <= testEnd && labelEnd[i] >= testStart) continue; // purge: label window overlaps the test span
                train.Add(i);
            }
            folds.Add(new Fold(k, [.. train], [.. test], testStart, testEnd));
        }
        return folds;
    }
}

/// <summary>The out-of-sample predictions of a walk-forward run, aligned with <see cref="Rows"/> (dataset indices in fold order).</summary>
public sealed record OutOfSample(int[] Rows, int[] FoldOf, double[][]? Probabilities, double[] Values);

public static class WalkForwardRunner
{
    /// <summary>
    /// Trains one model per fold on its (purged) training rows and predicts its test rows. With
    /// <paramref name="validationDates"/> &gt; 0 the last that many training dates become the validation slice
    /// (for early stopping), and training rows whose label reaches into that slice are purged as well.
    /// </summary>
    public static OutOfSample Run(Dataset data, IReadOnlyList<Fold> folds, Func<ILearner> learner, Func<Dataset, TrainingSet> target,
        int validationDates = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(folds);
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(target);
        var rows = new List<int>();
        var foldOf = new List<int>();
        var probabilities = new List<double[]>();
        var values = new List<double>();
        var classification = true;
        foreach (var fold in folds)
        {
            ct.ThrowIfCancellationRequested();
            var trainRows = fold.Train;
            TrainingSet? validation = null;
            if (validationDates > 0)
            {
                var dates = trainRows.Select(i => data.Ts[i]).Distinct().Order().ToArray();
                if (dates.Length > validationDates * 2)
                {
                    var validStart = dates[^validationDates];
                    var valid = trainRows.Where(i => data.Ts[i] >= validStart).ToArray();
                    trainRows = trainRows.Where(i => data.Ts[i] < validStart && data.LabelEnd[i] < validStart).ToArray();
                    validation = target(data.Subset(valid));
                }
            }
            var train = target(data.Subset(trainRows));
            var model = learner().Fit(train, validation, ct);
            var test = data.Subset(fold.Test);
            classification = model.Task != ModelTask.Regression;
            if (classification) probabilities.AddRange(model.PredictProbabilities(test.X));
            values.AddRange(model.PredictValues(test.X));
            rows.AddRange(fold.Test);
            foldOf.AddRange(Enumerable.Repeat(fold.Index, fold.Test.Length));
        }
        return new OutOfSample([.. rows], [.. foldOf], classification ? [.. probabilities] : null, [.. values]);
    }
}

/// <summary>All metrics of one set of verdict predictions against realised outcomes.</summary>
public sealed record VerdictEvaluation(
    int Rows, double Accuracy, ClassScores[] PerClass, double MacroAuc, double UpAuc, double LogLoss, double Brier,
    double Ic, double RankIc, double HitRate, double TopDecileReturn, double Sharpe, double MaxDrawdown, double MeanDailyReturn,
    CalibrationBucket[] Calibration, double CalibrationError, double[] PredictedShare)
{
    /// <summary>
    /// Evaluates predictions on labelled rows. <paramref name="predicted"/>: verdict per row; <paramref name="probabilities"/>:
    /// class probabilities (null for a rule without them: then macro AUC, log loss, Brier and calibration are NaN);
    /// <paramref name="score"/>: a directional score (higher = more bullish; e.g. P(BUY) − P(SELL) or the predicted
    /// return) used for the up/down AUC (score vs r &gt; 0), IC, rank IC and the top decile.
    /// </summary>
    public static VerdictEvaluation Evaluate(Dataset data, IReadOnlyList<int> predicted, IReadOnlyList<double[]>? probabilities, IReadOnlyList<double> score)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(score);
        var actual = data.Label;
        var r = data.ForwardReturn;
        var signal = predicted.Select(Metrics.SignalOf).ToArray();
        var portfolio = Metrics.SignalPortfolio(data.Ts, signal, r, data.Horizon);
        var calibration = probabilities is null ? [] : Metrics.Calibration(actual, probabilities);
        return new VerdictEvaluation(
            data.Count, Metrics.Accuracy(actual, predicted), Metrics.PerClass(actual, predicted, 3),
            probabilities is null ? double.NaN : Metrics.MacroAuc(actual, probabilities, 3),
            Metrics.RocAuc(r.Select(v => v > 0).ToArray(), score),
            probabilities is null ? double.NaN : Metrics.LogLoss(actual, probabilities),
            probabilities is null ? double.NaN : Metrics.Brier(actual, probabilities),
            Metrics.Pearson(score, r), Metrics.Spearman(score, r), Metrics.HitRate(signal, r), Metrics.TopDecileReturn(score, r),
            portfolio.Sharpe, portfolio.MaxDrawdown, portfolio.MeanDailyReturn, calibration,
            probabilities is null ? double.NaN : Metrics.ExpectedCalibrationError(calibration),
            Enumerable.Range(0, 3).Select(k => predicted.Count(p => p == k) / (double)Math.Max(1, predicted.Count)).ToArray());
    }

    /// <summary>
    /// Evaluates a return regressor as a verdict rule: each predicted return becomes BUY / HOLD / SELL with the row's
    /// own threshold (as the labels were made), and the predicted return is the directional score.
    /// </summary>
    public static VerdictEvaluation FromReturns(Dataset data, IReadOnlyList<double> predictedReturn)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(predictedReturn);
        var predicted = predictedReturn.Select((r, i) => DatasetBuilder.Label(r, data.Threshold[i])).ToArray();
        return Evaluate(data, predicted, null, predictedReturn);
    }

    public string Summary() =>
        FormattableString.Invariant($"rows={Rows} acc={Accuracy:F4} macro_auc={MacroAuc:F4} up_auc={UpAuc:F4} logloss={LogLoss:F4} brier={Brier:F4} ") +
        FormattableString.Invariant($"ic={Ic:F4} rank_ic={RankIc:F4} hit={HitRate:F4} top_decile={TopDecileReturn:F5} sharpe={Sharpe:F3} mdd={MaxDrawdown:F3} ece={CalibrationError:F4} ") +
        FormattableString.Invariant($"share(S/H/B)={PredictedShare[0]:F2}/{PredictedShare[1]:F2}/{PredictedShare[2]:F2} ") +
        string.Join(' ', PerClass.Select((c, k) => FormattableString.Invariant($"{(Verdict)k}:p={c.Precision:F3},r={c.Recall:F3},f1={c.F1:F3}")));
}
