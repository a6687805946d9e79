using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>The daily equity curve, worked by hand over one trading week (Mon 6 – Fri 10 January 2025).</summary>
public sealed class EquityCurveTests
{
    private const long Aapl = 1;
    private const long Msft = 2;
    internal static readonly DateOnly[] Week = [new(2025, 1, 6), new(2025, 1, 7), new(2025, 1, 8), new(2025, 1, 9), new(2025, 1, 10)];

    internal static Fill Fill(DateOnly day, OrderSide side, decimal quantity, decimal price, decimal fees = 0, long instrument = Aapl) =>
        new(instrument, side, quantity, price, fees, new DateTimeOffset(day.ToDateTime(new TimeOnly(15, 0)), TimeSpan.Zero));

    internal static PriceGrid Grid(params (long Instrument, decimal?[] Closes)[] rows) =>
        new(Week[..rows[0].Closes.Length], rows.Select(r => r.Instrument).ToArray(), rows.Select(r => r.Closes).ToArray());

    [Fact]
    public void BuyHoldAndTrim_WithAMissingClose_CarriesTheLastCloseForward()
    {
        // start 10,000
        // Mon: buy 10 @ 100 fee 1 → cash 8,999; close 101 → MV 1,010, equity 10,009, P&L 9
        // Tue: no close → 101 carried → equity 10,009, P&L 0
        // Wed: close 105 → MV 1,050, equity 10,049, P&L 40
        // Thu: sell 5 @ 106 fee 1 → cash 8,999 + 530 − 1 = 9,528; close 104 → MV 520, equity 10,048, P&L −1
        // Fri: close 110 → MV 550, equity 10,078, P&L 30
        var grid = Grid((Aapl, [101m, null, 105m, 104m, 110m]));
        var fills = new[] { Fill(Week[0], OrderSide.Buy, 10, 100, 1), Fill(Week[3], OrderSide.Sell, 5, 106, 1) };
        var curve = EquityCurve.Build(grid, 10_000, [], fills);

        Assert.Equal([8_999m, 8_999m, 8_999m, 9_528m, 9_528m], curve.Cash);
        Assert.Equal([1_010m, 1_010m, 1_050m, 520m, 550m], curve.LongMarketValue);
        Assert.Equal([10_009m, 10_009m, 10_049m, 10_048m, 10_078m], curve.Equity);
        Assert.Equal([9m, 0m, 40m, -1m, 30m], curve.DailyPnl);
        Assert.Equal(curve.LongMarketValue, curve.GrossExposure);
        Assert.All(curve.ShortMarketValue, v => Assert.Equal(0m, v));
        Assert.All(curve.OpenPositions, n => Assert.Equal(1, n));
        Assert.Equal(10_078m, curve.EndingEquity);
        Assert.Equal(new EquityDay(Week[1], 8_999, 1_010, 0, 10_009, 0, 0, 1_010, 1), curve[1]);
    }

    [Fact]
    public void Short_HasNegativeMarketValueAndPositiveGrossExposure()
    {
        // start 10,000; Mon: short 10 @ 50 → cash 10,500; close 48 → short MV −480, equity 10,020, gross 480, P&L 20
        // Tue: close 52 → short MV −520, equity 9,980, P&L −40
        var curve = EquityCurve.Build(Grid((Aapl, [48m, 52m])), 10_000, [], [Fill(Week[0], OrderSide.Sell, 10, 50)]);

        Assert.Equal([10_500m, 10_500m], curve.Cash);
        Assert.Equal([-480m, -520m], curve.ShortMarketValue);
        Assert.Equal([0m, 0m], curve.LongMarketValue);
        Assert.Equal([10_020m, 9_980m], curve.Equity);
        Assert.Equal([480m, 520m], curve.GrossExposure);
        Assert.Equal([20m, -40m], curve.DailyPnl);
        Assert.Equal(-520m, curve[1].MarketValue);
    }

    [Fact]
    public void LongAndShort_GrossExposureAddsBothSidesAndEquityNetsThem()
    {
        // start 1,000; long 10 AAPL @ 100 (cash 0), short 5 MSFT @ 200 (cash 1,000)
        // closes AAPL 110, MSFT 190 → long 1,100, short −950, equity 1,000 + 1,100 − 950 = 1,150, gross 2,050
        var grid = Grid((Aapl, [110m]), (Msft, [190m]));
        var curve = EquityCurve.Build(grid, 1_000, [], [Fill(Week[0], OrderSide.Buy, 10, 100), Fill(Week[0], OrderSide.Sell, 5, 200, instrument: Msft)]);
        Assert.Equal(new EquityDay(Week[0], 1_000, 1_100, -950, 1_150, 0, 150, 2_050, 2), curve[0]);
    }

    [Fact]
    public void Deposit_RaisesEquityButNotDailyPnl()
    {
        // start 1,000 in cash; Wed: deposit 500 → equity 1,500, flow 500, P&L 1,500 − 1,000 − 500 = 0
        // Thu: withdraw 200 → equity 1,300, P&L 0
        var curve = EquityCurve.Build(Grid((Aapl, [100m, 100m, 100m, 100m])), 1_000, [new CashFlow(Week[2], 500), new CashFlow(Week[3], -200)], []);
        Assert.Equal([1_000m, 1_000m, 1_500m, 1_300m], curve.Equity);
        Assert.Equal([0m, 0m, 500m, -200m], curve.ExternalFlow);
        Assert.All(curve.DailyPnl, p => Assert.Equal(0m, p));
        Assert.All(curve.OpenPositions, n => Assert.Equal(0, n));
    }

