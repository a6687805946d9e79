using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>Limit and stop orders, time in force and the volume cap, stepped day by day through the paper broker.</summary>
public sealed class OrderTypeTests : PaperHarness
{
    [Fact]
    public async Task GtcLimitBuy_UntouchedForTwoDays_FillsAtTheLimit_OnTheDayTheLowTradesThrough()
    {
        // 10 bp slippage and 0.01/share (min 1.00): a limit touched inside the bar rested in the book, so it fills at exactly its limit.
        var (trader, acme, pid) = await NyDeskAsync(commissionPerShare: 0.01m, commissionMinimum: 1m, slippageBps: 10m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 100, TimeInForce.Gtc, LimitPrice: 95m));
        Assert.True(placed.Accepted, placed.RejectReason);

        await NySessionAsync(acme, Tue, 100m, 102m, 96m, 99m); // low 96 > 95
        await ProcessAtAsync(pid, Ny(Tue, 17));
        await NySessionAsync(acme, Wed, 98m, 99m, 95.5m, 97m); // low 95.5 > 95
        await ProcessAtAsync(pid, Ny(Wed, 17));
        Assert.Empty(await TradeRowsAsync(pid));
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);

        await NySessionAsync(acme, Thu, 97m, 98m, 94m, 96m); // opens above 95 (97), trades down through it (94)
        var run = await ProcessAtAsync(pid, Ny(Thu, 17));
        Assert.Equal(1, run.Fills);

        // 100 × 95 = 9 500 + commission 1.00 (100 × 0.01 = 1.00): cash 100 000 − 9 501 = 90 499.
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal(95m, trade.Price);
        Assert.Equal(MatchRules.LimitTouched, trade.Rule);
        Assert.Equal(Ny(Thu, 9, 30), trade.ExecutedAt);
        Money(1m, trade.Commission);
        Money(90_499m, (await PortfolioRowAsync(pid)).CashBalance);
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(95m, order.AverageFillPrice);
        // Marked at 96: 9 600 − 9 501 = 99 unrealised; average cost 95.01.
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Money(95.01m, pos.EntryPrice);
        Money(99m, pos.UnrealizedPnl);
    }

    [Fact]
    public async Task LimitBuy_WhenTheBarGapsBelowTheLimit_FillsAtTheOpen_WithSlippageCappedByTheLimit()
    {
        var (trader, acme, pid) = await NyDeskAsync(slippageBps: 10m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 100, TimeInForce.Gtc, LimitPrice: 95m));
        await NySessionAsync(acme, Tue, 93m, 96m, 92m, 95m);
        await ProcessAtAsync(pid, Ny(Tue, 17));

        // Opens at 93, below the 95 limit: price improvement at the open, 93 + 10 bp = 93.093 (still under 95).
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Money(93.093m, trade.Price);
        Assert.Equal(MatchRules.LimitAtOpen, trade.Rule);
        Money(100_000m - 9_309.3m, (await PortfolioRowAsync(pid)).CashBalance);
        Assert.Equal(OrderStatus.Filled, (await OrderRowAsync(placed.OrderId)).Status);
    }

    [Fact]
    public async Task StopLossSell_GappedThrough_FillsAtTheOpenLessSlippage_AndRealisesTheLossNetOfBothFees()
    {
        var (trader, acme, pid) = await NyDeskAsync(commissionPerShare: 0.01m, commissionMinimum: 1m, slippageBps: 10m);
        await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100));
        await NySessionAsync(acme, Tue, 100m, 101m, 99m, 100m);
        await ProcessAtAsync(pid, Ny(Tue, 17)); // bought 100 at 100 + 10 bp = 100.10, commission 1.00

        var stop = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Sell, OrderType.StopLoss, 100, TimeInForce.Gtc, StopPrice: 95m));
        Assert.True(stop.Accepted, stop.RejectReason);
        await NySessionAsync(acme, Wed, 90m, 92m, 88m, 89m); // opens at 90, through the 95 stop
        await ProcessAtAsync(pid, Ny(Wed, 17));

        // Sold at the open 90 − 10 bp = 89.91 (not at the 95 stop). Realised (FIFO, fees of both legs):
        // 100 × (89.91 − 100.10) − 1.00 − 1.00 = −1 019 − 2 = −1 021.
        var trades = await TradeRowsAsync(pid);
        Assert.Equal(2, trades.Count);
        var sell = trades[1];
        Assert.Equal(OrderSide.Sell, sell.Side);
        Money(89.91m, sell.Price);
        Assert.Equal(MatchRules.StopGapped, sell.Rule);
        Money(-1_021m, sell.Pnl!.Value);
        Assert.Null(await PositionRowAsync(pid, acme));
        // Cash 100 000 − 10 011 + 8 991 − 1 = 98 979; no position, so equity = cash and the P&L is −1 021.
        var p = await PortfolioRowAsync(pid);
        Money(98_979m, p.CashBalance);
        Money(98_979m, p.TotalValue);
        Money(-1_021m, p.TotalPnl);
        Assert.Equal(0d, p.WinRate);
    }

    [Fact]
    public async Task DayLimitOrder_NotFilledInItsSession_IsCancelledAsExpired_WhileTheSameGtcOrderKeepsWorking()
    {
        var (trader, acme, pid) = await NyDeskAsync();
        var day = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Day, LimitPrice: 95m));
        var gtc = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 95m));
        await NySessionAsync(acme, Tue, 100m, 102m, 96m, 99m);
        var run = await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.Equal(1, run.OrdersFinished);

        var expired = await OrderRowAsync(day.OrderId);
        Assert.Equal(OrderStatus.Cancelled, expired.Status);
        Assert.Equal(MatchingEngine.ExpiredDayNote, expired.Note);
        Assert.Equal(Ny(Tue, 9, 30), expired.CancelledAt);
        Assert.Equal(0m, expired.FilledQuantity);
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(gtc.OrderId)).Status);
        Assert.Empty(await TradeRowsAsync(pid));
    }

    [Fact]
    public async Task DayOrder_WhoseSessionHasNoBarAtAll_ExpiresADayAfterThatSessionClosed()
    {
        // Tuesday's (and Wednesday's) bars never arrive: the order cannot be matched, and must not work forever.
        var (trader, acme, pid) = await NyDeskAsync();
        var day = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Day, LimitPrice: 95m));
        await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(day.OrderId)).Status); // the bar may still come

        var run = await ProcessAtAsync(pid, Ny(Wed, 17)); // 25 hours after Tuesday's close
        Assert.Equal(1, run.OrdersFinished);
        var expired = await OrderRowAsync(day.OrderId);
        Assert.Equal(OrderStatus.Cancelled, expired.Status);
        Assert.Equal(MatchingEngine.ExpiredDayNote, expired.Note);
        Assert.Equal(Ny(Tue, 16), expired.CancelledAt);
        // Its cash is no longer reserved.
        var estimate = await Orders(s => s.EstimateAsync(trader, pid, acme, OrderSide.Buy, OrderType.Market, 1, null, null));
        Assert.Equal(0m, estimate.ReservedByOpenBuys);
    }

    [Fact]
    public async Task VolumeCap_SplitsAGtcMarketOrderOverTwoDays_WithThePerOrderFeeOnlyOnTheFirstFill()
    {
        // At most 10 % of a bar's volume per order; commission 0.01/share + 5.00 per order (first fill only), minimum 1.00.
        var (trader, acme, pid) = await NyDeskAsync(commissionPerShare: 0.01m, commissionMinimum: 1m, commissionPerOrder: 5m, maxVolumeShare: 0.1m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 80, TimeInForce.Gtc));

        await NySessionAsync(acme, Tue, 100m, 101m, 99m, 100.5m, volume: 500);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        // Tuesday: 10 % of 500 = 50 at the open 100; commission 50 × 0.01 + 5 = 5.50.
        var partial = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.PartiallyFilled, partial.Status);
        Assert.Equal(50m, partial.FilledQuantity);
        Money(100m, partial.AverageFillPrice!.Value);
        Money(5.5m, partial.Fee);
        Assert.Null(partial.FilledAt);
        Assert.Equal(50m, (await PositionRowAsync(pid, acme))!.Quantity);

        await NySessionAsync(acme, Wed, 102m, 103m, 101m, 102.5m, volume: 300);
        await ProcessAtAsync(pid, Ny(Wed, 17));
        // Wednesday: 10 % of 300 = 30 = the rest, at 102; commission max(30 × 0.01, 1.00) = 1.00 (no per-order fee again).
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(80m, order.FilledQuantity);
        Money(100.75m, order.AverageFillPrice!.Value); // (50 × 100 + 30 × 102) ÷ 80 = 8 060 ÷ 80
        Money(6.5m, order.Fee);
        Assert.Equal(Ny(Wed, 9, 30), order.FilledAt);

        var trades = await TradeRowsAsync(pid);
        Assert.Equal(new[] { $"paper-{placed.OrderId}-1", $"paper-{placed.OrderId}-2" }, trades.Select(t => t.BrokerTradeId));
        Assert.Equal(new[] { 50m, 30m }, trades.Select(t => t.Quantity));
        Assert.Equal(new[] { 5.5m, 1m }, trades.Select(t => decimal.Round(t.Commission, 6)));
        // Cash 100 000 − 5 005.50 − 3 061 = 91 933.50; average cost (8 060 + 6.50) ÷ 80 = 100.83125; at 102.5: 8 200 − 8 066.50 = 133.50.
        Money(91_933.5m, (await PortfolioRowAsync(pid)).CashBalance);
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(80m, pos.Quantity);
        Money(100.83125m, pos.EntryPrice);
        Money(133.5m, pos.UnrealizedPnl);
    }

    [Fact]
    public async Task VolumeCap_OnADayMarketOrder_KeepsThePartialFill_AndExpiresTheRest()
    {
        var (trader, acme, pid) = await NyDeskAsync(maxVolumeShare: 0.1m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 80));
        await NySessionAsync(acme, Tue, 100m, 101m, 99m, 100.5m, volume: 500);
        await ProcessAtAsync(pid, Ny(Tue, 17));

        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(MatchingEngine.ExpiredDayNote, order.Note);
        Assert.Equal(50m, order.FilledQuantity);
        Assert.Equal(50m, Assert.Single(await TradeRowsAsync(pid)).Quantity);
        Money(95_000m, (await PortfolioRowAsync(pid)).CashBalance);
    }
}
