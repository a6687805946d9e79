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
/// <item><b>matching</b>: <see cref="DailyMatcher.Run(IReadOnlyList{DailyBars}, DailyOrders, ExecutionSettings, DailyFills, int)"/> (fills kept as the chunks wrote them)
/// over --orders (1 M) market, limit and stop orders on --instruments (500) × --days (1 260) daily bars, with a volume cap,
/// commission and slippage (<see cref="PortfolioBenchData.Settings"/>), the <see cref="DailyBars"/> built from double columns
/// inside the timing (as pandas builds its frames and tables); fill count, filled quantity, notional, commission and each
/// order's filled quantity are compared with pandas, and every order's outcome with one run of the exact decimal
/// <see cref="MatchingEngine.Run(ReadOnlySpan{MatchBar}, IReadOnlyList{MatchOrder}, ExecutionSettings, List{MatchFill}, VolumeProfile?)"/>
/// (timed for information).</item>
/// <item><b>marking</b>: <see cref="MarkToMarket.Bulk(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, Span{double}, Span{double})"/>
/// of --positions (100 000), timed over --marking-reps (200) calls, against pandas column arithmetic.</item>
/// <item><b>metrics</b>: <see cref="PortfolioBatch.FromColumns"/> + <see cref="FastPerformance.RunBatch(ReadOnlySpan{double}, PortfolioBatch, MetricsOptions?, int)"/>
/// of --portfolios (1 000; 252 days, 10 instruments, 100 fills, a deposit and a withdrawal each) from the same columns
/// pandas reads (closes with NaN where missing, fills and flows with day indices and grid rows), against pandas over all
/// portfolios at once; from histories (<see cref="PriceGrid"/> + RunBatch), the older grid + RunMany and the exact
/// <see cref="PortfolioPerformance.RunMany"/> are timed for information. Every figure of the summaries is compared (<see cref="MetricColumns"/>).</item>
/// </list>
/// Every figure is the median of --repeats (3) timed runs after a warm-up; the C# matching, whose run is short, of at least
/// <see cref="MatchingSamples"/>. pandas is single-threaded; matching and metrics
/// are timed single-threaded and in parallel over every core, and their ratios (pandas time ÷ C# time) use the faster of
/// the two, which the output names; the single-threaded ratios are printed and reported too.
/// <para>
/// The bench runs under the server garbage collector, as the app does (System.GC.Server in its runtimeconfig, the Web
/// SDK's default): started otherwise, it starts itself again with DOTNET_gcServer=1; --workstation-gc keeps the
/// workstation collector (matching then pays for a few gen0/gen1 collections per run while it builds the bars).
/// </para>
/// </summary>
public sealed class PortfolioBench : IBench
{
    public string Name => "portfolio";

