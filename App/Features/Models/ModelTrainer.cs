using System.Diagnostics;
using System.Globalization;

namespace Signalbook.Features.Models;

/// <summary>The algorithms an admin can train, with their hyperparameters: name → (default, minimum, maximum, integer).</summary>
public static class Algorithms
{
    public const string Gbdt = GbdtModel.Name;
    public const string LightGbm = LightGbmModel.Name;

    /// <summary>
    /// What a training uses when none is named (the form's first choice too): the algorithm with the best out-of-sample
    /// log loss on the demo and StockNet data at no more than 2× xgboost's training time (<c>bench train --pipeline</c>).
    /// Measured 2026-12-01 (walk-forward, 3 folds, H = 5, form defaults): gbdt 1.0749 vs lightgbm 1.0750 on StockNet,
    /// 1.0680 vs 1.0692 on the demo data.
    /// </summary>
    public const string Default = Gbdt;
    public const string RandomForest = RandomForestModel.Name;
    public const string Logistic = LogisticModel.Name;
    public const string Ridge = RidgeModel.Name;

    public sealed record Hyperparameter(string Name, double Default, double Min, double Max, bool Integer, string Help);

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<Hyperparameter>> Parameters = new Dictionary<string, IReadOnlyList<Hyperparameter>>
    {
        [Gbdt] =
        [
            new("trees", 150, 1, 2000, true, "Boosting rounds (the most; early stopping may use fewer)."),
            new("learning_rate", 0.05, 0.001, 1, false, "Shrinkage applied to each tree."),
            new("max_depth", 3, 1, 12, true, "Depth of each tree."),
            new("min_samples_leaf", 50, 1, 100_000, true, "Fewest training rows in a leaf."),
            new("l2", 1, 0, 1000, false, "L2 penalty on leaf values."),
            new("subsample", 0.8, 0.1, 1, false, "Share of rows drawn for each tree."),
            new("colsample", 0.8, 0.1, 1, false, "Share of features drawn for each tree."),
            new("early_stopping_rounds", 20, 0, 500, true, "Stop when the validation loss has not improved for this many rounds (0 = off)."),
            new("seed", 42, 0, int.MaxValue, true, "Random seed: same seed, same data, same model."),
        ],
        [LightGbm] =
        [
            new("trees", 300, 1, 5000, true, "Boosting rounds (the most; early stopping may use fewer)."),
            new("learning_rate", 0.05, 0.001, 1, false, "Shrinkage applied to each tree."),
            new("num_leaves", 15, 2, 4096, true, "Leaves per tree (trees grow leaf-wise)."),
            new("max_depth", 0, 0, 30, true, "Depth limit of each tree (0 = none; with a limit, num_leaves must fit in 2^max_depth)."),
            new("min_data_in_leaf", 50, 1, 100_000, true, "Fewest training rows in a leaf."),
            new("l2", 1, 0, 1000, false, "L2 penalty on leaf values (lambda_l2)."),
            new("subsample", 0.8, 0.1, 1, false, "Share of rows bagged for each round."),
            new("colsample", 0.8, 0.1, 1, false, "Share of features drawn for each tree."),
            new("early_stopping_rounds", 20, 0, 500, true, "Stop when the validation loss has not improved for this many rounds (0 = off)."),
            new("seed", 42, 0, int.MaxValue, true, "Random seed: same seed, same data, same model (LightGBM runs deterministic on 2 threads)."),
        ],
        [RandomForest] =
        [
            new("trees", 100, 1, 1000, true, "Number of trees."),
            new("max_depth", 8, 1, 30, true, "Depth of each tree."),
            new("min_samples_leaf", 50, 1, 100_000, true, "Fewest training rows in a leaf."),
            new("features_per_split", 0, 0, 200, true, "Features tried at each split (0 = square root of the count)."),
            new("seed", 42, 0, int.MaxValue, true, "Random seed."),
        ],
        [Logistic] = [new("c", 1, 1e-6, 1e6, false, "Inverse L2 strength (smaller = stronger regularisation).")],
        [Ridge] = [new("alpha", 1, 0, 1e6, false, "L2 strength.")],
    };

    /// <summary>Which algorithms train which model type.</summary>
    public static IReadOnlyList<string> For(string modelType) => modelType == ModelTypes.PriceRegressor
        ? [Gbdt, LightGbm, RandomForest, Ridge]
        : [Gbdt, LightGbm, RandomForest, Logistic];

