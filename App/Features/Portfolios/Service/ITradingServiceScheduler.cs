namespace Signalbook.Features.Portfolios.Service;

/// <summary>
/// Registers and removes a trader's recurring trading-service run, and queues one now. Implemented on Hangfire
/// (Jobs/TradingServiceJobs.cs); the trading feature does not depend on the job library.
/// </summary>
public interface ITradingServiceScheduler
{
    void Register(Guid userId, TradingSchedule schedule);

    void Remove(Guid userId);

    /// <summary>Queues a run now; returns the job id.</summary>
    string RunNow(Guid userId, Guid? requestedBy, string reason);
}
