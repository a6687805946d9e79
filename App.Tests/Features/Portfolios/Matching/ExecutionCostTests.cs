using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>Volume cap and partial fills, commission, slippage and the limit-never-worse rule, settings validation.</summary>
public sealed class ExecutionCostTests
{
    [Fact]
    public void Market_VolumeCap_FillsOverSeveralBars_WithWeightedAveragePrice()
    {
        // 1 000 shares, cap 10 % of volume. Bars: volume 4 000 → 400 at 10; 3 000 → 300 at 11; 5 000 → 500 capped to the 300 left at 12.
        // Average = (400·10 + 300·11 + 300·12) / 1 000 = (4 000 + 3 300 + 3 600) / 1 000 = 10.9.
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.1m };
        var order = T.Order(OrderSide.Buy, OrderType.Market, 1_000);
        var fills = new List<MatchFill>();
        MatchingEngine.OnBar(order, T.Daily(0, 10, 10, 10, 10, volume: 4_000), settings, fills);
        Assert.Equal((OrderStatus.PartiallyFilled, 400m, 600m), (order.Status, order.FilledQuantity, order.Remaining));
        MatchingEngine.OnBar(order, T.Daily(1, 11, 11, 11, 11, volume: 3_000), settings, fills);
        MatchingEngine.OnBar(order, T.Daily(2, 12, 12, 12, 12, volume: 5_000), settings, fills);
        Assert.Equal([400m, 300m, 300m], fills.Select(f => f.Quantity));
        Assert.Equal([10m, 11m, 12m], fills.Select(f => f.Price));
        Assert.Equal(OrderStatus.Filled, order.Status);
        Assert.Equal(10.9m, order.AverageFillPrice);
        Assert.Equal(T.Open(2), order.ClosedAt);
    }

    [Fact]
    public void Limit_VolumeCap_PartialFillsOnlyOnBarsThatReachTheLimit()
    {
        // Buy 500 at limit 20, cap 20 %: day 0 touches (low 19.5) → 0.2·1 000 = 200 at 20; day 1 does not reach 20 (low 20.5);
        // day 2 opens 19 → 200 at 19; day 3 touches → the last 100 at 20. Average = (200·20 + 200·19 + 100·20)/500 = 19.6.
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.2m };
        var order = T.Order(OrderSide.Buy, OrderType.Limit, 500, limit: 20);
        var fills = T.Run(order, settings,
            T.Daily(0, 21, 22, 19.5m, 21, volume: 1_000),
            T.Daily(1, 21, 22, 20.5m, 21, volume: 1_000),
            T.Daily(2, 19, 21, 18.5m, 20, volume: 1_000),
            T.Daily(3, 21, 22, 19, 21, volume: 1_000));
        Assert.Equal([(200m, 20m), (200m, 19m), (100m, 20m)], fills.Select(f => (f.Quantity, f.Price)));
        Assert.Equal([T.Open(0), T.Open(2), T.Open(3)], fills.Select(f => f.Ts));
        Assert.Equal(19.6m, order.AverageFillPrice);
        Assert.Equal(OrderStatus.Filled, order.Status);
    }

    [Fact]
    public void VolumeCap_ZeroVolumeBar_FillsNothing()
    {
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.5m };
        var order = T.Order(OrderSide.Sell, OrderType.Market, 10);
        Assert.Empty(T.Run(order, settings, T.Daily(0, 10, 10, 10, 10, volume: 0)));
        Assert.Equal(OrderStatus.Open, order.Status);
    }

    [Fact]
    public void QuantityIncrement_RoundsACappedFillDown_ButTheLastRemainderFillsAsIs()
    {
        // Cap 10 % of 1 005 = 100.5 → whole shares: 100. Then 10 % of 2 000 = 200 ≥ the 50.5 left → 50.5 fills unrounded.
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.1m, QuantityIncrement = 1m };
        var order = T.Order(OrderSide.Buy, OrderType.Market, 150.5m);
        var fills = T.Run(order, settings, T.Daily(0, 10, 10, 10, 10, volume: 1_005), T.Daily(1, 10, 10, 10, 10, volume: 2_000));
        Assert.Equal([100m, 50.5m], fills.Select(f => f.Quantity));
    }

    [Fact]
    public void StopSell_CappedRemainder_FillsAtNextOpenAsMarket()
    {
        // Stop 95 touched on day 0: 0.5·100 = 50 at 95; the other 50 is a market order now: day 1 open 93.
        var settings = ExecutionSettings.Default with { MaxVolumeShare = 0.5m };
        var order = T.Order(OrderSide.Sell, OrderType.StopLoss, 100, stop: 95);
        var fills = T.Run(order, settings, T.Daily(0, 97, 98, 94, 95, volume: 100), T.Daily(1, 93, 99, 92, 98, volume: 100));
        Assert.Equal([(50m, 95m, MatchRules.StopTouched), (50m, 93m, MatchRules.StopTriggeredEarlier)], fills.Select(f => (f.Quantity, f.Price, f.Rule)));
    }

    [Fact]
    public void Commission_PerShareBelowMinimum_PaysTheMinimum()
    {
        // 100 shares · 0.005 = 0.50 < minimum 1.00 → 1.00. 1 000 shares · 0.005 = 5.00 > 1.00 → 5.00.
        var commission = new CommissionModel { PerShare = 0.005m, MinimumPerFill = 1m };
        var settings = ExecutionSettings.Default with { Commission = commission };
        var small = T.Order(OrderSide.Buy, OrderType.Market, 100);
        var large = T.Order(OrderSide.Buy, OrderType.Market, 1_000);
        Assert.Equal(1.00m, Assert.Single(T.Run(small, settings, T.Daily(0, 50, 50, 50, 50))).Commission);
        Assert.Equal(5.00m, Assert.Single(T.Run(large, settings, T.Daily(0, 50, 50, 50, 50))).Commission);
        Assert.Equal(1.00m, small.Commission);
    }

    [Fact]
    public void Commission_PercentOfNotionalPlusPerOrderFee_FeeOnlyOnFirstFill()
    {
        // 0.1 % of notional + 2.00 per order, cap 10 % of 5 000 = 500 a bar.
        // Fill 1: 500 at 10 → 0.001·5 000 + 2 = 7.00. Fill 2: 500 at 11 → 0.001·5 500 = 5.50. Total 12.50.
        var settings = ExecutionSettings.Default with
        {
            MaxVolumeShare = 0.1m,
            Commission = new CommissionModel { PercentOfNotional = 0.1m, PerOrder = 2m },
        };
        var order = T.Order(OrderSide.Sell, OrderType.Market, 1_000);
        var fills = T.Run(order, settings, T.Daily(0, 10, 10, 10, 10, volume: 5_000), T.Daily(1, 11, 11, 11, 11, volume: 5_000));
        Assert.Equal([7.00m, 5.50m], fills.Select(f => f.Commission));
        Assert.Equal(12.50m, order.Commission);
    }

    [Fact]
    public void Commission_MaximumPercentOfNotional_AppliesAfterTheMinimum()
    {
        // 10 shares at 5: notional 50; 10·0.005 = 0.05 → minimum 1.00 → maximum 1 % of 50 = 0.50 → 0.50.
        var model = new CommissionModel { PerShare = 0.005m, MinimumPerFill = 1m, MaxPercentOfNotional = 1m };
        Assert.Equal(0.50m, model.For(10, 5, firstFillOfOrder: true));
        // 1 000 shares at 5: 5.00 raw, cap 1 % of 5 000 = 50 → 5.00 (the cap does not bind).
        Assert.Equal(5.00m, model.For(1_000, 5, firstFillOfOrder: false));
    }

    [Fact]
    public void Slippage_MarketBuyPaysMore_MarketSellReceivesLess()
    {
        // 10 bp of 100 = 0.10: buy 100.10, sell 99.90 (both inside the bar's 95–105 range).
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 10 } };
        var bar = T.Daily(0, 100, 105, 95, 101);
        Assert.Equal(100.10m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.Market, 1), settings, bar)).Price);
        Assert.Equal(99.90m, Assert.Single(T.Run(T.Order(OrderSide.Sell, OrderType.Market, 1), settings, bar)).Price);
    }

    [Fact]
    public void Slippage_RangeShare_AddsAShareOfTheBarRange()
    {
        // 10 % of the range 105 − 95 = 1.0 on top of 10 bp of 100 (0.10): buy 101.10.
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 10, RangeShare = 0.1m } };
        Assert.Equal(101.10m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.Market, 1), settings, T.Daily(0, 100, 105, 95, 101))).Price);
    }

    [Fact]
    public void Slippage_StopFills_MoveAgainstTheOrderFromTheStop()
    {
        // Buy stop 102 touched: 102 + 0.1 % = 102.102. Sell stop 98 touched: 98 − 0.098 = 97.902.
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 10 } };
        Assert.Equal(102.102m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.StopLoss, 1, stop: 102), settings, T.Daily(0, 100, 104, 99, 103))).Price);
        Assert.Equal(97.902m, Assert.Single(T.Run(T.Order(OrderSide.Sell, OrderType.StopLoss, 1, stop: 98), settings, T.Daily(0, 100, 101, 96, 97))).Price);
    }

    [Fact]
    public void Slippage_NeverPushesAFillOutsideTheBarRange()
    {
        // 1 % of 100 would be 101, but nobody traded above the high of 100.5.
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 100 } };
        Assert.Equal(100.5m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.Market, 1), settings, T.Daily(0, 100, 100.5m, 98, 99))).Price);
    }

    [Fact]
    public void Slippage_LimitMarketableAtOpen_NeverWorseThanTheLimit()
    {
        // Buy limit 100.05, open 100: 10 bp would give 100.10 > 100.05 → 100.05. Sell limit 99.95, open 100 → 99.95.
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 10 } };
        var bar = T.Daily(0, 100, 105, 95, 101);
        Assert.Equal(100.05m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.Limit, 1, limit: 100.05m), settings, bar)).Price);
        Assert.Equal(99.95m, Assert.Single(T.Run(T.Order(OrderSide.Sell, OrderType.Limit, 1, limit: 99.95m), settings, bar)).Price);
        // With room below the limit the open slips: open 100, limit 101 → 100.10.
        Assert.Equal(100.10m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.Limit, 1, limit: 101), settings, bar)).Price);
    }

    [Fact]
    public void Slippage_LimitTouchedInsideTheBar_FillsExactlyAtTheLimit()
    {
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 50, RangeShare = 0.5m } };
        Assert.Equal(98m, Assert.Single(T.Run(T.Order(OrderSide.Buy, OrderType.Limit, 1, limit: 98), settings, T.Daily(0, 100, 101, 97, 99))).Price);
    }

    [Fact]
    public void Slippage_StopLimitFill_IsCappedAtTheLimit()
    {
        // Buy stop 102, limit 102.05, triggered inside the bar at 102: 102 + 0.102 = 102.102 → capped to 102.05.
        var settings = ExecutionSettings.Default with { Slippage = new SlippageModel { AdverseBps = 10 } };
        var order = T.Order(OrderSide.Buy, OrderType.StopLimit, 1, limit: 102.05m, stop: 102);
        Assert.Equal(102.05m, Assert.Single(T.Run(order, settings, T.Daily(0, 100, 104, 99, 103))).Price);
    }

    public static TheoryData<string, Action> BadSettings => new()
    {
        { "MaxVolumeShare", () => _ = new ExecutionSettings { MaxVolumeShare = -0.1m } },
        { "MaxVolumeShare", () => _ = ExecutionSettings.Default with { MaxVolumeShare = 1.5m } },
        { "QuantityIncrement", () => _ = new ExecutionSettings { QuantityIncrement = -1m } },
        { "DefaultAlgoWindow", () => _ = new ExecutionSettings { DefaultAlgoWindow = TimeSpan.Zero } },
        { "PerShare", () => _ = new CommissionModel { PerShare = -0.005m } },
        { "PercentOfNotional", () => _ = new CommissionModel { PercentOfNotional = -0.1m } },
        { "PerOrder", () => _ = new CommissionModel { PerOrder = -1m } },
        { "MinimumPerFill", () => _ = new CommissionModel { MinimumPerFill = -1m } },
        { "MaxPercentOfNotional", () => _ = new CommissionModel { MaxPercentOfNotional = -1m } },
        { "AdverseBps", () => _ = new SlippageModel { AdverseBps = -5m } },
        { "RangeShare", () => _ = new SlippageModel { RangeShare = -0.1m } },
        { "RangeShare", () => _ = new SlippageModel { RangeShare = 2m } },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Settings_InvalidValue_ThrowsArgumentExceptionNamingTheField(string field, Action create)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Equal(field, ex.ParamName);
        Assert.StartsWith(field + " ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_ValidValues_AreKept()
    {
        var s = new ExecutionSettings
        {
            MaxVolumeShare = 1m,
            TradeThrough = true,
            Commission = new CommissionModel { PerShare = 0m, MaxPercentOfNotional = null },
            Slippage = new SlippageModel { RangeShare = 1m },
        };
        Assert.Equal((1m, true, 1m), (s.MaxVolumeShare, s.TradeThrough, s.Slippage.RangeShare));
    }
}
