using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// Alerts in a real browser: the demo trader finds the demo's rules and the alert that fired on the demo data, then
/// creates a rule through the page (instrument autocomplete, threshold) and finds it in the list. Every page state is
/// checked for accessibility. (The bell's live count after a sync is checked once the bell is merged.)
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class AlertsTests(BrowserFixture fx)
{
    [Fact]
    public async Task Trader_SeesTheDemoAlertThatFired_AndCreatesARuleThroughThePage()
    {
        var page = await fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);

        await page.GotoAsync("/alerts");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("rule-row-name").First).ToBeVisibleAsync();
        await fx.ShotAsync(page, "alerts-rules");

        // The demo's daily-move rule fired on the newest demo bar.
        await page.Locator(".mud-tab", new() { HasText = "Fired alerts" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alert-row").Filter(new() { HasText = "moved" }).First).ToBeVisibleAsync();
        await fx.ShotAsync(page, "alerts-history");

        // A new rule through the form.
        await page.Locator(".mud-tab", new() { HasText = "Rules" }).First.ClickAsync();
        await page.GetByTestId("rule-new").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-form")).ToBeVisibleAsync();
        await fx.AssertAccessibleAsync(page, "alerts-form");
        var name = $"E2E ZEPH above {DateTime.UtcNow:HHmmss}";
        await page.GetByLabel("Instrument", new() { Exact = true }).FillAsync("ZEPH");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "ZEPH" }).First.ClickAsync();
        await page.GetByLabel("Price level").FillAsync("1000");
        await page.GetByLabel("Name (optional)").FillAsync(name);
        await page.GetByTestId("rule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("rule-row-name").Filter(new() { HasText = name })).ToHaveCountAsync(1);
        await fx.ShotAsync(page, "alerts-created");
    }
}
