namespace Signalbook.Features.MarketData;

/// <summary>
/// Queues the analysis of instruments whose bars just changed (an import): features, regimes and recommendation
/// scoring, as background jobs. Returns the id of the first queued job, or null when there was nothing to queue.
/// Works on any node, whether or not it runs background jobs itself.
/// </summary>
public interface IInstrumentAnalysisQueue
{
    Task<string?> EnqueueAsync(IReadOnlyCollection<long> instrumentIds, string reason, CancellationToken ct = default);
}
