using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Signalbook.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Signalbook.Data;
using Signalbook.Features.Operations.Config;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations.Config;

/// <summary>
/// The config_entries layer over a real database, with the layers the app has below it: a JSON file, environment
/// variables (under a prefix of this class) and in-memory settings. Node B is a second service provider with its own
/// configuration over the same database, as a second app instance.
/// </summary>
public sealed class RuntimeConfigTests : JobsHarness
{
    private const string EnvPrefix = "SBCFGTEST_";
    private readonly string _jsonFile = Path.Combine(Path.GetTempPath(), $"signalbook-config-test-{Guid.NewGuid():N}.json");

    protected override string NodeName => "config-node-a";

    protected override void ConfigureConfiguration(IConfigurationBuilder builder)
    {
        File.WriteAllText(_jsonFile, """{ "Waitlist": { "SignupsPerWindow": 7 }, "Registration": { "Mode": "InviteOnly" } }""");
        Environment.SetEnvironmentVariable(EnvPrefix + "Waitlist__WindowMinutes", "20");
        builder.AddJsonFile(_jsonFile).AddEnvironmentVariables(EnvPrefix).AddSignalbookDatabaseConfiguration(ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_jsonFile);
    }

    private Task<T> Config<T>(Func<RuntimeConfigService, Task<T>> act) => WithAsync(act);

    private async Task<SettingRow> RowAsync(string key) => (await Config(c => c.ListAsync())).Single(r => r.Key == key);

    [Fact]
    public async Task EffectiveValues_NameTheirLayer_AndAnAdminValueOverridesFileAndEnvironment_UntilReset()
    {
        var admin = ActorOf(await AdminAsync());
        var perWindow = await RowAsync("Waitlist:SignupsPerWindow");
        Assert.Equal(("7", SettingSource.File), (perWindow.Value, perWindow.Source));
        Assert.Equal(Path.GetFileName(_jsonFile), perWindow.SourceDetail); // the JSON provider names the file relative to its root
        var window = await RowAsync("Waitlist:WindowMinutes");
        Assert.Equal(("20", SettingSource.Environment), (window.Value, window.Source));
        Assert.Contains("Waitlist__WindowMinutes", window.SourceDetail);
        var days = await RowAsync("Waitlist:InvitationDays");
        Assert.Equal(("7", SettingSource.Default), (days.Value, days.Source));
        var retention = await RowAsync("Jobs:Schedules:" + JobCatalog.Retention);
        Assert.Equal(("15 2 * * *", SettingSource.Default), (retention.Value, retention.Source));

        Assert.True((await Config(c => c.SetAsync(admin, "Waitlist:SignupsPerWindow", " 3 "))).Succeeded);
        Assert.True((await Config(c => c.SetAsync(admin, "waitlist:windowminutes", "15"))).Succeeded); // keys are case-insensitive

        perWindow = await RowAsync("Waitlist:SignupsPerWindow");
        Assert.Equal(("3", SettingSource.Database, "7", SettingSource.File), (perWindow.Value, perWindow.Source, perWindow.BelowValue, perWindow.BelowSource));
        Assert.Equal("admin@test.local", perWindow.UpdatedBy);
        Assert.Equal(("15", SettingSource.Database), ((await RowAsync("Waitlist:WindowMinutes")).Value, (await RowAsync("Waitlist:WindowMinutes")).Source));
        var options = Services.GetRequiredService<IOptionsMonitor<WaitlistOptions>>().CurrentValue;
        Assert.Equal((3, 15), (options.SignupsPerWindow, options.WindowMinutes));

        var reset = await Config(c => c.ResetAsync(admin, "Waitlist:SignupsPerWindow"));
        Assert.Equal((true, "7"), (reset.Succeeded, reset.Value));
        perWindow = await RowAsync("Waitlist:SignupsPerWindow");
        Assert.Equal(("7", SettingSource.File), (perWindow.Value, perWindow.Source));
        Assert.Equal(7, Services.GetRequiredService<IOptionsMonitor<WaitlistOptions>>().CurrentValue.SignupsPerWindow);
        Assert.False((await Config(c => c.ResetAsync(admin, "Waitlist:SignupsPerWindow"))).Succeeded); // nothing left to reset
    }