    /// <summary>Algorithms that hold back the last trading days of a training slice to stop early.</summary>
    public static bool StopsEarly(string algorithm) => algorithm is Gbdt or LightGbm;
}

/// <summary>What an admin asks to train. <see cref="Validate"/> names every problem.</summary>
public sealed record TrainingSpec
{
    public string ModelType { get; init; } = ModelTypes.VerdictClassifier;
    public string Algorithm { get; init; } = Algorithms.Default;

    /// <summary>Hyperparameters by name (see <see cref="Algorithms.Parameters"/>); missing ones take their defaults.</summary>
    public IReadOnlyDictionary<string, double> Hyperparameters { get; init; } = new Dictionary<string, double>();

    /// <summary>Horizon H in trading days: 5 or 20.</summary>
    public int Horizon { get; init; } = 5;

    /// <summary>First bar whose features may train (null = all stored history).</summary>
    public DateTimeOffset? DataFrom { get; init; }

    /// <summary>Last bar that may be read, features or labels (null = up to the newest bar). Labels never reach past it.</summary>
    public DateTimeOffset? DataTo { get; init; }

    /// <summary>Walk-forward test folds.</summary>
    public int Folds { get; init; } = 3;

    /// <summary>k in the BUY/SELL threshold k × vol_20d × √(H/252).</summary>
    public double VolatilityMultiple { get; init; } = 0.5;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (ModelType is not (ModelTypes.VerdictClassifier or ModelTypes.PriceRegressor))
            errors.Add($"Model type '{ModelType}' is unknown; use {ModelTypes.VerdictClassifier} or {ModelTypes.PriceRegressor}.");
        else if (!Algorithms.For(ModelType).Contains(Algorithm))
            errors.Add($"Algorithm '{Algorithm}' cannot train a {ModelType}; choose one of {string.Join(", ", Algorithms.For(ModelType))}.");
        if (Horizon is not (5 or 20)) errors.Add($"Horizon must be 5 or 20 trading days (got {Horizon}).");
        if (Folds is < 2 or > 10) errors.Add($"Folds must be between 2 and 10 (got {Folds}).");
        if (VolatilityMultiple is <= 0 or > 5) errors.Add($"The volatility multiple k must be in (0, 5] (got {VolatilityMultiple.ToString(CultureInfo.InvariantCulture)}).");
        if (DataFrom is { } from && DataTo is { } to && from >= to) errors.Add($"The data window starts ({from:yyyy-MM-dd}) after it ends ({to:yyyy-MM-dd}).");
        if (Algorithms.Parameters.TryGetValue(Algorithm, out var known))
        {
            foreach (var (name, value) in Hyperparameters)
            {
                var p = known.FirstOrDefault(k => k.Name == name);
                if (p is null) errors.Add($"Hyperparameter '{name}' does not apply to {Algorithm}; it takes {string.Join(", ", known.Select(k => k.Name))}.");
                else if (!double.IsFinite(value) || value < p.Min || value > p.Max)
                    errors.Add(FormattableString.Invariant($"Hyperparameter '{name}' must be between {p.Min} and {p.Max} (got {value})."));
                else if (p.Integer && value != Math.Floor(value)) errors.Add(FormattableString.Invariant($"Hyperparameter '{name}' must be a whole number (got {value})."));
            }
            if (Algorithm == Algorithms.LightGbm && errors.Count == 0)
            {
                var h = ResolvedHyperparameters();
                var depth = h["max_depth"];
                if (depth > 0 && h["num_leaves"] > Math.Pow(2, depth))
                    errors.Add(FormattableString.Invariant($"Hyperparameter 'num_leaves' ({h["num_leaves"]}) is more than a tree of max_depth {depth} can hold ({Math.Pow(2, depth)}); raise max_depth or lower num_leaves."));
            }
        }
        return errors;
    }

    /// <summary>Every hyperparameter of the algorithm, the given ones over the defaults.</summary>
    public IReadOnlyDictionary<string, double> ResolvedHyperparameters()
        => Algorithms.Parameters.TryGetValue(Algorithm, out var known)
            ? known.ToDictionary(p => p.Name, p => Hyperparameters.TryGetValue(p.Name, out var v) ? v : p.Default)
            : new Dictionary<string, double>(Hyperparameters);

    public DatasetOptions DatasetOptions() => new() { Horizon = Horizon, ThresholdMode = ThresholdMode.Volatility, VolatilityMultiple = VolatilityMultiple };

    public ILearner Learner()
    {
        var h = ResolvedHyperparameters();
        int I(string n) => (int)h[n];
        return Algorithm switch
        {
            Algorithms.Gbdt => new GbdtLearner(new GbdtOptions
            {
                Trees = I("trees"), LearningRate = h["learning_rate"], MaxDepth = I("max_depth"), MinSamplesLeaf = I("min_samples_leaf"), L2 = h["l2"],
                RowSubsample = h["subsample"], ColumnSubsample = h["colsample"], EarlyStoppingRounds = I("early_stopping_rounds"), Seed = I("seed"),
            }),
            Algorithms.LightGbm => new LightGbmLearner(new LightGbmOptions
            {
                Trees = I("trees"), LearningRate = h["learning_rate"], NumLeaves = I("num_leaves"), MaxDepth = I("max_depth"), MinDataInLeaf = I("min_data_in_leaf"),
                L2 = h["l2"], RowSubsample = h["subsample"], ColumnSubsample = h["colsample"], EarlyStoppingRounds = I("early_stopping_rounds"), Seed = I("seed"),
            }),
            Algorithms.RandomForest => new RandomForestLearner(new RandomForestOptions
            {
                Trees = I("trees"), MaxDepth = I("max_depth"), MinSamplesLeaf = I("min_samples_leaf"), FeaturesPerSplit = I("features_per_split"), Seed = I("seed"),
            }),
            Algorithms.Logistic => new LogisticLearner(new LogisticOptions { C = h["c"] }),
            Algorithms.Ridge => new RidgeLearner(new RidgeOptions { Alpha = h["alpha"] }),
            _ => throw new ArgumentException($"Unknown algorithm '{Algorithm}'."),
        };
    }

    /// <summary>Trading days held out at the end of each training slice for early stopping (boosted trees with early stopping only).</summary>
    public int ValidationDates => Algorithms.StopsEarly(Algorithm) && ResolvedHyperparameters()["early_stopping_rounds"] > 0 ? 60 : 0;
}

