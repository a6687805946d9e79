namespace Signalbook.Features.Portfolios;

/// <summary>What "Update now" did: fills booked and orders finished (paper), or fills brought in (live).</summary>
public sealed record PortfolioUpdate(int Fills, int OrdersFinished, DateTimeOffset At);

/// <summary>
/// Brings one portfolio up to date on request (the trading service does it on its schedule): the paper broker matches the
/// bars that completed since the last run and revalues; a live portfolio syncs with its broker. Owner only.
/// </summary>
public sealed class PortfolioUpdater(PortfolioService portfolios, PaperBroker paper, LiveBroker live)
{
    public async Task<PortfolioUpdate> UpdateAsync(TradingCaller caller, long portfolioId, CancellationToken ct = default)
    {
        var detail = await portfolios.DetailAsync(caller, portfolioId, ct);
        caller.EnsureTrade(detail.OwnerId, "Portfolio");
        if (detail.Settings.BrokerPlugin == BrokerPlugins.Paper)
        {
            var run = await paper.ProcessAsync(portfolioId, ct);
            return new PortfolioUpdate(run.Fills, run.OrdersFinished, run.ProcessedThrough);
        }
        var sync = await live.SyncAsync(portfolioId, ct);
        return new PortfolioUpdate(sync.NewFills, sync.OrdersUpdated, DateTimeOffset.UtcNow);
    }
}
