using Microsoft.Playwright;

namespace Signalbook.E2E.Pages;

/// <summary>What every signed-in page has: the circuit, the header's theme switch and sign-out, the navigation.</summary>
public class Shell(IPage page)
{
    public IPage Page { get; } = page;

    /// <summary>Waits until the page is interactive (the Blazor circuit is connected and rendered).</summary>
    public async Task WaitForCircuitAsync()
        => await Page.Locator("#sb-circuit[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });

    public async Task<string> ThemeAsync() => await Page.Locator("html").GetAttributeAsync("data-theme") ?? "";

    /// <summary>Switches between light and dark through the theme menu and waits until the page has repainted.</summary>
    public async Task ToggleThemeAsync()
    {
        var before = await ThemeAsync();
        await ChooseThemeAsync(before == "dark" ? "light" : "dark");
        await Page.WaitForFunctionAsync($"() => document.documentElement.dataset.theme !== '{before}'");
    }

    /// <summary>Picks light, dark or system in the theme menu of the app bar.</summary>
    public async Task ChooseThemeAsync(string mode)
    {
        await Page.GetByTestId("theme-toggle").Locator("button").ClickAsync();
        await Page.GetByTestId($"theme-{mode}").ClickAsync();
    }

    /// <summary>
    /// Waits (10 s at most) until MudBlazor's dark palette is in force, or its light one: the surface colour says which.
    /// The theme provider's render and the script call that marks the page's theme travel as separate messages, so the
    /// mark can come first.
    /// </summary>
    public async Task ExpectMudDarkAsync(bool dark)
        => await Page.WaitForFunctionAsync(
            "dark => (getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-surface').replace(/\\s/g, '') === 'rgba(24,32,49,1)') === dark",
            dark, new() { Timeout = 10_000 });

    public async Task SignOutAsync()
    {
        await Page.GetByTestId("sign-out").ClickAsync();
        await Page.WaitForURLAsync(url => !url.Contains("/app", StringComparison.Ordinal));
    }

    public ILocator NavLink(string text) => Page.Locator("#sb-nav").GetByText(text, new() { Exact = true });
}

public sealed class LoginPage(IPage page)
{
    public async Task SignInAsync(string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/app", StringComparison.Ordinal));
        await new Shell(page).WaitForCircuitAsync();
    }
}

public sealed class LandingPage(IPage page)
{
    public async Task OpenAsync() => await page.GotoAsync("/");

    public async Task JoinAsync(string name, string email, string? referral)
    {
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Email").FillAsync(email);
        if (referral is not null) await page.GetByLabel("How did you hear of us?").FillAsync(referral);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join the waitlist" }).ClickAsync();
    }

    public ILocator Result => page.GetByTestId("waitlist-result");

    public ILocator ValidationMessages => page.Locator(".validation-message");
}

public sealed class AdminWaitlistPage(IPage page) : Shell(page)
{
    public async Task OpenAsync()
    {
        await Page.GotoAsync("/admin/waitlist");
        await WaitForCircuitAsync();
    }

    public async Task SearchAsync(string text)
    {
        await Page.GetByTestId("waitlist-search").FillAsync(text);
        await Page.GetByTestId("waitlist-search").PressAsync("Tab");
    }

    public ILocator Row(string email) => Page.Locator("[data-testid=waitlist-grid] tr", new() { HasText = email });

    /// <summary>Approves the entry and returns the one-time link shown to the admin.</summary>
    public async Task<string> ApproveAsync(string email)
    {
        await Row(email).GetByTestId("approve").ClickAsync();
        await Page.GetByTestId("confirm-ok").ClickAsync(); // approving sends an email: the page asks first
        var link = Page.GetByTestId("invitation-link");
        await link.WaitForAsync();
        return await link.InputValueAsync();
    }
}

public sealed class InstrumentPage(IPage page) : Shell(page)
{
    public static readonly string[] Charts = ["price-chart", "volume-chart", "rsi-chart", "macd-chart"];

    /// <summary>The candle bodies of the price series (ApexCharts draws one path per candle).</summary>
    public const string Candles = "g.apexcharts-series[seriesName=\"Price\"] path";

    public ILocator Chart(string testId) => Page.GetByTestId(testId);

    public async Task ExpectReadyAsync(string testId)
        => await Assertions.Expect(Chart(testId)).ToHaveAttributeAsync("data-chart-ready", "true", new() { Timeout = 60_000 });
}
