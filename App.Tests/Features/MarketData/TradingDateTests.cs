using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Admin;
using Signalbook.Features.MarketData.Import;
using Signalbook.Features.MarketData.Sync;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>The daily-bar rule without a database: a daily bar is 00:00 UTC of its trading date, east and west of Greenwich.</summary>
public sealed class TradingDateRuleTests
{
    private static readonly ExchangeCalendar Paris = ExchangeCalendar.For("XPAR", "Europe/Paris");
    private static readonly ExchangeCalendar Tokyo = ExchangeCalendar.For("XTKS", "Asia/Tokyo");
    private static readonly ExchangeCalendar NewYork = ExchangeCalendar.Nyse;

    private static DateTimeOffset Utc(int y, int m, int d, int h = 0) => new(y, m, d, h, 0, 0, TimeSpan.Zero);

    [Fact]
    public void LocalMidnightEastAndWestOfUtc_NormalisesToUtcMidnightOfTheLocalDate()
    {
        // Monday 4 January 2021: Paris midnight is 23:00 UTC on Sunday, Tokyo midnight 15:00 UTC on Sunday, New York midnight 05:00 UTC on Monday.
        Assert.Equal(Utc(2021, 1, 4), Paris.NormalizeDaily(Utc(2021, 1, 3, 23)));
        Assert.Equal(Utc(2021, 1, 4), Tokyo.NormalizeDaily(Utc(2021, 1, 3, 15)));
        Assert.Equal(Utc(2021, 1, 4), NewYork.NormalizeDaily(Utc(2021, 1, 4, 5)));
        // Summer time: Paris midnight is 22:00 UTC.
        Assert.Equal(Utc(2021, 7, 5), Paris.NormalizeDaily(Utc(2021, 7, 4, 22)));
        // Already a daily timestamp: unchanged, for every zone (idempotent).
        Assert.Equal(Utc(2021, 1, 4), NewYork.NormalizeDaily(Utc(2021, 1, 4)));
        Assert.Equal(Utc(2021, 1, 4), Tokyo.NormalizeDaily(Utc(2021, 1, 4)));
        Assert.Equal(new DateOnly(2021, 1, 4), Paris.TradingDate(Intervals.OneDay, Utc(2021, 1, 4)));
        Assert.Equal(new DateOnly(2021, 1, 4), Paris.TradingDate(Intervals.OneDay, Utc(2021, 1, 3, 23)));
        // Intraday bars keep their instant; their trading date is the exchange's local date.
        Assert.Equal(new DateOnly(2021, 1, 4), Tokyo.TradingDate(Intervals.OneHour, Utc(2021, 1, 4, 0))); // 09:00 in Tokyo
        Assert.Equal(new DateOnly(2021, 1, 5), Tokyo.TradingDate(Intervals.OneHour, Utc(2021, 1, 4, 16)));
    }

