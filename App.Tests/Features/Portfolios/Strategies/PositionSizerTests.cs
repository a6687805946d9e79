using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>quantity = min(user_capital / price, max_position_volume_ratio × ADV, cash / price), whole shares.</summary>
public sealed class PositionSizerTests
{
    private static readonly SizingRules Seed = new(); // 200,000 a trade, 6 positions, 10% of ADV

    [Fact]
    public void CapitalPerTrade_Binds()
    {
        // 200,000 / 150 = 1333.33; 10% × 50,000 = 5,000; 1,000,000 / 150 = 6666.67 → 1333.
        var r = PositionSizer.Size(Seed, 150, 50_000, 1_000_000m, openPositions: 2);

        Assert.Equal(1333m, r.Quantity);
        Assert.Equal("user_capital", r.LimitedBy);
        Assert.Equal("min(user_capital 200000 / 150.00 = 1333.33, 10% × ADV 50000 = 5000, cash 1000000 / 150.00 = 6666.67) → 1333 shares, limited by user_capital", r.Reason);
    }

    [Fact]
    public void VolumeRatio_Binds_OnAThinlyTradedInstrument()
    {
        // 10% × 8,000 = 800 < 200,000 / 100 = 2,000.
        var r = PositionSizer.Size(Seed, 100, 8_000, 1_000_000m, 0);

        Assert.Equal(800m, r.Quantity);
        Assert.Equal("max_position_volume_ratio", r.LimitedBy);
    }

    [Fact]
    public void Cash_Binds()
    {
        // 50,000 / 101.5 = 492.6 → 492.
        var r = PositionSizer.Size(Seed, 101.5, 1_000_000, 50_000m, 0);

        Assert.Equal(492m, r.Quantity);
        Assert.Equal("cash", r.LimitedBy);
    }

    [Fact]
    public void FractionalShares_WhenWholeSharesIsOff()
    {
        var r = PositionSizer.Size(Seed with { WholeShares = false }, 101.5, 1_000_000, 50_000m, 0);

        Assert.Equal(492.610837m, r.Quantity);
    }

    [Fact]
    public void FullPortfolio_SizesZero_WithTheReason()
    {
        var r = PositionSizer.Size(Seed, 100, 1_000_000, 1_000_000m, openPositions: 6);

        Assert.Equal(0m, r.Quantity);
        Assert.Equal("max_portfolio_size", r.LimitedBy);
        Assert.Equal("Portfolio full: 6 of max_portfolio_size 6 positions open", r.Reason);
    }

    [Fact]
    public void NoCash_OrNoVolume_SizesZero()
    {
        Assert.Equal(0m, PositionSizer.Size(Seed, 100, 1_000_000, 0m, 0).Quantity);
        Assert.Equal(0m, PositionSizer.Size(Seed, 100, 0, 10_000m, 0).Quantity);
        Assert.Equal(0m, PositionSizer.Size(Seed, 100, 1_000_000, 99m, 0).Quantity); // less than one share
        Assert.Throws<ArgumentOutOfRangeException>(() => PositionSizer.Size(Seed, 0, 1_000_000, 10_000m, 0));
    }

    [Fact]
    public void FromAnInput_UsesTheLastCloseAndTheTwentyDayAverageVolumeUpToT()
    {
        // 25 bars: volume 1,000 for the first 5, then 3,000; t = 22 → the 20 days 3..22 hold two 1,000s: ADV 2,800.
        var closes = Enumerable.Range(0, 25).Select(i => 50.0 + i).ToArray();
        var bars = Bars.FromCloses(closes);
        for (var i = 0; i < 25; i++) bars.Volume[i] = i < 5 ? 1_000 : 3_000;
        var input = new StrategyInput(bars, cash: 1_000_000m, evaluationIndex: 22);

        var r = PositionSizer.Size(Seed, input, 0);

        Assert.Equal(280m, r.Quantity); // 10% × 2,800, against 200,000 / 72
        Assert.Contains("10% × ADV 2800 = 280", r.Reason);
    }
}
