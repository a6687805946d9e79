using Hangfire.Server;
using Signalbook.Features.Operations;

namespace Signalbook.Jobs;

/// <summary>Deletes service logs past 30 days and errors resolved more than 90 days ago (the seed's retention).</summary>
public sealed class OperationsRetentionJob(OperationsRetentionService retention)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        JobContext.ProgressOf(context).Report(new JobProgress(0, "Deleting old service logs and long-resolved errors"));
        var report = await retention.PurgeAsync(ct);
        return JobOutcome.Success(new Dictionary<string, object?>
        {
            ["service_logs_deleted"] = report.LogsDeleted, ["error_logs_deleted"] = report.ErrorsDeleted, ["error_groups_deleted"] = report.GroupsDeleted,
            ["service_logs_cutoff"] = report.LogCutoff, ["resolved_errors_cutoff"] = report.ResolvedCutoff,
        });
    }
}
