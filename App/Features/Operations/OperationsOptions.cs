using System.ComponentModel.DataAnnotations;

namespace Signalbook.Features.Operations;

/// <summary>Operations:Logs — the database log provider (service_logs).</summary>
public sealed class ServiceLogOptions
{
    public const string Section = "Operations:Logs";

    /// <summary>Lines below this level are not stored (errors with an exception are captured into error_logs whatever it is).</summary>
    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    /// <summary>Rows per INSERT.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Lines waiting to be written; when full, new lines are dropped and counted (a request never waits).</summary>
    [Range(100, 1_000_000)]
    public int QueueCapacity { get; set; } = 20_000;

    /// <summary>How long the writer gathers lines before a batch.</summary>
    [Range(10, 60_000)]
    public int FlushIntervalMilliseconds { get; set; } = 1000;

    /// <summary>After a failed write, batches are dropped (and counted) without trying the database for this long.</summary>
    [Range(0, 600_000)]
    public int RetryAfterFailureMilliseconds { get; set; } = 5000;

    /// <summary>The seed's retention: service_logs older than this are deleted by the operations retention job.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;
}

/// <summary>Operations:Errors — error capture, grouping, retention and the start-up sweep.</summary>
public sealed class ErrorLogOptions
{
    public const string Section = "Operations:Errors";

    [Range(10, 100_000)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>The seed's retention: resolved errors are deleted this long after their resolution; unresolved ones are kept.</summary>
    [Range(1, 3650)]
    public int ResolvedRetentionDays { get; set; } = 90;

    /// <summary>A node whose heartbeat is older than this is dead: the start-up sweep marks its running work interrupted.</summary>
    [Range(10, 86_400)]
    public int NodeStaleAfterSeconds { get; set; } = 120;
}
