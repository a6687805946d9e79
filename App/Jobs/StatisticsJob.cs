using Hangfire.Server;
using Signalbook.Features.Operations.SystemStatus;

namespace Signalbook.Jobs;

/// <summary>Samples the statistics series for Admin → System and deletes samples past Statistics:RetentionDays.</summary>
public sealed class StatisticsJob(StatisticsSampler sampler)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        JobContext.ProgressOf(context).Report(new JobProgress(0, "Sampling users, sessions, data, jobs and database size"));
        var sample = await sampler.SampleAsync(ct);
        return JobOutcome.Success(new Dictionary<string, object?> { ["series"] = sample.Values.Count, ["deleted"] = sample.Deleted });
    }
}
