using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Signalbook.Features.Models;

/// <summary>Writes a feature matrix and target as CSV (header: feature names then "y"; missing values as "nan").</summary>
public static class DatasetCsv
{
    public static void Write(string path, IReadOnlyList<string> names, FeatureMatrix x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine(string.Join(',', names.Append("y")));
        var line = new StringBuilder();
        for (var i = 0; i < x.Rows; i++)
        {
            line.Clear();
            for (var j = 0; j < x.Columns; j++)
            {
                var v = x[i, j];
                line.Append(double.IsNaN(v) ? "nan" : v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }
            line.Append(y[i].ToString("R", CultureInfo.InvariantCulture));
            writer.WriteLine(line);
        }
    }
}

/// <summary>
/// <c>bench train</c>: trains our GBDT, LightGBM (through its C API, see <see cref="LightGbmLearner"/>) and XGBoost
/// (Debian's python3-xgboost, "hist" method) on the same train/test split in the same run, each <c>--repeat</c> times
/// (default 3), and prints their median training times, test AUCs and log losses, and each time's ratio to xgboost's.
/// All three use the same shape: <c>--trees</c> rounds (default 200), depth <c>--depth</c> (default 6; LightGBM grows
/// leaf-wise, so it gets num_leaves = 2^depth − 1 with the same depth limit), learning rate 0.1, L2 1, min child weight
/// 1, 255 value bins, no subsampling, 2 threads. Data: the daily CSV folder given by <c>--data</c>, else
/// $SIGNALBOOK_DATA/prices-daily-us/stocknet-88-2012-2017, else ../shared/data/… above the working directory. Task:
/// up/down over <c>--horizon</c> bars (default 5); the first 70 % of dates train (rows whose label reaches the test
/// period purged), the rest test.
/// With <c>--pipeline</c> it then runs the admin's training pipeline (<see cref="ModelTrainer"/>: purged walk-forward,
/// 3 folds, BUY/HOLD/SELL, each algorithm's form defaults) for gbdt and lightgbm on the StockNet data and on the demo
/// provider's data, and reports out-of-sample log loss and time of each. Ends with exactly one line
/// <c>RESULT train rows=… ours_seconds=… lgbm_seconds=… xgb_seconds=… …</c>.
/// </summary>
public static class TrainBench
{
    private const string XgbScript = """
        import json, sys, time
        import numpy as np
        import xgboost as xgb
        from sklearn.metrics import roc_auc_score, log_loss
        train = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
        test = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
        p = json.loads(sys.argv[3])
        times = []
        for r in range(p["repeat"]):
            model = xgb.XGBClassifier(tree_method="hist", n_estimators=p["trees"], max_depth=p["depth"], learning_rate=p["eta"],
                reg_lambda=p["lambda"], min_child_weight=p["min_child_weight"], max_bin=256, subsample=1.0, colsample_bytree=1.0,
                n_jobs=2, random_state=p["seed"])
            start = time.perf_counter()
            model.fit(train[:, :-1], train[:, -1])
            times.append(time.perf_counter() - start)
        proba = model.predict_proba(test[:, :-1])[:, 1]
        auc = roc_auc_score(test[:, -1], proba)
        loss = log_loss(test[:, -1], proba, labels=[0, 1])
        print(json.dumps({"seconds": float(np.median(times)), "auc": auc, "log_loss": loss}))
        """;

    /// <summary>One learner's figures on the split: median seconds, AUC and log loss on the test rows.</summary>
    public sealed record Entry(string Name, double Seconds, double Auc, double LogLoss);

