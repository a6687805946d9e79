namespace Signalbook.Jobs;

/// <summary>A job Signalbook schedules: its name (the Quartz job key), what it does, its class and default cron.</summary>
public sealed record JobDefinition(string Name, string Description, Type Type, string? DefaultCron, string TimeZone = "America/New_York");

/// <summary>
/// Every background job. Cron expressions are Quartz's (seconds first) in the job's time zone and can be
/// replaced per job with Jobs:Schedules:&lt;name&gt;. Jobs without a cron run when chained or started by an admin.
/// </summary>
public static class JobCatalog
{
    public const string Features = "features";

    public static readonly IReadOnlyList<JobDefinition> All =
    [
        new(Features, "Computes features for new daily and 15-minute bars of every active instrument, then updates its daily regime model and states.",
            typeof(FeaturesJob), null),
    ];

    public static JobDefinition? Find(string name) => All.FirstOrDefault(j => j.Name == name);
}
