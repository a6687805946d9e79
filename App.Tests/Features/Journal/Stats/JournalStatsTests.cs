using System.Diagnostics;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Stats;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>The statistics kernel on five hand-made campaigns (figures worked in the comments), time zones and empty input.</summary>
public sealed class JournalStatsTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2024, month, day, hour, minute, 0, TimeSpan.Zero);

    private static CampaignSummary S(long id, decimal pnl, decimal? r, decimal fees, DateTimeOffset opened, DateTimeOffset closed, string? strategy = null,
        string[]? tags = null, string[]? emotions = null, string? regime = null, string[]? rules = null) =>
        new(id, "AAPL", CampaignDirection.Long, opened, closed, pnl, r, fees, closed - opened, strategy, tags, emotions, regime, rules);

    /// <summary>
    /// c1 +300 (Mon 03-04 14:30–15:00, 30 min), c2 −100 (Tue 10:00 → Wed 12:00, 26 h), c3 −50 (Wed 16:00–18:00),
    /// c4 0 (Fri 03-01 09:00 → 03-11, 10 d), c5 +150 (Thu 02-01 20:00 → 03-11, 39 d).
    /// </summary>
    private static readonly CampaignSummary[] Five =
    [
        S(1, 300, 3, 2, Utc(3, 4, 14, 30), Utc(3, 4, 15), "Breakout", ["a", "b"], ["calm"], "bull", []),
        S(2, -100, -1, 1, Utc(3, 5, 10), Utc(3, 6, 12), "Breakout", ["a", "a"], ["fomo"], "bull", ["R1"]),
        S(3, -50, null, 1, Utc(3, 6, 16), Utc(3, 6, 18), null, null, ["fomo", "calm"], null, ["R1", "R2", "R1"]),
        S(4, 0, 0, 1, Utc(3, 1, 9), Utc(3, 11, 9), "Pullback", regime: "bear", rules: ["R2"]),
        S(5, 150, null, 0.5m, Utc(2, 1, 20), Utc(3, 11, 9), "Pullback"),
    ];

    [Fact]
    public void Compute_Summary_HandWorkedFigures()
    {
        var s = JournalStats.Compute(Five, TimeZoneInfo.Utc).Summary;
        Assert.Equal((5, 2, 2, 1), (s.Count, s.Wins, s.Losses, s.Breakeven));
        Assert.Equal((40m, 40m), (s.WinRatePct!.Value, s.LossRatePct!.Value));
        Assert.Equal((225m, -75m, 60m, 3m), (s.AverageWin!.Value, s.AverageLoss!.Value, s.Expectancy!.Value, s.ProfitFactor!.Value)); // 450/150
        Assert.Equal(2m / 3m, s.AverageR); // (3 − 1 + 0) / 3
        Assert.Equal(3, s.WithR);
        Assert.Equal((300m, -100m), (s.LargestWin!.Value, s.LargestLoss!.Value));
        Assert.Equal((300m, 305.5m, 5.5m, -150m), (s.NetPnl, s.GrossPnl, s.Fees, s.MaxDrawdown));
    }

    [Fact]
    public void Compute_Breakdowns_ByStrategyTagEmotionRegime()
    {
        var st = JournalStats.Compute(Five, TimeZoneInfo.Utc);
        Assert.Equal([("(none)", 1, -50m), ("Breakout", 2, 200m), ("Pullback", 2, 150m)], st.ByStrategy.Select(b => (b.Key, b.Count, b.Pnl)));
        // c2 tags "a" twice: counted once.
        Assert.Equal([("(none)", 3, 100m), ("a", 2, 200m), ("b", 1, 300m)], st.ByTag.Select(b => (b.Key, b.Count, b.Pnl)));
        Assert.Equal([("(none)", 2, 150m), ("calm", 2, 250m), ("fomo", 2, -150m)], st.ByEmotion.Select(b => (b.Key, b.Count, b.Pnl)));
        Assert.Equal([("(none)", 2, 100m), ("bear", 1, 0m), ("bull", 2, 200m)], st.ByRegime.Select(b => (b.Key, b.Count, b.Pnl)));
        var breakout = st.ByStrategy[1];
        Assert.Equal((1, 1, 50m, 100m, 1m), (breakout.Wins, breakout.Losses, breakout.WinRatePct!.Value, breakout.AveragePnl!.Value, breakout.AverageR!.Value));
        Assert.Null(st.ByStrategy[0].AverageR);
    }

    [Fact]
    public void Compute_WeekdayHourAndHolding_InUtc()
    {
        var st = JournalStats.Compute(Five, TimeZoneInfo.Utc);
        Assert.Equal(DayOfWeek.Monday, st.ByWeekday[0].Key);
        Assert.Equal([300m, -100m, -50m, 150m, 0m, 0m, 0m], st.ByWeekday.Select(b => b.Pnl)); // c5 opened on Thursday 02-01, c4 on Friday
        Assert.Equal([1, 1, 1, 1, 1, 0, 0], st.ByWeekday.Select(b => b.Count));
        Assert.Null(st.ByWeekday[6].WinRatePct);
        Assert.Equal(24, st.ByHour.Count);
        Assert.Equal([(9, 0m), (10, -100m), (14, 300m), (16, -50m), (20, 150m)], st.ByHour.Where(b => b.Count > 0).Select(b => (b.Key, b.Pnl)));
        Assert.Equal([300m, -50m, -100m, 0m, 150m], st.ByHolding.Select(b => b.Pnl));
        Assert.Equal(HoldingBucket.OverTwentyDays, st.ByHolding[4].Key);
    }

    [Fact]
    public void Compute_EquityDrawdownAndCalendar_ByCloseDay()
    {
        var st = JournalStats.Compute(Five, TimeZoneInfo.Utc);
        // 03-04 +300; 03-06 −150 (cumulative 150, 150 below the 300 peak); 03-11 +150 (back to 300).
        Assert.Equal([
            new EquityPoint(new DateOnly(2024, 3, 4), 300, 300, 300, 0),
            new EquityPoint(new DateOnly(2024, 3, 6), -150, 150, 300, -150),
            new EquityPoint(new DateOnly(2024, 3, 11), 150, 300, 300, 0)], st.Equity);
        Assert.Equal([new PeriodPnl(new DateOnly(2024, 3, 4), 1, 1, 0, 300), new PeriodPnl(new DateOnly(2024, 3, 6), 2, 0, 2, -150),
            new PeriodPnl(new DateOnly(2024, 3, 11), 2, 1, 0, 150)], st.Daily);
        Assert.Equal([new PeriodPnl(new DateOnly(2024, 3, 4), 3, 1, 2, 150), new PeriodPnl(new DateOnly(2024, 3, 11), 2, 1, 0, 150)], st.Weekly);
        Assert.Equal([new PeriodPnl(new DateOnly(2024, 3, 1), 5, 2, 2, 300)], st.Monthly);
    }

    [Fact]
    public void Compute_RuleViolations_CostAgainstTheRest()
    {
        var st = JournalStats.Compute(Five, TimeZoneInfo.Utc);
        // R1: c2, c3 (c3 lists it twice) → −150 vs 450 over 3; R2: c3, c4 → −50 vs 350 over 3.
        Assert.Equal([
            new RuleCost("R1", 2, -150, -75, 3, 450, 150),
            new RuleCost("R2", 2, -50, -25, 3, 350, 350m / 3)], st.Rules);
        Assert.Equal(new RuleCost(JournalStats.AnyRule, 3, -150, -50, 2, 450, 225), st.AnyRule);
    }

    [Theory]
    [InlineData("Asia/Tokyo", DayOfWeek.Sunday, 15, DayOfWeek.Sunday, 16, 11)]
    [InlineData("Europe/Paris", DayOfWeek.Sunday, 7, DayOfWeek.Sunday, 8, 11)]
    [InlineData("America/New_York", DayOfWeek.Sunday, 1, DayOfWeek.Sunday, 3, 10)] // DST starts 2024-03-10 07:00 UTC: −5 then −4
    public void Compute_EntryHourWeekdayAndCloseDay_InTheUsersZone(string zoneId, DayOfWeek weekday1, int hour1, DayOfWeek weekday2, int hour2, int closeDay)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        CampaignSummary[] two = [S(1, 10, null, 0, Utc(3, 10, 6, 30), Utc(3, 10, 23, 30)), S(2, 20, null, 0, Utc(3, 10, 7, 30), Utc(3, 10, 23, 30))];
        var st = JournalStats.Compute(two, zone);
        Assert.Equal([(hour1, 10m), (hour2, 20m)], st.ByHour.Where(b => b.Count > 0).Select(b => (b.Key, b.Pnl)));
        Assert.Equal(weekday1 == weekday2 ? [(weekday1, 30m)] : [(weekday1, 10m), (weekday2, 20m)], st.ByWeekday.Where(b => b.Count > 0).Select(b => (b.Key, b.Pnl)));
        Assert.Equal([new DateOnly(2024, 3, closeDay)], st.Daily.Select(d => d.Start));
    }

    [Fact]
    public void Compute_ParisSummerTimeChange_EntryHourUsesTheNewOffset()
    {
        // Summer time in Paris starts 2024-03-31 01:00 UTC: 00:30 UTC is 01:30 CET, 01:30 UTC is 03:30 CEST.
        CampaignSummary[] two = [S(1, 1, null, 0, Utc(3, 31, 0, 30), Utc(3, 31, 9)), S(2, 2, null, 0, Utc(3, 31, 1, 30), Utc(3, 31, 9))];
        var st = JournalStats.Compute(two, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));
        Assert.Equal([1, 3], st.ByHour.Where(b => b.Count > 0).Select(b => b.Key));
    }

    [Fact]
    public void Compute_Empty_ZeroCountsAndNullRatios()
    {
        var st = JournalStats.Compute([], TimeZoneInfo.Utc);
        var s = st.Summary;
        Assert.Equal((0, 0m, 0m, 0m), (s.Count, s.NetPnl, s.GrossPnl, s.MaxDrawdown));
        Assert.Null(s.WinRatePct);
        Assert.Null(s.LossRatePct);
        Assert.Null(s.AverageWin);
        Assert.Null(s.AverageLoss);
        Assert.Null(s.Expectancy);
        Assert.Null(s.ProfitFactor);
        Assert.Null(s.AverageR);
        Assert.Null(s.LargestWin);
        Assert.Null(s.LargestLoss);
        Assert.Empty(st.Equity);
        Assert.Empty(st.Daily);
        Assert.Empty(st.Rules);
        Assert.Empty(st.ByTag);
        Assert.Equal(7, st.ByWeekday.Count);
        Assert.All(st.ByWeekday, b => Assert.Null(b.AveragePnl));
        Assert.Equal(new RuleCost(JournalStats.AnyRule, 0, 0, null, 0, 0, null), st.AnyRule);
    }

    [Fact]
    public void Compute_OnlyWins_ProfitFactorNull()
    {
        var s = JournalStats.Compute([S(1, 10, null, 0, Utc(3, 4, 10), Utc(3, 4, 11))], TimeZoneInfo.Utc).Summary;
        Assert.Null(s.ProfitFactor);
        Assert.Null(s.AverageLoss);
        Assert.Equal(100m, s.WinRatePct);
    }

    [Fact]
    public void Compute_100kCampaigns_TotalsAddUpQuickly()
    {
        var random = new Random(7);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var many = new CampaignSummary[100_000];
        string[] tags = ["a", "b", "c", "d"];
        for (var i = 0; i < many.Length; i++)
        {
            var opened = Utc(1, 1, 0).AddMinutes(random.Next(0, 500_000));
            many[i] = S(i, random.Next(-1000, 1000) / 10m, random.Next(3) == 0 ? null : random.Next(-30, 30) / 10m, 1, opened, opened.AddMinutes(random.Next(1, 40_000)),
                $"s{random.Next(8)}", [tags[random.Next(4)], tags[random.Next(4)]], ["calm"], $"r{random.Next(3)}", random.Next(4) == 0 ? ["R1"] : null);
        }
        JournalStats.Compute(many, zone);
        var best = TimeSpan.MaxValue;
        JournalStatistics st = null!;
        for (var k = 0; k < 3; k++)
        {
            var watch = Stopwatch.StartNew();
            st = JournalStats.Compute(many, zone);
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }
        var total = many.Sum(c => c.Pnl);
        Assert.Equal(total, st.Summary.NetPnl);
        Assert.Equal(total, st.Daily.Sum(d => d.Pnl));
        Assert.Equal(total, st.ByHour.Sum(b => b.Pnl));
        Assert.Equal(total, st.ByStrategy.Sum(b => b.Pnl));
        Assert.Equal(100_000, st.ByHolding.Sum(b => b.Count));
        // The bench measures it properly; here a loose bound on a shared machine.
        Assert.True(best < TimeSpan.FromMilliseconds(1500), $"100 000 campaigns took {best.TotalMilliseconds:F0} ms");
    }
}
