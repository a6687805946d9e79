using Signalbook.Features.MarketData;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

public sealed class ExchangeCalendarTests
{
    private static readonly ExchangeCalendar Nyse = ExchangeCalendar.Nyse;

    [Theory]
    // NYSE's published holiday lists for 2022 and 2024, including observed dates.
    [InlineData("2022-01-17", "2022-02-21", "2022-04-15", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05", "2022-11-24", "2022-12-26")]
    [InlineData("2024-01-01", "2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04", "2024-09-02", "2024-11-28", "2024-12-25")]
    public void PublishedHolidays_AreClosed(params string[] holidays)
    {
        var year = DateOnly.Parse(holidays[0]).Year;
        var closedWeekdays = Enumerable.Range(0, DateOnly.FromDateTime(new DateTime(year, 12, 31)).DayOfYear)
            .Select(i => new DateOnly(year, 1, 1).AddDays(i))
            .Where(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Nyse.IsTradingDay(d))
            .Select(d => d.ToString("yyyy-MM-dd"));
        Assert.Equal(holidays, closedWeekdays);
    }

    [Fact]
    public void SaturdayNewYear_IsNotObservedOnTheLastFridayOfDecember()
    {
        Assert.True(Nyse.IsTradingDay(new DateOnly(2021, 12, 31)));
        Assert.False(Nyse.IsTradingDay(new DateOnly(2027, 12, 24))); // Christmas 2027 is a Saturday: observed Friday
        Assert.Equal(252, Nyse.TradingDays(new DateOnly(2024, 1, 1), new DateOnly(2024, 12, 31)).Count());
    }

    [Fact]
    public void FifteenMinuteBars_CoverTheSessionInUtc_AcrossTheDaylightSavingChange()
    {
        var summer = Nyse.ExpectedBars(Intervals.FifteenMinutes, Nyse.At(new DateOnly(2024, 3, 8), TimeOnly.MinValue), Nyse.At(new DateOnly(2024, 3, 11), new TimeOnly(23, 0))).ToList();
        Assert.Equal(2 * 26, summer.Count); // Friday and Monday; the weekend has none
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 14, 30, 0, TimeSpan.Zero), summer[0]);   // EST
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 13, 30, 0, TimeSpan.Zero), summer[26]); // EDT
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 19, 45, 0, TimeSpan.Zero), summer[^1]);
        Assert.True(Nyse.IsOpen(new DateTimeOffset(2024, 3, 11, 19, 59, 0, TimeSpan.Zero)));
        Assert.False(Nyse.IsOpen(new DateTimeOffset(2024, 3, 11, 20, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void RealDailyHistory_MissesOnlyTheHurricaneSandyClosure()
    {
        // AAPL's daily bars 2012-09-04 … 2017-09-01 (stocknet): every session of the calendar is present except
        // 29 and 30 October 2012, when the NYSE closed for Hurricane Sandy, and no bar falls on a non-trading day.
        var dates = File.ReadLines(Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017", "AAPL.csv")).Skip(1)
            .Select(l => DateOnly.Parse(l[..10])).ToHashSet();
        var expected = Nyse.TradingDays(dates.Min(), dates.Max()).ToHashSet();
        Assert.Empty(dates.Except(expected));
        Assert.Equal([new DateOnly(2012, 10, 29), new DateOnly(2012, 10, 30)], expected.Except(dates).Order());
    }
}
