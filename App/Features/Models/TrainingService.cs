using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Quartz;
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
/// Training runs as jobs: an admin's request becomes a pending ml_training_jobs row and a trigger of the
/// "model-training" Quartz job, which calls <see cref="RunAsync"/> on whichever node picks it up. The run writes its
/// progress and timestamped log lines to the row (at most twice a second), registers the model on success, and
/// notices a cancellation made on any node within about a second by polling the row's status.
/// </summary>
public sealed class TrainingService(
    IDbContextFactory<AppDbContext> factory,
    ModelDataStore data,
    ModelRegistry registry,
    AuditService audit,
    TimeProvider clock,
    IServiceProvider services,
    ILogger<TrainingService> logger)
{
    /// <summary>The JobDataMap key that carries the ml_training_jobs id to the Quartz job.</summary>
    public const string TrainingJobIdKey = "training-job-id";

    public const int MaxErrorLength = 1024;

    /// <summary>A running job whose row has not changed for this long has probably lost its node.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan WriteInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // Keys of the stored hyperparameters that describe the run rather than the algorithm.
    private const string HorizonKey = "horizon", FoldsKey = "folds", KKey = "k";

    private ISchedulerFactory? Schedulers => services.GetService<ISchedulerFactory>();

    /// <summary>Validates the spec, stores a pending job and queues it. Refusals come back as messages, nothing stored.</summary>
    public async Task<TrainingRequestResult> RequestAsync(TrainingSpec spec, AuditActor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(actor);
        var errors = spec.Validate().ToList();
        if (Schedulers is null) errors.Add("This app node runs no job scheduler (Jobs:Enabled is false), so it cannot start a training; use another node.");
        if (errors.Count > 0) return new TrainingRequestResult(null, errors);

        var now = clock.GetUtcNow();
        var job = new MlTrainingJob
        {
            StartedBy = actor.UserId,
            Status = TrainingStatuses.Pending,
            ModelType = spec.ModelType,
            Algorithm = spec.Algorithm,
            Hyperparameters = JsonSerializer.Serialize(StoredHyperparameters(spec)),
            DataFrom = spec.DataFrom,
            DataTo = spec.DataTo,
            FeatureVersion = FeatureCalculator.Version,
            CreatedAt = now,
            Logs = Line(now, $"Requested by {actor.Email ?? "an unknown user"}: {spec.ModelType}, {spec.Algorithm}, H = {spec.Horizon}, {spec.Folds} folds."),
        };
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            db.MlTrainingJobs.Add(job);
            await db.SaveChangesAsync(ct);
        }

        try
        {
            var scheduler = await Schedulers!.GetScheduler(ct);
            var map = new JobDataMap
            {
                [TrainingJobIdKey] = job.Id.ToString(CultureInfo.InvariantCulture),
                [SignalbookJob.TriggerKindKey] = "manual",
                [SignalbookJob.RequestedByKey] = actor.UserId?.ToString() ?? "",
            };
            // A trigger named after the job row, so a cancel can find (and interrupt) exactly this firing.
            var trigger = TriggerBuilder.Create().WithIdentity(TriggerKeyOf(job.Id)).ForJob(new JobKey(JobCatalog.ModelTraining, JobsSetup.Group))
                .UsingJobData(map).StartNow().Build();
            await scheduler.ScheduleTrigger(trigger, TriggerConflict.Throw, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not queue training job {Id}", job.Id);
            await FinishAsync(job.Id, TrainingStatuses.Failed, $"The training could not be queued: {e.Message}", CancellationToken.None);
            return new TrainingRequestResult(null, [$"The training could not be queued: {e.Message}"]);
        }

        await audit.WriteAsync(actor, AuditActions.TrainingRequested, "ml_training_job", job.Id.ToString(CultureInfo.InvariantCulture),
            details: new { model_type = spec.ModelType, algorithm = spec.Algorithm, horizon = spec.Horizon, folds = spec.Folds }, ct: ct);
        return new TrainingRequestResult(job.Id, []);
    }

    /// <summary>
    /// Cancels a pending or running job: the row turns cancelled at once; a run on any node notices within about a
    /// second (a run on this node at once, through Quartz's interrupt). Returns why it could not, or null.
    /// </summary>
    public async Task<string?> CancelAsync(long jobId, AuditActor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = clock.GetUtcNow();
        var line = Line(now, $"Cancelled by {actor.Email ?? "an unknown user"}.");
        string? before;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            before = await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Status).SingleOrDefaultAsync(ct);
            if (before is null) return $"Training job {jobId} does not exist.";
            var changed = await db.MlTrainingJobs
                .Where(j => j.Id == jobId && (j.Status == TrainingStatuses.Pending || j.Status == TrainingStatuses.Running))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, TrainingStatuses.Cancelled)
                    .SetProperty(j => j.CompletedAt, now)
                    .SetProperty(j => j.Logs, j => (j.Logs ?? "") + line), ct);
            if (changed == 0)
            {
                var status = await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Status).SingleAsync(ct);
                return $"Training job {jobId} is already {status}; there is nothing to cancel.";
            }
        }
        await audit.WriteAsync(actor, AuditActions.TrainingCancelled, "ml_training_job", jobId.ToString(CultureInfo.InvariantCulture),
            changes: new AuditChange(new { status = before }, new { status = TrainingStatuses.Cancelled }), ct: ct);
        if (before == TrainingStatuses.Running) await InterruptAsync(jobId, ct);
        return null;
    }

    private static TriggerKey TriggerKeyOf(long jobId) => new($"training-{jobId.ToString(CultureInfo.InvariantCulture)}", JobsSetup.Group);

    /// <summary>
    /// Interrupts the job's Quartz firing for speed: at once on this node, after a cluster check-in on another.
    /// The run would notice the cancelled row within a second anyway, so a failure here only costs that second.
    /// </summary>
    private async Task InterruptAsync(long jobId, CancellationToken ct)
    {
        if (Schedulers is not { } f) return;
        try
        {
            var scheduler = await f.GetScheduler(ct);
            var key = TriggerKeyOf(jobId);
            var query = new FireInstanceQuery { TriggerName = NameMatcher<TriggerKey>.NameEquals(key.Name), TriggerGroup = GroupMatcher<TriggerKey>.GroupEquals(key.Group) };
            foreach (var firing in (await scheduler.QueryFireInstances(query, ct)).Items)
            {
                if (firing.TriggerKey.Equals(key)) await scheduler.InterruptFireInstance(firing.FireInstanceId, ct);
            }
        }
        catch (SchedulerException e)
        {
            logger.LogWarning(e, "Could not interrupt training job {Id} through the scheduler", jobId);
        }
    }

    /// <summary>
    /// Runs a pending job (or, when <paramref name="recovering"/>, a running one whose node died): trains, registers
    /// the model and marks the row. Only one caller can claim a job, so a second trigger does nothing.
    /// </summary>
    public async Task<TrainingRunOutcome> RunAsync(long jobId, IProgress<JobStep>? progress = null, bool recovering = false, CancellationToken ct = default)
    {
        var startedAt = clock.GetUtcNow();
        var claimLine = Line(startedAt, recovering ? "Restarted from the beginning: the node running it stopped." : "Started.");
        MlTrainingJob? job;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var claimed = await db.MlTrainingJobs
                .Where(j => j.Id == jobId && (j.Status == TrainingStatuses.Pending || (recovering && j.Status == TrainingStatuses.Running)))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, TrainingStatuses.Running)
                    .SetProperty(j => j.StartedAt, startedAt)
                    .SetProperty(j => j.Progress, 0.0)
                    .SetProperty(j => j.Logs, j => (j.Logs ?? "") + claimLine), ct);
            job = await db.MlTrainingJobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, ct);
            if (job is null) return new TrainingRunOutcome(TaskStatuses.Skipped, Error: $"Training job {jobId} does not exist.");
            if (claimed == 0) return new TrainingRunOutcome(TaskStatuses.Skipped, Error: $"Training job {jobId} is {job.Status}; nothing to run.");
        }

        var writer = new RowWriter(factory, jobId, clock);
        using var stopWatching = new CancellationTokenSource();
        using var run = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var cancelledByUser = false;
        var watcher = Task.Run(async () =>
        {
            // Polls the row: a cancel from any node turns it cancelled; this also flushes buffered log lines.
            try
            {
                while (!stopWatching.IsCancellationRequested)
                {
                    await Task.Delay(PollInterval, stopWatching.Token);
                    await using var db = await factory.CreateDbContextAsync(stopWatching.Token);
                    var status = await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Status).SingleOrDefaultAsync(stopWatching.Token);
                    if (status != TrainingStatuses.Running)
                    {
                        cancelledByUser = true;
                        await run.CancelAsync();
                        return;
                    }
                    writer.FlushIfDue();
                }
            }
            catch (OperationCanceledException)
            {
                // The run ended.
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Training job {Id}: status poll failed", jobId);
            }
        }, CancellationToken.None);

        try
        {
            var spec = SpecOf(job);
            var instruments = await data.LoadDailyAsync(null, from: null, to: spec.DataTo, run.Token);
            writer.Log($"Loaded the daily features of {instruments.Count} instruments (feature version {FeatureCalculator.Version}).");
            var reporter = new Progress(writer, progress);
            var result = await Task.Run(() => ModelTrainer.Train(instruments, spec, reporter, writer.Log, run.Token), run.Token);

            await stopWatching.CancelAsync();
            await watcher;
            await writer.FlushAsync();
            return await CompleteAsync(job, result, writer);
        }
        catch (OperationCanceledException) when (run.IsCancellationRequested)
        {
            await stopWatching.CancelAsync();
            await watcher;
            var status = await StatusAsync(jobId);
            if (cancelledByUser || status == TrainingStatuses.Cancelled)
            {
                writer.Log("Stopped after the cancellation; no model was registered.");
                await writer.FlushAsync();
                return new TrainingRunOutcome(TaskStatuses.Cancelled, Error: "Cancelled by an admin.");
            }
            const string interrupted = "The training was interrupted before it finished (its app node stopped); start it again.";
            writer.Log(interrupted);
            await writer.FlushAsync();
            await FinishAsync(jobId, TrainingStatuses.Failed, interrupted, CancellationToken.None);
            return new TrainingRunOutcome(TaskStatuses.Cancelled, Error: interrupted);
        }
        catch (Exception e)
        {
            await stopWatching.CancelAsync();
            await watcher;
            var message = e is InvalidOperationException or ArgumentException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            if (e is not (InvalidOperationException or ArgumentException)) logger.LogError(e, "Training job {Id} failed", jobId);
            writer.Log($"Failed: {message}");
            await writer.FlushAsync();
            await FinishAsync(jobId, TrainingStatuses.Failed, message, CancellationToken.None);
            return new TrainingRunOutcome(TaskStatuses.Failed, Error: Truncate(message));
        }
    }

    /// <summary>
    /// Registers the model and marks the job completed while holding the job's row lock, so a cancel arriving now
    /// either happens first (nothing is registered) or waits and finds the job completed. The lock is FOR NO KEY
    /// UPDATE: the model's foreign key check (FOR KEY SHARE, from the registry's own connection) does not wait on it.
    /// </summary>
    private async Task<TrainingRunOutcome> CompleteAsync(MlTrainingJob job, TrainingResult result, RowWriter writer)
    {
        await using var db = await factory.CreateDbContextAsync(CancellationToken.None);
        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var status = await db.Database
            .SqlQuery<string>($"SELECT status AS \"Value\" FROM ml_training_jobs WHERE id = {job.Id} FOR NO KEY UPDATE")
            .SingleAsync(CancellationToken.None);
        if (status != TrainingStatuses.Running)
        {
            await tx.RollbackAsync(CancellationToken.None);
            writer.Log("Trained, but the job was cancelled meanwhile; no model was registered.");
            await writer.FlushAsync();
            return new TrainingRunOutcome(TaskStatuses.Cancelled, Error: "Cancelled by an admin.");
        }
        var version = await registry.RegisterAsync(result, job.Id, job.StartedBy, CancellationToken.None);
        var now = clock.GetUtcNow();
        var line = Line(now, $"Registered {version.ModelType} {version.Version} (model {version.Id}, params {version.ParamsHash[..12]}).");
        await db.MlTrainingJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, TrainingStatuses.Completed)
            .SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.Progress, 1.0)
            .SetProperty(j => j.Accuracy, result.Accuracy)
            .SetProperty(j => j.Logs, j => (j.Logs ?? "") + line), CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        return new TrainingRunOutcome(TaskStatuses.Success, version.Version);
    }

    /// <summary>Marks a job failed (or another end state) unless it was cancelled meanwhile.</summary>
    private async Task FinishAsync(long jobId, string status, string error, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var message = Truncate(error);
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.MlTrainingJobs.Where(j => j.Id == jobId && j.Status != TrainingStatuses.Cancelled).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status)
            .SetProperty(j => j.CompletedAt, now)
            .SetProperty(j => j.ErrorMessage, message), ct);
    }

    private async Task<string?> StatusAsync(long jobId)
    {
        await using var db = await factory.CreateDbContextAsync();
        return await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Status).SingleOrDefaultAsync();
    }

    /// <summary>Training jobs, newest first, one page.</summary>
    public async Task<(IReadOnlyList<TrainingJobRow> Rows, int Total)> ListJobsAsync(int skip, int take, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var total = await db.MlTrainingJobs.CountAsync(ct);
        var rows = await Project(db, db.MlTrainingJobs.AsNoTracking().OrderByDescending(j => j.Id).Skip(Math.Max(0, skip)).Take(Math.Clamp(take, 1, 100)))
            .ToListAsync(ct);
        return (rows.Select(r => r.ToRow()).ToList(), total);
    }

    /// <summary>Whether any job is pending or running (the page polls while one is).</summary>
    public async Task<bool> AnyActiveAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.MlTrainingJobs.AnyAsync(j => j.Status == TrainingStatuses.Pending || j.Status == TrainingStatuses.Running, ct);
    }

    public async Task<TrainingJobDetail?> JobAsync(long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await Project(db, db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == id)).SingleOrDefaultAsync(ct);
        if (row is null) return null;
        var more = await db.MlTrainingJobs.AsNoTracking().Where(j => j.Id == id)
            .Select(j => new { j.Hyperparameters, j.DataFrom, j.DataTo, j.FeatureVersion, j.Logs }).SingleAsync(ct);
        var model = await db.MlModels.AsNoTracking().Where(m => m.TrainingJobId == id).Select(m => new { m.Id, m.Version }).FirstOrDefaultAsync(ct);
        return new TrainingJobDetail(row.ToRow(), more.Hyperparameters, more.DataFrom, more.DataTo, more.FeatureVersion, more.Logs ?? "", model?.Id, model?.Version);
    }

    private sealed record JobProjection(long Id, string ModelType, string Algorithm, string Status, double Progress, DateTimeOffset CreatedAt,
        DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, double? Accuracy, string? ErrorMessage, string? Email, string? LogTail)
    {
        public TrainingJobRow ToRow() => new(Id, ModelType, Algorithm, Status, Progress, CreatedAt, StartedAt, CompletedAt, Accuracy, ErrorMessage, Email,
            LastLogTime(LogTail) ?? StartedAt ?? CreatedAt);
    }

    // Only the end of a running job's log is read: its last timestamp is when the job last showed a sign of life.
    private static IQueryable<JobProjection> Project(AppDbContext db, IQueryable<MlTrainingJob> jobs) => jobs.Select(j => new JobProjection(
        j.Id, j.ModelType, j.Algorithm, j.Status, j.Progress, j.CreatedAt, j.StartedAt, j.CompletedAt, j.Accuracy, j.ErrorMessage,
        db.Users.Where(u => u.Id == j.StartedBy).Select(u => u.Email).FirstOrDefault(),
        j.Status == TrainingStatuses.Running && j.Logs != null ? j.Logs.Substring(j.Logs.Length > 400 ? j.Logs.Length - 400 : 0) : null));

    /// <summary>The time of the last "[yyyy-MM-dd HH:mm:ss]" log line in a log's tail.</summary>
    internal static DateTimeOffset? LastLogTime(string? tail)
    {
        if (string.IsNullOrEmpty(tail)) return null;
        for (var i = tail.LastIndexOf('['); i >= 0; i = i == 0 ? -1 : tail.LastIndexOf('[', i - 1))
        {
            if (i + 20 < tail.Length && tail[i + 20] == ']' && (i == 0 || tail[i - 1] == '\n')
                && DateTimeOffset.TryParseExact(tail.AsSpan(i + 1, 19), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
                return t;
        }
        return null;
    }

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

    /// <summary>Trainer progress: to the row (through the writer) and to the Quartz run's own progress.</summary>
    private sealed class Progress(RowWriter writer, IProgress<JobStep>? also) : IProgress<JobStep>
    {
        public void Report(JobStep value)
        {
            writer.Report(value);
            also?.Report(value);
        }
    }

    /// <summary>
    /// Buffers a run's progress and log lines and writes them to its row at most every half second (a real-time
    /// interval, not the app clock, which only stamps the lines). Progress changes only while the row is running.
    /// </summary>
    private sealed class RowWriter(IDbContextFactory<AppDbContext> factory, long jobId, TimeProvider clock)
    {
        private readonly Lock _gate = new();
        private readonly StringBuilder _lines = new();
        private readonly Stopwatch _sinceWrite = Stopwatch.StartNew();
        private double? _progress;
        private string? _lastMessage;
        private Task _writing = Task.CompletedTask;

        public void Log(string text)
        {
            lock (_gate) _lines.Append(Line(clock.GetUtcNow(), text));
            FlushIfDue();
        }

        public void Report(JobStep step)
        {
            lock (_gate)
            {
                _progress = Math.Clamp(step.Fraction, 0, 1);
                if (step.Message != _lastMessage) _lines.Append(Line(clock.GetUtcNow(), step.Message));
                _lastMessage = step.Message;
            }
            FlushIfDue();
        }

        public void FlushIfDue()
        {
            lock (_gate)
            {
                if (_sinceWrite.Elapsed < WriteInterval || !_writing.IsCompleted || (_lines.Length == 0 && _progress is null)) return;
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
            string text;
            double? progress;
            lock (_gate)
            {
                text = _lines.ToString();
                _lines.Clear();
                (progress, _progress) = (_progress, null);
            }
            if (text.Length == 0 && progress is null) return;
            try
            {
                await using var db = await factory.CreateDbContextAsync();
                var rows = db.MlTrainingJobs.Where(j => j.Id == jobId);
                if (progress is { } p)
                    await rows.ExecuteUpdateAsync(s => s
                        .SetProperty(j => j.Progress, j => j.Status == TrainingStatuses.Running ? p : j.Progress)
                        .SetProperty(j => j.Logs, j => (j.Logs ?? "") + text));
                else
                    await rows.ExecuteUpdateAsync(s => s.SetProperty(j => j.Logs, j => (j.Logs ?? "") + text));
            }
            catch (Exception e) when (e is DbUpdateException or Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // A lost write must not fail the training; the lines go out with the next one.
                lock (_gate) _lines.Insert(0, text);
            }
        }
    }
}
