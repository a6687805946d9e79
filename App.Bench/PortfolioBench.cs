using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench portfolio</c>: the portfolio kernels against <c>portfolio_pandas.py</c> computing the same things on the same
/// inputs in the same run, each figure as C# time, pandas time and their ratio:
/// <list type="number">
/// <item><b>matching</b>: the bulk <see cref="MatchingEngine.Run(ReadOnlySpan{MatchBar}, IReadOnlyList{MatchOrder}, ExecutionSettings, List{MatchFill}, VolumeProfile?)"/>
/// over --orders (1 M) market, limit and stop orders on --instruments (500) × --days (1 260) daily bars, with a volume cap,
/// commission and slippage (<see cref="PortfolioBenchData.Settings"/>); fill count, filled quantity, notional, commission and
/// each order's filled quantity are compared.</item>
/// <item><b>marking</b>: <see cref="MarkToMarket.Bulk(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double})"/>
/// of --positions (100 000), timed over --marking-reps (200) calls, against pandas column arithmetic.</item>
/// <item><b>metrics</b>: the price grid and <see cref="FastPerformance.RunMany(PriceGrid, IReadOnlyList{PortfolioHistory}, MetricsOptions?, int)"/>
/// of --portfolios (1 000; 252 days, 10 instruments, 100 fills, a deposit and a withdrawal each) against pandas over all
/// portfolios at once; the exact <see cref="PortfolioPerformance.RunMany"/> is timed for information. TWR, maximum drawdown,
/// Sharpe and Sortino are compared.</item>
/// </list>
/// Every figure is the median of --repeats (3) timed runs after a warm-up, single-threaded on both sides (pandas is); the
/// matching is also timed in parallel over instruments, for information. The ratios are pandas time ÷ C# time.
/// </summary>
public sealed class PortfolioBench : IBench
{
    public string Name => "portfolio";

    public string Description =>
        "MatchingEngine, MarkToMarket.Bulk, FastPerformance vs the same in pandas (options: --orders, --instruments, --days, --positions, --marking-reps, --portfolios, --repeats, --python, --profile)";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var o = PortfolioBenchOptions.Parse(args);
        var python = PortfolioPython.Find(o.Python);
        var script = Path.Combine(BenchOutput.RepositoryRoot() ?? ".", "App.Bench", "portfolio_pandas.py");
        if (!File.Exists(script)) throw new FileNotFoundException($"The pandas script is not at {script}; run the bench from the repository.", script);
        Console.WriteLine($"bench portfolio: {Environment.ProcessorCount} cores, .NET {Environment.Version}; median of {o.Repeats} timed runs per figure, single-threaded.");