    public string Description =>
        "DailyMatcher, MarkToMarket.Bulk, FastPerformance.RunBatch vs the same in pandas (options: --orders, --instruments, --days, --positions, --marking-reps, --portfolios, --repeats, --python, --profile, --phases, --workstation-gc)";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!System.Runtime.GCSettings.IsServerGC && !args.Contains("--workstation-gc")) return await BenchProcess.RunAgainWithServerGcAsync(ct);
        var o = PortfolioBenchOptions.Parse(args);
        var python = BenchPython.Find(o.Python, "portfolio");
        var script = Path.Combine(BenchOutput.RepositoryRoot() ?? ".", "App.Bench", "portfolio_pandas.py");
        if (!File.Exists(script)) throw new FileNotFoundException($"The pandas script is not at {script}; run the bench from the repository.", script);
        Console.WriteLine($"bench portfolio: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC; median of {o.Repeats} timed runs per figure; " +
                          "matching and metrics single-threaded and in parallel, the ratio on the faster.");

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
            if (args.Contains("--phases")) MatchingPhases(data);
            Console.WriteLine($"C# matching (DailyMatcher): single-threaded {matching.SingleSeconds:F3} s ({data.OrderCount / matching.SingleSeconds:N0} orders/s), " +
                              $"parallel over instruments ({Environment.ProcessorCount} threads) {matching.ParallelSeconds:F3} s; " +
                              $"{matching.Fills:N0} fills, {matching.Quantity:N0} shares, {matching.Working:N0} orders still working ({matching.Spread}).");
            Console.WriteLine($"C# matching, exact MatchingEngine.Run (decimal, once, for information): {matching.ExactSeconds:F3} s, {matching.ExactFills:N0} fills, " +
                              $"{matching.ExactWorking:N0} working; orders ending differently from DailyMatcher: {matching.ExactDisagreements:N0}.");
            var marking = Marking(data, o, ct);
            Console.WriteLine($"C# marking: {marking.Seconds * 1e6:F1} µs per call of {o.Positions:N0} positions.");
            var metrics = Metrics(data, o, ct);
            Console.WriteLine($"C# metrics: FastPerformance.RunBatch from columns (batch built + run) single-threaded {metrics.BatchSingleSeconds * 1e3:F2} ms, " +
                              $"parallel ({Environment.ProcessorCount} threads) {metrics.BatchParallelSeconds * 1e3:F2} ms; from histories (grid + RunBatch) " +
                              $"{metrics.HistoriesSingleSeconds * 1e3:F2} ms / {metrics.HistoriesParallelSeconds * 1e3:F2} ms; older grid + RunMany {metrics.RunManySeconds * 1e3:F1} ms " +
                              $"(on compiled portfolios {metrics.CompiledSeconds * 1e3:F1} ms); exact PortfolioPerformance.RunMany {metrics.ExactSeconds * 1e3:F1} ms.");

            Console.WriteLine("pandas: running App.Bench/portfolio_pandas.py on the same inputs …");
            var pandas = await BenchPython.RunScriptAsync(python, script, work, ct);
            double P(string key) => double.Parse(pandas[key], CultureInfo.InvariantCulture);
            var pandasMatching = P("matching_seconds");
            var pandasMarking = P("marking_seconds");
            var pandasMetrics = P("metrics_seconds");

            var problems = new List<string>();
            if (matching.ExactDisagreements > 0 || matching.ExactFills != matching.Fills || matching.ExactWorking != matching.Working)
                problems.Add($"matching: DailyMatcher and MatchingEngine disagree ({matching.ExactDisagreements} orders, {matching.Fills} vs {matching.ExactFills} fills, {matching.Working} vs {matching.ExactWorking} working).");
            CompareMatching(work, data, matching, pandas, problems);
            var markingDiff = CompareMarking(work, marking, problems);
            var metricsDiff = CompareMetrics(work, metrics.Summaries, metrics.Exact, problems);
            foreach (var (name, other) in new[] { ("RunBatch from histories", metrics.FromHistories), ("RunMany", metrics.RunMany) })
            {
                var worst = 0.0;
                for (var p = 0; p < other.Length; p++)
                {
                    var (a, b) = (metrics.Summaries[p], other[p]);
                    worst = Math.Max(worst, Math.Max(Math.Abs(a.TimeWeightedReturn - b.TimeWeightedReturn), Math.Abs(a.MaxDrawdown - b.MaxDrawdown)));
                    worst = Math.Max(worst, Math.Abs((a.Sharpe ?? 0) - (b.Sharpe ?? 0)) / Math.Max(1, Math.Abs(b.Sharpe ?? 0)));
                    worst = Math.Max(worst, Math.Abs(a.EndingEquity - b.EndingEquity) / Math.Max(1, Math.Abs(b.EndingEquity)));
                }
                if (worst > 1e-9) problems.Add($"metrics: RunBatch from columns and {name} differ by {worst:E2}.");
            }
            foreach (var problem in problems) Console.Error.WriteLine("MISMATCH " + problem);

            var matchingRatio = pandasMatching / matching.Seconds;
            var markingRatio = pandasMarking / marking.Seconds;
            var metricsRatio = pandasMetrics / metrics.Seconds;
            Console.WriteLine($"pandas {pandas.GetValueOrDefault("pandas", "?")} (numpy {pandas.GetValueOrDefault("numpy", "?")}), single-threaded; C# as named on each line:");
            Console.WriteLine($"  {"",-10} {"C#",14} {"pandas",14} {"ratio",8}");
            Console.WriteLine($"  {"matching",-10} {matching.Seconds,12:F3} s {pandasMatching,12:F3} s {matchingRatio,7:F1}×   {Verdict(matchingRatio)}   " +
                              $"(C# {matching.Mode}; single-threaded {pandasMatching / matching.SingleSeconds:F1}×, exact decimal engine {pandasMatching / matching.ExactSeconds:F1}×)");
            Console.WriteLine($"  {"marking",-10} {marking.Seconds * 1e6,11:F1} µs {pandasMarking * 1e6,11:F1} µs {markingRatio,7:F1}×   {Verdict(markingRatio)}");
            Console.WriteLine($"  {"metrics",-10} {metrics.Seconds * 1e3,11:F2} ms {pandasMetrics * 1e3,11:F1} ms {metricsRatio,7:F1}×   {Verdict(metricsRatio)}   " +
                              $"(C# RunBatch from columns, {metrics.Mode}; single-threaded {pandasMetrics / metrics.BatchSingleSeconds:F1}×; " +
                              $"from histories {pandasMetrics / Math.Min(metrics.HistoriesSingleSeconds, metrics.HistoriesParallelSeconds):F1}×; older grid + RunMany {pandasMetrics / metrics.RunManySeconds:F1}×)");
            Console.WriteLine($"  (metrics, pandas one portfolio at a time (100 timed, scaled): {P("metrics_loop_seconds") * 1e3:F0} ms, {P("metrics_loop_seconds") / metrics.Seconds:F0}× the C# time; " +
                              $"C# FastPerformance.RunMany on precompiled portfolios: {metrics.CompiledSeconds * 1e3:F1} ms)");
            Console.WriteLine($"Checks: fills {matching.Fills:N0} = {P("matching_fills"):N0}, shares {matching.Quantity:N0} = {P("matching_quantity"):N0}; " +
                              $"marking largest difference {markingDiff:E1}; metrics largest difference {metricsDiff:E1}; {(problems.Count == 0 ? "all match" : $"{problems.Count} MISMATCHES")}.");

            BenchOutput.Result("portfolio",
                ("matching_ratio", matchingRatio), ("marking_ratio", markingRatio), ("metrics_ratio", metricsRatio),
                ("matching_cs_s", matching.Seconds), ("matching_pandas_s", pandasMatching), ("matching_cs_mode", matching.Mode == "parallel" ? "parallel" : "single"),
                ("matching_cs_single_s", matching.SingleSeconds), ("matching_cs_parallel_s", matching.ParallelSeconds), ("matching_exact_cs_s", matching.ExactSeconds),
                ("matching_ratio_single", pandasMatching / matching.SingleSeconds),
                ("marking_cs_us", marking.Seconds * 1e6), ("marking_pandas_us", pandasMarking * 1e6),
                ("metrics_cs_ms", metrics.Seconds * 1e3), ("metrics_pandas_ms", pandasMetrics * 1e3), ("metrics_cs_mode", metrics.Mode == "parallel" ? "parallel" : "single"),
                ("metrics_ratio_single", pandasMetrics / metrics.BatchSingleSeconds), ("metrics_cs_single_ms", metrics.BatchSingleSeconds * 1e3),
                ("metrics_cs_parallel_ms", metrics.BatchParallelSeconds * 1e3), ("metrics_histories_cs_ms", Math.Min(metrics.HistoriesSingleSeconds, metrics.HistoriesParallelSeconds) * 1e3),
                ("metrics_runmany_cs_ms", metrics.RunManySeconds * 1e3), ("metrics_exact_cs_ms", metrics.ExactSeconds * 1e3),
                ("metrics_compiled_cs_ms", metrics.CompiledSeconds * 1e3), ("metrics_pandas_loop_ms", P("metrics_loop_seconds") * 1e3),
                ("orders", data.OrderCount), ("fills", matching.Fills), ("positions", o.Positions), ("portfolios", o.Portfolios), ("gc", System.Runtime.GCSettings.IsServerGC ? "server" : "workstation"),
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

    /// <summary>
    /// At least this many timed runs of the C# matching per figure (its median). One run takes 60–120 ms, and on a 2-core
    /// virtual machine a single stall moves a run of that length by 10–20 %, so three samples gave medians 0.064–0.085 s
    /// for the same code (a pandas run takes over a second and keeps --repeats).
    /// </summary>
    private const int MatchingSamples = 9;

    private static string Verdict(double ratio) => ratio >= 20 ? "≥ 20×" : "below 20×";

    private sealed record MatchingRun(
        double SingleSeconds, double ParallelSeconds, double ExactSeconds, int Fills, double Quantity, double Notional, double Commission, int Working,
        double[] FilledPerOrder, int ExactFills, int ExactWorking, int ExactDisagreements, string Spread)
    {
        /// <summary>The figure compared with pandas: the faster of single-threaded and parallel over instruments.</summary>
        public double Seconds => Math.Min(SingleSeconds, ParallelSeconds);

        public string Mode => ParallelSeconds < SingleSeconds ? "parallel" : "single-threaded";
    }

    /// <summary>
    /// <see cref="DailyMatcher"/> over every instrument. Each timed run builds the <see cref="DailyBars"/> (columns copied, search
    /// tables built) from the bench's double columns and matches every order from its added state, as portfolio_pandas.py
    /// builds its frames and sparse tables and matches inside its timed function; making the order batch, like pandas reading
    /// its files, is not timed. Timed single-threaded and in parallel over instruments. The exact decimal
    /// <see cref="MatchingEngine"/> bulk run is timed once for information and every order's outcome is checked against it.
    /// </summary>
    private static MatchingRun Matching(PortfolioBenchData data, PortfolioBenchOptions o, CancellationToken ct)
    {
        var settings = PortfolioBenchData.Settings;
        var orders = data.NewDailyOrders();
        using var fills = new DailyFills();
        var cores = Environment.ProcessorCount;
        var instruments = data.Bars.Length;

        int Once(int parallelism)
        {
            var bars = new DailyBars[instruments];
            if (parallelism == 1)
            {
                for (var i = 0; i < instruments; i++) bars[i] = new DailyBars(data.BarStart[i], data.BarOpen[i], data.BarHigh[i], data.BarLow[i], data.BarVolume[i]);
            }
            else
            {
                Parallel.For(0, instruments, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                    i => bars[i] = new DailyBars(data.BarStart[i], data.BarOpen[i], data.BarHigh[i], data.BarLow[i], data.BarVolume[i]));
            }
            return DailyMatcher.Run(bars, orders, settings, fills, parallelism);
        }

        for (var w = 0; w < 2; w++)
        {
            Once(1);
            Once(cores);
            if (w == 0) Thread.Sleep(1000); // let tiered compilation replace the first code
        }

        List<double> Time(int parallelism)
        {
            var times = new List<double>();
            for (var r = 0; r < Math.Max(o.Repeats, MatchingSamples); r++)
            {
                ct.ThrowIfCancellationRequested();
                GC.Collect();
                var watch = Stopwatch.StartNew();
                Once(parallelism);
                times.Add(watch.Elapsed.TotalSeconds);
            }
            return times;
        }

        var parallelTimes = Time(cores);
        var parallelCount = fills.Count;
        var singleTimes = Time(1);
        var working = Once(1);
        if (parallelCount != fills.Count) throw new InvalidOperationException("The parallel matching made a different number of fills.");

        double quantity = 0, notional = 0, commission = 0;
        for (var segment = 0; segment < fills.SegmentCount; segment++)
        {
            foreach (var f in fills.Segment(segment))
            {
                quantity += f.Quantity;
                notional += f.Notional;
                commission += f.Commission;
            }
        }
        var perOrder = orders.FilledQuantities();

        // The exact engine once, on fresh MatchOrders: every order must end the same way.
        var exactOrders = data.NewOrders();
        var exactFills = new List<MatchFill>(fills.Count);
        GC.Collect();
        var exactWatch = Stopwatch.StartNew();
        var exactWorking = 0;
        for (var i = 0; i < instruments; i++) exactWorking += MatchingEngine.Run(data.Bars[i], exactOrders[i], settings, exactFills);
        var exactSeconds = exactWatch.Elapsed.TotalSeconds;
        var disagreements = 0;
        foreach (var list in exactOrders)
        {
            foreach (var order in list)
            {
                var k = (int)order.Id;
                if ((double)order.FilledQuantity != perOrder[k] || order.Status != orders.Status(k) || order.StopTriggered != orders.StopTriggered(k)
                    || Math.Abs((double)order.Commission - orders.Commission(k)) > 1e-9 * Math.Max(1, (double)order.Commission)
                    || Math.Abs((double)order.AverageFillPrice - orders.AverageFillPrice(k)) > 1e-9 * Math.Max(1, (double)order.AverageFillPrice))
                    disagreements++;
            }
        }
        return new MatchingRun(Median(singleTimes), Median(parallelTimes), exactSeconds, fills.Count, quantity, notional, commission, working, perOrder,
            exactFills.Count, exactWorking, disagreements,
            $"{singleTimes.Count} runs each, single-threaded {singleTimes.Min():F3}–{singleTimes.Max():F3} s, parallel {parallelTimes.Min():F3}–{parallelTimes.Max():F3} s");
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

    /// <summary>--phases: DailyMatcher's timed run split into building the bars, grouping the orders and matching (fills appended), single-threaded and in parallel; medians of 5.</summary>
    private static void MatchingPhases(PortfolioBenchData data)
    {
        var settings = PortfolioBenchData.Settings;
        using var fills = new DailyFills();
        var instruments = data.Bars.Length;
        var orders = data.NewDailyOrders();
        foreach (var parallelism in new[] { 1, Environment.ProcessorCount })
        {
            var times = new List<(double Bars, double Group, double Match)>();
            var collections = new List<string>();
            for (var r = 0; r < 7; r++)
            {
                GC.Collect();
                int gc0 = GC.CollectionCount(0), gc1 = GC.CollectionCount(1), gc2 = GC.CollectionCount(2);
                var watch = Stopwatch.StartNew();
                var bars = new DailyBars[instruments];
                Parallel.For(0, instruments, new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                    i => bars[i] = new DailyBars(data.BarStart[i], data.BarOpen[i], data.BarHigh[i], data.BarLow[i], data.BarVolume[i]));
                var built = watch.Elapsed.TotalMilliseconds;
                DailyMatcher.Run(bars, orders, settings, fills, parallelism);
                var ran = watch.Elapsed.TotalMilliseconds;
                if (r >= 2) collections.Add($"{GC.CollectionCount(0) - gc0}/{GC.CollectionCount(1) - gc1}/{GC.CollectionCount(2) - gc2}");
                watch.Restart();
                orders.Group(instruments, out _, parallelism); // again, alone, to see its share
                var grouped = watch.Elapsed.TotalMilliseconds;
                if (r >= 2) times.Add((built, grouped, ran - built - grouped));
            }
            Console.WriteLine($"  phases, {parallelism} thread(s): bars {Median(times.Select(t => t.Bars / 1000).ToList()) * 1000:F1} ms, group {Median(times.Select(t => t.Group / 1000).ToList()) * 1000:F1} ms, " +
                              $"match {Median(times.Select(t => t.Match / 1000).ToList()) * 1000:F1} ms ({fills.Count:N0} fills); collections gen0/1/2 per run: {string.Join(", ", collections)}");
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

    private sealed record MetricsRun(
        double BatchSingleSeconds, double BatchParallelSeconds, double HistoriesSingleSeconds, double HistoriesParallelSeconds,
        double RunManySeconds, double CompiledSeconds, double ExactSeconds, FastPerformanceSummary[] Summaries, FastPerformanceSummary[] FromHistories,
        FastPerformanceSummary[] RunMany, PerformanceReport[] Exact)
    {
        /// <summary>The figure compared with pandas: the batch from columns, the faster of single-threaded and parallel.</summary>
        public double Seconds => Math.Min(BatchSingleSeconds, BatchParallelSeconds);

        public string Mode => BatchParallelSeconds < BatchSingleSeconds ? "parallel" : "single-threaded";
    }

    /// <summary>
    /// Metrics runs take a few milliseconds, where one pause of the machine (a timer tick, another process) is a large share
    /// of a sample: each sample times this many runs back to back and reports their mean.
    /// </summary>
    private const int MetricsRunsPerSample = 10;

    /// <summary>
    /// The figure compared is <see cref="FastPerformance.RunBatch(ReadOnlySpan{double}, PortfolioBatch, MetricsOptions?, int)"/>
    /// from the same columns portfolio_pandas.py reads (closes with NaN where missing, carried forward in the call; fills and
    /// flows with day indices and grid rows): building the <see cref="PortfolioBatch"/> from them and running it are timed,
    /// single-threaded and over every core. For information: from the histories (<see cref="PriceGrid"/> +
    /// <see cref="FastPerformance.RunBatch(PriceGrid, IReadOnlyList{PortfolioHistory}, MetricsOptions?, int)"/>), the older
    /// grid + <see cref="FastPerformance.RunMany(PriceGrid, IReadOnlyList{PortfolioHistory}, MetricsOptions?, int)"/>, RunMany on
    /// compiled portfolios, and the exact decimal path.
    /// </summary>
    private static MetricsRun Metrics(PortfolioBenchData data, PortfolioBenchOptions o, CancellationToken ct)
    {
        var histories = data.Histories;
        var columns = data.MetricsAsColumns();
        var cores = Environment.ProcessorCount;
        var days = data.GridDays.Length;

        FastPerformanceSummary[] FromColumns(int parallelism)
        {
            var batch = PortfolioBatch.FromColumns(days, columns.StartingCash, columns.FillStart, columns.FillDay, columns.FillRow, columns.FillQuantity,
                columns.FillPrice, columns.FillFees, columns.FlowStart, columns.FlowDay, columns.FlowAmount);
            return FastPerformance.RunBatch(columns.Closes, batch, maxDegreeOfParallelism: parallelism);
        }

        FastPerformanceSummary[] FromHistories(int parallelism) =>
            FastPerformance.RunBatch(new PriceGrid(data.GridDays, data.GridIds, data.GridCloses), histories, maxDegreeOfParallelism: parallelism);

        var warm = histories.Take(100).ToArray();
        for (var w = 0; w < 2; w++)
        {
            for (var k = 0; k < 5; k++)
            {
                FromColumns(1);
                FromColumns(cores);
                FromHistories(1);
                FromHistories(cores);
            }
            var g = new PriceGrid(data.GridDays, data.GridIds, data.GridCloses);
            for (var k = 0; k < 5; k++) FastPerformance.RunMany(g, warm);
            PortfolioPerformance.RunMany(g, warm.Take(20).ToArray());
            if (w == 0) Thread.Sleep(1000);
        }

        var repeats = Math.Max(5, o.Repeats);
        List<double> Time(Func<int, FastPerformanceSummary[]> run, int parallelism, out FastPerformanceSummary[] result)
        {
            var times = new List<double>();
            result = [];
            for (var r = 0; r < repeats; r++)
            {
                ct.ThrowIfCancellationRequested();
                GC.Collect();
                var watch = Stopwatch.StartNew();
                for (var k = 0; k < MetricsRunsPerSample; k++) result = run(parallelism);
                times.Add(watch.Elapsed.TotalSeconds / MetricsRunsPerSample);
            }
            return times;
        }

        var batchSingle = Time(FromColumns, 1, out var summaries);
        var batchParallel = Time(FromColumns, cores, out _);
        var historiesSingle = Time(FromHistories, 1, out var fromHistories);
        var historiesParallel = Time(FromHistories, cores, out _);

        var runMany = new List<double>();
        FastPerformanceSummary[] runManySummaries = [];
        PriceGrid grid = null!;
        for (var r = 0; r < repeats; r++)
        {
            ct.ThrowIfCancellationRequested();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            grid = new PriceGrid(data.GridDays, data.GridIds, data.GridCloses);
            runManySummaries = FastPerformance.RunMany(grid, histories);
            runMany.Add(watch.Elapsed.TotalSeconds);
        }

        var compiled = histories.Select(h => CompiledPortfolio.Compile(grid, h)).ToArray();
        var compiledTimes = new List<double>();
        for (var r = 0; r < repeats; r++)
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
        return new MetricsRun(Median(batchSingle), Median(batchParallel), Median(historiesSingle), Median(historiesParallel), Median(runMany),
            Median(compiledTimes), Median(exactTimes), summaries, fromHistories, runManySummaries, exact);
    }

    private static void CompareMatching(string dir, PortfolioBenchData data, MatchingRun cs, Dictionary<string, string> pandas, List<string> problems)
    {
        double P(string key) => double.Parse(pandas[key], CultureInfo.InvariantCulture);
        if (P("matching_fills") != cs.Fills) problems.Add($"matching: {cs.Fills} fills in C#, {P("matching_fills")} in pandas.");
        if (P("matching_quantity") != cs.Quantity) problems.Add($"matching: {cs.Quantity} shares filled in C#, {P("matching_quantity")} in pandas.");
        if (P("matching_working") != cs.Working) problems.Add($"matching: {cs.Working} orders still working in C#, {P("matching_working")} in pandas.");
        foreach (var (name, mine) in new[] { ("notional", cs.Notional), ("commission", cs.Commission) })
        {
            var theirs = P("matching_" + name);
            if (Math.Abs(mine - theirs) > 1e-9 * Math.Max(1, Math.Abs(theirs))) problems.Add($"matching: total {name} {mine} in C#, {theirs} in pandas.");
        }
        var filled = ReadDoubles(Path.Combine(dir, "m_filled.bin"));
        var differing = Enumerable.Range(0, data.OrderCount).Where(k => cs.FilledPerOrder[k] != filled[k]).ToList();
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
    /// The figures portfolio_pandas.py writes (its METRICS columns, in this order) and how far apart the two sides may be:
    /// an absolute difference for fractions near zero, a relative one (at least 1 in the denominator) for money and
    /// ratios, none for days and counts. NaN on the pandas side is null on ours.
    /// </summary>
    private static readonly (string Name, Func<FastPerformanceSummary, double?> Of, double Tolerance, bool Relative)[] MetricColumns =
    [
        ("twr", f => f.TimeWeightedReturn, 1e-7, false),
        ("max drawdown", f => f.MaxDrawdown, 1e-7, false),
        ("Sharpe", f => f.Sharpe, 1e-7, true),
        ("Sortino", f => f.Sortino, 1e-7, true),
        ("ending equity", f => f.EndingEquity, 1e-9, true),
        ("total P&L", f => f.TotalPnl, 1e-9, true),
        ("annualised return", f => f.AnnualisedReturn, 1e-7, true),
        ("peak day", f => f.PeakDay, 0, false),
        ("trough day", f => f.TroughDay, 0, false),
        ("recovery day", f => f.RecoveryDay, 0, false),
        ("trades", f => f.Trades, 0, false),
        ("wins", f => f.Wins, 0, false),
        ("losses", f => f.Losses, 0, false),
        ("gross profit", f => f.GrossProfit, 1e-7, true),
        ("gross loss", f => f.GrossLoss, 1e-7, true),
        ("win rate", f => f.WinRate, 1e-12, false),
        ("profit factor", f => f.ProfitFactor, 1e-7, true),
        ("time in market", f => f.TimeInMarket, 1e-12, false),
        ("average gross exposure", f => f.AverageGrossExposure, 1e-9, true),
    ];

    /// <summary>Every figure against pandas (<see cref="MetricColumns"/>), and TWR and drawdown against the exact path; returns the largest difference found, each figure's in its own measure (absolute or relative).</summary>
    private static double CompareMetrics(string dir, FastPerformanceSummary[] fast, PerformanceReport[] exact, List<string> problems)
    {
        var raw = ReadDoubles(Path.Combine(dir, "g_out.bin"));
        var n = fast.Length;
        if (raw.Length != MetricColumns.Length * n)
        {
            problems.Add($"metrics: pandas wrote {raw.Length} values, expected {MetricColumns.Length} figures × {n} portfolios.");
            return double.NaN;
        }
        var worst = 0.0;
        for (var c = 0; c < MetricColumns.Length; c++)
        {
            var (name, of, tolerance, relative) = MetricColumns[c];
            var (missing, differing, largest) = (0, 0, 0.0);
            for (var p = 0; p < n; p++)
            {
                var mine = of(fast[p]) ?? double.NaN;
                var theirs = raw[c * n + p];
                if (double.IsNaN(mine) != double.IsNaN(theirs))
                {
                    missing++;
                    continue;
                }
                if (double.IsNaN(mine)) continue;
                var difference = Math.Abs(mine - theirs) / (relative ? Math.Max(1, Math.Abs(theirs)) : 1);
                largest = Math.Max(largest, difference);
                if (difference > tolerance) differing++;
            }
            if (missing + differing > 0) problems.Add($"metrics: {name}: {differing} portfolios differ from pandas (largest {largest:E2}), {missing} missing on one side.");
            worst = Math.Max(worst, largest);
        }
        for (var p = 0; p < n; p++)
        {
            var e = exact[p];
            var exactWorst = Math.Max(Math.Abs(e.Returns.TimeWeightedReturn - fast[p].TimeWeightedReturn), Math.Abs(e.Drawdown.MaxDrawdown - fast[p].MaxDrawdown));
            if (exactWorst > 1e-9) problems.Add($"metrics: portfolio {p}: the fast path differs from the exact one by {exactWorst:E2}.");
        }
        return worst;
    }

    private static double[] ReadDoubles(string path) => MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(path)).ToArray();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
