using Quartz;
using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;

namespace Signalbook.Jobs;

/// <summary>Outcome back-fill, then scoring of every active instrument with the active models.</summary>
[DisallowConcurrentExecution]
public sealed class RecommendationsJob(IServiceScopeFactory scopes, ILogger<RecommendationsJob> logger) : SignalbookJob(scopes, logger)
{
    protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
    {
        progress.Report(new JobProgress(0, "Back-filling outcomes"));
        var backfill = await services.GetRequiredService<OutcomeBackfill>().RunAsync(ct);
        var steps = progress.Relay<JobStep>(s => new JobProgress(s.Fraction, s.Message));
        var run = await services.GetRequiredService<ScoringService>().ScoreAsync(steps, ct);
        var details = new Dictionary<string, object?>
        {
            ["outcomes_evaluated"] = backfill.Evaluated, ["outcomes_pending"] = backfill.Pending, ["instruments"] = run.Instruments,
            ["instruments_scored"] = run.Scored, ["instruments_unchanged"] = run.Unchanged, ["recommendations_written"] = run.Recommendations,
        };
        if (run.NotRunBecause is { } why) details["not_scored"] = why;
        return JobOutcome.Success(details);
    }
}
