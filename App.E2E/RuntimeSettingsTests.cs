using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// Runtime configuration in a real browser: the server starts with Registration:Mode InviteOnly from an environment
/// variable; an admin switches it to Open on Admin → Settings and a visitor's registration page opens, without a restart;
/// the admin resets it and the page is invitation-only again. Admin → System shows real samples (taken at start).
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class RuntimeSettingsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    private const string ModeRow = "[data-testid=setting-row][data-key='Registration:Mode']";

    [Fact]
    public async Task AnAdminOpensRegistration_OnAdminSettings_AndTheRegisterPageChangesWithoutARestart()
    {
        var visitor = await Fx.NewPageAsync();
        await visitor.GotoAsync("/account/register");
        await Assertions.Expect(visitor.GetByTestId("register-blocked")).ToContainTextAsync("invitation-only");
        await Assertions.Expect(visitor.GetByTestId("register-form")).ToHaveCountAsync(0);

        var admin = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        admin.SetDefaultTimeout(30_000);
        var shell = new Shell(admin);
        await admin.GotoAsync("/admin/settings");
        await shell.WaitForCircuitAsync();
        var row = admin.Locator(ModeRow);
        await Assertions.Expect(row.GetByTestId("setting-value")).ToHaveTextAsync("InviteOnly");
        await Assertions.Expect(row.GetByTestId("setting-source")).ToContainTextAsync("Environment");
        await Fx.AssertAccessibleAsync(admin, "admin-settings");
        await Fx.ShotAsync(admin, "admin-settings");

        try
        {
            await row.GetByTestId("setting-edit").ClickAsync();
            await Assertions.Expect(admin.GetByTestId("setting-dialog")).ToBeVisibleAsync();
            await admin.GetByTestId("setting-dialog").Locator(".mud-select").First.ClickAsync();
            await admin.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Open" }).First.ClickAsync();
            await Fx.AssertAccessibleAsync(admin, "admin-settings-edit");
            await admin.GetByTestId("setting-save").ClickAsync();
            await Assertions.Expect(admin.GetByTestId("settings-message")).ToContainTextAsync("Registration:Mode is now Open on every node");
            await Assertions.Expect(row.GetByTestId("setting-value")).ToHaveTextAsync("Open");
            await Assertions.Expect(row.GetByTestId("setting-source")).ToContainTextAsync("Admin");

            // The visitor reloads: the form is there, no restart in between.
            await visitor.ReloadAsync();
            await Assertions.Expect(visitor.GetByTestId("register-form")).ToBeVisibleAsync();
            await Assertions.Expect(visitor.GetByTestId("register-blocked")).ToHaveCountAsync(0);

            await row.GetByTestId("setting-history").ClickAsync();
            await Assertions.Expect(admin.GetByTestId("setting-change").First).ToContainTextAsync("InviteOnly");
            await Assertions.Expect(admin.GetByTestId("setting-change").First).ToContainTextAsync("Open");
        }
        finally
        {
            // Back to the environment's value, through the page, so the other browser tests see the server as started.
            await admin.GotoAsync("/admin/settings");
            await shell.WaitForCircuitAsync();
            // The rows are drawn after the circuit starts: counting the reset button before them would skip the reset.
            await Assertions.Expect(admin.Locator($"{ModeRow} [data-testid=setting-source]")).ToBeVisibleAsync();
            if (await admin.Locator($"{ModeRow} [data-testid=setting-reset]").CountAsync() > 0)
            {
                await admin.Locator($"{ModeRow} [data-testid=setting-reset]").ClickAsync();
                await admin.GetByTestId("confirm-ok").ClickAsync();
                await Assertions.Expect(admin.Locator($"{ModeRow} [data-testid=setting-source]")).ToContainTextAsync("Environment");
            }
        }
        await visitor.ReloadAsync();
        await Assertions.Expect(visitor.GetByTestId("register-blocked")).ToBeVisibleAsync();
        await visitor.Context.CloseAsync();

        // Admin → System: the samples taken at start, charted.
        await admin.GotoAsync("/admin/system");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(admin.GetByTestId("system-chart").First).ToBeVisibleAsync();
        await Assertions.Expect(admin.Locator("[data-testid=system-chart][data-chart=users]")).ToContainTextAsync("Users");
        await Assertions.Expect(admin.Locator("[data-testid=system-chart] .apexcharts-canvas").First).ToBeVisibleAsync();
        await Assertions.Expect(admin.GetByTestId("node-row").First).ToBeVisibleAsync();
        await Fx.AssertAccessibleAsync(admin, "admin-system");
        await Fx.ShotAsync(admin, "admin-system");
    }
}
