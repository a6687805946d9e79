using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>
/// FIFO lots, realised P&amp;L and fees, worked by hand. Convention under test: a fill's fees split pro rata between what
/// it closes and what it opens; opening fees sit in the lot's cost basis and are released pro rata as it closes; closing
/// fees come straight off the realised P&amp;L of the pieces they close.
/// </summary>
public sealed class LotBookTests
{
    private const long Aapl = 1;
    private const long Btc = 2;
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 15, 0, 0, TimeSpan.Zero);

    private static Fill Buy(int day, decimal quantity, decimal price, decimal fees = 0, long instrument = Aapl, long? tradeId = null) =>
        new(instrument, OrderSide.Buy, quantity, price, fees, Start.AddDays(day), tradeId);

    private static Fill Sell(int day, decimal quantity, decimal price, decimal fees = 0, long instrument = Aapl, long? tradeId = null) =>
        new(instrument, OrderSide.Sell, quantity, price, fees, Start.AddDays(day), tradeId);

    [Fact]
    public void Fifo_SellAcrossTwoLots_RealisesAgainstOldestFirst()
    {
        // buy 10 @ 100 fee 1    → lot A: 10 units, notional 1000, fees 1
        // buy 10 @ 110 fee 1    → lot B: 10 units, notional 1100, fees 1
        // sell 15 @ 120 fee 1.5 → closes all of A, then 5 of B; its fee splits 10/15 = 1.0 to A, 5/15 = 0.5 to B
        //   piece A: 10 × 120 − 1000 = 200, − opening fee 1 − closing fee 1.0          = 198
        //   piece B:  5 × 120 − 1100 × 5/10 = 600 − 550 = 50, − 1 × 5/10 = 0.5 − 0.5    =  49
        //   realised = 247
        // left: lot B, 5 units, notional 550, fees 0.5 → cost basis 550.5, average cost 110.1
        // cash check: −1001 − 1101 + (1800 − 1.5) = −303.5; plus the 550.5 still held = 247 ✓
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100, 1, tradeId: 11));
        book.Apply(Buy(1, 10, 110, 1, tradeId: 12));
        var result = book.Apply(Sell(2, 15, 120, 1.5m, tradeId: 13));

        Assert.Equal(247m, result.RealisedPnl);
        Assert.Equal(15m, result.ClosedQuantity);
        Assert.Equal(0m, result.OpenedQuantity);
        Assert.Collection(result.Pieces,
            a =>
            {
                Assert.Equal((10m, 100m, 1m, 1.0m, 198m, 11L, 13L), (a.Quantity, a.OpenPrice, a.OpenFees, a.CloseFees, a.RealisedPnl, a.OpenTradeId, a.CloseTradeId));
                Assert.Equal(PositionSide.Long, a.Side);
            },
            b => Assert.Equal((5m, 110m, 0.5m, 0.5m, 49m, 12L), (b.Quantity, b.OpenPrice, b.OpenFees, b.CloseFees, b.RealisedPnl, b.OpenTradeId)));

        var position = book.GetPosition(Aapl)!;
        Assert.Equal(5m, position.Quantity);
        var lot = Assert.Single(position.OpenLots);
        Assert.Equal((5m, 550m, 0.5m, 110m, 12L), (lot.Quantity, lot.Notional, lot.Fees, lot.Price, lot.TradeId!.Value));
        Assert.Equal(550.5m, position.CostBasis);
        Assert.Equal(110.1m, position.AverageCost);
        Assert.Equal(110m, position.AveragePrice);
        Assert.Equal(247m, position.RealisedPnl);
        Assert.Equal(247m, book.RealisedPnl);
    }

    [Fact]
    public void Fifo_ThreeLots_PartialCloseLeavesTheRestOfTheMiddleLotFirstInLine()
    {
        // buys 5 @ 10, 5 @ 12, 5 @ 14 (no fees)
        // sell 7 @ 15: 5 × (15 − 10) = 25 from lot 1, 2 × (15 − 12) = 6 from lot 2 → 31; left 3 @ 12, 5 @ 14
        // sell 8 @ 11: 3 × (11 − 12) = −3 from lot 2, 5 × (11 − 14) = −15 from lot 3 → −18; flat
        // realised to date 31 − 18 = 13
        var book = new LotBook();
        book.Apply(Buy(0, 5, 10));
        book.Apply(Buy(1, 5, 12));
        book.Apply(Buy(2, 5, 14));

        Assert.Equal(31m, book.Apply(Sell(3, 7, 15)).RealisedPnl);
        var position = book.GetPosition(Aapl)!;
        Assert.Equal([(3m, 12m), (5m, 14m)], position.OpenLots.Select(l => (l.Quantity, l.Price)));
        Assert.Equal(8m, position.Quantity);
        Assert.Equal(13.25m, position.AverageCost); // (36 + 70) / 8

        Assert.Equal(-18m, book.Apply(Sell(4, 8, 11)).RealisedPnl);
        Assert.Equal(0m, position.Quantity);
        Assert.Empty(position.OpenLots);
        Assert.Null(position.AverageCost);
        Assert.Null(position.Side);
        Assert.Equal(13m, position.RealisedPnl);
        Assert.Equal(4, position.ClosedPieces.Count);
    }

    [Fact]
    public void AverageCost_TwoBuys_IsQuantityWeightedAndIncludesOpeningFees()
    {
        // buy 10 @ 100 fee 1 → 1001; buy 30 @ 104 fee 3 → 3123; basis 4124 over 40 = 103.1 (103 without fees)
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100, 1));
        book.Apply(Buy(1, 30, 104, 3));

        var position = book.GetPosition(Aapl)!;
        Assert.Equal(40m, position.Quantity);
        Assert.Equal(4124m, position.CostBasis);
        Assert.Equal(103.1m, position.AverageCost);
        Assert.Equal(103m, position.AveragePrice);
        Assert.Equal(0m, position.RealisedPnl);
        Assert.Empty(book.ClosedTrades);
    }

    [Fact]
    public void Short_OpenAndCoverInTwoFills_RealisesEntryMinusExitNetOfFees()
    {
        // sell 10 @ 50 fee 2 → short lot: notional 500, fees 2, basis (net proceeds) 498, average cost 49.8
        // buy 4 @ 45 fee 1   → −(4 × 45 − 500 × 4/10) = −(180 − 200) = 20, − opening fee 2 × 4/10 = 0.8 − closing fee 1 = 18.2
        //                      left −6: notional 300, fees 1.2, basis 298.8, average cost still 49.8
        // buy 6 @ 55 fee 1   → −(330 − 300) = −30 − 1.2 − 1 = −32.2
        // realised 18.2 − 32.2 = −14; cash check: +498 − 181 − 331 = −14 ✓
        var book = new LotBook();
        var open = book.Apply(Sell(0, 10, 50, 2));
        Assert.Equal((0m, 10m, 0m), (open.ClosedQuantity, open.OpenedQuantity, open.RealisedPnl));
        var position = book.GetPosition(Aapl)!;
        Assert.Equal(-10m, position.Quantity);
        Assert.Equal(PositionSide.Short, position.Side);
        Assert.Equal(498m, position.CostBasis);
        Assert.Equal(49.8m, position.AverageCost);

        var cover1 = book.Apply(Buy(1, 4, 45, 1));
        Assert.Equal(18.2m, cover1.RealisedPnl);
        Assert.Equal(PositionSide.Short, Assert.Single(cover1.Pieces).Side);
        Assert.Equal(-6m, position.Quantity);
        Assert.Equal(298.8m, position.CostBasis);
        Assert.Equal(49.8m, position.AverageCost);

        Assert.Equal(-32.2m, book.Apply(Buy(2, 6, 55, 1)).RealisedPnl);
        Assert.Equal(0m, position.Quantity);
        Assert.Equal(-14m, position.RealisedPnl);
        Assert.Equal([18.2m, -32.2m], book.ClosedTrades.Select(t => t.RealisedPnl));
        Assert.All(book.ClosedTrades, t => Assert.Equal(PositionSide.Short, t.Side));
    }

    [Fact]
    public void Flip_SellThroughZeroInOneFill_ClosesTheLongAndOpensAShortWithTheRest()
    {
        // buy 10 @ 100 fee 2 → long lot: notional 1000, fees 2
        // sell 25 @ 110 fee 5 → closes 10, opens 15 short; fee split 5 × 10/25 = 2 closing, 3 opening
        //   closed piece: 10 × 110 − 1000 = 100 − 2 − 2 = 96
        //   new short lot: 15 units, notional 1650, fees 3 → basis 1647, average cost 109.8
        // buy 15 @ 100 fee 0 → −(1500 − 1650) = 150 − 3 = 147
        // realised 96 + 147 = 243; cash check: −1002 + (2750 − 5) − 1500 = 243 ✓
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100, 2, tradeId: 1));
        var flip = book.Apply(Sell(1, 25, 110, 5, tradeId: 2));

        Assert.Equal((10m, 15m, 96m), (flip.ClosedQuantity, flip.OpenedQuantity, flip.RealisedPnl));
        var position = book.GetPosition(Aapl)!;
        Assert.Equal(-15m, position.Quantity);
        var lot = Assert.Single(position.OpenLots);
        Assert.Equal((PositionSide.Short, 15m, 1650m, 3m, 2L), (lot.Side, lot.Quantity, lot.Notional, lot.Fees, lot.TradeId!.Value));
        Assert.Equal(109.8m, position.AverageCost);
        var trade = Assert.Single(book.ClosedTrades);
        Assert.Equal((PositionSide.Long, 10m, 96m, 2L), (trade.Side, trade.Quantity, trade.RealisedPnl, trade.TradeId!.Value));

        Assert.Equal(147m, book.Apply(Buy(2, 15, 100)).RealisedPnl);
        Assert.Equal(243m, position.RealisedPnl);
        Assert.Equal(0m, position.Quantity);
    }

    [Fact]
    public void Flip_BuyThroughZeroInOneFill_CoversTheShortAndOpensALong()
    {
        // sell 4 @ 20 → short 4, notional 80; buy 10 @ 15 → covers 4: −(60 − 80) = 20; opens 6 long @ 15
        var book = new LotBook();
        book.Apply(Sell(0, 4, 20));
        var flip = book.Apply(Buy(1, 10, 15));
        Assert.Equal((4m, 6m, 20m), (flip.ClosedQuantity, flip.OpenedQuantity, flip.RealisedPnl));
        Assert.Equal(6m, book.Quantity(Aapl));
        Assert.Equal(15m, book.GetPosition(Aapl)!.AverageCost);
    }

    [Fact]
    public void Commission_OnAFlatPriceRoundTrip_IsExactlyTheLoss()
    {
        // buy 100 @ 10 fee 10; sell 40 @ 10 fee 4 → 0 − opening fee 10 × 40/100 = 4 − closing fee 4 = −8; 6 of opening fees stay in the lot
        // sell 60 @ 10 fee 6 → 0 − 6 − 6 = −12; total −20 = every fee paid
        var book = new LotBook();
        book.Apply(Buy(0, 100, 10, 10));
        Assert.Equal(-8m, book.Apply(Sell(1, 40, 10, 4)).RealisedPnl);
        Assert.Equal(6m, book.GetPosition(Aapl)!.OpenFees);
        Assert.Equal(10.1m, book.GetPosition(Aapl)!.AverageCost); // (600 + 6) / 60
        Assert.Equal(-12m, book.Apply(Sell(2, 60, 10, 6)).RealisedPnl);
        Assert.Equal(-20m, book.RealisedPnl);
    }

    [Fact]
    public void FractionalQuantities_SplitFeesAndNotionalProRata()
    {
        // buy 0.5 @ 40000 fee 10 → notional 20000; buy 0.25 @ 44000 fee 5 → notional 11000
        // sell 0.6 @ 50000 fee 15 → closing fee 15 × 0.5/0.6 = 12.5 to lot 1, the remaining 2.5 to lot 2
        //   lot 1: 0.5 × 50000 − 20000 = 5000 − 10 − 12.5                          = 4977.5
        //   lot 2 (0.1 of 0.25): 5000 − 11000 × 0.1/0.25 = 5000 − 4400 = 600 − 5 × 0.4 = 2 − 2.5 = 595.5
        //   realised 5573; left 0.15, notional 6600, fees 3 → basis 6603, average cost 44020
        // cash check: −20010 − 11005 + 29985 = −1030; + 6603 held = 5573 ✓
        var book = new LotBook();
        book.Apply(Buy(0, 0.5m, 40000, 10, Btc));
        book.Apply(Buy(1, 0.25m, 44000, 5, Btc));
        var sell = book.Apply(Sell(2, 0.6m, 50000, 15, Btc));

        Assert.Equal([4977.5m, 595.5m], sell.Pieces.Select(p => p.RealisedPnl));
        Assert.Equal(5573m, sell.RealisedPnl);
        var position = book.GetPosition(Btc)!;
        Assert.Equal(0.15m, position.Quantity);
        Assert.Equal(6603m, position.CostBasis);
        Assert.Equal(44020m, position.AverageCost);
    }

    [Fact]
    public void Split_TwoForOne_DoublesQuantityHalvesPriceAndKeepsCostBasis()
    {
        // buy 10 @ 100 fee 1 → basis 1001; split 2:1 → 20 @ 50, basis still 1001, average cost 50.05
        // sell 20 @ 60 → 1200 − 1000 − 1 = 199 (the same as selling 10 @ 120 before the split)
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100, 1));
        book.ApplySplit(Aapl, 2);

        var position = book.GetPosition(Aapl)!;
        var lot = Assert.Single(position.OpenLots);
        Assert.Equal((20m, 50m, 1000m, 1m), (lot.Quantity, lot.Price, lot.Notional, lot.Fees));
        Assert.Equal(20m, position.Quantity);
        Assert.Equal(1001m, position.CostBasis);
        Assert.Equal(50.05m, position.AverageCost);
        Assert.Equal(199m, book.Apply(Sell(1, 20, 60)).RealisedPnl);
    }

    [Fact]
    public void Split_ThreeForOne_KeepsTheCostBasisExactEvenThoughThePriceDoesNotDivide()
    {
        // buy 10 @ 100 → split 3:1 → 30 units at 33.33…; the lot keeps notional 1000, so selling 30 @ 40 realises exactly 1200 − 1000 = 200
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100));
        book.ApplySplit(Aapl, 3);
        Assert.Equal(1000m, book.GetPosition(Aapl)!.CostBasis);
        Assert.Equal(30m, book.Quantity(Aapl));
        Assert.Equal(200m, book.Apply(Sell(1, 30, 40)).RealisedPnl);
    }

    [Fact]
    public void Split_OfAShort_ScalesTheNegativeQuantity()
    {
        // short 10 @ 50 (proceeds 500); 1-for-10 reverse split (ratio 0.1) → short 1 @ 500; cover 1 @ 450 → 50
        var book = new LotBook();
        book.Apply(Sell(0, 10, 50));
        book.ApplySplit(Aapl, 0.1m);
        Assert.Equal(-1m, book.Quantity(Aapl));
        Assert.Equal(500m, book.GetPosition(Aapl)!.AverageCost);
        Assert.Equal(50m, book.Apply(Buy(1, 1, 450)).RealisedPnl);
    }

    [Fact]
    public void ClosedTrades_AreOnePerClosingFill_AndOpeningFillsAddNone()
    {
        // buy 10 @ 100, buy 10 @ 110, sell 15 @ 120 (two pieces: 200 and 50), sell 5 @ 100 (−50)
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100));
        book.Apply(Buy(1, 10, 110));
        book.Apply(Sell(2, 15, 120));
        book.Apply(Sell(3, 5, 100));

        Assert.Equal([(3L, 15m, 250m), (4L, 5m, -50m)], book.ClosedTrades.Select(t => (t.FillSequence, t.Quantity, t.RealisedPnl)));
        Assert.Equal([3L, 3L, 4L], book.GetPosition(Aapl)!.ClosedPieces.Select(p => p.CloseFillSequence));
        Assert.Equal(4L, book.FillCount);
    }

    [Fact]
    public void Instruments_AreBookedSeparately()
    {
        var book = new LotBook();
        book.Apply(Buy(0, 10, 100));
        book.Apply(Sell(1, 1, 50000, instrument: Btc));
        Assert.Equal(10m, book.Quantity(Aapl));
        Assert.Equal(-1m, book.Quantity(Btc));
        Assert.Equal(0m, book.Quantity(99));
        Assert.Null(book.GetPosition(99));
        Assert.Equal(2, book.Positions.Count);
    }

    [Fact]
    public void Apply_RejectsZeroQuantityNegativePriceAndFillsOutOfTimeOrder()
    {
        var book = new LotBook();
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Apply(Buy(0, 0, 100)));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.Apply(Buy(0, 1, -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => book.ApplySplit(Aapl, 0));
        book.Apply(Buy(2, 1, 100));
        Assert.Throws<ArgumentException>(() => book.Apply(Buy(1, 1, 100)));
    }
}
