using Microsoft.AspNetCore.HttpOverrides;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Users;

namespace Signalbook.Hosting;

public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed demo users and waitlist sign-ups at start-up (also set by <c>--demo</c>).</summary>
    public bool Seed { get; set; }
}

public static class HostingSetup
{
    public static WebApplicationBuilder AddSignalbookHosting(this WebApplicationBuilder builder, SignalbookCommand command)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section)
            .PostConfigure(o => o.Seed |= command.Demo);
        builder.Services.AddScoped<DemoData>().AddScoped<DemoPortfolioSeeder>().AddScoped<DemoJournalSeeder>()
            .AddScoped<DemoNotificationsSeeder>().AddScoped<DemoAlertsSeeder>();
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Only a proxy on this host (docker's, or a local nginx) is trusted to set the client address.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        });
        return builder;
    }

    /// <summary>Migrations (unless switched off), roles and the first admin, and demo data when asked.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app, SignalbookCommand command)
    {
        var options = app.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (options.MigrateOnStartup) await app.Services.MigrateDatabaseAsync();
        await app.Services.EnsureDataProtectionKeyAsync(); // before any node's first request: one key for every node

        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdminBootstrapper>().EnsureAsync();
        var demo = app.Configuration.GetSection(DemoOptions.Section).Get<DemoOptions>() ?? new DemoOptions();
        if (demo.Seed || command.Demo) await scope.ServiceProvider.GetRequiredService<DemoData>().SeedAsync();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = string.Join(", ", app.Urls);
            var db = app.Services.GetRequiredService<DatabaseConnection>().Describe();
            Console.WriteLine($"Signalbook is running at {urls} (database {db}). Press Ctrl+C to stop.");
        });
    }

    /// <summary><c>/health</c>: 200 when the database answers, 503 otherwise. Used by docker compose and the E2E fixture.</summary>
    public static void MapSignalbookHealth(this WebApplication app)
    {
        app.MapGet("/health", async (DatabaseConnection db, CancellationToken ct) =>
        {
            try
            {
                await using var conn = new NpgsqlConnection(db.Value);
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", conn);
                var migrations = (long)(await cmd.ExecuteScalarAsync(ct))!;
                return Results.Ok(new { status = "ok", migrations });
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                return Results.Json(new { status = "unavailable", error = ex.Message }, statusCode: 503);
            }
        }).AllowAnonymous();
    }
}
