using Signalbook.Features.Portfolios;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>
/// Sydney (10:00–16:00 Australia/Sydney, UTC+11 in December) opens at 23:00 UTC on the day before its trading date, so a fill
/// at Tuesday's open happens on Monday in UTC. The valuation must book it on its trading date (Tuesday), the date its bar
/// and its split carry.
/// </summary>
public sealed class EastOfUtcMidnightTests : PaperHarness
{
    public const string Sydney = "Australia/Sydney";

    private async Task<(TradingCaller Trader, long Instrument, long Portfolio)> SydneyDeskAsync()
    {
        var trader = await TraderAsync();
        var bhp = await InstrumentAsync("BHP", "XASX", Sydney, "AUD");
        SetClock(At(Sydney, Mon, 12));
        var pid = await PortfolioAsync(trader, 100_000m, "AUD");
        SetClock(At(Sydney, Mon, 16, 15));
        await BarAsync(bhp, Mon, 50m, 51m, 49m, 50m);
        SetClock(At(Sydney, Mon, 18));
        return (trader, bhp, pid);
    }

    [Fact]
    public async Task FillAtASydneyOpen_IsBookedOnItsTradingDate_NotTheUtcDayBefore()
    {
        var (trader, bhp, pid) = await SydneyDeskAsync();
        await PlaceAsync(trader, new OrderTicket(pid, bhp, OrderSide.Buy, OrderType.Market, 100));
        SetClock(At(Sydney, Tue, 16, 15));
        await BarAsync(bhp, Tue, 51m, 53m, 50.5m, 52m);
        await ProcessAtAsync(pid, At(Sydney, Tue, 16, 30));

        var trade = Assert.Single(await TradeRowsAsync(pid));
        Assert.Equal(At(Sydney, Tue, 10), trade.ExecutedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), trade.ExecutedAt);
        // Bought 100 at 51 on Tuesday: Monday's equity is the starting cash; Tuesday's 94 900 + 5 200 = 100 100.
        var equity = await SeriesAsync(pid, AnalyticsMetrics.Equity);
        Assert.Equal(new[] { Mon, Tue }, equity.Keys);
        Assert.Equal(new[] { 100_000d, 100_100d }, equity.Values);
        Assert.Equal(new[] { 0d, 100d }, (await SeriesAsync(pid, AnalyticsMetrics.DailyPnl)).Values);
        Assert.Equal(At(Sydney, Tue, 10), (await PositionRowAsync(pid, bhp))!.OpenedAt);
    }

    [Fact]
    public async Task BuyOnASydneyExDate_IsNotSplitAgain()
    {
        var (trader, bhp, pid) = await SydneyDeskAsync();
        await SplitAsync(bhp, Tue, 2m); // 2-for-1, ex Tuesday
        var placed = await PlaceAsync(trader, new OrderTicket(pid, bhp, OrderSide.Buy, OrderType.Market, 100));
        SetClock(At(Sydney, Tue, 16, 15));
        await BarAsync(bhp, Tue, 25m, 26m, 24.5m, 25.5m);
        var run = await ProcessAtAsync(pid, At(Sydney, Tue, 16, 30));
        Assert.Equal(1, run.SplitsApplied);

        // The working order is restated at the ex-date's open (100 → 200) and buys 200 at 25 = 5 000, after the split.
        Assert.Equal(200m, (await OrderRowAsync(placed.OrderId)).FilledQuantity);
        var pos = await PositionRowAsync(pid, bhp);
        Assert.NotNull(pos);
        Assert.Equal(200m, pos.Quantity);
        Money(25m, pos.EntryPrice);
        Money(5_100m, pos.MarketValue);
        Money(100_100m, (await PortfolioRowAsync(pid)).TotalValue);
        Assert.Equal(new[] { 100_000d, 100_100d }, (await SeriesAsync(pid, AnalyticsMetrics.Equity)).Values);
    }
}
