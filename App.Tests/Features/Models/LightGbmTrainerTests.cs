using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// LightGBM as a training algorithm: it learns, its artifact predicts bit for bit after a reload, it is reproducible,
/// it goes through the same walk-forward (purged, no look-ahead, the early-stopping slice purged too), calibration and
/// registry provenance as our own trees, and its hyperparameters are validated with messages naming the field.
/// </summary>
public class LightGbmTrainerTests
{
    private static readonly IReadOnlyDictionary<string, double> Small = new Dictionary<string, double>
    {
        ["trees"] = 40, ["learning_rate"] = 0.1, ["num_leaves"] = 7, ["min_data_in_leaf"] = 20, ["early_stopping_rounds"] = 0,
    };

    /// <summary>x0, x1 uniform; x2 noise; x3 missing for a third of the rows. Targets: XOR(x0, x1), three bands of x0, a smooth value.</summary>
    private static (FeatureMatrix X, int[] Xor, int[] Three, double[] Value) Synthetic(int n, int seed)
    {
        var rng = new Random(seed);
        var values = new double[n * 4];
        var xor = new int[n];
        var three = new int[n];
        var value = new double[n];
        for (var i = 0; i < n; i++)
        {
            double x0 = rng.NextDouble(), x1 = rng.NextDouble();
            values[i * 4] = x0;
            values[i * 4 + 1] = x1;
            values[i * 4 + 2] = rng.NextDouble();
            values[i * 4 + 3] = rng.NextDouble() < 1.0 / 3 ? double.NaN : rng.NextDouble();
            xor[i] = (x0 > 0.5) ^ (x1 > 0.5) ? 1 : 0;
            three[i] = x0 < 0.3 ? 0 : x0 < 0.7 ? 1 : 2;
            value[i] = Math.Sin(6 * x0) + 2 * x1;
        }
        return (new FeatureMatrix(values, n, 4), xor, three, value);
    }

    private static LightGbmLearner Learner(int seed = 42) =>
        new(new LightGbmOptions { Trees = 80, NumLeaves = 8, LearningRate = 0.2, MinDataInLeaf = 10, RowSubsample = 0.8, ColumnSubsample = 0.75, Seed = seed });

