using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// The app shell in the three ways people see it: light, dark and at phone width, each page checked by axe-core, and the
/// theme that follows the system. Screenshots of each land in artifacts/screenshots for a look at the one design.
/// </summary>
[Collection(E2ECollection2.Name)]
public sealed class ShellTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    private static readonly string[] TraderPages = ["/app", "/markets", "/recommendations", "/recommendations/track-record", "/settings/sessions", "/settings/security"];

    [Fact]
    public async Task TraderPages_InLightAndDark_AreAccessible_AndDarkAppliesWithoutReload()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoViewerEmail, AppServer.DemoPassword);
        var shell = new Shell(page);
        foreach (var path in TraderPages)
        {
            await page.GotoAsync(path);
            await shell.WaitForCircuitAsync();
            await Assertions.Expect(page.Locator("h1")).ToBeVisibleAsync();
            await Fx.ShotAsync(page, $"light{path.Replace('/', '-')}");
        }

        await shell.ChooseThemeAsync("dark");
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.theme === 'dark'");
        await shell.ExpectMudDarkAsync(true); // without a reload
        foreach (var path in TraderPages)
        {
            await page.GotoAsync(path);
            await shell.WaitForCircuitAsync();
            Assert.Equal("dark", await shell.ThemeAsync());
            await Fx.ShotAsync(page, $"dark{path.Replace('/', '-')}");
        }
        await shell.ChooseThemeAsync("light"); // leave the shared viewer as the other tests expect
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.theme === 'light'");
    }

    [Fact]
    public async Task PhoneWidth_TheDrawerIsATemporaryOverlay_OpenedFromTheAppBar()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoViewerEmail, AppServer.DemoPassword, width: 390, height: 844);
        var shell = new Shell(page);
        await page.GotoAsync("/markets");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.Locator("#sb-nav")).Not.ToBeInViewportAsync();
        await Fx.ShotAsync(page, "phone-markets");

        await page.GetByTestId("nav-toggle").ClickAsync();
        await Assertions.Expect(shell.NavLink("Recommendations")).ToBeInViewportAsync();
        await Fx.ShotAsync(page, "phone-drawer-open");
        await shell.NavLink("Recommendations").ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/recommendations", StringComparison.Ordinal));
        await Assertions.Expect(page.Locator("#sb-nav")).Not.ToBeInViewportAsync(); // closes after navigating
        await Fx.ShotAsync(page, "phone-recommendations");
    }

    [Fact]
    public async Task FollowTheSystem_TracksTheBrowsersPreference_Live()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword, scheme: ColorScheme.Dark);
        var shell = new Shell(page);
        await page.GotoAsync("/app");
        await shell.WaitForCircuitAsync();
        await shell.ChooseThemeAsync("system");
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.theme === 'dark'");
        await shell.ExpectMudDarkAsync(true);
        await Fx.ShotAsync(page, "system-dark");

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.theme === 'light'");
        await shell.ExpectMudDarkAsync(false);

        await shell.ChooseThemeAsync("light");
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.themeMode === 'light'");
    }

    [Fact]
    public async Task TheAccessibilityCheck_FindsWhatAxeReports_OnAPageThatBreaksTheRules()
    {
        var page = await Fx.NewPageAsync();
        // The sign-in page is rendered on the server alone. (An interactive page would need its circuit first: while
        // it starts, the head outlet re-renders and the <title> is briefly absent, and axe reports document-title.)
        await page.GotoAsync("/account/login");
        Assert.DoesNotContain(await AxeRunner.ViolationsAsync(page), v => v.Impact is "serious" or "critical");

        // An image with no text alternative (critical) and grey text on white (serious), in a fresh document.
        await page.SetContentAsync("""
            <html lang="en"><head><title>broken</title></head><body><main><h1>Broken</h1>
            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt">
            <p id="faint" style="color:#d0d0d0;background:#fff">hard to read</p></main></body></html>
            """);
        var violations = await AxeRunner.ViolationsAsync(page);
        var image = Assert.Single(violations, v => v.Id == "image-alt");
        Assert.Equal("critical", image.Impact);
        Assert.Equal("#no-alt", Assert.Single(image.Nodes).Target);
        var contrast = Assert.Single(violations, v => v.Id == "color-contrast");
        Assert.Equal("serious", contrast.Impact);
        Assert.Contains(contrast.Nodes, n => n.Target == "#faint");
    }
}
