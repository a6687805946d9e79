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
/// <c>bench logs [--requests 600] [--writing-requests 6000] [--runs 21] [--warmup 2000]</c>: the database log provider's overhead on a realistic
/// request. Two copies of one small ASP.NET Core app serve over Kestrel on loopback, each request pushing the signed-in
/// user's scope (as the app's middleware does; the user exists), reading 20 rows from PostgreSQL and logging 20
/// structured lines at Information; one copy has no log provider, the other the app's <see cref="DatabaseLoggerProvider"/>
/// writing to the same private PostgreSQL.
/// <para>Each round times three runs of sequential requests, the order rotating: A, --requests without the provider;
/// B, as many with it, its lines written after the timing (the request path: what a request pays when the server has a core to
/// spare for the writer); C, --writing-requests (about two seconds: the writer gathers lines for a second before each
/// batch) with it and its writer running (everything on the same two cores as the client and
/// PostgreSQL: the writer's and PostgreSQL's work for 20 rows lands in the requests' time). The figures are medians of
/// each round's own ratios of time per request (B/A, C/A), so a slow moment of the machine moves all three runs of one round and is
/// outvoted. Both copies are warmed up first (JIT tier-1, connection pools), the provider's in drained chunks.</para>
/// Ends with <c>RESULT logs overhead_pct=… (B) overhead_iqr_pct=… overhead_writing_pct=… (C) request_us=…
/// request_with_provider_us=… request_while_writing_us=… write_us_per_line=… lines_written=… lines_dropped=…</c>.
/// </summary>
public sealed class LogOverheadBench : IBench
{
    public string Name => "logs";

    public string Description => "Overhead of the database log provider on a request that logs 20 lines (median of runs, percent).";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
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
                    """, conn);
                await seed.ExecuteNonQueryAsync(ct);
            }

            var clock = TimeProvider.System;
            var sink = new LogSink(new DatabaseConnection(cs), Options.Create(new ServiceLogOptions()), clock);
            var capture = new ErrorCapture(new ServiceCollection().BuildServiceProvider(), Options.Create(new ErrorLogOptions()), clock);
            var provider = new DatabaseLoggerProvider(sink, capture, new Signalbook.Hosting.StaticOptionsMonitor<ServiceLogOptions>(new ServiceLogOptions()), clock);

            await using var plain = await StartAsync(cs, null, userId, ct);
            await using var logged = await StartAsync(cs, provider, userId, ct);
            using var http = new HttpClient();
            var plainUrl = plain.Urls.First() + "/orders";
            var loggedUrl = logged.Urls.First() + "/orders";
            Console.WriteLine($"Warming up with {warmup} requests per copy; then {runs} rounds of {requests} requests: without the provider (A), " +
                              "with it and its writes after the timing (B), with it and its writer running (C), the order rotating.");
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
            for (var r = 0; r < runs; r++)
            {
                double a = 0, b = 0, c = 0;
                for (var k = 0; k < 3; k++)
                {
                    switch ((r + k) % 3)
                    {
                        case 0:
                            a = await TimeAsync(http, plainUrl, requests, ct);
                            break;
                        case 1:
                            // The request path alone: the lines wait in the queue and are written after the timing.
                            b = await TimeAsync(http, loggedUrl, requests, ct);
                            var write = Stopwatch.StartNew();
                            var rows = await sink.FlushAsync(ct);
                            writeUs.Add(write.Elapsed.TotalMicroseconds / Math.Max(1, rows));
                            break;
                        default:
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
                            break;
                    }
                }
                without.Add(a);
                deferred.Add(b);
                concurrent.Add(c);
                deferredRatios.Add(b / a - 1);
                concurrentRatios.Add(c / a - 1);
                Console.WriteLine($"  round {r + 1}: {a:F1} µs without, {b:F1} µs with the provider ({(b / a - 1) * 100:+0.0;-0.0} %), " +
                                  $"{c:F1} µs with the provider and its writer running ({(c / a - 1) * 100:+0.0;-0.0} %)");
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
                ("write_us_per_line", Math.Round(Median(writeUs), 2)), ("lines_written", stats.Written), ("lines_dropped", stats.Dropped));
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

    /// <summary>The request: the user's scope, a 20-row read, 20 structured lines.</summary>
    private static async Task<WebApplication> StartAsync(string cs, ILoggerProvider? provider, Guid userId, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (provider is not null) builder.Logging.AddProvider(provider);
        builder.Services.AddSingleton(NpgsqlDataSource.Create(cs));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var logger = context.RequestServices.GetRequiredService<ILogger<LogOverheadBench>>();
            using (logger.BeginScope(new Dictionary<string, object?> { [DatabaseLoggerProvider.UserIdKey] = userId }))
                await next(context);
        });
        app.MapGet("/orders", async (NpgsqlDataSource db, ILogger<LogOverheadBench> log, CancellationToken token) =>
        {
            var symbols = new List<string>(20);
            await using (var cmd = db.CreateCommand("SELECT symbol FROM instruments WHERE is_active ORDER BY symbol LIMIT 20"))
            await using (var reader = await cmd.ExecuteReaderAsync(token))
            {
                while (await reader.ReadAsync(token)) symbols.Add(reader.GetString(0));
            }
            for (var i = 0; i < 20; i++)
                log.LogInformation("Evaluated {Symbol} for portfolio {PortfolioId}: signal {Signal} at {Price}", symbols[i % symbols.Count], 7, i % 3 == 0 ? "BUY" : "HOLD", 100.25 + i);
            return Results.Ok(symbols.Count);
        });
        await app.StartAsync(ct);
        return app;
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
