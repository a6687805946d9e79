using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench ingest [--rows 5000000] [--single-rows 5000000] [--runs 3] [--streams 0] [--parallel 2] [--without-fk] [--keep]</c>:
/// on a private PostgreSQL, side by side in each run (medians over <c>--runs</c>):
/// <list type="number">
/// <item>many files: the replicated stocknet corpus (one file per instrument) imported by the app into an empty <c>price_bars</c>,
/// the instruments created on the clock too (<c>--parallel</c> at a time), the files through
/// <see cref="CsvImportService.ImportManyAsync"/> (<c>--streams</c> transactions, 0: one per core); then the same rows by
/// <c>psql \copy</c> into an empty table identical to <c>price_bars</c> (<c>LIKE … INCLUDING ALL</c>: same columns, identity,
/// defaults, checks and indexes) with the foreign key to <c>instruments</c> added;</item>
/// <item>one file of <c>--single-rows</c> one-minute bars streamed through <see cref="CsvImportService.ImportAsync"/> into an
/// empty <c>price_bars</c>, then the same rows by <c>psql \copy</c> into the identical table with the foreign key.</item>
/// </list>
/// Each timed load starts after a CHECKPOINT. The peak resident memory of each app phase is read from VmHWM (max over runs).
/// <c>--without-fk</c> adds the older baseline (the identical table without the foreign key) for reference.
/// </summary>
public sealed class IngestBench : IBench
{
    public string Name => "ingest";

    public string Description => "CSV import through the app vs psql \\copy into an identical table with the FK, many files and one big file; peak memory "
                                 + "(options: --rows, --single-rows, --runs, --streams, --parallel, --without-fk)";

