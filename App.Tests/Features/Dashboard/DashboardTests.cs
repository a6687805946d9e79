using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using Signalbook.Features.Dashboard;
using Signalbook.Features.Users;
using Signalbook.Features.Waitlist;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Dashboard;

/// <summary>The signed-in home page in bUnit: every user sees their roles; an admin also sees waitlist sign-ups per day by range.</summary>
public sealed class DashboardTests : SignalbookTestContext, IClassFixture<ServiceHarness>
{
    private readonly ServiceHarness _harness;

    public DashboardTests(ServiceHarness harness)
    {
        _harness = harness;
        UseDatabase(harness);
    }

    private void As(string role)
    {
        SignIn(Guid.NewGuid(), $"{role.ToLowerInvariant()}@test.local", role);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public async Task Admin_SwitchingTheRange_CountsTheSignupsOfThatRange()
    {
        await using (var db = await _harness.DbAsync())
        {
            var now = _harness.Clock.GetUtcNow();
            foreach (var (email, age) in new[] { ("recent1@x.test", 1), ("recent2@x.test", 2), ("older@x.test", 20) })
            {
                db.Waitlist.Add(new WaitlistEntry { Email = email, NormalizedEmail = WaitlistService.Normalize(email), Name = email, Status = WaitlistStatus.Pending,
                    CreatedAt = now.AddDays(-age), UpdatedAt = now.AddDays(-age) });
            }
            await db.SaveChangesAsync();
        }
        As(Roles.Admin);
        var page = RenderWithProviders<Signalbook.Features.Dashboard.Dashboard>();

        page.WaitForAssertion(() => Assert.StartsWith("3 sign-ups in the last 30 days · 3 pending review", page.Find("[data-testid=signup-total]").TextContent.Trim()),
            TimeSpan.FromSeconds(10));
        Assert.Equal("true", page.Find("[data-testid=signup-range] button[data-days='30']").GetAttribute("aria-pressed"));

        page.Find("[data-testid=signup-range] button[data-days='14']").Click();
        page.WaitForAssertion(() => Assert.StartsWith("2 sign-ups in the last 14 days", page.Find("[data-testid=signup-total]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Equal("true", page.Find("[data-testid=signup-range] button[data-days='14']").GetAttribute("aria-pressed"));
        Assert.Equal("false", page.Find("[data-testid=signup-range] button[data-days='30']").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void Trader_SeesTheirRoles_AndNoWaitlist()
    {
        As(Roles.Trader);
        var page = RenderWithProviders<Signalbook.Features.Dashboard.Dashboard>();
        page.WaitForAssertion(() => Assert.Equal("Trader", page.Find("[data-testid=my-roles]").TextContent.Trim()));
        Assert.Empty(page.FindAll("[data-testid=signups-card]"));
    }

    [Fact]
    public void Welcome_IsShownAfterRegistering_AndCanBeClosed()
    {
        As(Roles.Trader);
        Services.GetRequiredService<NavigationManager>().NavigateTo("/app?welcome=1");
        var page = RenderWithProviders<Signalbook.Features.Dashboard.Dashboard>();
        var welcome = page.WaitForElement("[data-testid=welcome]");
        Assert.Contains("Your account is ready", welcome.TextContent);
        welcome.QuerySelector("button")!.Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=welcome]")));
    }
}
