using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Signalbook.Data;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Where the private cluster lives when no connection string is configured (relative to the content root).</summary>
    [Required]
    public string DataDirectory { get; set; } = ".data/postgres";

    /// <summary>The database the private cluster serves.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_]*$", ErrorMessage = "Database:Name must be a lower-case identifier.")]
    public string Name { get; set; } = "signalbook";

    /// <summary>Apply pending migrations at start-up (the <c>migrate</c> command does only that).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

public static class DatabaseSetup
{
    /// <summary>
    /// Resolves the connection string (configured, or a private cluster started now), and registers
    /// the DbContext factory, the migration runner and the shared Data Protection key ring.
    /// </summary>
    public static WebApplicationBuilder AddSignalbookDatabase(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();

        var connectionString = builder.Configuration.GetConnectionString("Default");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            var dataDir = Path.Combine(builder.Environment.ContentRootPath, options.DataDirectory);
            var cluster = EmbeddedPostgres.Start(dataDir, Console.WriteLine);
            cluster.CreateDatabaseAsync(options.Name).GetAwaiter().GetResult();
            connectionString = cluster.ConnectionString(options.Name);
            builder.Services.AddSingleton(_ => cluster); // factory-made, so the container disposes (stops) it
            builder.Services.AddHostedService<EmbeddedPostgresLifetime>();
            // The resolved connection goes into configuration, where everything else (the jobs' storage) reads it.
            builder.Configuration["ConnectionStrings:Default"] = connectionString;
        }

        builder.Services.AddSingleton(new DatabaseConnection(connectionString));
        builder.Services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connectionString));
        builder.Services.AddSignalbookDataProtection();
        return builder;
    }

    /// <summary>Data Protection with its key ring in <c>data_protection_keys</c>, shared by every node on the database.</summary>
    public static IServiceCollection AddSignalbookDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Signalbook");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConfigureKeyRepository>();
        return services;
    }

    /// <summary>Arbitrary constant: the advisory lock key under which a node gives an empty key ring its first key.</summary>
    private const long KeyRingLockKey = 0x5349474E4B4559; // "SIGNKEY"

    /// <summary>
    /// Gives the shared key ring a current key before this node serves, one node at a time. Otherwise two nodes starting
    /// together on an empty ring each create a key as they load the ring at start-up and use it at once: each then refuses the
    /// other's cookies and antiforgery tokens as soon as Data Protection's short refresh-on-unknown-key window after
    /// start-up is over, until its cached ring expires (a day). Later keys are made ahead of their activation by the
    /// framework, so every node has loaded them before they are used.
    /// </summary>
    public static async Task EnsureDataProtectionKeyAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var connection = services.GetRequiredService<DatabaseConnection>();
        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({KeyRingLockKey})", conn)) await take.ExecuteNonQueryAsync(ct);
        try
        {
            var keys = services.GetRequiredService<IKeyManager>();
            var now = DateTimeOffset.UtcNow;
            if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now))
            {
                var lifetime = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.NewKeyLifetime;
                keys.CreateNewKey(now, now + lifetime);
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Signalbook.DataProtection")
                    .LogInformation("Data Protection: the shared key ring had no current key; created one, valid until {Expiry:u}", now + lifetime);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({KeyRingLockKey})", conn);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Applies pending migrations (under the advisory lock) and logs what it did.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        var connection = services.GetRequiredService<DatabaseConnection>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Signalbook.Migrations");
        var report = await new MigrationRunner(connection.Value, m => logger.LogInformation("{Message}", m)).RunAsync(ct: ct);
        logger.LogInformation("Database schema is current: {Applied} migration(s) applied now, {Existing} already applied.",
            report.Applied.Count, report.AlreadyApplied);
    }

    private sealed class ConfigureKeyRepository(IDbContextFactory<AppDbContext> factory) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options)
            => options.XmlRepository = new PostgresXmlRepository(factory);
    }
}

/// <summary>The connection string in force (configured or of the private cluster).</summary>
public sealed record DatabaseConnection(string Value)
{
    public string Describe()
    {
        var b = new NpgsqlConnectionStringBuilder(Value);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }
}

/// <summary>Stops the private cluster when the app stops.</summary>
internal sealed class EmbeddedPostgresLifetime(EmbeddedPostgres cluster) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        cluster.Dispose();
        return Task.CompletedTask;
    }
}
