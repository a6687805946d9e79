using Signalbook.Features.Portfolios;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>Processing again with no new bars changes nothing and duplicates nothing.</summary>
public sealed class IdempotencyTests : PaperHarness
{
    [Fact]
    public async Task ProcessingAgainWithNoNewBars_ChangesNothing_AndDoesNotDuplicateTheAnalytics()
    {
        var (trader, acme, pid) = await NyDeskAsync(commissionPerShare: 0.01m, commissionMinimum: 1m, slippageBps: 5m);
        await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100, TakeProfit: 120m, StopLoss: 90m));
        await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 97m));
        await NySessionAsync(acme, Tue, 101m, 103m, 100m, 102m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        await NySessionAsync(acme, Wed, 102m, 104m, 101m, 103m);
        await ProcessAtAsync(pid, Ny(Wed, 17));
        var before = await StateAsync(pid);
        // Three days (Monday, when the portfolio was created, to Wednesday) × five series + one performance row.
        var rows = await AnalyticsRowsAsync(pid);
        Assert.Equal(16, rows.Count);
        Assert.Single(rows, r => r.Metric == AnalyticsMetrics.Performance);

        // Again at the same instant, later that evening, and on Saturday: no bar completed in between.
        foreach (var at in new[] { Ny(Wed, 17), Ny(Wed, 23), Ny(Fri.AddDays(1), 12) })
        {
            var run = await ProcessAtAsync(pid, at);
            Assert.Equal(0, run.BarsSeen);
            Assert.Equal(0, run.Fills);
            Assert.Equal(0, run.OrdersFinished);
            Assert.Equal(before, await StateAsync(pid));
            Assert.Equal(16, (await AnalyticsRowsAsync(pid)).Count);
            Assert.Equal(at, (await PortfolioRowAsync(pid)).ProcessedThrough);
        }
    }

    /// <summary>Cash, orders, trades, positions and the analytics series (not the run's own timestamps).</summary>
    private async Task<string> StateAsync(long pid)
    {
        var p = await PortfolioRowAsync(pid);
        var orders = string.Join("\n", (await OrderRowsAsync(pid)).Select(o => $"{o.Id} {o.Status} {o.Quantity} {o.FilledQuantity} {o.AverageFillPrice} {o.Fee} {o.Price} {o.PlacedAt:O} {o.UpdatedAt:O}"));
        var trades = string.Join("\n", (await TradeRowsAsync(pid)).Select(t => $"{t.Id} {t.BrokerTradeId} {t.Quantity} {t.Price} {t.Commission} {t.Pnl}"));
        var position = await PositionRowAsync(pid, (await TradeRowsAsync(pid))[0].InstrumentId);
        var analytics = string.Join("\n", (await AnalyticsRowsAsync(pid)).Where(a => a.Metric != AnalyticsMetrics.Performance)
            .Select(a => $"{a.Metric} {a.Timestamp:O} {a.Value:R}"));
        var performance = (await AnalyticsRowsAsync(pid)).Single(a => a.Metric == AnalyticsMetrics.Performance).PlotData;
        return $"{p.CashBalance} {p.TotalValue} {p.TotalPnl} {p.DailyPnl} {p.TotalPnlPercent:R} {p.SharpeRatio:R} {p.MaxDrawdown:R}\n{orders}\n{trades}\n"
               + $"{position?.Quantity} {position?.EntryPrice} {position?.MarketValue} {position?.UnrealizedPnl}\n{analytics}\n{performance}";
    }
}
