using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public class ModelTrainerTests
{
    private static readonly IReadOnlyDictionary<string, double> SmallGbdt = new Dictionary<string, double>
    {
        ["trees"] = 40, ["learning_rate"] = 0.1, ["max_depth"] = 3, ["min_samples_leaf"] = 20, ["early_stopping_rounds"] = 0,
    };

    [Fact]
    public void Validate_NamesEveryProblem()
    {
        var spec = new TrainingSpec
        {
            ModelType = ModelTypes.VerdictClassifier, Algorithm = Algorithms.Ridge, Horizon = 7, Folds = 1,
            DataFrom = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), DataTo = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.Zero),
        };
        var errors = spec.Validate();
        Assert.Contains(errors, e => e.Contains("'ridge' cannot train a verdict_classifier", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Horizon must be 5 or 20", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Folds must be between 2 and 10", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("starts (2024-01-01) after it ends (2023-01-01)", StringComparison.Ordinal));

        var bad = new TrainingSpec { Hyperparameters = new Dictionary<string, double> { ["max_depth"] = 40, ["trees"] = 2.5, ["alpha"] = 1 } }.Validate();
        Assert.Contains("Hyperparameter 'max_depth' must be between 1 and 12 (got 40).", bad);
        Assert.Contains("Hyperparameter 'trees' must be a whole number (got 2.5).", bad);
        Assert.Contains(bad, e => e.StartsWith("Hyperparameter 'alpha' does not apply to gbdt", StringComparison.Ordinal));
        Assert.Empty(new TrainingSpec().Validate());
    }

    [Fact]
    public void Train_PlantedSignal_BeatsTheBaselinesOutOfSample_AndRecordsEverything()
    {
        var data = SyntheticMarket.Build(instruments: 6, bars: 500, seed: 11);
        var log = new List<string>();
        var steps = new List<JobStep>();
        var result = ModelTrainer.Train(data, new TrainingSpec { Hyperparameters = SmallGbdt, Folds = 3 }, new SyncProgress(steps), log.Add);

        var wf = (Dictionary<string, object?>)result.Metrics["walk_forward"]!;
        var model = (Dictionary<string, object?>)wf["model"]!;
        var hold = (Dictionary<string, object?>)wf["always_hold"]!;
        Assert.True((double)model["up_auc"]! > 0.6, $"up AUC {model["up_auc"]}");
        Assert.True((double)model["accuracy"]! > (double)hold["accuracy"]! + 0.03, $"accuracy {model["accuracy"]} vs always HOLD {hold["accuracy"]}");
        Assert.NotNull(wf["momentum"]);
        Assert.Equal(3, ((System.Collections.ICollection)result.Metrics["folds"]!).Count);
        var importance = (Dictionary<string, object?>)result.Metrics["feature_importance"]!;
        Assert.Equal("rsi_14", importance.OrderByDescending(p => (double?)p.Value ?? 0).First().Key);
        Assert.Contains("calibrator", result.Metrics.Keys);
        Assert.Contains(log, l => l.StartsWith("Fold 3:", StringComparison.Ordinal));
        Assert.Equal(1.0, steps[^1].Fraction);
        Assert.True(steps.Select(s => s.Fraction).SequenceEqual(steps.Select(s => s.Fraction).Order()));
    }

    [Fact]
    public void Train_SameSpecTwice_GivesTheSameArtifactAndHash()
    {
        var data = SyntheticMarket.Build(instruments: 3, bars: 400, seed: 5);
        var spec = new TrainingSpec { Hyperparameters = SmallGbdt, Folds = 2 };
        var a = ModelTrainer.Train(data, spec);
        var b = ModelTrainer.Train(data, spec);
        Assert.Equal(ModelArtifact.Save(a.Model), ModelArtifact.Save(b.Model));
        Assert.Equal(a.Provenance.ParamsHash(), b.Provenance.ParamsHash());
        Assert.NotEqual(a.Provenance.ParamsHash(), ModelTrainer.Train(data, spec with { DataTo = data[0].Ts[350] }).Provenance.ParamsHash());
    }

    [Fact]
    public void Train_DataWindow_NeitherFeaturesNorLabelsCrossIt()
    {
        var data = SyntheticMarket.Build(instruments: 3, bars: 500, seed: 8);
        var from = data[0].Ts[100];
        var to = data[0].Ts[420];
        var result = ModelTrainer.Train(data, new TrainingSpec { Hyperparameters = SmallGbdt, Folds = 2, DataFrom = from, DataTo = to });
        Assert.Equal(from, result.Provenance.DataFrom);
        // The last label ends on the window's last bar: t + H ≤ to, so no bar after 'to' was read.
        Assert.Equal(to, result.Provenance.DataTo);
        Assert.Equal((420 - 100 + 1 - 5) * 3, (int)result.Metrics["rows"]!);
    }

    [Fact]
    public void Train_Regressor_ReportsReturnMetricsWithoutCalibration()
    {
        var data = SyntheticMarket.Build(instruments: 4, bars: 400, seed: 9);
        var result = ModelTrainer.Train(data, new TrainingSpec { ModelType = ModelTypes.PriceRegressor, Algorithm = Algorithms.Ridge, Folds = 2 });
        Assert.Equal(ModelTask.Regression, result.Model.Task);
        Assert.NotNull(result.Metrics["rmse"]);
        Assert.DoesNotContain("calibrator", result.Metrics.Keys);
        var model = (Dictionary<string, object?>)((Dictionary<string, object?>)result.Metrics["walk_forward"]!)["model"]!;
        Assert.True((double)model["ic"]! > 0.1, $"IC {model["ic"]}");
    }

    [Fact]
    public void Train_TooFewDays_FailsWithAClearMessage()
    {
        var data = SyntheticMarket.Build(instruments: 2, bars: 40, seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => ModelTrainer.Train(data, new TrainingSpec { Hyperparameters = SmallGbdt }));
        Assert.Contains("trading days", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_Cancelled_Throws()
    {
        var data = SyntheticMarket.Build(instruments: 2, bars: 400, seed: 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ModelTrainer.Train(data, new TrainingSpec { Hyperparameters = SmallGbdt }, ct: cts.Token));
    }

    /// <summary>Progress that records synchronously (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(List<JobStep> steps) : IProgress<JobStep>
    {
        public void Report(JobStep value) => steps.Add(value);
    }
}
