namespace Signalbook.Features.Journal.Stats;

/// <summary>A day of the calendar: the campaigns closed that day in the user's zone and their realised P&amp;L.</summary>
public sealed record CalendarDay(DateOnly Date, bool InMonth, int Count, int Wins, int Losses, decimal Pnl, IReadOnlyList<CampaignSummary> Campaigns);

/// <summary>A row of the calendar, Monday to Sunday, with the week's total (all seven days, also those of the next or previous month).</summary>
public sealed record CalendarWeek(DateOnly Monday, IReadOnlyList<CalendarDay> Days, int Count, decimal Pnl);

/// <summary>
/// The month's figures over its own days only: P&amp;L, closed campaigns, win rate (null without any), and the best and
/// worst day with closes (null without any; the best may be a loss in a month without a winning day).
/// </summary>
public sealed record CalendarSummary(decimal Pnl, int Count, int Wins, int Losses, decimal? WinRatePct, CalendarDay? BestDay, CalendarDay? WorstDay);

/// <summary>
/// A month of the journal's calendar in a zone. <see cref="MaxAbsPnl"/> is the largest absolute daily P&amp;L on the grid
/// (for the heatmap's intensity); <see cref="Currency"/> as in <see cref="JournalStatsResult"/>.
/// </summary>
public sealed record CalendarMonth(int Year, int Month, IReadOnlyList<CalendarWeek> Weeks, CalendarSummary Summary, decimal MaxAbsPnl, string? Currency)
{
    public IEnumerable<CalendarDay> Days => Weeks.SelectMany(w => w.Days);

    public CalendarDay? Day(DateOnly date) => Days.FirstOrDefault(d => d.Date == date);
}

/// <summary>The calendar's aggregation: campaigns by close day in the user's zone, as <see cref="JournalStats"/> counts them.</summary>
public static class JournalCalendar
{
    /// <summary>The first Monday and the last Sunday of the weeks that show the month.</summary>
    public static (DateOnly Start, DateOnly End) GridRange(int year, int month)
    {
        var first = new DateOnly(year, month, 1);
        var last = first.AddMonths(1).AddDays(-1);
        return (first.AddDays(-(((int)first.DayOfWeek + 6) % 7)), last.AddDays(6 - (((int)last.DayOfWeek + 6) % 7)));
    }

    /// <summary>The close day of a campaign in the zone.</summary>
    public static DateOnly CloseDay(CampaignSummary c, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(c.ClosedAt, zone).DateTime);

    /// <summary>
    /// Builds the month from closed campaigns (any outside the month's grid are ignored). Each day lists its campaigns
    /// in close order.
    /// </summary>
    public static CalendarMonth Build(int year, int month, IReadOnlyList<CampaignSummary> campaigns, TimeZoneInfo zone, string? currency = null)
    {
        ArgumentNullException.ThrowIfNull(campaigns);
        ArgumentNullException.ThrowIfNull(zone);
        var (start, end) = GridRange(year, month);
        var byDay = new Dictionary<DateOnly, List<CampaignSummary>>();
        foreach (var c in campaigns.OrderBy(c => c.ClosedAt).ThenBy(c => c.GroupId))
        {
            var day = CloseDay(c, zone);
            if (day < start || day > end) continue;
            if (!byDay.TryGetValue(day, out var list)) byDay[day] = list = [];
            list.Add(c);
        }

        var weeks = new List<CalendarWeek>();
        for (var monday = start; monday <= end; monday = monday.AddDays(7))
        {
            var days = new List<CalendarDay>(7);
            for (var i = 0; i < 7; i++)
            {
                var date = monday.AddDays(i);
                var list = byDay.TryGetValue(date, out var l) ? l : [];
                days.Add(new CalendarDay(date, date.Month == month, list.Count, list.Count(c => c.Pnl > 0), list.Count(c => c.Pnl < 0), list.Sum(c => c.Pnl), list));
            }
            weeks.Add(new CalendarWeek(monday, days, days.Sum(d => d.Count), days.Sum(d => d.Pnl)));
        }

        var inMonth = weeks.SelectMany(w => w.Days).Where(d => d.InMonth).ToList();
        var traded = inMonth.Where(d => d.Count > 0).ToList();
        var count = inMonth.Sum(d => d.Count);
        var wins = inMonth.Sum(d => d.Wins);
        var summary = new CalendarSummary(
            inMonth.Sum(d => d.Pnl), count, wins, inMonth.Sum(d => d.Losses), count > 0 ? wins * 100m / count : null,
            traded.Count > 0 ? traded.MaxBy(d => d.Pnl) : null,
            traded.Count > 0 ? traded.MinBy(d => d.Pnl) : null);
        var maxAbs = weeks.SelectMany(w => w.Days).Select(d => Math.Abs(d.Pnl)).DefaultIfEmpty(0m).Max();
        return new CalendarMonth(year, month, weeks, summary, maxAbs, currency);
    }
}
