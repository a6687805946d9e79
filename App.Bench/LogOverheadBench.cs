using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Operations;
using Signalbook.Features.Operations.Errors;
using Signalbook.Features.Operations.Logs;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench logs [--requests 600] [--writing-requests 6000] [--runs 21] [--warmup 2000] [--path-only]</c>: the database log
/// provider's overhead on a realistic request. One small ASP.NET Core app serves over Kestrel on loopback, each request
/// pushing the signed-in user's scope (as the app's middleware does; the user exists), reading 20 rows from PostgreSQL and
/// logging 20 structured lines at Information: on /plain through a logger factory without a provider (A), on /orders
/// through the app's logging with the app's <see cref="DatabaseLoggerProvider"/> writing to the same private PostgreSQL
/// (B, C; see <see cref="StartAsync"/>). The process runs with the server garbage
/// collector, as the app does (it starts itself again with DOTNET_gcServer=1 when it was not).
/// <list type="number">
/// <item><b>Per line</b>: what one line costs the thread that logs it, in a loop (<see cref="PerLineAsync"/>).</item>
/// <item><b>B against A</b>, the headline: each round sends --requests requests to each endpoint in turns, request by request
/// (sequential latency on two shared cores moves by a third from one second to the next, so blocks timed apart disagreed by
/// tens of percent), the lines waiting in the queue and written after the round: what a request pays when the server has
/// a core to spare for the writer.</item>
/// <item><b>C against A</b>: --writing-requests (about two seconds: the writer gathers lines for a second before each batch)
/// with the writer running, against a block of A: everything on the same two cores as the client and PostgreSQL, so the
/// writer's and PostgreSQL's work for 20 rows lands in the requests' time.</item>
/// </list>
/// Between rounds PostgreSQL is let finish with the rows written (VACUUM ANALYZE, CHECKPOINT; autovacuum is off for
/// service_logs here). The figures are medians over rounds of each round's own ratio of mean time per request.
/// Ends with <c>RESULT logs overhead_pct=… (B) overhead_iqr_pct=… overhead_writing_pct=… (C) request_us=…
/// request_with_provider_us=… request_while_writing_us=… write_us_per_line=… path_ns_per_line=… path_ns_per_line_without=…
/// lines_written=… lines_dropped=…</c>.
/// </summary>
public sealed class LogOverheadBench : IBench
{
    /// <summary>The line the request logs, 20 times.</summary>
    private const string Template = "Evaluated {Symbol} for portfolio {PortfolioId}: signal {Signal} at {Price}";

    public string Name => "logs";

    public string Description => "Overhead of the database log provider on a request that logs 20 lines (median of runs, percent).";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (!System.Runtime.GCSettings.IsServerGC) return await BenchProcess.RunAgainWithServerGcAsync(ct);
        var requests = IntArg(args, "--requests", 600);
        var runs = IntArg(args, "--runs", 21);
        var warmup = IntArg(args, "--warmup", 2000);
        // C runs long enough for the writer's own rhythm (it gathers lines for a second before a batch) to land inside it.
        var writingRequests = IntArg(args, "--writing-requests", 6000);
        var folder = Directory.CreateTempSubdirectory("signalbook-bench-logs-").FullName;
        try
        {
            using var pg = EmbeddedPostgres.Start(Path.Combine(folder, "pg"), m => Console.WriteLine("  " + m));
            await pg.CreateDatabaseAsync("bench", ct: ct);
            var cs = pg.ConnectionString("bench");
            await new MigrationRunner(cs).RunAsync(ct: ct);
            // The signed-in user exists, as in the app: each line's user id then passes service_logs' foreign key and
            // the batch goes in by COPY (a made-up id failed every COPY and sent each batch through the INSERT fallback).
            var userId = Guid.NewGuid();
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var seed = new NpgsqlCommand($"""
                    INSERT INTO instruments (symbol, exchange, name, asset_type, currency, is_active)
                    SELECT 'B' || g, 'US', 'Bench ' || g, 'stock', 'USD', true FROM generate_series(1, 50) g;
                    INSERT INTO users (id, username, email, email_confirmed, phone_number_confirmed, two_factor_enabled, lockout_enabled, access_failed_count)
                    VALUES ('{userId}'::uuid, 'bench', 'bench@bench.local', true, false, false, false, 0);
                    -- Vacuumed between rounds instead (QuietAsync), never by a worker in the middle of a timing.
                    ALTER TABLE service_logs SET (autovacuum_enabled = false);
                    """, conn);
                await seed.ExecuteNonQueryAsync(ct);
            }

