using Quartz;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.Regimes;

namespace Signalbook.Jobs;

/// <summary>Features for every active instrument (daily and 15-minute) and its daily regimes, after a sync or on demand.</summary>
[DisallowConcurrentExecution]
public sealed class FeaturesJob(IServiceScopeFactory scopes, ILogger<FeaturesJob> logger) : SignalbookJob(scopes, logger)
{
    protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var instruments = await services.GetRequiredService<InstrumentService>().ActiveIdsAsync(ct);
        var features = services.GetRequiredService<FeatureService>();
        var regimes = services.GetRequiredService<RegimeService>();
        var (written, regimeRows, refits) = (0, 0, 0);
        var errors = new List<string>();
        for (var i = 0; i < instruments.Count; i++)
        {
            var (id, symbol) = instruments[i];
            progress.Report(new JobProgress((double)i / instruments.Count, $"{symbol} ({i + 1} of {instruments.Count})"));
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
        if (written > 0)
        {
            // Chained: new features, new recommendations (and outcomes whose horizon has now passed).
            await context.Scheduler.TriggerJob(new JobKey(JobCatalog.Recommendations, JobsSetup.Group), new JobDataMap { [TriggerKindKey] = "chained" }, ct);
        }
        var details = new Dictionary<string, object?> { ["instruments"] = instruments.Count, ["feature_rows_written"] = written,
            ["regime_rows_written"] = regimeRows, ["regime_models_refitted"] = refits, ["errors"] = errors };
        return errors.Count == 0 ? JobOutcome.Success(details)
            : new JobOutcome(errors.Count == instruments.Count * 2 ? TaskStatuses.Failed : TaskStatuses.Success, details, $"{errors.Count} instrument/interval updates failed; first: {errors[0]}");
    }
}
