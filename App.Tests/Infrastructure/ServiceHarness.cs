using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Email;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Regimes;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// The app's real feature services over a fresh database of the test PostgreSQL, with a manual
/// clock. One per test class (xunit's IAsyncLifetime); each test opens its own scope.
/// </summary>
public class ServiceHarness : IAsyncLifetime
{
    public ManualClock Clock { get; } = new();
    public string ConnectionString { get; private set; } = "";
    public ServiceProvider Services { get; private set; } = null!;

    /// <summary>The configuration the services see: <see cref="Settings"/> plus ConnectionStrings:Default, as the app has it.</summary>
    public IConfiguration Configuration { get; private set; } = null!;

    /// <summary>Extra configuration (section:key → value) a test class wants.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Admin:Email"] = "admin@test.local",
        ["Admin:Password"] = AdminPassword,
    };

    public const string AdminPassword = "Admin-Pass-12345";

    public async Task InitializeAsync()
    {
        ConnectionString = await CreateDatabaseAsync();
        var builder = new ConfigurationBuilder().AddInMemoryCollection(Settings)
            .AddInMemoryCollection([new KeyValuePair<string, string?>("ConnectionStrings:Default", ConnectionString)]);
        ConfigureConfiguration(builder);
        var configuration = builder.Build();
        Configuration = configuration;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddHttpContextAccessor();
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(ConnectionString));
        services.AddSingleton(new DatabaseConnection(ConnectionString));
        services.AddSignalbookFeatures();
        // Identity's real hasher and hash format, with 1,000 PBKDF2 rounds instead of 100,000: every test makes its admin
        // and most make users, and the rounds were several per cent of the suite's CPU. The app keeps Identity's default.
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = 1_000);
        ConfigureServices(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AdminBootstrapper>().EnsureAsync();
    }

    /// <summary>The database the harness runs on: by default a fresh copy of the migrated template.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestPostgres.CreateDatabaseAsync();

    /// <summary>More configuration layers a test class needs, added after <see cref="Settings"/> (the database is ready).</summary>
    protected virtual void ConfigureConfiguration(IConfigurationBuilder builder)
    {
    }

    /// <summary>More services a test class needs (for example a scheduler).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        // Every test class has its own database, so its pool would keep idle connections open for minutes: with
        // Hangfire's workers on top, a full run then exceeds the test server's max_connections.
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        Npgsql.NpgsqlConnection.ClearPool(connection);
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>Runs one call of a scoped service in its own scope, as a request or a click would.</summary>
    public async Task<T> WithAsync<TService, T>(Func<TService, Task<T>> act) where TService : notnull
    {
        await using var scope = Scope();
        return await act(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<AppDbContext> DbAsync() => await Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();

    /// <summary>Creates a user with a role and returns it.</summary>
    public async Task<AppUser> CreateUserAsync(string email, string role = Roles.Trader, string password = "Sturdy-Pass-123")
    {
        await using var scope = Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, Name = email.Split('@')[0], CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join(" ", result.Errors.Select(e => e.Description)));
        await users.AddToRoleAsync(user, role);
        return user;
    }

    public async Task<AppUser> AdminAsync()
    {
        await using var scope = Scope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return (await users.GetUsersInRoleAsync(Roles.Admin)).Single();
    }

    public static AuditActor ActorOf(AppUser user) => new(user.Id, user.Email, "127.0.0.1");
}
