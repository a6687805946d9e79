using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Stats;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench journal</c>: the trading journal's kernels on a generated ledger, run as a list of stages (<see cref="Stages"/>;
/// a later import stage slots in before <c>campaigns</c>):
/// <list type="number">
/// <item><b>generate</b>: --fills (1 000 000) fills over --symbols (2 000) from --seed, in campaign shapes (one to three
/// entries, one to four exits, 12 % of closes flipping through zero, some timestamps shared), chronological with ids in
/// time order, written to a temp fills.csv (id,symbol,side,quantity,price,fees,executed_at).</item>
/// <item><b>parse</b>: the CSV into <see cref="LedgerFill"/>s, then into <see cref="FillColumns"/> (each timed apart).</item>
/// <item><b>campaigns</b>: <see cref="FastCampaignBuilder.Build"/> (the figure compared) and the decimal
/// <see cref="CampaignBuilder.Build"/>, which must agree campaign by campaign.</item>
/// <item><b>pandas</b>: journal_pandas.py, the same grouping vectorised, on the same CSV; campaign count, group ids, each
/// campaign's and the total realised P&amp;L (1e-6 relative) must agree, else the bench fails.</item>
/// <item><b>stats</b>: <see cref="JournalStats.Compute"/> over the closed campaigns and over 100 000 of them.</item>
/// <item><b>import</b>: the app's file import of the same CSV into a private PostgreSQL (<see cref="JournalImportStage"/>); --no-import skips it.</item>
/// </list>
/// Every time is the median of --repeats (3) runs after a warm-up; single-threaded.
/// </summary>
public sealed class JournalBench : IBench
{
    public string Name => "journal";

    public string Description => "FIFO campaigns (fast path and decimal builder) vs pandas, and the journal statistics (options: --fills, --symbols, --seed, --repeats, --python)";

