using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Plans;
using Signalbook.Features.Journal.Rules;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal;

/// <summary>
/// The notes, trading-rules and pre-trade-check pages in bUnit over the real services and a fresh database: what a
/// trader types, clicks and then sees, and what a Viewer is not offered.
/// </summary>
public sealed class JournalPagesTests : PageTestContext
{
    private async Task<AppUser> UserAsync(string email, string role = Roles.Trader)
    {
        var user = await Db.CreateUserAsync(email, role);
        SignInAs(user, [role]);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return user;
    }

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public async Task EntriesEditor_PreviewRendersMarkdown_RawHtmlShowsAsText_AndSaveStoresTheNote()
    {
        var me = await UserAsync("editor@test.local");
        Navigation.NavigateTo("/journal/entries/new");
        var page = RenderWithProviders<Signalbook.Features.Journal.Entries.JournalEntriesPage>();
        page.WaitForElement("[data-testid=entry-content]");
        Assert.Contains("Save the note first", page.Find("[data-testid=entry-attachments]").TextContent);

        await TypeAsync(page, "entry-content", "**Held** my stop\n\n<script>alert(1)</script><img src=x onerror=alert(2)>");

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=entry-preview] strong")));
        var preview = page.Find("[data-testid=entry-preview]");
        Assert.Equal("Held", preview.QuerySelector("strong")!.TextContent);
        Assert.Null(preview.QuerySelector("script"));
        Assert.Null(preview.QuerySelector("img"));
        Assert.Contains("<script>alert(1)</script>", preview.TextContent);

        await TypeAsync(page, "entry-tag-input", "Late Entry");
        await ClickAsync(page, "[data-testid=entry-tag-add]");
        page.WaitForAssertion(() => Assert.Equal("late-entry", page.Find("[data-testid=entry-tag]").GetAttribute("data-tag")));
        await ClickAsync(page, "[data-testid=entry-save]");