        var work = Directory.CreateTempSubdirectory("signalbook-bench-portfolio-").FullName;
        try
        {
            var watch = Stopwatch.StartNew();
            var data = PortfolioBenchData.Create(o);
            data.Write(work, o);
            Console.WriteLine($"Inputs (seed {o.Seed}) made and written in {watch.Elapsed.TotalSeconds:F1} s: {data.OrderCount:N0} orders on {data.Bars.Length} instruments × {o.Days} daily bars; " +
                              $"{o.Positions:N0} positions; {o.Portfolios:N0} portfolios over {data.GridDays.Length} days of {data.GridIds.Length} instruments.");
            ct.ThrowIfCancellationRequested();

            var matching = Matching(data, o, ct);
            if (args.Contains("--profile")) ProfileMatching(data);
            Console.WriteLine($"C# matching: {matching.Seconds:F3} s ({data.OrderCount / matching.Seconds:N0} orders/s), parallel over instruments {matching.ParallelSeconds:F3} s; " +
                              $"{matching.Fills:N0} fills, {matching.Quantity:N0} shares, {matching.Working:N0} orders still working.");
            var marking = Marking(data, o, ct);
            Console.WriteLine($"C# marking: {marking.Seconds * 1e6:F1} µs per call of {o.Positions:N0} positions.");
            var metrics = Metrics(data, o, ct);
            Console.WriteLine($"C# metrics: grid + FastPerformance.RunMany {metrics.Seconds * 1e3:F1} ms (RunMany alone {metrics.RunManySeconds * 1e3:F1} ms, on compiled portfolios {metrics.CompiledSeconds * 1e3:F1} ms); " +
                              $"exact PortfolioPerformance.RunMany {metrics.ExactSeconds * 1e3:F1} ms.");

            Console.WriteLine("pandas: running App.Bench/portfolio_pandas.py on the same inputs …");
            var pandas = await PortfolioPython.RunScriptAsync(python, script, work, ct);
            double P(string key) => double.Parse(pandas[key], CultureInfo.InvariantCulture);
            var pandasMatching = P("matching_seconds");
            var pandasMarking = P("marking_seconds");
            var pandasMetrics = P("metrics_seconds");

            var problems = new List<string>();
            CompareMatching(work, data, matching, pandas, problems);
            var markingDiff = CompareMarking(work, marking, problems);
            var metricsDiff = CompareMetrics(work, metrics.Summaries, metrics.Exact, problems);
            foreach (var problem in problems) Console.Error.WriteLine("MISMATCH " + problem);

            var matchingRatio = pandasMatching / matching.Seconds;
            var markingRatio = pandasMarking / marking.Seconds;
            var metricsRatio = pandasMetrics / metrics.Seconds;
            Console.WriteLine($"pandas {pandas.GetValueOrDefault("pandas", "?")} (numpy {pandas.GetValueOrDefault("numpy", "?")}), single-threaded:");
            Console.WriteLine($"  {"",-10} {"C#",14} {"pandas",14} {"ratio",8}");
            Console.WriteLine($"  {"matching",-10} {matching.Seconds,12:F3} s {pandasMatching,12:F3} s {matchingRatio,7:F1}×   {Verdict(matchingRatio)}");
            Console.WriteLine($"  {"marking",-10} {marking.Seconds * 1e6,11:F1} µs {pandasMarking * 1e6,11:F1} µs {markingRatio,7:F1}×   {Verdict(markingRatio)}");
            Console.WriteLine($"  {"metrics",-10} {metrics.Seconds * 1e3,11:F1} ms {pandasMetrics * 1e3,11:F1} ms {metricsRatio,7:F1}×   {Verdict(metricsRatio)}");
            Console.WriteLine($"  (metrics, pandas one portfolio at a time (100 timed, scaled): {P("metrics_loop_seconds") * 1e3:F0} ms, {P("metrics_loop_seconds") / metrics.Seconds:F0}× the C# time; " +
                              $"C# FastPerformance.RunMany on precompiled portfolios: {metrics.CompiledSeconds * 1e3:F1} ms)");
            Console.WriteLine($"Checks: fills {matching.Fills:N0} = {P("matching_fills"):N0}, shares {matching.Quantity:N0} = {P("matching_quantity"):N0}; " +
                              $"marking largest difference {markingDiff:E1}; metrics largest difference {metricsDiff:E1}; {(problems.Count == 0 ? "all match" : $"{problems.Count} MISMATCHES")}.");

            BenchOutput.Result("portfolio",
                ("matching_ratio", matchingRatio), ("marking_ratio", markingRatio), ("metrics_ratio", metricsRatio),
                ("matching_cs_s", matching.Seconds), ("matching_pandas_s", pandasMatching), ("matching_cs_parallel_s", matching.ParallelSeconds),
                ("marking_cs_us", marking.Seconds * 1e6), ("marking_pandas_us", pandasMarking * 1e6),
                ("metrics_cs_ms", metrics.Seconds * 1e3), ("metrics_pandas_ms", pandasMetrics * 1e3), ("metrics_exact_cs_ms", metrics.ExactSeconds * 1e3),
                ("metrics_compiled_cs_ms", metrics.CompiledSeconds * 1e3), ("metrics_pandas_loop_ms", P("metrics_loop_seconds") * 1e3),
                ("orders", data.OrderCount), ("fills", matching.Fills), ("positions", o.Positions), ("portfolios", o.Portfolios),
                ("checks", problems.Count == 0 ? "ok" : "failed"), ("cores", Environment.ProcessorCount));
            return problems.Count == 0 ? 0 : 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("bench portfolio: cancelled.");
            return 130;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Verdict(double ratio) => ratio >= 20 ? "≥ 20×" : "below 20×";

    private sealed record MatchingRun(double Seconds, double ParallelSeconds, int Fills, decimal Quantity, decimal Notional, decimal Commission, int Working, decimal[] FilledPerOrder);

    /// <summary>The bulk engine instrument by instrument, on fresh orders each run (making them is not timed).</summary>
    private static MatchingRun Matching(PortfolioBenchData data, PortfolioBenchOptions o, CancellationToken ct)
    {
        var settings = PortfolioBenchData.Settings;
        var fills = new List<MatchFill>();
        var warmInstruments = Math.Min(data.Bars.Length, 25);
        for (var w = 0; w < 2; w++)
        {
            var warm = data.NewOrders();
            for (var i = 0; i < warmInstruments; i++) MatchingEngine.Run(data.Bars[i], warm[i], settings, fills);
            fills.Clear();
            if (w == 0) Thread.Sleep(1000); // let tiered compilation replace the first code
        }

        var times = new List<double>();
        List<MatchOrder>[] orders = [];
        var working = 0;
        for (var r = 0; r < o.Repeats; r++)
        {
            ct.ThrowIfCancellationRequested();
            orders = data.NewOrders();
            fills.Clear();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            working = 0;
            for (var i = 0; i < data.Bars.Length; i++) working += MatchingEngine.Run(data.Bars[i], orders[i], settings, fills);
            times.Add(watch.Elapsed.TotalSeconds);
        }

        var parallelTimes = new List<double>();
        for (var r = 0; r < o.Repeats; r++)
        {
            ct.ThrowIfCancellationRequested();
            var fresh = data.NewOrders();
            var perThread = new System.Collections.Concurrent.ConcurrentBag<List<MatchFill>>();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            Parallel.For(0, data.Bars.Length, () => new List<MatchFill>(), (i, _, local) =>
            {
                MatchingEngine.Run(data.Bars[i], fresh[i], settings, local);
                return local;
            }, perThread.Add);
            parallelTimes.Add(watch.Elapsed.TotalSeconds);
            if (perThread.Sum(l => l.Count) != fills.Count) throw new InvalidOperationException("The parallel matching made a different number of fills.");
        }

        decimal quantity = 0, notional = 0, commission = 0;
        foreach (var f in CollectionsMarshal.AsSpan(fills))
        {
            quantity += f.Quantity;
            notional += f.Notional;
            commission += f.Commission;
        }
        var perOrder = new decimal[data.OrderCount];
        foreach (var list in orders)
            foreach (var order in list) perOrder[order.Id] = order.FilledQuantity;
        return new MatchingRun(Median(times), Median(parallelTimes), fills.Count, quantity, notional, commission, working, perOrder);
    }

    /// <summary>--profile: the single-threaded matching time of each kind of order alone (one run each, fresh orders), to show where it goes.</summary>
    private static void ProfileMatching(PortfolioBenchData data)
    {
        var settings = PortfolioBenchData.Settings;
        Console.WriteLine("  profile: matching by kind of order (single-threaded, one run each)");
        foreach (var type in new[] { OrderType.Market, OrderType.Limit, OrderType.StopLoss })
        {
            foreach (var tif in new[] { TimeInForce.Day, TimeInForce.Gtc })
            {
                var orders = data.NewOrders().Select(list => list.Where(x => x.Type == type && x.TimeInForce == tif).ToList()).ToArray();
                var count = orders.Sum(l => l.Count);
                var fills = new List<MatchFill>();
                GC.Collect();
                var watch = Stopwatch.StartNew();
                for (var i = 0; i < data.Bars.Length; i++) MatchingEngine.Run(data.Bars[i], orders[i], settings, fills);
                var seconds = watch.Elapsed.TotalSeconds;
                Console.WriteLine($"    {type,-9} {tif,-4} {count,9:N0} orders {fills.Count,10:N0} fills {seconds,7:F3} s = {seconds / count * 1e6,6:F2} µs/order, {seconds / Math.Max(1, fills.Count) * 1e6,6:F2} µs/fill");
            }
        }
    }

    private sealed record MarkingRun(double Seconds, double[] Pnl, double[] Percent);

    /// <summary>Seconds per call of the double bulk form, each sample timing --marking-reps calls.</summary>
    private static MarkingRun Marking(PortfolioBenchData data, PortfolioBenchOptions o, CancellationToken ct)
    {
        var n = data.MarkQuantity.Length;
        var pnl = new double[n];
        var percent = new double[n];
        for (var w = 0; w < 2; w++)
        {
            for (var k = 0; k < 200; k++) MarkToMarket.Bulk(data.MarkQuantity, data.MarkCost, data.MarkPrice, pnl, percent);
            if (w == 0) Thread.Sleep(1000);
        }
        var times = new List<double>();
        for (var r = 0; r < o.Repeats; r++)
        {
            ct.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            for (var k = 0; k < o.MarkingReps; k++) MarkToMarket.Bulk(data.MarkQuantity, data.MarkCost, data.MarkPrice, pnl, percent);
            times.Add(watch.Elapsed.TotalSeconds / o.MarkingReps);
        }
        return new MarkingRun(Median(times), pnl, percent);
    }

    private sealed record MetricsRun(double Seconds, double RunManySeconds, double CompiledSeconds, double ExactSeconds, FastPerformanceSummary[] Summaries, PerformanceReport[] Exact);

    /// <summary>
    /// Grid + <see cref="FastPerformance.RunMany(PriceGrid, IReadOnlyList{PortfolioHistory}, MetricsOptions?, int)"/> (the figure
    /// compared: from closes and histories to metrics, as the pandas side does), RunMany alone, RunMany on compiled portfolios,
    /// and the exact decimal path.
    /// </summary>
    private static MetricsRun Metrics(PortfolioBenchData data, PortfolioBenchOptions o, CancellationToken ct)
    {
        var histories = data.Histories;
        var warm = histories.Take(100).ToArray();
        for (var w = 0; w < 2; w++)
        {
            var g = new PriceGrid(data.GridDays, data.GridIds, data.GridCloses);
            for (var k = 0; k < 5; k++) FastPerformance.RunMany(g, warm);
            PortfolioPerformance.RunMany(g, warm.Take(20).ToArray());
            if (w == 0) Thread.Sleep(1000);
        }

        var total = new List<double>();
        var runMany = new List<double>();
        FastPerformanceSummary[] summaries = [];
        PriceGrid grid = null!;
        for (var r = 0; r < Math.Max(5, o.Repeats); r++)
        {
            ct.ThrowIfCancellationRequested();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            grid = new PriceGrid(data.GridDays, data.GridIds, data.GridCloses);
            var built = watch.Elapsed.TotalSeconds;
            summaries = FastPerformance.RunMany(grid, histories);
            total.Add(watch.Elapsed.TotalSeconds);
            runMany.Add(watch.Elapsed.TotalSeconds - built);
        }

        var compiled = histories.Select(h => CompiledPortfolio.Compile(grid, h)).ToArray();
        var compiledTimes = new List<double>();
        for (var r = 0; r < Math.Max(5, o.Repeats); r++)
        {
            var watch = Stopwatch.StartNew();
            FastPerformance.RunMany(grid, compiled);
            compiledTimes.Add(watch.Elapsed.TotalSeconds);
        }

        var exactTimes = new List<double>();
        PerformanceReport[] exact = [];
        for (var r = 0; r < o.Repeats; r++)
        {
            ct.ThrowIfCancellationRequested();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            exact = PortfolioPerformance.RunMany(grid, histories);
            exactTimes.Add(watch.Elapsed.TotalSeconds);
        }
        return new MetricsRun(Median(total), Median(runMany), Median(compiledTimes), Median(exactTimes), summaries, exact);
    }

    private static void CompareMatching(string dir, PortfolioBenchData data, MatchingRun cs, Dictionary<string, string> pandas, List<string> problems)
    {
        double P(string key) => double.Parse(pandas[key], CultureInfo.InvariantCulture);
        if (P("matching_fills") != cs.Fills) problems.Add($"matching: {cs.Fills} fills in C#, {P("matching_fills")} in pandas.");
        if (P("matching_quantity") != (double)cs.Quantity) problems.Add($"matching: {cs.Quantity} shares filled in C#, {P("matching_quantity")} in pandas.");
        if (P("matching_working") != cs.Working) problems.Add($"matching: {cs.Working} orders still working in C#, {P("matching_working")} in pandas.");
        foreach (var (name, mine) in new[] { ("notional", cs.Notional), ("commission", cs.Commission) })
        {
            var theirs = P("matching_" + name);
            if (Math.Abs((double)mine - theirs) > 1e-9 * Math.Max(1, Math.Abs(theirs))) problems.Add($"matching: total {name} {mine} in C#, {theirs} in pandas.");
        }
        var filled = ReadDoubles(Path.Combine(dir, "m_filled.bin"));
        var differing = Enumerable.Range(0, data.OrderCount).Where(k => (double)cs.FilledPerOrder[k] != filled[k]).ToList();
        if (differing.Count > 0)
        {
            problems.Add($"matching: {differing.Count} orders filled a different quantity, e.g. " + string.Join("; ", differing.Take(5).Select(k =>
                $"#{k} {data.Types[k]} {data.Sides[k]} {data.OrderTif[k]} q={data.OrderQuantity[k]} L={data.OrderLimit[k]} S={data.OrderStop[k]}: C# {cs.FilledPerOrder[k]}, pandas {filled[k]}")));
        }
    }

    /// <summary>Largest |C# − pandas| ÷ max(1, |pandas|) over P&amp;L and percent; NaN must match NaN.</summary>
    private static double CompareMarking(string dir, MarkingRun cs, List<string> problems)
    {
        var raw = ReadDoubles(Path.Combine(dir, "k_out.bin"));
        var n = cs.Pnl.Length;
        var worst = 0.0;
        var nanMismatch = 0;
        for (var c = 0; c < 2; c++)
        {
            var mine = c == 0 ? cs.Pnl : cs.Percent;
            for (var i = 0; i < n; i++)
            {
                var (a, b) = (mine[i], raw[c * n + i]);
                if (double.IsNaN(a) != double.IsNaN(b)) nanMismatch++;
                else if (!double.IsNaN(a)) worst = Math.Max(worst, Math.Abs(a - b) / Math.Max(1, Math.Abs(b)));
            }
        }
        if (nanMismatch > 0) problems.Add($"marking: {nanMismatch} values are NaN on one side only.");
        if (worst > 1e-12) problems.Add($"marking: largest relative difference {worst:E2}.");
        return worst;
    }

    /// <summary>
    /// Largest difference over TWR and max drawdown (absolute) and Sharpe and Sortino (relative to max(1, |x|)), pandas
    /// against the fast path; the fast path is also held to the exact one (as its tests do).
    /// </summary>
    private static double CompareMetrics(string dir, FastPerformanceSummary[] fast, PerformanceReport[] exact, List<string> problems)
    {
        var raw = ReadDoubles(Path.Combine(dir, "g_out.bin"));
        var n = fast.Length;
        var worst = 0.0;
        var missing = 0;
        for (var p = 0; p < n; p++)
        {
            var mine = new[] { fast[p].TimeWeightedReturn, fast[p].MaxDrawdown, fast[p].Sharpe ?? double.NaN, fast[p].Sortino ?? double.NaN };
            for (var c = 0; c < mine.Length; c++)
            {
                var (a, b) = (mine[c], raw[c * n + p]);
                if (double.IsNaN(a) != double.IsNaN(b)) missing++;
                else if (!double.IsNaN(a)) worst = Math.Max(worst, Math.Abs(a - b) / (c < 2 ? 1 : Math.Max(1, Math.Abs(b))));
            }
            var e = exact[p];
            var exactWorst = Math.Max(Math.Abs(e.Returns.TimeWeightedReturn - fast[p].TimeWeightedReturn), Math.Abs(e.Drawdown.MaxDrawdown - fast[p].MaxDrawdown));
            if (exactWorst > 1e-9) problems.Add($"metrics: portfolio {p}: the fast path differs from the exact one by {exactWorst:E2}.");
        }
        if (missing > 0) problems.Add($"metrics: {missing} values are missing on one side only.");
        if (worst > 1e-7) problems.Add($"metrics: largest difference between C# and pandas {worst:E2}.");
        return worst;
    }

    private static double[] ReadDoubles(string path) => MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(path)).ToArray();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
