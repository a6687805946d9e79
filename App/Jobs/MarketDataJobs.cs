using Quartz;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Sync;

namespace Signalbook.Jobs;

/// <summary>
/// Syncs one bar size for every active instrument, then starts the features job (which also updates
/// regimes) when new bars arrived. Subclasses name the bar size and when a run has nothing to do.
/// </summary>
[DisallowConcurrentExecution]
public abstract class SyncJob(IServiceScopeFactory scopes, ILogger logger) : SignalbookJob(scopes, logger)
{
    protected abstract string Interval { get; }

    /// <summary>Why this firing should not sync (e.g. the market is closed), or null to sync.</summary>
    protected virtual string? SkipReason(DateTimeOffset now) => null;

    protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var manual = context.MergedJobDataMap.TryGetString(TriggerKindKey, out var kind) && kind == "manual";
        if (!manual && SkipReason(services.GetRequiredService<TimeProvider>().GetUtcNow()) is { } reason) return JobOutcome.Skipped(reason);

        var sync = services.GetRequiredService<MarketDataSyncService>();
        var summary = await sync.SyncAllAsync(Interval, progress.Relay<SyncProgress>(p =>
            new JobProgress((double)p.Done / Math.Max(1, p.Total), $"{p.Symbol} {p.Interval}: {p.Status} ({p.Done} of {p.Total})")), ct);
        var failures = summary.Results.Where(r => r.Status == "failed").Select(r => $"{r.Symbol}: {r.Error}").ToList();
        var details = new Dictionary<string, object?>
        {
            ["interval"] = Interval, ["instruments_ok"] = summary.InstrumentsOk, ["instruments_failed"] = summary.InstrumentsFailed,
            ["bars_fetched"] = summary.BarsFetched, ["partial"] = summary.Results.Count(r => r.Status == "partial"), ["errors"] = failures,
        };
        if (summary.BarsFetched > 0)
        {
            // Chained: features and regimes for the new bars, as their own run in the history.
            await context.Scheduler.TriggerJob(new JobKey(JobCatalog.Features, JobsSetup.Group), new JobDataMap { [TriggerKindKey] = "chained" }, ct);
            details["chained"] = JobCatalog.Features;
        }
        if (summary.InstrumentsFailed == 0) return JobOutcome.Success(details);
        var status = summary.InstrumentsOk == 0 ? TaskStatuses.Failed : TaskStatuses.Success;
        return new JobOutcome(status, details, $"{summary.InstrumentsFailed} of {summary.InstrumentsOk + summary.InstrumentsFailed} instruments failed; first: {failures.FirstOrDefault()}");
    }
}

/// <summary>Daily bars after the close (the cron fires on weekdays; exchange holidays sync nothing new and cost one request each).</summary>
public sealed class DailySyncJob(IServiceScopeFactory scopes, ILogger<DailySyncJob> logger) : SyncJob(scopes, logger)
{
    protected override string Interval => Intervals.OneDay;
}

/// <summary>15-minute bars during the session; firings while the NYSE is closed (holidays, the cron's edges) are skipped.</summary>
public sealed class IntradaySyncJob(IServiceScopeFactory scopes, ILogger<IntradaySyncJob> logger) : SyncJob(scopes, logger)
{
    protected override string Interval => Intervals.FifteenMinutes;

    protected override string? SkipReason(DateTimeOffset now)
        => ExchangeCalendar.Nyse.IsOpen(now) || ExchangeCalendar.Nyse.IsOpen(now.AddMinutes(-15)) ? null : "the NYSE session is closed";
}

/// <summary>Deletes bars and features past the retention windows.</summary>
[DisallowConcurrentExecution]
public sealed class RetentionJob(IServiceScopeFactory scopes, ILogger<RetentionJob> logger) : SignalbookJob(scopes, logger)
{
    protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var report = await services.GetRequiredService<RetentionService>().PurgeAsync(ct);
        return JobOutcome.Success(new Dictionary<string, object?>
        {
            ["bars_deleted"] = report.BarsDeleted, ["features_deleted"] = report.FeaturesDeleted,
            ["intraday_cutoff"] = report.IntradayCutoff, ["daily_cutoff"] = report.DailyCutoff,
        });
    }
}
