using Signalbook.Features.Indicators;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>A fixed grid centred on 100 with 2% spacing and 5 levels each side: 90, 92, …, 100, …, 110.</summary>
public sealed class GridStrategyTests
{
    private static readonly GridConfig Config = new()
    {
        Centre = GridCentre.Fixed,
        CentrePrice = 100,
        GridSpacingPct = 0.02,
        LevelsEachSide = 5,
        LevelNotional = 1000m,
        MaxOpenLevels = 5,
        Filters = Bars.NoFilters,
    };

    private static StrategyInput Input(double previous, double close, PositionState? position = null, decimal cash = 100_000m) =>
        new(Bars.FromCloses([100, previous, close]), position, cash);

    [Fact]
    public void Levels_AreSpacedAroundTheCentre()
    {
        var levels = GridStrategy.Levels(Config, Input(100, 100));

        Assert.Equal(new double[] { 90, 92, 94, 96, 98, 100, 102, 104, 106, 108, 110 }, levels.Select(l => Math.Round(l, 9)));
    }

    [Fact]
    public void CrossingTwoLevelsDown_BuysTwoLevels()
    {
        // 101 → 97.5 crosses 100 and 98; each level buys floor(1000 / 97.5) = 10 shares.
        var signal = GridStrategy.Evaluate(Config, Input(101, 97.5));

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal(20m, signal.Quantity);
        Assert.Equal(1950m, signal.Notional);
        Assert.Equal("Grid: close 101.00 → 97.50 crossed 2 levels down (100.00, 98.00); buying 2 levels (0 open, max 5): 20 at 97.50", signal.Reason);
    }

    [Fact]
    public void LandingExactlyOnALevel_CountsAsCrossingIt()
    {
        var signal = GridStrategy.Evaluate(Config, Input(99, 98));

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal(10m, signal.Quantity); // floor(1000 / 98)
    }

    [Fact]
    public void OpenLevels_LimitTheBuys_AndAFullGridBuysNothing()
    {
        // 45 shares at 98 = 4410 → round(4.41) = 4 open levels: room for 1 of the 2 crossed.
        var oneRoom = GridStrategy.Evaluate(Config, Input(101, 97.5, new PositionState(45, 98m, Bars.Start)));
        // 50 shares at 100 = 5000 → 5 open levels = max_open_levels.
        var full = GridStrategy.Evaluate(Config, Input(101, 97.5, new PositionState(50, 100m, Bars.Start)));

        Assert.Equal(4, GridStrategy.OpenLevels(Config, Input(101, 97.5, new PositionState(45, 98m, Bars.Start))));
        Assert.Equal(SignalAction.Buy, oneRoom.Action);
        Assert.Equal(10m, oneRoom.Quantity);
        Assert.Equal(SignalAction.None, full.Action);
        Assert.Equal("max_open_levels", full.BlockedBy);
        Assert.EndsWith("but the grid is full: 5 of max_open_levels 5 open", full.Reason);
    }

    [Fact]
    public void CrossingLevelsUp_SellsALevelEach_CappedAtThePosition()
    {
        // 99 → 102.5 crosses 100 and 102; each level sells floor(1000 / 102.5) = 9 shares.
        var signal = GridStrategy.Evaluate(Config, Input(99, 102.5, new PositionState(30, 98m, Bars.Start)));
        var small = GridStrategy.Evaluate(Config, Input(99, 102.5, new PositionState(12, 98m, Bars.Start)));

        Assert.Equal(SignalAction.Sell, signal.Action);
        Assert.Equal(18m, signal.Quantity);
        Assert.Equal("Grid: close 99.00 → 102.50 crossed 2 levels up (100.00, 102.00); selling 2 levels (3 open): 18 of 30", signal.Reason);
        Assert.Equal(SignalAction.Sell, small.Action);
        Assert.Equal(9m, small.Quantity); // 12 × 98 → 1 open level: one level sold
    }

    [Fact]
    public void CrossingUpWhileFlat_SellsNothing()
    {
        var signal = GridStrategy.Evaluate(Config, Input(99, 102.5));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.EndsWith("but there is no long to sell", signal.Reason);
    }

    [Fact]
    public void MovingBetweenLevels_DoesNothing()
    {
        var signal = GridStrategy.Evaluate(Config, Input(100.5, 101.5));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.Equal("Grid: close 100.50 → 101.50 crossed no level (nearest 100.00 below, 102.00 above; 0 open)", signal.Reason);
    }

    [Fact]
    public void BuysAreCutToTheCash()
    {
        // Two levels of 10 shares wanted; 500 of cash buys floor(500 / 97.5) = 5.
        var signal = GridStrategy.Evaluate(Config, Input(101, 97.5, cash: 500m));

        Assert.Equal(5m, signal.Quantity);
        Assert.EndsWith("(cut to the cash available, 500)", signal.Reason);
    }

    [Fact]
    public void AverageCentre_IsTheSmaUpToTheDayBefore_SoTodaysCloseDoesNotMoveTheGrid()
    {
        var config = Config with { Centre = GridCentre.Average, CentrePeriod = 3 };
        double[] closes = [100, 104, 102, 101];
        // Centre: SMA(3) of 100, 104, 102 (up to t − 1) = 102; levels 92.82 … 102 … 112.2 (2% of 102 = 2.04).
        Assert.Equal(102, Kernels.Sma(closes, 3)[2], 1e-9);
        var levels = GridStrategy.Levels(config, new StrategyInput(Bars.FromCloses(closes)));
        var moved = GridStrategy.Levels(config, new StrategyInput(Bars.FromCloses([100, 104, 102, 60])));

        Assert.Equal(102, levels[5], 1e-9);
        Assert.Equal(99.96, levels[4], 1e-9);
        Assert.Equal(levels, moved);
        // 102 → 101 crosses nothing (102 is not below the prior close); 102 → 99.9 crosses 99.96.
        Assert.Equal(SignalAction.None, GridStrategy.Evaluate(config, new StrategyInput(Bars.FromCloses(closes), cash: 10_000m)).Action);
        Assert.Equal(SignalAction.Buy, GridStrategy.Evaluate(config, new StrategyInput(Bars.FromCloses([100, 104, 102, 99.9]), cash: 10_000m)).Action);
    }

    [Fact]
    public void AverageCentre_BeforeTheAverageExists_SaysSo()
    {
        var config = Config with { Centre = GridCentre.Average, CentrePeriod = 20 };

        var signal = GridStrategy.Evaluate(config, Input(101, 97.5));

        Assert.Equal(SignalAction.None, signal.Action);
        Assert.StartsWith("Not enough history: the grid centre SMA(20)", signal.Reason);
    }
}