    [Fact]
    public async Task EveryChange_IsAuditedWithBeforeAndAfter_InTheSettingsHistory()
    {
        var admin = ActorOf(await AdminAsync());
        await Config(c => c.SetAsync(admin, "MarketData:Retention:IntradayDays", "45"));
        await Config(c => c.SetAsync(admin, "MarketData:Retention:IntradayDays", "60"));
        await Config(c => c.ResetAsync(admin, "MarketData:Retention:IntradayDays"));

        await using var db = await DbAsync();
        var audits = await db.AuditLogs.AsNoTracking().Where(a => a.ResourceType == "config").OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([ConfigAuditActions.Changed, ConfigAuditActions.Changed, ConfigAuditActions.Reset], audits.Select(a => a.Action));
        Assert.All(audits, a => Assert.Equal(("MarketData:Retention:IntradayDays", "admin@test.local"), (a.ResourceId, a.ActorEmail)));
        var changes = audits.Select(a => JsonDocument.Parse(a.Changes!).RootElement).Select(e => (e.GetProperty("before").GetString(), e.GetProperty("after").GetString())).ToList();
        Assert.Equal([("30", "45"), ("45", "60"), ("60", "30")], changes);

        var history = await Config(c => c.HistoryAsync(admin, "MarketData:Retention:IntradayDays"));
        Assert.Equal([("60", "30"), ("45", "60"), ("30", "45")], history.Select(h => (h.Before, h.After)));
        Assert.Equal(30, Services.GetRequiredService<IOptionsMonitor<Signalbook.Features.MarketData.RetentionOptions>>().CurrentValue.IntradayDays);
    }

    [Theory]
    [InlineData("Waitlist:SignupsPerWindow", "0", "must be between 1 and 10000")]
    [InlineData("Waitlist:SignupsPerWindow", "many", "'many' is not a whole number")]
    [InlineData("Registration:Mode", "Closed", "'Closed' is not one of Open, InviteOnly")]
    [InlineData("Jobs:Schedules:market-data-retention", "61 * * * *", "is not a valid cron expression")]
    [InlineData("Jobs:Schedules:market-data-retention", "0 15 2 * * *", "is not a valid cron expression")]
    [InlineData("Statistics:RetentionDays", "5000", "must be between 1 and 3650")]
    public async Task AnInvalidValue_GetsAMessageNamingTheKeyAndTheRule_AndNothingIsWritten(string key, string value, string rule)
    {
        var admin = ActorOf(await AdminAsync());
        var result = await Config(c => c.SetAsync(admin, key, value));

        Assert.False(result.Succeeded);
        var message = Assert.Single(result.Errors);
        Assert.Contains(key, message);
        Assert.Contains(rule, message);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task ASettingThatIsNotRuntimeEditable_IsRefused()
    {
        var result = await Config(async c => await c.SetAsync(ActorOf(await AdminAsync()), "Database:Name", "other"));
        Assert.Contains("'Database:Name' is not a runtime setting", Assert.Single(result.Errors));
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task ATrader_CannotChangeOrResetOrReadTheHistory()
    {
        var admin = ActorOf(await AdminAsync());
        await Config(c => c.SetAsync(admin, "Waitlist:InvitationDays", "10"));
        var trader = ActorOf(await CreateUserAsync("trader@test.local"));

        Assert.Equal("Only admins can change runtime settings.", Assert.Single((await Config(c => c.SetAsync(trader, "Waitlist:InvitationDays", "3"))).Errors));
        Assert.False((await Config(c => c.ResetAsync(trader, "Waitlist:InvitationDays"))).Succeeded);
        Assert.Empty(await Config(c => c.HistoryAsync(trader, "Waitlist:InvitationDays")));
        Assert.False((await Config(c => c.SetAsync(AuditActor.System, "Waitlist:InvitationDays", "3"))).Succeeded);

        await using var db = await DbAsync();
        Assert.Equal("10", (await db.ConfigEntries.SingleAsync()).Value);
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.ResourceType == "config"));
    }

    [Fact]
    public async Task AChangeOnNodeA_ReachesNodeB_ThroughNotify_AndItsOptionsMonitorFires()
    {
        await using var nodeB = await NodeBAsync();
        var monitor = nodeB.GetRequiredService<IOptionsMonitor<RegistrationOptions>>();
        Assert.Equal(RegistrationMode.InviteOnly, monitor.CurrentValue.Mode);
        var changed = new TaskCompletionSource<RegistrationMode>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = monitor.OnChange(o => { if (o.Mode == RegistrationMode.Open) changed.TrySetResult(o.Mode); });

        var result = await Config(async c => await c.SetAsync(ActorOf(await AdminAsync()), "Registration:Mode", "open"));
        Assert.Equal((true, "Open"), (result.Succeeded, result.Value));

        Assert.Equal(RegistrationMode.Open, await changed.Task.WaitAsync(TimeSpan.FromSeconds(15)));
        await using var scope = nodeB.CreateAsyncScope();
        Assert.Equal(RegistrationMode.Open, scope.ServiceProvider.GetRequiredService<RegistrationService>().Mode); // the page's view on node B
    }

