using Hangfire.Server;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Sync;

namespace Signalbook.Jobs;

/// <summary>
/// Syncs one bar size for every active instrument; when new bars arrived, the features job (which also updates
/// regimes) follows as a continuation. Subclasses name the bar size and when a scheduled firing has nothing to do.
/// </summary>
public abstract class SyncJob(MarketDataSyncService sync, JobClient jobs, TimeProvider clock)
{
    protected abstract string Interval { get; }

    /// <summary>Why a scheduled firing should not sync (e.g. the market is closed), or null to sync.</summary>
    protected virtual string? SkipReason(DateTimeOffset now) => null;

    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.Kind == JobStart.CronKind && SkipReason(clock.GetUtcNow()) is { } reason) return JobOutcome.Skipped(reason);

        var progress = JobContext.ProgressOf(context);
        var summary = await sync.SyncAllAsync(Interval, progress.Relay<SyncProgress>(p =>
            new JobProgress((double)p.Done / Math.Max(1, p.Total), $"{p.Symbol} {p.Interval}: {p.Status} ({p.Done} of {p.Total})")), ct);
        var failures = summary.Results.Where(r => r.Status == "failed").Select(r => $"{r.Symbol}: {r.Error}").ToList();
        var details = new Dictionary<string, object?>
        {
            ["interval"] = Interval, ["instruments_ok"] = summary.InstrumentsOk, ["instruments_failed"] = summary.InstrumentsFailed,
            ["bars_fetched"] = summary.BarsFetched, ["partial"] = summary.Results.Count(r => r.Status == "partial"), ["errors"] = failures,
        };
        var error = summary.InstrumentsFailed == 0 ? null
            : $"{summary.InstrumentsFailed} of {summary.InstrumentsOk + summary.InstrumentsFailed} instruments failed; first: {failures.FirstOrDefault()}";
        // Nothing synced at all (the provider is down): a failure, which the job's retry policy retries.
        if (summary.InstrumentsFailed > 0 && summary.InstrumentsOk == 0) throw new JobFailedException(new JobOutcome(TaskStatuses.Failed, details, error));

        if (summary.BarsFetched > 0 && jobs.ContinueWith(context, JobCatalog.Features, JobStart.Chained($"new {Interval} bars")) is { } next)
        {
            details["continued_with"] = JobCatalog.Features;
            details["continuation_id"] = next;
        }
        return new JobOutcome(TaskStatuses.Success, details, error);
    }
}

/// <summary>Daily bars after the close (the cron fires on weekdays; exchange holidays sync nothing new and cost one request each).</summary>
public sealed class DailySyncJob(MarketDataSyncService sync, JobClient jobs, TimeProvider clock) : SyncJob(sync, jobs, clock)
{
    protected override string Interval => Intervals.OneDay;
}

/// <summary>15-minute bars during the session; scheduled firings while the NYSE is closed (holidays, the cron's edges) are skipped.</summary>
public sealed class IntradaySyncJob(MarketDataSyncService sync, JobClient jobs, TimeProvider clock) : SyncJob(sync, jobs, clock)
{
    protected override string Interval => Intervals.FifteenMinutes;

    protected override string? SkipReason(DateTimeOffset now)
        => ExchangeCalendar.Nyse.IsOpen(now) || ExchangeCalendar.Nyse.IsOpen(now.AddMinutes(-15)) ? null : "the NYSE session is closed";
}

/// <summary>Deletes bars and features past the retention windows.</summary>
public sealed class RetentionJob(RetentionService retention)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        JobContext.ProgressOf(context).Report(new JobProgress(0, "Deleting bars and features past the retention windows"));
        var report = await retention.PurgeAsync(ct);
        return JobOutcome.Success(new Dictionary<string, object?>
        {
            ["bars_deleted"] = report.BarsDeleted, ["features_deleted"] = report.FeaturesDeleted,
            ["intraday_cutoff"] = report.IntradayCutoff, ["daily_cutoff"] = report.DailyCutoff,
        });
    }
}
