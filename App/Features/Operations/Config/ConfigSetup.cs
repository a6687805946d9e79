using Microsoft.Extensions.Options;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Operations.SystemStatus;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;
using Signalbook.Jobs;

namespace Signalbook.Features.Operations.Config;

public static class ConfigSetup
{
    /// <summary>
    /// Adds the config_entries layer to the app's configuration, last (over appsettings, environment variables and the
    /// command line), on the database <see cref="DatabaseSetup.AddSignalbookDatabase"/> resolved (call that first).
    /// </summary>
    public static WebApplicationBuilder AddSignalbookRuntimeConfiguration(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddSignalbookDatabaseConfiguration(builder.Configuration.GetConnectionString("Default"));
        return builder;
    }

    /// <summary>The runtime settings, their service and the listener that reloads the layer when any node changes it.</summary>
    public static IServiceCollection AddSignalbookRuntimeConfig(this IServiceCollection services)
    {
        services.AddSingleton<RuntimeSettingsRegistry>();
        services.AddScoped<RuntimeConfigService>();
        services.AddSingleton<RuntimeConfigurationListener>();
        services.AddHostedService(sp => sp.GetRequiredService<RuntimeConfigurationListener>());
        foreach (var setting in BuiltInSettings()) services.AddRuntimeSetting(setting);
        return services;
    }

    /// <summary>
    /// The settings that may change at run time, and whose consumers read them through IOptionsMonitor/IOptionsSnapshot.
    /// Notification defaults join with <see cref="RuntimeSettingExtensions.AddRuntimeSetting"/> from their feature.
    /// </summary>
    public static IEnumerable<RuntimeSetting> BuiltInSettings()
    {
        yield return RuntimeSetting.For<RegistrationOptions>(RegistrationOptions.Section, nameof(RegistrationOptions.Mode), "Registration", "Registration mode",
            "Open: anyone may create an account (with email confirmation). InviteOnly: only visitors holding a waitlist invitation.",
            SettingKind.Choice, Enum.GetNames<RegistrationMode>());
        yield return RuntimeSetting.For<WaitlistOptions>(WaitlistOptions.Section, nameof(WaitlistOptions.SignupsPerWindow), "Rate limits", "Waitlist sign-ups per window",
            "How many waitlist sign-ups one client IP may make per window (1–10,000).", SettingKind.Integer);
        yield return RuntimeSetting.For<WaitlistOptions>(WaitlistOptions.Section, nameof(WaitlistOptions.WindowMinutes), "Rate limits", "Waitlist window (minutes)",
            "The length of the waitlist sign-up window (1–1,440 minutes).", SettingKind.Integer);
        yield return RuntimeSetting.For<WaitlistOptions>(WaitlistOptions.Section, nameof(WaitlistOptions.InvitationDays), "Registration", "Invitation validity (days)",
            "How long a waitlist invitation link stays valid (1–90 days); applies to invitations sent from now on.", SettingKind.Integer);
        yield return RuntimeSetting.For<RetentionOptions>(RetentionOptions.Section, nameof(RetentionOptions.IntradayDays), "Retention", "Intraday bars (days)",
            "15-minute bars older than this are deleted by the retention job (1–3,650 days).", SettingKind.Integer);
        yield return RuntimeSetting.For<RetentionOptions>(RetentionOptions.Section, nameof(RetentionOptions.DailyYears), "Retention", "Daily bars (years)",
            "Daily bars older than this are deleted by the retention job (1–100 years).", SettingKind.Integer);
        yield return RuntimeSetting.For<StatisticsOptions>(StatisticsOptions.Section, nameof(StatisticsOptions.RetentionDays), "Retention", "Statistics samples (days)",
            "Admin → System samples older than this are deleted by the statistics job (1–3,650 days).", SettingKind.Integer);
        yield return RuntimeSetting.For<StatisticsOptions>(StatisticsOptions.Section, nameof(StatisticsOptions.StaleHeartbeatMinutes), "Monitoring", "Node silent after (minutes)",
            "A running node whose heartbeat is older than this is listed as not checking in (1–1,440 minutes).", SettingKind.Integer);
        yield return RuntimeSetting.For<ServiceLogOptions>(ServiceLogOptions.Section, nameof(ServiceLogOptions.MinimumLevel), "Logging", "Service log minimum level",
            "Log lines below this level are not stored in service_logs (errors with an exception are captured whatever it is).",
            SettingKind.Choice, Enum.GetNames<LogLevel>());
        yield return RuntimeSetting.For<ServiceLogOptions>(ServiceLogOptions.Section, nameof(ServiceLogOptions.RetentionDays), "Retention", "Service logs (days)",
            "Service log lines older than this are deleted by the operations retention job (1–3,650 days; the seed keeps 30).", SettingKind.Integer);
        yield return RuntimeSetting.For<ErrorLogOptions>(ErrorLogOptions.Section, nameof(ErrorLogOptions.ResolvedRetentionDays), "Retention", "Resolved errors (days)",
            "Errors are deleted this long after they were resolved (1–3,650 days; the seed keeps 90); unresolved ones are kept.", SettingKind.Integer);
        foreach (var job in JobCatalog.All.Where(j => j.DefaultCron is not null))
        {
            yield return RuntimeSetting.For<JobsOptions>($"{JobsOptions.Section}:{nameof(JobsOptions.Schedules)}", job.Name, "Job schedules", job.Name,
                $"Five-field cron (minute hour day-of-month month day-of-week) in {job.TimeZone}; empty: no schedule. {job.Description}",
                SettingKind.Cron, defaultValue: job.DefaultCron, allowEmpty: true);
        }
    }
}

