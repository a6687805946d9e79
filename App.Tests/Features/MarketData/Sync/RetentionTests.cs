using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Features.MarketData.Sync;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData.Sync;

/// <summary>Retention over a real PostgreSQL: exactly the bars (and their features) older than the window go.</summary>
public sealed class RetentionTests : ServiceHarness
{
    private static OhlcvBar Bar(DateTimeOffset ts) => new(0, ts, 10, 11, 9, 10.5, 1000, null, null);

    private async Task SeedAsync(long id, string interval, params DateTimeOffset[] times)
    {
        await WithAsync<PriceBarWriter, int>(w => w.UpsertAsync(id, interval, times.Order().Select(Bar).ToList(), "test"));
        await using var db = await DbAsync();
        db.Features.AddRange(times.Select(ts => new FeatureRow { InstrumentId = id, Interval = interval, Ts = ts, FeatureVersion = "t", CreatedAt = Clock.GetUtcNow() }));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Purge_DeletesExactlyTheBarsAndFeaturesOutsideTheWindows()
    {
        Clock.Advance(TimeSpan.FromHours(9.5)); // to 00:00 UTC, so that daily bars (stored at 00:00 UTC of their date) can sit exactly at the cut
        var now = Clock.GetUtcNow();
        var a = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("OLD", "NYSE"));
        var b = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("NEW", "NYSE"));
        var dailyCut = now.AddYears(-8);
        var intradayCut = now.AddDays(-30);
        await SeedAsync(a, Intervals.OneDay, dailyCut.AddDays(-1), dailyCut, dailyCut.AddDays(1), now.AddDays(-40), now.AddDays(-1));
        await SeedAsync(a, Intervals.FifteenMinutes, intradayCut.AddMinutes(-15), intradayCut, intradayCut.AddMinutes(15), now.AddHours(-1));
        await SeedAsync(b, Intervals.OneHour, intradayCut.AddHours(-1), intradayCut.AddHours(1));
        await SeedAsync(b, Intervals.OneDay, dailyCut.AddYears(-1), now.AddYears(-7));
        await using (var db = await DbAsync())
        {
            db.SyncEmptyRanges.Add(new EmptyRange { InstrumentId = a, Interval = Intervals.OneDay, Provider = "p", RangeStart = dailyCut.AddDays(-9), RangeEnd = dailyCut.AddDays(-2), RecordedAt = now });
            db.SyncEmptyRanges.Add(new EmptyRange { InstrumentId = a, Interval = Intervals.OneDay, Provider = "p", RangeStart = dailyCut.AddDays(-2), RangeEnd = dailyCut.AddDays(2), RecordedAt = now });
            await db.SaveChangesAsync();
        }

        var report = await WithAsync<RetentionService, RetentionReport>(r => r.PurgeAsync());

        Assert.Equal((dailyCut, intradayCut), (report.DailyCutoff, report.IntradayCutoff));
        Assert.Equal(4, report.BarsDeleted);
        Assert.Equal(4, report.FeaturesDeleted);
        await using var check = await DbAsync();
        var bars = await check.PriceBars.Select(p => new { p.InstrumentId, p.Interval, p.Ts }).ToListAsync();
        var features = await check.Features.Select(f => new { f.InstrumentId, f.Interval, f.Ts }).ToListAsync();
        var kept = new[]
        {
            new { InstrumentId = a, Interval = Intervals.OneDay, Ts = dailyCut }, new { InstrumentId = a, Interval = Intervals.OneDay, Ts = dailyCut.AddDays(1) },
            new { InstrumentId = a, Interval = Intervals.OneDay, Ts = now.AddDays(-40) }, new { InstrumentId = a, Interval = Intervals.OneDay, Ts = now.AddDays(-1) },
            new { InstrumentId = a, Interval = Intervals.FifteenMinutes, Ts = intradayCut }, new { InstrumentId = a, Interval = Intervals.FifteenMinutes, Ts = intradayCut.AddMinutes(15) },
            new { InstrumentId = a, Interval = Intervals.FifteenMinutes, Ts = now.AddHours(-1) },
            new { InstrumentId = b, Interval = Intervals.OneHour, Ts = intradayCut.AddHours(1) }, new { InstrumentId = b, Interval = Intervals.OneDay, Ts = now.AddYears(-7) },
        }.OrderBy(x => x.InstrumentId).ThenBy(x => x.Interval).ThenBy(x => x.Ts).ToList();
        Assert.Equal(kept, bars.OrderBy(x => x.InstrumentId).ThenBy(x => x.Interval).ThenBy(x => x.Ts).ToList());
        Assert.Equal(kept, features.OrderBy(x => x.InstrumentId).ThenBy(x => x.Interval).ThenBy(x => x.Ts).ToList());
        var range = Assert.Single(await check.SyncEmptyRanges.ToListAsync());
        Assert.Equal(dailyCut.AddDays(2), range.RangeEnd);