    public static Task<int> RunAsync(string[] args, CancellationToken ct) => RunAsync(args, Console.Out, Console.Error, ct);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? Arg(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var folder = Arg("--data") ?? DefaultDataFolder();
        if (folder is null || !Directory.Exists(folder))
        {
            await error.WriteLineAsync("bench train: no data folder (pass --data <folder of daily CSV files> or set SIGNALBOOK_DATA).");
            return 2;
        }
        var horizon = int.Parse(Arg("--horizon") ?? "5", CultureInfo.InvariantCulture);
        var repeat = Math.Max(1, int.Parse(Arg("--repeat") ?? "3", CultureInfo.InvariantCulture));
        var options = new GbdtOptions
        {
            Trees = int.Parse(Arg("--trees") ?? "200", CultureInfo.InvariantCulture),
            MaxDepth = int.Parse(Arg("--depth") ?? "6", CultureInfo.InvariantCulture),
            LearningRate = 0.1, L2 = 1, MinChildWeight = 1, MinSamplesLeaf = 1, MaxBins = 255, Seed = 42,
        };
        var lgbmOptions = new LightGbmOptions
        {
            Trees = options.Trees, MaxDepth = options.MaxDepth, NumLeaves = Math.Min(4096, (1 << options.MaxDepth) - 1), LearningRate = options.LearningRate,
            L2 = options.L2, MinChildWeight = options.MinChildWeight, MinDataInLeaf = 1, MaxBins = 255, RowSubsample = 1, ColumnSubsample = 1,
            Seed = options.Seed, Threads = 2,
        };

        var instruments = PriceFileFeatures.Load(folder).Select(x => x.Features).ToList();
        var data = DatasetBuilder.Build(instruments, new DatasetOptions { Horizon = horizon });
        var (train, test) = TimeSplit(data, 0.7);
        output.WriteLine(FormattableString.Invariant($"bench train: {instruments.Count} instruments, {data.Count} rows, {data.FeatureNames.Count} features, train {train.Count} / test {test.Count}, H={horizon}, {repeat} runs each (median)"));
        var up = test.ForwardReturn.Select(r => r > 0).ToArray();
        var upLabels = up.Select(u => u ? 1 : 0).ToArray();

        Entry Measure(string name, Func<ITrainedModel> fit)
        {
            var times = new List<double>();
            ITrainedModel? model = null;
            for (var r = 0; r < repeat; r++)
            {
                ct.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                model = fit();
                times.Add(watch.Elapsed.TotalSeconds);
            }
            var p = model!.PredictProbabilities(test.X);
            var entry = new Entry(name, Median(times), Metrics.RocAuc(up, p.Select(q => q[1]).ToArray()), Metrics.LogLoss(upLabels, p));
            output.WriteLine(FormattableString.Invariant($"{name}: {entry.Seconds:F2} s (runs {string.Join(", ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))}), test AUC {entry.Auc:F4}, log loss {entry.LogLoss:F4}"));
            return entry;
        }
        var trainSet = train.UpDown();
        var ours = Measure("ours", () => new GbdtLearner(options).Fit(trainSet, null, ct));
        var lgbm = Measure("lightgbm", () => new LightGbmLearner(lgbmOptions).Fit(trainSet, null, ct));