        page.WaitForAssertion(() => Assert.Matches(@"/journal/entries/\d+$", Navigation.Uri));
        await using var db = await Db.DbAsync();
        var entry = await db.JournalEntries.AsNoTracking().SingleAsync();
        Assert.Equal((me.Id, "daily", "[\"late-entry\"]"), (entry.UserId, entry.EntryType, entry.Tags));
        Assert.StartsWith("**Held** my stop", entry.Content);
    }

    [Fact]
    public async Task EntriesPage_FromACampaign_PrefillsATradeNote_AndANotOwnedCampaignIsRefusedOnItsField()
    {
        await UserAsync("campaign-note@test.local");
        Navigation.NavigateTo("/journal/entries?trade=42");
        var page = RenderWithProviders<Signalbook.Features.Journal.Entries.JournalEntriesPage>();
        page.WaitForElement("[data-testid=entry-trade]");
        Assert.Equal("42", Field(page, "entry-trade").GetAttribute("value"));
        Assert.Contains("trade", page.Find("[data-testid=entry-type]").TextContent);
        // Campaign 42 is not this trader's: saving says so on the field.
        await TypeAsync(page, "entry-content", "Entered late.");
        await ClickAsync(page, "[data-testid=entry-save]");
        page.WaitForAssertion(() => Assert.Contains("There is no campaign #42 in your journal.", page.Markup));
    }

    [Fact]
    public async Task EntriesPage_AViewerSeesOnlyTheirOwnNotes_AndIsOfferedNoNewNote()
    {
        var trader = await Db.CreateUserAsync("notes-trader@test.local");
        await Db.WithAsync<JournalEntryService, long>(s => s.CreateAsync(JournalCaller.Trader(trader.Id), new JournalEntryInput(new DateOnly(2026, 11, 19), "daily", "Not yours.")));
        var viewer = await UserAsync("viewer-notes@test.local", Roles.Viewer);
        await Db.WithAsync<JournalEntryService, long>(s => s.CreateAsync(JournalCaller.Trader(viewer.Id), // set-up writes directly; the page only reads
            new JournalEntryInput(new DateOnly(2026, 11, 19), "lesson", "Wait for the close.", Tags: ["patience"])));
        Navigation.NavigateTo("/journal/entries");
        var list = RenderWithProviders<Signalbook.Features.Journal.Entries.JournalEntriesPage>();
        list.WaitForElement("[data-testid=entry-row]");
        Assert.Empty(list.FindAll("[data-testid=entry-new]"));
        Assert.Contains("Wait for the close.", list.Find("[data-testid=entry-excerpt]").TextContent);
        Assert.Single(list.FindAll("[data-testid=entry-row]")); // the viewer's own note only
    }

    [Fact]
    public async Task RulesPage_TogglesARuleOff_Saves_AndTheEngineNoLongerRunsIt()
    {
        var me = await UserAsync("rules-page@test.local");
        var page = RenderWithProviders<TradingRulesPage>();
        page.WaitForElement("[data-testid=rule][data-code=revenge_trade]");
        Assert.Equal(NudgeRuleCatalog.All.Count, page.FindAll("[data-testid=rule]").Count);
        Assert.Contains(NudgeRuleCatalog.Get(NudgeRuleCodes.RevengeTrade).Description, page.Find("[data-code=revenge_trade] [data-testid=rule-description]").TextContent);

        await page.InvokeAsync(() => page.Find("[data-code=revenge_trade] [data-testid=rule-toggle] input").Change(false));
        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-testid=rule][data-code=revenge_trade]").GetAttribute("data-enabled")));
        await ClickAsync(page, "[data-testid=rules-save]");

        await page.WaitForAssertionAsync(async () =>
        {
            var rules = await Db.WithAsync<JournalNudgeService, IReadOnlyList<NudgeRule>>(n => n.RulesAsync(me.Id));
            Assert.DoesNotContain(rules, r => r.Code == NudgeRuleCodes.RevengeTrade);
            Assert.Equal(NudgeRuleCatalog.All.Count - 1, rules.Count);
        });
        // The page has taken the saved rules back (it replaces its rows after the commit): only then type and save again,
        // or the click lands on the still-disabled button and the typed value is overwritten.
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=rules-save]").HasAttribute("disabled")));

        // A bad threshold: the error shows on its field and nothing changes.
        await TypeAsync(page, "param-max_position_size_pct", "150");
        await ClickAsync(page, "[data-testid=rules-save]");
        page.WaitForAssertion(() => Assert.Contains("at most 100", page.Find("[data-field='max_position_size.max_position_size_pct']").GetAttribute("data-error")));
    }

    [Fact]
    public async Task RulesPage_ForAViewer_IsReadOnly()
    {
        await UserAsync("rules-viewer@test.local", Roles.Viewer);
        var page = RenderWithProviders<TradingRulesPage>();
        page.WaitForElement("[data-testid=viewer-notice]");
        Assert.Empty(page.FindAll("[data-testid=rules-save]"));
        Assert.Empty(page.FindAll("[data-testid=rule-reset]"));
        Assert.Empty(page.FindAll("[data-testid=risk-save]"));
    }

    [Fact]
    public async Task PlanPage_CheckShowsEachCheckWithItsNudge_ThenRecordsTheDecision()
    {
        var me = await UserAsync("plan-page@test.local");
        await Db.WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(me.Id, p => p with { AccountBalance = 10_000m }));
        var page = RenderWithProviders<PreTradeCheckPage>();
        page.WaitForElement("[data-testid=plan-form]");

        await TypeAsync(page, "plan-symbol", "ACME");
        await TypeAsync(page, "plan-quantity", "100");
        await TypeAsync(page, "plan-price", "50");
        await TypeAsync(page, "plan-stop", "48");
        await ClickAsync(page, "[data-testid=plan-check]");

        page.WaitForElement("[data-testid=plan-check-row][data-check=max_position_size]");
        var size = page.Find("[data-testid=plan-check-row][data-check=max_position_size]");
        Assert.Equal("false", size.GetAttribute("data-passed"));
        Assert.Contains("your limit is 10%", size.QuerySelector("[data-testid=plan-nudge]")!.TextContent);
        Assert.Equal("warn", size.QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status"));
        Assert.Contains("regime unknown", page.Find("[data-testid=snapshot-regime]").TextContent);
        Assert.Contains("no recommendation", page.Find("[data-testid=snapshot-recommendation]").TextContent);
        Assert.Single(page.FindAll("[data-testid=plan-history-row]"));

        await ClickAsync(page, "[data-testid=plan-modified]");
        page.WaitForElement("[data-testid=plan-decided]");
        await using var db = await Db.DbAsync();
        var plan = await db.TradePlans.AsNoTracking().SingleAsync();
        Assert.Equal((TraderActions.Modified, Db.Clock.GetUtcNow()), (plan.TraderAction, plan.DecidedAt));
        Assert.Contains("modified", page.Find("[data-testid=plan-history-decision]").TextContent);
    }

    [Fact]
    public async Task PlanPage_ForAViewer_OffersNoCheck()
    {
        await UserAsync("plan-viewer@test.local", Roles.Viewer);
        var page = RenderWithProviders<PreTradeCheckPage>();
        page.WaitForElement("[data-testid=viewer-notice]");
        Assert.Empty(page.FindAll("[data-testid=plan-form]"));
    }
}