        Assert.Equal((0, 0), await WithAsync<RetentionService, (int, int)>(async r => { var again = await r.PurgeAsync(); return (again.BarsDeleted, again.FeaturesDeleted); }));
    }

    [Fact]
    public async Task Purge_FollowsTheClock()
    {
        var id = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("CLK", "NYSE"));
        var now = Clock.GetUtcNow();
        await SeedAsync(id, Intervals.FifteenMinutes, now.AddDays(-29), now.AddDays(-10));
        Assert.Equal(0, (await WithAsync<RetentionService, RetentionReport>(r => r.PurgeAsync())).BarsDeleted);
        Clock.Advance(TimeSpan.FromDays(2));
        var report = await WithAsync<RetentionService, RetentionReport>(r => r.PurgeAsync());
        Assert.Equal((1, 1), (report.BarsDeleted, report.FeaturesDeleted));
    }
}

/// <summary>Retention settings come from configuration and are checked at start.</summary>
public sealed class RetentionOptionsTests : ServiceHarness
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["MarketData:Retention:IntradayDays"] = "0",
        ["MarketData:Retention:DailyYears"] = "3",
    };

    [Fact]
    public void OutOfRangeWindow_IsRefusedNamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Services.GetRequiredService<IOptions<RetentionOptions>>().Value);
        Assert.Contains("IntradayDays", error.Message);
    }
}

public sealed class RetentionConfiguredTests : ServiceHarness
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["MarketData:Retention:IntradayDays"] = "5",
        ["MarketData:Retention:DailyYears"] = "2",
    };

    [Fact]
    public async Task ConfiguredWindows_AreUsed()
    {
        Clock.Advance(TimeSpan.FromHours(9.5)); // to 00:00 UTC: a daily bar's timestamp
        var id = await WithAsync<InstrumentService, long>(s => s.EnsureAsync("CFG", "NYSE"));
        var now = Clock.GetUtcNow();
        await WithAsync<PriceBarWriter, int>(w => w.UpsertAsync(id, Intervals.OneDay, [new OhlcvBar(0, now.AddYears(-3), 10, 11, 9, 10, 1, null, null), new OhlcvBar(0, now.AddYears(-1), 10, 11, 9, 10, 1, null, null)], "t"));
        await WithAsync<PriceBarWriter, int>(w => w.UpsertAsync(id, Intervals.FifteenMinutes, [new OhlcvBar(0, now.AddDays(-6), 10, 11, 9, 10, 1, null, null), new OhlcvBar(0, now.AddDays(-4), 10, 11, 9, 10, 1, null, null)], "t"));
        var report = await WithAsync<RetentionService, RetentionReport>(r => r.PurgeAsync());
        Assert.Equal((now.AddDays(-5), now.AddYears(-2), 2), (report.IntradayCutoff, report.DailyCutoff, report.BarsDeleted));
        await using var db = await DbAsync();
        Assert.Equal([now.AddYears(-1), now.AddDays(-4)], await db.PriceBars.OrderBy(p => p.Ts).Select(p => p.Ts).ToListAsync());
    }
}
