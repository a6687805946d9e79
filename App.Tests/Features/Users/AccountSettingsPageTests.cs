using Bunit;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

/// <summary>A user's own pages: their sessions and their two-factor sign-in.</summary>
public sealed class AccountSettingsPageTests : PageTestContext
{
    [Fact]
    public async Task MySessions_RevokingTheOtherDevice_EndsIt_AndShowsOnlyMySessions()
    {
        var tess = await Db.CreateUserAsync("tess@example.com");
        var other = await Db.CreateUserAsync("otto@example.com");
        var laptop = await Db.WithAsync<SessionService, Guid>(s => s.CreateAsync(tess.Id, "192.0.2.10", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"));
        Db.Clock.Advance(TimeSpan.FromHours(1));
        var phone = await Db.WithAsync<SessionService, Guid>(s => s.CreateAsync(tess.Id, "192.0.2.11", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605"));
        await Db.WithAsync<SessionService, Guid>(s => s.CreateAsync(other.Id, "203.0.113.99", "Otto's browser"));
        SignInAs(tess, [Roles.Trader], phone);

        var page = RenderWithProviders<MySessions>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=sessions-table] tbody tr.mud-table-row").Count));
        Assert.DoesNotContain("203.0.113.99", page.Markup);
        var rows = page.FindAll("[data-testid=sessions-table] tbody tr.mud-table-row");
        Assert.Contains("Active · this browser", rows[0].TextContent);
        Assert.Contains("Safari on iOS", rows[0].TextContent);

        await page.InvokeAsync(() => page.FindAll("[data-testid=sessions-table] tbody tr.mud-table-row")[1].QuerySelector("[data-testid=revoke-session]")!.Click());
        Dialogs.WaitForElement("[data-testid=confirm-ok]"); await ClickAsync(Dialogs, "[data-testid=confirm-ok]");
        page.WaitForAssertion(() => Assert.Contains("Ended (revoked by the user)", page.FindAll("[data-testid=sessions-table] tbody tr.mud-table-row")[1].TextContent));
        Snackbars.WaitForAssertion(() => Assert.Contains("Session revoked.", Snackbars.Markup));
        Assert.False(await Db.WithAsync<SessionService, bool>(s => s.IsActiveAsync(laptop, tess.Id)));
        Assert.True(await Db.WithAsync<SessionService, bool>(s => s.IsActiveAsync(phone, tess.Id)));
    }

    [Fact]
    public async Task Security_TurningOnTwoFactor_RefusesAWrongCode_ThenShowsTenRecoveryCodes()
    {
        var vera = await Db.CreateUserAsync("vera@example.com", Roles.Viewer);
        SignInAs(vera, [Roles.Viewer]);
        var qr = JSInterop.SetupModule("./js/qr.js");
        qr.SetupVoid("render", _ => true).SetVoidResult();

        var page = RenderWithProviders<SecuritySettings>();
        page.WaitForAssertion(() => Assert.Equal("Off", page.Find("[data-testid=two-factor-state]").TextContent.Trim()));
        await ClickAsync(page, "[data-testid=two-factor-start]");
        var key = page.WaitForElement("[data-testid=two-factor-key]").TextContent;
        page.WaitForAssertion(() => Assert.Single(qr.Invocations, i => i.Identifier == "render"));

        // Empty, then wrong: clear messages, nothing turned on.
        await ClickAsync(page, "[data-testid=two-factor-verify]");
        page.WaitForAssertion(() => Assert.Contains("Enter the code from your app.", page.Markup));
        await ActAsync(page, "input[data-testid=two-factor-code], [data-testid=two-factor-code] input", e => e.Input("000000"));
        await ClickAsync(page, "[data-testid=two-factor-verify]");
        page.WaitForAssertion(() => Assert.Contains("That code is not right", page.Find("[data-testid=two-factor-message]").TextContent));

        await ActAsync(page, "input[data-testid=two-factor-code], [data-testid=two-factor-code] input", e => e.Input(Totp.Code(key, DateTimeOffset.UtcNow)));
        await ClickAsync(page, "[data-testid=two-factor-verify]");
        page.WaitForAssertion(() => Assert.Equal("On", page.Find("[data-testid=two-factor-state]").TextContent.Trim()));
        Assert.Equal(10, page.FindAll("[data-testid=recovery-codes] li").Count);
        await using var db = await Db.DbAsync();
        Assert.True((await db.Users.SingleAsync(u => u.Id == vera.Id)).TwoFactorEnabled);

        // Turning it off asks first.
        await ClickAsync(page, "[data-testid=two-factor-off]");
        Dialogs.WaitForElement("[data-testid=confirm-cancel]"); await ClickAsync(Dialogs, "[data-testid=confirm-cancel]");
        Assert.Equal("On", page.Find("[data-testid=two-factor-state]").TextContent.Trim());
        await ClickAsync(page, "[data-testid=two-factor-off]");
        Dialogs.WaitForElement("[data-testid=confirm-ok]"); await ClickAsync(Dialogs, "[data-testid=confirm-ok]");
        page.WaitForAssertion(() => Assert.Equal("Off", page.Find("[data-testid=two-factor-state]").TextContent.Trim()));
    }
}
