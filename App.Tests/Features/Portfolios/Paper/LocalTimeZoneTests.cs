namespace Signalbook.Tests.Features.Portfolios.Paper;

/// <summary>
/// Changes the process's local time zone, so it runs alone: xunit runs a collection with parallelisation disabled after
/// the parallel ones, with nothing beside it.
/// </summary>
[CollectionDefinition(nameof(ProcessTimeZone), DisableParallelization = true)]
public sealed class ProcessTimeZone;

/// <summary>
/// Sessions must come from the exchange's zone, never the server's. .NET on Linux reads the TZ variable through the
/// managed environment when it computes <see cref="TimeZoneInfo.Local"/>, so setting TZ and clearing the cached zone data
/// changes the local zone of this very process. The New York, Paris and Tokyo scenarios (which assert their own figures)
/// then must store exactly what they store under UTC.
/// </summary>
[Collection(nameof(ProcessTimeZone))]
public sealed class LocalTimeZoneTests : MarketOrderScenarios
{
    [Theory]
    [InlineData("Pacific/Kiritimati")] // UTC+14: already Tuesday when New York's Monday session closes
    [InlineData("America/Los_Angeles")] // UTC−8: still Monday when Tokyo's Tuesday session opens
    [InlineData("Asia/Kolkata")] // UTC+5:30, a half-hour offset
    public async Task Scenarios_UnderAnotherProcessTimeZone_StoreExactlyWhatTheyStoreUnderUtc(string zone)
    {
        var original = Environment.GetEnvironmentVariable("TZ");
        try
        {
            UseLocalZone("UTC");
            Assert.Equal(TimeSpan.Zero, TimeZoneInfo.Local.BaseUtcOffset);
            var utc = new[] { await NewYorkScenarioAsync("NYU"), await ParisScenarioAsync("PAU"), await TokyoScenarioAsync("TKU") };

            UseLocalZone(zone);
            Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById(zone).BaseUtcOffset, TimeZoneInfo.Local.BaseUtcOffset);
            Assert.NotEqual(DateTime.UtcNow.Hour * 60 + DateTime.UtcNow.Minute, DateTime.Now.Hour * 60 + DateTime.Now.Minute);
            var local = new[] { await NewYorkScenarioAsync("NYL"), await ParisScenarioAsync("PAL"), await TokyoScenarioAsync("TKL") };

            Assert.Equal(utc[0], local[0]);
            Assert.Equal(utc[1], local[1]);
            Assert.Equal(utc[2], local[2]);
        }
        finally
        {
            UseLocalZone(original);
        }
    }

    private static void UseLocalZone(string? tz)
    {
        Environment.SetEnvironmentVariable("TZ", tz);
        TimeZoneInfo.ClearCachedData();
    }
}
