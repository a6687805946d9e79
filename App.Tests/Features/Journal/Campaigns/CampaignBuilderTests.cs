using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Campaigns;

/// <summary>FIFO zero-crossing campaigns, each figure worked by hand in the comments.</summary>
public sealed class CampaignBuilderTests
{
    internal static readonly DateTimeOffset T0 = new(2024, 3, 4, 14, 30, 0, TimeSpan.Zero);

    internal static LedgerFill F(long id, FillSide side, decimal quantity, decimal price, decimal fees = 0m, int minute = 0, string symbol = "AAPL",
        FillAssetType asset = FillAssetType.Equity, decimal multiplier = 1m) =>
        new(id, symbol, asset, side, quantity, price, fees, T0.AddMinutes(minute), multiplier);

    private const FillSide Buy = FillSide.Buy;
    private const FillSide Sell = FillSide.Sell;

    [Fact]
    public void Build_ScaleIn_OneLongCampaignWithWeightedEntryAverage()
    {
        var c = Assert.Single(CampaignBuilder.Build([F(1, Buy, 100, 10, 1, 0), F(2, Buy, 50, 13, 1, 1), F(3, Sell, 150, 14, 1.5m, 2)]));
        // Entry (100·10 + 50·13)/150 = 11; P&L (14−10)·100 + (14−13)·50 − 3.5 fees = 446.5 on a cost of 1 650.
        Assert.Equal((1L, CampaignDirection.Long, 11m, (decimal?)14m), (c.GroupId, c.Direction, c.EntryAverage, c.ExitAverage));
        Assert.Equal((150m, 0m, 446.5m, 1650m, 3.5m), (c.MaxPosition, c.Quantity, c.RealisedPnl, c.MatchedCost, c.TotalFees));
        Assert.Equal(446.5m / 1650m * 100m, c.ReturnPct);
        Assert.Equal((T0, (DateTimeOffset?)T0.AddMinutes(2), (TimeSpan?)TimeSpan.FromMinutes(2)), (c.OpenedAt, c.ClosedAt, c.HoldingTime));
        Assert.Equal([LegRole.Entry, LegRole.Entry, LegRole.Exit], c.Legs.Select(l => l.Role));
    }

    [Fact]
    public void Build_ScaleOut_ExitsMatchOldestLotsFirst()
    {
        // Sell 150 @ 30: 100 of the 10 lot (+2 000) and 50 of the 20 lot (+500); sell 50 @ 25 against the 20 lot (+250).
        var c = Assert.Single(CampaignBuilder.Build([F(1, Buy, 100, 10), F(2, Buy, 100, 20, 0, 1), F(3, Sell, 150, 30, 0, 2), F(4, Sell, 50, 25, 0, 3)]));
        Assert.Equal((2750m, 28.75m, 15m, 0m), (c.RealisedPnl, c.ExitAverage!.Value, c.EntryAverage, c.Quantity));
        Assert.Equal(T0.AddMinutes(3), c.ClosedAt);
    }

    [Fact]
    public void Build_PartialClose_OpenCampaignRealisesOnlyTheMatchedPart()
    {
        // Sell 150 @ 15: (15−10)·100 + (15−12)·50 = 650; fees: the exit's 3, the first lot's 2, half the second lot's 2 → 6.
        var c = Assert.Single(CampaignBuilder.Build([F(1, Buy, 100, 10, 2), F(2, Buy, 100, 12, 2, 1), F(3, Sell, 150, 15, 3, 2)]));
        Assert.True(c.IsOpen);
        Assert.Null(c.ClosedAt);
        Assert.Null(c.HoldingTime);
        Assert.Equal((50m, 200m, 644m, 1600m, 7m, 11m), (c.Quantity, c.MaxPosition, c.RealisedPnl, c.MatchedCost, c.TotalFees, c.EntryAverage));
        Assert.Equal(40.25m, c.ReturnPct);
    }

    [Fact]
    public void Build_OpenWithoutExits_RealisesNothing()
    {
        var c = Assert.Single(CampaignBuilder.Build([F(1, Buy, 10, 10, 1)]));
        Assert.Equal((0m, 10m, 1m), (c.RealisedPnl, c.Quantity, c.TotalFees));
        Assert.Null(c.ReturnPct);
        Assert.Null(c.ExitAverage);
    }

