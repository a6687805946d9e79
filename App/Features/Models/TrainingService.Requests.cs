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

// Requests and cancels: what the Models page asks for.
public sealed partial class TrainingService
{
    /// <summary>Validates the spec, stores a pending job and queues it. Refusals come back as messages, nothing stored.</summary>
    public async Task<TrainingRequestResult> RequestAsync(TrainingSpec spec, AuditActor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(actor);
        var errors = spec.Validate().ToList();
        if (Queue is null) errors.Add("This app has no job queue configured, so it cannot start a training.");
        if (errors.Count > 0) return new TrainingRequestResult(null, errors);

        var now = _clock.GetUtcNow();
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
        await using (var db = await _factory.CreateDbContextAsync(ct))
        {
            db.MlTrainingJobs.Add(job);
            await db.SaveChangesAsync(ct);
        }

        try
        {
            // Only written to the job storage: any node can queue; whichever node serves the training queue runs it.
            Queue!.Enqueue(job.Id, actor.UserId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Could not queue training job {Id}", job.Id);
            await FinishAsync(job.Id, TrainingStatuses.Failed, $"The training could not be queued: {e.Message}", CancellationToken.None);
            return new TrainingRequestResult(null, [$"The training could not be queued: {e.Message}"]);
        }

        await _audit.WriteAsync(actor, AuditActions.TrainingRequested, "ml_training_job", job.Id.ToString(CultureInfo.InvariantCulture),
            details: new { model_type = spec.ModelType, algorithm = spec.Algorithm, horizon = spec.Horizon, folds = spec.Folds }, ct: ct);
        return new TrainingRequestResult(job.Id, []);
    }

    /// <summary>
    /// Cancels a pending or running job: the row turns cancelled at once; its queued job is deleted, which stops a
    /// running one through its cancellation token; the run also notices the cancelled row within about a second. Returns why it could not, or null.
    /// </summary>
    public async Task<string?> CancelAsync(long jobId, AuditActor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var now = _clock.GetUtcNow();
        var line = Line(now, $"Cancelled by {actor.Email ?? "an unknown user"}.");
        string? before;
        await using (var db = await _factory.CreateDbContextAsync(ct))
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
        await _audit.WriteAsync(actor, AuditActions.TrainingCancelled, "ml_training_job", jobId.ToString(CultureInfo.InvariantCulture),
            changes: new AuditChange(new { status = before }, new { status = TrainingStatuses.Cancelled }), ct: ct);
        Dequeue(jobId);
        return null;
    }

    /// <summary>
    /// Deletes the job's queued or running run, for speed: a queued one never starts, a running one is cancelled
    /// through its token. The run notices the cancelled row within a second anyway, so a failure here only costs that second.
    /// </summary>
    private void Dequeue(long jobId)
    {
        try
        {
            Queue?.Cancel(jobId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Could not remove training job {Id} from the job queue", jobId);
        }
    }
}
