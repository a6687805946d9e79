using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Audit;
using Signalbook.Features.Users;
using Signalbook.Features.Users.Admin;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

public sealed class AdminUsersPageTests : PageTestContext
{
    private IRenderedComponent<AdminUsers> Open()
    {
        SignInAdmin();
        var page = RenderWithProviders<AdminUsers>();
        page.WaitForAssertion(() => Assert.Contains(Admin.Email!, page.Find("[data-testid=users-grid]").TextContent));
        return page;
    }

    private static IElement Row(IRenderedComponent<AdminUsers> page, string email)
        => page.FindAll("[data-testid=users-grid] tbody tr").Single(r => r.TextContent.Contains(email, StringComparison.Ordinal));

    [Fact]
    public async Task Deactivate_AsksFirst_ThenTheRowSaysDeactivated_AndTheUserIsSignedOut()
    {
        var rosa = await Db.CreateUserAsync("rosa@example.com", Roles.Viewer);
        var page = Open();
        Assert.Equal("Active", Row(page, "rosa@").QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status"));

        // Cancel: nothing changes.
        await page.InvokeAsync(() => Row(page, "rosa@").QuerySelector("[data-testid=toggle-active]")!.Click());
        Dialogs.WaitForElement("[data-testid=confirm-cancel]"); await ClickAsync(Dialogs, "[data-testid=confirm-cancel]");
        await using (var db = await Db.DbAsync()) Assert.True((await db.Users.SingleAsync(u => u.Id == rosa.Id)).IsActive);

        await page.InvokeAsync(() => Row(page, "rosa@").QuerySelector("[data-testid=toggle-active]")!.Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("Deactivate rosa@example.com?", Dialogs.Markup));
        await ClickAsync(Dialogs, "[data-testid=confirm-ok]");

        page.WaitForAssertion(() => Assert.Equal("Deactivated", Row(page, "rosa@").QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status")));
        Snackbars.WaitForAssertion(() => Assert.Contains("rosa@example.com is deactivated and signed out everywhere.", Snackbars.Markup));
        Assert.Equal("Reactivate", Row(page, "rosa@").QuerySelector("[data-testid=toggle-active]")!.TextContent.Trim());
        await using var check = await Db.DbAsync();
        Assert.False((await check.Users.SingleAsync(u => u.Id == rosa.Id)).IsActive);
        Assert.True(await check.AuditLogs.AnyAsync(a => a.Action == AuditActions.UserDeactivated && a.ResourceId == rosa.Id.ToString() && a.UserId == Admin.Id));
    }

    [Fact]
    public async Task GrantingARole_AfterConfirming_PressesItsToggle()
    {
        await Db.CreateUserAsync("vic@example.com", Roles.Viewer);
        var page = Open();
        Assert.Equal("false", Row(page, "vic@").QuerySelector("[data-testid=role-Trader]")!.GetAttribute("aria-pressed"));
        await page.InvokeAsync(() => Row(page, "vic@").QuerySelector("[data-testid=role-Trader]")!.Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("Give vic@example.com the Trader role?", Dialogs.Markup));
        await ClickAsync(Dialogs, "[data-testid=confirm-ok]");

        page.WaitForAssertion(() => Assert.Equal("true", Row(page, "vic@").QuerySelector("[data-testid=role-Trader]")!.GetAttribute("aria-pressed")));
        Assert.Equal("true", Row(page, "vic@").QuerySelector("[data-testid=role-Viewer]")!.GetAttribute("aria-pressed"));
        Snackbars.WaitForAssertion(() => Assert.Contains("vic@example.com is now Trader.", Snackbars.Markup));
    }

    [Fact]
    public async Task RemovingYourOwnAdminRole_IsRefused_WithTheReason()
    {
        var page = Open();
        await page.InvokeAsync(() => Row(page, Admin.Email!).QuerySelector("[data-testid=role-Admin]")!.Click());
        Dialogs.WaitForElement("[data-testid=confirm-ok]"); await ClickAsync(Dialogs, "[data-testid=confirm-ok]");
        Snackbars.WaitForAssertion(() => Assert.Contains("You cannot remove your own Admin role.", Snackbars.Markup));
        Assert.Equal("true", Row(page, Admin.Email!).QuerySelector("[data-testid=role-Admin]")!.GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task Search_NarrowsTheGridInTheDatabase_AndShowsAnEmptyStateWhenNothingMatches()
    {
        await Db.CreateUserAsync("alma@example.com");
        await Db.CreateUserAsync("bert@example.com");
        var page = Open();
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row").Count));

        await ActAsync(page, "input[data-testid=users-search], [data-testid=users-search] input", e => e.Input("alma"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=users-grid] tbody tr.mud-table-row")));
        Assert.Contains("alma@example.com", page.Find("[data-testid=users-grid]").TextContent);
        Assert.Contains("1-1 of 1 users", page.Markup);

        await ActAsync(page, "input[data-testid=users-search], [data-testid=users-search] input", e => e.Input("nobody-by-that-name"));
        page.WaitForAssertion(() => Assert.Equal("No users match", page.Find(".sb-empty-title").TextContent));
    }

    [Fact]
    public async Task Delete_IsDestructive_AndTheUserLeavesTheDefaultList()
    {
        await Db.CreateUserAsync("gone@example.com");
        var page = Open();
        await page.InvokeAsync(() => Row(page, "gone@").QuerySelector("[data-testid=delete-user]")!.Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("mud-button-filled-error", Dialogs.Find("[data-testid=confirm-ok]").ClassName));
        await ClickAsync(Dialogs, "[data-testid=confirm-ok]");
        page.WaitForAssertion(() => Assert.DoesNotContain("gone@example.com", page.Find("[data-testid=users-grid]").TextContent));
        Snackbars.WaitForAssertion(() => Assert.Contains("gone@example.com is deleted.", Snackbars.Markup));

        await ActAsync(page, "[data-testid=users-include-deleted]", e => e.Change(true));
        page.WaitForAssertion(() => Assert.Equal("Deleted", Row(page, "gone@").QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status")));
    }

    [Fact]
    public async Task Sessions_OfAUser_CanBeRevokedByTheAdmin()
    {
        var sam = await Db.CreateUserAsync("sam@example.com");
        var sid = await Db.WithAsync<SessionService, Guid>(s => s.CreateAsync(sam.Id, "192.0.2.9", "Mozilla/5.0 (Macintosh; Mac OS X) Safari/605"));
        var page = Open();
        Assert.Contains("Sessions (1)", Row(page, "sam@").TextContent);
        await page.InvokeAsync(() => Row(page, "sam@").QuerySelector("[data-testid=show-sessions]")!.Click());
        var sessions = page.WaitForElement("[data-testid=user-sessions]");
        page.WaitForAssertion(() => Assert.Contains("Safari on macOS", page.Find("[data-testid=user-sessions]").TextContent));
        Assert.Contains("Sessions of sam@example.com", sessions.TextContent);

        await page.InvokeAsync(() => page.Find("[data-testid=user-sessions] [data-testid=revoke-session]").Click());
        Dialogs.WaitForElement("[data-testid=confirm-ok]"); await ClickAsync(Dialogs, "[data-testid=confirm-ok]");
        page.WaitForAssertion(() => Assert.Contains("Ended (revoked by an admin)", page.Find("[data-testid=user-sessions]").TextContent));
        page.WaitForAssertion(() => Assert.Contains("Sessions (0)", Row(page, "sam@").TextContent));
        Assert.False(await Db.WithAsync<SessionService, bool>(s => s.IsActiveAsync(sid, sam.Id)));
    }
}
