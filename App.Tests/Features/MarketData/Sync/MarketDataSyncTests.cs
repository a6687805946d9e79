using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.MarketData.Sync;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData.Sync;

/// <summary>
/// Incremental sync over a real PostgreSQL, the demo market behind a scripted provider, and a manual
/// clock (Friday 20 Nov 2026, 09:30 New York: the last complete daily bar is Thursday the 19th).
/// </summary>
public sealed class MarketDataSyncTests : ServiceHarness
{
    private static readonly ExchangeCalendar Nyse = ExchangeCalendar.Nyse;
    private ScriptedProvider? _provider;
    private ScriptedProvider Provider => _provider ??= new ScriptedProvider(Clock);

    private static DateTimeOffset Day(int y, int m, int d) => ExchangeCalendar.DailyBarTs(new DateOnly(y, m, d)); // the daily-bar rule: 00:00 UTC of the trading date

    private async Task<long> InstrumentAsync(string symbol) =>
        await WithAsync<InstrumentService, long>(s => s.EnsureAsync(DemoProvider.Universe.Single(u => u.Symbol == symbol)));

    private async Task<SyncResult> SyncAsync(long id, string interval = Intervals.OneDay)
    {
        await using var scope = Scope();
        return await ActivatorUtilities.CreateInstance<MarketDataSyncService>(scope.ServiceProvider, Provider).SyncAsync(id, interval);
    }

