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
/// <c>bench train</c>: trains our GBDT and XGBoost (Debian's python3-xgboost, "hist" method) on the same train/test
/// split in the same run and prints their training times and test AUCs. Data: the daily CSV folder given by
/// <c>--data</c>, else $SIGNALBOOK_DATA/prices-daily-us/stocknet-88-2012-2017, else ../shared/data/… above the
/// working directory. Task: up/down over <c>--horizon</c> bars (default 5); the first 70 % of dates train (rows
/// whose label reaches the test period purged), the rest test. Ends with exactly one line
/// <c>RESULT train rows=… ours_seconds=… ours_auc=… xgb_seconds=… xgb_auc=…</c>.
/// </summary>
public static class TrainBench
{
    private const string XgbScript = """
        import json, sys, time
        import numpy as np
        import xgboost as xgb
        from sklearn.metrics import roc_auc_score
        train = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
        test = np.loadtxt(sys.argv[2], delimiter=",", skiprows=1)
        p = json.loads(sys.argv[3])
        model = xgb.XGBClassifier(tree_method="hist", n_estimators=p["trees"], max_depth=p["depth"], learning_rate=p["eta"],
            reg_lambda=p["lambda"], min_child_weight=p["min_child_weight"], max_bin=256, subsample=1.0, colsample_bytree=1.0,
            n_jobs=2, random_state=p["seed"])
        start = time.perf_counter()
        model.fit(train[:, :-1], train[:, -1])
        seconds = time.perf_counter() - start
        auc = roc_auc_score(test[:, -1], model.predict_proba(test[:, :-1])[:, 1])
        print(json.dumps({"seconds": seconds, "auc": auc}))
        """;

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
        var options = new GbdtOptions
        {
            Trees = int.Parse(Arg("--trees") ?? "200", CultureInfo.InvariantCulture),
            MaxDepth = int.Parse(Arg("--depth") ?? "6", CultureInfo.InvariantCulture),
            LearningRate = 0.1, L2 = 1, MinChildWeight = 1, MinSamplesLeaf = 1, MaxBins = 255, Seed = 42,
        };

        var instruments = PriceFileFeatures.Load(folder).Select(x => x.Features).ToList();
        var data = DatasetBuilder.Build(instruments, new DatasetOptions { Horizon = horizon });
        var (train, test) = TimeSplit(data, 0.7);
        output.WriteLine(FormattableString.Invariant($"bench train: {instruments.Count} instruments, {data.Count} rows, {data.FeatureNames.Count} features, train {train.Count} / test {test.Count}, H={horizon}"));

        var watch = Stopwatch.StartNew();
        var model = new GbdtLearner(options).Fit(train.UpDown(), null, ct);
        var oursSeconds = watch.Elapsed.TotalSeconds;
        var oursAuc = Metrics.RocAuc(test.ForwardReturn.Select(r => r > 0).ToArray(), model.PredictValues(test.X));
        output.WriteLine(FormattableString.Invariant($"ours: {oursSeconds:F2} s, test AUC {oursAuc:F4}"));

        var dir = Directory.CreateTempSubdirectory("signalbook-bench-");
        try
        {
            var trainCsv = Path.Combine(dir.FullName, "train.csv");
            var testCsv = Path.Combine(dir.FullName, "test.csv");
            DatasetCsv.Write(trainCsv, data.FeatureNames, train.X, train.UpDown().Y);
            DatasetCsv.Write(testCsv, data.FeatureNames, test.X, test.UpDown().Y);
            var scriptPath = Path.Combine(dir.FullName, "xgb_bench.py");
            await File.WriteAllTextAsync(scriptPath, XgbScript, ct);
            var parameters = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["trees"] = options.Trees, ["depth"] = options.MaxDepth, ["eta"] = options.LearningRate, ["lambda"] = options.L2,
                ["min_child_weight"] = options.MinChildWeight, ["seed"] = options.Seed,
            });
            var (exit, stdout, stderr) = await RunProcessAsync(Python, [scriptPath, trainCsv, testCsv, parameters], ct);
            if (exit != 0)
            {
                await error.WriteLineAsync($"bench train: xgboost failed (is python3-xgboost installed? scripts/setup.sh installs it):\n{stderr}");
                return 1;
            }
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            var xgbSeconds = json.RootElement.GetProperty("seconds").GetDouble();
            var xgbAuc = json.RootElement.GetProperty("auc").GetDouble();
            output.WriteLine(FormattableString.Invariant(
                $"RESULT train rows={train.Count} ours_seconds={oursSeconds:F2} ours_auc={oursAuc:F4} xgb_seconds={xgbSeconds:F2} xgb_auc={xgbAuc:F4}"));
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
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