    [Fact]
    public async Task AJobScheduleChange_ReRegistersTheRecurringJob_AndAnEmptyScheduleRemovesIt()
    {
        Services.GetRequiredService<RecurringSchedules>().Apply(); // as a node's job servers do at start
        Assert.Equal("15 2 * * *", RecurringCron(JobCatalog.Retention));
        var admin = ActorOf(await AdminAsync());

        Assert.True((await Config(c => c.SetAsync(admin, "Jobs:Schedules:" + JobCatalog.Retention, "45 3 * * *"))).Succeeded);
        await WaitForAsync(() => RecurringCron(JobCatalog.Retention) == "45 3 * * *");
        Assert.Equal("30 16 * * MON-FRI", RecurringCron(JobCatalog.DailySync)); // the others are untouched

        Assert.True((await Config(c => c.SetAsync(admin, "Jobs:Schedules:" + JobCatalog.Retention, ""))).Succeeded);
        await WaitForAsync(() => RecurringCron(JobCatalog.Retention) is null);

        Assert.True((await Config(c => c.ResetAsync(admin, "Jobs:Schedules:" + JobCatalog.Retention))).Succeeded);
        await WaitForAsync(() => RecurringCron(JobCatalog.Retention) == "15 2 * * *");
    }

    [Fact]
    public async Task TheProvider_ToleratesAMissingTable_AndAnUnreachableDatabase()
    {
        var empty = await TestPostgres.CreateEmptyDatabaseAsync();
        var provider = new DatabaseConfigurationProvider(empty);
        provider.Load();
        Assert.Null(provider.LastError);
        Assert.Empty(provider.GetChildKeys([], null));

        var admin = ActorOf(await AdminAsync());
        await Config(c => c.SetAsync(admin, "Waitlist:InvitationDays", "12"));
        var loaded = new DatabaseConfigurationProvider(ConnectionString);
        loaded.Load();
        Assert.True(loaded.TryGet("Waitlist:InvitationDays", out var days));
        Assert.Equal("12", days);

        var unreachable = new DatabaseConfigurationProvider(new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { Database = "no_such_database_" + Guid.NewGuid().ToString("N")[..8], Pooling = false }.ConnectionString);
        unreachable.Load();
        Assert.NotNull(unreachable.LastError);
    }

    [Fact]
    public async Task OverlappingReloads_LeaveTheOptionsMonitorOnTheStoredValue()
    {
        // Reloads from NOTIFYs keep coming while this node changes a value and reloads after its commit: each time, the
        // options monitor must end on what the table holds, not on what an overlapping reload read before the commit.
        var source = new DatabaseConfigurationSource(ConnectionString);
        var configuration = new ConfigurationBuilder().Add(source).Build();
        await using var services = new ServiceCollection().AddOptions().Configure<WaitlistOptions>(configuration.GetSection(WaitlistOptions.Section))
            .AddSingleton<IConfiguration>(configuration).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<WaitlistOptions>>();
        // A consumer that takes a moment over each change (as one that re-registers jobs does) widens the window in which a
        // second reload can land while the first one's notice is still being handled.
        using var slowConsumer = monitor.OnChange(_ => Thread.Sleep(3));
        using var stop = new CancellationTokenSource();
        var notices = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) source.Provider.Reload();
        });
        try
        {
            await using var db = await DbAsync();
            for (var i = 1; i <= 80; i++)
            {
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO config_entries (key, value) VALUES ('Waitlist:InvitationDays', {0}) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                source.Provider.Reload();
                Assert.Equal(i, monitor.CurrentValue.InvitationDays);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await notices;
        }
    }

    private string? RecurringCron(string name)
    {
        using var connection = Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs([name]).SingleOrDefault(r => !r.Removed)?.Cron;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "The condition did not become true within 15 seconds.");
            await Task.Delay(50);
        }
    }

    private async Task AssertNothingWrittenAsync()
    {
        await using var db = await DbAsync();
        Assert.Equal(0, await db.ConfigEntries.CountAsync());
        Assert.Equal(0, await db.AuditLogs.CountAsync(a => a.ResourceType == "config"));
    }

    /// <summary>A second app instance: the same registrations over the same database, with its own configuration and listener.</summary>
    private async Task<ServiceProvider> NodeBAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = ConnectionString, ["Registration:Mode"] = "InviteOnly" })
            .AddSignalbookDatabaseConfiguration(ConnectionString).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(Clock);
        services.AddHttpContextAccessor();
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(ConnectionString));
        services.AddSingleton(new DatabaseConnection(ConnectionString));
        services.AddSignalbookFeatures();
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<RuntimeConfigurationListener>().StartAsync(default);
        await provider.GetRequiredService<PgEventBus>().WaitUntilListeningAsync();
        return provider;
    }
}
