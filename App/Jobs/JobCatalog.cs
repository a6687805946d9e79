namespace Signalbook.Jobs;

/// <summary>What a second start of a job does while a run of the same job is in progress (on any node).</summary>
public enum OverlapPolicy
{
    /// <summary>Runs may overlap (only for jobs that are safe to run twice at once).</summary>
    Allow,

    /// <summary>The second start is recorded as skipped and dropped: right for scheduled work the next firing repeats.</summary>
    Skip,

    /// <summary>The second start waits: it is rescheduled a little later, so a request (a training, an import's analysis) is never lost.</summary>
    Wait,
}

/// <summary>
/// A job Signalbook runs on Hangfire: its name (the recurring job id and the task name in service_task_execution),
/// what it does, its class (a thin job with a <c>RunAsync</c> method), its default cron (Hangfire's standard five-field
/// format, in <see cref="TimeZone"/>), the queue it runs on, its retry policy and its overlap policy.
/// </summary>
public sealed record JobDefinition(
    string Name,
    string Description,
    Type Type,
    string? DefaultCron,
    string TimeZone = "America/New_York",
    string Queue = JobQueues.Default,
    int RetryAttempts = 0,
    int[]? RetryDelaysSeconds = null,
    OverlapPolicy Overlap = OverlapPolicy.Skip);

public static class JobQueues
{
    public const string Default = "default";
    public const string Training = "training";
}

/// <summary>
/// Every background job. Cron expressions are standard five-field ones (minute hour day-of-month month day-of-week),
/// in the job's time zone, and can be replaced per job with Jobs:Schedules:&lt;name&gt;. Jobs without a cron run as
/// continuations or when an admin starts them.
/// </summary>
public static class JobCatalog
{
    public const string DailySync = "market-data-daily-sync";
    public const string IntradaySync = "market-data-intraday-sync";
    public const string Features = "features";
    public const string Retention = "market-data-retention";
    public const string Recommendations = "recommendations";
    public const string ModelTraining = "model-training";
    public const string TradingServices = "trading-services";
    public const string TradingService = "trading-service";
    public const string SnapTradeSync = "snaptrade-sync";
    public const string Alerts = "alerts";
    public const string NotificationDelivery = "notification-delivery";
    public const string NotificationDigest = "notification-digest";
    public const string TelegramUpdates = "telegram-updates";
    public const string Statistics = "statistics";
    public const string OperationsRetention = "operations-retention";

