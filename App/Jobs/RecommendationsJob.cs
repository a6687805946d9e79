using Hangfire.Server;
using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;

namespace Signalbook.Jobs;

/// <summary>Outcome back-fill, then scoring of every active instrument with the active models (instruments with nothing new are skipped); continues with the traders' services.</summary>
public sealed class RecommendationsJob(OutcomeBackfill backfill, ScoringService scoring, JobClient jobs)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        var progress = JobContext.ProgressOf(context);
        progress.Report(new JobProgress(0, "Back-filling outcomes"));
        var outcomes = await backfill.RunAsync(ct);
        var run = await scoring.ScoreAsync(progress.Relay<JobStep>(s => new JobProgress(s.Fraction, s.Message)), ct);
        var details = new Dictionary<string, object?>
        {
            ["outcomes_evaluated"] = outcomes.Evaluated, ["outcomes_pending"] = outcomes.Pending, ["instruments"] = run.Instruments,
            ["instruments_scored"] = run.Scored, ["instruments_unchanged"] = run.Unchanged, ["recommendations_written"] = run.Recommendations,
        };
        if (run.NotRunBecause is { } why) details["not_scored"] = why;
        // The traders' services act on the new bars and recommendations once this run has succeeded.
        if (jobs.ContinueWith(context, JobCatalog.TradingServices, JobStart.Chained("after scoring")) is { } next) details["trading_services_job"] = next;
        // Alert rules see the new bars, regimes and recommendations (a second continuation of the same run).
        if (jobs.ContinueWith(context, JobCatalog.Alerts, JobStart.Chained("after scoring")) is { } alerts) details["alerts_job"] = alerts;
        return JobOutcome.Success(details);
    }
}
