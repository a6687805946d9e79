using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Features.MarketData;
using Signalbook.Features.Operations.SystemStatus;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations.SystemStatus;

/// <summary>The statistics sampler on a seeded database: what it counts, what it leaves out, and its retention.</summary>
public sealed class StatisticsSamplerTests : ServiceHarness
{
    private async Task SeedAsync()
    {
        var trader = await CreateUserAsync("trader@test.local");
        await CreateUserAsync("viewer@test.local", Roles.Viewer);
        var now = Clock.GetUtcNow();
        await using var db = await DbAsync();
        db.Sessions.AddRange(
            new UserSession { Id = Guid.NewGuid(), UserId = trader.Id, CreatedAt = now.AddHours(-1), LastSeenAt = now, ExpiresAt = now.AddDays(1) },
            new UserSession { Id = Guid.NewGuid(), UserId = trader.Id, CreatedAt = now.AddDays(-3), LastSeenAt = now.AddDays(-3), ExpiresAt = now.AddDays(-1) }, // expired
            new UserSession { Id = Guid.NewGuid(), UserId = trader.Id, CreatedAt = now.AddHours(-2), LastSeenAt = now, ExpiresAt = now.AddDays(1), RevokedAt = now }); // revoked
        var instrument = new Instrument { Symbol = "SMPL", Exchange = "NYSE", CreatedAt = now, UpdatedAt = now };
        db.Instruments.Add(instrument);
        await db.SaveChangesAsync();
        for (var d = 0; d < 3; d++)
            db.PriceBars.Add(new PriceBar { InstrumentId = instrument.Id, Interval = Intervals.OneDay, Ts = ExchangeCalendar.DailyBarTs(new DateOnly(2026, 11, 16).AddDays(d)), Open = 1, High = 1, Low = 1, Close = 1, Volume = 1 });
        for (var m = 0; m < 2; m++)
            db.PriceBars.Add(new PriceBar { InstrumentId = instrument.Id, Interval = Intervals.FifteenMinutes, Ts = now.AddMinutes(-15 * (m + 1)), Open = 1, High = 1, Low = 1, Close = 1, Volume = 1 });
        db.Features.Add(new FeatureRow { InstrumentId = instrument.Id, Interval = Intervals.OneDay, Ts = ExchangeCalendar.DailyBarTs(new DateOnly(2026, 11, 18)) });
        foreach (var (status, hoursAgo) in new[] { (TaskStatuses.Success, 1), (TaskStatuses.Success, 2), (TaskStatuses.Success, 3), (TaskStatuses.Failed, 4), (TaskStatuses.Skipped, 5), (TaskStatuses.Failed, 30) })
            db.TaskExecutions.Add(new TaskExecution { TaskName = JobCatalog.DailySync, ExecutedAt = now.AddHours(-hoursAgo), Status = status, NodeName = "n" });
        await db.SaveChangesAsync();
    }

    private Task<StatisticsSample> SampleAsync() => WithAsync<StatisticsSampler, StatisticsSample>(s => s.SampleAsync());

