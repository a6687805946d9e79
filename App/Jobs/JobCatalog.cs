namespace Signalbook.Jobs;

/// <summary>A job Signalbook schedules: its name (the Quartz job key), what it does, its class and default cron.</summary>
public sealed record JobDefinition(string Name, string Description, Type Type, string? DefaultCron, string TimeZone = "America/New_York");

/// <summary>
/// Every background job. Cron expressions are Quartz's (seconds first) in the job's time zone and can be
/// replaced per job with Jobs:Schedules:&lt;name&gt;. Jobs without a cron run when chained or started by an admin.
/// </summary>
public static class JobCatalog
{
    public const string DailySync = "market-data-daily-sync";
    public const string IntradaySync = "market-data-intraday-sync";
    public const string Features = "features";
    public const string Retention = "market-data-retention";
    public const string Recommendations = "recommendations";

    public static readonly IReadOnlyList<JobDefinition> All =
    [
        new(DailySync, "Fetches missing daily bars of every active instrument from the market-data provider, then chains the features job.",
            typeof(DailySyncJob), "0 30 16 ? * MON-FRI"),
        new(IntradaySync, "Fetches missing 15-minute bars during the NYSE session, then chains the features job.",
            typeof(IntradaySyncJob), "0 2/15 9-16 ? * MON-FRI"),
        new(Features, "Computes features for new daily and 15-minute bars of every active instrument, then updates its daily regime model and states.",
            typeof(FeaturesJob), null),
        new(Recommendations, "Back-fills the outcomes of predictions whose horizon has passed, then scores every active instrument's newest daily bar per risk profile with the active models. Chained after the features job.",
            typeof(RecommendationsJob), null),
        new(Retention, "Deletes intraday bars past MarketData:Retention:IntradayDays and daily bars past DailyYears, with their features.",
            typeof(RetentionJob), "0 15 2 * * ?"),
    ];

    public static JobDefinition? Find(string name) => All.FirstOrDefault(j => j.Name == name);
}