    public static readonly IReadOnlyList<JobDefinition> All =
    [
        // A provider outage is usually short: three more tries, a minute, five and fifteen later.
        new(DailySync, "Fetches missing daily bars of every active instrument from the market-data provider, then continues with the features job.",
            typeof(DailySyncJob), "30 16 * * MON-FRI", RetryAttempts: 3, RetryDelaysSeconds: [60, 300, 900]),
        // The next firing is fifteen minutes away: one quick retry, then leave it to the schedule.
        new(IntradaySync, "Fetches missing 15-minute bars during the NYSE session, then continues with the features job.",
            typeof(IntradaySyncJob), "2/15 9-16 * * MON-FRI", RetryAttempts: 1, RetryDelaysSeconds: [60]),
        new(Features, "Computes features for new daily and 15-minute bars of the active instruments (or of the instruments an import names), then updates their daily regime model and states; continues with recommendations.",
            typeof(FeaturesJob), null, RetryAttempts: 2, RetryDelaysSeconds: [30, 120], Overlap: OverlapPolicy.Wait),
        new(Recommendations, "Back-fills the outcomes of predictions whose horizon has passed, then scores every active instrument's newest daily bar per risk profile with the active models. A continuation of the features job.",
            typeof(RecommendationsJob), null, RetryAttempts: 2, RetryDelaysSeconds: [30, 120], Overlap: OverlapPolicy.Wait),
        new(Retention, "Deletes intraday bars past MarketData:Retention:IntradayDays and daily bars past DailyYears, with their features.",
            typeof(RetentionJob), "15 2 * * *", RetryAttempts: 2, RetryDelaysSeconds: [300, 1800]),
        // A training fails for a reason a retry does not fix (data, parameters) and costs minutes of CPU: no retry.
        new(ModelTraining, "Trains the model an admin asked for on Admin → Models (one at a time, on the training queue) and registers it; started from that page only.",
            typeof(ModelTrainingJob), null, Queue: JobQueues.Training, Overlap: OverlapPolicy.Wait),
        new(TradingServices, "Queues a run of every trader's trading service that is running, so strategies act on the newest bars and recommendations. A continuation of the recommendations job.",
            typeof(TradingServicesJob), null),
        // The next sync evaluates again; a retry soon after is enough for a lost connection.
        new(Alerts, "Evaluates every active alert rule on the newest stored bars, features, regimes, recommendations and fills, writes the alerts that fire and notifies their owners. A continuation of the recommendations job.",
            typeof(AlertsJob), null, RetryAttempts: 1, RetryDelaysSeconds: [60], Overlap: OverlapPolicy.Wait),
        // Quiet hours end on any minute of any zone: a digest is at most five minutes late. A failed digest is tried by the next run.
        new(NotificationDigest, "Sends each user whose quiet hours ended one message per channel listing the notifications held meanwhile, and queues again any delivery whose job was lost.",
            typeof(NotificationDigestJob), "*/5 * * * *", TimeZone: "UTC"),
        // Linking a chat should feel immediate: every minute, a single short getUpdates call (skipped without a bot token).
        new(TelegramUpdates, "Reads the Telegram bot's new messages and links the chats that sent a valid link code from Settings → Notifications.",
            typeof(TelegramUpdatesJob), "* * * * *", TimeZone: "UTC"),
        // Every five minutes; a missed sample is a gap in a chart, not worth a retry.
        new(Statistics, "Samples users, sessions, open circuits, bars, features, recommendations, job success rate and queue depth, error rate and database size for Admin → System; deletes samples past Statistics:RetentionDays.",
            typeof(StatisticsJob), "*/5 * * * *", TimeZone: "Etc/UTC"),
        new(OperationsRetention, "Deletes service logs older than Operations:Logs:RetentionDays (30) and errors resolved more than Operations:Errors:ResolvedRetentionDays (90) ago; unresolved errors are kept.",
            typeof(OperationsRetentionJob), "45 2 * * *", RetryAttempts: 2, RetryDelaysSeconds: [300, 1800]),
    ];

    /// <summary>
    /// Jobs that run for one user (the user is in <see cref="JobStart.ForUser"/>): each trader's trading service, on the
    /// schedule of their task_schedule. Not listed on the admin's jobs page; admins see them on Trading services.
    /// A run's own failures are caught per portfolio and strategy; a crash of the run itself is retried once, five minutes later.
    /// </summary>
    public static readonly IReadOnlyList<JobDefinition> PerUser =
    [
        new(TradingService, "Runs one trader's trading service: updates their portfolios, evaluates their active strategies and places orders.",
            typeof(TradingServiceJob), null, RetryAttempts: 1, RetryDelaysSeconds: [300]),
        // Per connection (its argument), nightly (recurring job snaptrade-sync:<connection>) and on demand. Two syncs of
        // one trader wait for each other: they may rebuild the same campaigns.
        new(SnapTradeSync, "Syncs one broker connection's trades from SnapTrade into its owner's journal and rebuilds the campaigns they touch.",
            typeof(SnapTradeSyncJob), null, Overlap: OverlapPolicy.Wait),
        // Per notification (its argument). An SMTP server or Telegram outage is usually short: four more tries, a minute,
        // five minutes, half an hour and two hours later; then the channel is marked failed with the error.
        new(NotificationDelivery, "Delivers one notification by email and Telegram as its owner's preferences say, recording each channel's outcome.",
            typeof(NotificationDeliveryJob), null, RetryAttempts: 4, RetryDelaysSeconds: [60, 300, 1800, 7200], Overlap: OverlapPolicy.Allow),
    ];

    public static JobDefinition? Find(string name) => All.FirstOrDefault(j => j.Name == name) ?? PerUser.FirstOrDefault(j => j.Name == name);
}
