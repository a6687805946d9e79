using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Users;
using Signalbook.Features.Portfolios.Service;

namespace Signalbook.Jobs;

public static class JobsSetup
{
    /// <summary>Hangfire's tables live in this schema of the app's database; Hangfire creates and upgrades it itself.</summary>
    public const string Schema = "hangfire";

    /// <summary>Where the Hangfire Dashboard is served (admins only).</summary>
    public const string DashboardPath = "/admin/hangfire";

    /// <summary>Registers the jobs on the database <see cref="Data.DatabaseSetup.AddSignalbookDatabase"/> chose (call that first).</summary>
    public static WebApplicationBuilder AddSignalbookJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddSignalbookJobs(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Hangfire on PostgreSQL (schema <see cref="Schema"/>, from ConnectionStrings:Default), the job classes, our
    /// filters, the recurring schedules and, when Jobs:Enabled, this node's servers (one per queue) and heartbeat.
    /// Every Hangfire service is built from this container's own storage and filters, never from Hangfire's static
    /// globals, so several nodes can share one process (the tests do).
    /// </summary>
    public static IServiceCollection AddSignalbookJobs(this IServiceCollection services, IConfiguration configuration,
        Action<PostgreSqlStorageOptions>? storage = null)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();

        // Not Hangfire.AspNetCore's AddHangfire: it ties Hangfire's static configuration to this container. The dashboard
        // only needs these two from the container; everything else is built from this container's own services below.
        HangfireGlobals.Configure();
        services.TryAddSingleton<IGlobalConfiguration>(_ => GlobalConfiguration.Configuration);
        services.TryAddSingleton(_ => DashboardRoutes.Routes);

        services.AddSingleton(sp => new NodeIdentity(sp.GetRequiredService<IOptions<JobsOptions>>().Value.ResolvedNodeName));
        services.AddSingleton<JobStorage>(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString("Default");
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new InvalidOperationException("ConnectionStrings:Default is not set: AddSignalbookDatabase must run before the jobs start.");
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            var storageOptions = new PostgreSqlStorageOptions
            {
                SchemaName = Schema,
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = TimeSpan.FromMilliseconds(jobs.QueuePollMilliseconds),
                InvisibilityTimeout = TimeSpan.FromSeconds(jobs.InvisibilityTimeoutSeconds),
                UseSlidingInvisibilityTimeout = true,
                DistributedLockTimeout = TimeSpan.FromMinutes(1),
            };
            storage?.Invoke(storageOptions);
            return new PostgreSqlStorage(new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(connectionString, storageOptions, null), storageOptions);
        });
        services.AddSingleton(sp => new JobOverlapLock(sp.GetRequiredService<IConfiguration>().GetConnectionString("Default")!, sp.GetRequiredService<NodeIdentity>().Name));
        foreach (var job in JobCatalog.All.Concat(JobCatalog.PerUser)) services.AddSingleton(job);
        services.AddSingleton<JobRegistry>();
        services.AddSingleton<JobRecordingFilter>();
        services.AddSingleton<SignalbookJobFilters>();
        services.AddSingleton<IJobFilterProvider>(sp => sp.GetRequiredService<SignalbookJobFilters>());
        services.AddSingleton<IBackgroundJobFactory>(sp => new BackgroundJobFactory(sp.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IBackgroundJobStateChanger>(sp => new BackgroundJobStateChanger(sp.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IBackgroundJobPerformer>(sp => new BackgroundJobPerformer(sp.GetRequiredService<IJobFilterProvider>()));
        services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>(),
            sp.GetRequiredService<IBackgroundJobFactory>(), sp.GetRequiredService<IBackgroundJobStateChanger>()));
        services.AddSingleton<IRecurringJobManager>(sp => new RecurringJobManager(sp.GetRequiredService<JobStorage>(), sp.GetRequiredService<IBackgroundJobFactory>()));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));