/// <summary>
/// Reloads the config_entries layer of this node's configuration when any node announces a change
/// (<see cref="PgTopics.Config"/>) and after the event listener reconnected (a change may have been missed); once at start
/// too, as the table may have been created by the migrations that ran after the layer first loaded.
/// </summary>
public sealed class RuntimeConfigurationListener(PgEventBus bus, IConfiguration configuration, ILogger<RuntimeConfigurationListener> logger) : IHostedService
{
    // Swapped out whole on stop: a host can be stopped twice at once (WebApplicationFactory's dispose and the app's own
    // RunAsync both call StopAsync), and the second stop must not enumerate the list the first is clearing.
    private List<IDisposable> _subscriptions = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration.DatabaseProvider() is not { } provider) return Task.CompletedTask;
        Reload(provider, "start");
        _subscriptions.Add(bus.Subscribe(PgTopics.Config, payload =>
        {
            Reload(provider, payload);
            return Task.CompletedTask;
        }));
        _subscriptions.Add(bus.Subscribe(PgTopics.Reconnected, _ =>
        {
            Reload(provider, "reconnected");
            return Task.CompletedTask;
        }));
        return Task.CompletedTask;
    }

    private void Reload(DatabaseConfigurationProvider provider, string why)
    {
        try
        {
            provider.Reload();
            if (provider.LastError is { } error) logger.LogWarning("Runtime configuration not reloaded ({Why}): {Error}", why, error);
            else logger.LogDebug("Runtime configuration reloaded ({Why})", why);
        }
        catch (Exception e)
        {
            // A change callback failed, e.g. a consumer's options failed validation on reload: an entry written around
            // Admin → Settings (which validates). The listener keeps listening; the log names the failures.
            var failures = e is AggregateException all ? all.Flatten().InnerExceptions : [e];
            logger.LogError(e, "Runtime configuration reloaded ({Why}) but a consumer refused it: {Failures}", why,
                string.Join("; ", failures.Select(f => f is OptionsValidationException v ? string.Join("; ", v.Failures) : f.Message)));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in Interlocked.Exchange(ref _subscriptions, [])) s.Dispose();
        return Task.CompletedTask;
    }
}
