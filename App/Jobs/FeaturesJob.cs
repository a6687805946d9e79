using Hangfire.Server;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.Regimes;

namespace Signalbook.Jobs;

/// <summary>
/// Features (daily and 15-minute) and daily regimes of every active instrument, or of the instruments an import names;
/// when features were written, recommendations follow as a continuation.
/// </summary>
public sealed class FeaturesJob(InstrumentService instruments, FeatureService features, RegimeService regimes, JobClient jobs)
{
    public async Task<JobOutcome> RunAsync(JobStart start, long[]? instrumentIds, PerformContext? context, CancellationToken ct)
    {
        var active = await instruments.ActiveIdsAsync(ct);
        var targets = instrumentIds is null ? active : active.Where(a => instrumentIds.Contains(a.Id)).ToList();
        if (instrumentIds is { Length: > 0 } && targets.Count == 0)
            throw new JobValidationException($"None of the instruments {string.Join(", ", instrumentIds)} exists and is active; nothing to analyse.");

        var progress = JobContext.ProgressOf(context);
        var (written, regimeRows, refits) = (0, 0, 0);
        var errors = new List<string>();
        for (var i = 0; i < targets.Count; i++)
        {
            var (id, symbol) = targets[i];
            progress.Report(new JobProgress((double)i / targets.Count, $"{symbol} ({i + 1} of {targets.Count})"));
            foreach (var interval in (string[])[Intervals.OneDay, Intervals.FifteenMinutes])
            {
                try
                {
                    written += await features.UpdateAsync(id, interval, ct);
                    if (interval != Intervals.OneDay) continue; // regimes are fitted on daily bars
                    var regime = await regimes.UpdateAsync(id, interval, ct);
                    regimeRows += regime.Written;
                    refits += regime.Refitted ? 1 : 0;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors.Add($"{symbol} {interval}: {e.Message}");
                }
            }
        }
        var details = new Dictionary<string, object?> { ["instruments"] = targets.Count, ["feature_rows_written"] = written,
            ["regime_rows_written"] = regimeRows, ["regime_models_refitted"] = refits, ["errors"] = errors };
        if (start.Reason is { } reason) details["reason"] = reason;
        var error = errors.Count == 0 ? null : $"{errors.Count} instrument/interval updates failed; first: {errors[0]}";
        if (errors.Count > 0 && errors.Count == targets.Count * 2) throw new JobFailedException(new JobOutcome(TaskStatuses.Failed, details, error));

        // New features, new recommendations (and outcomes whose horizon has now passed).
        if (written > 0 && jobs.ContinueWith(context, JobCatalog.Recommendations, JobStart.Chained("new features")) is { } next)
        {
            details["continued_with"] = JobCatalog.Recommendations;
            details["continuation_id"] = next;
        }
        return new JobOutcome(TaskStatuses.Success, details, error);
    }
}
