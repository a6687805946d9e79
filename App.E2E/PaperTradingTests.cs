using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// Portfolios in a real browser: the demo trader's paper portfolio with its history; a new portfolio; a BUY recommendation
/// taken to a paper order in one click; then, with the app's clock moved six days on and the market data synced, the
/// order filled and visible in holdings, orders, trades and the equity curve. Also the strategies, trading-service and
/// trading-settings pages, each checked for accessibility.
/// </summary>
[Collection(ClockCollection.Name)]
public sealed class PaperTradingTests(ClockBrowserFixture fx) : BrowserTest<ClockBrowserFixture>(fx)
{
    private const string DemoPortfolio = "Following the model (demo)";

    /// <summary>A MudTextField's input, whether the test id sits on the input or on its wrapper.</summary>
    private static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    private static async Task OpenTabAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Tab, new() { Name = name }).ClickAsync();
    }

    [Fact]
    public async Task Trader_PaperTradesABuyRecommendation_AndSeesTheFillInHoldingsOrdersTradesAndTheEquityCurve()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);

        // The demo portfolio, built by following the replayed recommendations, has months of history.
        await page.GotoAsync("/portfolios");
        await shell.WaitForCircuitAsync();
        var demoRow = page.Locator("[data-testid=portfolio-row]", new() { HasText = DemoPortfolio });
        await Assertions.Expect(demoRow).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "portfolios-list");
        await demoRow.GetByTestId("portfolio-link").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/portfolios/\d+"));
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("holding-row").First).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "portfolio-demo-holdings");
        await OpenTabAsync(page, "Performance");
        await Assertions.Expect(page.GetByTestId("equity-section")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("figure-twr")).ToHaveTextAsync(new Regex(@"[+−]?\d+\.\d\d%"));
        // Both charts are drawn (their lines are in the page), not just placed.
        await Assertions.Expect(page.Locator("[data-testid=equity-chart] g.apexcharts-series path").First).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("[data-testid=drawdown-chart] g.apexcharts-series path").First).ToBeAttachedAsync();
        await Fx.ShotAsync(page, "portfolio-demo-performance");
        // Settings: saving says so once the form shows what was stored.
        await OpenTabAsync(page, "Settings");
        await page.GetByTestId("settings-save").ClickAsync();
        await Assertions.Expect(page.GetByText("Settings saved.")).ToBeVisibleAsync();
        await Assertions.Expect(Field(page, "settings-SlippageBps")).Not.ToHaveValueAsync("");
        await Fx.ShotAsync(page, "portfolio-demo-settings-saved");

        // A new portfolio for this test.
        var name = $"E2E paper {Guid.NewGuid().ToString("N")[..6]}";
        await page.GotoAsync("/portfolios");
        await shell.WaitForCircuitAsync();
        await page.GetByTestId("create-portfolio").First.ClickAsync();
        await Field(page, "portfolio-name").FillAsync(name);
        await Field(page, "portfolio-cash").FillAsync("50000");
        await page.GetByTestId("create-portfolio-submit").ClickAsync();
        var row = page.Locator("[data-testid=portfolio-row]", new() { HasText = name });
        await Assertions.Expect(row).ToBeVisibleAsync();
        var portfolioId = await row.GetAttributeAsync("data-portfolio");

        // A BUY recommendation, paper traded from its page.
        var dashboard = new RecommendationsDashboardPage(page);
        await dashboard.OpenAsync();
        await dashboard.AcceptIfAskedAsync(dashboard.Grid); // waits for the disclosure or the grid, whichever the page shows
        await dashboard.WaitForRowsAsync();
        var found = false;
        foreach (var profile in new[] { "moderate", "aggressive", "conservative" })
        {
            await dashboard.SelectProfileAsync(profile);
            await dashboard.WaitForRowsAsync();
            if (await dashboard.LabelCountAsync("BUY") > 0)
            {
                found = true;
                break;
            }
        }
        Assert.True(found, "No profile has a BUY recommendation: the demo's models made no buy call to paper trade.");
        await dashboard.FilterByLabelAsync("BUY");
        await Assertions.Expect(dashboard.LabelBadges.First).ToHaveAttributeAsync("data-label", "BUY");
        var symbol = (await dashboard.Rows.First.Locator("a.sb-symbol").InnerTextAsync()).Trim();
        await dashboard.Rows.First.Locator("a.sb-symbol").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/recommendations/\d+$"));
        await shell.WaitForCircuitAsync();
        await page.GetByTestId("paper-trade").ClickAsync();
        await page.Locator("[data-testid=choose-portfolio-option]", new() { HasText = name }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("ticket-submit")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("sizing-note")).ToContainTextAsync("recommendation");
        await Fx.ShotAsync(page, "order-ticket-from-recommendation");
        await page.GetByTestId("ticket-submit").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Order placed" })).ToBeVisibleAsync();

        await page.GotoAsync($"/portfolios/{portfolioId}?tab=orders");
        await shell.WaitForCircuitAsync();
        // The entry is open; its bracket exits (the recommendation's stop-loss and take-profit) wait, pending, for its fill.
        var orderRows = page.GetByTestId("orders-grid").Locator("tr", new() { HasText = symbol });
        await Assertions.Expect(orderRows.Locator("[data-testid=order-status][data-status=open]")).ToHaveCountAsync(1);
        await Assertions.Expect(orderRows.Locator("[data-testid=order-status][data-status=pending]")).ToHaveCountAsync(2);
        await Fx.ShotAsync(page, "portfolio-orders-working");

        // The admin signs in before the clock moves (a session created six days ahead would be the "newest" one after it).
        var admin = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        admin.SetDefaultTimeout(60_000);
        try
        {
            // Six days later: the admin syncs the market data, and the paper broker fills the order at the next session's open.
            await Fx.Server.SetClockOffsetAsync(TimeSpan.FromDays(6));
            await admin.GotoAsync("/admin/jobs");
            await new Shell(admin).WaitForCircuitAsync();
            var sync = admin.Locator("[data-testid=job-row][data-job=market-data-daily-sync]");
            await sync.GetByTestId("run-now").ClickAsync();
            await admin.GetByTestId("confirm-ok").ClickAsync();
            // Wait for the sync to finish: the paper broker only matches bars that are stored when it runs.
            await Assertions.Expect(sync.GetByTestId("job-last-run").Locator("[data-testid=status-chip][data-status=success]"))
                .ToBeVisibleAsync(new() { Timeout = 180_000 });
            await Assertions.Expect(sync.GetByTestId("job-running")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
            await admin.Context.CloseAsync();

            await page.GotoAsync($"/portfolios/{portfolioId}");
            await shell.WaitForCircuitAsync();
            var holding = page.Locator($"[data-testid=holding-row][data-symbol='{symbol}']");
            await page.GetByTestId("update-now").ClickAsync();
            await Assertions.Expect(page.Locator(".mud-snackbar", new() { HasText = "Updated" })).ToBeVisibleAsync();
            await Assertions.Expect(holding).ToBeVisibleAsync();
            await Fx.ShotAsync(page, "portfolio-filled-holdings");

            await OpenTabAsync(page, "Orders");
            // The entry filled; its exits now work (open) for the filled quantity.
            await Assertions.Expect(orderRows.Locator("[data-testid=order-status][data-status=filled]")).ToHaveCountAsync(1);
            await Assertions.Expect(orderRows.Locator("[data-testid=order-status][data-status=pending]")).ToHaveCountAsync(0);
            await OpenTabAsync(page, "Trades");
            await Assertions.Expect(page.GetByTestId("trades-grid").Locator("tr", new() { HasText = symbol })).ToHaveCountAsync(1);
            await OpenTabAsync(page, "Performance");
            await Assertions.Expect(page.GetByTestId("equity-section")).ToBeVisibleAsync();
            await Fx.ShotAsync(page, "portfolio-filled-performance");
        }
        finally
        {
            await Fx.Server.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Trader_SeesStrategiesTheTradingServiceAndTradingSettings_AllAccessible()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);
        foreach (var (path, shot) in new[] { ("/strategies", "strategies"), ("/trading-service", "trading-service"), ("/settings/trading", "trading-settings"), ("/settings/brokers", "brokers"), ("/app", "trader-dashboard") })
        {
            await page.GotoAsync(path);
            await shell.WaitForCircuitAsync();
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            if (path == "/app") await Assertions.Expect(page.GetByTestId("dashboard-cards")).ToHaveAttributeAsync("data-loaded", "true");
            await Fx.ShotAsync(page, shot);
        }
    }
}
