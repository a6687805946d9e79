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
/// <c>bench logs [--requests 200] [--runs 21] [--warmup 2000]</c>: the database log provider's overhead on a realistic
/// request. Two copies of one small ASP.NET Core app serve over Kestrel on loopback, each request pushing the signed-in
/// user's scope (as the app's middleware does), reading 20 rows from PostgreSQL and logging 20 structured lines at
/// Information; one copy has no log provider, the other the app's <see cref="DatabaseLoggerProvider"/> with its
/// background writer running against the same private PostgreSQL.
/// <para>How it is kept honest on a shared two-core machine: both copies are warmed up with --warmup requests each (enough
/// for the JIT's tier-1 code and the connection pools, which the earlier 100-request warm-up did not reach); each round
/// then times one copy and the other back to back (the order alternating, ABBA), and after the provider's half the writer
/// is drained outside the timing, so its backlog never lands in the next half without the provider; the figure is the
/// median over many short rounds of each round's own ratio, so a slow moment of the machine (another process starting)
/// moves both halves of one round and is then outvoted, instead of landing in one copy's few long runs.</para>
/// Ends with <c>RESULT logs overhead_pct=… overhead_iqr_pct=… request_us=… request_with_provider_us=… lines_written=… lines_dropped=…</c>.
/// </summary>
public sealed class LogOverheadBench : IBench
{
    public string Name => "logs";

    public string Description => "Overhead of the database log provider on a request that logs 20 lines (median of runs, percent).";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var requests = IntArg(args, "--requests", 200);
        var runs = IntArg(args, "--runs", 21);
        var warmup = IntArg(args, "--warmup", 2000);
        var folder = Directory.CreateTempSubdirectory("signalbook-bench-logs-").FullName;
        try
        {
            using var pg = EmbeddedPostgres.Start(Path.Combine(folder, "pg"), m => Console.WriteLine("  " + m));
            await pg.CreateDatabaseAsync("bench", ct: ct);
            var cs = pg.ConnectionString("bench");
            await new MigrationRunner(cs).RunAsync(ct: ct);
            await using (var conn = new NpgsqlConnection(cs))
            {
                await conn.OpenAsync(ct);
                await using var seed = new NpgsqlCommand("""
                    INSERT INTO instruments (symbol, exchange, name, asset_type, currency, is_active)
                    SELECT 'B' || g, 'US', 'Bench ' || g, 'stock', 'USD', true FROM generate_series(1, 50) g
                    """, conn);
                await seed.ExecuteNonQueryAsync(ct);
            }

            var clock = TimeProvider.System;
            var sink = new LogSink(new DatabaseConnection(cs), Options.Create(new ServiceLogOptions()), clock);
            var capture = new ErrorCapture(new ServiceCollection().BuildServiceProvider(), Options.Create(new ErrorLogOptions()), clock);
            var provider = new DatabaseLoggerProvider(sink, capture, new Signalbook.Hosting.StaticOptionsMonitor<ServiceLogOptions>(new ServiceLogOptions()), clock);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var writer = Task.Run(() => sink.RunAsync(stop.Token), CancellationToken.None);

            await using var plain = await StartAsync(cs, null, ct);
            await using var logged = await StartAsync(cs, provider, ct);
            using var http = new HttpClient();
            var plainUrl = plain.Urls.First() + "/orders";
            var loggedUrl = logged.Urls.First() + "/orders";
            Console.WriteLine($"Warming up with {warmup} requests per copy; then {runs} rounds of {requests} requests per copy, alternating (ABBA).");
            await TimeAsync(http, plainUrl, warmup, ct);
            await TimeAsync(http, loggedUrl, warmup, ct);
            await sink.FlushAsync(ct);

            var without = new List<double>();
            var with = new List<double>();
            var ratios = new List<double>();
            for (var r = 0; r < runs; r++)
            {
                double a, b;
                if (r % 2 == 0)
                {
                    a = await TimeAsync(http, plainUrl, requests, ct);
                    b = await TimeAsync(http, loggedUrl, requests, ct);
                    await sink.FlushAsync(ct); // the provider's backlog is written before the next round's half without it
                }
                else
                {
                    b = await TimeAsync(http, loggedUrl, requests, ct);
                    await sink.FlushAsync(ct);
                    a = await TimeAsync(http, plainUrl, requests, ct);
                }
                without.Add(a);
                with.Add(b);
                ratios.Add(b / a - 1);
                Console.WriteLine($"  round {r + 1}: {a:F1} µs without, {b:F1} µs with the provider ({(b / a - 1) * 100:+0.0;-0.0} %)");
            }

            await sink.FlushAsync(ct);
            await stop.CancelAsync();
            try
            {
                await writer;
            }
            catch (OperationCanceledException)
            {
            }
            var stats = sink.Stats;
            var medianWithout = Median(without);
            var medianWith = Median(with);
            var overhead = Median(ratios) * 100;
            var sortedRatios = ratios.Order().ToList();
            var iqr = (sortedRatios[sortedRatios.Count * 3 / 4] - sortedRatios[sortedRatios.Count / 4]) * 100;
            Console.WriteLine($"Median: {medianWithout:F1} µs per request without, {medianWith:F1} µs with; median of the rounds' ratios {overhead:+0.00;-0.00} % " +
                              $"(interquartile range {iqr:F2} points); {stats.Written} lines written, {stats.Dropped} dropped.");
            BenchOutput.Result(Name, ("overhead_pct", Math.Round(overhead, 2)), ("overhead_iqr_pct", Math.Round(iqr, 2)), ("request_us", Math.Round(medianWithout, 1)),
                ("request_with_provider_us", Math.Round(medianWith, 1)),
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

    /// <summary>The request: the user's scope, a 20-row read, 20 structured lines.</summary>
    private static async Task<WebApplication> StartAsync(string cs, ILoggerProvider? provider, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        if (provider is not null) builder.Logging.AddProvider(provider);
        builder.Services.AddSingleton(NpgsqlDataSource.Create(cs));
        var app = builder.Build();
        var userId = Guid.NewGuid();
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
