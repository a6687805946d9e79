using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Jobs;

/// <summary>The job definitions this node knows: the catalogue, plus any a test registers.</summary>
public sealed class JobRegistry(IEnumerable<JobDefinition> definitions)
{
    private readonly IReadOnlyList<JobDefinition> _all = definitions.DistinctBy(d => d.Name).ToList();

    public IReadOnlyList<JobDefinition> All => _all;

    public JobDefinition? Find(string name) => _all.FirstOrDefault(d => d.Name == name);

    public JobDefinition? Find(Job? job) => job is null ? null : _all.FirstOrDefault(d => d.Type == job.Type);
}

/// <summary>
/// The filters every Signalbook job runs with, per node (no static Hangfire state, so two nodes can live in one test
/// process): Hangfire's continuation support and statistics, the job's own retry policy from its definition, and the
/// recording filter. Attributes on job classes still apply.
/// </summary>
public sealed class SignalbookJobFilters : IJobFilterProvider
{
    private readonly JobRegistry _registry;
    private readonly JobFilter[] _common;
    private readonly JobFilterAttributeFilterProvider _attributes = new();
    private readonly ConcurrentDictionary<string, JobFilter> _retries = new();

    public SignalbookJobFilters(JobRegistry registry, JobRecordingFilter recording)
    {
        _registry = registry;
        var finalStates = new HashSet<string> { SucceededState.StateName, DeletedState.StateName };
        _common =
        [
            new JobFilter(new ContinuationsSupportAttribute(finalStates, new BackgroundJobStateChanger(this)), JobFilterScope.Global, null),
            new JobFilter(new StatisticsHistoryAttribute(), JobFilterScope.Global, null),
            new JobFilter(recording, JobFilterScope.Global, null),
        ];
    }

    public IEnumerable<JobFilter> GetFilters(Job job)
    {
        foreach (var filter in _common) yield return filter;
        yield return RetryFilterFor(_registry.Find(job));
        foreach (var filter in _attributes.GetFilters(job)) yield return filter;
    }

    /// <summary>
    /// The definition's retry policy: its attempts and delays, never for a <see cref="JobValidationException"/>; once
    /// the attempts are spent the job stays failed (visible in the dashboard's Failed list and in our history).
    /// </summary>
    private JobFilter RetryFilterFor(JobDefinition? definition) => _retries.GetOrAdd(definition?.Name ?? "", _ => new JobFilter(new AutomaticRetryAttribute
    {
        Attempts = definition?.RetryAttempts ?? 0,
        DelaysInSeconds = definition?.RetryDelaysSeconds is { Length: > 0 } delays ? delays : null,
        ExceptOn = [typeof(JobValidationException)],
        OnAttemptsExceeded = AttemptsExceededAction.Fail,
        LogEvents = true,
    }, JobFilterScope.Global, null));
}

