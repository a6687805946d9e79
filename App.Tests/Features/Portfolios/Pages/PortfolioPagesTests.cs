using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Pages;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Portfolios.Pages;

/// <summary>The portfolios list, the create dialog and the portfolio page (holdings, orders, cash), driven as a user would.</summary>
public sealed class PortfolioPagesTests : PortfolioPagesTestContext
{
    private static IReadOnlyList<string> Names(IRenderedComponent<IComponent> page)
        => page.FindAll("[data-testid=portfolio-link]").Select(a => a.TextContent.Trim()).ToList();

    [Fact]
    public async Task List_StartsEmpty_CreateDialogAddsTheRow_AndDuplicateNameAndZeroCashAreSaidOnTheirFields()
    {
        var trader = await Data.CreateUserAsync("lister@test.local");
        await Data.CreatePortfolioAsync(trader.Id, "Existing");
        var other = await Data.CreateUserAsync("empty@test.local");
        SignInAs(other.Id, other.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfoliosPage>();
        page.WaitForAssertion(() => Assert.Equal("No portfolios yet", page.Find(".sb-empty-title").TextContent));
        await ClickAsync(page, "[data-testid=create-portfolio]");
        Dialogs.WaitForElement("[data-testid=portfolio-name]");

        // Zero cash: the service's message under the starting-cash field, nothing created.
        IRenderedComponent<IComponent> dialog = Dialogs;
        await TypeAsync(dialog, "portfolio-name", "Growth");
        await TypeAsync(dialog, "portfolio-cash", "0");
        await ClickAsync(dialog, "[data-testid=create-portfolio-submit]");
        Dialogs.WaitForAssertion(() => Assert.Contains("Starting cash must be greater than zero", FieldText(dialog, "portfolio-cash")));
        await TypeAsync(dialog, "portfolio-cash", "lots");
        await ClickAsync(dialog, "[data-testid=create-portfolio-submit]");
        Dialogs.WaitForAssertion(() => Assert.Contains("The starting cash must be a number.", FieldText(dialog, "portfolio-cash")));

        await TypeAsync(dialog, "portfolio-cash", "25000.50");
        await ClickAsync(dialog, "[data-testid=create-portfolio-submit]");
        page.WaitForAssertion(() => Assert.Equal(["Growth"], Names(page)));
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=create-portfolio-dialog]")));
        Assert.Contains("25,000.50 USD", page.Find("[data-testid=portfolio-value]").TextContent);
        Assert.Equal("paper", page.Find("[data-testid=broker-chip]").GetAttribute("data-broker"));

        // The same name again: said under the name field.
        await ClickAsync(page, "[data-testid=create-portfolio]");
        Dialogs.WaitForElement("[data-testid=portfolio-name]");
        await TypeAsync(dialog, "portfolio-name", "Growth");
        await ClickAsync(dialog, "[data-testid=create-portfolio-submit]");
        Dialogs.WaitForAssertion(() => Assert.Contains("You already have a portfolio named 'Growth'.", FieldText(dialog, "portfolio-name")));
        await using var db = await Data.DbAsync();
        Assert.Equal(1, await db.Portfolios.CountAsync(p => p.UserId == other.Id));
    }

    [Fact]
    public async Task Viewer_SeesTheirPortfoliosReadOnly_WithoutCreateOrNewOrder()
    {
        var viewer = await Data.CreateUserAsync("viewer@test.local", Roles.Viewer);
        var id = await Data.CreatePortfolioAsync(viewer.Id, "Given to me");
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);

        IRenderedComponent<IComponent> list = RenderWithProviders<PortfoliosPage>();
        list.WaitForAssertion(() => Assert.Equal(["Given to me"], Names(list)));
        Assert.Empty(list.FindAll("[data-testid=create-portfolio]"));
        Assert.NotNull(list.Find("[data-testid=read-only-note]"));