            var clock = TimeProvider.System;
            var sink = new LogSink(new DatabaseConnection(cs), Options.Create(new ServiceLogOptions()), clock);
            var capture = new ErrorCapture(new ServiceCollection().BuildServiceProvider(), Options.Create(new ErrorLogOptions()), clock);
            var provider = new DatabaseLoggerProvider(sink, capture, new Signalbook.Hosting.StaticOptionsMonitor<ServiceLogOptions>(new ServiceLogOptions()), clock);

            var (pathNs, nullNs) = await PerLineAsync(sink, provider, userId, ct);
            Console.WriteLine($"The request path per line: {pathNs:F0} ns with the provider, {nullNs:F0} ns without (median of 21 runs of 20,000 lines).");
            if (args.Contains("--path-only"))
            {
                BenchOutput.Result(Name, ("path_ns_per_line", Math.Round(pathNs)), ("path_ns_per_line_without", Math.Round(nullNs)));
                return 0;
            }

            await using var app = await StartAsync(cs, provider, userId, ct);
            using var http = new HttpClient();
            var plainUrl = app.Urls.First() + "/plain";
            var loggedUrl = app.Urls.First() + "/orders";
            Console.WriteLine($"Warming up with {warmup} requests per endpoint; then {runs} rounds of {requests} requests to each endpoint in turns: without the provider (A) " +
                              $"and with it, its lines written after the round (B); then {runs} rounds of A against {writingRequests} requests with its writer running (C).");
            await TimeAsync(http, plainUrl, warmup, ct);
            // In chunks, each drained: 20 lines a request from a client that never pauses outrun the writer's queue.
            for (var done = 0; done < warmup; done += requests)
            {
                await TimeAsync(http, loggedUrl, Math.Min(requests, warmup - done), ct);
                await sink.FlushAsync(ct);
            }

            var without = new List<double>();
            var deferred = new List<double>();
            var concurrent = new List<double>();
            var deferredRatios = new List<double>();
            var concurrentRatios = new List<double>();
            var writeUs = new List<double>();
            // The request path first (A against B), then the writer running (A against C): C's hundreds of thousands of
            // rows left PostgreSQL checkpointing and vacuuming through the next rounds' timings when the three rotated.
            for (var r = 0; r < runs; r++)
            {
                // A and B alternate request by request, so both see the same moment of the machine (sequential latency on two
                // shared cores moves by a third from one second to the next); the lines wait in the queue and are written
                // after the round.
                var (a, b) = await TimePairsAsync(http, plainUrl, loggedUrl, requests, r % 2 == 1, ct);
                var write = Stopwatch.StartNew();
                var rows = await sink.FlushAsync(ct);
                writeUs.Add(write.Elapsed.TotalMicroseconds / Math.Max(1, rows));
                await QuietAsync(cs, ct);
                without.Add(a);
                deferred.Add(b);
                deferredRatios.Add(b / a - 1);
                Console.WriteLine($"  round {r + 1}: {a:F1} µs without, {b:F1} µs with the provider ({(b / a - 1) * 100:+0.0;-0.0} %)");
            }
            for (var r = 0; r < runs; r++)
            {
                double a = 0, c = 0;
                for (var k = 0; k < 2; k++)
                {
                    if ((r + k) % 2 == 0)
                    {
                        a = await TimeAsync(http, plainUrl, requests, ct);
                        continue;
                    }
                    // Everything: the writer copies batches into PostgreSQL while the requests run, on the same two cores.
                    using (var stop = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        var writer = Task.Run(() => sink.RunAsync(stop.Token), CancellationToken.None);
                        c = await TimeAsync(http, loggedUrl, writingRequests, ct);
                        // Drained first (this waits for the writer's batch in flight): stopped mid-COPY, the writer
                        // would count its batch as lost and drop lines for a while after.
                        await sink.FlushAsync(ct);
                        await stop.CancelAsync();
                        try
                        {
                            await writer;
                        }
                        catch (OperationCanceledException)
                        {
                        }
                    }
                    await QuietAsync(cs, ct);
                }
                concurrent.Add(c);
                concurrentRatios.Add(c / a - 1);
                Console.WriteLine($"  round {r + 1}: {a:F1} µs without, {c:F1} µs with the provider and its writer running ({(c / a - 1) * 100:+0.0;-0.0} %)");
            }