    [Fact]
    public void Build_FlipLongToShort_FillAppearsInBothGroupsWithQuantityAndFeesSplit()
    {
        var campaigns = CampaignBuilder.Build([F(1, Buy, 100, 10, 1), F(2, Sell, 150, 12, 3, 1), F(3, Buy, 50, 11, 0.5m, 2)]);
        Assert.Equal(2, campaigns.Count);
        var (first, second) = (campaigns[0], campaigns[1]);
        // Fill 2 closes 100 (fees 3·100/150 = 2) and opens a 50 short (fees 1).
        Assert.Equal([new CampaignLeg(1, Buy, LegRole.Entry, 100, 10, 1, T0), new CampaignLeg(2, Sell, LegRole.Exit, 100, 12, 2, T0.AddMinutes(1))], first.Legs);
        Assert.Equal((1L, CampaignDirection.Long, 197m), (first.GroupId, first.Direction, first.RealisedPnl)); // 200 − 1 − 2
        Assert.Equal(T0.AddMinutes(1), first.ClosedAt);
        Assert.Equal([new CampaignLeg(2, Sell, LegRole.Entry, 50, 12, 1, T0.AddMinutes(1)), new CampaignLeg(3, Buy, LegRole.Exit, 50, 11, 0.5m, T0.AddMinutes(2))], second.Legs);
        Assert.Equal((2L, CampaignDirection.Short, 48.5m), (second.GroupId, second.Direction, second.RealisedPnl)); // (12−11)·50 − 1 − 0.5
        Assert.Equal(T0.AddMinutes(1), second.OpenedAt);
        Assert.Equal([new(1, 1), new(1, 2), new(2, 2), new CampaignFillRow(2, 3)], CampaignBuilder.ToRows(campaigns));
    }

    [Fact]
    public void Build_FlipShortToLong_NewLongCampaignOpenWithTheRest()
    {
        var campaigns = CampaignBuilder.Build([F(7, Sell, 10, 50), F(8, Buy, 30, 45, 3, 1)]);
        Assert.Equal(2, campaigns.Count);
        // Short 10 @ 50 covered @ 45: +50 less a third of the 3 fee = 49.
        Assert.Equal((7L, CampaignDirection.Short, 49m, 1m), (campaigns[0].GroupId, campaigns[0].Direction, campaigns[0].RealisedPnl, campaigns[0].TotalFees));
        Assert.Equal((8L, CampaignDirection.Long, 20m, 2m, 0m), (campaigns[1].GroupId, campaigns[1].Direction, campaigns[1].Quantity, campaigns[1].TotalFees, campaigns[1].RealisedPnl));
        Assert.True(campaigns[1].IsOpen);
    }

    [Fact]
    public void Build_FlipFeesNotDivisible_SharesAddUpToTheFillFees()
    {
        var campaigns = CampaignBuilder.Build([F(1, Buy, 1, 10), F(2, Sell, 3, 10, 1, 1)]);
        var shares = campaigns.SelectMany(c => c.Legs).Where(l => l.FillId == 2).Select(l => l.Fees).ToList();
        Assert.Equal(2, shares.Count);
        Assert.Equal(1m, shares.Sum());
        Assert.Equal(1m / 3m, shares[0]);
    }

    [Fact]
    public void Build_ShortCampaign_PnlIsEntryMinusExit()
    {
        // (50−45)·40 + (50−55)·60 − 2 fees = −102 on a cost of 5 000 → −2.04 %.
        var c = Assert.Single(CampaignBuilder.Build([F(1, Sell, 100, 50, 1), F(2, Buy, 40, 45, 0.4m, 1), F(3, Buy, 60, 55, 0.6m, 2)]));
        Assert.Equal((CampaignDirection.Short, -102m, 5000m, (decimal?)-2.04m), (c.Direction, c.RealisedPnl, c.MatchedCost, c.ReturnPct));
        Assert.Equal(51m, c.ExitAverage);
    }

    [Fact]
    public void Build_SameTimestamp_FillsOrderedById()
    {
        // Listed buy first, but the sell has the lower id: the sell opens a short, the buy covers it.
        var c = Assert.Single(CampaignBuilder.Build([F(11, Buy, 5, 21), F(10, Sell, 5, 20)]));
        Assert.Equal((10L, CampaignDirection.Short, -5m), (c.GroupId, c.Direction, c.RealisedPnl));
        Assert.Equal([10L, 11L], c.Legs.Select(l => l.FillId));
    }

