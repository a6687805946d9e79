using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// Alerts in a real browser: the demo trader finds the demo's rules and the alert that fired on the demo data, then
/// creates a rule through the page (instrument autocomplete, threshold) and finds it in the list. Every page state is
/// checked for accessibility. A second test creates a rule, has the admin run a sync, and watches the bell rise
/// without a reload.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class AlertsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task Trader_SeesTheDemoAlertThatFired_AndCreatesARuleThroughThePage()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);

        await page.GotoAsync("/alerts");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("rule-row-name").First).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "alerts-rules");

        // The demo's daily-move rule fired on the newest demo bar.
        await page.Locator(".mud-tab", new() { HasText = "Fired alerts" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("alert-row").Filter(new() { HasText = "moved" }).First).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "alerts-history");

        // A new rule through the form.
        await page.Locator(".mud-tab", new() { HasText = "Rules" }).First.ClickAsync();
        await page.GetByTestId("rule-new").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-form")).ToBeVisibleAsync();
        await Fx.AssertAccessibleAsync(page, "alerts-form");
        var name = $"E2E ZEPH above {DateTime.UtcNow:HHmmss}";
        await page.GetByLabel("Instrument", new() { Exact = true }).FillAsync("ZEPH");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "ZEPH" }).First.ClickAsync();
        await page.GetByLabel("Price level").FillAsync("1000");
        await page.GetByLabel("Name (optional)").FillAsync(name);
        await page.GetByTestId("rule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("rule-row-name").Filter(new() { HasText = name })).ToHaveCountAsync(1);
        await Fx.ShotAsync(page, "alerts-created");
    }

    [Fact]
    public async Task Trader_CreatesARule_TheAdminsSyncFiresIt_AndTheBellRisesWithoutAReload()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);
        await page.GotoAsync("/alerts");
        await shell.WaitForCircuitAsync();
        var before = await UnreadAsync(page);

        // Any daily move of at least 0.01 %, either way, on ZEPH: the next synced bar fires it.
        var name = $"E2E ZEPH moves {DateTime.UtcNow:HHmmss}";
        await page.GetByTestId("rule-new").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-form")).ToBeVisibleAsync();
        await page.GetByTestId("rule-kind").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Daily move of at least" }).First.ClickAsync();
        // The form re-renders for the new kind (its own fields appear): typed before that render lands, the instrument's
        // text could be redrawn under the search it started, and no option ever showed.
        await Assertions.Expect(page.GetByLabel("Move of at least (%)")).ToBeVisibleAsync();
        await page.GetByLabel("Instrument", new() { Exact = true }).FillAsync("ZEPH");
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "ZEPH" }).First.ClickAsync();
        await page.GetByTestId("rule-direction").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "either" }).First.ClickAsync();
        await page.GetByLabel("Move of at least (%)").FillAsync("0.01");
        await page.GetByLabel("Name (optional)").FillAsync(name);
        await page.GetByTestId("rule-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("rule-form")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("rule-row-name").Filter(new() { HasText = name })).ToHaveCountAsync(1);

        // The admin signs in before the clock moves, then syncs nine days later (past any days another test synced):
        // new bars → features → recommendations → alerts, which fires the rule and notifies the trader.
        var admin = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        admin.SetDefaultTimeout(60_000);
        try
        {
            await Fx.Server.SetClockOffsetAsync(TimeSpan.FromDays(9));
            await admin.GotoAsync("/admin/jobs");
            await new Shell(admin).WaitForCircuitAsync();
            var sync = admin.Locator("[data-testid=job-row][data-job=market-data-daily-sync]");
            await sync.GetByTestId("run-now").ClickAsync();
            await admin.GetByTestId("confirm-ok").ClickAsync();

            // The trader's page was never reloaded: the bell hears of the notification over LISTEN/NOTIFY.
            await Assertions.Expect(page.GetByTestId("notification-count")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^(\d+|99\+)$"), new() { Timeout = 240_000 });
            await page.WaitForFunctionAsync("n => { const e = document.querySelector('[data-testid=notification-count]'); return !!e && (e.textContent.trim() === '99+' || parseInt(e.textContent, 10) > n); }",
                before, new() { Timeout = 240_000 });
            await page.GetByTestId("notification-bell").Locator("button").First.ClickAsync();
            await Assertions.Expect(page.GetByTestId("bell-item").Filter(new() { HasText = "ZEPH" }).First).ToBeVisibleAsync();
            await Fx.ShotAsync(page, "alerts-bell-after-sync");
        }
        finally
        {
            await Fx.Server.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    private static async Task<int> UnreadAsync(IPage page)
    {
        var count = page.GetByTestId("notification-count");
        if (await count.CountAsync() == 0) return 0;
        var text = (await count.InnerTextAsync()).Trim();
        return text == "99+" ? 99 : int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
