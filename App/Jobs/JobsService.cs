using Microsoft.EntityFrameworkCore;
using Quartz;
using Signalbook.Data;
using Signalbook.Features.Audit;

namespace Signalbook.Jobs;

public sealed record JobRunSummary(long Id, string TaskName, string Status, DateTimeOffset ExecutedAt, DateTimeOffset? FinishedAt, double? DurationSeconds,
    double Progress, string? ProgressMessage, string? Error, string TriggerKind, string NodeName, string? Details);

public sealed record JobRow(string Name, string Description, string? Cron, string TimeZone, bool Paused, DateTimeOffset? PreviousFire,
    DateTimeOffset? NextFire, JobRunSummary? LastRun, JobRunSummary? Running);

public sealed record NodeRow(string NodeName, bool Running, DateTimeOffset? LastHeartbeat, DateTimeOffset? LastTaskExecution, int ErrorCount, string? LastError);

public sealed record JobHistoryQuery(string? TaskName = null, string? Status = null, int Skip = 0, int Take = 20);

/// <summary>The Jobs page's view of the scheduler and the run history, and its commands (run now, pause, resume), audited.</summary>
public sealed class JobsService(IServiceProvider services, IDbContextFactory<AppDbContext> factory, AuditService audit)
{
    private ISchedulerFactory? Schedulers => services.GetService<ISchedulerFactory>();

    /// <summary>False when this node runs no scheduler (Jobs:Enabled = false): the page then shows history only.</summary>
    public bool SchedulerAvailable => Schedulers is not null;

    public async Task<IReadOnlyList<JobRow>> ListAsync(CancellationToken ct = default)
    {
        var scheduler = Schedulers is { } f ? await f.GetScheduler(ct) : null;
        await using var db = await factory.CreateDbContextAsync(ct);
        var names = JobCatalog.All.Select(j => j.Name).ToList();
        var running = await db.TaskExecutions.AsNoTracking().Where(t => names.Contains(t.TaskName) && t.UserId == null && t.Status == TaskStatuses.Running)
            .ToListAsync(ct);
        var lastFinished = await db.TaskExecutions.AsNoTracking().Where(t => names.Contains(t.TaskName) && t.UserId == null && t.Status != TaskStatuses.Running)
            .GroupBy(t => t.TaskName).Select(g => g.OrderByDescending(t => t.ExecutedAt).ThenByDescending(t => t.Id).First()).ToListAsync(ct);

        var rows = new List<JobRow>();
        foreach (var job in JobCatalog.All)
        {
            ITrigger? trigger = scheduler is null ? null : await scheduler.GetTrigger(new TriggerKey(job.Name, JobsSetup.Group), ct);
            var paused = trigger is not null && await scheduler!.GetTriggerState(trigger.Key, ct) == TriggerState.Paused;
            rows.Add(new JobRow(job.Name, job.Description, (trigger as ICronTrigger)?.CronExpressionString, job.TimeZone, paused,
                trigger?.PreviousFireTimeUtc, paused ? null : trigger?.NextFireTimeUtc,
                Summary(lastFinished.FirstOrDefault(t => t.TaskName == job.Name)),
                Summary(running.OrderByDescending(t => t.Id).FirstOrDefault(t => t.TaskName == job.Name))));
        }
        return rows;
    }

    public async Task<(IReadOnlyList<JobRunSummary> Rows, int Total)> HistoryAsync(JobHistoryQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var runs = db.TaskExecutions.AsNoTracking().Where(t => t.UserId == null);
        if (!string.IsNullOrEmpty(q.TaskName)) runs = runs.Where(t => t.TaskName == q.TaskName);
        if (!string.IsNullOrEmpty(q.Status)) runs = runs.Where(t => t.Status == q.Status);
        var total = await runs.CountAsync(ct);
        var page = await runs.OrderByDescending(t => t.ExecutedAt).ThenByDescending(t => t.Id).Skip(q.Skip).Take(Math.Clamp(q.Take, 1, 200)).ToListAsync(ct);
        return (page.Select(t => Summary(t)!).ToList(), total);
    }

    public async Task<IReadOnlyList<NodeRow>> NodesAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ServiceStatuses.AsNoTracking().Where(s => s.NodeName != null).OrderByDescending(s => s.LastHeartbeat)
            .Select(s => new NodeRow(s.NodeName!, s.ServiceRunning, s.LastHeartbeat, s.LastTaskExecution, s.ErrorCount, s.LastError)).ToListAsync(ct);
    }

    /// <summary>Starts the job now on whichever node picks it up first; refused while a run is in progress.</summary>
    public async Task<string?> RunNowAsync(string name, AuditActor admin, CancellationToken ct = default)
    {
        var job = JobCatalog.Find(name) ?? throw new ArgumentException($"No job named '{name}'.", nameof(name));
        var scheduler = await RequiredSchedulerAsync(ct);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if (await db.TaskExecutions.AnyAsync(t => t.TaskName == job.Name && t.Status == TaskStatuses.Running && t.UserId == null, ct))
                return $"{job.Name} is already running; wait for it to finish.";
        }
        var data = new JobDataMap { [SignalbookJob.TriggerKindKey] = "manual", [SignalbookJob.RequestedByKey] = admin.UserId?.ToString() ?? "" };
        await scheduler.TriggerJob(new JobKey(job.Name, JobsSetup.Group), data, ct);
        await audit.WriteAsync(admin, AuditActions.JobRunRequested, "job", job.Name, ct: ct);
        return null;
    }

    public async Task PauseAsync(string name, AuditActor admin, CancellationToken ct = default)
    {
        var scheduler = await RequiredSchedulerAsync(ct);
        await scheduler.PauseTrigger(new TriggerKey(name, JobsSetup.Group), ct);
        await audit.WriteAsync(admin, AuditActions.JobPaused, "job", name, ct: ct);
    }

    public async Task ResumeAsync(string name, AuditActor admin, CancellationToken ct = default)
    {
        var scheduler = await RequiredSchedulerAsync(ct);
        await scheduler.ResumeTrigger(new TriggerKey(name, JobsSetup.Group), ct);
        await audit.WriteAsync(admin, AuditActions.JobResumed, "job", name, ct: ct);
    }

    private async Task<IScheduler> RequiredSchedulerAsync(CancellationToken ct)
        => Schedulers is { } f ? await f.GetScheduler(ct) : throw new InvalidOperationException("This node runs no scheduler (Jobs:Enabled is false).");

    private static JobRunSummary? Summary(TaskExecution? t) => t is null ? null
        : new JobRunSummary(t.Id, t.TaskName, t.Status, t.ExecutedAt, t.FinishedAt, t.DurationSeconds, t.Progress, t.ProgressMessage, t.Error, t.TriggerKind, t.NodeName, t.Details);
}