    [Fact]
    public void ExpectedDailyBars_AreUtcMidnightsOfWeekdays_ForParisAndTokyo()
    {
        foreach (var calendar in new[] { Paris, Tokyo, NewYork })
        {
            var expected = calendar.ExpectedBars(Intervals.OneDay, Utc(2021, 1, 1), Utc(2021, 1, 31)).ToList();
            Assert.All(expected, ts => Assert.Equal(TimeSpan.Zero, ts.UtcDateTime.TimeOfDay));
            Assert.DoesNotContain(expected, ts => ts.UtcDateTime.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
            Assert.Contains(Utc(2021, 1, 4), expected);
        }
        // A Paris daily bar of Friday 8 January is complete at the Paris close, 16:30 UTC that Friday.
        Assert.Equal(Utc(2021, 1, 8, 16) + TimeSpan.FromMinutes(30), GapPlanner.BarEnd(Paris, Intervals.OneDay, Utc(2021, 1, 8)));
        Assert.Equal(Utc(2021, 1, 8, 6) + TimeSpan.FromMinutes(30), GapPlanner.BarEnd(Tokyo, Intervals.OneDay, Utc(2021, 1, 8)));
    }

    [Fact]
    public void AWrittenOffset_DecidesTheDate_WhateverZoneTheInstrumentHas()
    {
        var reader = CsvBarParser.Open(new StringReader("Date,Open,High,Low,Close,Adj Close,Volume\n2023-05-30 00:00:00+02:00,10,11,9,10,10,5\n"), "x.csv",
            TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Assert.True(reader.Read(out var row, out var error));
        Assert.Null(error);
        Assert.Equal(Utc(2023, 5, 29, 22), row.Ts);
        Assert.Equal(Utc(2023, 5, 30).UtcTicks, NewYork.NormalizeDaily(row));
    }
}

/// <summary>Daily files of exchanges east of UTC (Paris, Tokyo) and of New York, imported and read back through the services.</summary>
public sealed class TradingDateImportTests : ServiceHarness
{
    private async Task<(long Id, ImportReport Report)> ImportAsync(string symbol, string exchange, string zone, string csv, string interval = Intervals.OneDay)
    {
        await using var scope = Scope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(symbol, exchange, zone);
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var report = await scope.ServiceProvider.GetRequiredService<CsvImportService>().ImportAsync(id, interval, stream, $"{symbol}.csv");
        return (id, report);
    }

    private const string Week = """
        Date,Open,High,Low,Close,Adj Close,Volume
        2021-01-04,10,11,9,10.5,10.5,100
        2021-01-05,10,11,9,10.5,10.5,100
        2021-01-06,10,11,9,10.5,10.5,100
        2021-01-07,10,11,9,10.5,10.5,100
        2021-01-08,10,11,9,10.5,10.5,100
        2021-01-11,10,11,9,10.5,10.5,100
        """;

    [Theory]
    [InlineData("MC.PA", "XPAR", "Europe/Paris")]
    [InlineData("7203.T", "XTKS", "Asia/Tokyo")]
    [InlineData("AAPL", "US", "America/New_York")]
    public async Task ADailyFile_IsStoredAtItsTradingDates_AndCountedWithoutGaps(string symbol, string exchange, string zone)
    {
        var (id, report) = await ImportAsync(symbol, exchange, zone, Week);
        Assert.Equal(6, report.BarsStored);
        Assert.Equal(new DateTimeOffset(2021, 1, 4, 0, 0, 0, TimeSpan.Zero), report.FirstBar);
        Assert.Equal(new DateTimeOffset(2021, 1, 11, 0, 0, 0, TimeSpan.Zero), report.LastBar);
        Assert.False(report.QualityReport.Has(DataQualityKind.MissingBars));

        await using var db = await DbAsync();
        var stored = await db.PriceBars.Where(p => p.InstrumentId == id).OrderBy(p => p.Ts).Select(p => p.Ts).ToListAsync();
        Assert.Equal(["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07", "2021-01-08", "2021-01-11"], stored.Select(t => t.UtcDateTime.ToString("yyyy-MM-dd")));
        Assert.DoesNotContain(stored, t => t.UtcDateTime.DayOfWeek is DayOfWeek.Sunday or DayOfWeek.Saturday);

        var coverage = Assert.Single(await WithAsync<DataAdminService, IReadOnlyList<CoverageRow>>(s => s.CoverageAsync(symbol)), c => c.Interval == Intervals.OneDay);
        Assert.Equal((6, 0), (coverage.Bars, coverage.MissingBars));
        Assert.Equal(new DateOnly(2021, 1, 4), DateOnly.FromDateTime(coverage.First!.Value.UtcDateTime));

        var chart = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(s => s.ChartAsync(id, Intervals.OneDay, DateTimeOffset.MinValue));
        Assert.Equal(new DateOnly(2021, 1, 11), DateOnly.FromDateTime(chart[^1].Ts.UtcDateTime));
    }

    [Fact]
    public async Task ParisAndNewYorkBarsOfTheSameSession_ShareOneTimestamp()
    {
        var (paris, _) = await ImportAsync("AIR.PA", "XPAR", "Europe/Paris", Week);
        var (newYork, _) = await ImportAsync("IBM", "US", "America/New_York", Week);
        await using var db = await DbAsync();
        var p = await db.PriceBars.Where(b => b.InstrumentId == paris).Select(b => b.Ts).ToListAsync();
        var n = await db.PriceBars.Where(b => b.InstrumentId == newYork).Select(b => b.Ts).ToListAsync();
        Assert.Equal(p.Order(), n.Order());
    }

    [Theory]
    [InlineData("TEP-PA-1d-bad-div-fixed.csv", "XPAR", "Europe/Paris")]
    [InlineData("IBE-MC-1d-no-bad-divs.csv", "XMAD", "Europe/Madrid")]
    [InlineData("KME-MI-1d-bad-div-fixed.csv", "XMIL", "Europe/Rome")]
    public async Task RealEuropeanFiles_ShowTheirFirstAndLastDate_AndNoBarOnAWeekend(string file, string exchange, string zone)
    {
        var path = Path.Combine(SharedData.Root, "prices-eu-and-data-quality", file);
        // Each data line's date as written (line 2 is the first row), without the rows the import rejects (TEP's last row has its close above its high).
        var (id, report) = await ImportAsync(Path.GetFileNameWithoutExtension(file)[..6], exchange, zone, await File.ReadAllTextAsync(path));
        var rejected = report.Rejected.Select(r => r.Line).ToHashSet();
        var dates = File.ReadLines(path).Select((l, i) => (Line: i + 1, Text: l)).Skip(1).Where(l => !rejected.Contains(l.Line))
            .Select(l => DateOnly.Parse(l.Text[..10])).ToList();
        Assert.True(report.RejectedTotal <= 1);
        Assert.Equal(dates.Min(), DateOnly.FromDateTime(report.FirstBar!.Value.UtcDateTime));
        Assert.Equal(dates.Max(), DateOnly.FromDateTime(report.LastBar!.Value.UtcDateTime));
        await using var db = await DbAsync();
        var stored = await db.PriceBars.Where(p => p.InstrumentId == id).Select(p => p.Ts).ToListAsync();
        Assert.DoesNotContain(stored, t => t.UtcDateTime.DayOfWeek is DayOfWeek.Sunday or DayOfWeek.Saturday);
        Assert.Equal(dates.Distinct().Order(), stored.Select(t => DateOnly.FromDateTime(t.UtcDateTime)).Order());
    }

    [Fact]
    public async Task AnHourlyTokyoFile_KeepsItsInstants()
    {
        const string csv = """
            Datetime,Open,High,Low,Close,Volume
            2024-03-04 09:00:00+09:00,10,11,9,10.5,100
            2024-03-04 10:00:00+09:00,10,11,9,10.5,100
            """;
        var (id, report) = await ImportAsync("9984.T", "XTKS", "Asia/Tokyo", csv, Intervals.OneHour);
        Assert.Equal(2, report.BarsStored);
        await using var db = await DbAsync();
        Assert.Equal(new DateTimeOffset(2024, 3, 4, 0, 0, 0, TimeSpan.Zero), await db.PriceBars.Where(p => p.InstrumentId == id).MinAsync(p => p.Ts));
    }

    [Fact]
    public async Task TheWriter_NormalisesDailyBarsFromAnySource()
    {
        var id = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("SAP.DE", "XETR", "Europe/Berlin"));
        // A provider that stamps Berlin midnight (22:00/23:00 UTC the day before).
        var bars = new[] { new OhlcvBar(0, new DateTimeOffset(2024, 7, 7, 22, 0, 0, TimeSpan.Zero), 10, 11, 9, 10, 1, null, null) };
        await WithAsync<PriceBarWriter, int>(w => w.UpsertAsync(id, Intervals.OneDay, bars, "test"));
        await using var db = await DbAsync();
        Assert.Equal(new DateTimeOffset(2024, 7, 8, 0, 0, 0, TimeSpan.Zero), (await db.PriceBars.SingleAsync(p => p.InstrumentId == id)).Ts);
    }
}

/// <summary>Migration 0008 moves daily rows stored at local midnight to 00:00 UTC of their trading date, and leaves intraday rows alone.</summary>
public sealed class TradingDateMigrationTests
{
    [Fact]
    public async Task Migration0008_MovesOldDailyRowsToTheirTradingDate()
    {
        var cs = await TestPostgres.CreateEmptyDatabaseAsync();
        var all = MigrationRunner.LoadEmbedded();
        await new MigrationRunner(cs).RunAsync(all.Where(m => string.CompareOrdinal(m.Version, "0008") < 0).ToList());

        await using (var conn = new NpgsqlConnection(cs))
        {
            await conn.OpenAsync();
            await using var seed = new NpgsqlCommand("""
                INSERT INTO instruments (symbol, exchange, time_zone, currency, is_active, created_at, updated_at) VALUES
                    ('MC.PA', 'XPAR', 'Europe/Paris', 'EUR', true, now(), now()),
                    ('AAPL', 'US', 'America/New_York', 'USD', true, now(), now()),
                    ('7203.T', 'XTKS', 'Asia/Tokyo', 'JPY', true, now(), now());
                INSERT INTO price_bars (instrument_id, interval, ts, open, high, low, close, volume, source)
                SELECT i.id, v.interval, v.ts::timestamptz, 10, 11, 9, 10, 1, 'old' FROM instruments i JOIN (VALUES
                    ('MC.PA', '1Day', '2021-01-03 23:00:00+00'), ('MC.PA', '1Day', '2021-07-04 22:00:00+00'),
                    ('AAPL', '1Day', '2021-01-04 05:00:00+00'), ('7203.T', '1Day', '2021-01-03 15:00:00+00'),
                    ('MC.PA', '15Min', '2021-01-04 08:00:00+00')) v(symbol, interval, ts) ON v.symbol = i.symbol;
                INSERT INTO features (instrument_id, interval, ts, feature_version)
                SELECT id, '1Day', '2021-01-03 23:00:00+00', 'v' FROM instruments WHERE symbol = 'MC.PA';
                """, conn);
            await seed.ExecuteNonQueryAsync();
        }

        await new MigrationRunner(cs).RunAsync(all);

        await using var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(cs).Options);
        var rows = await db.PriceBars.Join(db.Instruments, p => p.InstrumentId, i => i.Id, (p, i) => new { i.Symbol, p.Interval, p.Ts }).ToListAsync();
        string At(string symbol, string interval) => string.Join(",", rows.Where(r => r.Symbol == symbol && r.Interval == interval).Select(r => r.Ts.UtcDateTime.ToString("yyyy-MM-dd HH:mm")).Order());
        Assert.Equal("2021-01-04 00:00,2021-07-05 00:00", At("MC.PA", "1Day"));
        Assert.Equal("2021-01-04 00:00", At("AAPL", "1Day"));
        Assert.Equal("2021-01-04 00:00", At("7203.T", "1Day"));
        Assert.Equal("2021-01-04 08:00", At("MC.PA", "15Min"));
        Assert.Equal(new DateTimeOffset(2021, 1, 4, 0, 0, 0, TimeSpan.Zero), (await db.Features.SingleAsync()).Ts);
    }
}