/// <summary>
/// Records every run of a known job in service_task_execution (started, live progress, outcome, duration, details,
/// error; one row per attempt), keeps the no-overlap rule and feeds the node's heartbeat row. Server filter: start and
/// finish of a run. State filters: a second start while a run is in progress is skipped (deleted, with the reason) or
/// deferred (scheduled again a little later), per the job's <see cref="OverlapPolicy"/>.
/// </summary>
public sealed class JobRecordingFilter(
    IDbContextFactory<AppDbContext> factory,
    TimeProvider clock,
    JobRegistry registry,
    JobOverlapLock overlap,
    NodeIdentity node,
    IServiceProvider services,
    Microsoft.Extensions.Options.IOptions<JobsOptions> options,
    ILogger<JobRecordingFilter> logger) : IServerFilter, IElectStateFilter
{
    private const string RunKey = "signalbook.run";
    private const string StartedParameter = "signalbook-started";

    /// <summary>Hangfire job ids whose start was refused by the overlap rule, with what to do instead of succeeding.</summary>
    private readonly ConcurrentDictionary<string, IState> _refused = new();

    private sealed class Run(long id, ProgressWriter progress, IAsyncDisposable? held)
    {
        public long Id { get; } = id;
        public ProgressWriter Progress { get; } = progress;
        public IAsyncDisposable? Held { get; } = held;
        public Stopwatch Watch { get; } = Stopwatch.StartNew();
    }

    public void OnPerforming(PerformingContext context) => OnPerformingAsync(context).GetAwaiter().GetResult();

    public void OnPerformed(PerformedContext context) => OnPerformedAsync(context).GetAwaiter().GetResult();

    private async Task OnPerformingAsync(PerformingContext context)
    {
        var definition = registry.Find(context.BackgroundJob.Job);
        if (definition is null) return;
        var start = context.BackgroundJob.Job.Args.OfType<JobStart>().FirstOrDefault() ?? JobStart.Cron;
        var jobId = context.BackgroundJob.Id;
        var ct = context.CancellationToken.ShutdownToken;

        IAsyncDisposable? held = null;
        if (definition.Overlap != OverlapPolicy.Allow)
        {
            held = await overlap.TryAcquireAsync(start.LockName(definition.Name), ct);
            if (held is null)
            {
                context.Canceled = true;
                if (definition.Overlap == OverlapPolicy.Wait)
                {
                    _refused[jobId] = new ScheduledState(TimeSpan.FromSeconds(options.Value.OverlapWaitSeconds)) { Reason = $"Waiting: a run of {definition.Name} is in progress." };
                    return;
                }
                var why = $"a run of {definition.Name} was in progress";
                _refused[jobId] = new DeletedState { Reason = $"Skipped: {why}." };
                await InsertAsync(definition, start, jobId, TaskStatuses.Skipped, JsonSerializer.Serialize(JobOutcome.Skipped(why).Details), ct);
                return;
            }
        }

        try
        {
            // A parameter outlives the attempt: when it is already there, an earlier attempt started (a retry, or its node died).
            var recovering = context.GetJobParameter<bool>(StartedParameter);
            context.SetJobParameter(StartedParameter, true);
            context.Items[JobContext.RecoveringKey] = recovering;

            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                // A run of this very job still marked running was abandoned: its node stopped before it could say how it ended.
                var now = clock.GetUtcNow();
                await db.TaskExecutions.Where(t => t.FireInstanceId == jobId && t.Status == TaskStatuses.Running).ExecuteUpdateAsync(s => s
                    .SetProperty(t => t.Status, TaskStatuses.Failed)
                    .SetProperty(t => t.FinishedAt, now)
                    .SetProperty(t => t.Error, $"Abandoned: its node stopped during the run; {node.Name} took the job over."), ct);
            }
            var id = await InsertAsync(definition, start, jobId, TaskStatuses.Running, null, ct);
            var run = new Run(id, new ProgressWriter(factory, id), held);
            context.Items[RunKey] = run;
            context.Items[JobContext.ProgressKey] = run.Progress;
        }
        catch
        {
            if (held is not null) await held.DisposeAsync();
            throw;
        }
    }

    private async Task<long> InsertAsync(JobDefinition definition, JobStart start, string jobId, string status, string? details, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var row = new TaskExecution
        {
            TaskName = definition.Name,
            UserId = start.ForUser,
            ExecutedAt = now,
            Status = status,
            TriggerKind = start.Kind is JobStart.ManualKind or JobStart.ChainedKind ? start.Kind : JobStart.CronKind,
            RequestedBy = start.RequestedBy,
            NodeName = node.Name,
            FireInstanceId = jobId,
            Details = details,
        };
        if (status != TaskStatuses.Running)
        {
            row.FinishedAt = now;
            row.DurationSeconds = 0;
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        db.TaskExecutions.Add(row);
        await db.SaveChangesAsync(ct);
        return row.Id;
    }

    private async Task OnPerformedAsync(PerformedContext context)
    {
        if (!context.Items.TryGetValue(RunKey, out var value) || value is not Run run) return;
        var definition = registry.Find(context.BackgroundJob.Job)!;
        try
        {
            var outcome = OutcomeOf(context, definition);
            await run.Progress.FlushAsync();
            var finishedAt = clock.GetUtcNow();
            var details = JsonSerializer.Serialize(outcome.Details);
            // The outcome is written even when the run was cancelled by a shutdown; only a row still running is
            // touched, so a node that comes back after another took its run over cannot overwrite that story.
            await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
            await db.TaskExecutions.Where(t => t.Id == run.Id && t.Status == TaskStatuses.Running).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, outcome.Status)
                .SetProperty(t => t.FinishedAt, finishedAt)
                .SetProperty(t => t.DurationSeconds, run.Watch.Elapsed.TotalSeconds)
                .SetProperty(t => t.Progress, outcome.Status == TaskStatuses.Success ? 1.0 : run.Progress.Last)
                .SetProperty(t => t.Error, outcome.Error)
                .SetProperty(t => t.Details, details), CancellationToken.None);
            if (services.GetService<NodeHeartbeat>() is { } heartbeat)
                await heartbeat.RecordRunAsync(finishedAt, outcome.Status == TaskStatuses.Failed ? outcome.Error : null, CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not record the end of job {Job} ({Id})", definition.Name, context.BackgroundJob.Id);
        }
        finally
        {
            if (run.Held is not null) await run.Held.DisposeAsync();
        }
    }

    private JobOutcome OutcomeOf(PerformedContext context, JobDefinition definition)
    {
        var error = context.Exception is JobPerformanceException { InnerException: { } inner } ? inner : context.Exception;
        if (error is null)
        {
            return context.Result switch
            {
                JobOutcome outcome => outcome,
                _ => JobOutcome.Success(new Dictionary<string, object?>()),
            };
        }
        // Hangfire's token is cancelled when this node shuts down and when the job is deleted (a cancel): both end the
        // run as cancelled. A cancellation of the job's own making (a timeout inside it) is a failure like any other.
        if (error is JobAbortedException || (error is OperationCanceledException && context.CancellationToken.ShutdownToken.IsCancellationRequested))
        {
            var deleted = error is JobAbortedException || StateOf(context) == DeletedState.StateName;
            var why = deleted ? "Cancelled before it finished (the job was deleted)." : "Stopped by this node's shutdown; Hangfire runs it again on a node that is up.";
            return new JobOutcome(TaskStatuses.Cancelled, new Dictionary<string, object?>(), why);
        }

        var details = error is JobFailedException failed ? new Dictionary<string, object?>(failed.Outcome.Details) : [];
        var message = error switch
        {
            JobFailedException f => f.Outcome.Error ?? f.Message,
            JobValidationException v => v.Message,
            _ => $"{error.GetType().Name}: {error.Message}",
        };
        var attempt = context.GetJobParameter<int>("RetryCount") + 1;
        details["attempt"] = attempt;
        details["retry"] = error is JobValidationException ? "none: the input or configuration is invalid"
            : attempt <= definition.RetryAttempts ? $"retry {attempt} of {definition.RetryAttempts} follows"
            : definition.RetryAttempts == 0 ? "none: this job is not retried" : "none: every retry was used";
        if (error is not JobFailedException and not JobValidationException) logger.LogError(error, "Job {Job} failed", definition.Name);
        return new JobOutcome(TaskStatuses.Failed, details, message);
    }

    private string? StateOf(PerformContext context)
    {
        try
        {
            return context.Connection.GetStateData(context.BackgroundJob.Id)?.Name;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogDebug(e, "Could not read the state of job {Id}", context.BackgroundJob.Id);
            return null;
        }
    }

    public void OnStateElection(ElectStateContext context)
    {
        // Hangfire turns a start a server filter cancelled into Deleted ("Canceled by filter"); ours says why, or waits.
        if (context.CandidateState is DeletedState or SucceededState && _refused.TryRemove(context.BackgroundJob.Id, out var instead))
            context.CandidateState = instead;
    }

    /// <summary>Writes progress to the run's row, at most every half second, so every node's Jobs page can show it.</summary>
    internal sealed class ProgressWriter(IDbContextFactory<AppDbContext> factory, long runId) : IProgress<JobProgress>
    {
        private readonly Lock _gate = new();
        private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
        private JobProgress? _pending;
        private bool _written;
        private Task _writing = Task.CompletedTask;

        public double Last { get; private set; }

        public void Report(JobProgress value)
        {
            lock (_gate)
            {
                _pending = value with { Fraction = Math.Clamp(value.Fraction, 0, 1) };
                Last = _pending.Fraction;
                if ((_written && _sinceWrite.Elapsed < TimeSpan.FromMilliseconds(500)) || !_writing.IsCompleted) return;
                _written = true;
                _sinceWrite.Restart();
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
            try
            {
                await using var db = await factory.CreateDbContextAsync();
                var message = p.Message.Length > 512 ? p.Message[..512] : p.Message;
                await db.TaskExecutions.Where(t => t.Id == runId && t.Status == TaskStatuses.Running)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.Progress, p.Fraction).SetProperty(t => t.ProgressMessage, message));
            }
            catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Progress is best effort: the next report or the outcome writes it again.
            }
        }
    }
}

/// <summary>This app node's name: Hangfire's server names, service_status and the runs it records.</summary>
public sealed record NodeIdentity(string Name);
