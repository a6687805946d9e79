using Hangfire;
using Hangfire.Server;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Service;

namespace Signalbook.Jobs;

/// <summary>One trader's trading service run (the trader is the run's <see cref="JobStart.ForUser"/>).</summary>
public sealed class TradingServiceJob(UserTradingService service)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        var user = start.ForUser ?? throw new JobValidationException("A trading-service run needs the trader it runs for.");
        var progress = JobContext.ProgressOf(context);
        var run = await service.RunAsync(user, progress.Relay<(double Fraction, string Message)>(p => new JobProgress(p.Fraction, p.Message)), ct);
        if (!run.Ran) return JobOutcome.Skipped(run.SkippedBecause ?? "not running");
        return new JobOutcome(run.Errors == 0 ? TaskStatuses.Success : TaskStatuses.Failed, new Dictionary<string, object?>
        {
            ["portfolios"] = run.Portfolios, ["strategies"] = run.Strategies, ["signals"] = run.Signals, ["orders_placed"] = run.OrdersPlaced, ["errors"] = run.Errors,
        }, run.Errors == 0 ? null : $"{run.Errors} portfolio or strategy error(s): see the service log.");
    }
}

/// <summary>Queues a run of every running trader's service (after each data sync's scoring, or when an admin asks).</summary>
public sealed class TradingServicesJob(TradingServiceManager manager, JobClient jobs)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        var users = await manager.RunningUsersAsync(ct);
        foreach (var user in users) jobs.Enqueue(JobCatalog.TradingService, new JobStart(JobStart.ChainedKind, start.RequestedBy, "after data sync", user));
        return JobOutcome.Success(new Dictionary<string, object?> { ["services_queued"] = users.Count });
    }
}

/// <summary>Each trader's recurring run as a Hangfire recurring job named trading-service:&lt;user&gt;, in the trader's time zone.</summary>
public sealed class HangfireTradingServiceScheduler(IRecurringJobManager recurring, JobClient jobs) : ITradingServiceScheduler
{
    public static string RecurringId(Guid userId) => $"{JobCatalog.TradingService}:{userId:N}";

    public void Register(Guid userId, TradingSchedule schedule) =>
        recurring.AddOrUpdate(RecurringId(userId), JobClient.JobFor(JobCatalog.TradingService, new JobStart(JobStart.CronKind, ForUser: userId)), schedule.EvaluateCron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone), MisfireHandling = MisfireHandlingMode.Relaxed });

    public void Remove(Guid userId) => recurring.RemoveIfExists(RecurringId(userId));

    public string RunNow(Guid userId, Guid? requestedBy, string reason) =>
        jobs.Enqueue(JobCatalog.TradingService, new JobStart(JobStart.ManualKind, requestedBy, reason, userId));
}
