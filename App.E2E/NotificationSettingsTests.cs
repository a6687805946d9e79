using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// Settings → Notifications in a real browser: the demo trader is told what is wrong with a bad address, saves email
/// with quiet hours, sends a test email (the demo server has no SMTP: it lands in the outbox), and the page and the
/// admin's failed-deliveries list pass axe.
/// </summary>
[Collection(E2ECollection2.Name)]
public sealed class NotificationSettingsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task Trader_FixesABadAddress_SavesEmailAndQuietHours_AndSendsATestEmail()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);

        await page.GotoAsync("/settings/notifications");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("save-notifications")).ToBeVisibleAsync();
        await Fx.AssertAccessibleAsync(page, "settings-notifications");

        await page.GetByLabel("Send by email").CheckAsync();
        var address = page.GetByLabel("Email address");
        await address.FillAsync("trader-at-example");
        await address.PressAsync("Tab");
        await page.GetByTestId("save-notifications").ClickAsync();
        await Assertions.Expect(page.GetByTestId("settings-errors")).ToContainTextAsync("'trader-at-example' is not a valid email address");

        await address.FillAsync("trader.alerts@example.com");
        await address.PressAsync("Tab");
        await page.GetByLabel("Quiet from").FillAsync("22:00");
        await page.GetByLabel("Quiet until").FillAsync("07:00");
        await page.GetByLabel("Quiet until").PressAsync("Tab");
        await page.GetByTestId("save-notifications").ClickAsync();
        await Assertions.Expect(page.GetByText("Notification settings saved.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("settings-errors")).ToHaveCountAsync(0);

        await page.GetByTestId("test-email").ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-email-result")).ToContainTextAsync("Test email to trader.alerts@example.com written to the outbox");
        await Fx.ShotAsync(page, "settings-notifications");

        var admin = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        admin.SetDefaultTimeout(60_000);
        await admin.GotoAsync("/admin/notifications/deliveries");
        await new Shell(admin).WaitForCircuitAsync();
        await Assertions.Expect(admin.GetByTestId("deliveries-grid")).ToBeVisibleAsync();
        await Fx.AssertAccessibleAsync(admin, "admin-failed-deliveries");
    }
}
