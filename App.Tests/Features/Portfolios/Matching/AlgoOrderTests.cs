using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>TWAP and VWAP slicing on 30-minute bars and on daily bars.</summary>
public sealed class AlgoOrderTests
{
    private static readonly TimeSpan HalfHour = TimeSpan.FromMinutes(30);

    private static MatchOrder Algo(OrderType type, decimal quantity, DateTimeOffset? windowStart, DateTimeOffset? windowEnd, OrderSide side = OrderSide.Buy)
    {
        var order = T.Order(side, type, quantity, placedAt: T.At(0, 9, 0));
        order.WindowStart = windowStart;
        order.WindowEnd = windowEnd;
        return order;
    }

    /// <summary>Day 0, 09:30–11:30 (the 09:30 bar is before the 10:00–12:00 windows below), Vwap 49, 50, 51, 52, 53.</summary>
    private static MatchBar[] Morning(decimal volume = 1_000_000m) =>
    [
        T.Bar(0, 9, 30, 49, 49, 49, 49, volume, vwap: 49),
        T.Bar(0, 10, 0, 50, 50, 50, 50, volume, vwap: 50),
        T.Bar(0, 10, 30, 51, 51, 51, 51, volume, vwap: 51),
        T.Bar(0, 11, 0, 52, 52, 52, 52, volume, vwap: 52),
        T.Bar(0, 11, 30, 53, 53, 53, 53, volume, vwap: 53),
    ];

    [Fact]
    public void Twap_FourSliceWindow_TakesRemainingOverSlicesLeft()
    {
        // Window 10:00–12:00 in 30-minute bars: 4 slices. 100/4 = 25; 75/3 = 25; 50/2 = 25; the last bar takes the 25 left.
        // Average (25·50 + 25·51 + 25·52 + 25·53)/100 = 51.5.
        var order = Algo(OrderType.Twap, 100, T.At(0, 10, 0), T.At(0, 12, 0));
        var fills = T.Run(order, Morning());
        Assert.Equal([25m, 25m, 25m, 25m], fills.Select(f => f.Quantity));
        Assert.Equal([T.At(0, 10, 0), T.At(0, 10, 30), T.At(0, 11, 0), T.At(0, 11, 30)], fills.Select(f => f.Ts));
        Assert.All(fills, f => Assert.Equal(MatchRules.TwapVwap, f.Rule));
        Assert.Equal(51.5m, order.AverageFillPrice);
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void Twap_VolumeCapPerSlice_LeftoverCancelledAtWindowEnd()
    {
        // Cap 20 % of 100 = 20 a slice. 25→20 (80 left); 80/3 = 26.67→20 (60); 60/2 = 30→20 (40); last: 40→20 (20 left, cancelled).
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.2m };
        var order = Algo(OrderType.Twap, 100, T.At(0, 10, 0), T.At(0, 12, 0), OrderSide.Sell);
        var fills = T.Run(order, settings, Morning(volume: 100));
        Assert.Equal([20m, 20m, 20m, 20m], fills.Select(f => f.Quantity));
        Assert.Equal((OrderStatus.Cancelled, 80m, "window ended: 20 of 100 unfilled"), (order.Status, order.FilledQuantity, order.Note));
        Assert.Equal(T.At(0, 11, 30), order.ClosedAt);
    }