            var stats = sink.Stats;
            var overhead = Median(deferredRatios) * 100;
            var overheadWriting = Median(concurrentRatios) * 100;
            var iqr = Iqr(deferredRatios) * 100;
            Console.WriteLine($"Median per request: {Median(without):F1} µs without the provider, {Median(deferred):F1} µs with it ({overhead:+0.00;-0.00} %, " +
                              $"interquartile range {iqr:F2} points), {Median(concurrent):F1} µs with its writer running ({overheadWriting:+0.00;-0.00} %, " +
                              $"interquartile range {Iqr(concurrentRatios) * 100:F2} points). Writing costs {Median(writeUs):F1} µs per line; " +
                              $"{stats.Written} lines written, {stats.Dropped} dropped.");
            BenchOutput.Result(Name, ("overhead_pct", Math.Round(overhead, 2)), ("overhead_iqr_pct", Math.Round(iqr, 2)),
                ("overhead_writing_pct", Math.Round(overheadWriting, 2)), ("request_us", Math.Round(Median(without), 1)),
                ("request_with_provider_us", Math.Round(Median(deferred), 1)), ("request_while_writing_us", Math.Round(Median(concurrent), 1)),
                ("write_us_per_line", Math.Round(Median(writeUs), 2)), ("path_ns_per_line", Math.Round(pathNs)), ("path_ns_per_line_without", Math.Round(nullNs)),
                ("lines_written", stats.Written), ("lines_dropped", stats.Dropped));
            await sink.DisposeAsync();
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// What one line costs the thread that logs it, in a loop with nothing else running: the request's line under the user's
    /// scope through a logger factory with the provider, against one without it (the lines are written after each timing).
    /// </summary>
    private static async Task<(double WithProvider, double Without)> PerLineAsync(LogSink sink, ILoggerProvider provider, Guid userId, CancellationToken ct)
    {
        const int lines = 20_000;
        using var with = LoggerFactory.Create(b => b.ClearProviders().SetMinimumLevel(LogLevel.Information).AddProvider(provider));
        using var without = LoggerFactory.Create(b => b.ClearProviders().SetMinimumLevel(LogLevel.Information));
        var withLog = with.CreateLogger<LogOverheadBench>();
        var withoutLog = without.CreateLogger<LogOverheadBench>();
        var symbols = new[] { "B1", "B2", "B3", "B4", "B5" };
        double Time(ILogger log)
        {
            var watch = Stopwatch.StartNew();
            using (log.BeginScope(new Dictionary<string, object?> { [DatabaseLoggerProvider.UserIdKey] = userId }))
            {
                for (var i = 0; i < lines; i++)
                    log.LogInformation(Template, symbols[i % symbols.Length], 7, i % 3 == 0 ? "BUY" : "HOLD", 100.25 + i % 20);
            }
            return watch.Elapsed.TotalNanoseconds / lines;
        }
        var withNs = new List<double>();
        var withoutNs = new List<double>();
        for (var r = 0; r < 24; r++)
        {
            var a = Time(withoutLog);
            var b = Time(withLog);
            await sink.FlushAsync(ct);
            if (r < 3) continue; // warm-up
            withoutNs.Add(a);
            withNs.Add(b);
        }
        return (Median(withNs), Median(withoutNs));
    }

