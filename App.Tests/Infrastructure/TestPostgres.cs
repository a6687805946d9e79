using Npgsql;
using Signalbook.Data;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL server for the whole test run: the connection given in
/// SIGNALBOOK_TEST_POSTGRES (a superuser connection string), or else a private throwaway cluster
/// started here with the app's own <see cref="EmbeddedPostgres"/>. Migrations are applied once
/// to a template database; every test class gets a fresh copy (CREATE DATABASE … TEMPLATE).
/// </summary>
public static class TestPostgres
{
    private const string Template = "signalbook_template";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Func<string, string>? _connectionFor;
    private static EmbeddedPostgres? _cluster;
    private static string? _clusterDir;
    private static int _counter;

    public static async Task<string> CreateDatabaseAsync()
    {
        await EnsureStartedAsync();
        return await CopyAsync(Template, $"t{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}");
    }

    private const string DemoTemplate = "signalbook_demo_template";
    private static readonly Lock DemoLock = new();
    private static Task? _demoTemplate;

    /// <summary>
    /// A fresh database holding the migrated schema and the app's demo data. The demo is seeded once per run, by
    /// <paramref name="seed"/> (which starts the app on the connection it is given and stops it), into a second
    /// template; every caller then gets a copy of it. Seeding trains the demo models, so this spares each class
    /// that runs the whole app the tens of seconds that costs; the app's own start over the copy still runs the
    /// seeder, which then only checks that everything is there.
    /// </summary>
    public static async Task<string> CreateDemoDatabaseAsync(Func<string, Task> seed)
    {
        await EnsureStartedAsync();
        Task ready;
        lock (DemoLock) ready = _demoTemplate ??= BuildDemoTemplateAsync(seed);
        await ready;
        return await CopyAsync(DemoTemplate, $"d{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}");
    }

    private static async Task BuildDemoTemplateAsync(Func<string, Task> seed)
    {
        await CopyAsync(Template, DemoTemplate, dropFirst: true);
        await seed(_connectionFor!(DemoTemplate));
    }

    private static async Task<string> CopyAsync(string template, string name, bool dropFirst = false)
    {
        await using var conn = new NpgsqlConnection(_connectionFor!("postgres"));
        await conn.OpenAsync();
        // CREATE DATABASE … TEMPLATE needs the template to have no other connections: serialize, and end any session
        // the app that seeded it may have left (pooled, or Hangfire's).
        await Gate.WaitAsync();
        try
        {
            await using (var end = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @db AND pid <> pg_backend_pid()", conn))
            {
                end.Parameters.AddWithValue("db", template);
                await end.ExecuteNonQueryAsync();
            }
            if (dropFirst)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\"", conn);
                await drop.ExecuteNonQueryAsync();
            }
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        finally
        {
            Gate.Release();
        }
        return _connectionFor!(name);
    }

    /// <summary>An empty database with no migrations, for the migration tests.</summary>
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        await EnsureStartedAsync();
        var name = $"e{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        await using var conn = new NpgsqlConnection(_connectionFor!("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
        await cmd.ExecuteNonQueryAsync();
        return _connectionFor!(name);
    }

    private static async Task EnsureStartedAsync()
    {
        if (_connectionFor is not null) return;
        await Gate.WaitAsync();
        try
        {
            if (_connectionFor is not null) return;
            var external = Environment.GetEnvironmentVariable("SIGNALBOOK_TEST_POSTGRES");
            if (!string.IsNullOrWhiteSpace(external))
            {
                _connectionFor = db => new NpgsqlConnectionStringBuilder(external) { Database = db }.ConnectionString;
            }
            else
            {
                _clusterDir = Path.Combine(Path.GetTempPath(), $"signalbook-tests-{Environment.ProcessId}");
                _cluster = EmbeddedPostgres.Start(_clusterDir, throwaway: true);
                var cluster = _cluster;
                _connectionFor = cluster.ConnectionString;
                // The test host may end without running ProcessExit handlers (killed, Ctrl+C): a watchdog stops the
                // server and removes its folder whenever this process ends; the handler below is the fast path.
                cluster.StopWhenProcessExits(_clusterDir);
                AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            }

            await using (var conn = new NpgsqlConnection(_connectionFor("postgres")))
            {
                await conn.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Template}", conn);
                await drop.ExecuteNonQueryAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {Template}", conn);
                await create.ExecuteNonQueryAsync();
            }
            await new MigrationRunner(_connectionFor(Template)).RunAsync();
            NpgsqlConnection.ClearAllPools(); // no pooled connection may hold the template open
        }
        finally
        {
            Gate.Release();
        }
    }

    private static void Stop()
    {
        _cluster?.Dispose();
        if (_clusterDir is not null && Directory.Exists(_clusterDir))
        {
            try { Directory.Delete(_clusterDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
