using Hangfire.Server;

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
/// How a run was started, carried as the job's first argument (so the dashboard shows it too): by its schedule
/// ("cron"), by an admin ("manual", with the admin's id) or by another job or an import ("chained", with a reason).
/// A per-user task (a trader's trading service) names its user in <see cref="ForUser"/>: its service_task_execution
/// rows carry that user, and runs of different users never wait for each other.
/// </summary>
public sealed record JobStart(string Kind, Guid? RequestedBy = null, string? Reason = null, Guid? ForUser = null)
{
    public const string CronKind = "cron", ManualKind = "manual", ChainedKind = "chained";

    public static JobStart Cron { get; } = new(CronKind);

    public static JobStart Manual(Guid? admin) => new(ManualKind, admin);

    public static JobStart Chained(string reason) => new(ChainedKind, Reason: reason);

    /// <summary>The run of a per-user task: overlap is checked per user.</summary>
    public string LockName(string jobName) => ForUser is { } user ? $"{jobName}:{user:N}" : jobName;
}

/// <summary>
/// A job was given input or configuration it cannot run with. Retrying cannot help, so no retry policy retries it:
/// the run is recorded as failed at once with this message.
/// </summary>
public sealed class JobValidationException : Exception
{
    public JobValidationException()
    {
    }

    public JobValidationException(string message) : base(message)
    {
    }

    public JobValidationException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>
/// A run that finished with a failed outcome (for example every instrument's sync failed): thrown so Hangfire applies the
/// job's retry policy, while the recording filter stores the outcome's details and error.
/// </summary>
public sealed class JobFailedException(JobOutcome outcome) : Exception(outcome.Error ?? "The job failed.")
{
    public JobOutcome Outcome { get; } = outcome;
}

/// <summary>What the recording filter hands a running job through Hangfire's perform context.</summary>
public static class JobContext
{
    internal const string ProgressKey = "signalbook.progress";
    internal const string RecoveringKey = "signalbook.recovering";

    /// <summary>The run's progress (written to its service_task_execution row), or a sink when the job runs outside Hangfire.</summary>
    public static IProgress<JobProgress> ProgressOf(PerformContext? context)
        => context?.Items.TryGetValue(ProgressKey, out var p) == true && p is IProgress<JobProgress> progress ? progress : NoProgress.Instance;

    /// <summary>True when an earlier attempt of this Hangfire job started (its node died, or it is a retry).</summary>
    public static bool Recovering(PerformContext? context) => context?.Items.TryGetValue(RecoveringKey, out var r) == true && r is true;

    private sealed class NoProgress : IProgress<JobProgress>
    {
        public static readonly NoProgress Instance = new();

        public void Report(JobProgress value)
        {
        }
    }
}
