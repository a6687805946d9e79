using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Quartz;
using Signalbook.Data;

namespace Signalbook.Jobs;

public sealed class JobsOptions : IValidatableObject
{
    public const string Section = "Jobs";

    /// <summary>Off: no scheduler on this node (it still serves the UI and reads the run history).</summary>
    public bool Enabled { get; set; } = true;

    [Required, RegularExpression("^[A-Za-z0-9_-]+$")]
    public string SchedulerName { get; set; } = "signalbook";

    /// <summary>This node's name in the cluster; unique per app instance. Default: host name and process id.</summary>
    public string? NodeName { get; set; }

    [Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 15;

    [Range(1000, 600_000)]
    public int ClusterCheckinMilliseconds { get; set; } = 7500;

    [Range(1, 16)]
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>Quartz cron expressions by job name, replacing <see cref="JobCatalog"/>'s defaults; an empty string removes the schedule.</summary>
    public Dictionary<string, string> Schedules { get; set; } = [];

    public string ResolvedNodeName => string.IsNullOrWhiteSpace(NodeName) ? $"{Environment.MachineName}-{Environment.ProcessId}" : NodeName;

    public string? CronFor(JobDefinition job) => Schedules.TryGetValue(job.Name, out var cron) ? (string.IsNullOrWhiteSpace(cron) ? null : cron) : job.DefaultCron;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, cron) in Schedules)
        {
            if (JobCatalog.Find(name) is null)
                yield return new ValidationResult($"Jobs:Schedules:{name}: no such job; known jobs are {string.Join(", ", JobCatalog.All.Select(j => j.Name))}.");
            else if (!string.IsNullOrWhiteSpace(cron) && !CronExpression.TryParse(cron, out _))
                yield return new ValidationResult($"Jobs:Schedules:{name}: '{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week).");
        }
    }
}

public static class JobsSetup
{
    public const string Group = "signalbook";

    /// <summary>Registers the scheduler on the database <see cref="DatabaseSetup.AddSignalbookDatabase"/> chose (call that first).</summary>
    public static WebApplicationBuilder AddSignalbookJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        services.AddScoped<JobsService>();
        if (!options.Enabled) return builder;

        var connection = (DatabaseConnection?)services.LastOrDefault(d => d.ServiceType == typeof(DatabaseConnection))?.ImplementationInstance
            ?? throw new InvalidOperationException("AddSignalbookDatabase must run before AddSignalbookJobs.");
        services.AddQuartzScheduler(connection.Value, options);
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddSingleton<NodeHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeHeartbeat>());
        return builder;
    }

    /// <summary>
    /// A clustered scheduler on PostgreSQL (Quartz's AdoJobStore): every node shares the qrtz_ tables, a
    /// database lock hands each trigger firing to exactly one node, and a node that stops checking in has
    /// its in-flight jobs recovered by another. Every catalogue job is registered, with its cron trigger.
    /// </summary>
    public static IServiceCollection AddQuartzScheduler(this IServiceCollection services, string connectionString, JobsOptions options,
        Action<IQuartzBuilder>? more = null)
    {
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.SchedulerName;
                s.InstanceId = options.ResolvedNodeName;
            });
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = options.MaxConcurrency);
            // Triggers fire on the wall clock. Jobs themselves read the app's TimeProvider (a test's manual clock),
            // which Quartz would otherwise take from the container, firing every cron trigger as a misfire when it moves.
            q.UseTimeProvider(TimeProvider.System);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseSystemTextJsonSerializer(_ => { });
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromMilliseconds(options.ClusterCheckinMilliseconds);
                    c.CheckinMisfireThreshold = TimeSpan.FromMilliseconds(options.ClusterCheckinMilliseconds * 2);
                });
            });
            foreach (var job in JobCatalog.All)
            {
                var key = new JobKey(job.Name, Group);
                q.AddJob(job.Type, j => j.WithIdentity(key).StoreDurably().WithDescription(job.Description).RequestRecovery());
                if (options.CronFor(job) is { } cron)
                {
                    q.AddTrigger(t => t.ForJob(key).WithIdentity(job.Name, Group)
                        .WithCronSchedule(cron, x => x.InTimeZone(TimeZoneInfo.FindSystemTimeZoneById(job.TimeZone)).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed)));
                }
            }
            more?.Invoke(q);
        });
        return services;
    }
}
