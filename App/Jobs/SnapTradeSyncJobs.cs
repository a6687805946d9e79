using Hangfire;
using Hangfire.Server;
using Signalbook.Features.Journal.SnapTrade;

namespace Signalbook.Jobs;

/// <summary>
/// Syncs one broker connection's trades into its owner's journal (the owner is the run's <see cref="JobStart.ForUser"/>,
/// the connection its argument). A SnapTrade failure is the outcome, not an exception: the connection's status already
/// says it, and the nightly run tries again, so Hangfire does not retry it.
/// </summary>
public sealed class SnapTradeSyncJob(SnapTradeSyncService service)
{
    public async Task<JobOutcome> RunAsync(JobStart start, long connectionId, PerformContext? context, CancellationToken ct)
    {
        var owner = start.ForUser ?? throw new JobValidationException("A broker sync needs the trader who owns the connection.");
        if (connectionId <= 0) throw new JobValidationException("A broker sync needs the connection it syncs.");
        var progress = JobContext.ProgressOf(context);
        progress.Report(new JobProgress(0.1, $"Syncing connection {connectionId}"));
        BrokerSyncOutcome outcome;
        try
        {
            outcome = await service.SyncConnectionAsync(owner, connectionId, ct);
        }
        catch (Features.Journal.JournalNotFoundException e)
        {
            throw new JobValidationException(e.Message, e);
        }
        return new JobOutcome(outcome.Status == BrokerSyncStatus.Success ? TaskStatuses.Success : TaskStatuses.Failed,
            SnapTradeSyncService.Details(outcome), outcome.Status == BrokerSyncStatus.Success ? null : outcome.Message);
    }
}

/// <summary>
/// Each connection's nightly sync as a Hangfire recurring job named snaptrade-sync:&lt;connection&gt; (UTC, its minute
/// spread by the connection id so the connections of all traders do not call SnapTrade at the same second), and syncs
/// queued now.
/// </summary>
public sealed class HangfireSnapTradeSyncScheduler(IRecurringJobManager recurring, JobClient jobs) : ISnapTradeSyncScheduler
{
    public static string RecurringId(long connectionId) => $"{JobCatalog.SnapTradeSync}:{connectionId}";

    /// <summary>Between 02:00 and 02:59 UTC, after the US sessions have closed and SnapTrade's daily refresh has run.</summary>
    public static string NightlyCron(long connectionId) => $"{connectionId % 60} 2 * * *";

    public void Register(Guid ownerId, long connectionId) =>
        recurring.AddOrUpdate(RecurringId(connectionId), JobClient.JobFor(JobCatalog.SnapTradeSync, new JobStart(JobStart.CronKind, ForUser: ownerId), connectionId: connectionId),
            NightlyCron(connectionId), new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc, MisfireHandling = MisfireHandlingMode.Relaxed });

    public void Remove(long connectionId) => recurring.RemoveIfExists(RecurringId(connectionId));

    public string RunNow(Guid ownerId, long connectionId, Guid? requestedBy, string reason) =>
        jobs.Enqueue(JobCatalog.SnapTradeSync, new JobStart(JobStart.ManualKind, requestedBy, reason, ownerId), connectionId: connectionId);
}
