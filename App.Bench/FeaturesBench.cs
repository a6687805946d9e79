using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Signalbook.Features.Indicators;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench features [--rows 5000000]</c>: the full feature set (<see cref="FeatureCalculator.Compute"/>: seed features
/// and <c>additional</c>) over the replicated stocknet corpus in memory, single-threaded and in parallel over
/// instruments, against <c>features_pandas.py</c> computing the same indicators over the same bars in the same run.
/// The first series' features of both are compared, so the speed-up is for the same numbers.
/// </summary>
public sealed class FeaturesBench : IBench
{
    public string Name => "features";

    public string Description => "FeatureCalculator over ≥ 5 M bars vs the same indicators in pandas (options: --rows, --python, --pandas-copies, --profile)";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var corpus = BenchCorpus.Create(BenchOutput.IntOption(args, "rows", 5_000_000));
        var series = corpus.LoadSeries();
        long bars = series.Sum(s => (long)s.Length);
        Console.WriteLine($"bench features: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {series.Count} series, {bars:N0} bars in memory.");

        var python = BenchPython.Find(BenchOutput.Option(args, "python", ""), "features");
        var script = Path.Combine(BenchOutput.RepositoryRoot() ?? ".", "App.Bench", "features_pandas.py");
        if (!File.Exists(script)) throw new FileNotFoundException($"The pandas script is not at {script}; run the bench from the repository.", script);

        // Steady state: enough calls for the JIT's tiered compilation to replace the first, unoptimised code (on a
        // busy machine its background compiler can lag, hence the pause).
        foreach (var s in series.Take(300)) FeatureCalculator.Compute(s);
        Thread.Sleep(1000);
        foreach (var s in series.Take(300)) FeatureCalculator.Compute(s);
        if (args.Contains("--profile")) Profile(series);
        GC.Collect();
        var watch = Stopwatch.StartNew();
        foreach (var s in series) FeatureCalculator.Compute(s);
        var single = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"C# single thread: {single:F2} s = {bars / single:N0} bars/s.");
        GC.Collect();
        watch.Restart();
        Parallel.For(0, series.Count, i => FeatureCalculator.Compute(series[i]));
        var parallel = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"C# parallel over instruments ({Environment.ProcessorCount} cores): {parallel:F2} s = {bars / parallel:N0} bars/s.");
        var best = Math.Min(single, parallel);

        var work = Directory.CreateTempSubdirectory("signalbook-bench-features-").FullName;
        try
        {
            // --pandas-copies N: pandas computes only the first N copies of the 88 files (the same bars again and again), to
            // bound its run time on a busy machine; its rate is then per bar it computed. Default: all of them.
            var pandasCopies = Math.Clamp(BenchOutput.IntOption(args, "pandas-copies", corpus.Copies), 1, corpus.Copies);
            var pandasSeries = series.Take(pandasCopies * corpus.Files.Count).ToList();
            var pandasBars = pandasSeries.Sum(s => (long)s.Length);
            WriteBars(work, pandasSeries);
            var (pandasSeconds, pandasVersion) = await RunPandasAsync(python, script, work, ct);
            Console.WriteLine($"pandas {pandasVersion}: {pandasBars:N0} bars in {pandasSeconds:F2} s = {pandasBars / pandasSeconds:N0} bars/s.");
            var diff = Compare(work, FeatureCalculator.Compute(series[0]), series[0].Length);
            Console.WriteLine($"Largest relative difference between C# and pandas on the first series: {diff:E2}.");
            BenchOutput.Result("features", ("bars", bars), ("series", series.Count), ("cs_seconds", best), ("cs_bars_per_s", bars / best),
                ("cs_single_thread_seconds", single), ("pandas_bars", pandasBars), ("pandas_seconds", pandasSeconds),
                ("pandas_bars_per_s", pandasBars / pandasSeconds), ("ratio", bars / best / (pandasBars / pandasSeconds)), ("max_rel_diff", diff.ToString("E1", CultureInfo.InvariantCulture)), ("cores", Environment.ProcessorCount));
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Time of each kernel over all series, single-threaded: where the time goes.</summary>
    private static void Profile(List<BarSeries> series)
    {
        var kernels = new (string Name, Action<BarSeries> Run)[]
        {
            ("returns x3", s => { FeatureCalculator.Returns(s.Close, 1); FeatureCalculator.Returns(s.Close, 5); FeatureCalculator.Returns(s.Close, 20); }),
            ("rsi", s => Kernels.Rsi(s.Close, 14)),
            ("roc", s => Kernels.Roc(s.Close, 5)),
            ("vol20", s => FeatureCalculator.AnnualisedVolatility(s.Close, 20)),
            ("atr", s => Kernels.Atr(s.High, s.Low, s.Close, 14)),
            ("zscore", s => FeatureCalculator.ZScore(s.Volume, 20)),
            ("macd", s => Kernels.Macd(s.Close)),
            ("bollinger", s => Kernels.Bollinger(s.Close)),
            ("stochastic", s => Kernels.Stochastic(s.High, s.Low, s.Close)),
            ("ema x3", s => { Kernels.Ema(s.Close, 9); Kernels.Ema(s.Close, 20); Kernels.Ema(s.Close, 50); }),
            ("sma x2", s => { Kernels.Sma(s.Close, 50); Kernels.Sma(s.Close, 200); }),
            ("adx", s => Kernels.Adx(s.High, s.Low, s.Close)),
            ("obv", s => Kernels.Obv(s.Close, s.Volume)),
            ("cci", s => Kernels.Cci(s.High, s.Low, s.Close, 20)),
            ("mfi", s => Kernels.Mfi(s.High, s.Low, s.Close, s.Volume, 14)),
            ("dist52w", s => FeatureCalculator.DistanceFromHigh(s.High, s.Close, 252)),
        };
        foreach (var (name, run) in kernels)
        {
            var w = Stopwatch.StartNew();
            foreach (var s in series) run(s);
            Console.WriteLine($"  {name,-12} {w.Elapsed.TotalMilliseconds,8:F0} ms");
        }
    }

    private static void WriteBars(string dir, List<BarSeries> series)
    {
        using (var lengths = File.Create(Path.Combine(dir, "lengths.bin")))
            foreach (var s in series) lengths.Write(BitConverter.GetBytes((long)s.Length));
        using var bars = File.Create(Path.Combine(dir, "bars.bin"));
        foreach (var pick in new Func<BarSeries, double[]>[] { s => s.Open, s => s.High, s => s.Low, s => s.Close, s => s.Volume })
            foreach (var s in series) bars.Write(MemoryMarshal.AsBytes(pick(s).AsSpan()));
    }

    /// <summary>Largest |a − b| / max(1, |b|) over all feature values both sides compute (NaN must match NaN).</summary>
    private static double Compare(string dir, FeatureColumns f, int n)
    {
        var raw = File.ReadAllBytes(Path.Combine(dir, "first.bin"));
        var pandas = MemoryMarshal.Cast<byte, double>(raw);
        double[][] columns =
        [
            f.Ret1d, f.Ret5d, f.Ret20d, f.Rsi14, f.Momentum5d, f.Vol20d, f.Atr14, f.VolumeZScore,
            .. FeatureCalculator.AdditionalNames.Select(name => f.Additional[name]),
        ];
        var worst = 0.0;
        for (var c = 0; c < columns.Length; c++)
        {
            for (var i = 0; i < n; i++)
            {
                var (a, b) = (columns[c][i], pandas[c * n + i]);
                if (double.IsNaN(a) != double.IsNaN(b))
                    throw new InvalidOperationException($"Feature column {c} bar {i}: C# {a}, pandas {b} (one is missing).");
                if (!double.IsNaN(a)) worst = Math.Max(worst, Math.Abs(a - b) / Math.Max(1, Math.Abs(b)));
            }
        }
        return worst;
    }

    private static async Task<(double Seconds, string Version)> RunPandasAsync(string python, string script, string dir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{python} did not start.");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"The pandas script failed ({process.ExitCode}): {await stderr}");
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("PANDAS ", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"The pandas script printed no PANDAS line: {stdout}");
        var fields = line.Split(' ').Skip(1).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        return (double.Parse(fields["seconds"], CultureInfo.InvariantCulture), fields.GetValueOrDefault("pandas", "?"));
    }
}
