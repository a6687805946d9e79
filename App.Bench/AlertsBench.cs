using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Signalbook.Data;
using Signalbook.Features.Alerts;
using Signalbook.Features.Notifications;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench alerts</c>: 100 000 alert rules (--rules) over 5 000 instruments (--instruments) evaluated after a sync.
/// <list type="number">
/// <item><b>generate</b>: from --seed, each instrument's two newest daily closes, RSI, distance from the 52-week high,
/// volume z-score, regime state and the newest two recommendation labels per profile (a few values missing), and the
/// rules (price crossings near the close, daily moves, indicator crossings, regime and recommendation changes; some
/// cooling down, some already past this bar); written to snapshot.csv and rules.csv for pandas (round-trip doubles).</item>
/// <item><b>kernel</b>: <see cref="AlertKernel.Evaluate"/> on the arrays (the figure compared with pandas).</item>
/// <item><b>pandas</b>: alerts_pandas.py, the same checks as a pandas join and numpy masks on the same input; the firing
/// sets must be identical (agree=yes).</item>
/// <item><b>database</b>: the same market and rules in a private PostgreSQL (migrated; bars, features, recommendations,
/// 1 000 users), then the app's <see cref="AlertEvaluator.EvaluateAsync"/> without notifications: the rules and the
/// two-bar snapshot loaded, the kernel, the alerts INSERT and the rules UPDATE, committed. Its firing set must equal the
/// kernel's. The rules' state is restored and the alerts emptied before each repeat.</item>
/// </list>
/// The database figure is the median of --repeats (5) after a warm-up; the kernel's and pandas' of --kernel-repeats (15),
/// the kernel both on all cores (the figure compared) and on one thread (kernel_1thread_ms, for reference). Then, unless
/// --no-logs, <c>bench logs</c> runs in a child process and its figures join the RESULT line (log_overhead_pct and others).
/// </summary>
public sealed class AlertsBench : IBench
{
    public string Name => "alerts";

    public string Description => "100 000 alert rules over 5 000 instruments: kernel vs pandas, and the evaluator end to end on PostgreSQL (options: --rules, --instruments, --seed, --repeats, --kernel-repeats, --python, --no-db, --no-logs)";

