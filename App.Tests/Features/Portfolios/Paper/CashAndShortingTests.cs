using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>The portfolio's own checks: buying power at placement and at the fill, and shorting.</summary>
public sealed class CashAndShortingTests : PaperHarness
{
    [Fact]
    public async Task Placement_NeedingMoreThanCashLessReservations_IsStoredAsRejectedWithTheReason()
    {
        // Cash 10 000; commission 0.01/share, minimum 1.00; last close 100.
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m, commissionPerShare: 0.01m, commissionMinimum: 1m);
        // A working limit buy reserves 50 × 100 + 1.00 = 5 001.
        var first = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 50, TimeInForce.Gtc, LimitPrice: 100m));
        Assert.True(first.Accepted, first.RejectReason);

        // 50 more at market need 50 × 100 + 1.00 = 5 001 > 10 000 − 5 001 = 4 999 available.
        var second = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 50));
        Assert.False(second.Accepted);
        Assert.Equal(OrderStatus.Rejected, second.Status);
        Assert.Contains("Not enough cash", second.RejectReason);
        Assert.Contains($"{5_001m:N2}", second.RejectReason);
        Assert.Contains($"{4_999m:N2}", second.RejectReason);
        var stored = await OrderRowAsync(second.OrderId);
        Assert.Equal(OrderStatus.Rejected, stored.Status);
        Assert.Equal(second.RejectReason, stored.RejectReason);

        // 49 need 4 901 ≤ 4 999: accepted; now 9 902 is reserved and 98 available.
        var third = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 49));
        Assert.True(third.Accepted, third.RejectReason);
        var estimate = await Orders(s => s.EstimateAsync(trader, pid, acme, OrderSide.Buy, OrderType.Market, 1, null, null));
        Money(9_902m, estimate.ReservedByOpenBuys);
        Money(98m, estimate.Available);

        // The rejected order never trades.
        await NySessionAsync(acme, Tue, 100m, 101m, 99m, 100m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.DoesNotContain(await TradeRowsAsync(pid), t => t.OrderId == second.OrderId);
        Assert.Equal(OrderStatus.Rejected, (await OrderRowAsync(second.OrderId)).Status);
    }

    [Fact]
    public async Task Fill_WhenThePriceGappedUpBeyondTheCash_ShrinksToWhatTheCashPays_AndCancelsTheRestWithTheReason()
    {
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m, commissionPerShare: 0.01m, commissionMinimum: 1m);
        // 95 × 100 + 1 = 9 501 ≤ 10 000: accepted at the last close.
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 95));
        Assert.True(placed.Accepted, placed.RejectReason);

        await NySessionAsync(acme, Tue, 110m, 112m, 108m, 111m); // opens at 110
        await ProcessAtAsync(pid, Ny(Tue, 17));

        // At 110 the order costs 95 × 110 + 1 = 10 451 > 10 000. The cash pays for ⌊(10 000 − 1) ÷ 110⌋ = 90 shares:
        // 9 900 + commission max(0.90, 1.00) = 9 901, leaving 99.
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal(90m, trade.Quantity);
        Assert.Equal(110m, trade.Price);
        Money(1m, trade.Commission);
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(90m, order.FilledQuantity);
        Assert.Equal(95m, order.Quantity);
        Money(110m, order.AverageFillPrice!.Value);
        Money(1m, order.Fee);
        Assert.StartsWith("Not enough cash when it filled at 110", order.Note);
        Assert.EndsWith("The rest was cancelled.", order.Note);
        Assert.Equal(Ny(Tue, 9, 30), order.CancelledAt);
        var p = await PortfolioRowAsync(pid);
        Money(99m, p.CashBalance);
        Assert.True(p.CashBalance >= 0);
        // 90 at an average cost of 9 901 ÷ 90 = 110.011111…, marked at 111: 9 990.
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(90m, pos.Quantity);
        Money(decimal.Round(9_901m / 90m, 6), pos.EntryPrice);
        Money(9_990m, pos.MarketValue);
        Money(10_089m, p.TotalValue);
    }

    [Fact]
    public async Task Sell_WithNothingHeld_AndShortingOff_IsRejected()
    {
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Sell, OrderType.Market, 10));
        Assert.Equal(OrderStatus.Rejected, placed.Status);
        Assert.Contains("Shorting is off", placed.RejectReason);
        Assert.Equal(OrderStatus.Rejected, (await OrderRowAsync(placed.OrderId)).Status);
        await NySessionAsync(acme, Tue, 100m, 101m, 94m, 95m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        Assert.Empty(await TradeRowsAsync(pid));
        Assert.Null(await PositionRowAsync(pid, acme));
    }

    [Fact]
    public async Task Short_WithShortingOn_IsMarkedNegative_GainsWhenThePriceFalls_AndRealisesOnTheCover()
    {
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m, allowShorting: true, commissionPerShare: 0.01m, commissionMinimum: 1m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Sell, OrderType.Market, 10));
        Assert.True(placed.Accepted, placed.RejectReason);
        await NySessionAsync(acme, Tue, 100m, 101m, 94m, 95m);
        await ProcessAtAsync(pid, Ny(Tue, 17));

        // Sold 10 at 100, commission 1: cash 10 000 + 1 000 − 1 = 10 999. The short's basis is its net proceeds 999 (99.90 a share).
        // At 95: market value −950, unrealised 999 − 950 = 49 (4.905 % of 999); equity 10 999 − 950 = 10 049.
        var p = await PortfolioRowAsync(pid);
        Money(10_999m, p.CashBalance);
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(-10m, pos.Quantity);
        Money(99.9m, pos.EntryPrice);
        Money(-950m, pos.MarketValue);
        Money(49m, pos.UnrealizedPnl);
        Near(49.0 / 999 * 100, pos.UnrealizedPnlPercent, 1e-9);
        Money(10_049m, p.TotalValue);
        Assert.Equal(new[] { 10_000d, 10_049d }, (await SeriesAsync(pid, AnalyticsMetrics.Equity)).Values);
        Assert.Equal(new[] { 0d, 950d }, (await SeriesAsync(pid, AnalyticsMetrics.GrossExposure)).Values);
        var holding = Assert.Single(await Portfolios(s => s.HoldingsAsync(trader, pid)));
        Money(-950m, holding.MarketValue);

        // Cover at Wednesday's open 96: realised −(10 × 96 − 1 000) − 1 − 1 = 40 − 2 = 38; cash 10 999 − 961 = 10 038.
        var cover = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 10));
        Assert.True(cover.Accepted, cover.RejectReason);
        await NySessionAsync(acme, Wed, 96m, 97m, 93m, 94m);
        await ProcessAtAsync(pid, Ny(Wed, 17));
        var closing = (await TradeRowsAsync(pid))[1];
        Money(38m, closing.Pnl!.Value);
        Assert.Null(await PositionRowAsync(pid, acme));
        p = await PortfolioRowAsync(pid);
        Money(10_038m, p.CashBalance);
        Money(38m, p.TotalPnl);
    }

    [Fact]
    public async Task ShortSell_AcceptedWhileShortingWasOn_IsRejectedAtTheFill_WhenShortingWasTurnedOffMeanwhile()
    {
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m, allowShorting: true);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Sell, OrderType.Market, 10));
        Assert.True(placed.Accepted, placed.RejectReason);
        await SettingsAsync(trader, pid, s => s with { AllowShorting = false });

        await NySessionAsync(acme, Tue, 100m, 101m, 94m, 95m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.StartsWith("Shorting is off for this portfolio", order.RejectReason);
        Assert.Equal(0m, order.FilledQuantity);
        Assert.Empty(await TradeRowsAsync(pid));
        Money(10_000m, (await PortfolioRowAsync(pid)).CashBalance);
    }
}

