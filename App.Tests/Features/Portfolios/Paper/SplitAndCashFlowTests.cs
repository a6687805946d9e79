using Signalbook.Features.Portfolios;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>Splits restate working orders and positions at the ex-date; deposits stay out of time-weighted return and P&amp;L.</summary>
public sealed class SplitAndCashFlowTests : PaperHarness
{
    /// <summary>
    /// Holds 100 bought at 100 (Tuesday) and a GTC limit buy of 50 at 90; Wednesday closes at 104; a 2-for-1 split goes ex
    /// on Thursday. Returns the desk and the limit order's id, the clock at Wednesday 18:00 New York.
    /// </summary>
    private async Task<(Desk Desk, long LimitId)> HeldThroughWednesdayAsync()
    {
        var desk = await NyDeskAsync();
        var (trader, acme, pid) = desk;
        await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100));
        var limit = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 50, TimeInForce.Gtc, LimitPrice: 90m));
        Assert.True(limit.Accepted, limit.RejectReason);
        await NySessionAsync(acme, Tue, 100m, 102m, 98m, 101m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        await NySessionAsync(acme, Wed, 101m, 105m, 99m, 104m);
        await ProcessAtAsync(pid, Ny(Wed, 17));
        SetClock(Ny(Wed, 18));
        await SplitAsync(acme, Thu, 2m);
        // Before the split: 100 × 104 = 10 400; equity 90 000 + 10 400 = 100 400; reserved 50 × 90 = 4 500.
        Money(100_400m, (await PortfolioRowAsync(pid)).TotalValue);
        return (desk, limit.OrderId);
    }

    [Fact]
    public async Task Split2For1_ProcessedAfterTheExDateClose_DoublesQuantities_HalvesPrices_KeepsCostBasis_AndEquityIsContinuous()
    {
        var ((trader, acme, pid), limitId) = await HeldThroughWednesdayAsync();
        await NySessionAsync(acme, Thu, 52m, 53m, 50m, 51m); // post-split prices; low 50 stays above the restated 45 limit
        var run = await ProcessAtAsync(pid, Ny(Thu, 17));
        Assert.Equal(1, run.SplitsApplied);
        Assert.Equal(0, run.Fills);

        // The working order: 50 × 2 = 100 at 90 ÷ 2 = 45 (same 4 500 notional).
        var limit = await OrderRowAsync(limitId);
        Assert.Equal(OrderStatus.Open, limit.Status);
        Assert.Equal(100m, limit.Quantity);
        Assert.Equal(45m, limit.Price);
        var estimate = await Orders(s => s.EstimateAsync(trader, pid, acme, OrderSide.Buy, OrderType.Market, 1, null, null));
        Money(4_500m, estimate.ReservedByOpenBuys);

        // The position: 200 at an average cost of 10 000 ÷ 200 = 50 (basis unchanged); at 51: 10 200, unrealised 200.
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(200m, pos.Quantity);
        Money(50m, pos.EntryPrice);
        Money(10_200m, pos.MarketValue);
        Money(200m, pos.UnrealizedPnl);
        Assert.DoesNotContain(await TradeRowsAsync(pid), t => t.OrderId == limitId);

        // Equity: Mon 100 000; Tue 90 000 + 100 × 101 = 100 100; Wed 90 000 + 100 × 104 = 100 400; Thu 90 000 + 200 × 51 = 100 200.
        var equity = await SeriesAsync(pid, AnalyticsMetrics.Equity);
        Assert.Equal(new[] { Mon, Tue, Wed, Thu }, equity.Keys);
        Assert.Equal(new[] { 100_000d, 100_100d, 100_400d, 100_200d }, equity.Values);
        Assert.Equal(new[] { 0d, 100d, 300d, -200d }, (await SeriesAsync(pid, AnalyticsMetrics.DailyPnl)).Values);
        Money(100_200m, (await PortfolioRowAsync(pid)).TotalValue);
    }

    [Fact]
    public async Task Split2For1_WithARunDuringTheExDateSession_RestatesTheOrderOnce_AndMarksThePositionAtTheSplitAdjustedClose()
    {
        var ((trader, acme, pid), limitId) = await HeldThroughWednesdayAsync();

        // Thursday noon: the split took effect at 09:30; Thursday's bar is not complete (not even stored).
        var noon = await ProcessAtAsync(pid, Ny(Thu, 12));
        Assert.Equal(1, noon.SplitsApplied);
        var limit = await OrderRowAsync(limitId);
        Assert.Equal(100m, limit.Quantity);
        Assert.Equal(45m, limit.Price);
        // 200 shares marked at Wednesday's close restated for the split, 104 ÷ 2 = 52: 10 400, so equity is still 100 400.
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(200m, pos.Quantity);
        Assert.Equal(52m, pos.CurrentPrice);
        Money(10_400m, pos.MarketValue);
        Money(400m, pos.UnrealizedPnl);
        Money(100_400m, (await PortfolioRowAsync(pid)).TotalValue);

        // After the close: the split is not applied a second time, and the restated limit (45) is not touched by a low of 50.
        await NySessionAsync(acme, Thu, 52m, 53m, 50m, 51m);
        var close = await ProcessAtAsync(pid, Ny(Thu, 17));
        Assert.Equal(0, close.SplitsApplied);
        Assert.Equal(0, close.Fills);
        limit = await OrderRowAsync(limitId);
        Assert.Equal(OrderStatus.Open, limit.Status);
        Assert.Equal(100m, limit.Quantity);
        Assert.Equal(45m, limit.Price);
        pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(200m, pos.Quantity);
        Money(10_200m, pos.MarketValue);
        Money(100_200m, (await PortfolioRowAsync(pid)).TotalValue);
    }

    [Fact]
    public async Task DepositMidWay_IsLeftOutOfTimeWeightedReturn_AndOutOfTotalPnl()
    {
        var (trader, acme, pid) = await NyDeskAsync(cash: 10_000m);
        await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 50));
        await NySessionAsync(acme, Tue, 100m, 103m, 99m, 102m);
        await ProcessAtAsync(pid, Ny(Tue, 17));
        await NySessionAsync(acme, Wed, 102m, 106m, 101m, 105m);

        SetClock(Ny(Wed, 17));
        await Portfolios(async s =>
        {
            await s.AddCashFlowAsync(trader, pid, 5_000m, "top-up");
            return 0;
        });
        await ProcessAtAsync(pid, Ny(Wed, 17, 5));
        await NySessionAsync(acme, Thu, 105m, 106m, 102m, 103m);
        await ProcessAtAsync(pid, Ny(Thu, 17));

        // Bought 50 at 100 on Tuesday: cash 5 000. Equity: Mon 10 000; Tue 5 000 + 5 100 = 10 100;
        // Wed (after the 5 000 deposit) 10 000 + 5 250 = 15 250; Thu 10 000 + 5 150 = 15 150.
        var equity = await SeriesAsync(pid, AnalyticsMetrics.Equity);
        Assert.Equal(new[] { 10_000d, 10_100d, 15_250d, 15_150d }, equity.Values);
        // Daily P&L leaves the deposit out: 0, 100, 15 250 − 10 100 − 5 000 = 150, −100.
        Assert.Equal(new[] { 0d, 100d, 150d, -100d }, (await SeriesAsync(pid, AnalyticsMetrics.DailyPnl)).Values);

        // TWR, the deposit arriving at the end of Wednesday: (10 100 ÷ 10 000) × ((15 250 − 5 000) ÷ 10 100) × (15 150 ÷ 15 250) − 1
        // = 1.025 × 0.993443 − 1 = 1.8279 %. (Counting the deposit as a gain would say 51.5 %.)
        var twr = 10_100.0 / 10_000 * ((15_250.0 - 5_000) / 10_100) * (15_150.0 / 15_250) - 1;
        Near(0.0182786885245901, twr, 1e-12);
        var performance = await Portfolios(s => s.PerformanceAsync(trader, pid));
        Assert.NotNull(performance);
        Near(twr, performance.TimeWeightedReturn!.Value, 1e-12);
        var p = await PortfolioRowAsync(pid);
        Near(twr * 100, p.TotalPnlPercent, 1e-10);
        // Total P&L = 15 150 − (10 000 + 5 000) = 150.
        Money(15_150m, p.TotalValue);
        Money(150m, p.TotalPnl);
        Money(10_000m, p.CashBalance);
        var flow = Assert.Single(await Portfolios(s => s.CashFlowsAsync(trader, pid)));
        Assert.Equal(5_000m, flow.Amount);
    }
}