/// <summary>A trained model ready to register: the model fitted on the whole window, its provenance and its walk-forward metrics.</summary>
public sealed record TrainingResult(ITrainedModel Model, ModelProvenance Provenance, IReadOnlyDictionary<string, object?> Metrics, double? Accuracy,
    ProbabilityCalibrator? Calibrator);

/// <summary>
/// The training pipeline, pure (no I/O): labelled rows from the features (labels from bars after t only), a purged
/// walk-forward evaluation with an embargo of H days against two naive baselines (always HOLD; 20-day momentum),
/// a probability calibrator (temperature and bias scaling) fitted on the out-of-sample predictions (and itself evaluated cross-fitted: fold k is
/// calibrated by a map fitted on folds before k), then the final model on every row of the window.
/// </summary>
public static class ModelTrainer
{
    public static readonly string[] LabelNames = ["SELL", "HOLD", "BUY"];

    public static TrainingResult Train(IReadOnlyList<InstrumentFeatures> instruments, TrainingSpec spec, IProgress<JobStep>? progress = null,
        Action<string>? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(spec);
        var errors = spec.Validate();
        if (errors.Count > 0) throw new ArgumentException(string.Join(" ", errors), nameof(spec));
        log ??= _ => { };
        var watch = Stopwatch.StartNew();

        var window = instruments.Select(i => Window(i, spec.DataFrom, spec.DataTo)).Where(i => i.Close.Length > spec.Horizon).ToList();
        var all = DatasetBuilder.Build(window, spec.DatasetOptions());
        // DataFrom bounds t only; features at t were computed from earlier bars, which is allowed.
        if (all.Count == 0) throw new InvalidOperationException("No labelled rows in the data window: load daily bars and compute features first, or widen the window.");
        log(FormattableString.Invariant($"{all.Count} labelled rows from {window.Count} instruments, {all.Ts.Min():yyyy-MM-dd} to {all.Ts.Max():yyyy-MM-dd}, H = {spec.Horizon}."));
        var distinctDates = all.Ts.Distinct().Count();
        var minDates = spec.Folds * (spec.Horizon + 5) * 2;
        if (distinctDates < minDates)
            throw new InvalidOperationException($"The window has {distinctDates} trading days; {spec.Folds} walk-forward folds at H = {spec.Horizon} need at least {minDates}.");

        var classifier = spec.ModelType == ModelTypes.VerdictClassifier;
        var folds = WalkForwardSplitter.Split(all.Ts, all.LabelEnd,
            new WalkForwardOptions { Folds = spec.Folds, InitialTrainFraction = 0.5, Embargo = spec.Horizon, Window = TrainWindow.Expanding });
        var steps = spec.Folds + 1;
        var oosRows = new List<int>();
        var oosFold = new List<int>();
        var oosProbabilities = new List<double[]>();
        var oosValues = new List<double>();
        var holdPriors = new List<double[]>();
        foreach (var fold in folds)
        {
            ct.ThrowIfCancellationRequested();
            progress?.Report(new JobStep((double)fold.Index / steps, $"Walk-forward fold {fold.Index + 1} of {folds.Count}"));
            var single = WalkForwardRunner.Run(all, [fold], spec.Learner, Target(spec), spec.ValidationDates, ct);
            oosRows.AddRange(single.Rows);
            oosFold.AddRange(single.FoldOf);
            if (single.Probabilities is not null) oosProbabilities.AddRange(single.Probabilities);
            oosValues.AddRange(single.Values);
            var priors = Priors(fold.Train.Select(i => all.Label[i]));
            holdPriors.AddRange(Enumerable.Repeat(priors, fold.Test.Length));
            log(FormattableString.Invariant($"Fold {fold.Index + 1}: trained on {fold.Train.Length} rows up to {TrainEnd(all, fold):yyyy-MM-dd}, tested on {fold.Test.Length} rows {fold.TestStart:yyyy-MM-dd}..{fold.TestEnd:yyyy-MM-dd}."));
        }

        var test = all.Subset(oosRows);
        var metrics = new Dictionary<string, object?>
        {
            ["horizon"] = spec.Horizon,
            ["rows"] = all.Count,
            ["instruments"] = window.Count,
            ["oos_rows"] = test.Count,
            ["label_rule"] = new Dictionary<string, object?> { ["mode"] = "volatility", ["k"] = spec.VolatilityMultiple },
            ["folds"] = folds.Select(f => new Dictionary<string, object?>
            {
                ["index"] = f.Index, ["test_start"] = f.TestStart, ["test_end"] = f.TestEnd, ["train_rows"] = f.Train.Length, ["test_rows"] = f.Test.Length,
            }).ToList(),
        };
        VerdictEvaluation model;
        ProbabilityCalibrator? calibrator = null;
        if (classifier)
        {
            model = VerdictEvaluation.Evaluate(test, oosProbabilities.Select(Metrics.ArgMax).ToArray(), oosProbabilities, oosProbabilities.Select(p => p[2] - p[0]).ToArray());
            var check = CrossFittedCalibration(test.Label, oosProbabilities, oosFold);
            metrics["calibration"] = check;
            // Kept only when it helped on folds it was not fitted on; otherwise the model's own probabilities are used as they are.
            var kept = check["log_loss_calibrated"] is double after && check["log_loss_raw"] is double before && after < before;
            calibrator = kept ? ProbabilityCalibrator.Fit(test.Label, oosProbabilities, 3) : ProbabilityCalibrator.Identity(3);
            metrics["calibrator"] = new Dictionary<string, object?>
            {
                ["method"] = "temperature_bias", ["kept"] = kept, ["slope"] = calibrator.Slope, ["bias"] = calibrator.Bias,
            };
            log(kept ? FormattableString.Invariant($"Calibration kept: cross-fitted log loss {check["log_loss_raw"]} -> {check["log_loss_calibrated"]}.")
                : FormattableString.Invariant($"Calibration not kept: cross-fitted log loss {check["log_loss_raw"]} -> {check["log_loss_calibrated"]}; probabilities are used as the model gives them."));
        }
        else
        {
            model = VerdictEvaluation.FromReturns(test, oosValues);
            metrics["rmse"] = Safe(Math.Sqrt(oosValues.Select((v, i) => (v - test.ForwardReturn[i]) * (v - test.ForwardReturn[i])).Average()));
        }
        var hold = VerdictEvaluation.Evaluate(test, Enumerable.Repeat((int)Verdict.Hold, test.Count).ToArray(), holdPriors, new double[test.Count]);
        var momentum = Momentum(test);
        metrics["walk_forward"] = new Dictionary<string, object?> { ["model"] = Describe(model), ["always_hold"] = Describe(hold), ["momentum"] = Describe(momentum) };
        log($"Out of sample, model: {model.Summary()}");
        log($"Out of sample, always HOLD: {hold.Summary()}");
        log($"Out of sample, momentum: {momentum.Summary()}");

        ct.ThrowIfCancellationRequested();
        progress?.Report(new JobStep((double)spec.Folds / steps, "Fitting the final model on the whole window"));
        var finalRows = Enumerable.Range(0, all.Count).ToArray();
        TrainingSet? validation = null;
        if (spec.ValidationDates > 0)
        {
            var dates = all.Ts.Distinct().Order().ToArray();
            var validStart = dates[^spec.ValidationDates];
            validation = Target(spec)(all.Subset(finalRows.Where(i => all.Ts[i] >= validStart).ToArray()));
            finalRows = finalRows.Where(i => all.Ts[i] < validStart && all.LabelEnd[i] < validStart).ToArray();
        }
        var final = spec.Learner().Fit(Target(spec)(all.Subset(finalRows)), validation, ct);
        var importance = final.FeatureImportance();
        metrics["feature_importance"] = all.FeatureNames.Select((n, j) => (n, j)).ToDictionary(p => p.n, p => (object?)Safe(importance[p.j]));
        // Scoring explains a verdict by resetting one feature at a time to its typical value: the training median.
        metrics["feature_medians"] = all.FeatureNames.Select((n, j) => (n, j)).ToDictionary(p => p.n,
            p => (object?)Safe(Median(finalRows.Select(i => all.X[i, p.j]))));
        metrics["class_mean_return"] = Enumerable.Range(0, 3).ToDictionary(k => LabelNames[k],
            k => (object?)Safe(MeanOrNaN(finalRows.Where(i => all.Label[i] == k).Select(i => all.ForwardReturn[i]))));
        metrics["training_seconds"] = Safe(watch.Elapsed.TotalSeconds);
        log(FormattableString.Invariant($"Final model fitted on {finalRows.Length} rows in {watch.Elapsed.TotalSeconds:F1} s."));
        progress?.Report(new JobStep(1, "Trained"));

        var provenance = new ModelProvenance(spec.ModelType, spec.Algorithm,
            spec.ResolvedHyperparameters().Concat([new("horizon", spec.Horizon), new("volatility_multiple", spec.VolatilityMultiple), new("folds", spec.Folds)])
                .ToDictionary(p => p.Key, p => (object?)p.Value),
            Indicators.FeatureCalculator.Version, all.Ts.Min(), all.LabelEnd.Max(), all.FeatureNames);
        return new TrainingResult(final, provenance, metrics, double.IsFinite(model.Accuracy) ? model.Accuracy : null, calibrator);
    }

