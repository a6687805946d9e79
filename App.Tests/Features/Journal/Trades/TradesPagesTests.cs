using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Trades;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Portfolios.Pages;

namespace Signalbook.Tests.Features.Journal.Trades;

/// <summary>The trades grid and the campaign page over the real services and a test database, driven as a trader would.</summary>
public sealed class TradesPagesTests : PortfolioPagesTestContext
{
    private static readonly DateTimeOffset T0 = JournalTradesSeed.Start;

    private static IReadOnlyList<string> Rows(IRenderedComponent<IComponent> page)
        => page.FindAll("[data-testid=trade-link]").Select(a => a.TextContent.Trim()).ToList();

    [Fact]
    public async Task TradesPage_ListsTheCallersCampaigns_WithSignedPnl_AndTheOutcomeFilterNarrowsAndGoesInTheUrl()
    {
        var trader = await Data.CreateUserAsync("grid-page@test.local");
        var other = await Data.CreateUserAsync("grid-other@test.local");
        var win = await Data.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);
        await Data.RoundTripAsync(trader.Id, "MSFT", 5, 200, 190, T0.AddDays(2));
        await Data.RoundTripAsync(other.Id, "NVDA", 1, 10, 20, T0);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<TradesPage>();
        page.WaitForAssertion(() => Assert.Equal(["MSFT", "AAPL"], Rows(page)));
        var pnl = page.FindAll("[data-testid=trade-pnl]").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["−50.00 USD", "+100.00 USD"], pnl);
        Assert.Equal("down", page.FindAll("[data-testid=trade-pnl]")[0].GetAttribute("title"));
        Assert.Equal($"/journal/trades/{win}", page.FindAll("[data-testid=trade-link]")[1].GetAttribute("href"));

        Choose(page, "filter-outcome", "Loss");
        page.WaitForAssertion(() => Assert.Equal(["MSFT"], Rows(page)));
        Assert.Contains("outcome=loss", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task TradesPage_ReadsItsFiltersFromTheUrl()
    {
        var trader = await Data.CreateUserAsync("url@test.local");
        await Data.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);
        await Data.RoundTripAsync(trader.Id, "MSFT", 10, 100, 90, T0, shortSide: true);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);
        Services.GetRequiredService<NavigationManager>().NavigateTo("/journal/trades?side=short");

        IRenderedComponent<IComponent> page = RenderWithProviders<TradesPage>();
        page.WaitForAssertion(() => Assert.Equal(["MSFT"], Rows(page)));
        Assert.Equal("Short", page.Find("[data-testid=trade-direction]").TextContent.Trim());
    }

    [Fact]
    public async Task TradesPage_WithNoTrades_ShowsTheEmptyStateLinkingToImport()
    {
        var trader = await Data.CreateUserAsync("empty-trades@test.local");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<TradesPage>();
        page.WaitForAssertion(() => Assert.Equal("No trades yet", page.Find(".sb-empty-title").TextContent));
        Assert.Equal("/journal/import", page.Find("[data-testid=trades-empty-import]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=trades-grid]"));
    }

    [Fact]
    public async Task CampaignPage_ShowsFiguresChartAndLegs_AndAContextAddedInTheDialogShowsItsNudge()
    {
        var trader = await Data.CreateUserAsync("campaign-page@test.local");
        await Data.AddInstrumentWithBarsAsync("AAPL");
        var group = await Data.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<CampaignPage>(p => p.Add(c => c.GroupId, group));
        page.WaitForElement("[data-testid=campaign-figures]");
        Assert.Equal("+100.00 USD", page.Find("[data-testid=figure-pnl]").TextContent.Trim());
        Assert.Equal("+10.00%", page.Find("[data-testid=figure-return]").TextContent.Trim());
        Assert.Equal("1 d", page.Find("[data-testid=figure-held]").TextContent.Trim());
        Assert.Equal("win", page.Find("[data-testid=campaign-outcome]").GetAttribute("data-outcome"));
        Assert.NotNull(page.Find("[data-testid=campaign-chart]"));
        Assert.Equal(2, page.FindAll("[data-testid=leg-row]").Count);
        Assert.NotNull(page.Find("[data-testid=contexts-empty]"));

        // Add context on the opening fill without a stop: the trader's stop rule fails and its nudge shows.
        await page.InvokeAsync(() => page.FindAll("[data-testid=leg-context]")[0].Click());
        Dialogs.WaitForElement("[data-testid=context-hypothesis]");
        IRenderedComponent<IComponent> dialog = Dialogs;
        await TypeAsync(dialog, "context-hypothesis", "Range breakout on volume.");
        await TypeAsync(dialog, "context-stop", "104"); // above a long entry: refused on its field
        await ClickAsync(dialog, "[data-testid=context-submit]");
        Dialogs.WaitForAssertion(() => Assert.Contains("must be below the entry", FieldText(dialog, "context-stop")));
        await TypeAsync(dialog, "context-stop", "");
        await ClickAsync(dialog, "[data-testid=context-submit]");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=context-card]")));
        Dialogs.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=context-dialog]")));
        var check = page.Find($"[data-testid=check][data-check={NudgeRuleCodes.StopLossRequired}]");
        Assert.Contains("no stop", check.TextContent);
        Assert.Equal("Critical", check.QuerySelector("[data-testid=check-severity]")!.TextContent.Trim());
        Assert.Contains("Range breakout on volume.", page.Find("[data-testid=context-hypothesis-text]").TextContent);
        Assert.Contains("Edit context", page.FindAll("[data-testid=leg-context]")[0].TextContent);

        // Acknowledge it: the page says so and the database has it.
        await page.InvokeAsync(() => check.QuerySelector("[data-testid=check-acknowledge]")!.Click());
        page.WaitForAssertion(() => Assert.NotNull(page.Find($"[data-testid=check][data-check={NudgeRuleCodes.StopLossRequired}] [data-testid=check-acknowledged]")));
        await using var db = await Data.DbAsync();
        Assert.True(await db.CampaignChecks.AnyAsync(c => c.CheckType == NudgeRuleCodes.StopLossRequired && c.Acknowledged));
    }

    [Fact]
    public async Task CampaignPage_CorrectALeg_RebuildsTheTradeFromTheReplacement()
    {
        var trader = await Data.CreateUserAsync("correct-page@test.local");
        var group = await Data.RoundTripAsync(trader.Id, "AAPL", 10, 100, 110, T0);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<CampaignPage>(p => p.Add(c => c.GroupId, group));
        page.WaitForElement("[data-testid=campaign-figures]");
        Assert.NotNull(page.Find("[data-testid=campaign-no-chart]"));
        await page.InvokeAsync(() => page.FindAll("[data-testid=leg-correct]")[1].Click());
        Dialogs.WaitForElement("[data-testid=fill-price]");
        IRenderedComponent<IComponent> dialog = Dialogs;
        await TypeAsync(dialog, "fill-price", "120");
        await ClickAsync(dialog, "[data-testid=fill-submit]");
        page.WaitForAssertion(() => Assert.Equal("+200.00 USD", page.Find("[data-testid=figure-pnl]").TextContent.Trim()));
        await using var db = await Data.DbAsync();
        Assert.Equal(4, await db.TradeFills.CountAsync(f => f.UserId == trader.Id));
    }

    [Fact]
    public async Task CampaignPage_OfAnotherTrader_ShowsNotFound_AndNoneOfTheirData()
    {
        var owner = await Data.CreateUserAsync("owner-page@test.local");
        var group = await Data.RoundTripAsync(owner.Id, "SECRET", 10, 100, 110, T0);
        var thief = await Data.CreateUserAsync("thief-page@test.local");
        SignInAs(thief.Id, thief.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<CampaignPage>(p => p.Add(c => c.GroupId, group));
        page.WaitForElement("[data-testid=campaign-not-found]");
        Assert.DoesNotContain("SECRET", page.Markup);
        Assert.Empty(page.FindAll("[data-testid=leg-row]"));
    }

    [Fact]
    public async Task CampaignPage_ForAViewer_IsReadOnly()
    {
        var viewer = await Data.CreateUserAsync("viewer-page@test.local", Roles.Viewer);
        var group = await Data.RoundTripAsync(viewer.Id, "AAPL", 10, 100, 110, T0); // set-up writes as a trader would have
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);

        IRenderedComponent<IComponent> page = RenderWithProviders<CampaignPage>(p => p.Add(c => c.GroupId, group));
        page.WaitForElement("[data-testid=campaign-figures]");
        Assert.NotNull(page.Find("[data-testid=read-only-note]"));
        Assert.Empty(page.FindAll("[data-testid=leg-context]"));
        Assert.Empty(page.FindAll("[data-testid=leg-correct]"));
    }
}
