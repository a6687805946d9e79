using Hangfire.Server;
using Signalbook.Features.Alerts;

namespace Signalbook.Jobs;

/// <summary>Evaluates every active alert rule on the newest stored bars, features, regimes, recommendations and fills; a continuation of the recommendations job.</summary>
public sealed class AlertsJob(AlertEvaluator evaluator)
{
    public async Task<JobOutcome> RunAsync(JobStart start, PerformContext? context, CancellationToken ct)
    {
        JobContext.ProgressOf(context).Report(new JobProgress(0, "Evaluating alert rules"));
        var run = await evaluator.EvaluateAsync(notify: true, ct);
        var details = new Dictionary<string, object?>
        {
            ["instrument_rules"] = run.InstrumentRules, ["portfolio_rules"] = run.PortfolioRules, ["instruments"] = run.Instruments,
            ["rules_evaluated"] = run.Evaluated, ["alerts_fired"] = run.Fired, ["rules_expired"] = run.Expired, ["one_shot_done"] = run.Deactivated,
            ["notifications"] = run.Notifications,
        };
        if (start.Reason is { } reason) details["reason"] = reason;
        return JobOutcome.Success(details);
    }
}
