using Signalbook.Features.Dashboard;

namespace Signalbook.Tests.Features.Dashboard;

/// <summary>Where "today" starts for today's fills: the user's time zone from their site preferences, UTC otherwise.</summary>
public sealed class DashboardDayTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"theme":"dark"}""")]
    [InlineData("""{"time_zone":"Mars/Olympus_Mons"}""")]
    [InlineData("""{"time_zone":42}""")]
    [InlineData("not json")]
    [InlineData("[]")]
    public void UserTimeZone_WithoutAKnownZoneInThePreferences_IsNone(string? prefs) => Assert.Null(DashboardService.UserTimeZone(prefs));

    [Fact]
    public void UserTimeZone_ReadsTheZoneOfThePreferences() =>
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris").BaseUtcOffset,
            DashboardService.UserTimeZone("""{"theme":"light","time_zone":"Europe/Paris"}""")!.BaseUtcOffset);

    [Theory]
    [InlineData("UTC", "2026-11-20T14:30:00Z", "2026-11-20T00:00:00Z")]
    [InlineData("America/New_York", "2026-11-20T14:30:00Z", "2026-11-20T05:00:00Z")] // EST
    [InlineData("America/New_York", "2026-07-01T03:30:00Z", "2026-06-30T04:00:00Z")] // still 30 June there (EDT)
    [InlineData("Asia/Tokyo", "2026-11-20T16:00:00Z", "2026-11-20T15:00:00Z")] // already the 21st there
    public void StartOfDay_IsMidnightInTheZone(string zone, string now, string expected)
        => Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            DashboardService.StartOfDay(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone)));
}
