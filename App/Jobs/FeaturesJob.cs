using Quartz;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;

namespace Signalbook.Jobs;

/// <summary>Features (and regimes) for every active instrument, after a sync or on demand.</summary>
[DisallowConcurrentExecution]
public sealed class FeaturesJob(IServiceScopeFactory scopes, ILogger<FeaturesJob> logger) : SignalbookJob(scopes, logger)
{
    protected override async Task<JobOutcome> RunAsync(IServiceProvider services, IJobExecutionContext context, IProgress<JobProgress> progress, CancellationToken ct)
    {
        var instruments = await services.GetRequiredService<InstrumentService>().ActiveIdsAsync(ct);
        var features = services.GetRequiredService<FeatureService>();
        var written = 0;
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
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    errors.Add($"{symbol} {interval}: {e.Message}");
                }
            }
        }
        var details = new Dictionary<string, object?> { ["instruments"] = instruments.Count, ["feature_rows_written"] = written, ["errors"] = errors };
        return errors.Count == 0 ? JobOutcome.Success(details)
            : new JobOutcome(errors.Count == instruments.Count * 2 ? TaskStatuses.Failed : TaskStatuses.Success, details, $"{errors.Count} instrument/interval updates failed; first: {errors[0]}");
    }
}