    private static readonly DateTimeOffset CurBar = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PrevBar = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 22, 0, 0, TimeSpan.Zero);
    private const int Users = 1000;

    /// <summary>The RESULT line's keys and values, in order.</summary>
    public Dictionary<string, object> Metrics { get; } = [];

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var instruments = BenchOutput.IntOption(args, "instruments", 5_000);
        var ruleCount = BenchOutput.IntOption(args, "rules", 100_000);
        var seed = BenchOutput.IntOption(args, "seed", 20261201);
        var repeats = BenchOutput.IntOption(args, "repeats", 5);
        var kernelRepeats = BenchOutput.IntOption(args, "kernel-repeats", 15);
        var python = BenchPython.Find(BenchOutput.Option(args, "python", ""), "alerts");
        var folder = Directory.CreateTempSubdirectory("signalbook-bench-alerts-").FullName;
        Console.WriteLine($"bench alerts: {Environment.ProcessorCount} cores, .NET {Environment.Version}; {ruleCount:N0} rules over {instruments:N0} instruments; median of {repeats} runs.");
        var problems = new List<string>();
        try
        {
            var watch = Stopwatch.StartNew();
            var (snap, frac, rules, users) = Generate(instruments, ruleCount, seed);
            WriteCsv(folder, snap, frac, rules);
            File.WriteAllText(Path.Combine(folder, "repeats.txt"), kernelRepeats.ToString(CultureInfo.InvariantCulture));
            Console.WriteLine($"[generate] done in {watch.Elapsed.TotalSeconds:F1} s");

            // The kernel is cheap to repeat, so its median (and pandas') is over more runs than the database's: a 2 ms figure on a shared machine needs them.
            RuleOutcome[] outcome = [], serial = [];
            var kernelMs = Median(kernelRepeats, () => outcome = AlertKernel.Evaluate(snap, rules, Now.UtcTicks));
            var kernelSerialMs = Median(kernelRepeats, () => serial = AlertKernel.Evaluate(snap, rules, Now.UtcTicks, parallel: false));
            if (!outcome.AsSpan().SequenceEqual(serial)) problems.Add("the kernel's parallel and one-thread outcomes differ.");
            var fired = Enumerable.Range(0, rules.Count).Where(k => outcome[k] == RuleOutcome.Fired).Select(k => (long)k).ToArray();
            Console.WriteLine($"[kernel] {fired.Length:N0} rules fire; {kernelMs:F2} ms ({kernelSerialMs:F2} ms on one thread); median of {kernelRepeats}");

            var script = Path.Combine(BenchOutput.RepositoryRoot() ?? ".", "App.Bench", "alerts_pandas.py");
            if (!File.Exists(script)) throw new FileNotFoundException($"The pandas script is not at {script}; run the bench from the repository.", script);
            var pandas = await BenchPython.RunScriptAsync(python, script, folder, ct);
            var pandasMs = double.Parse(pandas["kernel_seconds"], CultureInfo.InvariantCulture) * 1e3;
            var pandasFired = ReadInt64s(Path.Combine(folder, "p_fired.bin"));
            if (!pandasFired.SequenceEqual(fired)) problems.Add($"pandas fires {pandasFired.Length} rules, C# {fired.Length}; first difference at rule {FirstDifference(pandasFired, fired)}.");
            Console.WriteLine($"[pandas] {pandasFired.Length:N0} rules fire; {pandasMs:F1} ms");

            double? evaluateMs = null;
            if (!args.Contains("--no-db"))
            {
                watch.Restart();
                (var ms, var dbFired) = await DatabaseAsync(folder, snap, frac, rules, users, repeats, ct);
                if (!dbFired.SequenceEqual(fired)) problems.Add($"the evaluator on PostgreSQL fired {dbFired.Length} rules, the kernel {fired.Length}; first difference at rule {FirstDifference(dbFired, fired)}.");
                evaluateMs = ms;
                Console.WriteLine($"[database] done in {watch.Elapsed.TotalSeconds:F1} s; evaluator {ms:F0} ms (median)");
            }
            if (evaluateMs is { } e) Metrics["evaluate_ms"] = e;
            Metrics["kernel_ms"] = kernelMs;
            Metrics["kernel_1thread_ms"] = kernelSerialMs;
            Metrics["pandas_ms"] = pandasMs;
            Metrics["kernel_vs_pandas"] = pandasMs / kernelMs;
            Metrics["rules"] = ruleCount;
            Metrics["instruments"] = instruments;
            Metrics["fired"] = fired.Length;
            foreach (var p in problems) Console.Error.WriteLine("MISMATCH " + p);
            var problemsBeforeLogs = problems.Count;
            if (!args.Contains("--no-logs"))
            {
                // The log provider's overhead, in the same run: `bench logs` in a child process under the app's (server) collector.
                watch.Restart();
                var (code, logs) = await BenchProcess.RunBenchAsync(["logs"], ct);
                if (code != 0 || !logs.TryGetValue("overhead_pct", out var overhead)) problems.Add($"bench logs failed (exit code {code}).");
                else
                {
                    Metrics["log_overhead_pct"] = overhead;
                    Metrics["log_overhead_iqr_pct"] = logs["overhead_iqr_pct"];
                    Metrics["log_overhead_writing_pct"] = logs["overhead_writing_pct"];
                    Metrics["log_path_ns_per_line"] = logs["path_ns_per_line"];
                }
                Console.WriteLine($"[logs] done in {watch.Elapsed.TotalSeconds:F1} s");
            }
            foreach (var p in problems.Skip(problemsBeforeLogs)) Console.Error.WriteLine("MISMATCH " + p);
            Metrics["agree"] = problems.Count == 0 ? "yes" : "no";
            BenchOutput.Result("alerts", [.. Metrics.Select(m => (m.Key, m.Value))]);
            return problems.Count == 0 ? 0 : 1;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(int repeats, Action act)
    {
        act();
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var w = Stopwatch.StartNew();
            act();
            times.Add(w.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static string FirstDifference(long[] a, long[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
            if (a[i] != b[i]) return Math.Min(a[i], b[i]).ToString(CultureInfo.InvariantCulture);
        return n.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The market (with the 52-week distance as the stored fraction beside it) and the rules, deterministic from the seed.</summary>
    private static (MarketSnapshot Snap, (double[] Cur, double[] Prev) Frac, RuleColumns Rules, int[] Users) Generate(int n, int count, int seed)
    {
        var rnd = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
        double Maybe(double v) => rnd.NextDouble() < 0.02 ? double.NaN : v;
        var s = new MarketSnapshot(n);
        var curFrac = new double[n];
        var prevFrac = new double[n];
        for (var i = 0; i < n; i++)
        {
            s.InstrumentIds[i] = i;
            s.Symbols[i] = $"B{i:D5}";
            s.CurTs[i] = CurBar.UtcTicks;
            s.PrevTs[i] = PrevBar.UtcTicks;
            s.PrevClose[i] = Math.Round(5 + 495 * rnd.NextDouble(), 2);
            s.CurClose[i] = Math.Round(s.PrevClose[i] * (1 + 0.025 * Normal()), 2);
            s.PrevRsi[i] = Maybe(Math.Clamp(50 + 15 * Normal(), 1, 99));
            s.CurRsi[i] = Maybe(Math.Clamp(s.PrevRsi[i] + 6 * Normal(), 1, 99));
            prevFrac[i] = Maybe(-0.3 * rnd.NextDouble());
            curFrac[i] = Maybe(Math.Min(0, prevFrac[i] + 0.02 * Normal()));
            s.PrevDist[i] = prevFrac[i] * 100.0;
            s.CurDist[i] = curFrac[i] * 100.0;
            s.PrevVolZ[i] = Maybe(Normal());
            s.CurVolZ[i] = Maybe(Normal() * 1.3);
            s.PrevState[i] = rnd.NextDouble() < 0.03 ? MarketSnapshot.NoState : rnd.Next(3);
            s.CurState[i] = rnd.NextDouble() < 0.15 ? rnd.Next(-1, 3) : s.PrevState[i] == MarketSnapshot.NoState ? 0 : s.PrevState[i];
            for (var p = 0; p < MarketSnapshot.Profiles; p++)
            {
                s.PrevRecLabel[p][i] = (byte)rnd.Next(0, 4);
                s.RecLabel[p][i] = rnd.NextDouble() < 0.7 ? s.PrevRecLabel[p][i] == 0 ? (byte)2 : s.PrevRecLabel[p][i] : (byte)rnd.Next(1, 4);
                s.RecTs[p][i] = rnd.NextDouble() < 0.85 ? CurBar.UtcTicks : PrevBar.UtcTicks;
            }
        }
        var r = new RuleColumns(count);
        var users = new int[count];
        for (var k = 0; k < count; k++)
        {
            r.RuleIds[k] = k;
            users[k] = rnd.Next(Users);
            var i = rnd.Next(n);
            r.Slot[k] = i;
            var pick = rnd.NextDouble();
            r.Kind[k] = pick switch { < 0.2 => AlertCodes.PriceCrossAbove, < 0.4 => AlertCodes.PriceCrossBelow, < 0.6 => AlertCodes.PctMoveDay, < 0.85 => AlertCodes.IndicatorCross, < 0.925 => AlertCodes.RegimeChange, _ => AlertCodes.RecommendationChange };
            r.Threshold[k] = double.NaN;
            r.Profile[k] = 1;
            switch (r.Kind[k])
            {
                case AlertCodes.PriceCrossAbove or AlertCodes.PriceCrossBelow:
                    r.Threshold[k] = Math.Round(s.PrevClose[i] * (1 + 0.08 * (rnd.NextDouble() - 0.5)), 2);
                    break;
                case AlertCodes.PctMoveDay:
                    r.Threshold[k] = Math.Round(0.5 + 4.5 * rnd.NextDouble(), 1);
                    r.Direction[k] = (byte)rnd.Next(AlertCodes.Up, AlertCodes.Either + 1);
                    break;
                case AlertCodes.IndicatorCross:
                    r.Indicator[k] = (byte)rnd.Next(AlertCodes.Rsi, AlertCodes.VolZ + 1);
                    r.Direction[k] = (byte)rnd.Next(AlertCodes.Above, AlertCodes.Below + 1);
                    r.Threshold[k] = r.Indicator[k] switch
                    {
                        AlertCodes.Rsi => Math.Round(20 + 60 * rnd.NextDouble()),
                        AlertCodes.Dist => Math.Round(-30 * rnd.NextDouble(), 1),
                        _ => Math.Round(-2 + 5 * rnd.NextDouble(), 1),
                    };
                    break;
                case AlertCodes.RecommendationChange:
                    r.Profile[k] = (byte)rnd.Next(3);
                    break;
            }
            r.CooldownTicks[k] = TimeSpan.TicksPerMinute * (rnd.NextDouble() < 0.5 ? 0 : 60);
            r.LastFired[k] = rnd.NextDouble() < 0.1 ? Now.AddMinutes(-30).UtcTicks : long.MinValue;
            r.LastBar[k] = rnd.NextDouble() < 0.05 ? CurBar.UtcTicks : long.MinValue;
        }
        // The evaluator loads the rules ordered by (kind, instrument) (AlertEvaluator); the bench hands both sides that order too.
        var order = Enumerable.Range(0, count).OrderBy(k => r.Kind[k]).ThenBy(k => r.Slot[k]).ThenBy(k => k).ToArray();
        var sorted = new RuleColumns(count);
        var sortedUsers = new int[count];
        for (var k = 0; k < count; k++)
        {
            var o = order[k];
            sorted.RuleIds[k] = k;
            sortedUsers[k] = users[o];
            (sorted.Kind[k], sorted.Slot[k], sorted.Indicator[k], sorted.Direction[k], sorted.Threshold[k], sorted.Profile[k]) =
                (r.Kind[o], r.Slot[o], r.Indicator[o], r.Direction[o], r.Threshold[o], r.Profile[o]);
            (sorted.CooldownTicks[k], sorted.LastFired[k], sorted.LastBar[k]) = (r.CooldownTicks[o], r.LastFired[o], r.LastBar[o]);
        }
        return (s, (curFrac, prevFrac), sorted, sortedUsers);
    }

    private static string D(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static void WriteCsv(string folder, MarketSnapshot s, (double[] Cur, double[] Prev) frac, RuleColumns r)
    {
        var sb = new StringBuilder("cur_ts,prev_ts,cur_close,prev_close,cur_rsi,prev_rsi,cur_dist_frac,prev_dist_frac,cur_volz,prev_volz,cur_state,prev_state,rec_label0,rec_label1,rec_label2,prev_rec_label0,prev_rec_label1,prev_rec_label2,rec_ts0,rec_ts1,rec_ts2\n");
        for (var i = 0; i < s.Count; i++)
        {
            string St(int v) => v == MarketSnapshot.NoState ? "" : v.ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"{s.CurTs[i]},{s.PrevTs[i]},{D(s.CurClose[i])},{D(s.PrevClose[i])},{D(s.CurRsi[i])},{D(s.PrevRsi[i])},{D(frac.Cur[i])},{D(frac.Prev[i])},")
              .Append(CultureInfo.InvariantCulture, $"{D(s.CurVolZ[i])},{D(s.PrevVolZ[i])},{St(s.CurState[i])},{St(s.PrevState[i])},{s.RecLabel[0][i]},{s.RecLabel[1][i]},{s.RecLabel[2][i]},")
              .Append(CultureInfo.InvariantCulture, $"{s.PrevRecLabel[0][i]},{s.PrevRecLabel[1][i]},{s.PrevRecLabel[2][i]},{s.RecTs[0][i]},{s.RecTs[1][i]},{s.RecTs[2][i]}\n");
        }
        File.WriteAllText(Path.Combine(folder, "snapshot.csv"), sb.ToString());
        sb.Clear().Append("kind,slot,indicator,direction,threshold,profile,cooldown_ticks,last_fired,last_bar\n");
        for (var k = 0; k < r.Count; k++)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Kind[k]},{r.Slot[k]},{r.Indicator[k]},{r.Direction[k]},{D(r.Threshold[k])},{r.Profile[k]},{r.CooldownTicks[k]},{r.LastFired[k]},{r.LastBar[k]}\n");
        File.WriteAllText(Path.Combine(folder, "rules.csv"), sb.ToString());
        File.WriteAllText(Path.Combine(folder, "now.txt"), Now.UtcTicks.ToString(CultureInfo.InvariantCulture));
    }

    private static long[] ReadInt64s(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var a = new long[bytes.Length / 8];
        Buffer.BlockCopy(bytes, 0, a, 0, a.Length * 8);
        return a;
    }

    private static readonly string[] KindNames = ["", AlertRuleKinds.PriceCrossAbove, AlertRuleKinds.PriceCrossBelow, AlertRuleKinds.PctMoveDay, AlertRuleKinds.IndicatorCross, AlertRuleKinds.RegimeChange, AlertRuleKinds.RecommendationChange];
    private static readonly string?[] IndicatorNames = [null, AlertIndicators.Rsi14, AlertIndicators.Dist52wHigh, AlertIndicators.VolumeZscore];
    private static readonly string?[] DirectionNames = [null, AlertDirections.Above, AlertDirections.Below, AlertDirections.Up, AlertDirections.Down, AlertDirections.Either];
    private static readonly string[] ProfileNames = ["conservative", "moderate", "aggressive"];

    private static async Task<(double Ms, long[] Fired)> DatabaseAsync(string folder, MarketSnapshot s, (double[] Cur, double[] Prev) frac, RuleColumns r, int[] users, int repeats,
        CancellationToken ct)
    {
        using var pg = EmbeddedPostgres.Start(Path.Combine(folder, "pg"), m => Console.WriteLine("  " + m));
        await pg.CreateDatabaseAsync("bench", ct: ct);
        var cs = pg.ConnectionString("bench");
        await new MigrationRunner(cs).RunAsync(ct: ct);
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        async Task Sql(string sql)
        {
            await using var c = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 };
            await c.ExecuteNonQueryAsync(ct);
        }

        await Sql($"""
            INSERT INTO users (id, username, normalized_username, email, normalized_email, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            SELECT ('00000000-0000-0000-0000-' || lpad(to_hex(g), 12, '0'))::uuid, 'bench' || g, 'BENCH' || g, 'bench' || g || '@example.invalid', 'BENCH' || g || '@EXAMPLE.INVALID', true, false, false, false, 0
            FROM generate_series(0, {Users - 1}) g;
            INSERT INTO instruments (symbol, exchange) SELECT 'B' || lpad(g::text, 5, '0'), 'BENCH' FROM generate_series(0, {s.Count - 1}) g;
            INSERT INTO ml_models (model_type, version, algorithm, params_hash, feature_version) VALUES ('verdict_classifier', 'v1', 'bench', 'bench', 'bench');
            """);
        var ids = new long[s.Count];
        await using (var c = new NpgsqlCommand("SELECT id FROM instruments WHERE exchange = 'BENCH' ORDER BY symbol", conn))
        await using (var reader = await c.ExecuteReaderAsync(ct))
            for (var i = 0; await reader.ReadAsync(ct); i++) ids[i] = reader.GetInt64(0);

        await using (var w = await conn.BeginBinaryImportAsync("COPY price_bars (instrument_id, interval, ts, open, high, low, close, volume, source) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < s.Count; i++)
            foreach (var (ts, close) in new[] { (PrevBar, s.PrevClose[i]), (CurBar, s.CurClose[i]) })
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(ids[i], ct);
                await w.WriteAsync("1Day", ct);
                await w.WriteAsync(ts, NpgsqlDbType.TimestampTz, ct);
                for (var c = 0; c < 4; c++) await w.WriteAsync(close, ct);
                await w.WriteAsync(1000.0, ct);
                await w.WriteAsync("bench", ct);
            }
            await w.CompleteAsync(ct);
        }
        await using (var w = await conn.BeginBinaryImportAsync("COPY features (instrument_id, interval, ts, rsi_14, volume_zscore, additional, feature_version, state_id) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var i = 0; i < s.Count; i++)
            foreach (var (ts, rsi, z, f, state) in new[] { (PrevBar, s.PrevRsi[i], s.PrevVolZ[i], frac.Prev[i], s.PrevState[i]), (CurBar, s.CurRsi[i], s.CurVolZ[i], frac.Cur[i], s.CurState[i]) })
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(ids[i], ct);
                await w.WriteAsync("1Day", ct);
                await w.WriteAsync(ts, NpgsqlDbType.TimestampTz, ct);
                await Nullable(w, rsi, ct);
                await Nullable(w, z, ct);
                await w.WriteAsync(double.IsNaN(f) ? "{}" : $"{{\"dist_52w_high\": {D(f)}}}", NpgsqlDbType.Jsonb, ct);
                await w.WriteAsync("bench", ct);
                if (state == MarketSnapshot.NoState) await w.WriteNullAsync(ct); else await w.WriteAsync(state, ct);
            }
            await w.CompleteAsync(ct);
        }
        await using (var w = await conn.BeginBinaryImportAsync("COPY recommendations (instrument_id, model_version_id, profile, label, confidence, features_snapshot, generated_at, is_active) FROM STDIN (FORMAT BINARY)", ct))
        {
            var model = 1L;
            for (var i = 0; i < s.Count; i++)
            for (var p = 0; p < MarketSnapshot.Profiles; p++)
            {
                // The label before (if any) one bar earlier than the newest; the newest at its bar.
                var newestTs = new DateTimeOffset(s.RecTs[p][i], TimeSpan.Zero);
                var rows = new List<(DateTimeOffset, byte)>();
                if (s.PrevRecLabel[p][i] != 0) rows.Add((newestTs.AddDays(-3), s.PrevRecLabel[p][i]));
                rows.Add((newestTs, s.RecLabel[p][i]));
                foreach (var (ts, label) in rows)
                {
                    await w.StartRowAsync(ct);
                    await w.WriteAsync(ids[i], ct);
                    await w.WriteAsync(model, ct);
                    await w.WriteAsync(ProfileNames[p], ct);
                    await w.WriteAsync(AlertCodes.LabelName(label), ct);
                    await w.WriteAsync(0.6, ct);
                    await w.WriteAsync("{}", NpgsqlDbType.Jsonb, ct);
                    await w.WriteAsync(ts, NpgsqlDbType.TimestampTz, ct);
                    await w.WriteAsync(ts == newestTs, ct);
                }
            }
            await w.CompleteAsync(ct);
        }
        await using (var w = await conn.BeginBinaryImportAsync("COPY alert_rules (user_id, name, kind, instrument_id, indicator, direction, threshold, profile, severity, cooldown_minutes, last_fired_at, last_evaluated_bar) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (var k = 0; k < r.Count; k++)
            {
                await w.StartRowAsync(ct);
                await w.WriteAsync(Guid.Parse($"00000000-0000-0000-0000-{users[k]:x12}"), ct);
                await w.WriteAsync($"bench rule {k}", ct);
                await w.WriteAsync(KindNames[r.Kind[k]], ct);
                await w.WriteAsync(ids[r.Slot[k]], ct);
                await Text(w, IndicatorNames[r.Indicator[k]], ct);
                await Text(w, DirectionNames[r.Direction[k]], ct);
                await Nullable(w, r.Threshold[k], ct);
                await Text(w, r.Kind[k] == AlertCodes.RecommendationChange ? ProfileNames[r.Profile[k]] : null, ct);
                await w.WriteAsync(NotificationLevels.Info, ct);
                await w.WriteAsync((int)(r.CooldownTicks[k] / TimeSpan.TicksPerMinute), ct);
                if (r.LastFired[k] == long.MinValue) await w.WriteNullAsync(ct); else await w.WriteAsync(new DateTimeOffset(r.LastFired[k], TimeSpan.Zero), NpgsqlDbType.TimestampTz, ct);
                if (r.LastBar[k] == long.MinValue) await w.WriteNullAsync(ct); else await w.WriteAsync(new DateTimeOffset(r.LastBar[k], TimeSpan.Zero), NpgsqlDbType.TimestampTz, ct);
            }
            await w.CompleteAsync(ct);
        }
        await Sql("CREATE TABLE bench_rules AS SELECT id, last_fired_at, last_evaluated_bar FROM alert_rules");
        await Sql("VACUUM ANALYZE");
        var ruleIds = new List<long>(r.Count);
        await using (var c = new NpgsqlCommand("SELECT id FROM alert_rules ORDER BY id", conn))
        await using (var reader = await c.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) ruleIds.Add(reader.GetInt64(0));
        var indexOf = ruleIds.Select((id, k) => (id, k)).ToDictionary(x => x.id, x => (long)x.k);

        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(new FixedClock(Now));
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(cs));
        services.AddSingleton<INotifier, NoNotifier>();
        services.AddSingleton<AlertEvaluator>();
        await using var provider = services.BuildServiceProvider();
        var evaluator = provider.GetRequiredService<AlertEvaluator>();

        var times = new List<double>();
        AlertRunResult? result = null;
        for (var run = 0; run <= repeats; run++)
        {
            await Sql("""
                TRUNCATE alerts;
                UPDATE alert_rules r SET last_fired_at = b.last_fired_at, last_evaluated_bar = b.last_evaluated_bar, is_active = true, fire_count = 0 FROM bench_rules b WHERE b.id = r.id;
                """);
            await Sql("VACUUM ANALYZE alert_rules");
            await Sql("VACUUM ANALYZE alerts");
            GC.Collect();
            var watch = Stopwatch.StartNew();
            result = await evaluator.EvaluateAsync(notify: false, ct);
            if (run > 0) times.Add(watch.Elapsed.TotalMilliseconds); // run 0 warms up
            Console.WriteLine($"  evaluator run {run}{(run == 0 ? " (warm-up)" : "")}: {result.Evaluated:N0} rules evaluated, {result.Fired:N0} fired in {watch.Elapsed.TotalMilliseconds:F0} ms " +
                              $"({Hosting.PhaseTimer.Describe(result.PhaseMs, "F0")})");
        }
        var fired = new List<long>();
        await using (var c = new NpgsqlCommand("SELECT rule_id FROM alerts", conn))
        await using (var reader = await c.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) fired.Add(indexOf[reader.GetInt64(0)]);
        fired.Sort();
        times.Sort();
        return (times[times.Count / 2], fired.ToArray());
    }

    private static async Task Nullable(NpgsqlBinaryImporter w, double v, CancellationToken ct)
    {
        if (double.IsNaN(v)) await w.WriteNullAsync(ct);
        else await w.WriteAsync(v, ct);
    }

    private static async Task Text(NpgsqlBinaryImporter w, string? v, CancellationToken ct)
    {
        if (v is null) await w.WriteNullAsync(ct);
        else await w.WriteAsync(v, ct);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The bench measures evaluation and alert writing; it runs with notify: false, so this is never called.</summary>
    private sealed class NoNotifier : INotifier
    {
        public Task<long> NotifyAsync(NotificationRequest request, CancellationToken ct = default) => throw new InvalidOperationException("The bench does not notify.");

        public Task<int> NotifyAdminsAsync(string type, string level, string title, string message, string? link = null, CancellationToken ct = default) =>
            throw new InvalidOperationException("The bench does not notify.");
    }
}
