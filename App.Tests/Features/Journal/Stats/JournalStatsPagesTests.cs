using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal.Stats.Pages;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;
using static Signalbook.Tests.Features.Journal.Stats.JournalStatsSeed;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>The journal calendar (/journal) and the statistics page (/journal/stats) over the real service and database.</summary>
public sealed class JournalStatsPagesTests : PageTestContext
{
    private void Navigate(string url) => Services.GetRequiredService<NavigationManager>().NavigateTo(url);

    private async Task<(AppUser User, HandWorked Ids, long Extra)> TraderWithTradesAsync(string email)
    {
        var user = await Db.CreateUserAsync(email);
        await using var db = await Db.DbAsync();
        var ids = await HandWorkedAsync(db, user.Id);
        // A second close on 3 March (UTC), so that day reads "+$340 across 2 trades".
        var extra = await CampaignAsync(db, user.Id, new SeedCampaign("AMD", At(3, 13), At(3, 17), 40m) { R = 0.4 });
        SignInAs(user, [Roles.Trader]);
        return (user, ids, extra);
    }

    private static string Label(IRenderedComponent<IComponent> page, string date) =>
        page.Find($"[data-testid=calendar-day][data-date='{date}']").GetAttribute("aria-label")!;

    [Fact]
    public async Task Calendar_DayCellsSayTheirTotals_WeekAndMonthTotals_ClickingADayListsItsTrades()
    {
        var (_, ids, extra) = await TraderWithTradesAsync("calendar@test.local");
        Navigate("/journal?month=2026-03");
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalCalendarPage>();

        page.WaitForAssertion(() => Assert.Equal("March 2026", page.Find("[data-testid=calendar-title]").TextContent.Trim()));
        Assert.Equal("3 +$340 2 trades (3 March)", Label(page, "2026-03-03"));
        Assert.Equal("4 −$100 1 trade (4 March)", Label(page, "2026-03-04"));
        Assert.Equal("5 (5 March: no trades)", Label(page, "2026-03-05"));
        Assert.Equal("10 −$50 1 trade (10 March)", Label(page, "2026-03-10"));
        Assert.Equal("button", page.Find("[data-testid=calendar-day][data-date='2026-03-03']").TagName.ToLowerInvariant()); // focusable, Enter and Space click it
        Assert.Contains("background:rgba(46,125,50,0.45)", page.Find("[data-testid=calendar-day][data-date='2026-03-03']").GetAttribute("style")); // the largest day: the strongest green

        var weeks = page.FindAll("[data-testid=week-total]").Select(w => w.TextContent).ToList();
        Assert.Equal(6, weeks.Count); // 1 March 2026 is a Sunday: the grid starts on Monday 23 February
        Assert.Contains("—", weeks[0]);
        Assert.Contains("+$440", weeks[1]); // 2 Mar week: +300 +40 −100 +200
        Assert.Contains("4 trades", weeks[1]);
        Assert.Contains("−$50", weeks[2]);

        Assert.Equal("+$390.00", page.Find("[data-testid=month-pnl]").TextContent.Trim());
        Assert.Equal("5", page.Find("[data-testid=month-trades]").TextContent.Trim());
        Assert.Equal("60%", page.Find("[data-testid=month-winrate]").TextContent.Trim());
        Assert.Equal("3 March, +$340", page.Find("[data-testid=month-best]").TextContent.Trim());
        Assert.Equal("4 March, −$100", page.Find("[data-testid=month-worst]").TextContent.Trim());

        await ClickAsync(page, "[data-testid=calendar-day][data-date='2026-03-03']");
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=day-campaign]").Count));
        Assert.Equal([$"/journal/trades/{ids.Aapl1}", $"/journal/trades/{extra}"], page.FindAll("[data-testid=day-campaign-link]").Select(a => a.GetAttribute("href")));
        Assert.Contains("+$340.00 across 2 trades", page.Find("[data-testid=day-total]").TextContent);
        Assert.Equal("true", page.Find("[data-testid=calendar-day][data-date='2026-03-03']").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task Calendar_PreviousAndNextMonth_MoveTheMonthAndTheUrl()
    {
        await TraderWithTradesAsync("navigate@test.local");
        Navigate("/journal?month=2026-03");
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalCalendarPage>();
        page.WaitForAssertion(() => Assert.Equal("March 2026", page.Find("[data-testid=calendar-title]").TextContent.Trim()));

        await ClickAsync(page, "[data-testid=calendar-next]");
        page.WaitForAssertion(() => Assert.Equal("April 2026", page.Find("[data-testid=calendar-title]").TextContent.Trim()));
        Assert.EndsWith("/journal?month=2026-04", Services.GetRequiredService<NavigationManager>().Uri);
        Assert.Equal("0", page.Find("[data-testid=month-trades]").TextContent.Trim());
        Assert.Equal("—", page.Find("[data-testid=month-winrate]").TextContent.Trim());

        await ClickAsync(page, "[data-testid=calendar-prev]");
        await ClickAsync(page, "[data-testid=calendar-prev]");
        page.WaitForAssertion(() => Assert.Equal("February 2026", page.Find("[data-testid=calendar-title]").TextContent.Trim()));
        Assert.EndsWith("/journal?month=2026-02", Services.GetRequiredService<NavigationManager>().Uri);
    }

    [Fact]
    public async Task Calendar_InTokyo_ShowsThe2330UtcCloseOnTheNextDay()
    {
        await TraderWithTradesAsync("tokyo@test.local");
        Navigate("/journal?month=2026-03&tz=Asia/Tokyo");
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalCalendarPage>();

        page.WaitForAssertion(() => Assert.Equal("11 −$50 1 trade (11 March)", Label(page, "2026-03-11")));
        Assert.Equal("10 (10 March: no trades)", Label(page, "2026-03-10"));
        Assert.Contains("Asia/Tokyo", page.Find(".sb-page-heading").TextContent);
    }

    [Fact]
    public async Task Calendar_ForAUserWithoutFills_SaysSoAndLinksToTheImport()
    {
        var user = await Db.CreateUserAsync("nofills@test.local");
        SignInAs(user, [Roles.Trader]);
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalCalendarPage>();

        page.WaitForAssertion(() => Assert.Equal("Your journal is empty", page.Find(".sb-empty-title").TextContent));
        Assert.Equal("/journal/import", page.Find("[data-testid=journal-import-link]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=calendar]"));
    }

    [Fact]
    public async Task Stats_ShowsTheHeadlineFigures_TheRuleCosts_AndTheBreakdowns()
    {
        var user = await Db.CreateUserAsync("headline@test.local");
        await using (var db = await Db.DbAsync()) await HandWorkedAsync(db, user.Id);
        SignInAs(user, [Roles.Viewer]); // a viewer reads their own journal
        Navigate("/journal/stats");
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalStatsPage>();

        page.WaitForAssertion(() => Assert.Equal("50%", page.Find("[data-testid=stat-winrate]").TextContent.Trim()));
        Assert.Equal("+$87.50", page.Find("[data-testid=stat-expectancy]").TextContent.Trim());
        Assert.Equal("3.33", page.Find("[data-testid=stat-profit-factor]").TextContent.Trim());
        Assert.Equal("+0.50R", page.Find("[data-testid=stat-average-r]").TextContent.Trim());
        Assert.Equal("+$350.00", page.Find("[data-testid=stat-pnl]").TextContent.Trim());
        Assert.Equal("$5.00", page.Find("[data-testid=stat-fees]").TextContent.Trim());
        Assert.Equal("−$100.00", page.Find("[data-testid=stat-drawdown]").TextContent.Trim());
        Assert.NotNull(page.Find("[data-testid=equity-chart]"));
        Assert.NotNull(page.Find("[data-testid=drawdown-chart]"));

        var stop = page.Find("[data-testid=rule-row][data-rule=stop_required]").TextContent;
        Assert.Contains("−$150.00", stop);
        Assert.Contains("−$325.00", stop); // −75 a trade against +250 for the rest
        Assert.Equal(["(none)", "Breakout", "MeanRev"], page.FindAll("[data-testid=by-strategy] [data-testid=breakdown-row]").Select(r => r.GetAttribute("data-key")));
        Assert.Equal("/journal/export/trades.csv", page.Find("[data-testid=export-trades-csv]").GetAttribute("href"));
    }

    [Fact]
    public async Task Stats_TakesItsFiltersFromTheUrl_AndTheExportLinksCarryThem()
    {
        var user = await Db.CreateUserAsync("filtered@test.local");
        await using (var db = await Db.DbAsync()) await HandWorkedAsync(db, user.Id);
        SignInAs(user, [Roles.Trader]);
        Navigate("/journal/stats?symbol=AAPL&direction=long");
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalStatsPage>();

        page.WaitForAssertion(() => Assert.Equal("+$500.00", page.Find("[data-testid=stat-pnl]").TextContent.Trim()));
        Assert.Equal("100%", page.Find("[data-testid=stat-winrate]").TextContent.Trim());
        Assert.Equal("/journal/export/trades.xlsx?symbol=AAPL&direction=long", page.Find("[data-testid=export-trades-xlsx]").GetAttribute("href"));
    }

    [Fact]
    public async Task Stats_WithoutClosedTrades_ShowsTheEmptyState()
    {
        var user = await Db.CreateUserAsync("nostats@test.local");
        SignInAs(user, [Roles.Trader]);
        Navigate("/journal/stats");
        IRenderedComponent<IComponent> page = RenderWithProviders<JournalStatsPage>();

        page.WaitForAssertion(() => Assert.Equal("No closed trades yet", page.Find(".sb-empty-title").TextContent));
        Assert.Equal("/journal/import", page.Find("[data-testid=stats-import-link]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=stats-headline]"));
    }
}
