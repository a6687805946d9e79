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
        builder.Services.AddDataProtection().SetApplicationName("Signalbook");
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>, ConfigureKeyRepository>();
        return builder;
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
