using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Stats;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>The calendar's month and day aggregation (pure), in Tokyo (UTC+9) against New York (UTC−4 after 8 March 2026).</summary>
public sealed class JournalCalendarTests
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static CampaignSummary Closed(long id, DateTimeOffset closed, decimal pnl) =>
        new(id, "AAPL", CampaignDirection.Long, closed.AddHours(-2), closed, pnl, null, 0m, TimeSpan.FromHours(2));

    private static readonly IReadOnlyList<CampaignSummary> Campaigns =
    [
        Closed(1, new DateTimeOffset(2026, 3, 3, 15, 0, 0, TimeSpan.Zero), 300m),
        Closed(2, new DateTimeOffset(2026, 3, 3, 16, 0, 0, TimeSpan.Zero), 40m),
        Closed(3, new DateTimeOffset(2026, 3, 10, 23, 30, 0, TimeSpan.Zero), -50m), // Tokyo: Wed 11 March 08:30
        Closed(4, new DateTimeOffset(2026, 3, 31, 23, 30, 0, TimeSpan.Zero), 80m), // Tokyo: Wed 1 April 08:30; New York: Tue 31 March 19:30
        Closed(5, new DateTimeOffset(2026, 2, 27, 12, 0, 0, TimeSpan.Zero), 1000m), // February: on March's grid (1 March 2026 is a Sunday), not in its month
        Closed(6, new DateTimeOffset(2026, 2, 20, 12, 0, 0, TimeSpan.Zero), 7m), // before the grid
    ];

    [Fact]
    public void GridRange_IsTheWholeWeeksThatShowTheMonth()
    {
        Assert.Equal((new DateOnly(2026, 2, 23), new DateOnly(2026, 4, 5)), JournalCalendar.GridRange(2026, 3)); // 1 March 2026 is a Sunday
        Assert.Equal((new DateOnly(2026, 1, 26), new DateOnly(2026, 3, 1)), JournalCalendar.GridRange(2026, 2));
    }

    [Fact]
    public void Build_ACloseAt2330Utc_LandsOnTheNextDayInTokyo_AndTheSameDayInNewYork()
    {
        var tokyo = JournalCalendar.Build(2026, 3, Campaigns, Tokyo);
        var newYork = JournalCalendar.Build(2026, 3, Campaigns, NewYork);

        Assert.Equal(0, tokyo.Day(new DateOnly(2026, 3, 10))!.Count);
        Assert.Equal([3L], tokyo.Day(new DateOnly(2026, 3, 11))!.Campaigns.Select(c => c.GroupId));
        Assert.Equal([3L], newYork.Day(new DateOnly(2026, 3, 10))!.Campaigns.Select(c => c.GroupId));
        Assert.Equal(0, newYork.Day(new DateOnly(2026, 3, 11))!.Count);

        // The 31 March close is April in Tokyo: on the grid (out of the month) and in its week's total, not in March's summary.
        var april1 = tokyo.Day(new DateOnly(2026, 4, 1))!;
        Assert.False(april1.InMonth);
        Assert.Equal(80m, april1.Pnl);
        var lastWeekTokyo = tokyo.Weeks[^1];
        Assert.Equal((new DateOnly(2026, 3, 30), 1, 80m), (lastWeekTokyo.Monday, lastWeekTokyo.Count, lastWeekTokyo.Pnl));
        Assert.Equal((290m, 3, 2, 1), (tokyo.Summary.Pnl, tokyo.Summary.Count, tokyo.Summary.Wins, tokyo.Summary.Losses));
        Assert.Equal((370m, 4, 3, 1), (newYork.Summary.Pnl, newYork.Summary.Count, newYork.Summary.Wins, newYork.Summary.Losses));
        Assert.Equal(75m, newYork.Summary.WinRatePct);
    }

    [Fact]
    public void Build_DaysWeeksAndMonthSummary()
    {
        var m = JournalCalendar.Build(2026, 3, Campaigns, NewYork, "USD");

        Assert.Equal(6, m.Weeks.Count);
        Assert.All(m.Weeks, w => Assert.Equal(7, w.Days.Count));
        var third = m.Day(new DateOnly(2026, 3, 3))!;
        Assert.Equal((2, 2, 340m), (third.Count, third.Wins, third.Pnl));
        Assert.Equal([1L, 2L], third.Campaigns.Select(c => c.GroupId));
        Assert.Equal((1, 1000m), (m.Weeks[0].Count, m.Weeks[0].Pnl)); // the week of 23 Feb: its total is the whole week's
        Assert.False(m.Day(new DateOnly(2026, 2, 27))!.InMonth);
        Assert.Equal((2, 340m), (m.Weeks[1].Count, m.Weeks[1].Pnl));
        Assert.Equal((1, -50m), (m.Weeks[2].Count, m.Weeks[2].Pnl));
        Assert.Equal(new DateOnly(2026, 3, 3), m.Summary.BestDay!.Date);
        Assert.Equal(new DateOnly(2026, 3, 10), m.Summary.WorstDay!.Date);
        Assert.Equal(1000m, m.MaxAbsPnl); // the heatmap's scale is the grid's largest day
        Assert.Equal((370m, 4), (m.Summary.Pnl, m.Summary.Count)); // the month's own days only
        Assert.DoesNotContain(m.Days, d => d.Pnl == 7m);
    }

    [Fact]
    public void Build_AnEmptyMonth_HasNoBestOrWorstDayNorWinRate()
    {
        var m = JournalCalendar.Build(2026, 6, Campaigns, Tokyo);
        Assert.Equal((0m, 0), (m.Summary.Pnl, m.Summary.Count));
        Assert.Null(m.Summary.WinRatePct);
        Assert.Null(m.Summary.BestDay);
        Assert.Null(m.Summary.WorstDay);
    }
}
