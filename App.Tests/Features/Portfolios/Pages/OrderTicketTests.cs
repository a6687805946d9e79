using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Pages;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Recommendations;

namespace Signalbook.Tests.Features.Portfolios.Pages;

/// <summary>The order ticket opened from a Trade button and from "Paper trade this", with what it refuses and what it places.</summary>
public sealed class OrderTicketTests : PortfolioPagesTestContext
{
    private async Task<(Guid Trader, long Portfolio, long Instrument)> SeedAsync(decimal cash = 100_000m)
    {
        var trader = await Data.CreateUserAsync($"ticket-{Guid.NewGuid():N}@test.local");
        var portfolio = await Data.CreatePortfolioAsync(trader.Id, "Ticket", cash);
        var instrument = await Data.AddTradableAsync("TICK", close: 100);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);
        return (trader.Id, portfolio, instrument);
    }

    /// <summary>Clicks the instrument's Trade button and waits for the ticket with its estimate.</summary>
    private IRenderedComponent<IComponent> OpenTicket(long instrument)
    {
        IRenderedComponent<IComponent> button = RenderWithProviders<TradeButton>(p => p.Add(c => c.InstrumentId, instrument).Add(c => c.Symbol, "TICK"));
        button.WaitForElement("[data-testid=trade-instrument]").Click();
        Dialogs.WaitForElement("[data-testid=ticket-submit]");
        Dialogs.WaitForAssertion(() => Assert.Contains("100.00", Dialogs.Find("[data-testid=estimate-price]").TextContent));
        return Dialogs;
    }

    private async Task<int> OrderCountAsync()
    {
        await using var db = await Data.DbAsync();
        return await db.Orders.CountAsync();
    }

    [Fact]
    public async Task LimitPriceThatIsNotANumber_IsSaidOnTheLimitField_AndNothingIsWritten()
    {
        var (_, _, instrument) = await SeedAsync();
        var ticket = OpenTicket(instrument);
        Assert.Contains("Buy TICK", ticket.Find("#ticket-title").TextContent);

        Choose(ticket, "ticket-type", "Limit");
        ticket.WaitForElement("input[data-testid=ticket-limit], [data-testid=ticket-limit] input");
        await TypeAsync(ticket, "ticket-quantity", "10");
        await TypeAsync(ticket, "ticket-limit", "abc");
        await ClickAsync(ticket, "[data-testid=ticket-submit]");
        ticket.WaitForAssertion(() => Assert.Contains("The limit price must be a number", FieldText(ticket, "ticket-limit")));
        Assert.DoesNotContain("must be a number", FieldText(ticket, "ticket-quantity"));
        Assert.Equal(0, await OrderCountAsync());

        // Typed with a comma as the decimal separator it is not read either (invariant culture: a dot).
        await TypeAsync(ticket, "ticket-limit", "99,5x");
        await ClickAsync(ticket, "[data-testid=ticket-submit]");
        ticket.WaitForAssertion(() => Assert.Contains("The limit price must be a number", FieldText(ticket, "ticket-limit")));
        Assert.Equal(0, await OrderCountAsync());
    }

    [Fact]
    public async Task QuantityZero_IsRefusedOnTheQuantityField()
    {
        var (_, _, instrument) = await SeedAsync();
        var ticket = OpenTicket(instrument);
        await TypeAsync(ticket, "ticket-quantity", "0");
        await ClickAsync(ticket, "[data-testid=ticket-submit]");
        ticket.WaitForAssertion(() => Assert.Contains("Quantity must be greater than zero", FieldText(ticket, "ticket-quantity")));
        Assert.Equal(0, await OrderCountAsync());
    }

    [Fact]
    public async Task ValidMarketOrder_IsStoredOpen_TheEstimateFollowsTheQuantity_AndTheSnackbarLinksThePortfolio()
    {
        var (trader, portfolio, instrument) = await SeedAsync();
        var ticket = OpenTicket(instrument);
        await TypeAsync(ticket, "ticket-quantity", "12.5");
        ticket.WaitForAssertion(() => Assert.Contains("1,250.00 USD", ticket.Find("[data-testid=estimate-value]").TextContent));
        Assert.Contains("100,000.00 USD", ticket.Find("[data-testid=estimate-available]").TextContent);

        await ClickAsync(ticket, "[data-testid=ticket-submit]");
        Snackbars.WaitForAssertion(() => Assert.Contains("Order placed: Buy 12.5 TICK", Snackbars.Markup));
        Assert.Contains($"/portfolios/{portfolio}?tab=orders", Snackbars.Find("[data-testid=order-placed] a").GetAttribute("href"));
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=order-ticket]")));

        await using var db = await Data.DbAsync();
        var order = await db.Orders.SingleAsync();
        Assert.Equal((trader, portfolio, instrument), (order.UserId, order.PortfolioId, order.InstrumentId));
        Assert.Equal((OrderStatus.Open, OrderSide.Buy, OrderType.Market, 12.5m), (order.Status, order.Side, order.OrderType, order.Quantity));
    }

    [Fact]
    public async Task OrderBeyondTheCash_ShowsTheBrokersRejectReasonInTheTicket_AndIsKeptAsRejected()
    {
        var (_, _, instrument) = await SeedAsync(cash: 5_000m);
        var ticket = OpenTicket(instrument);
        await TypeAsync(ticket, "ticket-quantity", "100");
        await ClickAsync(ticket, "[data-testid=ticket-submit]");
        ticket.WaitForAssertion(() => Assert.Contains("Not enough cash", ticket.Find("[data-testid=ticket-rejected]").TextContent));
        Assert.NotNull(ticket.Find("[data-testid=ticket-submit]")); // still open, to change and resend
        await using var db = await Data.DbAsync();
        var order = await db.Orders.SingleAsync();
        Assert.Equal(OrderStatus.Rejected, order.Status);
        Assert.StartsWith("Not enough cash", order.RejectReason);
    }

    [Fact]
    public async Task Viewer_SeesNoTradeButton()
    {
        var viewer = await Data.CreateUserAsync("viewer-ticket@test.local", Roles.Viewer);
        var instrument = await Data.AddTradableAsync("VIEW");
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);
        IRenderedComponent<IComponent> button = RenderWithProviders<TradeButton>(p => p.Add(c => c.InstrumentId, instrument).Add(c => c.Symbol, "VIEW"));
        await Task.Delay(200);
        button.WaitForAssertion(() => Assert.Empty(button.FindAll("[data-testid=trade-instrument]")));
    }

    [Fact]
    public async Task PaperTradeThis_OnABuyRecommendation_OpensTheTicketPrefilledWithSideSizeBracketAndNote_AndPlacesItWithTheRecommendation()
    {
        var trader = await Data.ConsentingTraderAsync("paper@test.local");
        var portfolio = await Data.CreatePortfolioAsync(trader, "Paper", 50_000m);
        var instrument = await Data.AddTradableAsync("PAPR", close: 100);
        var model = await Data.AddModelAsync("v7");
        var rec = await Data.AddRecommendationAsync(instrument, model, "BUY", 0.66, snapshot: RecommendationsHarness.Snapshot(close: 100, asOf: PortfolioPagesHarness.LastBar));
        SignInAs(trader, "paper@test.local", Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<RecommendationPage>(p => p.Add(c => c.Id, rec));
        page.WaitForElement("[data-testid=paper-trade]").Click();

        Dialogs.WaitForElement("[data-testid=ticket-submit]");
        IRenderedComponent<IComponent> ticket = Dialogs;
        Assert.Contains("Buy PAPR", ticket.Find("#ticket-title").TextContent);
        // 50,000 cash at 100: the cash bounds the size (capital per trade 200,000 and 10 % of 1,000,000 shares allow more).
        Assert.Equal("500", Input(ticket, "ticket-quantity").GetAttribute("value"));
        Assert.Equal("96", Input(ticket, "ticket-stop-loss").GetAttribute("value"));
        Assert.Equal("108", Input(ticket, "ticket-take-profit").GetAttribute("value"));
        var note = ticket.Find("[data-testid=sizing-note]").TextContent;
        Assert.Contains($"recommendation #{rec}", note);
        Assert.Contains("limited by cash", note);

        await ClickAsync(ticket, "[data-testid=ticket-submit]");
        Snackbars.WaitForAssertion(() => Assert.Contains("Order placed: Buy 500 PAPR", Snackbars.Markup));
        await using var db = await Data.DbAsync();
        var orders = await db.Orders.OrderBy(o => o.Id).ToListAsync();
        Assert.Equal(3, orders.Count); // the entry and its two bracket exits
        Assert.Equal((portfolio, rec, OrderStatus.Open), (orders[0].PortfolioId, orders[0].RecommendationId, orders[0].Status));
        Assert.Equal([96m, 108m], orders.Skip(1).Select(o => o.StopPrice ?? o.Price ?? 0).Order());
    }

    [Fact]
    public async Task PaperTradeThis_WithSeveralPortfolios_AsksWhichOne_AndHidesOnAHold()
    {
        var trader = await Data.ConsentingTraderAsync("several@test.local");
        await Data.CreatePortfolioAsync(trader, "First", 50_000m);
        var second = await Data.CreatePortfolioAsync(trader, "Second", 1_000m);
        var instrument = await Data.AddTradableAsync("MANY", close: 100);
        var model = await Data.AddModelAsync("v8");
        var rec = await Data.AddRecommendationAsync(instrument, model, "BUY", 0.7, snapshot: RecommendationsHarness.Snapshot(close: 100, asOf: PortfolioPagesHarness.LastBar));
        var hold = await Data.AddRecommendationAsync(instrument, model, "HOLD", 0.7, profile: RiskProfiles.Aggressive,
            snapshot: RecommendationsHarness.Snapshot(close: 100, asOf: PortfolioPagesHarness.LastBar));
        SignInAs(trader, "several@test.local", Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<RecommendationPage>(p => p.Add(c => c.Id, rec));
        page.WaitForElement("[data-testid=paper-trade]").Click();
        Dialogs.WaitForElement("[data-testid=choose-portfolio]");
        Assert.Equal(["First", "Second"], Dialogs.FindAll("[data-testid=choose-portfolio-option]").Select(b => b.TextContent.Split('·')[0].Trim()));
        await Dialogs.InvokeAsync(() => Dialogs.Find($"[data-testid=choose-portfolio-option][data-portfolio='{second}']").Click());
        Dialogs.WaitForElement("[data-testid=ticket-submit]");
        IRenderedComponent<IComponent> ticket = Dialogs;
        Assert.Equal("10", Input(ticket, "ticket-quantity").GetAttribute("value")); // 1,000 cash at 100

        IRenderedComponent<IComponent> holdPage = Render<RecommendationPage>(p => p.Add(c => c.Id, hold));
        holdPage.WaitForElement("[data-testid=recommendation-stats]");
        Assert.Empty(holdPage.FindAll("[data-testid=paper-trade]"));
    }
}
