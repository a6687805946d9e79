using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Data;
using Signalbook.Hosting;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Data;

/// <summary>
/// A migration never loses a user's data: a database at the previous migration, filled with the demo data (users,
/// waitlist, 30 instruments of bars and features, regimes, trained models, recommendations and their track record), is
/// migrated to the latest, and every table keeps its rows — except tables the latest migration drops on purpose.
/// </summary>
[RunsLong(32)]
public sealed class MigrationUpgradeTests(MigrationUpgradeTests.PreviousMigrationHarness harness) : IClassFixture<MigrationUpgradeTests.PreviousMigrationHarness>
{
    /// <summary>The app's services over a database migrated to all but the newest migration.</summary>
    public sealed class PreviousMigrationHarness : ServiceHarness
    {
        public static IReadOnlyList<Migration> All => MigrationRunner.LoadEmbedded();

        protected override async Task<string> CreateDatabaseAsync()
        {
            var cs = await TestPostgres.CreateEmptyDatabaseAsync();
            await new MigrationRunner(cs).RunAsync(All.Take(All.Count - 1).ToList());
            return cs;
        }

        protected override void ConfigureServices(IServiceCollection services) => services.AddScoped<DemoData>().AddScoped<DemoPortfolioSeeder>().AddScoped<DemoJournalSeeder>().AddScoped<DemoNotificationsSeeder>().AddScoped<DemoAlertsSeeder>();
    }

    [Fact]
    public async Task LatestMigration_OverTheDemoData_KeepsEveryRow()
    {
        // The demo seeds every part the previous schema has tables for (models came with migration 0006).
        var parts = DemoParts.Users | DemoParts.Market | DemoParts.Waitlist;
        if (await TableExistsAsync(harness.ConnectionString, "ml_models")) parts |= DemoParts.Models;
        if (await TableExistsAsync(harness.ConnectionString, "portfolios")) parts |= DemoParts.Portfolios;
        if (await TableExistsAsync(harness.ConnectionString, "trade_fills")) parts |= DemoParts.Journal;
        if (await TableExistsAsync(harness.ConnectionString, "notifications")) parts |= DemoParts.Notifications;
        if (await TableExistsAsync(harness.ConnectionString, "alert_rules")) parts |= DemoParts.Alerts;
        await using (var scope = harness.Scope())
        {
            await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync(parts);
        }
        var before = await CountRowsAsync(harness.ConnectionString);
        Assert.True(before.GetValueOrDefault("price_bars") > 10_000, "the demo market should be in the database before migrating");
        Assert.True(before.GetValueOrDefault("users") >= 3);
        var fingerprint = await FingerprintAsync(harness.ConnectionString);

        var latest = PreviousMigrationHarness.All[^1];
        var report = await new MigrationRunner(harness.ConnectionString).RunAsync();
        Assert.Equal([latest.Version], report.Applied.Select(a => a.Split('_')[0]).ToList());

        var dropped = Regex.Matches(latest.Sql, @"DROP\s+TABLE\s+(IF\s+EXISTS\s+)?(?<names>[a-z0-9_,\s""]+?)(\s+CASCADE)?\s*;", RegexOptions.IgnoreCase)
            .SelectMany(m => m.Groups["names"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(n => n.Trim('"').ToLowerInvariant()).ToHashSet();
        var after = await CountRowsAsync(harness.ConnectionString);
        foreach (var (table, rows) in before)
        {
            if (dropped.Contains(table)) continue;
            Assert.True(after.TryGetValue(table, out var kept), $"table {table} disappeared in migration {latest.Version}_{latest.Name}");
            Assert.True(kept == rows, $"table {table}: {rows} rows before migration {latest.Version}_{latest.Name}, {kept} after");
        }
        Assert.Equal(fingerprint, await FingerprintAsync(harness.ConnectionString));
    }

    private static async Task<bool> TableExistsAsync(string cs, string table)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn);
        cmd.Parameters.AddWithValue("t", table);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<Dictionary<string, long>> CountRowsAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'", conn))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var counts = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\"", conn);
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }
        return counts;
    }

    /// <summary>What a user would miss if a migration rewrote it: accounts, instruments, the bars' prices, recommendations.</summary>
    private static async Task<string> FingerprintAsync(string cs)
    {
        var recommendations = await TableExistsAsync(cs, "recommendations")
            ? "coalesce((SELECT string_agg(label || ':' || round(confidence::numeric, 6), ',' ORDER BY id) FROM recommendations), '')"
            : "''";
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            SELECT concat_ws('|',
              (SELECT string_agg(email, ',' ORDER BY email) FROM users),
              (SELECT string_agg(symbol || ':' || exchange, ',' ORDER BY symbol) FROM instruments),
              (SELECT sum(close)::text FROM price_bars),
              (SELECT count(DISTINCT instrument_id)::text FROM price_bars),
              {recommendations})
            """, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