    [Fact]
    public void Build_OutOfOrderInput_SameCampaigns_AndBuildingTwiceIsEqual()
    {
        LedgerFill[] ledger =
        [
            F(1, Buy, 100, 10, 1), F(2, Sell, 150, 12, 3, 1), F(3, Buy, 80, 11, 0.5m, 2), F(4, Sell, 30, 11.5m, 0.2m, 3),
            F(5, Buy, 10, 300, 1, 0, "MSFT"), F(6, Sell, 10, 310, 1, 5, "MSFT"), F(7, Sell, 10, 305, 1, 6, "MSFT"),
        ];
        var expected = CampaignBuilder.Build(ledger);
        var shuffled = ledger.ToArray();
        new Random(42).Shuffle(shuffled);
        Assert.Equal(expected, CampaignBuilder.Build(shuffled));
        Assert.Equal(expected, CampaignBuilder.Build(ledger));
        Assert.Equal(5, expected.Count); // AAPL: long, short (flip), long (flip); MSFT: long, short still open
    }

    [Fact]
    public void Build_OptionWithMultiplier100_PnlAndCostScaled()
    {
        // 2 contracts 1.50 → 2.25: 0.75 · 2 · 100 = 150 less 2.60 fees = 147.40 on a cost of 1.50 · 2 · 100 = 300.
        var option = FillAssetType.Option;
        var c = Assert.Single(CampaignBuilder.Build([
            F(1, Buy, 2, 1.50m, 1.30m, 0, "AAPL240621C00200000", option, 100), F(2, Sell, 2, 2.25m, 1.30m, 60, "AAPL240621C00200000", option, 100)]));
        Assert.Equal((147.4m, 300m, 100m, FillAssetType.Option), (c.RealisedPnl, c.MatchedCost, c.Multiplier, c.AssetType));
        Assert.Equal(147.4m / 300m * 100m, c.ReturnPct);
    }

    [Fact]
    public void Build_TwoSymbolsInterleaved_SeparateSeries()
    {
        var campaigns = CampaignBuilder.Build([
            F(1, Buy, 10, 100, 0, 0, "AAPL"), F(2, Sell, 5, 50, 0, 1, "MSFT"), F(3, Sell, 10, 110, 0, 2, "AAPL"),
            F(4, Buy, 5, 40, 0, 3, "MSFT"), F(5, Buy, 1, 120, 0, 4, "AAPL"), F(6, Buy, 1, 120, 0, 4, "AAPL", FillAssetType.Option, 100)]);
        Assert.Equal([1L, 2L, 5L, 6L], campaigns.Select(c => c.GroupId));
        Assert.Equal([100m, 50m, 0m, 0m], campaigns.Select(c => c.RealisedPnl));
        Assert.Equal([false, false, true, true], campaigns.Select(c => c.IsOpen));
        Assert.Equal(FillAssetType.Option, campaigns[3].AssetType);
    }

    [Fact]
    public void Build_ZeroQuantity_Throws()
    {
        Assert.Throws<ArgumentException>(() => CampaignBuilder.Build([F(1, Buy, 0, 10)]));
    }

    [Fact]
    public void RebuildSeries_BackdatedFill_MovesLaterGroupsAndMatchesAFullBuild()
    {
        LedgerFill[] stored = [F(1, Buy, 100, 10, 0, 0), F(2, Sell, 100, 12, 0, 20), F(3, Buy, 50, 11, 0, 30)];
        var late = F(4, Sell, 100, 11, 0, 10);
        var rebuilt = CampaignBuilder.RebuildSeries(stored, [late]);
        // Fill 4 now closes campaign 1; fill 2 opens a short (group 2) that fill 3 half covers.
        Assert.Equal([1L, 2L], rebuilt.Select(c => c.GroupId));
        Assert.Equal((100m, 50m), (rebuilt[0].RealisedPnl, rebuilt[1].Quantity));
        Assert.Equal(CampaignBuilder.Build([.. stored, late]), rebuilt);
        // Sending the same fill again changes nothing.
        Assert.Equal(rebuilt, CampaignBuilder.RebuildSeries([.. stored, late], [late]));
        Assert.Equal([new SeriesKey("AAPL", FillAssetType.Equity)], CampaignBuilder.AffectedSeries([late]));
    }

    [Fact]
    public void RebuildSeries_FillOfAnotherSeries_Throws()
    {
        Assert.Throws<ArgumentException>(() => CampaignBuilder.RebuildSeries([F(1, Buy, 1, 1)], [F(2, Sell, 1, 1, 0, 1, "MSFT")]));
    }
}
