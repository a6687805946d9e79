using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public class LearnerTests
{
    /// <summary>
    /// Synthetic data: x0, x1 uniform on [0,1], x2 pure noise, x3 missing for a third of the rows.
    /// Binary target: XOR of (x0 &gt; 0.5) and (x1 &gt; 0.5) — not linearly separable.
    /// </summary>
    private static (FeatureMatrix X, int[] Xor, int[] ThreeClass, double[] Value, int[] MissingTarget) Synthetic(int n, int seed)
    {
        var rng = new Random(seed);
        var values = new double[n * 4];
        var xor = new int[n];
        var three = new int[n];
        var value = new double[n];
        var missingTarget = new int[n];
        for (var i = 0; i < n; i++)
        {
            double x0 = rng.NextDouble(), x1 = rng.NextDouble(), x2 = rng.NextDouble();
            var x3 = rng.NextDouble() < 1.0 / 3 ? double.NaN : rng.NextDouble() - 0.5;
            values[i * 4] = x0;
            values[i * 4 + 1] = x1;
            values[i * 4 + 2] = x2;
            values[i * 4 + 3] = x3;
            xor[i] = (x0 > 0.5) ^ (x1 > 0.5) ? 1 : 0;
            three[i] = x0 < 0.3 ? 0 : x0 < 0.7 ? 1 : 2;
            value[i] = Math.Sin(6 * x0) + 2 * x1 + 0.05 * (rng.NextDouble() - 0.5);
            // Missing x3 means class 1; otherwise the sign of x3.
            missingTarget[i] = double.IsNaN(x3) || x3 > 0 ? 1 : 0;
        }
        return (new FeatureMatrix(values, n, 4), xor, three, value, missingTarget);
    }

    private static double Accuracy(ITrainedModel model, FeatureMatrix x, int[] y) =>
        Metrics.Accuracy(y, model.PredictProbabilities(x).Select(Metrics.ArgMax).ToArray());

    public static TheoryData<string> TreeLearners => new() { "gbdt", "random_forest" };

    private static ILearner Learner(string name, int seed = 42) => name switch
    {
        "gbdt" => new GbdtLearner(new GbdtOptions { Trees = 100, MaxDepth = 4, LearningRate = 0.2, Seed = seed, RowSubsample = 0.8, ColumnSubsample = 0.75 }),
        "random_forest" => new RandomForestLearner(new RandomForestOptions { Trees = 60, MaxDepth = 10, MinSamplesLeaf = 3, Seed = seed }),
        "logistic" => new LogisticLearner(),
        _ => new RidgeLearner(),
    };

    [Theory]
    [MemberData(nameof(TreeLearners))]
    public void Trees_LearnXor_WhichALinearModelCannot(string name)
    {
        var train = Synthetic(4000, 1);
        var test = Synthetic(2000, 2);
        var model = Learner(name).Fit(TrainingSet.Classification(train.X, train.Xor, 2));
        var accuracy = Accuracy(model, test.X, test.Xor);
        Assert.True(accuracy > 0.95, $"{name} XOR accuracy {accuracy:F3}");
        var linear = new LogisticLearner().Fit(TrainingSet.Classification(train.X, train.Xor, 2));
        Assert.InRange(Accuracy(linear, test.X, test.Xor), 0.35, 0.65);
        // The noise feature carries little of the importance.
        var importance = model.FeatureImportance();
        Assert.Equal(1, importance.Sum(), 9);
        Assert.True(importance[0] + importance[1] > 0.8, $"importance {string.Join(", ", importance)}");
    }

    [Theory]
    [MemberData(nameof(TreeLearners))]
    public void Trees_Multiclass_ProbabilitiesSumToOne_AndClassesAreLearned(string name)
    {
        var train = Synthetic(3000, 3);
        var test = Synthetic(1000, 4);
        var model = Learner(name).Fit(TrainingSet.Classification(train.X, train.ThreeClass, 3));
        var p = model.PredictProbabilities(test.X);
        Assert.All(p, row => Assert.Equal(1, row.Sum(), 9));
        Assert.All(p, row => Assert.All(row, v => Assert.InRange(v, 0, 1)));
        Assert.True(Accuracy(model, test.X, test.ThreeClass) > 0.95);
        Assert.True(Metrics.MacroAuc(test.ThreeClass, p, 3) > 0.98);
    }

    [Theory]
    [MemberData(nameof(TreeLearners))]
    public void Trees_Regression_FitANonLinearFunction(string name)
    {
        var train = Synthetic(4000, 5);
        var test = Synthetic(1000, 6);
        var model = Learner(name).Fit(TrainingSet.Regression(train.X, train.Value));
        var predicted = model.PredictValues(test.X);
        var mse = predicted.Zip(test.Value, (a, b) => (a - b) * (a - b)).Average();
        var mean = test.Value.Average();
        var variance = test.Value.Average(v => (v - mean) * (v - mean));
        Assert.True(mse < 0.05 * variance, $"{name}: mse {mse:F4} vs variance {variance:F4}");
        var ridge = new RidgeLearner().Fit(TrainingSet.Regression(train.X, train.Value));
        var ridgeMse = ridge.PredictValues(test.X).Zip(test.Value, (a, b) => (a - b) * (a - b)).Average();
        Assert.True(mse < ridgeMse, "a tree ensemble beats a line on sin(6x)");
    }

    [Theory]
    [MemberData(nameof(TreeLearners))]
    public void Trees_RouteMissingValues_WhenMissingnessIsTheSignal(string name)
    {
        var train = Synthetic(3000, 7);
        var test = Synthetic(1000, 8);
        var model = Learner(name).Fit(TrainingSet.Classification(train.X, train.MissingTarget, 2));
        Assert.True(Accuracy(model, test.X, test.MissingTarget) > 0.97);
    }

    [Theory]
    [InlineData("gbdt")]
    [InlineData("random_forest")]
    [InlineData("logistic")]
    public void Fit_IsDeterministicForASeed_AndTheArtifactRoundTrips(string name)
    {
        var train = Synthetic(2000, 9);
        var test = Synthetic(500, 10);
        var set = TrainingSet.Classification(train.X, train.ThreeClass, 3);
        var a = Learner(name).Fit(set);
        var b = Learner(name).Fit(set);
        var pa = a.PredictProbabilities(test.X);
        Assert.Equal(pa, b.PredictProbabilities(test.X));
        Assert.Equal(ModelArtifact.Save(a), ModelArtifact.Save(b));

        var loaded = ModelArtifact.Load(ModelArtifact.Save(a));
        Assert.Equal(a.Algorithm, loaded.Algorithm);
        Assert.Equal(pa, loaded.PredictProbabilities(test.X));
        Assert.Equal(a.FeatureImportance(), loaded.FeatureImportance());
    }

    [Theory]
    [MemberData(nameof(TreeLearners))]
    public void Fit_ADifferentSeed_GivesADifferentModel(string name)
    {
        var train = Synthetic(2000, 11);
        var set = TrainingSet.Classification(train.X, train.Xor, 2);
        var a = Learner(name, seed: 1).Fit(set).PredictValues(train.X);
        var b = Learner(name, seed: 2).Fit(set).PredictValues(train.X);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Regressors_ArtifactRoundTrip_GivesIdenticalValues()
    {
        var train = Synthetic(1500, 12);
        var set = TrainingSet.Regression(train.X, train.Value);
        foreach (var learner in new ILearner[] { Learner("gbdt"), Learner("random_forest"), new RidgeLearner() })
        {
            var model = learner.Fit(set);
            var loaded = ModelArtifact.Load(ModelArtifact.Save(model));
            Assert.Equal(model.PredictValues(train.X), loaded.PredictValues(train.X));
            Assert.Equal(ModelTask.Regression, loaded.Task);
        }
    }

    [Fact]
    public void Gbdt_EarlyStopping_StopsWhenTheValidationLossStopsFalling()
    {
        // Pure-noise labels: the validation loss is best after very few rounds.
        var rng = new Random(13);
        var train = Synthetic(3000, 13);
        var valid = Synthetic(1000, 14);
        var noiseTrain = train.Xor.Select(_ => rng.Next(2)).ToArray();
        var noiseValid = valid.Xor.Select(_ => rng.Next(2)).ToArray();
        var learner = new GbdtLearner(new GbdtOptions { Trees = 300, MaxDepth = 6, LearningRate = 0.3, EarlyStoppingRounds = 10 });
        var model = (GbdtModel)learner.Fit(TrainingSet.Classification(train.X, noiseTrain, 2), TrainingSet.Classification(valid.X, noiseValid, 2));
        Assert.True(model.Rounds < 50, $"kept {model.Rounds} rounds");
        Assert.Equal(learner.BestRounds, model.Rounds);
        // On real signal it keeps boosting much longer.
        var signal = (GbdtModel)learner.Fit(TrainingSet.Classification(train.X, train.Xor, 2), TrainingSet.Classification(valid.X, valid.Xor, 2));
        Assert.True(signal.Rounds > model.Rounds);
    }

    [Fact]
    public void Gbdt_SingleStump_HasTheNewtonLeafValues()
    {
        // Regression, λ = 0, learning rate 1, depth 1: rows x = 0,1,2,3 with y = 0,0,10,10. Base score = mean 5;
        // gradients g = 5−y = 5,5,−5,−5, h = 1. Best split x ≤ 1: left leaf −ΣG/ΣH = −10/2 = −5, right +5.
        // Predictions 0,0,10,10 exactly.
        var x = new FeatureMatrix([0, 1, 2, 3], 4, 1);
        var model = new GbdtLearner(new GbdtOptions { Trees = 1, MaxDepth = 1, LearningRate = 1, L2 = 0, MinChildWeight = 0 })
            .Fit(TrainingSet.Regression(x, [0, 0, 10, 10]));
        Assert.Equal([0, 0, 10, 10], model.PredictValues(x));
        Assert.Equal([0, 0, 10, 10], model.PredictValues(new FeatureMatrix([-5, 1.4, 1.6, 99], 4, 1)));
    }

    [Fact]
    public void Logistic_RecoversTheSignOfKnownCoefficients()
    {
        // y ~ Bernoulli(σ(2·x0 − 1·x1)) with x standardised-ish: the fitted weights have those signs and ratio ≈ −2.
        var rng = new Random(15);
        const int n = 20_000;
        var values = new double[n * 3];
        var y = new int[n];
        for (var i = 0; i < n; i++)
        {
            var x0 = Gaussian(rng);
            var x1 = Gaussian(rng);
            values[i * 3] = x0;
            values[i * 3 + 1] = x1;
            values[i * 3 + 2] = Gaussian(rng);
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(2 * x0 - x1))) ? 1 : 0;
        }
        var model = (LogisticModel)new LogisticLearner(new LogisticOptions { C = 100 }).Fit(TrainingSet.Classification(new FeatureMatrix(values, n, 3), y, 2));
        var w = model.Coefficients;
        Assert.InRange(w[0], 1.8, 2.2);
        Assert.InRange(w[1], -1.1, -0.9);
        Assert.InRange(w[2], -0.1, 0.1);
    }

    [Fact]
    public void Ridge_TinyExample_MatchesTheClosedForm()
    {
        // x = 1,2,3 (mean 2, population sd √(2/3)), y = 2,4,7. Standardised z = (x−2)/√(2/3) = −1.2247, 0, 1.2247.
        // Σz² = 3, Σz·(y−ȳ) = 1.2247·(−2.333) + 1.2247·(2.667) = 1.2247·5 = 6.1237.
        // α = 1: w = 6.1237/(3+1) = 1.5309; intercept = ȳ = 4.3333. Prediction at x = 3: 4.3333 + 1.5309·1.2247 = 6.2083.
        var model = (RidgeModel)new RidgeLearner(new RidgeOptions { Alpha = 1 }).Fit(TrainingSet.Regression(new FeatureMatrix([1, 2, 3], 3, 1), [2, 4, 7]));
        var z = 1 / Math.Sqrt(2.0 / 3);
        Assert.Equal(5 * z / 4, model.Coefficients[0], 10);
        Assert.Equal(13.0 / 3, model.Intercept, 10);
        Assert.Equal(13.0 / 3 + 5 * z / 4 * z, model.PredictValues(new FeatureMatrix([3], 1, 1))[0], 10);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
