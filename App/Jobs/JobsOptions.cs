using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using Cronos;

namespace Signalbook.Jobs;

public sealed partial class JobsOptions : IValidatableObject
{
    public const string Section = "Jobs";

    /// <summary>Off: no Hangfire server on this node (it still serves the UI, shows the history and can queue jobs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>This node's name in the cluster; unique per app instance. Default: host name and process id.</summary>
    public string? NodeName { get; set; }

    [Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>Workers per queue on this node: one Hangfire server per queue, so a long training never holds up a sync. 0: this node does not serve the queue.</summary>
    public Dictionary<string, int> Queues { get; set; } = new() { [JobQueues.Default] = 2, [JobQueues.Training] = 1 };

    /// <summary>Standard five-field cron expressions by job name, replacing <see cref="JobCatalog"/>'s defaults; an empty string removes the schedule.</summary>
    public Dictionary<string, string> Schedules { get; set; } = [];

    /// <summary>How often an idle worker looks for queued work.</summary>
    [Range(100, 60_000)]
    public int QueuePollMilliseconds { get; set; } = 1000;

    /// <summary>How often due recurring, retried and waiting jobs are queued.</summary>
    [Range(100, 60_000)]
    public int SchedulePollMilliseconds { get; set; } = 5000;

    /// <summary>How long a job of a node that stopped answering stays invisible before another node takes it over (kept alive while its node runs it).</summary>
    [Range(1, 3600)]
    public int InvisibilityTimeoutSeconds { get; set; } = 300;

    /// <summary>How long a job whose overlap policy is Wait waits before it tries again, while another run of it is in progress.</summary>
    [Range(1, 3600)]
    public int OverlapWaitSeconds { get; set; } = 15;

    /// <summary>How long a stopping node waits for its running jobs (already told to cancel) before it lets them go.</summary>
    [Range(1, 300)]
    public int ShutdownTimeoutSeconds { get; set; } = 10;

    public string ResolvedNodeName => string.IsNullOrWhiteSpace(NodeName) ? $"{Environment.MachineName}-{Environment.ProcessId}" : NodeName;

    public string? CronFor(JobDefinition job) => Schedules.TryGetValue(job.Name, out var cron) ? (string.IsNullOrWhiteSpace(cron) ? null : cron.Trim()) : job.DefaultCron;

    /// <summary>Whether a cron expression is a valid standard (five-field) one.</summary>
    public static bool IsValidCron(string cron, out string? error)
    {
        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
            error = null;
            return true;
        }
        catch (CronFormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, cron) in Schedules)
        {
            if (JobCatalog.Find(name) is null)
            {
                yield return new ValidationResult($"Jobs:Schedules:{name}: no such job; known jobs are {string.Join(", ", JobCatalog.All.Select(j => j.Name))}.");
            }
            else if (!string.IsNullOrWhiteSpace(cron) && !IsValidCron(cron.Trim(), out var error))
            {
                var hint = cron.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6
                    ? " Six fields with seconds first are the previous scheduler's format: drop the seconds field and any '?'."
                    : "";
                yield return new ValidationResult(
                    $"Jobs:Schedules:{name}: '{cron}' is not a valid cron expression (five fields: minute hour day-of-month month day-of-week; {error}).{hint}");
            }
        }
        foreach (var (queue, workers) in Queues)
        {
            if (!QueueName().IsMatch(queue))
                yield return new ValidationResult($"Jobs:Queues:{queue}: a queue name is lower-case letters, digits, '_' and '-'.");
            else if (workers is < 0 or > 32)
                yield return new ValidationResult($"Jobs:Queues:{queue}: {workers} workers; use 0 (this node does not serve the queue) to 32.");
        }
        foreach (var queue in JobCatalog.All.Select(j => j.Queue).Distinct().Where(q => !Queues.ContainsKey(q)))
            yield return new ValidationResult($"Jobs:Queues:{queue}: missing; give the queue its workers (0 if this node should not serve it).");
    }

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex QueueName();
}