        IRenderedComponent<IComponent> page = Render<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=portfolio-stats]");
        Assert.Empty(page.FindAll("[data-testid=new-order]"));
        Assert.Contains("Read-only", page.Find("[data-testid=read-only-banner]").TextContent);
        await TabAsync(page, "Cash");
        page.WaitForElement("[data-testid=cash-balance]");
        Assert.Empty(page.FindAll("[data-testid=cash-form]"));
    }

    [Fact]
    public async Task PortfolioPage_ShowsHeaderAndHoldings_LinksTheSymbol_AndOffersTradeOnTheRow()
    {
        var trader = await Data.CreateUserAsync("holder@test.local");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Core");
        var acme = await Data.AddTradableAsync("ACME", close: 110);
        await Data.AddPositionAsync(id, acme, 10, 100m, 110m);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=holding-row]");
        Assert.Contains("100,000.00 USD", page.Find("[data-testid=stat-value]").TextContent);
        Assert.NotNull(page.Find("[data-testid=new-order]"));
        var row = page.Find("[data-testid=holding-row][data-symbol=ACME]");
        Assert.Equal($"/markets/{acme}", row.QuerySelector("a.sb-symbol")!.GetAttribute("href"));
        Assert.Equal("10", row.QuerySelector("[data-testid=holding-quantity]")!.TextContent.Trim());
        Assert.Equal("1,100.00", row.QuerySelector("[data-testid=holding-value]")!.TextContent.Trim());
        var unrealised = row.QuerySelector("[data-testid=holding-unrealised]")!;
        Assert.StartsWith("+100.00", unrealised.TextContent.Trim());
        Assert.Contains("+10.00%", unrealised.TextContent);
        Assert.Equal("up", unrealised.GetAttribute("title"));

        // Trade on the row opens the ticket for that symbol in this portfolio.
        await page.InvokeAsync(() => row.QuerySelector("[data-testid=holding-trade]")!.Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("Buy ACME", Dialogs.Find("#ticket-title").TextContent));
        Dialogs.WaitForAssertion(() => Assert.Contains("10 / 10", Dialogs.Find("[data-testid=estimate-held]").TextContent));
    }

    [Fact]
    public async Task Blotter_ListsOrders_AndCancellingAWorkingOrderAfterConfirmingMarksItCancelled()
    {
        var trader = await Data.CreateUserAsync("blotter@test.local");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Orders");
        var beta = await Data.AddTradableAsync("BETA");
        var working = await Data.PlaceAsync(trader.Id, new OrderTicket(id, beta, OrderSide.Buy, OrderType.Limit, 5, TimeInForce.Gtc, LimitPrice: 90));
        var rejected = await Data.PlaceAsync(trader.Id, new OrderTicket(id, beta, OrderSide.Sell, OrderType.Market, 3));
        Assert.False(rejected.Accepted);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=portfolio-tabs]");
        await TabAsync(page, "Orders");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=orders-grid] tbody tr.mud-table-row").Count));
        Assert.Contains("Shorting is off", page.Find("[data-testid=order-reject]").TextContent);
        Assert.Single(page.FindAll("[data-testid=order-cancel]")); // only the working one

        // Cancel, then keep it: nothing changes.
        await ClickAsync(page, "[data-testid=order-cancel]");
        Dialogs.WaitForElement("[data-testid=confirm-cancel]");
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-cancel]").Click());
        await using (var db = await Data.DbAsync())
        {
            Assert.Equal(OrderStatus.Open, (await db.Orders.SingleAsync(o => o.Id == working.OrderId)).Status);
        }

        await ClickAsync(page, "[data-testid=order-cancel]");
        await ConfirmAsync($"Cancel order #{working.OrderId}?");
        page.WaitForAssertion(() => Assert.Contains(page.FindAll("[data-testid=order-status]"), s => s.GetAttribute("data-status") == "cancelled"));
        Assert.Empty(page.FindAll("[data-testid=order-cancel]"));
        Snackbars.WaitForAssertion(() => Assert.Contains($"Order #{working.OrderId} cancelled.", Snackbars.Markup));
        await using (var db = await Data.DbAsync())
        {
            Assert.Equal(OrderStatus.Cancelled, (await db.Orders.SingleAsync(o => o.Id == working.OrderId)).Status);
        }

        // The working-only switch leaves nothing.
        await page.InvokeAsync(() => Input(page, "orders-working").Change(true));
        page.WaitForAssertion(() => Assert.Contains("No order matches the filters.", page.Find("[data-testid=orders-empty]").TextContent));
    }

    [Fact]
    public async Task Cash_DepositShowsInTheBalanceAndTheList_AndTooLargeAWithdrawalIsSaidOnTheAmount()
    {
        var trader = await Data.CreateUserAsync("cash@test.local");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Cashy", 1000m);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=portfolio-tabs]");
        await TabAsync(page, "Cash");
        page.WaitForElement("[data-testid=flows-empty]");
        await TypeAsync(page, "cash-amount", "250");
        await ClickAsync(page, "[data-testid=cash-deposit]");
        page.WaitForAssertion(() => Assert.Contains("1,250.00 USD", page.Find("[data-testid=cash-balance]").TextContent));
        Assert.Contains("+250.00 USD", page.Find("[data-testid=flow-row]").TextContent);
        Assert.Contains("1,250.00 USD", page.Find("[data-testid=stat-cash]").TextContent);

        await TypeAsync(page, "cash-amount", "5000");
        await ClickAsync(page, "[data-testid=cash-withdraw]");
        page.WaitForAssertion(() => Assert.Contains("You can withdraw at most the cash balance", FieldText(page, "cash-amount")));
    }

    [Fact]
    public async Task AnotherTrader_OpeningSomeoneElsesPortfolio_SeesNotFound_AndAnAdminReadsItReadOnly()
    {
        var owner = await Data.CreateUserAsync("owner@test.local");
        var id = await Data.CreatePortfolioAsync(owner.Id, "Private");
        var stranger = await Data.CreateUserAsync("stranger@test.local");
        SignInAs(stranger.Id, stranger.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=portfolio-not-found]");
        Assert.Equal("No such portfolio", page.Find(".sb-empty-title").TextContent);
        Assert.DoesNotContain("Private", page.Markup);

        var admin = await Data.AdminAsync();
        SignInAs(admin.Id, admin.Email!, Roles.Admin);
        IRenderedComponent<IComponent> asAdmin = Render<PortfolioPage>(p => p.Add(c => c.Id, id));
        asAdmin.WaitForElement("[data-testid=read-only-banner]");
        Assert.Contains("owner@test.local's portfolio as an administrator", asAdmin.Find("[data-testid=read-only-banner]").TextContent);
        Assert.Empty(asAdmin.FindAll("[data-testid=new-order]"));
    }

    [Fact]
    public async Task Settings_SaveChangesTheCosts_AnOutOfRangeSlippageIsSaidOnItsField_AndLiveTradingAsksFirst()
    {
        var trader = await Data.CreateUserAsync("settings@test.local");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Tuned");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=portfolio-tabs]");
        await TabAsync(page, "Settings");
        page.WaitForElement("[data-testid=settings-save]");
        await TypeAsync(page, "settings-SlippageBps", "5000");
        await ClickAsync(page, "[data-testid=settings-save]");
        page.WaitForAssertion(() => Assert.Contains("Slippage must be at most 1000 basis points", FieldText(page, "settings-SlippageBps")));

        await TypeAsync(page, "settings-SlippageBps", "5");
        await TypeAsync(page, "settings-CommissionPerOrder", "1.25");
        await ClickAsync(page, "[data-testid=settings-save]");
        Snackbars.WaitForAssertion(() => Assert.Contains("Settings saved.", Snackbars.Markup));
        await using (var db = await Data.DbAsync())
        {
            var p = await db.Portfolios.SingleAsync(x => x.Id == id);
            Assert.Equal(5m, p.SlippageBps);
            Assert.Equal(1.25m, p.CommissionPerOrder);
        }

        // Alpaca: the key list says where keys come from; live trading needs a confirmation naming the risk.
        Choose(page, "settings-broker", "Alpaca");
        page.WaitForElement("[data-testid=credentials-empty]");
        Assert.Contains("Add Alpaca keys under Settings → Brokers", page.Find("[data-testid=credentials-empty]").TextContent);
        await page.InvokeAsync(() => Input(page, "settings-live").Change(true));
        Dialogs.WaitForAssertion(() => Assert.Contains("real money", Dialogs.Find("[data-testid=confirm-dialog]").TextContent));
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-cancel]").Click());
        // The page goes on once the dialog has closed; saving before then raced it on a busy machine.
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=confirm-dialog]")));
        await ClickAsync(page, "[data-testid=settings-save]");
        page.WaitForAssertion(() => Assert.Contains("Choose the Alpaca keys", FieldText(page, "settings-credential")));
    }

    [Fact]
    public async Task Replace_AWorkingLimitOrder_RefusesATextPrice_ThenStoresTheNewPrice()
    {
        var trader = await Data.CreateUserAsync("replace@test.local");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Replacing");
        var gamma = await Data.AddTradableAsync("GAMA");
        var working = await Data.PlaceAsync(trader.Id, new OrderTicket(id, gamma, OrderSide.Buy, OrderType.Limit, 5, TimeInForce.Gtc, LimitPrice: 90));
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=portfolio-tabs]");
        await TabAsync(page, "Orders");
        page.WaitForElement("[data-testid=order-replace]");
        await ClickAsync(page, "[data-testid=order-replace]");
        Dialogs.WaitForElement("[data-testid=replace-submit]");
        IRenderedComponent<IComponent> dialog = Dialogs;
        Assert.Equal("90", Input(dialog, "replace-limit").GetAttribute("value"));
        await TypeAsync(dialog, "replace-limit", "ninety");
        await ClickAsync(dialog, "[data-testid=replace-submit]");
        Dialogs.WaitForAssertion(() => Assert.Contains("The limit price must be a number", FieldText(dialog, "replace-limit")));

        await TypeAsync(dialog, "replace-limit", "91.5");
        await TypeAsync(dialog, "replace-quantity", "8");
        await ClickAsync(dialog, "[data-testid=replace-submit]");
        Snackbars.WaitForAssertion(() => Assert.Contains($"Order #{working.OrderId} replaced.", Snackbars.Markup));
        page.WaitForAssertion(() => Assert.Equal("0 / 8", page.Find("[data-testid=order-quantity]").TextContent.Trim()));
        await using var db = await Data.DbAsync();
        var order = await db.Orders.SingleAsync();
        Assert.Equal((8m, 91.5m, "replaced"), (order.Quantity, order.Price, order.Note));
    }

    [Fact]
    public async Task Performance_SaysWhenThereIsNoHistory_ThenShowsTheCurveTheFiguresAndTheAllocation()
    {
        var trader = await Data.CreateUserAsync("perf@test.local");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Measured", 10_000m);
        var delta = await Data.AddTradableAsync("DLTA", close: 50);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, id));
        page.WaitForElement("[data-testid=holdings-empty]");
        await TabAsync(page, "Performance");
        page.WaitForElement("[data-testid=performance-empty]");

        await Data.AddPositionAsync(id, delta, 40, 45m, 50m);
        await using (var db = await Data.DbAsync())
        {
            var day = PortfolioPagesHarness.LastBar.AddDays(-2);
            foreach (var (equity, drawdown) in new[] { (10_000.0, 0.0), (9_500.0, -0.05), (10_200.0, 0.0) })
            {
                db.Analytics.Add(new PortfolioAnalytic { PortfolioId = id, Metric = AnalyticsMetrics.Equity, Value = equity, Timestamp = day });
                db.Analytics.Add(new PortfolioAnalytic { PortfolioId = id, Metric = AnalyticsMetrics.Drawdown, Value = drawdown, Timestamp = day });
                day = day.AddDays(1);
            }
            var figures = new PerformanceView(0.02, 0.3, 1.4, 2.1, -0.05, new DateOnly(2026, 11, 17), new DateOnly(2026, 11, 18), new DateOnly(2026, 11, 19),
                0.5, 1.8, 2, 0.66, 0.2);
            db.Analytics.Add(new PortfolioAnalytic
            {
                PortfolioId = id, Metric = AnalyticsMetrics.Performance, Timestamp = PortfolioPagesHarness.LastBar,
                PlotData = System.Text.Json.JsonSerializer.Serialize(figures, AnalyticsMetrics.Json),
            });
            await db.SaveChangesAsync();
        }

        IRenderedComponent<IComponent> again = Render<PortfolioPage>(p => p.Add(c => c.Id, id));
        again.WaitForElement("[data-testid=portfolio-tabs]");
        await TabAsync(again, "Performance");
        again.WaitForElement("[data-testid=performance-figures]");
        Assert.Equal("+2.00%", again.Find("[data-testid=figure-twr]").TextContent.Trim());
        Assert.Contains("peak 2026-11-17, trough 2026-11-18, recovered 2026-11-19", again.Find("[data-testid=performance-figures]").TextContent);
        Assert.Contains("from 2026-11-17 (10,000) to 2026-11-19 (10,200)", again.Find("[data-testid=equity-chart]").GetAttribute("aria-label"));
        Assert.Contains("deepest -5.0%", again.Find("[data-testid=drawdown-chart]").GetAttribute("aria-label")!.Replace('−', '-'));

        await TabAsync(again, "Allocation");
        again.WaitForElement("[data-testid=allocation-table]");
        Assert.Equal(["DLTA", "Cash"], again.FindAll("[data-testid=allocation-table] tbody tr").Select(r => r.GetAttribute("data-slice")));
        Assert.Equal(2, again.FindAll("[data-testid=allocation-donut] path, [data-testid=allocation-donut] circle").Count);
    }
}
