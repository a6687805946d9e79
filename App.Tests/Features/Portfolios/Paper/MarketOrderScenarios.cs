using System.Globalization;
using System.Text;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>
/// A market buy placed Monday 20:00 New York on a New York, a Paris and a Tokyo listing, worked through to its fill and
/// valuation with the arithmetic in the comments. Each scenario asserts its own figures and returns a fingerprint of
/// everything it stored (no ids), so a run under another process time zone can be compared with it.
/// </summary>
public abstract class MarketOrderScenarios : PaperHarness
{
    /// <summary>New York: placed after Monday's close, so it trades at Tuesday's 09:30 open.</summary>
    protected async Task<string> NewYorkScenarioAsync(string symbol = "ACME")
    {
        var trader = await TraderAsync();
        var acme = await InstrumentAsync(symbol);
        SetClock(Ny(Mon, 10));
        // Costs: 10 bp adverse slippage; 0.02 per share, at least 1.00 per fill.
        var pid = await PortfolioAsync(trader, 100_000m, commissionPerShare: 0.02m, commissionMinimum: 1m, slippageBps: 10m);
        SetClock(Ny(Mon, 16, 5));
        await BarAsync(acme, Mon, 100m, 101m, 99m, 100.5m);

        SetClock(Ny(Mon, 20));
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 100));
        Assert.True(placed.Accepted, placed.RejectReason);
        Assert.Equal(OrderStatus.Open, placed.Status);

        // Monday evening: Monday's bar is complete but began before the order was placed: nothing trades.
        var evening = await ProcessAsync(pid);
        Assert.Equal(0, evening.Fills);
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);

        SetClock(Ny(Tue, 16, 5));
        await BarAsync(acme, Tue, 102m, 105m, 101m, 104m);
        SetClock(Ny(Tue, 17));
        var run = await ProcessAsync(pid);
        Assert.Equal(1, run.Fills);
        Assert.Equal(1, run.BarsSeen);

        // Fill: Tuesday's open 102 + 10 bp = 102.102; commission 100 × 0.02 = 2.00 (above the 1.00 minimum).
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal($"paper-{placed.OrderId}-1", trade.BrokerTradeId);
        Assert.Equal(MatchRules.MarketOpen, trade.Rule);
        Assert.Equal(OrderSide.Buy, trade.Side);
        Assert.Equal(100m, trade.Quantity);
        Money(102.102m, trade.Price);
        Money(10_210.2m, trade.Value);
        Money(2m, trade.Commission);
        Assert.Equal(Ny(Tue, 9, 30), trade.ExecutedAt);
        Assert.Null(trade.Pnl);

        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(100m, order.FilledQuantity);
        Money(102.102m, order.AverageFillPrice!.Value);
        Money(2m, order.Fee);
        Assert.Equal(Ny(Tue, 9, 30), order.FilledAt);

        // Cash 100 000 − 10 210.20 − 2.00 = 89 787.80. Average cost incl. fees (10 210.20 + 2) ÷ 100 = 102.122.
        // Marked at Tuesday's close 104: value 10 400, unrealised 10 400 − 10 212.20 = 187.80 (1.8390 % of 10 212.20).
        var p = await PortfolioRowAsync(pid);
        Money(89_787.8m, p.CashBalance);
        var pos = await PositionRowAsync(pid, acme);
        Assert.NotNull(pos);
        Assert.Equal(100m, pos.Quantity);
        Money(102.122m, pos.EntryPrice);
        Assert.Equal(104m, pos.CurrentPrice);
        Money(10_400m, pos.MarketValue);
        Money(187.8m, pos.UnrealizedPnl);
        Near(187.8 / 10_212.2 * 100, pos.UnrealizedPnlPercent, 1e-9);
        Assert.Equal(0m, pos.RealizedPnl);
        Assert.Equal(Ny(Tue, 9, 30), pos.OpenedAt);

        var holding = Assert.Single(await Portfolios(s => s.HoldingsAsync(trader, pid)));
        Money(102.122m, holding.AverageCost);
        Near(10_400 / 100_187.8, holding.Weight, 1e-12);

        // Equity: Monday 100 000 (nothing held); Tuesday 89 787.80 + 10 400 = 100 187.80, a daily P&L of 187.80.
        var equity = await SeriesAsync(pid, AnalyticsMetrics.Equity);
        Assert.Equal(new[] { Mon, Tue }, equity.Keys);
        Assert.Equal(new[] { 100_000d, 100_187.8d }, equity.Values);
        Assert.Equal(new[] { 0d, 187.8d }, (await SeriesAsync(pid, AnalyticsMetrics.DailyPnl)).Values.Select(v => Math.Round(v, 6)));
        Assert.Equal(new[] { 100_000d, 89_787.8d }, (await SeriesAsync(pid, AnalyticsMetrics.Cash)).Values);
        Assert.Equal(new[] { 0d, 10_400d }, (await SeriesAsync(pid, AnalyticsMetrics.GrossExposure)).Values);
        Assert.Equal(new[] { 0d, 0d }, (await SeriesAsync(pid, AnalyticsMetrics.Drawdown)).Values);
        Money(100_187.8m, p.TotalValue);
        Money(187.8m, p.TotalPnl);
        Money(187.8m, p.DailyPnl);
        Near(0.1878, p.TotalPnlPercent, 1e-9); // TWR 100 187.80 ÷ 100 000 − 1, in percent
        return await FingerprintAsync(pid);
    }

    /// <summary>
    /// Paris (09:00–17:30 Europe/Paris): Monday 20:00 New York is Tuesday 02:00 in Paris, before the open, so the order
    /// trades at Tuesday's 09:00 Paris open (08:00 UTC), and only once the Paris session has closed.
    /// </summary>
    protected async Task<string> ParisScenarioAsync(string symbol = "MC")
    {
        var trader = await TraderAsync();
        var mc = await InstrumentAsync(symbol, "XPAR", Paris, "EUR");
        SetClock(At(Paris, Mon, 12));
        var pid = await PortfolioAsync(trader, 100_000m, "EUR", commissionPerShare: 0.02m, commissionMinimum: 1m, slippageBps: 10m);
        SetClock(At(Paris, Mon, 17, 45));
        await BarAsync(mc, Mon, 700m, 710m, 695m, 705m);

        SetClock(Ny(Mon, 20));
        Assert.Equal(At(Paris, Tue, 2), Clock.GetUtcNow());
        var placed = await PlaceAsync(trader, new OrderTicket(pid, mc, OrderSide.Buy, OrderType.Market, 50));
        Assert.True(placed.Accepted, placed.RejectReason);

        // A provider writes Tuesday's bar during the session; at 17:15 Paris the session is still open, so it does not count.
        SetClock(At(Paris, Tue, 17));
        await BarAsync(mc, Tue, 708m, 720m, 702m, 715m);
        SetClock(At(Paris, Tue, 17, 15));
        var early = await ProcessAsync(pid);
        Assert.Equal(1, early.BarsSeen); // Monday's bar only
        Assert.Equal(0, early.Fills);
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);

        SetClock(At(Paris, Tue, 17, 45));
        var run = await ProcessAsync(pid);
        Assert.Equal(1, run.Fills);

        // 708 + 10 bp = 708.708; commission 50 × 0.02 = 1.00. Cash 100 000 − 35 435.40 − 1 = 64 563.60.
        // Marked at 715: 35 750, unrealised 35 750 − 35 436.40 = 313.60.
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal(At(Paris, Tue, 9), trade.ExecutedAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero), trade.ExecutedAt);
        Money(708.708m, trade.Price);
        Money(1m, trade.Commission);
        Assert.Equal("EUR", trade.FeeCurrency);
        var p = await PortfolioRowAsync(pid);
        Money(64_563.6m, p.CashBalance);
        var pos = await PositionRowAsync(pid, mc);
        Assert.NotNull(pos);
        Money(35_750m, pos.MarketValue);
        Money(313.6m, pos.UnrealizedPnl);
        Money(708.728m, pos.EntryPrice);
        var equity = await SeriesAsync(pid, AnalyticsMetrics.Equity);
        Assert.Equal(new[] { Mon, Tue }, equity.Keys);
        Assert.Equal(new[] { 100_000d, 100_313.6d }, equity.Values);
        Money(313.6m, p.DailyPnl);
        return await FingerprintAsync(pid);
    }

    /// <summary>
    /// Tokyo (09:00–15:30 Asia/Tokyo): Monday 20:00 New York is Tuesday 10:00 in Tokyo, during Tuesday's session, so the
    /// order may not use Tuesday's bar and trades at Wednesday's 09:00 Tokyo open (00:00 UTC).
    /// </summary>
    protected async Task<string> TokyoScenarioAsync(string symbol = "7203")
    {
        var trader = await TraderAsync();
        var toyota = await InstrumentAsync(symbol, "XTKS", Tokyo, "JPY");
        SetClock(At(Tokyo, Mon, 12));
        var pid = await PortfolioAsync(trader, 10_000_000m, "JPY", commissionPerShare: 0.02m, commissionMinimum: 1m, slippageBps: 10m);
        SetClock(At(Tokyo, Mon, 15, 45));
        await BarAsync(toyota, Mon, 2_490m, 2_510m, 2_470m, 2_500m);

        SetClock(Ny(Mon, 20));
        Assert.Equal(At(Tokyo, Tue, 10), Clock.GetUtcNow());
        var placed = await PlaceAsync(trader, new OrderTicket(pid, toyota, OrderSide.Buy, OrderType.Market, 1_000));
        Assert.True(placed.Accepted, placed.RejectReason);

        SetClock(At(Tokyo, Tue, 15, 45));
        await BarAsync(toyota, Tue, 2_500m, 2_550m, 2_480m, 2_520m);
        SetClock(At(Tokyo, Tue, 16));
        var tuesday = await ProcessAsync(pid);
        Assert.Equal(2, tuesday.BarsSeen); // Monday's and Tuesday's
        Assert.Equal(0, tuesday.Fills); // Tuesday's session began (09:00) before the order (10:00)
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);

        SetClock(At(Tokyo, Wed, 15, 45));
        await BarAsync(toyota, Wed, 2_530m, 2_600m, 2_510m, 2_580m);
        SetClock(At(Tokyo, Wed, 16));
        var run = await ProcessAsync(pid);
        Assert.Equal(1, run.Fills);

        // 2 530 + 10 bp = 2 532.53; commission 1 000 × 0.02 = 20. Cash 10 000 000 − 2 532 530 − 20 = 7 467 450.
        // Marked at 2 580: 2 580 000, unrealised 2 580 000 − 2 532 550 = 47 450.
        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal(At(Tokyo, Wed, 9), trade.ExecutedAt);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero), trade.ExecutedAt);
        Money(2_532.53m, trade.Price);
        Money(20m, trade.Commission);
        var p = await PortfolioRowAsync(pid);
        Money(7_467_450m, p.CashBalance);
        var pos = await PositionRowAsync(pid, toyota);
        Assert.NotNull(pos);
        Money(2_580_000m, pos.MarketValue);
        Money(47_450m, pos.UnrealizedPnl);
        var equity = await SeriesAsync(pid, AnalyticsMetrics.Equity);
        Assert.Equal(new[] { Mon, Tue, Wed }, equity.Keys);
        Assert.Equal(new[] { 10_000_000d, 10_000_000d, 10_047_450d }, equity.Values);
        Money(47_450m, p.DailyPnl);
        Money(10_047_450m, p.TotalValue);
        return await FingerprintAsync(pid);
    }

    /// <summary>Everything the runs stored for a portfolio, without ids.</summary>
    protected async Task<string> FingerprintAsync(long pid)
    {
        var s = new StringBuilder();
        var p = await PortfolioRowAsync(pid);
        s.AppendLine(Inv($"portfolio {p.CashBalance} {p.TotalValue} {p.TotalPnl} {p.DailyPnl} {p.TotalPnlPercent:R} {p.ProcessedThrough:O}"));
        foreach (var o in await OrderRowsAsync(pid))
            s.AppendLine(Inv($"order {o.Side} {o.OrderType} {o.Status} {o.Quantity} {o.FilledQuantity} {o.AverageFillPrice} {o.Fee} {o.PlacedAt:O} {o.FilledAt:O} {o.CancelledAt:O} {o.Note} {o.RejectReason}"));
        foreach (var t in await TradeRowsAsync(pid))
            s.AppendLine(Inv($"trade {t.Side} {t.Quantity} {t.Price} {t.Commission} {t.ExecutedAt:O} {t.Rule} {t.Pnl}"));
        foreach (var a in await AnalyticsRowsAsync(pid))
            s.AppendLine(Inv($"analytic {a.Metric} {a.Timestamp:O} {a.Value:R} {a.PlotData}"));
        return s.ToString();
    }

    private static string Inv(FormattableString f) => f.ToString(CultureInfo.InvariantCulture);
}

public sealed class MarketOrderTests : MarketOrderScenarios
{
    [Fact]
    public async Task MarketBuy_PlacedMondayEveningNewYork_FillsAtTuesdaysOpen_WithSlippageAndCommission_AndIsMarkedAtTuesdaysClose() =>
        await NewYorkScenarioAsync();

    [Fact]
    public async Task MarketBuy_OnParis_FillsAtTheParisOpen_OnlyOnceTheParisSessionHasClosed() => await ParisScenarioAsync();

    [Fact]
    public async Task MarketBuy_OnTokyo_PlacedDuringTokyosSession_FillsAtTheNextTokyoOpen() => await TokyoScenarioAsync();
}