    [Fact]
    public void EventsOffTheTradingDays_CountOnTheNextTradingDayOrTheFirst()
    {
        // a deposit on Sunday 5 Jan (before the first day) counts on Monday; one on Saturday 11 Jan is after the last day: ignored.
        // a buy on Tuesday night UTC stays on Tuesday.
        var grid = Grid((Aapl, [100m, 100m, 100m, 100m, 100m]));
        var flows = new[] { new CashFlow(new DateOnly(2025, 1, 5), 100), new CashFlow(new DateOnly(2025, 1, 11), 999) };
        var late = new Fill(Aapl, OrderSide.Buy, 1, 100, 0, new DateTimeOffset(2025, 1, 7, 23, 30, 0, TimeSpan.Zero));
        var curve = EquityCurve.Build(grid, 1_000, flows, [late]);
        Assert.Equal([100m, 0m, 0m, 0m, 0m], curve.ExternalFlow);
        Assert.Equal([0, 1, 1, 1, 1], curve.OpenPositions);
        Assert.Equal(1_100m, curve.EndingEquity);
    }

    [Fact]
    public void Split_OnItsExDate_KeepsEquityWhenTheCloseHalves()
    {
        // buy 10 @ 100, close 100 → MV 1,000; Tue: 2-for-1, close 50 → 20 × 50 = 1,000 (without the split it would read 500)
        var curve = EquityCurve.Build(Grid((Aapl, [100m, 50m])), 1_000, [], [Fill(Week[0], OrderSide.Buy, 10, 100)], [new Split(Aapl, Week[1], 2)]);
        Assert.Equal([1_000m, 1_000m], curve.Equity);
        Assert.Equal([1_000m, 1_000m], curve.LongMarketValue);
    }

    [Fact]
    public void InstrumentWithoutAnyClose_IsMarkedAtItsLastFillPrice()
    {
        // MSFT has no row in the grid: bought 2 @ 300 Monday, 1 more @ 310 Tuesday → marked 600, then 3 × 310 = 930
        var curve = EquityCurve.Build(Grid((Aapl, [100m, 100m])), 1_000, [], [Fill(Week[0], OrderSide.Buy, 2, 300, instrument: Msft), Fill(Week[1], OrderSide.Buy, 1, 310, instrument: Msft)]);
        Assert.Equal([600m, 930m], curve.LongMarketValue);
        Assert.Equal([1_000m, 1_020m], curve.Equity); // cash 400 + 600; cash 90 + 930
    }

    [Fact]
    public void NoDays_GivesAnEmptyCurveThatEndsAtTheStartingCash()
    {
        var curve = EquityCurve.Build(new PriceGrid([], [], []), 5_000, [], []);
        Assert.Equal(0, curve.Count);
        Assert.Equal(5_000m, curve.EndingEquity);
    }

    [Fact]
    public void Inputs_OutOfDateOrder_AreRejected()
    {
        var grid = Grid((Aapl, [100m, 100m]));
        Assert.Throws<ArgumentException>(() => EquityCurve.Build(grid, 0, [new CashFlow(Week[1], 1), new CashFlow(Week[0], 1)], []));
        Assert.Throws<ArgumentException>(() => EquityCurve.Build(grid, 0, [], [Fill(Week[1], OrderSide.Buy, 1, 1), Fill(Week[0], OrderSide.Buy, 1, 1)]));
    }

    [Fact]
    public void PriceGrid_FromCloses_SeedsTheFirstDayFromAnEarlierClose()
    {
        // AAPL closed 99 on Friday 3 Jan (98 on Thursday); no close on Monday → Monday is marked 99, Tuesday has its own 101.
        var closes = new[]
        {
            new DailyClose(Aapl, new DateOnly(2025, 1, 3), 99),
            new DailyClose(Aapl, new DateOnly(2025, 1, 2), 98),
            new DailyClose(Aapl, Week[1], 101),
            new DailyClose(Msft, Week[0], 400),
        };
        var grid = PriceGrid.FromCloses(Week[..3], closes);
        Assert.True(grid.TryGetMark(Aapl, 0, out var monday));
        Assert.Equal(99m, monday);
        Assert.True(grid.TryGetMark(Aapl, 2, out var wednesday));
        Assert.Equal(101m, wednesday);
        Assert.True(grid.TryGetMark(Msft, 2, out var msft));
        Assert.Equal(400m, msft);
        Assert.False(grid.TryGetMark(3, 0, out _));
        Assert.Equal(-1, grid.IndexOf(3));
    }

    [Fact]
    public void PriceGrid_RejectsUnsortedDaysAndDuplicateInstruments()
    {
        Assert.Throws<ArgumentException>(() => new PriceGrid([Week[1], Week[0]], [], []));
        Assert.Throws<ArgumentException>(() => new PriceGrid(Week[..1], [1, 1], [[1m], [1m]]));
        Assert.Throws<ArgumentException>(() => new PriceGrid(Week[..2], [1], [[1m]]));
    }
}
