using Bunit;
using Signalbook.Features.Audit;
using Signalbook.Features.Audit.Activity;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Audit.Activity;

/// <summary>Settings → Activity at /settings/activity: the user's own sign-ins and changes, filtered, and nobody else's.</summary>
public sealed class MyActivityPageTests : PageTestContext
{
    [Fact]
    public async Task ShowsTheUsersSignInsWithAddressAndBrowser_NotAnotherUsers_AndFiltersFailures()
    {
        var me = await Db.CreateUserAsync($"me-{Guid.NewGuid():N}@test.local");
        var other = await Db.CreateUserAsync($"other-{Guid.NewGuid():N}@test.local");
        await Db.WithAsync<AuditService, bool>(async a =>
        {
            await a.WriteAsync(new AuditActor(me.Id, me.Email, "198.51.100.4", "Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/140.0"), AuditActions.SignIn, "user", me.Id.ToString());
            await a.WriteAsync(new AuditActor(other.Id, other.Email, "192.0.2.77", "Mozilla/5.0 (Macintosh) Version/18.0 Safari/605.1.15"), AuditActions.SignIn, "user", other.Id.ToString());
            Db.Clock.Advance(TimeSpan.FromMinutes(2));
            await a.WriteAsync(new AuditActor(null, me.Email, "203.0.113.9", "curl/8.5"), AuditActions.SignInFailed, "user", me.Email, success: false,
                details: new { reason = "bad credentials" });
            return true;
        });
        SignInAs(me, [Roles.Trader]);

        var page = RenderWithProviders<MyActivity>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=activity-row]").Count));
        var grid = page.Find("[data-testid=activity-grid]").TextContent;
        Assert.Contains("198.51.100.4", grid);
        Assert.Contains("Firefox on Windows", grid);
        Assert.Contains("Failed sign-in attempt", grid);
        Assert.Contains("2026-11-20 14:32:00", grid);
        Assert.DoesNotContain("192.0.2.77", grid);
        Assert.Contains("Signed in", page.FindAll("[data-testid=activity-row]")[1].TextContent);

        await ActAsync(page, "[data-testid=activity-outcome]", e => e.MouseDown());
        Popovers.WaitForElements(".mud-list-item");
        await Popovers.InvokeAsync(() => Popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == "Failed").Click());
        page.WaitForAssertion(() => Assert.Contains("Failed sign-in attempt", Assert.Single(page.FindAll("[data-testid=activity-row]")).TextContent));
        Assert.Contains("203.0.113.9", page.Find("[data-testid=activity-grid]").TextContent);
    }

    [Fact]
    public async Task AUserWithNoActivity_SeesTheEmptyState()
    {
        var user = await Db.CreateUserAsync($"quiet-{Guid.NewGuid():N}@test.local");
        SignInAs(user, [Roles.Viewer]);
        var page = RenderWithProviders<MyActivity>();
        page.WaitForAssertion(() => Assert.Contains("No activity yet", page.Find("[data-testid=activity-grid]").TextContent));
    }
}