    private const string Columns = "instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var minimumRows = BenchOutput.IntOption(args, "rows", 5_000_000);
        var parallel = Math.Max(1, BenchOutput.IntOption(args, "parallel", 2));
        var streams = Math.Max(0, BenchOutput.IntOption(args, "streams", 0));
        var singleRows = BenchOutput.IntOption(args, "single-rows", 5_000_000);
        var runs = Math.Max(1, BenchOutput.IntOption(args, "runs", 3));
        var withoutFk = args.Contains("--without-fk");
        var work = Directory.CreateTempSubdirectory("signalbook-bench-ingest-").FullName;
        Console.WriteLine($"bench ingest: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {runs} run(s), work folder {work}");
        EmbeddedPostgres? pg = null;
        try
        {
            var corpus = BenchCorpus.Create(minimumRows);
            var files = corpus.WriteFiles(Path.Combine(work, "corpus"));
            Console.WriteLine($"Corpus: {files.Count} files ({corpus.Files.Count} stocknet files × {corpus.Copies} copies), {corpus.Rows:N0} rows.");
            var single = Path.Combine(work, "single.csv");
            corpus.WriteSingleMinuteFile(single, singleRows);
            Console.WriteLine($"Single file: {singleRows:N0} one-minute bars, {new FileInfo(single).Length / 1e6:F0} MB.");

            pg = EmbeddedPostgres.Start(Path.Combine(work, "pg"), m => Console.WriteLine("  " + m));
            await pg.CreateDatabaseAsync("bench", ct: ct);
            var connectionString = pg.ConnectionString("bench");
            await new MigrationRunner(connectionString).RunAsync(ct: ct);
            await using var services = BuildServices(connectionString);

            var watch = Stopwatch.StartNew();
            var parsed = ParseOnly(single);
            Console.WriteLine($"  (single file, parse and validate only, no database: {parsed:N0} rows in {watch.Elapsed.TotalSeconds:F1} s = {parsed / watch.Elapsed.TotalSeconds:N0} rows/s)");

            // Warm-up (JIT, pools, EF model) of both paths, then empty tables again.
            await ImportManyAsync(services, files.Take(4).ToList(), parallel, streams, ct);
            await ImportSingleAsync(services, files[0].Path, "WARMUP", Intervals.OneDay, ct);

            var app = new List<double>();
            var appImportOnly = new List<double>();
            var psqlFk = new List<double>();
            var psqlNoFk = new List<double>();
            var singleApp = new List<double>();
            var singlePsqlFk = new List<double>();
            double corpusPeak = 0, singlePeak = 0;
            long stored = 0, rejected = 0, singleStored = 0;
            var prepared = Path.Combine(work, "prepared.csv");
            var singlePrepared = Path.Combine(work, "single-prepared.csv");
            for (var run = 1; run <= runs; run++)
            {
                Console.WriteLine($"Run {run} of {runs}:");
                // 1. Many files: the app, then psql into the identical table with the foreign key.
                await ResetAsync(connectionString, instruments: true, ct);
                GC.Collect();
                BenchOutput.ResetPeakRss();
                watch.Restart();
                var (ensureSeconds, many) = await ImportManyAsync(services, files, parallel, streams, ct);
                var seconds = watch.Elapsed.TotalSeconds;
                corpusPeak = Math.Max(corpusPeak, BenchOutput.PeakRssMb());
                stored = many.Sum(o => (long)(o.Report?.BarsStored ?? 0));
                rejected = many.Sum(o => (long)(o.Report?.RejectedTotal ?? 0));
                var failed = many.Count(o => o.Report is null);
                if (failed > 0) throw new InvalidOperationException($"{failed} file(s) failed: {many.First(o => o.Report is null).Error}");
                app.Add(stored / seconds);
                appImportOnly.Add(stored / (seconds - ensureSeconds));
                Console.WriteLine($"  app, many files: {stored:N0} bars stored ({rejected} rows rejected) from {files.Count} files in {seconds:F1} s " +
                                  $"(instruments {ensureSeconds:F1} s) = {stored / seconds:N0} rows/s ({stored / (seconds - ensureSeconds):N0} rows/s without the instruments); peak RSS {BenchOutput.PeakRssMb():F0} MB.");
                await PsqlAsync(pg, $"\\copy (SELECT {Columns} FROM price_bars ORDER BY instrument_id, ts) TO '{prepared}' WITH (FORMAT csv)", ct);
                psqlFk.Add(await PsqlLoadAsync(pg, connectionString, prepared, stored, foreignKey: true, "many files", ct));
                if (withoutFk) psqlNoFk.Add(await PsqlLoadAsync(pg, connectionString, prepared, stored, foreignKey: false, "many files", ct));

                // 2. One big file: the app (streaming), then psql into the identical table with the foreign key.
                await ResetAsync(connectionString, instruments: false, ct);
                GC.Collect();
                BenchOutput.ResetPeakRss();
                watch.Restart();
                var singleReport = await ImportSingleAsync(services, single, "SINGLE", Intervals.OneMinute, ct);
                var singleSeconds = watch.Elapsed.TotalSeconds;
                singlePeak = Math.Max(singlePeak, BenchOutput.PeakRssMb());
                singleStored = singleReport.BarsStored;
                singleApp.Add(singleStored / singleSeconds);
                Console.WriteLine($"  app, one file: {singleStored:N0} bars in {singleSeconds:F1} s = {singleStored / singleSeconds:N0} rows/s; " +
                                  $"peak RSS {BenchOutput.PeakRssMb():F0} MB; {singleReport.QualityReport.Findings.Count} data-quality findings.");
                await PsqlAsync(pg, $"\\copy (SELECT {Columns} FROM price_bars ORDER BY instrument_id, ts) TO '{singlePrepared}' WITH (FORMAT csv)", ct);
                singlePsqlFk.Add(await PsqlLoadAsync(pg, connectionString, singlePrepared, singleStored, foreignKey: true, "one file", ct));
            }

            static double Median(List<double> v)
            {
                var s = v.Order().ToArray();
                return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
            }
            var (appRate, fkRate, singleRate, singleFkRate) = (Median(app), Median(psqlFk), Median(singleApp), Median(singlePsqlFk));
            Console.WriteLine($"Medians: many files {appRate:N0} vs psql {fkRate:N0} rows/s; one file {singleRate:N0} vs psql {singleFkRate:N0} rows/s.");
            var metrics = new List<(string, object)>
            {
                ("rows", stored), ("files", files.Count), ("runs", runs), ("app_rows_per_s", appRate), ("psql_fk_rows_per_s", fkRate), ("ratio_vs_fk", appRate / fkRate),
                ("app_without_instruments_rows_per_s", Median(appImportOnly)),
            };
            if (withoutFk) metrics.AddRange([("psql_rows_per_s", Median(psqlNoFk)), ("ratio", appRate / Median(psqlNoFk))]);
            metrics.AddRange([
                ("peak_rss_mb", corpusPeak), ("single_file_rows", singleStored), ("single_file_rows_per_s", singleRate), ("single_psql_fk_rows_per_s", singleFkRate),
                ("single_ratio_vs_fk", singleRate / singleFkRate), ("single_file_peak_rss_mb", singlePeak), ("cores", Environment.ProcessorCount),
            ]);
            BenchOutput.Result("ingest", [.. metrics]);
            return 0;
        }
        finally
        {
            pg?.Dispose();
            if (!args.Contains("--keep")) TryDelete(work);
        }
    }

    /// <summary>Empties price_bars (and the import log; with <paramref name="instruments"/> the instruments too), then a CHECKPOINT.</summary>
    private static async Task ResetAsync(string connectionString, bool instruments, CancellationToken ct)
    {
        await ExecuteAsync(connectionString, instruments ? "TRUNCATE price_bars, data_sync_log, instruments CASCADE" : "TRUNCATE price_bars, data_sync_log", ct);
        await ExecuteAsync(connectionString, "CHECKPOINT", ct);
    }

    /// <summary>Loads <paramref name="csv"/> by psql \copy into a fresh table identical to price_bars (optionally with its foreign key); rows/s.</summary>
    private static async Task<double> PsqlLoadAsync(EmbeddedPostgres pg, string connectionString, string csv, long expected, bool foreignKey, string what, CancellationToken ct)
    {
        await ExecuteAsync(connectionString, "DROP TABLE IF EXISTS price_bars_psql; CREATE TABLE price_bars_psql (LIKE price_bars INCLUDING ALL);" +
                                             (foreignKey ? " ALTER TABLE price_bars_psql ADD CONSTRAINT fk_psql_instrument FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE;" : ""), ct);
        await ExecuteAsync(connectionString, "CHECKPOINT", ct);
        var watch = Stopwatch.StartNew();
        await PsqlAsync(pg, $"\\copy price_bars_psql ({Columns}) FROM '{csv}' WITH (FORMAT csv)", ct);
        var seconds = watch.Elapsed.TotalSeconds;
        var rows = await ScalarAsync(connectionString, "SELECT count(*) FROM price_bars_psql", ct);
        if (rows != expected) throw new InvalidOperationException($"psql loaded {rows} rows, the app stored {expected}.");
        await ExecuteAsync(connectionString, "DROP TABLE price_bars_psql", ct);
        Console.WriteLine($"  psql \\copy, {what}, {(foreignKey ? "with" : "without")} the foreign key: {rows:N0} rows in {seconds:F1} s = {rows / seconds:N0} rows/s.");
        return rows / seconds;
    }

    private static ServiceProvider BuildServices(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddSingleton(new DatabaseConnection(connectionString));
        services.AddSignalbookMarketData();
        return services.BuildServiceProvider();
    }

    /// <summary>Creates the files' instruments (<paramref name="parallel"/> at a time), then imports all files in one call; the seconds the instruments took, and the outcomes.</summary>
    private static async Task<(double EnsureSeconds, IReadOnlyList<ImportOutcome> Outcomes)> ImportManyAsync(IServiceProvider services,
        IReadOnlyList<(string Path, string Symbol)> files, int parallel, int streams, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var ids = new long[files.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (i, token) =>
        {
            await using var scope = services.CreateAsyncScope();
            ids[i] = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(files[i].Symbol, "US", ct: token);
        });
        var ensureSeconds = watch.Elapsed.TotalSeconds;
        await using var importScope = services.CreateAsyncScope();
        var requests = files.Select((f, i) => ImportRequest.FromFile(ids[i], Intervals.OneDay, f.Path)).ToList();
        return (ensureSeconds, await importScope.ServiceProvider.GetRequiredService<CsvImportService>().ImportManyAsync(requests, streams, ct));
    }

    private static async Task<ImportReport> ImportSingleAsync(IServiceProvider services, string path, string symbol, string interval, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(symbol, "US", ct: ct);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return await scope.ServiceProvider.GetRequiredService<CsvImportService>().ImportAsync(id, interval, stream, Path.GetFileName(path), ct: ct);
    }

    private static long ParseOnly(string path)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, 1 << 16);
        var rows = CsvBarParser.Open(reader, Path.GetFileName(path), ExchangeCalendar.Nyse.Zone);
        long n = 0;
        while (rows.Read(out _, out var error)) if (error is null) n++;
        return n;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs one psql meta-command against the private cluster (over TCP, password in the environment).</summary>
    private static async Task PsqlAsync(EmbeddedPostgres pg, string command, CancellationToken ct)
    {
        var psi = new ProcessStartInfo("psql") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-U", EmbeddedPostgres.Superuser, "-d", "bench", "-c", command })
            psi.ArgumentList.Add(a);
        psi.Environment["PGPASSWORD"] = pg.Password;
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("psql did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("psql is not installed (Debian: apt-get install postgresql-client).", ex);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.StandardOutput.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0) throw new InvalidOperationException($"psql failed ({process.ExitCode}): {await stderr}");
        }
    }

    private static void TryDelete(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { Console.Error.WriteLine($"Could not delete {dir}: {ex.Message}"); }
    }
}
