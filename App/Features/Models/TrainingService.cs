using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Indicators;
using Signalbook.Jobs;

namespace Signalbook.Features.Models;


/// <summary>The values of ml_training_jobs.status (a check constraint allows no others).</summary>
public static class TrainingStatuses
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsActive(string status) => status is Pending or Running;
}

/// <summary>What a training request came to: the new job's id, or every reason it was refused.</summary>
public sealed record TrainingRequestResult(long? JobId, IReadOnlyList<string> Errors)
{
    public bool Accepted => JobId is not null;
}

/// <summary>How a run ended: completed (with the registered version), failed, cancelled, or skipped (nothing to run).</summary>
public sealed record TrainingRunOutcome(string Status, string? ModelVersion = null, string? Error = null);

public sealed record TrainingJobRow(long Id, string ModelType, string Algorithm, string Status, double Progress, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, double? Accuracy, string? ErrorMessage, string? StartedByEmail, DateTimeOffset? LastActivity)
{
    public double? DurationSeconds(DateTimeOffset now) => StartedAt is { } s ? ((CompletedAt ?? now) - s).TotalSeconds : null;
}

public sealed record TrainingJobDetail(TrainingJobRow Row, string Hyperparameters, DateTimeOffset? DataFrom, DateTimeOffset? DataTo, string FeatureVersion,
    string Logs, long? ModelId, string? ModelVersion);

/// <summary>
/// Where training requests go to run (the jobs' training queue; Hangfire in the app). A cancel removes a queued
/// request and stops a running one; the run also notices a cancelled row by itself.
/// </summary>
public interface ITrainingQueue
{
    /// <summary>Queues a run of the ml_training_jobs row; returns the queue's id for it.</summary>
    string Enqueue(long trainingJobId, Guid? requestedBy);

    /// <summary>Removes or stops the queued or running run of the row; false when the queue knows no such run.</summary>
    bool Cancel(long trainingJobId);
}

/// <summary>
/// Training runs as jobs: an admin's request becomes a pending ml_training_jobs row and a "model-training" job on the
/// training queue (<see cref="ITrainingQueue"/>), which calls <see cref="RunAsync"/> on whichever node picks it up. The
/// run writes its progress and timestamped log lines to the row (at most twice a second), registers the model on
/// success, and stops within about a second of a cancel made on any node (the queue cancels its token; the run also
/// polls the row's status). This file holds the shared parts; requests and cancels, the run, and the page's queries
/// each have their own file.
/// </summary>
public sealed partial class TrainingService(
    IDbContextFactory<AppDbContext> factory,
    ModelDataStore data,
    ModelRegistry registry,
    AuditService audit,
    TimeProvider clock,
    IServiceProvider services,
    ILogger<TrainingService> logger)
{
    private readonly IDbContextFactory<AppDbContext> _factory = factory;
    private readonly ModelDataStore _data = data;
    private readonly ModelRegistry _registry = registry;
    private readonly AuditService _audit = audit;
    private readonly TimeProvider _clock = clock;
    private readonly ILogger<TrainingService> _logger = logger;

    public const int MaxErrorLength = 1024;

    /// <summary>A running job whose row has not changed for this long has probably lost its node.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // Keys of the stored hyperparameters that describe the run rather than the algorithm.
    private const string HorizonKey = "horizon", FoldsKey = "folds", KKey = "k";

    /// <summary>The training queue, when this app has one (the jobs are registered).</summary>
    private ITrainingQueue? Queue => services.GetService<ITrainingQueue>();

    /// <summary>The hyperparameters as stored on the job: the algorithm's (defaults filled in) plus horizon, folds and k.</summary>
    public static IReadOnlyDictionary<string, double> StoredHyperparameters(TrainingSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var stored = new Dictionary<string, double>(spec.ResolvedHyperparameters())
        {
            [HorizonKey] = spec.Horizon,
            [FoldsKey] = spec.Folds,
            [KKey] = spec.VolatilityMultiple,
        };
        return stored;
    }

    /// <summary>The spec a job row describes (the inverse of what <see cref="RequestAsync"/> stores).</summary>
    public static TrainingSpec SpecOf(MlTrainingJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var stored = JsonSerializer.Deserialize<Dictionary<string, double>>(job.Hyperparameters) ?? [];
        var defaults = new TrainingSpec();
        int Int(string key, int fallback) => stored.Remove(key, out var v) ? (int)v : fallback;
        var horizon = Int(HorizonKey, defaults.Horizon);
        var folds = Int(FoldsKey, defaults.Folds);
        var k = stored.Remove(KKey, out var kv) ? kv : defaults.VolatilityMultiple;
        return new TrainingSpec
        {
            ModelType = job.ModelType, Algorithm = job.Algorithm, Hyperparameters = stored, Horizon = horizon, Folds = folds, VolatilityMultiple = k,
            DataFrom = job.DataFrom, DataTo = job.DataTo,
        };
    }

    private static string Line(DateTimeOffset at, string text)
        => $"[{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}] {text}\n";

    private static string Truncate(string message) => message.Length <= MaxErrorLength ? message : message[..(MaxErrorLength - 1)] + "…";
}