    /// <summary>The stages in order; each reads and adds to the run's state.</summary>
    private static readonly (string Name, Func<Run, CancellationToken, Task> Execute)[] Stages =
    [
        ("generate", (r, ct) => Generate(r)),
        ("parse", (r, ct) => Parse(r)),
        ("campaigns", (r, ct) => BuildCampaigns(r, ct)),
        ("pandas", RunPandasAsync),
        ("stats", (r, ct) => Statistics(r, ct)),
        ("import", (r, ct) => r.SkipImport ? Task.CompletedTask : JournalImportStage.RunAsync(r.CsvPath, r.Folder, r.Repeats, r.Metrics, r.Problems, ct)),
    ];

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var run = new Run
        {
            Fills = BenchOutput.IntOption(args, "fills", 1_000_000),
            Symbols = BenchOutput.IntOption(args, "symbols", 2_000),
            Seed = BenchOutput.IntOption(args, "seed", 20240304),
            Repeats = BenchOutput.IntOption(args, "repeats", 3),
            Python = BenchPython.Find(BenchOutput.Option(args, "python", ""), "journal"),
            Folder = Directory.CreateTempSubdirectory("signalbook-bench-journal-").FullName,
            SkipImport = args.Contains("--no-import"),
        };
        Console.WriteLine($"bench journal: {Environment.ProcessorCount} cores, .NET {Environment.Version}; median of {run.Repeats} runs per figure, single-threaded.");
        try
        {
            foreach (var (name, execute) in Stages)
            {
                ct.ThrowIfCancellationRequested();
                var watch = Stopwatch.StartNew();
                await execute(run, ct);
                Console.WriteLine($"[{name}] done in {watch.Elapsed.TotalSeconds:F1} s");
            }
            foreach (var problem in run.Problems) Console.Error.WriteLine("MISMATCH " + problem);
            var ratio = run.Metrics["pandas_ms"] / run.Metrics["campaigns_ms"];
            Console.WriteLine($"Campaign building: fast path {run.Metrics["campaigns_ms"]:F1} ms, decimal builder {run.Metrics["campaigns_decimal_ms"]:F0} ms, " +
                              $"pandas {run.Metrics["pandas_ms"]:F0} ms → {ratio:F1}× pandas (decimal builder {run.Metrics["pandas_ms"] / run.Metrics["campaigns_decimal_ms"]:F2}×); " +
                              $"checks: {(run.Problems.Count == 0 ? "all agree" : $"{run.Problems.Count} MISMATCHES")}.");
            var metrics = new List<(string, object)> { ("campaigns_ratio_vs_pandas", ratio) };
            metrics.AddRange(run.Metrics.Select(m => (m.Key, (object)m.Value)));
            metrics.Add(("agree", run.Problems.Count == 0 ? "yes" : "no"));
            BenchOutput.Result("journal", [.. metrics]);
            return run.Problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(run.Folder, recursive: true);
        }
    }

    /// <summary>What the stages share.</summary>
    private sealed class Run
    {
        public required int Fills, Symbols, Seed, Repeats;
        public required string Python, Folder;
        public bool SkipImport;
        public string CsvPath => Path.Combine(Folder, "fills.csv");
        public LedgerFill[] Ledger = [];
        public FillColumns Columns = null!;
        public CampaignTable Fast = null!;
        public IReadOnlyList<Campaign> Exact = [];

        /// <summary>Figures for the RESULT line, in order of insertion.</summary>
        public readonly Dictionary<string, double> Metrics = [];

        public readonly List<string> Problems = [];
    }

    private static Task Generate(Run run)
    {
        var random = new Random(run.Seed);
        var perSymbol = run.Fills / run.Symbols;
        var start = new DateTimeOffset(2022, 1, 3, 14, 30, 0, TimeSpan.Zero).UtcTicks;
        var rows = new List<(long Ticks, int Symbol, int Seq, long Signed, decimal Price)>(run.Fills);
        for (var s = 0; s < run.Symbols; s++)
        {
            var count = perSymbol + (s < run.Fills % run.Symbols ? 1 : 0);
            var ticks = start + random.NextInt64(0, TimeSpan.TicksPerDay * 30) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
            var price = 10m + random.Next(0, 49_000) / 100m;
            long position = 0;
            var made = 0;
            long Gap(bool within) => TimeSpan.TicksPerSecond * (within ? random.Next(1, 3 * 86_400) : random.Next(3_600, 10 * 86_400));
            void Add(long signed)
            {
                if (made > 0 && random.Next(20) > 0) ticks += Gap(within: position != 0);
                price = Math.Max(1m, Math.Round(price * (1m + (decimal)(random.NextDouble() - 0.5) * 0.04m), 2));
                rows.Add((ticks, s, made++, signed, price));
                position += signed;
            }
            while (made < count)
            {
                // A campaign: open (unless a flip already did), scale in, scale out, close or flip.
                var direction = position != 0 ? Math.Sign(position) : random.Next(10) < 7 ? 1 : -1;
                if (position == 0) Add(direction * random.Next(10, 500));
                for (var k = random.Next(0, 3); k > 0 && made < count; k--) Add(direction * random.Next(10, 300));
                for (var k = random.Next(0, 3); k > 0 && made < count && Math.Abs(position) > 1; k--) Add(-direction * random.Next(1, (int)Math.Abs(position)));
                if (made >= count) break;
                var flip = random.Next(100) < 12;
                Add(-position - (flip ? direction * random.Next(10, 300) : 0));
            }
        }
        rows.Sort((a, b) => a.Ticks != b.Ticks ? a.Ticks.CompareTo(b.Ticks) : a.Symbol != b.Symbol ? a.Symbol.CompareTo(b.Symbol) : a.Seq.CompareTo(b.Seq));
        using var writer = new StreamWriter(run.CsvPath, false, new UTF8Encoding(false), 1 << 20);
        writer.Write("id,symbol,side,quantity,price,fees,executed_at\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var quantity = Math.Abs(r.Signed);
            var fees = Math.Max(1m, Math.Round(quantity * 0.005m, 2));
            writer.Write(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1},S{r.Symbol:D4},{(r.Signed > 0 ? "buy" : "sell")},{quantity},{r.Price},{fees},{new DateTime(r.Ticks, DateTimeKind.Utc):yyyy-MM-dd'T'HH:mm:ss'Z'}\n"));
        }
        Console.WriteLine($"Generated {rows.Count:N0} fills over {run.Symbols:N0} symbols (seed {run.Seed}) into {run.CsvPath}.");
        return Task.CompletedTask;
    }

    private static Task Parse(Run run)
    {
        var watch = Stopwatch.StartNew();
        var lines = File.ReadAllLines(run.CsvPath);
        var ledger = new LedgerFill[lines.Length - 1];
        var symbols = new Dictionary<string, string>(StringComparer.Ordinal);
        var lookup = symbols.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<Range> parts = stackalloc Range[8];
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].AsSpan();
            if (line.Split(parts, ',') != 7) throw new FormatException($"Line {i + 1} of the CSV has not 7 fields.");
            var symbolSpan = line[parts[1]];
            if (!lookup.TryGetValue(symbolSpan, out var symbol))
            {
                symbol = symbolSpan.ToString();
                symbols[symbol] = symbol;
            }
            var inv = CultureInfo.InvariantCulture;
            ledger[i - 1] = new LedgerFill(
                long.Parse(line[parts[0]], inv), symbol, FillAssetType.Equity, line[parts[2]].SequenceEqual("buy") ? FillSide.Buy : FillSide.Sell,
                decimal.Parse(line[parts[3]], inv), decimal.Parse(line[parts[4]], inv), decimal.Parse(line[parts[5]], inv),
                DateTimeOffset.ParseExact(line[parts[6]], "yyyy-MM-dd'T'HH:mm:ss'Z'", inv, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
        }
        run.Ledger = ledger;
        run.Metrics["parse_ms"] = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        run.Columns = FillColumns.From(ledger);
        run.Metrics["columns_ms"] = watch.Elapsed.TotalMilliseconds;
        Console.WriteLine($"Parsed {ledger.Length:N0} fills in {run.Metrics["parse_ms"]:F0} ms; columns for the fast path in {run.Metrics["columns_ms"]:F0} ms.");
        return Task.CompletedTask;
    }

    private static Task BuildCampaigns(Run run, CancellationToken ct)
    {
        FastCampaignBuilder.Build(run.Columns);
        run.Metrics["campaigns_ms"] = MedianMs(run.Repeats, ct, () => run.Fast = FastCampaignBuilder.Build(run.Columns));
        CampaignBuilder.Build(run.Ledger.AsSpan(0, Math.Min(50_000, run.Ledger.Length)).ToArray());
        run.Metrics["campaigns_decimal_ms"] = MedianMs(run.Repeats, ct, () => run.Exact = CampaignBuilder.Build(run.Ledger));
        var fast = run.Fast;
        var open = Enumerable.Range(0, fast.Count).Count(fast.IsOpen);
        Console.WriteLine($"Campaigns: {fast.Count:N0} ({open:N0} open, {fast.LegCount - run.Ledger.Length:N0} flips); fast path {run.Metrics["campaigns_ms"]:F1} ms, " +
                          $"decimal builder {run.Metrics["campaigns_decimal_ms"]:F0} ms.");

        // The fast path against the decimal builder, campaign by campaign.
        if (run.Exact.Count != fast.Count) run.Problems.Add($"campaigns: decimal builder {run.Exact.Count}, fast path {fast.Count}.");
        var exact = run.Exact.ToDictionary(c => c.GroupId);
        var legCounts = new int[fast.Count];
        for (var l = 0; l < fast.LegCount; l++) legCounts[fast.LegCampaign[l]]++;
        var differing = 0;
        for (var c = 0; c < fast.Count; c++)
        {
            if (!exact.TryGetValue(fast.GroupId[c], out var e) || e.Legs.Count != legCounts[c]
                || Math.Abs((double)e.RealisedPnl - fast.RealisedPnl[c]) > 1e-6 * Math.Max(1, Math.Abs((double)e.RealisedPnl))) differing++;
        }
        if (differing > 0) run.Problems.Add($"campaigns: {differing} campaigns differ between the fast path and the decimal builder.");
        run.Metrics["campaigns"] = fast.Count;
        return Task.CompletedTask;
    }

    private static async Task RunPandasAsync(Run run, CancellationToken ct)
    {
        var script = Path.Combine(BenchOutput.RepositoryRoot() ?? ".", "App.Bench", "journal_pandas.py");
        if (!File.Exists(script)) throw new FileNotFoundException($"The pandas script is not at {script}; run the bench from the repository.", script);
        var pandas = await BenchPython.RunScriptAsync(run.Python, script, run.Folder, ct);
        double P(string key) => double.Parse(pandas[key], CultureInfo.InvariantCulture);
        run.Metrics["pandas_ms"] = P("campaigns_seconds") * 1e3;

        var fast = run.Fast;
        var total = 0.0;
        for (var c = 0; c < fast.Count; c++) total += fast.RealisedPnl[c];
        var exactTotal = (double)run.Exact.Sum(c => c.RealisedPnl);
        if ((int)P("campaigns") != fast.Count) run.Problems.Add($"pandas: {P("campaigns")} campaigns, C# {fast.Count}.");
        foreach (var (name, mine) in new[] { ("fast path", total), ("decimal builder", exactTotal) })
        {
            if (Math.Abs(mine - P("realised")) > 1e-6 * Math.Max(1, Math.Abs(P("realised"))))
                run.Problems.Add($"pandas: total realised P&L {P("realised")}, C# {name} {mine}.");
        }
        var gid = MemoryMarshal.Cast<byte, long>(File.ReadAllBytes(Path.Combine(run.Folder, "p_gid.bin"))).ToArray();
        var pnl = MemoryMarshal.Cast<byte, double>(File.ReadAllBytes(Path.Combine(run.Folder, "p_pnl.bin"))).ToArray();
        var theirs = new Dictionary<long, double>(gid.Length);
        for (var i = 0; i < gid.Length; i++) theirs[gid[i]] = pnl[i];
        var differing = 0;
        for (var c = 0; c < fast.Count; c++)
        {
            if (!theirs.TryGetValue(fast.GroupId[c], out var p) || Math.Abs(p - fast.RealisedPnl[c]) > 1e-6 * Math.Max(100, Math.Abs(p))) differing++;
        }
        if (differing > 0) run.Problems.Add($"pandas: {differing} campaigns differ in group id or realised P&L.");
        run.Metrics["realised_total"] = exactTotal;
        Console.WriteLine($"pandas {pandas.GetValueOrDefault("pandas", "?")} (numpy {pandas.GetValueOrDefault("numpy", "?")}): {run.Metrics["pandas_ms"]:F0} ms, " +
                          $"{P("campaigns"):N0} campaigns, realised {P("realised"):N2} (C# {exactTotal:N2}); campaigns differing: {differing}.");
    }

    private static Task Statistics(Run run, CancellationToken ct)
    {
        string[] strategies = ["Breakout", "Pullback", "Mean reversion", "Earnings"];
        string[] tags = ["A+", "news", "gap", "late", "revenge"];
        string[] emotions = ["calm", "fomo", "fear", "greed"];
        string[] regimes = ["bull", "bear", "chop"];
        var summaries = run.Exact.Where(c => !c.IsOpen).Select(c =>
        {
            var h = (int)(c.GroupId % 9973);
            return CampaignSummary.From(c, h % 3 == 0 ? null : (h % 61 - 30) / 10m, strategies[h % 4], [tags[h % 5], tags[h / 5 % 5]], [emotions[h % 4]],
                regimes[h % 3], h % 7 == 0 ? ["R" + (h % 4)] : null);
        }).ToArray();
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var hundredK = Enumerable.Range(0, 100_000).Select(i => summaries[i % summaries.Length]).ToArray();
        JournalStats.Compute(hundredK, zone);
        JournalStatistics stats = null!;
        run.Metrics["stats_ms"] = MedianMs(run.Repeats, ct, () => stats = JournalStats.Compute(summaries, zone));
        run.Metrics["stats_100k_ms"] = MedianMs(run.Repeats, ct, () => JournalStats.Compute(hundredK, zone));
        if (stats.Summary.NetPnl != summaries.Sum(s => s.Pnl)) run.Problems.Add("stats: the net P&L is not the sum of the campaigns'.");
        Console.WriteLine($"Statistics: {summaries.Length:N0} closed campaigns in {run.Metrics["stats_ms"]:F1} ms, 100 000 in {run.Metrics["stats_100k_ms"]:F1} ms " +
                          $"(win rate {stats.Summary.WinRatePct:F1} %, profit factor {stats.Summary.ProfitFactor:F2}, max drawdown {stats.Summary.MaxDrawdown:N0}).");
        return Task.CompletedTask;
    }

    private static double MedianMs(int repeats, CancellationToken ct, Action action)
    {
        var times = new List<double>();
        for (var r = 0; r < Math.Max(1, repeats); r++)
        {
            ct.ThrowIfCancellationRequested();
            GC.Collect();
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
    }
}
