using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench ingest [--rows 5000000] [--parallel 2] [--single-rows 5000000] [--keep]</c>: imports the replicated
/// stocknet corpus through <see cref="CsvImportService"/> into an empty <c>price_bars</c> of a private PostgreSQL,
/// then loads the same rows with <c>psql \copy</c> into an identical table of the same database, and finally
/// imports one single file of <c>--single-rows</c> one-minute bars, reading the peak memory of each phase.
/// </summary>
public sealed class IngestBench : IBench
{
    public string Name => "ingest";

    public string Description => "CSV import through the app vs psql \\copy of the same rows; peak memory (options: --rows, --parallel, --single-rows)";

    private const string Columns = "instrument_id, interval, ts, open, high, low, close, volume, vwap, trade_count, source";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var minimumRows = BenchOutput.IntOption(args, "rows", 5_000_000);
        var parallel = Math.Max(1, BenchOutput.IntOption(args, "parallel", 2));
        var singleRows = BenchOutput.IntOption(args, "single-rows", 5_000_000);
        var work = Directory.CreateTempSubdirectory("signalbook-bench-ingest-").FullName;
        Console.WriteLine($"bench ingest: {Environment.ProcessorCount} cores, .NET {Environment.Version}, work folder {work}");
        EmbeddedPostgres? pg = null;
        try
        {
            var corpus = BenchCorpus.Create(minimumRows);
            var files = corpus.WriteFiles(Path.Combine(work, "corpus"));
            Console.WriteLine($"Corpus: {files.Count} files ({corpus.Files.Count} stocknet files × {corpus.Copies} copies), {corpus.Rows:N0} rows.");

            pg = EmbeddedPostgres.Start(Path.Combine(work, "pg"), m => Console.WriteLine("  " + m));
            await pg.CreateDatabaseAsync("bench", ct: ct);
            var connectionString = pg.ConnectionString("bench");
            await new MigrationRunner(connectionString).RunAsync(ct: ct);
            await using var services = BuildServices(connectionString);

            // Warm-up (JIT, pools, EF model), then an empty table again.
            await ImportAsync(services, files[0].Path, "WARMUP", "WARM", Intervals.OneDay, ct);
            await ExecuteAsync(connectionString, "DELETE FROM price_bars; DELETE FROM data_sync_log; DELETE FROM instruments;", ct);
            await ExecuteAsync(connectionString, "VACUUM ANALYZE price_bars", ct);

            // 1. The app's import path, file by file (--parallel at a time), as uploads would arrive.
            GC.Collect();
            BenchOutput.ResetPeakRss();
            var watch = Stopwatch.StartNew();
            long stored = 0, rejected = 0;
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (file, token) =>
            {
                var report = await ImportAsync(services, file.Path, file.Symbol, "US", Intervals.OneDay, token);
                Interlocked.Add(ref stored, report.BarsStored);
                Interlocked.Add(ref rejected, report.RejectedTotal);
            });
            var appSeconds = watch.Elapsed.TotalSeconds;
            var corpusPeak = BenchOutput.PeakRssMb();
            var appRate = stored / appSeconds;
            Console.WriteLine($"App import: {stored:N0} bars stored ({rejected} rows rejected) from {files.Count} files in {appSeconds:F1} s = {appRate:N0} rows/s; peak RSS {corpusPeak:F0} MB.");

            // 2. psql \copy of the same rows into an identical table.
            var prepared = Path.Combine(work, "prepared.csv");
            await PsqlAsync(pg, $"\\copy (SELECT {Columns} FROM price_bars ORDER BY instrument_id, ts) TO '{prepared}' WITH (FORMAT csv)", ct);
            await ExecuteAsync(connectionString, "DROP TABLE IF EXISTS price_bars_psql; CREATE TABLE price_bars_psql (LIKE price_bars INCLUDING ALL);", ct);
            watch.Restart();
            await PsqlAsync(pg, $"\\copy price_bars_psql ({Columns}) FROM '{prepared}' WITH (FORMAT csv)", ct);
            var psqlSeconds = watch.Elapsed.TotalSeconds;
            var psqlRows = await ScalarAsync(connectionString, "SELECT count(*) FROM price_bars_psql", ct);
            if (psqlRows != stored) throw new InvalidOperationException($"psql loaded {psqlRows} rows, the app stored {stored}.");
            var psqlRate = psqlRows / psqlSeconds;
            Console.WriteLine($"psql \\copy: {psqlRows:N0} rows in {psqlSeconds:F1} s = {psqlRate:N0} rows/s.");
            // The LIKE copy has no foreign key (LIKE never copies them), while price_bars checks instrument_id against
            // instruments row by row. The same load into a copy that has it too shows that share of the cost.
            await ExecuteAsync(connectionString, "TRUNCATE price_bars_psql; ALTER TABLE price_bars_psql ADD CONSTRAINT fk_psql_instrument " +
                                                 "FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE;", ct);
            watch.Restart();
            await PsqlAsync(pg, $"\\copy price_bars_psql ({Columns}) FROM '{prepared}' WITH (FORMAT csv)", ct);
            var psqlFkRate = psqlRows / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"psql \\copy into the copy with the foreign key as well: {watch.Elapsed.TotalSeconds:F1} s = {psqlFkRate:N0} rows/s.");
            await ExecuteAsync(connectionString, "DROP TABLE price_bars_psql", ct);
            File.Delete(prepared);

            // 3. One file of many rows: the memory bound of a streaming import.
            var single = Path.Combine(work, "single.csv");
            corpus.WriteSingleMinuteFile(single, singleRows);
            Console.WriteLine($"Single file: {singleRows:N0} one-minute bars, {new FileInfo(single).Length / 1e6:F0} MB.");
            watch.Restart();
            var parsed = ParseOnly(single);
            Console.WriteLine($"  (parse and validate only, no database: {parsed:N0} rows in {watch.Elapsed.TotalSeconds:F1} s = {parsed / watch.Elapsed.TotalSeconds:N0} rows/s)");
            GC.Collect();
            BenchOutput.ResetPeakRss();
            watch.Restart();
            var singleReport = await ImportAsync(services, single, "SINGLE", "US", Intervals.OneMinute, ct);
            var singleSeconds = watch.Elapsed.TotalSeconds;
            var singlePeak = BenchOutput.PeakRssMb();
            Console.WriteLine($"Single-file import: {singleReport.BarsStored:N0} bars in {singleSeconds:F1} s = {singleReport.BarsStored / singleSeconds:N0} rows/s; " +
                              $"peak RSS {singlePeak:F0} MB; {singleReport.QualityReport.Findings.Count} data-quality findings.");

            BenchOutput.Result("ingest", ("rows", stored), ("files", files.Count), ("app_rows_per_s", appRate), ("psql_rows_per_s", psqlRate),
                ("ratio", appRate / psqlRate), ("psql_fk_rows_per_s", psqlFkRate), ("ratio_vs_fk", appRate / psqlFkRate), ("peak_rss_mb", corpusPeak), ("single_file_rows", singleReport.BarsStored),
                ("single_file_rows_per_s", singleReport.BarsStored / singleSeconds), ("single_file_peak_rss_mb", singlePeak), ("cores", Environment.ProcessorCount));
            return 0;
        }
        finally
        {
            pg?.Dispose();
            if (!args.Contains("--keep")) TryDelete(work);
        }
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

    private static async Task<ImportReport> ImportAsync(IServiceProvider services, string path, string symbol, string exchange, string interval, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(symbol, exchange, ct: ct);
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