    /// <summary>
    /// The app: every request under the user's scope, a 20-row read, 20 structured lines. /orders logs through the app's
    /// logging, which has the provider; /plain logs the same lines through a logger factory without it. Both are served
    /// by the same server over the same connection, so they differ only in where their lines go (two servers on two
    /// ports differed by ±15 % between identical copies). The app's logging has the provider either way, as the real app
    /// always has the console: the framework's per-request log scope and activity exist for both.
    /// </summary>
    private static async Task<WebApplication> StartAsync(string cs, ILoggerProvider provider, Guid userId, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddProvider(provider);
        builder.Services.AddSingleton(NpgsqlDataSource.Create(cs));
        var app = builder.Build();
        var plainLoggers = LoggerFactory.Create(b => b.ClearProviders().SetMinimumLevel(LogLevel.Information));
        app.Lifetime.ApplicationStopped.Register(plainLoggers.Dispose);
        var plainLog = plainLoggers.CreateLogger<LogOverheadBench>();
        app.Use(async (context, next) =>
        {
            var logger = context.RequestServices.GetRequiredService<ILogger<LogOverheadBench>>();
            using (logger.BeginScope(new Dictionary<string, object?> { [DatabaseLoggerProvider.UserIdKey] = userId }))
            using (plainLog.BeginScope(new Dictionary<string, object?> { [DatabaseLoggerProvider.UserIdKey] = userId }))
                await next(context);
        });
        app.MapGet("/orders", (NpgsqlDataSource db, ILogger<LogOverheadBench> log, CancellationToken token) => HandleAsync(db, log, token));
        app.MapGet("/plain", (NpgsqlDataSource db, CancellationToken token) => HandleAsync(db, plainLog, token));
        await app.StartAsync(ct);
        return app;
    }

    private static async Task<IResult> HandleAsync(NpgsqlDataSource db, ILogger log, CancellationToken token)
    {
        var symbols = new List<string>(20);
        await using (var cmd = db.CreateCommand("SELECT symbol FROM instruments WHERE is_active ORDER BY symbol LIMIT 20"))
        await using (var reader = await cmd.ExecuteReaderAsync(token))
        {
            while (await reader.ReadAsync(token)) symbols.Add(reader.GetString(0));
        }
        for (var i = 0; i < 20; i++)
            log.LogInformation(Template, symbols[i % symbols.Count], 7, i % 3 == 0 ? "BUY" : "HOLD", 100.25 + i);
        return Results.Ok(symbols.Count);
    }

    /// <summary>
    /// Lets PostgreSQL finish with the rows just written before the next timing: a checkpoint writes their pages now,
    /// and the table is analysed and vacuumed now rather than by an autovacuum worker in the middle of a later round.
    /// </summary>
    private static async Task QuietAsync(string cs, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("VACUUM ANALYZE service_logs; CHECKPOINT;", conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Mean microseconds per request of <paramref name="pairs"/> requests to each URL, sent one after the other in turns
    /// (the second URL first when <paramref name="secondFirst"/>), each timed on its own.
    /// </summary>
    private static async Task<(double First, double Second)> TimePairsAsync(HttpClient http, string first, string second, int pairs, bool secondFirst,
        CancellationToken ct)
    {
        double firstUs = 0, secondUs = 0;
        for (var i = 0; i < pairs; i++)
        {
            for (var k = 0; k < 2; k++)
            {
                var isFirst = (k == 0) != secondFirst;
                var start = Stopwatch.GetTimestamp();
                using (var response = await http.GetAsync(isFirst ? first : second, ct))
                    response.EnsureSuccessStatusCode();
                var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                if (isFirst) firstUs += us;
                else secondUs += us;
            }
        }
        return (firstUs / pairs, secondUs / pairs);
    }

    /// <summary>Microseconds per request over <paramref name="count"/> sequential requests.</summary>
    private static async Task<double> TimeAsync(HttpClient http, string url, int count, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var response = await http.GetAsync(url, ct);
            response.EnsureSuccessStatusCode();
        }
        return watch.Elapsed.TotalMicroseconds / count;
    }

    private static double Iqr(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count * 3 / 4] - sorted[sorted.Count / 4];
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