    /// <summary>The rows of one instrument inside [from, to]; features stay as stored (computed from bars up to each t).</summary>
    private static InstrumentFeatures Window(InstrumentFeatures f, DateTimeOffset? from, DateTimeOffset? to)
    {
        var keep = Enumerable.Range(0, f.Ts.Length).Where(i => (from is null || f.Ts[i] >= from) && (to is null || f.Ts[i] <= to)).ToArray();
        if (keep.Length == f.Ts.Length) return f;
        return new InstrumentFeatures(f.InstrumentId, keep.Select(i => f.Ts[i]).ToArray(), keep.Select(i => f.Close[i]).ToArray(),
            f.Columns.ToDictionary(c => c.Key, c => keep.Select(i => c.Value[i]).ToArray()));
    }

    private static Func<Dataset, TrainingSet> Target(TrainingSpec spec) => spec.ModelType == ModelTypes.VerdictClassifier ? d => d.Verdicts() : d => d.Returns();

    private static DateTimeOffset TrainEnd(Dataset all, Fold fold) => fold.Train.Length == 0 ? fold.TestStart : fold.Train.Max(i => all.Ts[i]);

    private static double[] Priors(IEnumerable<int> labels)
    {
        var counts = new double[3];
        foreach (var l in labels) if (l is >= 0 and < 3) counts[l]++;
        var total = counts.Sum();
        return total > 0 ? counts.Select(c => c / total).ToArray() : [1 / 3.0, 1 / 3.0, 1 / 3.0];
    }

