using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>Bad tickets write nothing; every read and action is scoped to the caller.</summary>
public sealed class ValidationAndOwnershipTests : PaperHarness
{
    public static TheoryData<string, string> BadTickets => new()
    {
        { "zero quantity", "Quantity" },
        { "negative quantity", "Quantity" },
        { "unknown instrument", "InstrumentId" },
        { "inactive instrument", "InstrumentId" },
        { "stopped portfolio", "PortfolioId" },
        { "limit without a limit price", "LimitPrice" },
    };

    [Theory]
    [MemberData(nameof(BadTickets))]
    public async Task PlacingABadTicket_ThrowsValidationNamingTheField_AndWritesNoOrder(string @case, string field)
    {
        var (trader, acme, pid) = await NyDeskAsync();
        var inactive = await InstrumentAsync("GONE", active: false);
        await BarAsync(inactive, Mon, 10m, 11m, 9m, 10m);
        if (@case == "stopped portfolio") await SettingsAsync(trader, pid, s => s with { IsActive = false });
        var ticket = @case switch
        {
            "zero quantity" => new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 0),
            "negative quantity" => new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, -5),
            "unknown instrument" => new OrderTicket(pid, 987_654, OrderSide.Buy, OrderType.Market, 1),
            "inactive instrument" => new OrderTicket(pid, inactive, OrderSide.Buy, OrderType.Market, 1),
            "stopped portfolio" => new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 1),
            _ => new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 1, TimeInForce.Gtc),
        };

        var e = await Assert.ThrowsAsync<TradingValidationException>(() => PlaceAsync(trader, ticket));
        Assert.Equal(field, e.Field);
        Assert.Equal(0, await OrderCountAsync());
        Money(100_000m, (await PortfolioRowAsync(pid)).CashBalance);
    }

    [Fact]
    public async Task ReplacingWithABadQuantity_ThrowsValidation_AndLeavesTheOrderAsItWas()
    {
        var (trader, acme, pid) = await NyDeskAsync();
        var placed = await PlaceAsync(trader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 95m));
        var e = await Assert.ThrowsAsync<TradingValidationException>(() => Orders(async s =>
        {
            await s.ReplaceAsync(trader, placed.OrderId, 0, 95m, null);
            return 0;
        }));
        Assert.Equal("Quantity", e.Field);
        var e2 = await Assert.ThrowsAsync<TradingValidationException>(() => Orders(async s =>
        {
            await s.ReplaceAsync(trader, placed.OrderId, 10, null, null);
            return 0;
        }));
        Assert.Equal("LimitPrice", e2.Field);
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(10m, order.Quantity);
        Assert.Equal(95m, order.Price);
        Assert.Null(order.Note);
    }

    [Fact]
    public async Task AnotherTrader_GetsNotFound_OnEveryReadAndActionOfSomeoneElsesPortfolioAndOrders()
    {
        var (owner, acme, pid) = await NyDeskAsync();
        var placed = await PlaceAsync(owner, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 95m));
        var stranger = await TraderAsync();
        var q = new TradingQuery();

        await NotFound(() => Portfolios(s => s.DetailAsync(stranger, pid)));
        await NotFound(() => Portfolios(s => s.HoldingsAsync(stranger, pid)));
        await NotFound(() => Portfolios(s => s.OrdersAsync(stranger, pid, q)));
        await NotFound(() => Portfolios(s => s.TradesAsync(stranger, pid, q)));
        await NotFound(() => Portfolios(s => s.EquityCurveAsync(stranger, pid)));
        await NotFound(() => Portfolios(s => s.PerformanceAsync(stranger, pid)));
        await NotFound(() => Portfolios(s => s.CashFlowsAsync(stranger, pid)));
        await NotFound(() => Portfolios(async s => { await s.AddCashFlowAsync(stranger, pid, 1_000m, null); return 0; }));
        await NotFound(() => Portfolios(async s =>
        {
            await s.UpdateSettingsAsync(stranger, pid, PortfolioService.SettingsOf(new Portfolio { Name = "Mine now" }));
            return 0;
        }));
        Assert.Empty(await Portfolios(s => s.ListAsync(stranger, owner.UserId)));
        await NotFound(() => PlaceAsync(stranger, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 1)));
        await NotFound(() => Orders(s => s.CancelAsync(stranger, placed.OrderId)));
        await NotFound(() => Orders(async s => { await s.ReplaceAsync(stranger, placed.OrderId, 20, 96m, null); return 0; }));
        await NotFound(() => Orders(s => s.EstimateAsync(stranger, pid, acme, OrderSide.Buy, OrderType.Market, 1, null, null)));
        await NotFound(() => Orders(s => s.SuggestFromRecommendationAsync(stranger, 1, pid)));

        // Nothing changed.
        var order = await OrderRowAsync(placed.OrderId);
        Assert.Equal(OrderStatus.Open, order.Status);
        Assert.Equal(10m, order.Quantity);
        await using var db = await DbAsync();
        Assert.Equal(1, await db.Orders.CountAsync());
        Assert.Equal(0, await db.CashFlows.CountAsync());
        Assert.Equal("Paper", (await PortfolioRowAsync(pid)).Name);
    }

    [Fact]
    public async Task Viewer_ReadsTheirOwnPortfolio_ButIsForbiddenToPlaceCancelOrMoveCash()
    {
        var viewer = await TraderAsync(Roles.Viewer);
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Portfolios(s => s.CreateAsync(viewer, new NewPortfolio("Mine", 1_000m))));
        // A portfolio the viewer owns (e.g. from when they were a trader).
        var asTrader = TradingCaller.Trader(viewer.UserId);
        var acme = await InstrumentAsync("ACME");
        await BarAsync(acme, Mon, 99m, 101m, 98m, 100m);
        SetClock(Ny(Mon, 20));
        var pid = await PortfolioAsync(asTrader, 10_000m);
        var placed = await PlaceAsync(asTrader, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 1, TimeInForce.Gtc, LimitPrice: 95m));

        var detail = await Portfolios(s => s.DetailAsync(viewer, pid));
        Assert.False(detail.CanTrade);
        Assert.Single((await Portfolios(s => s.OrdersAsync(viewer, pid, new TradingQuery()))).Rows);
        Assert.Single(await Portfolios(s => s.ListAsync(viewer)));

        await Assert.ThrowsAsync<TradingForbiddenException>(() => PlaceAsync(viewer, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 1)));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Orders(s => s.CancelAsync(viewer, placed.OrderId)));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Portfolios(async s => { await s.AddCashFlowAsync(viewer, pid, 100m, null); return 0; }));
        Assert.Equal(1, await OrderCountAsync());
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);
    }

    [Fact]
    public async Task Admin_ReadsAnotherTradersPortfolio_ButCannotPlaceOrCancelForThem()
    {
        var (owner, acme, pid) = await NyDeskAsync();
        var placed = await PlaceAsync(owner, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, LimitPrice: 95m));
        var admin = TradingCaller.Admin((await AdminAsync()).Id);

        var detail = await Portfolios(s => s.DetailAsync(admin, pid));
        Assert.Equal(owner.UserId, detail.OwnerId);
        Assert.False(detail.CanTrade);
        Assert.Single((await Portfolios(s => s.OrdersAsync(admin, pid, new TradingQuery()))).Rows);
        Assert.Single(await Portfolios(s => s.ListAsync(admin, owner.UserId)));
        Assert.NotNull(await Orders(s => s.EstimateAsync(admin, pid, acme, OrderSide.Buy, OrderType.Market, 1, null, null)));

        await Assert.ThrowsAsync<TradingForbiddenException>(() => PlaceAsync(admin, new OrderTicket(pid, acme, OrderSide.Buy, OrderType.Market, 1)));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Orders(s => s.CancelAsync(admin, placed.OrderId)));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Orders(async s => { await s.ReplaceAsync(admin, placed.OrderId, 20, 96m, null); return 0; }));
        Assert.Equal(1, await OrderCountAsync());
        Assert.Equal(OrderStatus.Open, (await OrderRowAsync(placed.OrderId)).Status);
    }

    private static Task NotFound<T>(Func<Task<T>> act) => Assert.ThrowsAsync<TradingNotFoundException>(act);
}
