using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>Brackets (entry with one-cancels-other exits), cancel and replace.</summary>
public sealed class BracketAndLifecycleTests : PaperHarness
{
    [Fact]
    public async Task Bracket_ExitsWaitForTheEntry_StartOnTheNextBar_TakeProfitFills_StopLossIsCancelled_AndTheCloseRealisesNetOfFees()
    {
        // Commission 0.01/share, minimum 1.00; no slippage. Last close 100: take-profit 110 above it, stop-loss 95 below.
        var (trader, acme, pid) = await NyDeskAsync(commissionPerShare: 0.01m, commissionMinimum: 1m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100, TakeProfit: 110m, StopLoss: 95m));
        Assert.True(placed.Accepted, placed.RejectReason);
        Assert.Equal(2, placed.ExitOrderIds.Count);
        var exits = (await OrderRowsAsync(pid)).Where(o => placed.ExitOrderIds.Contains(o.Id)).ToList();
        Assert.All(exits, e =>
        {
            Assert.Equal(OrderStatus.Pending, e.Status);
            Assert.Equal(placed.OrderId, e.ParentOrderId);
            Assert.Equal(OrderSide.Sell, e.Side);
            Assert.Equal(TimeInForce.Gtc, e.TimeInForce);
        });
        Assert.Single(exits.Select(e => e.OcoGroup).Distinct());
        var stopLoss = exits.Single(e => e.OrderType == OrderType.StopLoss);
        var takeProfit = exits.Single(e => e.OrderType == OrderType.Limit);
        Assert.Equal(95m, stopLoss.StopPrice);
        Assert.Equal(110m, takeProfit.Price);

        // Tuesday: the entry fills at the open 101. The bar's high 112 is above the take-profit, but the exits only start
        // working on the bar after the entry's fill, so nothing else trades.
        await NySessionAsync(acme, Tue, 101m, 112m, 100m, 108m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.Equal(OrderStatus.Filled, (await OrderRowAsync(placed.OrderId)).Status);
        Assert.Single(await TradeRowsAsync(pid));
        foreach (var id in placed.ExitOrderIds)
        {
            var exit = await OrderRowAsync(id);
            Assert.Equal(OrderStatus.Open, exit.Status);
            Assert.Equal(100m, exit.Quantity);
            Assert.Equal(Ny(Tue, 16), exit.PlacedAt); // eligible from the end of the entry's bar
        }

        // Wednesday: high 111 reaches the 110 take-profit (opening at 108, below it): sells 100 at 110. Low 104 stays above the stop.
        await NySessionAsync(acme, Wed, 108m, 111m, 104m, 109m);
        await ProcessAtAsync(pid, Ny(Wed, 17));
        var tp = await OrderRowAsync(takeProfit.Id);
        Assert.Equal(OrderStatus.Filled, tp.Status);
        Assert.Equal(110m, tp.AverageFillPrice);
        var sl = await OrderRowAsync(stopLoss.Id);
        Assert.Equal(OrderStatus.Cancelled, sl.Status);
        Assert.Equal("one-cancels-other: the take-profit filled", sl.Note);
        Assert.Equal(0m, sl.FilledQuantity);
        Assert.Equal(Ny(Wed, 9, 30), sl.CancelledAt);

        // Realised on the closing trade, FIFO with both legs' fees: 100 × (110 − 101) − 1.00 − 1.00 = 898,
        // 898 ÷ (100 × 101) = 8.8911 % of the entry notional.
        var trades = await TradeRowsAsync(pid);
        Assert.Equal(2, trades.Count);
        Assert.Null(trades[0].Pnl);
        Assert.Equal(MatchRules.LimitTouched, trades[1].Rule);
        Money(898m, trades[1].Pnl!.Value);
        Near(898.0 / 10_100 * 100, trades[1].PnlPercent!.Value, 1e-9);
        // Cash 100 000 − 10 101 + 11 000 − 1 = 100 898; flat.
        var p = await PortfolioRowAsync(pid);
        Money(100_898m, p.CashBalance);
        Money(100_898m, p.TotalValue);
        Assert.Null(await PositionRowAsync(pid, acme));
        Assert.Equal(1d, p.WinRate);

        // Nothing is left working, and later bars that would hit the stop trade nothing.
        await NySessionAsync(acme, Thu, 90m, 91m, 85m, 86m);
        await ProcessAtAsync(pid, Ny(Thu, 17));
        Assert.Equal(2, (await TradeRowsAsync(pid)).Count);
        Assert.DoesNotContain(await OrderRowsAsync(pid), o => o.Status is OrderStatus.Open or OrderStatus.Pending or OrderStatus.PartiallyFilled);
    }

