using System.Text.Json;
using Signalbook.Features.Models;
using Xunit.Abstractions;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// Our learners against Debian's python3-xgboost and python3-sklearn on one real train/test split (StockNet, H = 5,
/// up/down target, first 70 % of dates train with the labels that reach the test period purged), same
/// hyperparameters. Test AUCs must agree within 0.02 (the bar). On this data every model's test AUC is near
/// 0.5 (there is little to predict), so the in-sample AUCs — which depend on what each implementation actually
/// fits — are compared as well, with the same 0.02 bar.
/// </summary>
[RunsLong(46)]
public class IndependentCheckTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Learners_OnStocknetSplit_MatchXgboostAndSklearnAuc()
    {
        var data = Stocknet.Data(5);
        var (train, test) = TrainBench.TimeSplit(data, 0.7);
        var trainSet = train.UpDown();
        var testSet = test.UpDown();
        var yTest = testSet.Y.Select(y => y == 1).ToArray();
        var yTrain = trainSet.Y.Select(y => y == 1).ToArray();

        var gbdt = new GbdtOptions { Trees = 60, MaxDepth = 4, LearningRate = 0.1, L2 = 1, MinChildWeight = 1, MinSamplesLeaf = 1, MaxBins = 255 };
        var forest = new RandomForestOptions { Trees = 30, MaxDepth = 8, MinSamplesLeaf = 5 };
        var logistic = new LogisticOptions { C = 1 };

        // scikit-learn 1.2's random forest takes no NaN: both sides get the training medians filled in.
        var medians = Enumerable.Range(0, train.X.Columns).Select(j =>
        {
            var v = Enumerable.Range(0, train.X.Rows).Select(i => train.X[i, j]).Where(x => !double.IsNaN(x)).Order().ToArray();
            return v.Length == 0 ? 0 : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
        }).ToArray();
        FeatureMatrix Impute(FeatureMatrix x) => new(x.Values.Select((v, k) => double.IsNaN(v) ? medians[k % x.Columns] : v).ToArray(), x.Rows, x.Columns);

        var ours = new Dictionary<string, (double Train, double Test)>();
        (double, double) Auc(ITrainedModel m, FeatureMatrix xTrain, FeatureMatrix xTest) =>
            (Metrics.RocAuc(yTrain, m.PredictValues(xTrain)), Metrics.RocAuc(yTest, m.PredictValues(xTest)));
        var gbdtModel = new GbdtLearner(gbdt).Fit(trainSet);
        ours["gbdt"] = Auc(gbdtModel, train.X, test.X);
        var forestModel = new RandomForestLearner(forest).Fit(trainSet with { X = Impute(train.X) });
        ours["random_forest"] = Auc(forestModel, Impute(train.X), Impute(test.X));
        var logisticModel = new LogisticLearner(logistic).Fit(trainSet);
        ours["logistic"] = Auc(logisticModel, train.X, test.X);

        var dir = Directory.CreateTempSubdirectory("signalbook-check-");
        try
        {
            var trainCsv = Path.Combine(dir.FullName, "train.csv");
            var testCsv = Path.Combine(dir.FullName, "test.csv");
            DatasetCsv.Write(trainCsv, data.FeatureNames, train.X, trainSet.Y);
            DatasetCsv.Write(testCsv, data.FeatureNames, test.X, testSet.Y);
            var parameters = JsonSerializer.Serialize(new
            {
                gbdt = new { trees = gbdt.Trees, depth = gbdt.MaxDepth, eta = gbdt.LearningRate, lambda = gbdt.L2, min_child_weight = gbdt.MinChildWeight, min_samples_leaf = gbdt.MinSamplesLeaf },
                rf = new { trees = forest.Trees, depth = forest.MaxDepth, min_samples_leaf = forest.MinSamplesLeaf },
                logistic = new { C = logistic.C },
            });
            var script = Path.Combine(Stocknet.RepositoryRoot, "App.Tests", "Features", "Models", "independent_check.py");
            var (exit, stdout, stderr) = await TrainBench.RunProcessAsync(TrainBench.Python, [script, trainCsv, testCsv, parameters], CancellationToken.None);
            Assert.True(exit == 0, $"independent_check.py failed (python3-sklearn and python3-xgboost come from scripts/setup.sh):\n{stderr}");
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            (double Train, double Test) Theirs(string name) =>
                (json.RootElement.GetProperty(name).GetProperty("train_auc").GetDouble(), json.RootElement.GetProperty(name).GetProperty("test_auc").GetDouble());

            var pairs = new (string Ours, string Theirs)[]
            {
                ("gbdt", "xgboost"), ("gbdt", "hist_gradient_boosting"), ("random_forest", "random_forest"), ("logistic", "logistic"),
            };
            output.WriteLine($"split: train {train.Count} rows, test {test.Count} rows, {data.FeatureNames.Count} features");
            foreach (var (o, t) in pairs)
                output.WriteLine(FormattableString.Invariant(
                    $"{o,-14} vs {t,-24} test AUC {ours[o].Test:F4} vs {Theirs(t).Test:F4}   train AUC {ours[o].Train:F4} vs {Theirs(t).Train:F4}"));
            foreach (var (o, t) in pairs)
            {
                Assert.True(Math.Abs(ours[o].Test - Theirs(t).Test) <= 0.02, $"{o} test AUC {ours[o].Test:F4} vs {t} {Theirs(t).Test:F4}");
                Assert.True(Math.Abs(ours[o].Train - Theirs(t).Train) <= 0.02, $"{o} train AUC {ours[o].Train:F4} vs {t} {Theirs(t).Train:F4}");
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