    private static void AssertBitwiseEqual(double[][] expected, double[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            for (var k = 0; k < expected[i].Length; k++)
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i][k]) == BitConverter.DoubleToInt64Bits(actual[i][k]), $"row {i}, class {k}: {expected[i][k]:R} vs {actual[i][k]:R}");
    }

    [Fact]
    public void Fit_LearnsXorBandsAndAValue_WithMissingValues()
    {
        var train = Synthetic(3000, 1);
        var test = Synthetic(1000, 2);
        var binary = Learner().Fit(TrainingSet.Classification(train.X, train.Xor, 2));
        var accuracy = Metrics.Accuracy(test.Xor, binary.PredictProbabilities(test.X).Select(Metrics.ArgMax).ToArray());
        Assert.True(accuracy > 0.93, $"XOR accuracy {accuracy:F3}");
        Assert.Equal(LightGbmModel.Name, binary.Algorithm);
        var importance = binary.FeatureImportance();
        Assert.Equal(1, importance.Sum(), 9);
        Assert.True(importance[0] + importance[1] > 0.8, $"importance {string.Join(", ", importance)}");

        var three = Learner().Fit(TrainingSet.Classification(train.X, train.Three, 3));
        var p = three.PredictProbabilities(test.X);
        Assert.All(p, row => Assert.Equal(1, row.Sum(), 9));
        Assert.True(Metrics.Accuracy(test.Three, p.Select(Metrics.ArgMax).ToArray()) > 0.95);

        var regression = Learner().Fit(TrainingSet.Regression(train.X, train.Value));
        var predicted = regression.PredictValues(test.X);
        var rmse = Math.Sqrt(predicted.Select((v, i) => (v - test.Value[i]) * (v - test.Value[i])).Average());
        Assert.True(rmse < 0.15, $"RMSE {rmse:F3}");
        Assert.Throws<InvalidOperationException>(() => regression.PredictProbabilities(test.X));
    }

    [Theory]
    [InlineData(ModelTask.Binary)]
    [InlineData(ModelTask.Multiclass)]
    [InlineData(ModelTask.Regression)]
    public void Artifact_SavedAndReloaded_PredictsBitForBit(ModelTask task)
    {
        var train = Synthetic(2000, 3);
        var test = Synthetic(800, 4);
        var set = task switch
        {
            ModelTask.Binary => TrainingSet.Classification(train.X, train.Xor, 2),
            ModelTask.Multiclass => TrainingSet.Classification(train.X, train.Three, 3),
            _ => TrainingSet.Regression(train.X, train.Value),
        };
        var model = Learner().Fit(set);
        var artifact = ModelArtifact.Save(model);
        var reloaded = ModelArtifact.Load(artifact);

        Assert.IsType<LightGbmModel>(reloaded);
        Assert.Equal((model.Task, model.Classes, model.FeatureCount), (reloaded.Task, reloaded.Classes, reloaded.FeatureCount));
        var values = model.PredictValues(test.X);
        var again = reloaded.PredictValues(test.X);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), again.Select(BitConverter.DoubleToInt64Bits));
        if (task != ModelTask.Regression) AssertBitwiseEqual(model.PredictProbabilities(test.X), reloaded.PredictProbabilities(test.X));
        Assert.Equal(model.FeatureImportance(), reloaded.FeatureImportance());
        // Saving the reloaded model gives the same bytes: nothing is lost or re-rounded on the way.
        Assert.Equal(artifact, ModelArtifact.Save(reloaded));
        // A trained model predicts what it predicted before (no state changes between calls), one row as in a batch.
        Assert.Equal(values, model.PredictValues(test.X));
        Assert.Equal(BitConverter.DoubleToInt64Bits(values[17]), BitConverter.DoubleToInt64Bits(reloaded.PredictValues(test.X.Select([17]))[0]));
    }

    [Fact]
    public void Fit_SameSeedTwice_GivesTheSameArtifact_AndAnotherSeedAnotherModel()
    {
        var train = Synthetic(2000, 5);
        var set = TrainingSet.Classification(train.X, train.Three, 3);
        var a = ModelArtifact.Save(Learner(7).Fit(set));
        var b = ModelArtifact.Save(Learner(7).Fit(set));
        Assert.Equal(a, b);
        Assert.NotEqual(a, ModelArtifact.Save(Learner(8).Fit(set))); // bagging and feature sampling follow the seed
    }

    [Fact]
    public void EarlyStopping_KeepsTheBestRound_AndWithoutValidationEveryRound()
    {
        var train = Synthetic(1500, 6);
        var valid = Synthetic(600, 7);
        // Labels of pure noise: the validation loss stops improving almost at once.
        var rng = new Random(3);
        var noise = Enumerable.Range(0, train.X.Rows).Select(_ => rng.Next(2)).ToArray();
        var validNoise = Enumerable.Range(0, valid.X.Rows).Select(_ => rng.Next(2)).ToArray();
        var learner = new LightGbmLearner(new LightGbmOptions { Trees = 300, NumLeaves = 31, LearningRate = 0.3, MinDataInLeaf = 5, EarlyStoppingRounds = 10 });
        var stopped = (LightGbmModel)learner.Fit(TrainingSet.Classification(train.X, noise, 2), TrainingSet.Classification(valid.X, validNoise, 2));
        Assert.InRange(learner.BestRounds, 1, 60);
        Assert.Equal(learner.BestRounds, stopped.Rounds);

        var full = (LightGbmModel)learner.Fit(TrainingSet.Classification(train.X, noise, 2));
        Assert.Equal(300, full.Rounds);
    }

    [Fact]
    public void Fit_WrongWidthOrBadLabels_FailWithClearMessages()
    {
        var train = Synthetic(200, 8);
        var model = Learner().Fit(TrainingSet.Classification(train.X, train.Xor, 2));
        var narrow = new FeatureMatrix(new double[6], 2, 3);
        Assert.Contains("Expected 4 features, got 3", Assert.Throws<ArgumentException>(() => model.PredictValues(narrow)).Message);
        Assert.Throws<ArgumentException>(() => Learner().Fit(TrainingSet.Classification(train.X, train.Xor.Select(y => y + 5).ToArray(), 2)));
    }

    /// <summary>
    /// Walk-forward with LightGBM and early stopping: every row that trains or validates a fold's model has its label
    /// ended before that fold's test period begins (minus the embargo), and the validation slice comes after the
    /// training rows, whose labels end before it starts.
    /// </summary>
    [Fact]
    public void WalkForward_WithEarlyStopping_NeitherTrainingNorValidationLabelsReachTheTestFold()
    {
        var data = DatasetBuilder.Build(SyntheticMarket.Build(instruments: 4, bars: 600, seed: 21), new DatasetOptions { Horizon = 5 });
        var folds = WalkForwardSplitter.Split(data.Ts, data.LabelEnd, new WalkForwardOptions { Folds = 3, InitialTrainFraction = 0.5, Embargo = 5, Window = TrainWindow.Expanding });
        var seen = new List<Dataset>();
        var spec = new TrainingSpec { Algorithm = Algorithms.LightGbm, Hyperparameters = new Dictionary<string, double>(Small) { ["early_stopping_rounds"] = 5 } };
        Assert.Equal(60, spec.ValidationDates);
        var oos = WalkForwardRunner.Run(data, folds, spec.Learner, d =>
        {
            seen.Add(d);
            return d.Verdicts();
        }, spec.ValidationDates);

        Assert.Equal(folds.Count * 2, seen.Count); // per fold: the validation slice, then the training rows
        foreach (var fold in folds)
        {
            var (valid, train) = (seen[fold.Index * 2], seen[fold.Index * 2 + 1]);
            Assert.True(train.LabelEnd.Max() < valid.Ts.Min(), $"fold {fold.Index}: a training label reaches the validation slice");
            Assert.True(valid.LabelEnd.Max() < fold.TestStart, $"fold {fold.Index}: a validation label reaches the test fold");
            Assert.True(train.LabelEnd.Max() < fold.TestStart);
        }
        Assert.Equal(folds.Sum(f => f.Test.Length), oos.Rows.Length);
        Assert.All(oos.Probabilities!, p => Assert.Equal(1, p.Sum(), 9));
    }

    [Fact]
    public void Train_PlantedSignal_ThroughThePipeline_BeatsHoldOutOfSample_CalibratesAndRecordsProvenance()
    {
        var data = SyntheticMarket.Build(instruments: 6, bars: 500, seed: 11);
        var spec = new TrainingSpec { Algorithm = Algorithms.LightGbm, Hyperparameters = Small, Folds = 3 };
        var result = ModelTrainer.Train(data, spec);

        var wf = (Dictionary<string, object?>)result.Metrics["walk_forward"]!;
        var model = (Dictionary<string, object?>)wf["model"]!;
        var hold = (Dictionary<string, object?>)wf["always_hold"]!;
        Assert.True((double)model["up_auc"]! > 0.6, $"up AUC {model["up_auc"]}");
        Assert.True((double)model["log_loss"]! < (double)hold["log_loss"]!, $"log loss {model["log_loss"]} vs always HOLD {hold["log_loss"]}");
        var importance = (Dictionary<string, object?>)result.Metrics["feature_importance"]!;
        Assert.Equal("rsi_14", importance.OrderByDescending(p => (double?)p.Value ?? 0).First().Key);
        var calibration = (Dictionary<string, object?>)result.Metrics["calibration"]!;
        var calibrator = (Dictionary<string, object?>)result.Metrics["calibrator"]!;
        Assert.Equal((double)calibration["log_loss_calibrated"]! < (double)calibration["log_loss_raw"]!, (bool)calibrator["kept"]!);
        Assert.NotNull(result.Calibrator);

        Assert.Equal(Algorithms.LightGbm, result.Provenance.Algorithm);
        Assert.Equal(7.0, result.Provenance.Hyperparameters["num_leaves"]);
        Assert.Equal(0.8, result.Provenance.Hyperparameters["subsample"]); // defaults filled in
        Assert.IsType<LightGbmModel>(ModelArtifact.Load(ModelArtifact.Save(result.Model)));
        // The same spec twice: the same artifact and hash (what the registry stores).
        var again = ModelTrainer.Train(data, spec);
        Assert.Equal(ModelArtifact.Save(result.Model), ModelArtifact.Save(again.Model));
        Assert.Equal(result.Provenance.ParamsHash(), again.Provenance.ParamsHash());
    }

    [Fact]
    public void Regressor_ThroughThePipeline_ReportsRmse()
    {
        var data = SyntheticMarket.Build(instruments: 4, bars: 400, seed: 12);
        var result = ModelTrainer.Train(data, new TrainingSpec { ModelType = ModelTypes.PriceRegressor, Algorithm = Algorithms.LightGbm, Hyperparameters = Small, Folds = 2 });
        Assert.Equal(ModelTask.Regression, result.Model.Task);
        Assert.True((double)result.Metrics["rmse"]! > 0);
        Assert.Null(result.Calibrator);
    }

    [Fact]
    public void Validate_LightGbmHyperparameters_NamesTheFieldAndTheLimit()
    {
        Assert.Contains(Algorithms.LightGbm, Algorithms.For(ModelTypes.VerdictClassifier));
        Assert.Contains(Algorithms.LightGbm, Algorithms.For(ModelTypes.PriceRegressor));
        Assert.Empty(new TrainingSpec { Algorithm = Algorithms.LightGbm }.Validate());

        TrainingSpec With(params (string Name, double Value)[] h) => new() { Algorithm = Algorithms.LightGbm, Hyperparameters = h.ToDictionary(p => p.Name, p => p.Value) };
        Assert.Contains("Hyperparameter 'num_leaves' must be between 2 and 4096 (got 1).", With(("num_leaves", 1)).Validate());
        Assert.Contains("Hyperparameter 'subsample' must be between 0.1 and 1 (got 1.5).", With(("subsample", 1.5)).Validate());
        Assert.Contains("Hyperparameter 'min_data_in_leaf' must be a whole number (got 2.5).", With(("min_data_in_leaf", 2.5)).Validate());
        Assert.Contains(With(("min_samples_leaf", 5)).Validate(), e => e.StartsWith("Hyperparameter 'min_samples_leaf' does not apply to lightgbm", StringComparison.Ordinal));
        Assert.Contains("Hyperparameter 'num_leaves' (63) is more than a tree of max_depth 4 can hold (16); raise max_depth or lower num_leaves.",
            With(("num_leaves", 63), ("max_depth", 4)).Validate());
        Assert.Empty(With(("num_leaves", 16), ("max_depth", 4)).Validate());
        Assert.Empty(With(("num_leaves", 255), ("max_depth", 0)).Validate()); // 0: no depth limit
    }

    [Fact]
    public void Spec_ForLightGbm_BuildsItsLearnerWithTheFormValues_AndHoldsBackAValidationSlice()
    {
        var spec = new TrainingSpec
        {
            Algorithm = Algorithms.LightGbm,
            Hyperparameters = new Dictionary<string, double> { ["trees"] = 77, ["num_leaves"] = 9, ["max_depth"] = 5, ["l2"] = 2.5, ["seed"] = 3, ["early_stopping_rounds"] = 0 },
        };
        var learner = Assert.IsType<LightGbmLearner>(spec.Learner());
        Assert.Equal((77, 9, 5, 2.5, 3, 0.8, 2), (learner.Options.Trees, learner.Options.NumLeaves, learner.Options.MaxDepth, learner.Options.L2, learner.Options.Seed,
            learner.Options.ColumnSubsample, learner.Options.Threads));
        Assert.Equal(0, spec.ValidationDates);
        Assert.Equal(60, (spec with { Hyperparameters = new Dictionary<string, double>() }).ValidationDates);
        var parameters = learner.Options.Parameters(ModelTask.Multiclass, 3, 100_000);
        Assert.Contains("deterministic=true", parameters, StringComparison.Ordinal);
        Assert.Contains("num_threads=2", parameters, StringComparison.Ordinal);
        Assert.Contains("seed=3", parameters, StringComparison.Ordinal);
        Assert.Contains("num_class=3", parameters, StringComparison.Ordinal);
        Assert.Contains("num_threads=1", learner.Options.Parameters(ModelTask.Multiclass, 3, 5_000), StringComparison.Ordinal); // small sets: one thread
    }
}
