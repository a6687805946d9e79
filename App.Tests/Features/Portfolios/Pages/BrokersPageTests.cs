using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Portfolios.Pages;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Portfolios.Pages;

/// <summary>Settings → Brokers: Alpaca keys added (encrypted, shown only by their hint), refused by field, revoked; the portfolio settings tab then offers them.</summary>
public sealed class BrokersPageTests : PortfolioPagesTestContext
{
    [Fact]
    public async Task Brokers_AddKeys_ShowsOnlyTheHint_RefusesAnEmptyKeyIdOnItsField_RevokesAfterConfirming_AndThePortfolioOffersThem()
    {
        var trader = await Data.CreateUserAsync("keys-trader@test.local");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);
        IRenderedComponent<IComponent> page = RenderWithProviders<BrokersPage>();
        page.WaitForElement("[data-testid=keys-empty]");

        await TypeAsync(page, "key-label", "Alpaca paper");
        await TypeAsync(page, "key-secret", "s3cr3t-value-123456");
        await ClickAsync(page, "[data-testid=key-save]");
        page.WaitForAssertion(() => Assert.Contains("Key id is empty", FieldText(page, "key-id")));

        await TypeAsync(page, "key-id", "PKTESTKEY0001ABCD");
        await ClickAsync(page, "[data-testid=key-save]");
        page.WaitForElement("[data-testid=key-row]");
        var row = page.Find("[data-testid=key-row]");
        Assert.Contains("…ABCD", row.TextContent);
        Assert.DoesNotContain("s3cr3t", page.Markup);
        Assert.DoesNotContain("PKTESTKEY0001ABCD", page.Markup);
        await using (var db = await Data.DbAsync())
        {
            var stored = await db.BrokerCredentials.SingleAsync(k => k.UserId == trader.Id);
            Assert.DoesNotContain("s3cr3t", stored.ProtectedSecret);
            Assert.Equal("paper", stored.Environment);
        }

        await ClickAsync(page, "[data-testid=key-revoke]");
        Dialogs.WaitForElement("[data-testid=confirm-ok]");
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-ok]").Click());
        page.WaitForAssertion(() => Assert.Equal("revoked", page.Find("[data-testid=key-row] [data-testid=status-chip]").GetAttribute("data-status")));
        Assert.Empty(page.FindAll("[data-testid=key-revoke]"));
    }

    [Fact]
    public async Task PortfolioSettings_OfferTheOwnersActiveKeys_ByLabelAndHint()
    {
        var trader = await Data.CreateUserAsync("keys-owner@test.local");
        await Data.WithAsync<Signalbook.Features.Portfolios.Brokers.BrokerCredentialStore, object>(async s =>
            await s.SaveAsync(trader.Id, "alpaca", "paper", "Alpaca paper", "PKOWNERKEY0001WXYZ", "secret-value-0001"));
        var portfolio = await Data.CreatePortfolioAsync(trader.Id, "Keys");
        await using (var db = await Data.DbAsync())
            await db.Portfolios.Where(p => p.Id == portfolio).ExecuteUpdateAsync(u => u.SetProperty(p => p.BrokerPlugin, "alpaca"));
        SignInAs(trader.Id, trader.Email!, Roles.Trader);
        IRenderedComponent<IComponent> settings = RenderWithProviders<PortfolioPage>(p => p.Add(c => c.Id, portfolio));
        settings.WaitForElement("[data-testid=portfolio-tabs]");
        await TabAsync(settings, "Settings");
        settings.WaitForAssertion(() => Assert.Contains("The key pair this portfolio trades with", settings.Markup));
    }

    [Fact]
    public async Task Brokers_ForAViewer_OfferNoForm()
    {
        var viewer = await Data.CreateUserAsync("keys-viewer@test.local", Roles.Viewer);
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);
        IRenderedComponent<IComponent> page = RenderWithProviders<BrokersPage>();
        page.WaitForElement("[data-testid=brokers-read-only]");
        Assert.Empty(page.FindAll("[data-testid=key-save]"));
    }
}
