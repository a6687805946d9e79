using Hangfire.Server;
using Signalbook.Features.Models;

namespace Signalbook.Jobs;

/// <summary>
/// Runs one training an admin requested (its ml_training_jobs id is the argument), on the training queue, one at a
/// time across the cluster (a training takes most of a small machine's cores, so requests wait rather than compete).
/// A cancel on the Models page deletes the Hangfire job, which cancels <paramref name="ct"/> of a running one.
/// </summary>
public sealed class ModelTrainingJob(TrainingService training)
{
    public async Task<JobOutcome> RunAsync(JobStart start, long trainingJobId, PerformContext? context, CancellationToken ct)
    {
        if (trainingJobId <= 0) return JobOutcome.Skipped("No training was requested: start training from Admin → Models.");

        var steps = JobContext.ProgressOf(context).Relay<JobStep>(s => new JobProgress(s.Fraction, s.Message));
        var outcome = await training.RunAsync(trainingJobId, steps, recovering: JobContext.Recovering(context), ct);
        var details = new Dictionary<string, object?> { ["training_job_id"] = trainingJobId, ["model_version"] = outcome.ModelVersion };
        return outcome.Status switch
        {
            TaskStatuses.Skipped => new JobOutcome(TaskStatuses.Skipped, new Dictionary<string, object?>(details) { ["reason"] = outcome.Error }),
            // Recorded as failed, not retried: a training fails for its data or parameters, which a retry does not change.
            _ => new JobOutcome(outcome.Status, details, outcome.Error),
        };
    }
}
