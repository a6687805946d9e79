using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Bench;

/// <summary>
/// The journal bench's <b>import</b> stage: the app's whole file import (<see cref="FillImportService.ImportAsync"/>:
/// generic-CSV parsing with CsvHelper, stable ids, COPY into staging, INSERT … ON CONFLICT into trade_fills, and the
/// campaigns of every touched series rebuilt) of the generated fills.csv into a fresh private PostgreSQL, as one batch.
/// Each repeat starts from an empty ledger; the figure is fills per second over the median run, plus how long a
/// re-import of the same file takes (it adds nothing). Then the ceiling PostgreSQL itself sets on this machine
/// (<see cref="LedgerFloorAsync"/>).
/// </summary>
internal static class JournalImportStage
{
    public static async Task RunAsync(string csvPath, string folder, int repeats, IDictionary<string, double> metrics, IList<string> problems, CancellationToken ct)
    {
        using var pg = EmbeddedPostgres.Start(Path.Combine(folder, "pg"), m => Console.WriteLine("  " + m));
        await pg.CreateDatabaseAsync("bench", ct: ct);
        var connectionString = pg.ConnectionString("bench");
        await new MigrationRunner(connectionString).RunAsync(ct: ct);
        var userId = Guid.NewGuid();
        await ExecuteAsync(connectionString, $"""
            INSERT INTO users (id, username, normalized_username, email, normalized_email, email_confirmed, phone_number_confirmed, two_factor_enabled,
                lockout_enabled, access_failed_count)
            VALUES ('{userId}', 'bench', 'BENCH', 'bench@example.invalid', 'BENCH@EXAMPLE.INVALID', true, false, false, false, 0)
            """, ct);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddOptions<JournalOptions>().Configure(o => o.MaxImportBytes = 1L << 31);
        services.AddSingleton<CampaignStore>().AddScoped<FillImportService>();
        await using var provider = services.BuildServiceProvider();

        var bytes = await File.ReadAllBytesAsync(csvPath, ct);
        var options = new ImportOptions
        {
            TimeZone = "UTC",
            GenericMapping = new GenericCsvMapping
            {
                Date = "executed_at", Symbol = "symbol", Side = "side", Quantity = "quantity", Price = "price", Fees = "fees", TradeId = "id",
                DateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'",
            },
        };
        var request = new ImportRequest("fills.csv", bytes, options, "generic-csv");

        // The parse alone (the generic CSV format and the stable ids, as ImportAsync runs them), so the figure splits
        // into reading the file and writing the database.
        var format = BrokerFormats.Find("generic-csv")!;
        var parseTimes = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            GC.Collect();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var w = Stopwatch.StartNew();
            var parsed = format.Parse(new ImportFile("fills.csv", bytes), options);
            FillHash.Assign(format.Id, parsed.Fills);
            parseTimes.Add(w.Elapsed.TotalSeconds);
            Console.WriteLine($"  parse run {i + 1}: {parsed.Fills.Count:N0} fills in {parseTimes[^1]:F2} s, {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1e6:N0} MB allocated");
        }
        parseTimes.Sort();
        metrics["import_parse_s"] = Math.Round(parseTimes[parseTimes.Count / 2], 2);
        var caller = JournalCaller.Trader(userId);
        var seconds = new List<double>();
        ImportOutcome? outcome = null;
        for (var i = 0; i < repeats; i++)
        {
            await ExecuteAsync(connectionString, "TRUNCATE trade_fills, campaign_fills, campaign_summaries, import_batches CASCADE", ct);
            await ExecuteAsync(connectionString, "VACUUM ANALYZE trade_fills", ct);
            GC.Collect();
            var watch = Stopwatch.StartNew();
            await using (var scope = provider.CreateAsyncScope())
            {
                outcome = await scope.ServiceProvider.GetRequiredService<FillImportService>().ImportAsync(caller, request, ct);
            }
            seconds.Add(watch.Elapsed.TotalSeconds);
            Console.WriteLine($"  import run {i + 1}: {outcome.Added:N0} fills, {outcome.CampaignsRebuilt:N0} campaigns in {seconds[^1]:F2} s " +
                              $"({Hosting.PhaseTimer.Describe(outcome.PhaseSeconds, "F2")})");
        }
        var again = Stopwatch.StartNew();
        ImportOutcome repeat;
        await using (var scope = provider.CreateAsyncScope())
        {
            repeat = await scope.ServiceProvider.GetRequiredService<FillImportService>().ImportAsync(caller, request, ct);
        }
        var reimportSeconds = again.Elapsed.TotalSeconds;
        seconds.Sort();
        var median = seconds[seconds.Count / 2];
        metrics["import_fills_per_s"] = Math.Round(outcome!.Added / median);
        metrics["import_s"] = Math.Round(median, 2);
        metrics["reimport_s"] = Math.Round(reimportSeconds, 2);
        if (repeat.Added != 0) problems.Add($"re-importing the same file added {repeat.Added} fills (expected 0)");
        if (outcome.Added != outcome.FillsRead) problems.Add($"import stored {outcome.Added} of {outcome.FillsRead} fills");
        Console.WriteLine($"Import: {outcome.Added:N0} fills in {median:F2} s (median of {repeats}) = {outcome.Added / median:N0} fills/s incl. campaign rebuild; " +
                          $"re-import added {repeat.Added} in {reimportSeconds:F2} s.");
        await LedgerFloorAsync(connectionString, outcome.Added, metrics, ct);
    }

    /// <summary>
    /// What this machine's PostgreSQL alone takes to write the ledger's rows, whatever the app does around it: the fills just
    /// imported are copied by one INSERT … SELECT (no client, no parsing, no conflict check) into three fresh tables shaped
    /// like trade_fills: the bare rows; the rows with trade_fills' indexes and checks; and those plus its foreign keys to
    /// users and import_batches (trade_fills itself, less its identity). The import cannot be faster than the last.
    /// </summary>
    private static async Task LedgerFloorAsync(string connectionString, long rows, IDictionary<string, double> metrics, CancellationToken ct)
    {
        (string Name, string Create)[] shapes =
        [
            ("heap", "CREATE TABLE floor_fills (LIKE trade_fills INCLUDING DEFAULTS)"),
            ("indexed", "CREATE TABLE floor_fills (LIKE trade_fills INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)"),
            ("keyed", "CREATE TABLE floor_fills (LIKE trade_fills INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES); " +
                      "ALTER TABLE floor_fills ADD FOREIGN KEY (user_id) REFERENCES users (id), ADD FOREIGN KEY (import_batch_id) REFERENCES import_batches (id)"),
        ];
        var parts = new List<string>();
        foreach (var (name, create) in shapes)
        {
            await ExecuteAsync(connectionString, "DROP TABLE IF EXISTS floor_fills; " + create, ct);
            await ExecuteAsync(connectionString, "CHECKPOINT", ct);
            var watch = Stopwatch.StartNew();
            await ExecuteAsync(connectionString, "INSERT INTO floor_fills SELECT * FROM trade_fills", ct);
            var perSecond = rows / watch.Elapsed.TotalSeconds;
            metrics[$"ledger_floor_{name}_per_s"] = Math.Round(perSecond);
            parts.Add($"{name} {watch.Elapsed.TotalSeconds:F2} s = {perSecond:N0} rows/s");
        }
        await ExecuteAsync(connectionString, "DROP TABLE floor_fills", ct);
        Console.WriteLine($"PostgreSQL alone writing the {rows:N0} ledger rows (INSERT … SELECT into a table like trade_fills): {string.Join("; ", parts)}.");
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
