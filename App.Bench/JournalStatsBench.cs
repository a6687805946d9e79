using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Stats;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench journal-stats [--campaigns 100000] [--repeats 3] [--explain] [--keep]</c>: <see cref="JournalStatsService.ComputeAsync"/>
/// end to end (the set-based read of the user's closed campaigns with strategies, emotions, tags and broken rules, then
/// the <see cref="JournalStats"/> kernel) over --campaigns campaign_summaries rows of one user in a fresh private
/// PostgreSQL. The journal around them is seeded in SQL as a busy trader's would be: every campaign has an opening and
/// an exit fill in campaign_fills and an entry decision context with emotions, a strategy on every other one, a per-trade
/// note with tags on one in five, and a failed check on one in eight. A second user's equally large journal sits beside
/// it, so the user filter is exercised too. Prints the median of --repeats timed runs after a warm-up.
/// </summary>
public sealed class JournalStatsBench : IBench
{
    public string Name => "journal-stats";

    public string Description => "JournalStatsService.ComputeAsync end to end over 100k campaigns of one user (options: --campaigns, --repeats, --explain, --keep)";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var campaigns = BenchOutput.IntOption(args, "campaigns", 100_000);
        var repeats = Math.Max(1, BenchOutput.IntOption(args, "repeats", 3));
        var work = Directory.CreateTempSubdirectory("signalbook-bench-journal-stats-").FullName;
        Console.WriteLine($"bench journal-stats: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {campaigns:N0} campaigns per user, median of {repeats}");
        EmbeddedPostgres? pg = null;
        try
        {
            pg = EmbeddedPostgres.Start(Path.Combine(work, "pg"), m => Console.WriteLine("  " + m));
            await pg.CreateDatabaseAsync("bench", ct: ct);
            var connectionString = pg.ConnectionString("bench");
            await new MigrationRunner(connectionString).RunAsync(ct: ct);

            var watch = Stopwatch.StartNew();
            var user = Guid.NewGuid();
            await SeedAsync(connectionString, user, campaigns, offset: 0, ct);
            await SeedAsync(connectionString, Guid.NewGuid(), campaigns, offset: 1, ct);
            await ExecuteAsync(connectionString, "VACUUM ANALYZE", ct);
            await ExecuteAsync(connectionString, "CHECKPOINT", ct); // the seeding's dirty pages written now, not during the timed runs
            Console.WriteLine($"Seeded 2 × {campaigns:N0} campaigns (fills, contexts, notes, checks) in {watch.Elapsed.TotalSeconds:F1} s.");

            await using var services = BuildServices(connectionString);
            if (args.Contains("--explain")) await ExplainAsync(connectionString, JournalCaller.Trader(user), ct);
            var caller = JournalCaller.Trader(user);
            var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
            async Task<(double Ms, JournalStatsResult Result)> RunOnceAsync()
            {
                await using var scope = services.CreateAsyncScope();
                var service = scope.ServiceProvider.GetRequiredService<JournalStatsService>();
                var w = Stopwatch.StartNew();
                var result = await service.ComputeAsync(caller, JournalFilter.All, zone, ct);
                return (w.Elapsed.TotalMilliseconds, result);
            }

            var warm = await RunOnceAsync();
            Console.WriteLine($"Warm-up: {warm.Ms:F0} ms, {warm.Result.Campaigns.Count:N0} campaigns, net P&L {warm.Result.Stats.Summary.NetPnl:N2}, " +
                              $"{warm.Result.Stats.ByTag.Count} tags, {warm.Result.Stats.Rules.Count} rules, {warm.Result.Stats.Daily.Count:N0} close days.");
            if (warm.Result.Campaigns.Count != campaigns) throw new InvalidOperationException($"Read {warm.Result.Campaigns.Count} campaigns, expected {campaigns}.");

            var times = new List<double>();
            var loadTimes = new List<double>();
            for (var i = 0; i < repeats; i++)
            {
                var (ms, _) = await RunOnceAsync();
                times.Add(ms);
                await using var scope = services.CreateAsyncScope();
                var w = Stopwatch.StartNew();
                await scope.ServiceProvider.GetRequiredService<JournalStatsService>().LoadAsync(caller, JournalFilter.All, zone, ct);
                loadTimes.Add(w.Elapsed.TotalMilliseconds);
                Console.WriteLine($"  run {i + 1}: end to end {ms:F0} ms (query + read alone {loadTimes[^1]:F0} ms)");
            }
            var median = Median(times);
            var loadMedian = Median(loadTimes);
            Console.WriteLine($"Median: end to end {median:F0} ms; query + read {loadMedian:F0} ms; kernel ≈ {median - loadMedian:F0} ms.");
            BenchOutput.Result("journal-stats", ("stats_100k_ms", median), ("load_ms", loadMedian), ("campaigns", campaigns), ("cores", Environment.ProcessorCount));
            return 0;
        }
        finally
        {
            pg?.Dispose();
            if (!args.Contains("--keep"))
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                    Console.Error.WriteLine($"Could not remove {work}.");
                }
            }
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>One user's journal of <paramref name="n"/> closed campaigns over about ten years, all in SQL.</summary>
    private static async Task SeedAsync(string connectionString, Guid user, int n, int offset, CancellationToken ct)
    {
        var u = $"'{user}'::uuid";
        var sql = $"""
            INSERT INTO users (id, username, email, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
            VALUES ({u}, 'bench{offset}', 'bench{offset}@bench.local', true, false, false, false, 0);
            INSERT INTO strategies (user_id, name, strategy_type, config)
            SELECT {u}, 'Strategy ' || i, 'momentum', '{"{}"}'::jsonb FROM generate_series(1, 8) i;

            CREATE TEMP TABLE seed AS
            SELECT i, timestamptz '2016-01-04 14:30+00' + (i * interval '52 minutes') AS opened,
                   timestamptz '2016-01-04 14:30+00' + (i * interval '52 minutes') + ((i % 97) * interval '3 hours') AS closed
            FROM generate_series(1, {n}) i;

            INSERT INTO trade_fills (user_id, symbol, side, quantity, price, fees, executed_at, external_trade_id, source)
            SELECT {u}, 'SYM' || (i % 400), CASE WHEN leg = 0 THEN 'buy' ELSE 'sell' END, 10, 100 + (i % 50), 1,
                   CASE WHEN leg = 0 THEN opened ELSE closed END, 'b{offset}-' || i || '-' || leg, 'file_import'
            FROM seed CROSS JOIN (VALUES (0), (1)) AS legs(leg);
            CREATE TEMP TABLE seed_fills AS
            SELECT split_part(external_trade_id, '-', 2)::int AS i, split_part(external_trade_id, '-', 3)::int AS leg, id
            FROM trade_fills WHERE user_id = {u};
            CREATE INDEX ON seed_fills (i, leg);

            INSERT INTO campaign_fills (group_id, fill_id, quantity)
            SELECT o.id, f.id, 10 FROM seed_fills f JOIN seed_fills o ON o.i = f.i AND o.leg = 0;

            INSERT INTO campaign_summaries (group_id, user_id, symbol, asset_type, direction, opened_at, closed_at, entry_average, exit_average,
                max_position, open_quantity, realised_pnl, return_pct, fees, r_multiple, fill_count, currency, strategy_id, regime, updated_at)
            SELECT o.id, {u}, 'SYM' || (s.i % 400), 'equity', CASE WHEN s.i % 3 = 0 THEN 'short' ELSE 'long' END, s.opened, s.closed, 100, 101,
                   10, 0, ((s.i * 7919) % 2001 - 900) / 4.0, 0.01, 2, CASE WHEN s.i % 5 = 0 THEN NULL ELSE ((s.i % 41) - 15) / 10.0 END, 2, 'USD',
                   CASE WHEN s.i % 2 = 0 THEN (SELECT min(id) FROM strategies WHERE user_id = {u}) + (s.i % 8) END,
                   (ARRAY['bull_trend', 'bear_trend', 'range', 'high_vol'])[1 + s.i % 4], now()
            FROM seed s JOIN seed_fills o ON o.i = s.i AND o.leg = 0;

            INSERT INTO decision_contexts (user_id, fill_id, context_type, feelings_then)
            SELECT {u}, o.id, 'entry', jsonb_build_object('emotions', jsonb_build_array((ARRAY['calm', 'fomo', 'anxious', 'confident', 'bored'])[1 + o.i % 5],
                   (ARRAY['focused', 'tired', 'greedy'])[1 + o.i % 3]), 'intensity', 1 + o.i % 5)
            FROM seed_fills o WHERE o.leg = 0;

            INSERT INTO journal_entries (user_id, date, entry_type, content, trade_id, tags)
            SELECT {u}, s.closed::date, 'trade', 'Notes on trade ' || s.i, o.id::text,
                   jsonb_build_array((ARRAY['plan', 'late', 'revenge', 'news', 'scaled'])[1 + s.i % 5], 'setup-' || (s.i % 12))
            FROM seed s JOIN seed_fills o ON o.i = s.i AND o.leg = 0 WHERE s.i % 5 = 0;

            INSERT INTO campaign_checks (decision_context_id, user_id, check_type, severity, passed, check_phase)
            SELECT d.id, {u}, (ARRAY['stop_required', 'max_trades', 'max_daily_loss', 'position_size'])[1 + (o.i / 8) % 4], 'warn', o.i % 8 <> 0, 'at_entry'
            FROM seed_fills o JOIN decision_contexts d ON d.fill_id = o.id WHERE o.leg = 0;

            DROP TABLE seed; DROP TABLE seed_fills;
            """;
        await ExecuteAsync(connectionString, sql, ct);
    }

    /// <summary>Prints the statistics query's plan with actual times (--explain).</summary>
    private static async Task ExplainAsync(string connectionString, JournalCaller caller, CancellationToken ct)
    {
        var (sql, parameters) = JournalStatsService.Query(caller, JournalFilter.All, TimeZoneInfo.Utc);
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using (var noJit = new NpgsqlCommand("SET jit = off", conn)) await noJit.ExecuteNonQueryAsync(ct); // as the service does
        for (var i = 0; i < 2; i++)
        {
            await using var cmd = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, conn) { CommandTimeout = 0 };
            cmd.Parameters.AddRange(parameters.Select(p => p.Clone()).ToArray());
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) if (i == 1) Console.WriteLine("  plan: " + reader.GetString(0));
        }
    }

    private static ServiceProvider BuildServices(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddScoped<JournalStatsService>();
        return services.BuildServiceProvider();
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
