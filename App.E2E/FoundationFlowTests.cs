using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

[Collection(E2ECollection.Name)]
public sealed class FoundationFlowTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task Visitor_JoinsWaitlist_AdminApproves_InviteeRegisters_SwitchesTheme_SignsOut()
    {
        var email = $"invitee-{Guid.NewGuid().ToString("N")[..12]}@example.com";

        // A visitor joins the waitlist: an enhanced form post (no full page load).
        var visitor = await Fx.NewPageAsync();
        var landing = new LandingPage(visitor);
        await landing.OpenAsync();
        await Fx.ShotAsync(visitor, "landing");
        await visitor.EvaluateAsync("() => window.__sbNoReload = true");
        await landing.JoinAsync("Ines Invitee", email, "A friend");
        await Assertions.Expect(landing.Result).ToContainTextAsync("You are on the list");
        Assert.True(await visitor.EvaluateAsync<bool>("() => window.__sbNoReload === true"), "the waitlist post reloaded the whole page");
        await Fx.ShotAsync(visitor, "landing-joined");

        // The admin approves it: a click in the circuit changes the database and the page shows the link.
        var adminPage = await Fx.NewPageAsync();
        await new LoginPage(adminPage).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        await Fx.ShotAsync(adminPage, "admin-dashboard");
        var waitlist = new AdminWaitlistPage(adminPage);
        await waitlist.OpenAsync();
        await waitlist.SearchAsync(email);
        await Assertions.Expect(waitlist.Row(email)).ToContainTextAsync("Pending");
        await Fx.AssertAccessibleAsync(adminPage, "admin waitlist");
        // Approving asks first (an invitation is emailed), then shows the one-time link.
        await waitlist.Row(email).GetByTestId("approve").ClickAsync();
        await adminPage.GetByTestId("confirm-ok").ClickAsync();
        var link = await adminPage.GetByTestId("invitation-link").InputValueAsync();
        await Assertions.Expect(waitlist.Row(email)).ToContainTextAsync("Invited");
        Assert.Contains("/account/register?invite=", link);
        await Fx.ShotAsync(adminPage, "admin-waitlist-approved");

        // The outbox holds the invitation email with the same link.
        await waitlist.NavLink("Outbox").ClickAsync();
        await Assertions.Expect(adminPage.GetByTestId("outbox-grid")).ToContainTextAsync(email);
        await adminPage.GetByTestId("outbox-grid").Locator("tr", new() { HasText = email }).GetByTestId("read-email").ClickAsync();
        await Assertions.Expect(adminPage.GetByTestId("outbox-body")).ToContainTextAsync(link);
        await Fx.ShotAsync(adminPage, "admin-outbox");

        // The invitee registers through the link and lands signed in on the dashboard.
        var invitee = await Fx.NewPageAsync();
        await invitee.GotoAsync(link);
        await Assertions.Expect(invitee.GetByLabel("Email")).ToHaveValueAsync(email);
        await Fx.ShotAsync(invitee, "register");
        await invitee.GetByLabel("Password", new() { Exact = true }).FillAsync("Invitee-Pass-2026");
        await invitee.GetByLabel("Confirm password").FillAsync("Invitee-Pass-2026");
        await invitee.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await invitee.WaitForURLAsync(url => url.Contains("/app", StringComparison.Ordinal));
        var shell = new Shell(invitee);
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(invitee.GetByTestId("my-roles")).ToHaveTextAsync("Trader");
        await Assertions.Expect(shell.NavLink("Users")).ToHaveCountAsync(0); // no admin navigation for a trader
        await Fx.ShotAsync(invitee, "trader-dashboard-light");

        // The same link cannot be used twice.
        var again = await Fx.NewPageAsync();
        await again.GotoAsync(link);
        await Assertions.Expect(again.GetByTestId("register-blocked")).ToContainTextAsync("already been used");
        await Fx.ShotAsync(again, "register-link-used");

        // Theme: switched live, and kept for the next page load.
        Assert.Equal("light", await shell.ThemeAsync());
        await shell.ToggleThemeAsync();
        Assert.Equal("dark", await shell.ThemeAsync());
        await shell.ExpectMudDarkAsync(true); // without a reload
        await invitee.ReloadAsync();
        await shell.WaitForCircuitAsync();
        Assert.Equal("dark", await shell.ThemeAsync());
        await Fx.ShotAsync(invitee, "trader-dashboard-dark");
        await invitee.GotoAsync("/settings/sessions");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(invitee.GetByTestId("sessions-table")).ToContainTextAsync("this browser");
        await Fx.ShotAsync(invitee, "my-sessions-dark");

        // Sign out: back to the public site; the dashboard now asks for a sign-in.
        await shell.SignOutAsync();
        await invitee.GotoAsync("/app");
        await invitee.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        await Fx.ShotAsync(invitee, "login-after-sign-out");
    }

    [Fact]
    public async Task BadSignup_ShowsEachValidationMessage_AndStoresNothing()
    {
        var page = await Fx.NewPageAsync();
        var landing = new LandingPage(page);
        await landing.OpenAsync();
        await landing.JoinAsync("", "not-an-email", null);
        await Assertions.Expect(landing.ValidationMessages).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#wl-name-error")).ToContainTextAsync("Please tell us your name.");
        await Assertions.Expect(page.Locator("#wl-email-error")).ToContainTextAsync("does not look like an email address");
        await Assertions.Expect(landing.Result).ToHaveCountAsync(0);
        await Fx.ShotAsync(page, "landing-validation");
    }

    [Fact]
    public async Task SessionRevokedFromAnotherBrowser_IsSignedOutOnItsNextRequest()
    {
        // Two browser contexts = two devices of one admin. The laptop's user agent is its own, so its row is found by it
        // (other tests sign the admin in at the same time, on the shared server).
        var laptopAgent = $"Mozilla/5.0 (X11; Linux x86_64) SignalbookE2ELaptop/{Guid.NewGuid():N} Chrome/140.0.0.0";
        var laptop = await Fx.NewPageAsync(userAgent: laptopAgent);
        await new LoginPage(laptop).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        var phone = await Fx.NewPageAsync(390, 844);
        await new LoginPage(phone).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        await Fx.ShotAsync(phone, "phone-dashboard");

        await phone.GotoAsync("/settings/sessions");
        await new Shell(phone).WaitForCircuitAsync();
        await Fx.ShotAsync(phone, "phone-sessions");
        var laptopRow = phone.Locator("[data-testid=sessions-table] tbody tr", new() { HasText = "Active" })
            .Filter(new() { Has = phone.Locator($"[title='{laptopAgent}']") });
        await Assertions.Expect(laptopRow).ToHaveCountAsync(1);
        await laptopRow.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(phone.Locator(".mud-dialog")).ToContainTextAsync("Revoke this session?");
        await phone.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(phone.Locator(".mud-snackbar")).ToContainTextAsync("Session revoked");

        await laptop.GotoAsync("/app");
        await laptop.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        await Fx.ShotAsync(laptop, "revoked-laptop-login");

        // The phone itself stays signed in.
        await phone.GotoAsync("/app");
        await new Shell(phone).WaitForCircuitAsync();
        Assert.Contains("/app", phone.Url);
    }

    [Fact]
    public async Task AdminDashboardChart_Renders_AndUpdatesInPlaceWhenTheRangeChanges()
    {
        var page = await Fx.NewPageAsync();
        await new LoginPage(page).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        await Assertions.Expect(page.GetByTestId("signups-card")).ToHaveAttributeAsync("data-loaded", "true");
        var chart = page.GetByTestId("signups-chart");
        await Assertions.Expect(chart).ToHaveAttributeAsync("data-chart-ready", "true");
        await Assertions.Expect(chart.Locator("svg.apexcharts-svg")).ToHaveCountAsync(1);
        await chart.EvaluateAsync("el => el.__sbSameElement = true");

        await page.GetByTestId("signup-range").GetByText("90 days").ClickAsync();
        await Assertions.Expect(page.GetByTestId("signup-total")).ToContainTextAsync("last 90 days");
        try
        {
            await Assertions.Expect(chart).ToHaveAttributeAsync("data-chart-updates", "1", new() { Timeout = 15_000 });
        }
        catch (PlaywrightException)
        {
            throw new Xunit.Sdk.XunitException("chart not updated. Browser: " + string.Join("\n", Fx.ConsoleErrors) + "\nServer: " + Fx.Server.Output);
        }
        Assert.True(await chart.EvaluateAsync<bool>("el => el.__sbSameElement === true"), "the chart element was replaced");
        Assert.Equal(1, await chart.Locator("svg.apexcharts-svg").CountAsync());
        await Fx.ShotAsync(page, "admin-dashboard-90-days");

        // Closing the tab drops the circuit; the chart's disposal must not fail on the lost connection.
        var logBefore = Fx.Server.Output.Length;
        await page.Context.CloseAsync();
        await Task.Delay(2500);
        var after = Fx.Server.Output[logBefore..];
        Assert.DoesNotContain("fail:", after);
        Assert.DoesNotContain("Exception", after);
    }

    [Fact]
    public async Task EnhancedNavigation_BetweenAdminPages_DoesNotReloadThePage()
    {
        var page = await Fx.NewPageAsync();
        await new LoginPage(page).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        var shell = new Shell(page);
        // Blazor's script is running (it handles the links) only once the circuit is up: a click before it is a plain load.
        await shell.WaitForCircuitAsync();
        await page.EvaluateAsync("() => window.__sbNoReload = true");
        await shell.NavLink("Users").ClickAsync();
        await page.WaitForURLAsync("**/admin/users");
        await Assertions.Expect(page.GetByTestId("users-grid")).ToContainTextAsync(AppServer.AdminEmail);
        await Fx.ShotAsync(page, "admin-users");
        await shell.NavLink("Audit log").ClickAsync();
        await page.WaitForURLAsync("**/admin/audit");
        await Assertions.Expect(page.GetByTestId("audit-grid")).ToContainTextAsync("auth.sign_in");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sbNoReload === true"), "navigation reloaded the page");
        await Fx.ShotAsync(page, "admin-audit");
    }

    [Fact]
    public async Task Trader_OpeningAnAdminPage_SeesAccessDenied_AndAnonymousIsSentToSignIn()
    {
        var page = await Fx.NewPageAsync();
        await new LoginPage(page).SignInAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        await Assertions.Expect(new Shell(page).NavLink("Administration")).ToHaveCountAsync(0);
        await page.GotoAsync("/admin/users");
        await page.WaitForURLAsync(url => url.Contains("/account/access-denied", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "trader-access-denied");

        var anonymous = await Fx.NewPageAsync();
        await anonymous.GotoAsync("/admin/users");
        await anonymous.WaitForURLAsync(url => url.Contains("/account/login", StringComparison.Ordinal));
        await Fx.ShotAsync(anonymous, "login");
    }

    [Fact]
    public async Task TwoFactor_SetUpWithTheQrPage_ThenSignInAsksForTheAppsCode()
    {
        // An account of its own: turning two-factor on changes the security stamp, which signs out every other session of the
        // account, and the shared demo accounts are in use by tests running alongside.
        const string email = "two-factor@e2e.test", password = "Two-Factor-E2e-1";
        await TestUsers.CreateAsync(Fx.Server.ConnectionString, email, password);
        var page = await Fx.NewPageAsync();
        await new LoginPage(page).SignInAsync(email, password);
        await page.GotoAsync("/settings/security");
        await new Shell(page).WaitForCircuitAsync();
        await page.GetByTestId("two-factor-start").ClickAsync();
        await Assertions.Expect(page.GetByTestId("two-factor-qr").Locator("svg")).ToHaveCountAsync(1);
        var key = await page.GetByTestId("two-factor-key").InnerTextAsync();
        await Fx.ShotAsync(page, "security-setup-qr");

        await page.GetByTestId("two-factor-code").FillAsync(Signalbook.Tests.Infrastructure.Totp.Code(key, DateTimeOffset.UtcNow));
        await page.GetByTestId("two-factor-verify").ClickAsync();
        await Assertions.Expect(page.GetByTestId("two-factor-state")).ToHaveTextAsync("On");
        await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await Fx.ShotAsync(page, "security-enabled");
        await new Shell(page).SignOutAsync();

        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/account/login-2fa", StringComparison.Ordinal));
        await Fx.ShotAsync(page, "login-2fa");
        await page.GetByLabel("Authenticator code").FillAsync(Signalbook.Tests.Infrastructure.Totp.Code(key, DateTimeOffset.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/app", StringComparison.Ordinal));
        await new Shell(page).WaitForCircuitAsync();

        await page.GotoAsync("/settings/security");
        await new Shell(page).WaitForCircuitAsync();
        await page.GetByTestId("two-factor-off").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("two-factor-state")).ToHaveTextAsync("Off");
    }

    [Fact]
    public async Task Markets_ListsTheDemoUniverse_AndSearchesIt()
    {
        var page = await Fx.NewPageAsync();
        await new LoginPage(page).SignInAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        await new Shell(page).NavLink("Markets").ClickAsync();
        await page.WaitForURLAsync("**/markets");
        var grid = page.GetByTestId("markets-grid");
        await Assertions.Expect(grid.Locator(".mud-table-pagination")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\bof 30\b"));
        await Fx.ShotAsync(page, "markets");

        await page.GetByTestId("markets-search").FillAsync("Alpine");
        await page.GetByTestId("markets-search").PressAsync("Tab");
        await Assertions.Expect(grid.Locator(".mud-table-pagination")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\bof 1\b"));
        await Assertions.Expect(grid).ToContainTextAsync("ALPX");
        await Fx.ShotAsync(page, "markets-search");
    }
}