/// <summary>The fill-time cash check with a commission that grows with the fill (percent of notional).</summary>
public sealed class CashShrinkWithPercentCommissionTests : PaperHarness
{
    [Fact]
    public async Task GapUp_WithAPercentCommission_ShrinksToTheLargestAffordableWholeQuantity_InsteadOfRejecting()
    {
        // Commission 5 % of notional. 90 at the last close 100 need 9 000 × 1.05 = 9 450 ≤ 10 000: accepted.
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m, commissionPercent: 5m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 90));
        Assert.True(placed.Accepted, placed.RejectReason);
        await NySessionAsync(acme, Tue, 110m, 112m, 108m, 111m);
        await ProcessAtAsync(pid, Ny(Tue, 17));

        // At 110 a share costs 110 × 1.05 = 115.50: ⌊10 000 ÷ 115.50⌋ = 86 shares, 9 460 + 473 = 9 933; 67 left.
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(86m, order.FilledQuantity);
        Assert.EndsWith("The rest was cancelled.", order.Note);
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Money(473m, trade.Commission);
        Money(67m, (await PortfolioRowAsync(pid)).CashBalance);
    }

    [Fact]
    public async Task GapUp_OnAFractionalOrder_WithAPercentCommission_ShrinksToWhatTheCashPays()
    {
        // Commission 0.1 %: a share at 110 costs 110.11. 95.5 at 110 would cost 10 515.61 > 10 000.
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m, commissionPercent: 0.1m);
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 95.5m));
        Assert.True(placed.Accepted, placed.RejectReason);
        await NySessionAsync(acme, Tue, 110m, 112m, 108m, 111m);
        await ProcessAtAsync(pid, Ny(Tue, 17));

        // 10 000 ÷ 110.11 = 90.81827263… shares, cut to 8 decimals.
        var expected = decimal.Round(10_000m / 110.11m, 8, MidpointRounding.ToZero);
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(expected, order.FilledQuantity);
        var cash = (await PortfolioRowAsync(pid)).CashBalance;
        Assert.InRange(cash, 0m, 0.01m);
    }
}
