using System.Globalization;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;

namespace Signalbook.Jobs;

/// <summary>
/// Starts Signalbook's jobs on Hangfire: now, or as a continuation of a running job. Only writes to the job storage,
/// so it works on every node, whether or not it runs a Hangfire server (Jobs:Enabled).
/// </summary>
public sealed class JobClient(IBackgroundJobClient client)
{
    /// <summary>The Hangfire job of a catalogue job, as its schedule, an admin or a continuation starts it.</summary>
    public static Job JobFor(string name, JobStart start, long[]? instrumentIds = null, long trainingJobId = 0, long connectionId = 0) => name switch
    {
        JobCatalog.DailySync => Job.FromExpression<DailySyncJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.IntradaySync => Job.FromExpression<IntradaySyncJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.Features => Job.FromExpression<FeaturesJob>(j => j.RunAsync(start, instrumentIds, null, CancellationToken.None)),
        JobCatalog.Recommendations => Job.FromExpression<RecommendationsJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.Retention => Job.FromExpression<RetentionJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.ModelTraining => Job.FromExpression<ModelTrainingJob>(j => j.RunAsync(start, trainingJobId, null, CancellationToken.None)),
        JobCatalog.TradingServices => Job.FromExpression<TradingServicesJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.TradingService => Job.FromExpression<TradingServiceJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.Alerts => Job.FromExpression<AlertsJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.SnapTradeSync => Job.FromExpression<SnapTradeSyncJob>(j => j.RunAsync(start, connectionId, null, CancellationToken.None)),
        JobCatalog.NotificationDigest => Job.FromExpression<NotificationDigestJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.TelegramUpdates => Job.FromExpression<TelegramUpdatesJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.Statistics => Job.FromExpression<StatisticsJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        JobCatalog.OperationsRetention => Job.FromExpression<OperationsRetentionJob>(j => j.RunAsync(start, null, CancellationToken.None)),
        _ => throw new ArgumentException($"No job named '{name}'.", nameof(name)),
    };

    private static string QueueOf(string name) => JobCatalog.Find(name)?.Queue ?? JobQueues.Default;

    /// <summary>Queues a job now; returns its Hangfire id.</summary>
    public string Enqueue(string name, JobStart start, long[]? instrumentIds = null, long trainingJobId = 0, long connectionId = 0)
        => client.Create(JobFor(name, start, instrumentIds, trainingJobId, connectionId), new EnqueuedState(QueueOf(name)));

    /// <summary>
    /// Queues a job to run once the running job <paramref name="context"/> belongs to has succeeded (a Hangfire
    /// continuation: it never runs if the parent fails for good). Outside Hangfire (a direct call) it does nothing.
    /// </summary>
    public string? ContinueWith(PerformContext? context, string name, JobStart start, long[]? instrumentIds = null)
        => context is null ? null
            : client.Create(JobFor(name, start, instrumentIds),
                new AwaitingState(context.BackgroundJob.Id, new EnqueuedState(QueueOf(name)), JobContinuationOptions.OnlyOnSucceededState));

    /// <summary>Deletes a queued or running job; a running one has its cancellation token cancelled.</summary>
    public bool Delete(string jobId) => client.Delete(jobId);
}

/// <summary>
/// After an import: features and regimes of the imported instruments, then (a continuation) recommendations. Enqueue
/// only, so it works on a node that runs no Hangfire server.
/// </summary>
public sealed class HangfireInstrumentAnalysisQueue(JobClient jobs, ILogger<HangfireInstrumentAnalysisQueue> logger) : IInstrumentAnalysisQueue
{
    public Task<string?> EnqueueAsync(IReadOnlyCollection<long> instrumentIds, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(instrumentIds);
        ct.ThrowIfCancellationRequested();
        var ids = instrumentIds.Where(i => i > 0).Distinct().Order().ToArray();
        if (ids.Length == 0) return Task.FromResult<string?>(null);
        var text = string.IsNullOrWhiteSpace(reason) ? "analysis requested" : reason.Trim();
        var id = jobs.Enqueue(JobCatalog.Features, JobStart.Chained(text.Length > 200 ? text[..200] : text), ids);
        logger.LogInformation("Analysis of {Count} instrument(s) queued as job {JobId}: {Reason}", ids.Length, id, text);
        return Task.FromResult<string?>(id);
    }
}

/// <summary>
/// Training requests on Hangfire's training queue. The Hangfire id of each request is kept in a storage hash, so a
/// cancel deletes the job: a queued one never starts, a running one has its token cancelled.
/// </summary>
public sealed class HangfireTrainingQueue(JobClient jobs, JobStorage storage) : ITrainingQueue
{
    private const string HashKey = "signalbook:training-jobs";

    public string Enqueue(long trainingJobId, Guid? requestedBy)
    {
        var id = jobs.Enqueue(JobCatalog.ModelTraining, JobStart.Manual(requestedBy), trainingJobId: trainingJobId);
        using var connection = storage.GetConnection();
        using var tx = connection.CreateWriteTransaction();
        tx.SetRangeInHash(HashKey, [new KeyValuePair<string, string>(trainingJobId.ToString(CultureInfo.InvariantCulture), id)]);
        tx.Commit();
        return id;
    }

    public bool Cancel(long trainingJobId)
    {
        using var connection = storage.GetConnection();
        var ids = connection.GetAllEntriesFromHash(HashKey);
        return ids is not null && ids.TryGetValue(trainingJobId.ToString(CultureInfo.InvariantCulture), out var id) && jobs.Delete(id);
    }
}