    [Fact]
    public async Task ASample_CountsUsersSessionsDataAndJobs_AndStoresOneRowPerSeries()
    {
        await SeedAsync();
        var sample = await SampleAsync();
        var v = sample.Values;

        Assert.Equal(3, v[StatisticKeys.UsersTotal]); // the admin, a trader and a viewer
        Assert.Equal(1, v[StatisticKeys.ActiveSessions]); // neither the expired nor the revoked one
        Assert.Equal(3, v[StatisticKeys.BarsDaily]);
        Assert.Equal(2, v[StatisticKeys.BarsIntraday]);
        Assert.Equal(1, v[StatisticKeys.FeatureRows]);
        Assert.Equal(0, v[StatisticKeys.RecommendationRows]);
        Assert.Equal(0.75, v[StatisticKeys.JobSuccessRate]); // 3 of 4 finished runs in 24 h; skipped and older runs do not count
        Assert.Equal(1, v[StatisticKeys.JobsFailed]);
        Assert.InRange(v[StatisticKeys.DatabaseBytes], 1_000_000, 10_000_000_000);
        var tables = v.Where(p => p.Key.StartsWith(StatisticKeys.TableBytesPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(StatisticsSampler.LargestTables, tables.Count);
        Assert.All(tables, t => Assert.InRange(t.Value, 8192, v[StatisticKeys.DatabaseBytes]));
        Assert.Equal(0, v[StatisticKeys.ErrorRate]); // no exception captured: zero, measured
        Assert.False(v.ContainsKey(StatisticKeys.QueueDepth)); // no job storage in this harness

        await using var db = await DbAsync();
        var stored = await db.Statistics.AsNoTracking().ToListAsync();
        Assert.Equal(v.Count, stored.Count);
        Assert.All(stored, s => Assert.Equal(Clock.GetUtcNow(), s.Timestamp));
        Assert.Equal(3, stored.Single(s => s.Key == StatisticKeys.UsersTotal).Value);
    }

    [Fact]
    public async Task WithNoFinishedRunIn24Hours_TheSuccessRateIsLeftOut()
    {
        var sample = await SampleAsync();
        Assert.False(sample.Values.ContainsKey(StatisticKeys.JobSuccessRate));
        Assert.Equal(0, sample.Values[StatisticKeys.JobsFailed]);
    }

    [Fact]
    public async Task TheErrorRate_CountsTheCapturedErrorsOfTheLast24Hours()
    {
        await using (var db = await DbAsync())
        {
            foreach (var (message, age) in new[] { ("a", 2), ("b", 2), ("c", 25) })
            {
                db.ErrorLogs.Add(new Signalbook.Features.Operations.Errors.ErrorLog
                {
                    ErrorType = "System.InvalidOperationException", ErrorMessage = message, Fingerprint = "f" + message,
                    OccurredAt = Clock.GetUtcNow().AddHours(-age),
                });
            }
            await db.SaveChangesAsync();
        }
        Assert.Equal(2, (await SampleAsync()).Values[StatisticKeys.ErrorRate]);
    }

    [Fact]
    public async Task SamplesPastTheRetentionWindow_AreDeleted()
    {
        await using (var db = await DbAsync())
        {
            db.Statistics.AddRange(
                new Statistic { Key = StatisticKeys.UsersTotal, Value = 1, Timestamp = Clock.GetUtcNow().AddDays(-91) },
                new Statistic { Key = StatisticKeys.UsersTotal, Value = 1, Timestamp = Clock.GetUtcNow().AddDays(-89) });
            await db.SaveChangesAsync();
        }
        var sample = await SampleAsync();
        Assert.Equal(1, sample.Deleted);
        await using var check = await DbAsync();
        Assert.Equal(2, await check.Statistics.CountAsync(s => s.Key == StatisticKeys.UsersTotal));
    }

    [Fact]
    public async Task TheSystemService_AveragesASeriesIntoBuckets_AndReportsTheNewestSample()
    {
        var start = Clock.GetUtcNow();
        await using (var db = await DbAsync())
        {
            // 10-minute samples over 2 hours; an hour-long window has 5-minute buckets, so each sample is its own point.
            for (var i = 0; i <= 12; i++) db.Statistics.Add(new Statistic { Key = StatisticKeys.UsersTotal, Value = i, Timestamp = start.AddMinutes(-10 * i) });
            db.Statistics.Add(new Statistic { Key = StatisticKeys.TableBytesPrefix + "price_bars", Value = 4096, Timestamp = start });
            db.Statistics.Add(new Statistic { Key = "other.series", Value = 1, Timestamp = start });
            await db.SaveChangesAsync();
        }
        var series = await WithAsync<SystemService, IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>>>(s =>
            s.SeriesAsync([StatisticKeys.UsersTotal], [StatisticKeys.TableBytesPrefix], start.AddHours(-1)));
        Assert.Equal([StatisticKeys.TableBytesPrefix + "price_bars", StatisticKeys.UsersTotal], series.Keys.Order());
        Assert.Equal([6.0, 5, 4, 3, 2, 1, 0], series[StatisticKeys.UsersTotal].Select(p => p.Value));
        Assert.True(series[StatisticKeys.UsersTotal].Zip(series[StatisticKeys.UsersTotal].Skip(1)).All(p => p.First.At < p.Second.At));

        var latest = await WithAsync<SystemService, IReadOnlyDictionary<string, SeriesPoint>>(s => s.LatestAsync());
        Assert.Equal(0, latest[StatisticKeys.UsersTotal].Value);
        Assert.Equal(start, latest[StatisticKeys.UsersTotal].At);
    }
}