    /// <summary>BUY when the last 20 days rose, SELL when they fell, HOLD when unknown; score = ret_20d.</summary>
    private static VerdictEvaluation Momentum(Dataset test)
    {
        var j = test.FeatureNames.ToList().IndexOf("ret_20d");
        var score = Enumerable.Range(0, test.Count).Select(i => j < 0 ? 0 : test.X[i, j]).Select(v => double.IsNaN(v) ? 0 : v).ToArray();
        var calls = score.Select(v => v > 0 ? (int)Verdict.Buy : v < 0 ? (int)Verdict.Sell : (int)Verdict.Hold).ToArray();
        return VerdictEvaluation.Evaluate(test, calls, null, score);
    }

    /// <summary>Raw against calibrated on the folds after the first, each calibrated by a map fitted on the earlier folds only.</summary>
    private static Dictionary<string, object?> CrossFittedCalibration(int[] actual, List<double[]> raw, List<int> foldOf)
    {
        var later = Enumerable.Range(0, actual.Length).Where(i => foldOf[i] > 0).ToArray();
        var calibrated = new double[actual.Length][];
        foreach (var k in foldOf.Distinct().Where(k => k > 0))
        {
            var earlier = Enumerable.Range(0, actual.Length).Where(i => foldOf[i] < k).ToArray();
            var map = ProbabilityCalibrator.Fit(earlier.Select(i => actual[i]).ToArray(), earlier.Select(i => raw[i]).ToArray(), 3);
            foreach (var i in Enumerable.Range(0, actual.Length).Where(i => foldOf[i] == k)) calibrated[i] = map.Apply(raw[i]);
        }
        var a = later.Select(i => actual[i]).ToArray();
        var rawBuckets = Metrics.Calibration(a, later.Select(i => raw[i]).ToArray());
        var calBuckets = Metrics.Calibration(a, later.Select(i => calibrated[i]).ToArray());
        return new Dictionary<string, object?>
        {
            ["rows"] = later.Length,
            ["ece_raw"] = Safe(Metrics.ExpectedCalibrationError(rawBuckets)),
            ["ece_calibrated"] = Safe(Metrics.ExpectedCalibrationError(calBuckets)),
            ["log_loss_raw"] = Safe(later.Length == 0 ? double.NaN : Metrics.LogLoss(a, later.Select(i => raw[i]).ToArray())),
            ["log_loss_calibrated"] = Safe(later.Length == 0 ? double.NaN : Metrics.LogLoss(a, later.Select(i => calibrated[i]).ToArray())),
            ["raw"] = Buckets(rawBuckets),
            ["calibrated"] = Buckets(calBuckets),
        };
    }