        services.AddSingleton<JobClient>();
        services.AddSingleton<RecurringSchedules>();
        services.AddSingleton<IInstrumentAnalysisQueue, HangfireInstrumentAnalysisQueue>();
        services.AddSingleton<ITrainingQueue, HangfireTrainingQueue>();
        services.AddScoped<JobsService>();
        services.AddTransient<DailySyncJob>().AddTransient<IntradaySyncJob>().AddTransient<FeaturesJob>().AddTransient<RecommendationsJob>()
            .AddTransient<RetentionJob>().AddTransient<ModelTrainingJob>().AddTransient<TradingServicesJob>().AddTransient<TradingServiceJob>()
            .AddTransient<SnapTradeSyncJob>().AddTransient<AlertsJob>().AddTransient<StatisticsJob>();
        services.AddSingleton<ITradingServiceScheduler, HangfireTradingServiceScheduler>();
        services.AddSingleton<Features.Journal.SnapTrade.ISnapTradeSyncScheduler, HangfireSnapTradeSyncScheduler>();

        if (!options.Enabled) return services;
        // Hosted services stop in the reverse order of registration: the servers (registered after the database's
        // private cluster) stop, and let their jobs end, before the cluster does.
        services.AddSingleton<NodeHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeHeartbeat>());
        services.AddSingleton<JobServers>();
        services.AddHostedService(sp => sp.GetRequiredService<JobServers>());
        return services;
    }

    /// <summary>The Hangfire Dashboard at <see cref="DashboardPath"/>, for admins (an endpoint policy plus the dashboard's own check).</summary>
    public static WebApplication MapSignalbookJobs(this WebApplication app)
    {
        var options = new DashboardOptions
        {
            Authorization = [new AdminDashboardAuthorization()],
            DashboardTitle = "Signalbook · Hangfire",
            AppPath = "/admin/jobs",
            DarkModeEnabled = true, // follows the browser's prefers-color-scheme
            DisplayStorageConnectionString = false,
        };
        HangfireLogBridge.Instance.Use(app.Services.GetRequiredService<ILoggerFactory>());
        app.MapHangfireDashboard(DashboardPath, options, app.Services.GetRequiredService<JobStorage>())
            .RequireAuthorization(p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return app;
    }
}

/// <summary>The dashboard's own check, behind the endpoint's policy: the signed-in user must be an admin.</summary>
public sealed class AdminDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && user.IsInRole(Roles.Admin);
    }
}

/// <summary>
/// Keeps Hangfire's recurring jobs in step with the catalogue and Jobs:Schedules: added or updated at start,
/// removed when a schedule is empty or an admin paused it. Paused jobs are a set in Hangfire's storage, so every
/// node sees them and a restart keeps them paused. A schedule changed at run time (Admin → Settings, through the
/// config_entries layer) re-registers that job once <see cref="Apply()"/> has run on this node.
/// </summary>
public sealed class RecurringSchedules : IDisposable
{
    private const string PausedSet = "signalbook:paused-jobs";
    private readonly IRecurringJobManager manager;
    private readonly JobStorage storage;
    private readonly IOptionsMonitor<JobsOptions> options;
    private readonly ILogger<RecurringSchedules> logger;
    private readonly Dictionary<string, string?> _applied = [];
    private readonly Lock _lock = new();
    private IDisposable? _watch;

    public RecurringSchedules(IRecurringJobManager manager, JobStorage storage, IOptionsMonitor<JobsOptions> options, ILogger<RecurringSchedules> logger)
    {
        this.manager = manager;
        this.storage = storage;
        this.options = options;
        this.logger = logger;
    }