        Entry xgb;
        var dir = Directory.CreateTempSubdirectory("signalbook-bench-");
        try
        {
            var trainCsv = Path.Combine(dir.FullName, "train.csv");
            var testCsv = Path.Combine(dir.FullName, "test.csv");
            DatasetCsv.Write(trainCsv, data.FeatureNames, train.X, trainSet.Y);
            DatasetCsv.Write(testCsv, data.FeatureNames, test.X, test.UpDown().Y);
            var scriptPath = Path.Combine(dir.FullName, "xgb_bench.py");
            await File.WriteAllTextAsync(scriptPath, XgbScript, ct);
            var parameters = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["trees"] = options.Trees, ["depth"] = options.MaxDepth, ["eta"] = options.LearningRate, ["lambda"] = options.L2,
                ["min_child_weight"] = options.MinChildWeight, ["seed"] = options.Seed, ["repeat"] = repeat,
            });
            var (exit, stdout, stderr) = await RunProcessAsync(Python, [scriptPath, trainCsv, testCsv, parameters], ct);
            if (exit != 0)
            {
                await error.WriteLineAsync($"bench train: xgboost failed (is python3-xgboost installed? scripts/setup.sh installs it):\n{stderr}");
                return 1;
            }
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            xgb = new Entry("xgboost", json.RootElement.GetProperty("seconds").GetDouble(), json.RootElement.GetProperty("auc").GetDouble(),
                json.RootElement.GetProperty("log_loss").GetDouble());
            output.WriteLine(FormattableString.Invariant($"xgboost: {xgb.Seconds:F2} s (median), test AUC {xgb.Auc:F4}, log loss {xgb.LogLoss:F4}"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        var result = FormattableString.Invariant(
            $"RESULT train rows={train.Count} ours_seconds={ours.Seconds:F2} ours_auc={ours.Auc:F4} ours_logloss={ours.LogLoss:F4} lgbm_seconds={lgbm.Seconds:F2} lgbm_auc={lgbm.Auc:F4} lgbm_logloss={lgbm.LogLoss:F4} xgb_seconds={xgb.Seconds:F2} xgb_auc={xgb.Auc:F4} xgb_logloss={xgb.LogLoss:F4} ours_vs_xgb={ours.Seconds / xgb.Seconds:F2} lgbm_vs_xgb={lgbm.Seconds / xgb.Seconds:F2}");
        if (args.Contains("--pipeline"))
        {
            var demo = DemoFeatures();
            var pipeline = new List<string>();
            var best = new Dictionary<string, (string Algorithm, double LogLoss)>();
            foreach (var (set, instrumentsOf) in new[] { ("stocknet", (IReadOnlyList<InstrumentFeatures>)instruments), ("demo", demo) })
            {
                foreach (var algorithm in new[] { Algorithms.Gbdt, Algorithms.LightGbm })
                {
                    ct.ThrowIfCancellationRequested();
                    var watch = Stopwatch.StartNew();
                    var trained = ModelTrainer.Train(instrumentsOf, new TrainingSpec { Algorithm = algorithm, Horizon = horizon, Folds = 3 }, ct: ct);
                    var seconds = watch.Elapsed.TotalSeconds;
                    var wf = (Dictionary<string, object?>)trained.Metrics["walk_forward"]!;
                    var model = (Dictionary<string, object?>)wf["model"]!;
                    var hold = (Dictionary<string, object?>)wf["always_hold"]!;
                    var loss = (double)model["log_loss"]!;
                    output.WriteLine(FormattableString.Invariant(
                        $"pipeline {set} {algorithm}: walk-forward log loss {loss:F4} (always HOLD {(double)hold["log_loss"]!:F4}), macro AUC {model["macro_auc"]}, accuracy {model["accuracy"]}, {seconds:F1} s for 3 folds + final"));
                    var key = algorithm == Algorithms.Gbdt ? "ours" : "lgbm";
                    pipeline.Add(FormattableString.Invariant($"wf_{set}_{key}_logloss={loss:F4} wf_{set}_{key}_seconds={seconds:F1}"));
                    if (!best.TryGetValue(set, out var b) || loss < b.LogLoss) best[set] = (algorithm, loss);
                }
            }
            result += " " + string.Join(' ', pipeline) + " " + string.Join(' ', best.Select(b => $"wf_{b.Key}_best={b.Value.Algorithm}"));
        }
        output.WriteLine(result);
        return 0;
    }

    /// <summary>
    /// The demo provider's daily bars (30 instruments, three years to <paramref name="today"/>, default 2026-12-01) with
    /// features computed in memory: the data the demo's models train on, without a database.
    /// </summary>
    public static IReadOnlyList<InstrumentFeatures> DemoFeatures(DateTimeOffset? today = null)
    {
        var clock = new FixedClock(today ?? new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var provider = new MarketData.Providers.Demo.DemoProvider(clock);
        var result = new List<InstrumentFeatures>();
        var id = 0L;
        foreach (var info in MarketData.Providers.Demo.DemoProvider.Universe)
        {
            var bars = provider.GetBarsAsync(info.Symbol, MarketData.Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue).GetAwaiter().GetResult();
            var series = new Indicators.BarSeries(bars.Select(b => b.Open).ToArray(), bars.Select(b => b.High).ToArray(), bars.Select(b => b.Low).ToArray(),
                bars.Select(b => b.Close).ToArray(), bars.Select(b => b.Volume).ToArray());
            result.Add(InstrumentFeatures.FromColumns(++id, bars.Select(b => b.Ts).ToArray(), series.Close, Indicators.FeatureCalculator.Compute(series)));
        }
        return result;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>
    /// Splits by date: the first <paramref name="trainShare"/> of distinct dates train, the rest test; training rows whose
    /// label end reaches the first test date are purged.
    /// </summary>
    public static (Dataset Train, Dataset Test) TimeSplit(Dataset data, double trainShare)
    {
        ArgumentNullException.ThrowIfNull(data);
        var dates = data.Ts.Distinct().Order().ToArray();
        var testStart = dates[(int)(dates.Length * trainShare)];
        var train = Enumerable.Range(0, data.Count).Where(i => data.Ts[i] < testStart && data.LabelEnd[i] < testStart).ToArray();
        var test = Enumerable.Range(0, data.Count).Where(i => data.Ts[i] >= testStart).ToArray();
        return (data.Subset(train), data.Subset(test));
    }

    private static string? DefaultDataFolder()
    {
        const string relative = "prices-daily-us/stocknet-88-2012-2017";
        var configured = Environment.GetEnvironmentVariable("SIGNALBOOK_DATA");
        if (!string.IsNullOrWhiteSpace(configured)) return Path.Combine(configured, relative);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data", relative);
            if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        return null;
    }

    /// <summary>
    /// The Python with Debian's python3-xgboost / python3-sklearn: $SIGNALBOOK_PYTHON, else /usr/bin/python3 (a pyenv
    /// or venv python3 first on PATH does not see the Debian packages), else python3 from PATH.
    /// </summary>
    public static string Python
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SIGNALBOOK_PYTHON");
            if (!string.IsNullOrWhiteSpace(configured)) return configured;
            return File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        }
    }

    internal static async Task<(int Exit, string Stdout, string Stderr)> RunProcessAsync(string file, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