    [Fact]
    public async Task Bracket_StopLossFilling_CancelsTheTakeProfit()
    {
        var (trader, acme, pid) = await NyDeskAsync();
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100, TakeProfit: 110m, StopLoss: 95m));
        await NySessionAsync(acme, Tue, 101m, 103m, 100m, 102m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        await NySessionAsync(acme, Wed, 99m, 100m, 94m, 96m); // trades down through 95
        await ProcessAtAsync(pid, Ny(Wed, 17));

        var orders = await OrderRowsAsync(pid);
        var sl = orders.Single(o => o.OrderType == OrderType.StopLoss);
        var tp = orders.Single(o => o.OrderType == OrderType.Limit);
        Assert.Equal(OrderStatus.Filled, sl.Status);
        Assert.Equal(95m, sl.AverageFillPrice); // stop touched inside the bar: the stop price
        Assert.Equal(OrderStatus.Cancelled, tp.Status);
        Assert.Equal("one-cancels-other: the stop-loss filled", tp.Note);
        // 100 × (95 − 101) = −600, no fees.
        Money(-600m, (await TradeRowsAsync(pid))[1].Pnl!.Value);
        Assert.Null(await PositionRowAsync(pid, acme));
    }

    [Fact]
    public async Task Bracket_TakeProfitFillingInParts_ShrinksTheStopLossByEachPart_SoTheStopSellsExactlyWhatIsLeft()
    {
        // Volume cap 10 %: the take-profit fills 30 a day on 300-share bars.
        var (trader, acme, pid) = await NyDeskAsync(maxVolumeShare: 0.1m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100, TimeInForce.Gtc, TakeProfit: 110m, StopLoss: 90m));
        await NySessionAsync(acme, Tue, 101m, 103m, 100m, 102m, volume: 1_000); // entry: 100 at 101
        await ProcessAtAsync(pid, Ny(Tue, 17));
        await NySessionAsync(acme, Wed, 105m, 111m, 104m, 109m, volume: 300); // take-profit: 30 at 110; stop-loss 100 − 30 = 70
        await ProcessAtAsync(pid, Ny(Wed, 17));
        var sl = (await OrderRowsAsync(pid)).Single(o => o.OrderType == OrderType.StopLoss);
        Assert.Equal(70m, sl.Quantity);
        await NySessionAsync(acme, Thu, 108m, 112m, 104m, 109m, volume: 300); // take-profit: 30 more; stop-loss 70 − 30 = 40
        await ProcessAtAsync(pid, Ny(Thu, 17));
        sl = await OrderRowAsync(sl.Id);
        Assert.Equal(40m, sl.Quantity);
        Assert.Equal(OrderStatus.Open, sl.Status);
        Assert.Equal(40m, (await PositionRowAsync(pid, acme))!.Quantity);

        await NySessionAsync(acme, Fri, 95m, 96m, 85m, 86m, volume: 1_000); // through the 90 stop: sells the 40 left at 90
        await ProcessAtAsync(pid, Ny(Fri, 17));
        sl = await OrderRowAsync(sl.Id);
        Assert.Equal(OrderStatus.Filled, sl.Status);
        Assert.Equal(40m, sl.FilledQuantity);
        var tp = (await OrderRowsAsync(pid)).Single(o => o.OrderType == OrderType.Limit);
        Assert.Equal(OrderStatus.Cancelled, tp.Status);
        Assert.Equal(60m, tp.FilledQuantity);
        Assert.Null(await PositionRowAsync(pid, acme)); // flat, never short
        // Realised: 30 × 9 + 30 × 9 − 40 × 11 = 270 + 270 − 440 = 100.
        Assert.Equal(new decimal?[] { null, 270m, 270m, -440m }, (await TradeRowsAsync(pid)).Select(t => t.Pnl));
        Money(100_100m, (await PortfolioRowAsync(pid)).CashBalance);
    }

    [Fact]
    public async Task Cancel_AWorkingEntry_CancelsItsPendingExits_AndNothingTradesAfterwards()
    {
        var (trader, acme, pid) = await NyDeskAsync();
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 99m,
            TakeProfit: 110m, StopLoss: 90m));
        Assert.True(placed.Accepted, placed.RejectReason);

        SetClock(Ny(Tue, 11));
        Assert.True(await Orders(s => s.CancelAsync(trader, placed.OrderId)));
        var entry = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Cancelled, entry.Status);
        Assert.Equal("cancelled by the trader", entry.Note);
        Assert.Equal(Ny(Tue, 11), entry.CancelledAt);
        foreach (var id in placed.ExitOrderIds)
        {
            var exit = await OrderRowAsync(id);
            Assert.Equal(OrderStatus.Cancelled, exit.Status);
            Assert.Equal("entry cancelled", exit.Note);
        }
        Assert.False(await Orders(s => s.CancelAsync(trader, placed.OrderId))); // no longer working

        await NySessionAsync(acme, Tue, 98m, 99m, 95m, 96m); // would have filled the entry at the open
        await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.Empty(await TradeRowsAsync(pid));
        var estimate = await Orders(s => s.EstimateAsync(trader, pid, acme, OrderSide.Buy, OrderType.Market, 1, null, null));
        Assert.Equal(0m, estimate.ReservedByOpenBuys);
    }

    [Fact]
    public async Task Replace_ChangesQuantityAndLimit_AndTheOrderDoesNotTradeOnTheBarThatBeganBeforeTheReplace()
    {
        var (trader, acme, pid) = await NyDeskAsync();
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 95m));

        // Tuesday noon, during the session: 20 at 96.
        SetClock(Ny(Tue, 12));
        await Orders(async s =>
        {
            await s.ReplaceAsync(trader, placed.OrderId, 20, 96m, null);
            return 0;
        });
        var replaced = await OrderRowAsync(placed.OrderId);
        Assert.Equal(20m, replaced.Quantity);
        Assert.Equal(96m, replaced.Price);
        Assert.Equal(Ny(Tue, 12), replaced.PlacedAt);
        Assert.Equal("replaced", replaced.Note);

        // Tuesday's low 94 is under both limits, but the bar began at 09:30, before the replace: no fill on it.
        await NySessionAsync(acme, Tue, 97m, 98m, 94m, 97m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.Empty(await TradeRowsAsync(pid));
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);

        // Wednesday: opens at 97 above the limit, low 95.5 trades through 96: 20 at 96.
        await NySessionAsync(acme, Wed, 97m, 98m, 95.5m, 96.5m);
        await ProcessAtAsync(pid, Ny(Wed, 17));
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal(20m, trade.Quantity);
        Assert.Equal(96m, trade.Price);
        Assert.Equal(Ny(Wed, 9, 30), trade.ExecutedAt);
        Assert.Equal(OrderStatus.Filled, (await OrderRowAsync(placed.OrderId)).Status);
        Money(100_000m - 1_920m, (await PortfolioRowAsync(pid)).CashBalance);
    }
}