    /// <summary>Re-applies the schedules whose cron changed since they were last applied here.</summary>
    private void OnOptionsChanged(JobsOptions changed)
    {
        try
        {
            var paused = Paused();
            foreach (var job in JobCatalog.All)
            {
                string? last;
                lock (_lock)
                {
                    if (!_applied.TryGetValue(job.Name, out last)) continue;
                }
                if (last == changed.CronFor(job)) continue;
                logger.LogInformation("Schedule of {Job} changed to {Cron}", job.Name, changed.CronFor(job) ?? "(none)");
                Apply(job, paused.Contains(job.Name));
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Re-applying the changed job schedules failed");
        }
    }

    public void Dispose() => _watch?.Dispose();

    public IReadOnlySet<string> Paused()
    {
        using var connection = storage.GetConnection();
        return connection.GetAllItemsFromSet(PausedSet);
    }

    public void SetPaused(string name, bool paused)
    {
        using var connection = storage.GetConnection();
        using var tx = connection.CreateWriteTransaction();
        if (paused) tx.AddToSet(PausedSet, name);
        else tx.RemoveFromSet(PausedSet, name);
        tx.Commit();
    }

    /// <summary>Adds, updates or removes every catalogue job's recurring job.</summary>
    public void Apply()
    {
        var paused = Paused();
        foreach (var job in JobCatalog.All) Apply(job, paused.Contains(job.Name));
    }

    public void Apply(JobDefinition job, bool paused)
    {
        _watch ??= options.OnChange(OnOptionsChanged);
        var cron = options.CurrentValue.CronFor(job);
        lock (_lock)
        {
            _applied[job.Name] = cron;
        }
        if (cron is null || paused)
        {
            manager.RemoveIfExists(job.Name);
            return;
        }
        manager.AddOrUpdate(job.Name, JobClient.JobFor(job.Name, JobStart.Cron), cron, new RecurringJobOptions
        {
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById(job.TimeZone),
            MisfireHandling = MisfireHandlingMode.Relaxed, // one catch-up run after an outage, not one per missed firing
        });
        logger.LogDebug("Recurring job {Job}: {Cron} ({TimeZone})", job.Name, cron, job.TimeZone);
    }
}

/// <summary>
/// This node's Hangfire servers: one per queue with workers (Jobs:Queues), so a long training on the training queue
/// never holds up a sync on the default queue. The first runs Hangfire's schedulers; the others are lightweight.
/// </summary>
public sealed class JobServers(IServiceProvider services, IOptions<JobsOptions> options, NodeIdentity node, ILogger<JobServers> logger) : IHostedService
{
    private readonly List<BackgroundJobServer> _servers = [];

    public IReadOnlyList<BackgroundJobServer> Servers => _servers;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        HangfireLogBridge.Instance.Use(services.GetRequiredService<ILoggerFactory>());
        var o = options.Value;
        services.GetRequiredService<RecurringSchedules>().Apply();
        var storage = services.GetRequiredService<JobStorage>();
        foreach (var (queue, workers) in o.Queues.Where(q => q.Value > 0).OrderBy(q => q.Key == JobQueues.Default ? 0 : 1).ThenBy(q => q.Key))
        {
            var server = new BackgroundJobServer(new BackgroundJobServerOptions
            {
                ServerName = $"{node.Name}:{queue}",
                Queues = [queue],
                WorkerCount = workers,
                IsLightweightServer = _servers.Count > 0,
                SchedulePollingInterval = TimeSpan.FromMilliseconds(o.SchedulePollMilliseconds),
                ShutdownTimeout = TimeSpan.FromSeconds(o.ShutdownTimeoutSeconds),
                StopTimeout = TimeSpan.FromSeconds(Math.Min(5, o.ShutdownTimeoutSeconds)),
                CancellationCheckInterval = TimeSpan.FromSeconds(1),
                HeartbeatInterval = TimeSpan.FromSeconds(Math.Min(30, o.HeartbeatSeconds)),
                FilterProvider = services.GetRequiredService<IJobFilterProvider>(),
                Activator = services.GetRequiredService<JobActivator>(),
            }, storage);
            _servers.Add(server);
            logger.LogInformation("Hangfire server {Server}: {Workers} worker(s) on queue {Queue}", $"{node.Name}:{queue}", workers, queue);
        }
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Every server is told to stop first (their running jobs' tokens are cancelled together), then they get up to
        // Jobs:ShutdownTimeoutSeconds to finish, in parallel, before the host goes on (and stops the private cluster).
        foreach (var server in _servers) server.SendStop();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ShutdownTimeoutSeconds));
        try
        {
            await Task.WhenAll(_servers.Select(server => server.WaitForShutdownAsync(timeout.Token)));
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Hangfire servers of {Node} did not stop within {Seconds} s; their jobs run again on another node", node.Name,
                options.Value.ShutdownTimeoutSeconds);
        }
        // Dispose off the host's path: under a test host it was seen to block after the servers had stopped.
        var stopped = _servers.ToArray();
        _ = Task.Run(() =>
        {
            foreach (var server in stopped)
            {
                try
                {
                    server.Dispose();
                }
                catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
                {
                    logger.LogDebug(e, "Disposing a stopped Hangfire server");
                }
            }
        }, CancellationToken.None);
        _servers.Clear();
    }
}