/// <summary>
/// The same import with the process's local time zone far from UTC (Line Islands, UTC+14, and Honolulu, UTC−10): nothing in
/// parsing, normalising, storing or reading back may use the machine's zone. Runs alone: it changes the process's zone.
/// </summary>
[Collection(LocalTimeZoneCollection.Name)]
public sealed class TradingDateLocalZoneTests : ServiceHarness
{
    [Theory]
    [InlineData("Pacific/Kiritimati")]
    [InlineData("Pacific/Honolulu")]
    public async Task WithTheMachineFarFromUtc_ParisAndTokyoDailyBarsStillLandOnTheirTradingDates(string machineZone)
    {
        var previous = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", machineZone);
        TimeZoneInfo.ClearCachedData();
        try
        {
            Assert.NotEqual(TimeSpan.Zero, TimeZoneInfo.Local.GetUtcOffset(DateTime.UtcNow)); // the test is meaningless in UTC
            foreach (var (symbol, exchange, zone) in new[] { ("OR.PA", "XPAR", "Europe/Paris"), ("6758.T", "XTKS", "Asia/Tokyo"), ("MSFT", "US", "America/New_York") })
            {
                await using var scope = Scope();
                var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(symbol + machineZone[..3], exchange, zone);
                const string csv = "Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10,11,9,10.5,10.5,100\n";
                await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(csv));
                var report = await scope.ServiceProvider.GetRequiredService<CsvImportService>().ImportAsync(id, Intervals.OneDay, stream, "f.csv");
                Assert.Equal(new DateTimeOffset(2021, 1, 4, 0, 0, 0, TimeSpan.Zero), report.FirstBar);
                var chart = await scope.ServiceProvider.GetRequiredService<MarketsService>().ChartAsync(id, Intervals.OneDay, DateTimeOffset.MinValue);
                Assert.Equal([new DateOnly(2021, 1, 4), new DateOnly(2021, 1, 5)], chart.Select(c => DateOnly.FromDateTime(c.Ts.UtcDateTime)));
                Assert.All(chart, c => Assert.Equal(TimeSpan.Zero, c.Ts.Offset));
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", previous);
            TimeZoneInfo.ClearCachedData();
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalTimeZoneCollection
{
    public const string Name = "Process local time zone";
}