    private async Task<List<DataSyncLog>> LogAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.DataSyncLog.Where(l => l.InstrumentId == id).OrderBy(l => l.Id).ToListAsync();
    }

    private async Task<List<DateTimeOffset>> StoredAsync(long id, string interval = Intervals.OneDay)
    {
        await using var db = await DbAsync();
        return await db.PriceBars.Where(p => p.InstrumentId == id && p.Interval == interval).OrderBy(p => p.Ts).Select(p => p.Ts).ToListAsync();
    }

    private async Task<int> DemoCountAsync(string symbol, string interval, DateTimeOffset from) =>
        (await new DemoProvider(Clock).GetBarsAsync(symbol, interval, from, Clock.GetUtcNow())).Count;

    [Fact]
    public async Task EmptyDatabase_FetchesTheWholeWindowInOneRequestPerInterval()
    {
        var id = await InstrumentAsync("DLTA");
        var daily = await SyncAsync(id);
        var intraday = await SyncAsync(id, Intervals.FifteenMinutes);

        var now = Clock.GetUtcNow();
        var (dailyCall, intradayCall) = (Provider.Calls[0], Provider.Calls[1]);
        Assert.Equal(2, Provider.Calls.Count);
        // The horizon is 20 Nov 2018 14:30Z; that day's bar is stamped 05:00Z, before it (retention would delete it).
        Assert.Equal(Day(2018, 11, 21), dailyCall.From);
        Assert.Equal(Day(2026, 11, 19), dailyCall.To);    // the last complete session
        Assert.Equal(Nyse.At(new DateOnly(2026, 10, 21), new TimeOnly(10, 30)), intradayCall.From); // 30 days back, on the bar grid
        Assert.Equal(Nyse.At(new DateOnly(2026, 11, 19), new TimeOnly(15, 45)), intradayCall.To);

        var expectedDaily = await DemoCountAsync("DLTA", Intervals.OneDay, now.AddYears(-8));
        var expectedIntraday = await DemoCountAsync("DLTA", Intervals.FifteenMinutes, now.AddDays(-30));
        Assert.InRange(expectedDaily, 750, 758);
        Assert.Equal(expectedDaily, daily.BarsFetched);
        Assert.Equal(expectedIntraday, intraday.BarsFetched);
        Assert.Equal(expectedDaily, (await StoredAsync(id)).Count);
        Assert.Equal(expectedIntraday, (await StoredAsync(id, Intervals.FifteenMinutes)).Count);

        var log = await LogAsync(id);
        Assert.Equal(2, log.Count);
        Assert.All(log, l => Assert.Equal("success", l.Status));
        Assert.Equal((expectedDaily, expectedDaily, Day(2026, 11, 19)), (log[0].BarsFetched, log[0].TotalBars, log[0].LastSyncedTs!.Value));
        using var details = JsonDocument.Parse(log[0].Details);
        Assert.Equal("scripted", details.RootElement.GetProperty("provider").GetString());
        Assert.Equal(1, details.RootElement.GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public async Task Rerun_FetchesNothing_AndLogsZeroBars_WeekendsAndHolidaysNeverCountAsGaps()
    {
        var id = await InstrumentAsync("EMBR");
        var first = await SyncAsync(id);
        await SyncAsync(id, Intervals.FifteenMinutes);
        var calls = Provider.Calls.Count;

        var again = await SyncAsync(id);
        var againIntraday = await SyncAsync(id, Intervals.FifteenMinutes);

        Assert.Equal(calls, Provider.Calls.Count); // three years of weekends and NYSE holidays, and not one request
        Assert.Equal((0, 0, "success"), (again.Requests, again.BarsFetched, again.Status));
        Assert.Equal((0, 0), (againIntraday.Requests, againIntraday.BarsFetched));
        var last = (await LogAsync(id))[^2];
        Assert.Equal(Intervals.OneDay, last.Interval);
        Assert.Equal(0, last.BarsFetched);
        Assert.Equal(first.TotalBars, last.TotalBars);
        Assert.Equal("success", last.Status);
    }

    [Fact]
    public async Task ClockAdvancesThreeTradingDays_FetchesExactlyTheNewBarsInOneRequest()
    {
        var id = await InstrumentAsync("FJRD");
        var first = await SyncAsync(id);
        var calls = Provider.Calls.Count;

        Clock.Advance(TimeSpan.FromDays(5)); // Wednesday 25 Nov 09:30 New York: Fri 20, Mon 23 and Tue 24 are new
        var next = await SyncAsync(id);

        var call = Assert.Single(Provider.Calls.Skip(calls));
        Assert.Equal((Day(2026, 11, 20), Day(2026, 11, 24)), (call.From, call.To));
        Assert.Equal(3, next.BarsFetched);
        Assert.Equal(first.TotalBars + 3, next.TotalBars);
        Assert.Equal([Day(2026, 11, 19), Day(2026, 11, 20), Day(2026, 11, 23), Day(2026, 11, 24)], (await StoredAsync(id))[^4..]);
    }

    [Fact]
    public async Task AcrossThanksgivingAndAWeekend_OnlyTradingDaysAreAskedFor_InOneRequest()
    {
        var id = await InstrumentAsync("GLNT");
        await SyncAsync(id);
        var calls = Provider.Calls.Count;

        Clock.Advance(TimeSpan.FromDays(11)); // Tuesday 1 Dec: new are 20, 23, 24, 25, 27 Nov and 30 Nov; not the 26th (Thanksgiving)
        var next = await SyncAsync(id);

        var call = Assert.Single(Provider.Calls.Skip(calls));
        Assert.Equal((Day(2026, 11, 20), Day(2026, 11, 30)), (call.From, call.To));
        Assert.Equal(6, next.BarsFetched);
        Assert.DoesNotContain(Day(2026, 11, 26), await StoredAsync(id));
        Assert.Equal(0, (await SyncAsync(id)).Requests);
    }

    [Fact]
    public async Task DeletedInteriorWeek_IsRefetchedAsExactlyThatRange()
    {
        var id = await InstrumentAsync("HRZN");
        var first = await SyncAsync(id);
        var calls = Provider.Calls.Count;
        await using (var db = await DbAsync())
        {
            Assert.Equal(5, await db.PriceBars.Where(p => p.InstrumentId == id && p.Ts >= Day(2026, 6, 8) && p.Ts <= Day(2026, 6, 12)).ExecuteDeleteAsync());
        }

        var refill = await SyncAsync(id);

        var call = Assert.Single(Provider.Calls.Skip(calls));
        Assert.Equal((Day(2026, 6, 8), Day(2026, 6, 12)), (call.From, call.To));
        Assert.Equal(5, refill.BarsFetched);
        Assert.Equal(first.TotalBars, refill.TotalBars);
    }

    [Fact]
    public async Task DeletedIntradayAfternoon_IsRefetchedAsExactlyThoseBars()
    {
        var id = await InstrumentAsync("HRZN");
        await SyncAsync(id, Intervals.FifteenMinutes);
        var calls = Provider.Calls.Count;
        var (from, to) = (Nyse.At(new DateOnly(2026, 11, 10), new TimeOnly(13, 0)), Nyse.At(new DateOnly(2026, 11, 11), new TimeOnly(10, 0)));
        await using (var db = await DbAsync())
        {
            Assert.Equal(12 + 3, await db.PriceBars.Where(p => p.InstrumentId == id && p.Ts >= from && p.Ts <= to).ExecuteDeleteAsync());
        }

        var refill = await SyncAsync(id, Intervals.FifteenMinutes);

        var call = Assert.Single(Provider.Calls.Skip(calls)); // one request across the night
        Assert.Equal((from, to), (call.From, call.To));
        Assert.Equal(15, refill.BarsFetched);
    }

    [Fact]
    public async Task ProviderThrows_LogsAFailedRowWithTheMessage_AndTheOtherInstrumentsStillSync()
    {
        var ids = new[] { await InstrumentAsync("ALPX"), await InstrumentAsync("BRKT"), await InstrumentAsync("CYRA") };
        Provider.Failing.Add("BRKT");
        var progress = new List<SyncProgress>();

        await using var scope = Scope();
        var summary = await ActivatorUtilities.CreateInstance<MarketDataSyncService>(scope.ServiceProvider, Provider)
            .SyncAllAsync(Intervals.OneDay, new ListProgress(progress));

        Assert.Equal((2, 1), (summary.InstrumentsOk, summary.InstrumentsFailed));
        Assert.Equal(["ALPX", "BRKT", "CYRA"], progress.Select(p => p.Symbol));
        Assert.Equal([1, 2, 3], progress.Select(p => p.Done));
        var failed = Assert.Single(await LogAsync(ids[1]));
        Assert.Equal("failed", failed.Status);
        Assert.Contains("scripted outage for BRKT", failed.ErrorMessage);
        Assert.Contains("scripted: BRKT 1Day", failed.ErrorMessage);
        Assert.Equal(0, failed.BarsFetched);
        Assert.Empty(await StoredAsync(ids[1]));
        foreach (var ok in new[] { ids[0], ids[2] })
        {
            Assert.Equal("success", Assert.Single(await LogAsync(ok)).Status);
            Assert.InRange((await StoredAsync(ok)).Count, 750, 758);
        }
        Assert.Equal(summary.Results.Sum(r => r.BarsFetched), summary.BarsFetched);
    }

    [Fact]
    public async Task GapTheProviderCannotFill_IsNotRequestedAgain()
    {
        var id = await InstrumentAsync("IONQX");
        // As NYSE did for Hurricane Sandy: two sessions the calendar expects and the provider never had.
        Provider.Holes.Add((Day(2025, 3, 4), Day(2025, 3, 5)));
        var first = await SyncAsync(id);
        var stored = await StoredAsync(id);
        Assert.DoesNotContain(Day(2025, 3, 4), stored);
        Assert.Contains(Day(2025, 3, 3), stored);
        await using (var db = await DbAsync())
        {
            var ranges = await db.SyncEmptyRanges.Where(r => r.InstrumentId == id).OrderBy(r => r.RangeStart).ToListAsync();
            Assert.Contains(ranges, r => r.RangeStart == Day(2025, 3, 4) && r.RangeEnd == Day(2025, 3, 5) && r.Provider == "scripted");
        }
        var calls = Provider.Calls.Count;

        var second = await SyncAsync(id);

        Assert.Equal(calls, Provider.Calls.Count);
        Assert.Equal(0, second.Requests);
        Assert.Equal(first.TotalBars, second.TotalBars);
    }

    [Fact]
    public async Task RecentBarsTheProviderDidNotHaveYet_AreAskedForAgain()
    {
        var id = await InstrumentAsync("JUNO");
        Provider.Holes.Add((Day(2026, 11, 19), Day(2026, 11, 19))); // yesterday's bar, not yet published
        await SyncAsync(id);
        Provider.Holes.Clear();
        var calls = Provider.Calls.Count;

        var next = await SyncAsync(id);

        var call = Assert.Single(Provider.Calls.Skip(calls));
        Assert.Equal((Day(2026, 11, 19), Day(2026, 11, 19)), (call.From, call.To));
        Assert.Equal(1, next.BarsFetched);
    }

    [Fact]
    public async Task InvalidProviderBars_AreRejectedAndReported_TheRestStored()
    {
        var id = await InstrumentAsync("KSTL");
        var bad = Day(2026, 2, 10);
        var negative = Day(2026, 2, 11);
        Provider.Corrupt = b => b.Ts == bad ? b with { High = b.Low - 1 } : b.Ts == negative ? b with { Volume = -5 } : b;

        var result = await SyncAsync(id);

        Assert.Equal("partial", result.Status);
        Assert.Equal(2, result.Rejected);
        var log = Assert.Single(await LogAsync(id));
        Assert.Equal("partial", log.Status);
        Assert.Contains("2 bar(s) from scripted rejected", log.ErrorMessage);
        Assert.Contains($"{bad:u}: high", log.ErrorMessage);
        Assert.Contains("volume -5 is negative", log.ErrorMessage);
        var stored = await StoredAsync(id);
        Assert.DoesNotContain(bad, stored);
        Assert.Equal(result.TotalBars, stored.Count);
        Assert.Equal(log.BarsFetched, stored.Count);

        // The provider had those bars, only wrong: they are asked for again (and now arrive corrected).
        Provider.Corrupt = b => b;
        var calls = Provider.Calls.Count;
        var next = await SyncAsync(id);
        var call = Assert.Single(Provider.Calls.Skip(calls));
        Assert.Equal((bad, negative), (call.From, call.To));
        Assert.Equal(("success", 2), (next.Status, next.BarsFetched));
    }

    [Fact]
    public void GapPlanner_ConsecutiveMissingBarsAcrossAWeekendAndHoliday_AreOneRun_AndFullDataIsNoRun()
    {
        // Thanksgiving 2025 is Thursday 27 Nov; the run Wed 26 → Mon 1 Dec spans the holiday and the weekend.
        var expected = Nyse.ExpectedBars(Intervals.OneDay, Day(2025, 11, 20), Day(2025, 12, 5)).ToList();
        Assert.DoesNotContain(Day(2025, 11, 27), expected);
        Assert.Empty(GapPlanner.MissingRuns(expected, expected.ToHashSet(), []));

        var present = expected.Where(ts => ts < Day(2025, 11, 26) || ts > Day(2025, 12, 1)).ToHashSet();
        var run = Assert.Single(GapPlanner.MissingRuns(expected, present, []));
        Assert.Equal((Day(2025, 11, 26), Day(2025, 12, 1), 3), (run.From, run.To, run.ExpectedBars));
        Assert.Empty(GapPlanner.MissingRuns(expected, present, [(Day(2025, 11, 26), Day(2025, 12, 1))]));
    }

    [Fact]
    public void GapPlanner_HolesLessThanASessionApart_ShareOneRequest_FartherOnesDoNot()
    {
        var expected = Nyse.ExpectedBars(Intervals.FifteenMinutes, Nyse.At(new DateOnly(2026, 11, 2), new TimeOnly(9, 30)), Nyse.At(new DateOnly(2026, 11, 13), new TimeOnly(15, 45))).ToList();
        // Three one-bar holes on Monday 2 Nov (an illiquid stock), and one on Friday 13 Nov.
        int[] holes = [3, 10, 20, expected.Count - 1];
        var present = expected.Where((_, i) => !holes.Contains(i)).ToHashSet();
        var runs = GapPlanner.MissingRuns(expected, present, []);
        Assert.Equal(4, runs.Count);

        var requests = GapPlanner.Batch(expected, runs, GapPlanner.JoinWithin(Intervals.FifteenMinutes));

        Assert.Equal(2, requests.Count);
        Assert.Equal((expected[3], expected[20], 3), (requests[0].From, requests[0].To, requests[0].ExpectedBars));
        Assert.Equal((expected[^1], expected[^1]), (requests[1].From, requests[1].To));
        Assert.Equal(4, GapPlanner.Batch(expected, runs, 0).Count);
    }

    private sealed class ListProgress(List<SyncProgress> list) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => list.Add(value);
    }
}
