using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

public sealed class DemoProviderTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private readonly DemoProvider _provider = new(new ManualClock(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero)));

    [Fact]
    public async Task SameSymbol_GivesTheSameBars_AndOtherSymbolsDiffer()
    {
        var a = await _provider.GetBarsAsync("ALPX", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var again = await new DemoProvider(new ManualClock(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero)))
            .GetBarsAsync("ALPX", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var b = await _provider.GetBarsAsync("BRKT", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(a, again);
        Assert.NotEqual(a.Select(x => x.Close), b.Select(x => x.Close));
    }

    [Fact]
    public async Task DailyBars_CoverThreeYearsOfTradingDays_AndAreValidOhlc()
    {
        foreach (var symbol in DemoProvider.Universe.Select(u => u.Symbol))
        {
            var bars = await _provider.GetBarsAsync(symbol, Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            Assert.InRange(bars.Count, 750, 758); // 3 × ≈252 NYSE sessions
            Assert.All(bars, b =>
            {
                var local = b.Ts.UtcDateTime; // the daily-bar rule: 00:00 UTC of the trading date
                Assert.Equal(TimeSpan.Zero, b.Ts.Offset);
                Assert.Equal(TimeSpan.Zero, local.TimeOfDay);
                Assert.NotEqual(DayOfWeek.Saturday, local.DayOfWeek);
                Assert.NotEqual(DayOfWeek.Sunday, local.DayOfWeek);
                Assert.False(local.Month == 12 && local.Day == 25, "trading on Christmas Day");
                Assert.True(b.High >= Math.Max(b.Open, b.Close) && b.Low <= Math.Min(b.Open, b.Close) && b.Low > 0 && b.Volume >= 0, $"{symbol} {b.Ts}: bad OHLC");
            });
            Assert.Equal(bars.OrderBy(b => b.Ts), bars);
        }
    }

    [Fact]
    public async Task FifteenMinuteBars_RunFromOpenToCloseOnTheLast30Days_AndJoinTheDailyOpenAndClose()
    {
        var daily = await _provider.GetBarsAsync("DLTA", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var intraday = await _provider.GetBarsAsync("DLTA", Intervals.FifteenMinutes, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        var byDay = intraday.GroupBy(b => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(b.Ts, NewYork).DateTime)).ToList();
        Assert.InRange(byDay.Count, 19, 23);
        foreach (var day in byDay)
        {
            var bars = day.OrderBy(b => b.Ts).ToList();
            Assert.Equal(26, bars.Count);
            Assert.Equal(new TimeSpan(9, 30, 0), TimeZoneInfo.ConvertTime(bars[0].Ts, NewYork).TimeOfDay);
            Assert.Equal(new TimeSpan(15, 45, 0), TimeZoneInfo.ConvertTime(bars[^1].Ts, NewYork).TimeOfDay);
            var d = daily.Single(x => DateOnly.FromDateTime(x.Ts.UtcDateTime) == day.Key);
            Assert.Equal(d.Open, bars[0].Open, 3);
            Assert.Equal(d.Close, bars[^1].Close, 3);
            Assert.All(bars, b => Assert.True(b.High >= Math.Max(b.Open, b.Close) && b.Low <= Math.Min(b.Open, b.Close)));
        }
    }

    [Fact]
    public void EverySymbol_VisitsAllThreeRegimes()
    {
        foreach (var symbol in DemoProvider.Universe.Select(u => u.Symbol))
        {
            var regimes = _provider.Regimes(symbol);
            Assert.Equal([0, 1, 2], regimes.Distinct().Order());
        }
    }
}
