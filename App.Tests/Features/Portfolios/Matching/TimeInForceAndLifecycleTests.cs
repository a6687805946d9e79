using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>Day expiry against Gtc, cancel and replace with their validation, split adjustment of working orders.</summary>
public sealed class TimeInForceAndLifecycleTests
{
    [Fact]
    public void DayLimit_DailyBars_UnfilledExpiresAfterItsOneBar()
    {
        // Limit 95: day 0's low 96 misses; the order expires with day 0 and never sees day 1 (low 90).
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 95, tif: TimeInForce.Day);
        Assert.Empty(T.Run(order, T.Daily(0, 100, 101, 96, 97), T.Daily(1, 97, 98, 90, 91)));
        Assert.Equal((OrderStatus.Cancelled, MatchingEngine.ExpiredDayNote, T.Open(0)), (order.Status, order.Note, order.ClosedAt));
    }

    [Fact]
    public void GtcLimit_SameBars_WorksOnAndFillsTheNextDay()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 95, tif: TimeInForce.Gtc);
        var fill = Assert.Single(T.Run(order, T.Daily(0, 100, 101, 96, 97), T.Daily(1, 97, 98, 90, 91)));
        Assert.Equal((95m, T.Open(1)), (fill.Price, fill.Ts));
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void DayMarket_PartiallyFilledByTheCap_ExpiresKeepingItsFills()
    {
        // 1 000 shares, 10 % of 5 000 = 500 fill on day 0; the other 500 expire.
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.1m };
        var order = T.Order(OrderSide.Buy, OrderType.Market, 1_000, tif: TimeInForce.Day);
        Assert.Single(T.Run(order, settings, T.Daily(0, 10, 10, 10, 10, volume: 5_000), T.Daily(1, 10, 10, 10, 10, volume: 5_000)));
        Assert.Equal((OrderStatus.Cancelled, 500m, 500m, MatchingEngine.ExpiredDayNote), (order.Status, order.FilledQuantity, order.Remaining, order.Note));
    }

    [Fact]
    public void DayOrder_IntradayBars_LivesForItsSession_ExpiresAtTheNextSessionsFirstBar()
    {
        // Placed 09:45 on day 0: the 09:30 bar is before it; 10:00 and 15:30 miss the limit 95; day 1's 09:30 bar (low 94) would
        // fill it but belongs to the next session, so the order expires there instead.
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 95, tif: TimeInForce.Day, placedAt: T.At(0, 9, 45));
        var fills = T.Run(order,
            T.Bar(0, 9, 30, 96, 97, 94, 96),
            T.Bar(0, 10, 0, 96, 97, 95.5m, 96),
            T.Bar(0, 15, 30, 96, 97, 95.1m, 96),
            T.Bar(1, 9, 30, 96, 97, 94, 96));
        Assert.Empty(fills);
        Assert.Equal((OrderStatus.Cancelled, MatchingEngine.ExpiredDayNote, T.Open(1)), (order.Status, order.Note, order.ClosedAt));
    }

    [Fact]
    public void GtcOrder_IntradayBars_CarriesIntoTheNextSession()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 95, placedAt: T.At(0, 9, 45));
        var fill = Assert.Single(T.Run(order, T.Bar(0, 10, 0, 96, 97, 95.5m, 96), T.Bar(1, 9, 30, 96, 97, 94, 96)));
        Assert.Equal(T.Open(1), fill.Ts);
    }

    [Fact]
    public void CloseSession_ExpiresADayOrderWithoutWaitingForTheNextBar()
    {
        var order = T.Order(OrderSide.Sell, OrderType.Limit, 10, limit: 110, tif: TimeInForce.Day);
        T.Run(order, T.Bar(0, 9, 30, 100, 101, 99, 100));
        Assert.False(MatchingEngine.CloseSession(order, DateOnly.FromDateTime(new DateTime(2024, 3, 3)), T.At(0, 16, 0))); // an earlier session: not its own
        Assert.True(MatchingEngine.CloseSession(order, DateOnly.FromDateTime(new DateTime(2024, 3, 4)), T.At(0, 16, 0)));
        Assert.Equal((OrderStatus.Cancelled, T.At(0, 16, 0)), (order.Status, order.ClosedAt));
        var gtc = T.Order(OrderSide.Sell, OrderType.Limit, 10, limit: 110);
        T.Run(gtc, T.Bar(0, 9, 30, 100, 101, 99, 100));
        Assert.False(MatchingEngine.CloseSession(gtc, DateOnly.FromDateTime(new DateTime(2024, 3, 4)), T.At(0, 16, 0)));
        Assert.True(gtc.IsWorking);
    }

    [Fact]
    public void Cancel_PartiallyFilledOrder_KeepsItsFills()
    {
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.5m };
        var order = T.Order(OrderSide.Buy, OrderType.Market, 100);
        T.Run(order, settings, T.Daily(0, 10, 10, 10, 10, volume: 60)); // 30 filled
        MatchingEngine.Cancel(order, T.At(0, 12, 0));
        Assert.Equal((OrderStatus.Cancelled, 30m, MatchingEngine.CancelledNote, T.At(0, 12, 0)), (order.Status, order.FilledQuantity, order.Note, order.ClosedAt));
        Assert.Empty(T.Run(order, settings, T.Daily(1, 10, 10, 10, 10, volume: 60))); // a cancelled order never fills again
    }

    [Fact]
    public void Cancel_FilledOrCancelledOrder_Throws()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Market, 1);
        T.Run(order, T.Daily(0, 10, 10, 10, 10));
        Assert.Contains("Filled", Assert.Throws<InvalidOperationException>(() => MatchingEngine.Cancel(order, T.Open(1))).Message, StringComparison.Ordinal);
        var other = T.Order(OrderSide.Buy, OrderType.Limit, 1, limit: 5);
        MatchingEngine.Cancel(other, T.Open(0));
        Assert.Throws<InvalidOperationException>(() => MatchingEngine.Cancel(other, T.Open(1)));
    }

    [Fact]
    public void Replace_ResetsPlacedAt_SoEarlierBarsAreNotUsed()
    {
        // Limit 95 placed on day 0, replaced at 12:00 on day 1 with limit 97. Day 1's bar (low 96) started at 09:30, before
        // the replacement: not used. Day 2's low 96.5 ≤ 97 → fills at 97.
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 10, limit: 95);
        Assert.Empty(T.Run(order, T.Daily(0, 100, 101, 98, 99)));
        MatchingEngine.Replace(order, 20, newLimit: 97, newStop: null, at: T.At(1, 12, 0));
        Assert.Equal((20m, 97m, T.At(1, 12, 0)), (order.Quantity, order.LimitPrice, order.PlacedAt));
        var fill = Assert.Single(T.Run(order, T.Daily(1, 99, 100, 96, 98), T.Daily(2, 99, 100, 96.5m, 98)));
        Assert.Equal((20m, 97m, T.Open(2)), (fill.Quantity, fill.Price, fill.Ts));
    }

    [Fact]
    public void Replace_NewStop_RearmsATriggeredStopLimit()
    {
        var order = T.Order(OrderSide.Buy, OrderType.StopLimit, 10, limit: 103, stop: 102);
        T.Run(order, T.Daily(0, 105, 106, 104, 105)); // gapped beyond the limit: triggered, no fill
        Assert.True(order.StopTriggered);
        MatchingEngine.Replace(order, 10, newLimit: null, newStop: 108, at: T.At(0, 16, 0));
        Assert.False(order.StopTriggered);
        Assert.Equal(103m, order.LimitPrice);
    }

    [Fact]
    public void Replace_QuantityNotAboveFilled_Throws()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 100, limit: 10);
        T.Run(order, ExecutionSettings.Default with { MaxVolumeShare = 0.5m }, T.Daily(0, 9, 10, 9, 9, volume: 80)); // 40 filled
        Assert.Equal("newQuantity", Assert.Throws<ArgumentOutOfRangeException>(() => MatchingEngine.Replace(order, 40, null, null, T.Open(1))).ParamName);
        MatchingEngine.Replace(order, 40.5m, null, null, T.Open(1));
        Assert.Equal(0.5m, order.Remaining);
    }

    [Fact]
    public void Replace_FilledOrCancelledOrder_Throws()
    {
        var filled = T.Order(OrderSide.Buy, OrderType.Market, 1);
        T.Run(filled, T.Daily(0, 10, 10, 10, 10));
        Assert.Throws<InvalidOperationException>(() => MatchingEngine.Replace(filled, 2, null, null, T.Open(1)));
        var cancelled = T.Order(OrderSide.Buy, OrderType.Limit, 1, limit: 5);
        MatchingEngine.Cancel(cancelled, T.Open(0));
        Assert.Throws<InvalidOperationException>(() => MatchingEngine.Replace(cancelled, 2, 6, null, T.Open(1)));
    }

    [Fact]
    public void Replace_PricesTheTypeDoesNotHaveOrNonPositive_Throw()
    {
        var market = T.Order(OrderSide.Buy, OrderType.Market, 1);
        Assert.Equal("newLimit", Assert.Throws<ArgumentException>(() => MatchingEngine.Replace(market, 2, 10, null, T.Open(0))).ParamName);
        var limit = T.Order(OrderSide.Buy, OrderType.Limit, 1, limit: 5);
        Assert.Equal("newStop", Assert.Throws<ArgumentException>(() => MatchingEngine.Replace(limit, 2, null, 4, T.Open(0))).ParamName);
        Assert.Equal("newLimit", Assert.Throws<ArgumentOutOfRangeException>(() => MatchingEngine.Replace(limit, 2, 0, null, T.Open(0))).ParamName);
        Assert.Equal("at", Assert.Throws<ArgumentOutOfRangeException>(() => MatchingEngine.Replace(limit, 2, 6, null, T.Open(-1))).ParamName);
        Assert.Equal((1m, 5m), (limit.Quantity, limit.LimitPrice!.Value)); // nothing changed by the failed calls
    }

    [Fact]
    public void SplitAdjust_TwoForOne_DoublesQuantitiesHalvesPrices()
    {
        var order = T.Order(OrderSide.Buy, OrderType.StopLimit, 100, limit: 48, stop: 47);
        order.FilledQuantity = 40;
        order.AverageFillPrice = 50;
        order.Status = OrderStatus.PartiallyFilled;
        Assert.True(MatchingEngine.SplitAdjust(order, 2m));
        Assert.Equal((200m, 80m, 24m, 23.5m, 25m), (order.Quantity, order.FilledQuantity, order.LimitPrice!.Value, order.StopPrice!.Value, order.AverageFillPrice));
    }

    [Fact]
    public void SplitAdjust_OneForTenReverse_DividesQuantitiesMultipliesPrices()
    {
        var order = T.Order(OrderSide.Sell, OrderType.Limit, 1_000, limit: 2.5m);
        Assert.True(MatchingEngine.SplitAdjust(order, 0.1m));
        Assert.Equal((100m, 25m), (order.Quantity, order.LimitPrice!.Value));
    }

    [Fact]
    public void SplitAdjust_WholeShareRatio_IsExactForOneForThree()
    {
        var order = T.Order(OrderSide.Sell, OrderType.Limit, 300, limit: 10);
        Assert.True(MatchingEngine.SplitAdjust(order, newShares: 1, oldShares: 3));
        Assert.Equal((100m, 30m), (order.Quantity, order.LimitPrice!.Value));
    }

    [Fact]
    public void SplitAdjust_ClosedOrder_IsLeftAlone_AndABadRatioThrows()
    {
        var order = T.Order(OrderSide.Buy, OrderType.Market, 10);
        T.Run(order, T.Daily(0, 10, 10, 10, 10));
        Assert.False(MatchingEngine.SplitAdjust(order, 2m));
        Assert.Equal((10m, 10m), (order.Quantity, order.AverageFillPrice));
        Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => MatchingEngine.SplitAdjust(T.Order(OrderSide.Buy, OrderType.Market, 1), 0m)).ParamName);
    }
}
