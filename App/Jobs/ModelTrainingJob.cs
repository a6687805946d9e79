using System.Globalization;
using Quartz;
using Signalbook.Features.Models;

namespace Signalbook.Jobs;

/// <summary>
/// Runs one training job an admin requested (its ml_training_jobs id in the job data). One at a time across the
/// cluster: a training takes most of a small machine's cores, so requests queue rather than compete.
/// </summary>
[DisallowConcurrentExecution]
public sealed class ModelTrainingJob(IServiceScopeFactory scopes, ILogger<ModelTrainingJob> logger) : SignalbookJob(scopes, logger)
{
    protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
    {
        if (!context.MergedJobDataMap.TryGetString(TrainingService.TrainingJobIdKey, out var value)
            || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var jobId))
            return JobOutcome.Skipped("No training was requested: start training from Admin → Models.");

        var steps = progress.Relay<JobStep>(s => new JobProgress(s.Fraction, s.Message));
        var outcome = await services.GetRequiredService<TrainingService>().RunAsync(jobId, steps, recovering: context.Recovering, ct);
        var details = new Dictionary<string, object?> { ["training_job_id"] = jobId, ["model_version"] = outcome.ModelVersion };
        return outcome.Status == TaskStatuses.Skipped
            ? new JobOutcome(TaskStatuses.Skipped, new Dictionary<string, object?>(details) { ["reason"] = outcome.Error })
            : new JobOutcome(outcome.Status, details, outcome.Error);
    }
}