    private static List<Dictionary<string, object?>> Buckets(IEnumerable<CalibrationBucket> buckets) => buckets.Select(b => new Dictionary<string, object?>
    {
        ["lower"] = b.Lower, ["upper"] = b.Upper, ["count"] = b.Count, ["mean_confidence"] = Safe(b.MeanConfidence), ["observed"] = Safe(b.ObservedFrequency),
    }).ToList();

    /// <summary>An evaluation as JSON-ready numbers (NaN becomes null, which JSON can hold).</summary>
    public static Dictionary<string, object?> Describe(VerdictEvaluation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new Dictionary<string, object?>
        {
            ["rows"] = e.Rows, ["accuracy"] = Safe(e.Accuracy), ["macro_auc"] = Safe(e.MacroAuc), ["up_auc"] = Safe(e.UpAuc), ["log_loss"] = Safe(e.LogLoss),
            ["brier"] = Safe(e.Brier), ["ic"] = Safe(e.Ic), ["rank_ic"] = Safe(e.RankIc), ["hit_rate"] = Safe(e.HitRate),
            ["top_decile_return"] = Safe(e.TopDecileReturn), ["sharpe"] = Safe(e.Sharpe), ["max_drawdown"] = Safe(e.MaxDrawdown), ["ece"] = Safe(e.CalibrationError),
            ["per_class"] = e.PerClass.Select((c, k) => (c, k)).ToDictionary(p => LabelNames[p.k], p => (object?)new Dictionary<string, object?>
            {
                ["precision"] = Safe(p.c.Precision), ["recall"] = Safe(p.c.Recall), ["f1"] = Safe(p.c.F1), ["support"] = p.c.Support,
            }),
            ["predicted_share"] = e.PredictedShare.Select((s, k) => (s, k)).ToDictionary(p => LabelNames[p.k], p => (object?)Safe(p.s)),
        };
    }

    private static double MeanOrNaN(IEnumerable<double> values)
    {
        var list = values.Where(double.IsFinite).ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double? Safe(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
}

/// <summary>A step of a long computation: fraction done and what it is doing.</summary>
public sealed record JobStep(double Fraction, string Message);
