using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>Market, limit, stop and stop-limit fills on daily bars, buy and sell, with gaps; no slippage or commission.</summary>
public sealed class OrderTypeTests
{
    [Fact]
    public void MarketBuy_FillsAtFirstEligibleOpen()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Market, 100);
        var fills = T.Run(order, T.Daily(0, 100, 105, 95, 102), T.Daily(1, 110, 111, 109, 110));
        var fill = Assert.Single(fills);
        Assert.Equal((100m, 100m, T.Open(0), MatchRules.MarketOpen), (fill.Quantity, fill.Price, fill.Ts, fill.Rule));
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(100m, order.AverageFillPrice);
        Assert.Equal(T.Open(0), order.ClosedAt);
    }

    [Fact]
    public void MarketSell_FillsAtFirstEligibleOpen()
    {
        var order = T.Order(OrderSide.Sell, OrderType.Market, 7.5m);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 99.5m, 105, 95, 102)));
        Assert.Equal((7.5m, 99.5m), (fill.Quantity, fill.Price)); // fractional quantity kept
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void Market_PlacedAfterTheSessionOpen_NeverSeesThatDailyBar()
    {
        // Placed at 11:00 on day 0: day 0's bar started at 09:30, before the order existed, so it fills at day 1's open.
        var order = T.Order(OrderSide.Buy, OrderType.Market, 10, placedAt: T.At(0, 11, 0));
        var fill = Assert.Single(T.Run(order, T.Daily(0, 100, 105, 95, 102), T.Daily(1, 103, 104, 101, 102)));
        Assert.Equal((103m, T.Open(1)), (fill.Price, fill.Ts));
    }

    [Fact]
    public void OnBar_BarStartingBeforePlacement_IsIgnored()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Market, 10, placedAt: T.At(0, 9, 31));
        var fills = new List<MatchFill>();
        Assert.True(MatchingEngine.OnBar(order, T.Daily(0, 100, 105, 95, 102), ExecutionSettings.Default, fills));
        Assert.Empty(fills);
        Assert.Null(order.Session); // the ignored bar did not even start the order's life
        Assert.False(MatchingEngine.OnBar(order, T.Daily(1, 101, 105, 95, 102), ExecutionSettings.Default, fills));
        Assert.Equal(101m, Assert.Single(fills).Price);
    }

    [Fact]
    public void Run_PlacedExactlyAtABarStart_UsesThatBar()
    {
        var bars = Enumerable.Range(0, 20).Select(d => T.Daily(d, 100 + d, 101 + d, 99 + d, 100 + d)).ToArray();
        var order = T.Order(OrderSide.Buy, OrderType.Market, 1, placedAt: T.Open(13));
        Assert.Equal(113m, Assert.Single(T.Run(order, bars)).Price);
        Assert.Equal(13, MatchingEngine.FirstEligible(bars, T.Open(13)));
        Assert.Equal(14, MatchingEngine.FirstEligible(bars, T.Open(13).AddTicks(1)));
        Assert.Equal(20, MatchingEngine.FirstEligible(bars, T.Open(30)));
    }

    [Fact]
    public void LimitBuy_OpensBelowLimit_FillsAtOpen()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 100);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 97, 99, 96, 98))); // open 97 ≤ 100: price improvement
        Assert.Equal((97m, MatchRules.LimitAtOpen), (fill.Price, fill.Rule));
    }

    [Fact]
    public void LimitBuy_LowTouchesLimit_FillsAtLimit()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 100);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 103, 104, 100, 101))); // open 103 > 100, low 100 ≤ 100
        Assert.Equal((100m, MatchRules.LimitTouched), (fill.Price, fill.Rule));
    }

    [Fact]
    public void LimitBuy_LowStaysAbove_NoFill_StillOpen()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 100);
        Assert.Empty(T.Run(order, T.Daily(0, 103, 104, 100.01m, 101), T.Daily(1, 102, 103, 101, 102)));
        Assert.Equal(OrderStatus.Open, order.Status);
        Assert.True(order.IsWorking);
    }

    [Fact]
    public void LimitSell_OpensAboveLimit_FillsAtOpen()
    {
        var order = T.Order(OrderSide.Sell, OrderType.Limit, 10, limit: 100);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 104, 106, 103, 105)));
        Assert.Equal((104m, MatchRules.LimitAtOpen), (fill.Price, fill.Rule));
    }

    [Fact]
    public void LimitSell_HighTouchesLimit_FillsAtLimit()
    {
        var order = T.Order(OrderSide.Sell, OrderType.Limit, 10, limit: 100);
        Assert.Empty(T.Run(order, T.Daily(0, 95, 99.99m, 94, 96))); // high 99.99 < 100
        var fill = Assert.Single(T.Run(order, T.Daily(1, 96, 100, 95, 97)));
        Assert.Equal((100m, T.Open(1), MatchRules.LimitTouched), (fill.Price, fill.Ts, fill.Rule));
    }

    [Fact]
    public void LimitBuy_TradeThrough_TouchIsNotEnough()
    {
        var through = ExecutionSettings.Default with { TradeThrough = true };
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 100);
        Assert.Empty(T.Run(order, through, T.Daily(0, 103, 104, 100, 101)));      // low = 100: touched, not through
        Assert.Empty(T.Run(order, through, T.Daily(1, 100, 104, 100, 101)));      // open = 100 is not below the limit either
        var fill = Assert.Single(T.Run(order, through, T.Daily(2, 103, 104, 99.9m, 101))); // low 99.9 < 100
        Assert.Equal((100m, MatchRules.LimitTradedThrough), (fill.Price, fill.Rule));
    }

    [Fact]
    public void LimitSell_TradeThrough_HighAboveLimit_FillsAtLimit()
    {
        var through = ExecutionSettings.Default with { TradeThrough = true };
        var order = T.Order(OrderSide.Sell, OrderType.Limit, 10, limit: 100);
        Assert.Empty(T.Run(order, through, T.Daily(0, 97, 100, 96, 98)));
        Assert.Equal(100m, Assert.Single(T.Run(order, through, T.Daily(1, 97, 100.5m, 96, 98))).Price);
    }

    [Fact]
    public void StopBuy_GapsAboveStop_FillsAtOpen()
    {
        var order = T.Order(OrderSide.Buy, OrderType.StopLoss, 10, stop: 105);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 108, 110, 107, 109))); // open 108 ≥ 105
        Assert.Equal((108m, MatchRules.StopGapped), (fill.Price, fill.Rule));
        Assert.True(order.StopTriggered);
    }

    [Fact]
    public void StopBuy_HighReachesStop_FillsAtStop()
    {
        var order = T.Order(OrderSide.Buy, OrderType.StopLoss, 10, stop: 105);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 102, 106, 101, 104)));
        Assert.Equal((105m, MatchRules.StopTouched), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopSell_GapsBelowStop_FillsAtOpen()
    {
        var order = T.Order(OrderSide.Sell, OrderType.StopLoss, 10, stop: 95);
        Assert.Empty(T.Run(order, T.Daily(0, 100, 101, 95.01m, 96))); // low 95.01 > 95: not triggered
        var fill = Assert.Single(T.Run(order, T.Daily(1, 90, 93, 88, 92)));  // open 90 ≤ 95: the stop fills at the open, 5 below it
        Assert.Equal((90m, MatchRules.StopGapped), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopSell_LowReachesStop_FillsAtStop()
    {
        var order = T.Order(OrderSide.Sell, OrderType.StopLoss, 10, stop: 95);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 100, 101, 94, 96)));
        Assert.Equal((95m, MatchRules.StopTouched), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopLimitBuy_TriggeredInsideBar_FillsAtStopWithinLimit()
    {
        // Stop 102, limit 103: open 100 < 102 ≤ high 104 → triggered at 102; 102 ≤ 103 → fill at 102.
        var order = T.Order(OrderSide.Buy, OrderType.StopLimit, 10, limit: 103, stop: 102);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 100, 104, 99, 103)));
        Assert.Equal((102m, MatchRules.StopLimitTriggered), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopLimitBuy_GapsBeyondLimit_NoFillOnTriggerBar_ThenFillsAsLimit()
    {
        // Stop 102, limit 103. Day 0 opens 105: triggered (gap), but 105 > 103 → no fill, although its low 101 is below the
        // limit (we cannot know the low came after the trigger). Day 1: plain limit, open 104 > 103, low 102.5 ≤ 103 → 103.
        var order = T.Order(OrderSide.Buy, OrderType.StopLimit, 10, limit: 103, stop: 102);
        Assert.Empty(T.Run(order, T.Daily(0, 105, 106, 101, 104)));
        Assert.True(order.StopTriggered);
        Assert.Equal(OrderStatus.Open, order.Status);
        var fill = Assert.Single(T.Run(order, T.Daily(1, 104, 105, 102.5m, 104)));
        Assert.Equal((103m, T.Open(1), MatchRules.LimitTouched), (fill.Price, fill.Ts, fill.Rule));
    }

    [Fact]
    public void StopLimitBuy_LimitBelowStop_TriggerBarNeverFills()
    {
        // Stop 102, limit 101: triggered at 102 inside day 0, 102 > 101 → no fill even though the bar later closed at 100.5.
        // Day 1 opens at 100.8 ≤ 101 → fills at the open.
        var order = T.Order(OrderSide.Buy, OrderType.StopLimit, 10, limit: 101, stop: 102);
        Assert.Empty(T.Run(order, T.Daily(0, 100, 103, 100, 100.5m)));
        Assert.True(order.StopTriggered);
        var fill = Assert.Single(T.Run(order, T.Daily(1, 100.8m, 102, 100.5m, 101)));
        Assert.Equal((100.8m, MatchRules.LimitAtOpen), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopLimitSell_GapsBelowStopWithinLimit_FillsAtOpen()
    {
        // Stop 98, limit 97: open 97.5 ≤ 98 triggers; 97.5 ≥ 97 satisfies the sell limit → fills at 97.5.
        var order = T.Order(OrderSide.Sell, OrderType.StopLimit, 10, limit: 97, stop: 98);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 97.5m, 98, 95, 96)));
        Assert.Equal((97.5m, MatchRules.StopLimitGapped), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopLimitSell_GapsBeyondLimit_NoFill_NextBarOpensAboveLimit_FillsAtOpen()
    {
        var order = T.Order(OrderSide.Sell, OrderType.StopLimit, 10, limit: 97, stop: 98);
        Assert.Empty(T.Run(order, T.Daily(0, 96, 99, 94, 98))); // open 96 < 97: gapped past the limit
        Assert.True(order.StopTriggered);
        var fill = Assert.Single(T.Run(order, T.Daily(1, 97.5m, 99, 97, 98)));
        Assert.Equal((97.5m, MatchRules.LimitAtOpen), (fill.Price, fill.Rule));
    }

    [Fact]
    public void StopLimitSell_TriggeredInsideBar_FillsAtStop()
    {
        var order = T.Order(OrderSide.Sell, OrderType.StopLimit, 10, limit: 97, stop: 98);
        Assert.Equal(98m, Assert.Single(T.Run(order, T.Daily(0, 100, 101, 96, 99))).Price);
    }

    [Fact]
    public void InvalidOrders_AreRejectedOnTheFirstEligibleBar()
    {
        var noLimit = T.Order(OrderSide.Buy, OrderType.Limit, 10);
        var noStop = T.Order(OrderSide.Sell, OrderType.StopLimit, 10, limit: 5);
        var zero = T.Order(OrderSide.Buy, OrderType.Market, 0);
        foreach (var order in new[] { noLimit, noStop, zero })
        {
            Assert.Empty(T.Run(order, T.Daily(0, 100, 101, 99, 100)));
            Assert.Equal(OrderStatus.Rejected, order.Status);
            Assert.Equal(T.Open(0), order.ClosedAt);
        }
        Assert.Contains("limit price", noLimit.RejectReason, StringComparison.Ordinal);
        Assert.Contains("stop price", noStop.RejectReason, StringComparison.Ordinal);
        Assert.Contains("quantity must be positive", zero.RejectReason, StringComparison.Ordinal);
    }

    [Fact]
    public void PendingOrder_BecomesOpenOnItsFirstEligibleBar()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 50);
        order.Status = OrderStatus.Pending;
        T.Run(order, T.Daily(0, 100, 101, 99, 100));
        Assert.Equal(OrderStatus.Open, order.Status);
        Assert.Equal(DateOnly.FromDateTime(new DateTime(2024, 3, 4)), order.Session);
    }
}
