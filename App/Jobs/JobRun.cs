using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Quartz;
using Signalbook.Data;

namespace Signalbook.Jobs;

/// <summary>What a job reports while it runs: a fraction done and a short message.</summary>
public sealed record JobProgress(double Fraction, string Message);

public static class JobProgressExtensions
{
    /// <summary>
    /// Feeds a feature service's own progress type into a job's progress, on the reporting thread. (A
    /// <see cref="Progress{T}"/> would post each report to the thread pool, since a job has no synchronisation context:
    /// reports could then arrive out of order, or after the run's outcome was written.)
    /// </summary>
    public static IProgress<T> Relay<T>(this IProgress<JobProgress> progress, Func<T, JobProgress> map) => new RelayProgress<T>(progress, map);

    private sealed class RelayProgress<T>(IProgress<JobProgress> target, Func<T, JobProgress> map) : IProgress<T>
    {
        public void Report(T value) => target.Report(map(value));
    }
}

/// <summary>What a finished job hands back: counts and per-item problems stored as the run's details.</summary>
public sealed record JobOutcome(string Status, IReadOnlyDictionary<string, object?> Details, string? Error = null)
{
    public static JobOutcome Success(IReadOnlyDictionary<string, object?> details) => new(TaskStatuses.Success, details);
    public static JobOutcome Skipped(string why) => new(TaskStatuses.Skipped, new Dictionary<string, object?> { ["reason"] = why });
}

/// <summary>
/// Base of every Signalbook job: a thin shell that opens a scope, records the run in
/// service_task_execution (started, progress at most twice a second, outcome, duration, details,
/// error), and calls <see cref="RunAsync"/>, where the feature service does the work.
/// Manual runs carry the admin's id in the job data; runs started by another job say so.
/// </summary>
public abstract class SignalbookJob(IServiceScopeFactory scopes, ILogger logger) : IJob
{
    public const string TriggerKindKey = "trigger-kind";
    public const string RequestedByKey = "requested-by";

    protected abstract Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var factory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var clock = services.GetRequiredService<TimeProvider>();
        var data = context.MergedJobDataMap;
        var run = new TaskExecution
        {
            TaskName = context.JobDetail.Key.Name,
            ExecutedAt = clock.GetUtcNow(),
            Status = TaskStatuses.Running,
            TriggerKind = data.TryGetString(TriggerKindKey, out var kind) && kind is "manual" or "chained" ? kind! : "cron",
            RequestedBy = data.TryGetString(RequestedByKey, out var by) && Guid.TryParse(by, out var admin) ? admin : null,
            NodeName = context.Scheduler.SchedulerInstanceId,
            FireInstanceId = context.FireInstanceId,
        };
        await using (var db = await factory.CreateDbContextAsync(cancellationToken))
        {
            db.TaskExecutions.Add(run);
            await db.SaveChangesAsync(cancellationToken);
        }

        var watch = Stopwatch.StartNew();
        var reporter = new ProgressWriter(factory, run.Id, clock);
        JobOutcome outcome;
        try
        {
            outcome = await RunAsync(services, context, reporter, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = new JobOutcome(TaskStatuses.Cancelled, new Dictionary<string, object?>(), "Cancelled before it finished.");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {Job} failed", run.TaskName);
            outcome = new JobOutcome(TaskStatuses.Failed, new Dictionary<string, object?>(), $"{e.GetType().Name}: {e.Message}");
        }
        await reporter.FlushAsync();

        // The outcome is written even when the run was cancelled by a shutdown.
        await using var done = await factory.CreateDbContextAsync(CancellationToken.None);
        var finishedAt = clock.GetUtcNow();
        await done.TaskExecutions.Where(t => t.Id == run.Id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Status, outcome.Status)
            .SetProperty(t => t.FinishedAt, finishedAt)
            .SetProperty(t => t.DurationSeconds, watch.Elapsed.TotalSeconds)
            .SetProperty(t => t.Progress, outcome.Status == TaskStatuses.Success ? 1.0 : reporter.Last)
            .SetProperty(t => t.Error, outcome.Error)
            .SetProperty(t => t.Details, JsonSerializer.Serialize(outcome.Details)), CancellationToken.None);
        await services.GetRequiredService<NodeHeartbeat>().RecordRunAsync(finishedAt, outcome.Error, CancellationToken.None);
    }

    /// <summary>Writes progress to the run's row, at most every half second, so every node's Jobs page can show it.</summary>
    private sealed class ProgressWriter(IDbContextFactory<AppDbContext> factory, long runId, TimeProvider clock) : IProgress<JobProgress>
    {
        private readonly Lock _gate = new();
        private JobProgress? _pending;
        private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
        private Task _writing = Task.CompletedTask;

        public double Last { get; private set; }

        public void Report(JobProgress value)
        {
            lock (_gate)
            {
                _pending = value with { Fraction = Math.Clamp(value.Fraction, 0, 1) };
                Last = _pending.Fraction;
                if (clock.GetUtcNow() - _lastWrite < TimeSpan.FromMilliseconds(500) || !_writing.IsCompleted) return;
                _lastWrite = clock.GetUtcNow();
                _writing = WriteAsync();
            }
        }

        public async Task FlushAsync()
        {
            Task writing;
            lock (_gate) writing = _writing;
            await writing;
            await WriteAsync();
        }

        private async Task WriteAsync()
        {
            JobProgress? p;
            lock (_gate) (p, _pending) = (_pending, null);
            if (p is null) return;
            await using var db = await factory.CreateDbContextAsync();
            var message = p.Message.Length > 512 ? p.Message[..512] : p.Message;
            await db.TaskExecutions.Where(t => t.Id == runId && t.Status == TaskStatuses.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Progress, p.Fraction).SetProperty(t => t.ProgressMessage, message));
        }
    }
}
