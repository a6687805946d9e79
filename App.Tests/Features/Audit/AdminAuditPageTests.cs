using Bunit;
using Signalbook.Features.Audit;
using Signalbook.Features.Audit.Admin;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Audit;

public sealed class AdminAuditPageTests : PageTestContext
{
    [Fact]
    public async Task OutcomeFilter_ShowsOnlyFailures_NewestFirst_InUtc()
    {
        Db.Clock.Advance(TimeSpan.FromSeconds(90)); // 14:31:30
        await Db.WithAsync<AuditService, bool>(async a =>
        {
            await a.WriteAsync(new AuditActor(null, "mallory@example.com", "203.0.113.5", "Mozilla/5.0 (Windows NT 10.0) Firefox/140.0"),
                AuditActions.SignInFailed, "user", "mallory@example.com", success: false, details: new { reason = "bad credentials" });
            return true;
        });
        Db.Clock.Advance(TimeSpan.FromMinutes(3.5)); // 14:35:00
        await Db.WithAsync<AuditService, bool>(async a =>
        {
            await a.WriteAsync(new AuditActor(Admin.Id, Admin.Email, "127.0.0.1"), AuditActions.SignIn, "user", Admin.Id.ToString());
            return true;
        });

        SignInAdmin();
        var page = RenderWithProviders<AdminAudit>();
        page.WaitForAssertion(() => Assert.Contains("auth.sign_in_failed", page.Find("[data-testid=audit-grid]").TextContent));
        var rows = page.FindAll("[data-testid=audit-grid] tbody tr.mud-table-row");
        Assert.Contains("2026-11-20 14:35:00", rows[0].TextContent);

        await ActAsync(page, "[data-testid=audit-outcome]", e => e.MouseDown());
        Popovers.WaitForElements(".mud-list-item");
        await Popovers.InvokeAsync(() => Popovers.FindAll(".mud-list-item").Single(i => i.TextContent.Trim() == "Failed").Click());

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=audit-grid] tbody tr.mud-table-row")));
        var failure = page.Find("[data-testid=audit-grid] tbody tr.mud-table-row");
        Assert.Contains("mallory@example.com", failure.TextContent);
        Assert.Contains("2026-11-20 14:31:30", failure.TextContent);
        Assert.Contains("Firefox on Windows", failure.TextContent);
        Assert.Equal("failed", failure.QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status"));
    }
}