    [Fact]
    public void Twap_SlicePrice_IsTheBarVwapElseTheTypicalPrice_PlusSlippage()
    {
        // Typical price (54 + 48 + 51)/3 = 51; with 10 bp for a buy: 51.051 (inside the 48–54 range).
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 10 } };
        var order = Algo(OrderType.Twap, 10, T.At(0, 10, 0), T.At(0, 10, 30));
        var fill = Assert.Single(T.Run(order, settings, T.Bar(0, 10, 0, 50, 54, 48, 51)));
        Assert.Equal((10m, 51.051m, MatchRules.TwapTypical), (fill.Quantity, fill.Price, fill.Rule));
    }

    [Fact]
    public void Vwap_WithProfile_SlicesInProportionToThePreviousSessionsProfile()
    {
        // Profile weights 10:00 → 4, 10:30 → 2, 11:00 → 1, 11:30 → 3 (sum 10). 1 000 shares:
        // 1 000·4/10 = 400; 600·2/6 = 200; 400·1/4 = 100; the last bar takes 300 — the profile's 40/20/10/30 %.
        var weights = new decimal[48];
        (weights[20], weights[21], weights[22], weights[23]) = (4, 2, 1, 3);
        var profile = new VolumeProfile(HalfHour, weights);
        var order = Algo(OrderType.Vwap, 1_000, T.At(0, 10, 0), T.At(0, 12, 0));
        var fills = new List<MatchFill>();
        MatchingEngine.Run(order, Morning(), ExecutionSettings.Default, fills, profile);
        Assert.Equal([400m, 200m, 100m, 300m], fills.Select(f => f.Quantity));
        Assert.All(fills, f => Assert.Equal(MatchRules.VwapVwap, f.Rule));
    }

    [Fact]
    public void Vwap_WithoutProfile_FallsBackToEqualWeights()
    {
        var order = Algo(OrderType.Vwap, 1_000, T.At(0, 10, 0), T.At(0, 12, 0));
        Assert.Equal([250m, 250m, 250m, 250m], T.Run(order, Morning()).Select(f => f.Quantity));
    }

    [Fact]
    public void Vwap_ProfileWithNoWeightInTheWindow_FallsBackToEqualWeights()
    {
        var weights = new decimal[48];
        weights[28] = 1; // 14:00 only
        var order = Algo(OrderType.Vwap, 1_000, T.At(0, 10, 0), T.At(0, 12, 0));
        var fills = new List<MatchFill>();
        MatchingEngine.Run(order, Morning(), ExecutionSettings.Default, fills, new VolumeProfile(HalfHour, weights));
        Assert.Equal([250m, 250m, 250m, 250m], fills.Select(f => f.Quantity));
    }

    [Fact]
    public void VolumeProfile_FromHistory_AveragesPreviousSessions_IgnoresTheTradedSessionAndLater()
    {
        // 10:00 bucket: (300 + 500)/2 = 400; 10:30: (100 + 300)/2 = 200. Day 0 and day 1 volumes (the future) are not used.
        MatchBar[] history =
        [
            T.Bar(-2, 10, 0, 1, 1, 1, 1, volume: 300), T.Bar(-2, 10, 30, 1, 1, 1, 1, volume: 100),
            T.Bar(-1, 10, 0, 1, 1, 1, 1, volume: 500), T.Bar(-1, 10, 30, 1, 1, 1, 1, volume: 300),
            T.Bar(0, 10, 0, 1, 1, 1, 1, volume: 1_000_000), T.Bar(1, 10, 30, 1, 1, 1, 1, volume: 1_000_000),
            T.Daily(-1, 1, 1, 1, 1, volume: 9_999),
        ];
        var profile = VolumeProfile.FromHistory(history, HalfHour, before: T.Bar(0, 10, 0, 1, 1, 1, 1).SessionDate);
        Assert.Equal((400m, 200m, 0m), (profile[20], profile[21], profile[19]));
        Assert.Equal(600m, profile.Weight(T.At(0, 10, 0), T.At(0, 11, 0)));
        Assert.Equal(200m, profile.Weight(T.At(0, 10, 0), T.At(0, 10, 15))); // half of the 10:00 bucket
    }

    [Fact]
    public void VolumeProfile_RejectsAWrongBucketCountOrNegativeWeights()
    {
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new VolumeProfile(HalfHour, new decimal[47])).ParamName);
        var weights = new decimal[48];
        weights[3] = -1;
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => new VolumeProfile(HalfHour, weights)).ParamName);
        Assert.Equal("bucketLength", Assert.Throws<ArgumentOutOfRangeException>(() => new VolumeProfile(TimeSpan.FromMinutes(7), new decimal[1])).ParamName);
    }

    [Fact]
    public void Twap_DefaultWindow_EndsWithTheSession()
    {
        // No window: 6.5 h from the 09:30 bar → 16:00, 13 half-hour slices. 130/13 = 10; 120/12 = 10. Day 1's bar belongs to
        // the next session: the window is over, 110 are cancelled.
        var order = Algo(OrderType.Twap, 130, null, null);
        var fills = T.Run(order, T.Bar(0, 9, 30, 10, 10, 10, 10), T.Bar(0, 10, 0, 10, 10, 10, 10), T.Bar(1, 9, 30, 10, 10, 10, 10));
        Assert.Equal([10m, 10m], fills.Select(f => f.Quantity));
        Assert.Equal(T.At(0, 16, 0), order.WindowEnd);
        Assert.Equal((OrderStatus.Cancelled, "window ended: 110 of 130 unfilled", T.Open(1)), (order.Status, order.Note, order.ClosedAt));
    }

    [Fact]
    public void Twap_OnlyADailyBar_FillsInOneSliceAtItsVwapOrTypicalPrice()
    {
        var withVwap = Algo(OrderType.Twap, 100, null, null);
        var fill = Assert.Single(T.Run(withVwap, T.Daily(0, 100, 104, 98, 102, vwap: 101.5m)));
        Assert.Equal((100m, 101.5m, MatchRules.TwapDailyVwap), (fill.Quantity, fill.Price, fill.Rule));
        // No Vwap: (104 + 98 + 101)/3 = 101.
        var vwapOrder = Algo(OrderType.Vwap, 100, null, null, OrderSide.Sell);
        fill = Assert.Single(T.Run(vwapOrder, T.Daily(0, 100, 104, 98, 101)));
        Assert.Equal((101m, MatchRules.VwapDailyTypical), (fill.Price, fill.Rule));
        Assert.Equal(OrderStatus.Filled, vwapOrder.Status);
    }

    [Fact]
    public void Twap_DailyBarWithVolumeCap_RemainderCancelledWhenTheWindowEnds()
    {
        // 10 % of 500 = 50 of 100; the one-session window is over after the bar.
        var order = Algo(OrderType.Twap, 100, null, null);
        Assert.Single(T.Run(order, ExecutionSettings.Default with { MaxVolumeShare = 0.1m }, T.Daily(0, 10, 10, 10, 10, volume: 500), T.Daily(1, 10, 10, 10, 10, volume: 500)));
        Assert.Equal((OrderStatus.Cancelled, 50m, "window ended: 50 of 100 unfilled"), (order.Status, order.FilledQuantity, order.Note));
    }

    [Fact]
    public void Twap_DailyBars_MultiDayWindow_OneSlicePerWeekday()
    {
        // Window Monday 09:30 → Wednesday 16:00: Mon 90/3 = 30; Tue 60/2 = 30; Wed the last 30. Average (10+11+12)/3 = 11.
        var order = Algo(OrderType.Twap, 90, null, T.At(2, 16, 0));
        var fills = T.Run(order, T.Daily(0, 10, 10, 10, 10, vwap: 10), T.Daily(1, 11, 11, 11, 11, vwap: 11), T.Daily(2, 12, 12, 12, 12, vwap: 12));
        Assert.Equal([30m, 30m, 30m], fills.Select(f => f.Quantity));
        Assert.Equal(11m, order.AverageFillPrice);
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void Twap_IntradayBarWithoutLength_Throws()
    {
        var order = Algo(OrderType.Twap, 10, null, null);
        var bar = new MatchBar(T.At(0, 10, 0), 1, 1, 1, 1, 100, null, IsIntraday: true);
        Assert.Throws<ArgumentException>(() => MatchingEngine.OnBar(order, bar, ExecutionSettings.Default, []));
    }

    [Fact]
    public void Algo_WindowEndingBeforeItStarts_IsRejected()
    {
        var order = Algo(OrderType.Vwap, 10, T.At(0, 12, 0), T.At(0, 11, 0));
        Assert.False(MatchingEngine.OnBar(order, T.Bar(0, 12, 0, 1, 1, 1, 1), ExecutionSettings.Default, []));
        Assert.Equal(OrderStatus.Rejected, order.Status);
    }
}
