using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Stats;
using Signalbook.Tests.Infrastructure;
using static Signalbook.Tests.Features.Journal.Stats.JournalStatsSeed;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>JournalStatsService over the hand-worked campaigns (<see cref="JournalStatsSeed.HandWorkedAsync"/>) in a real database.</summary>
public sealed class JournalStatsServiceTests : IAsyncLifetime
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private readonly ServiceHarness _db = new();
    private JournalCaller _me = null!;
    private JournalCaller _other = null!;
    private HandWorked _ids = null!;

    public async Task InitializeAsync()
    {
        await _db.InitializeAsync();
        var me = await _db.CreateUserAsync("stats-me@test.local");
        var other = await _db.CreateUserAsync("stats-other@test.local");
        (_me, _other) = (JournalCaller.Trader(me.Id), JournalCaller.Viewer(other.Id));
        await using var db = await _db.DbAsync();
        _ids = await HandWorkedAsync(db, me.Id);
        // Another trader: a winning AAPL trade with a tag and a broken rule, and a note of theirs that names my first campaign.
        var theirs = await StrategyAsync(db, other.Id, "Breakout");
        await CampaignAsync(db, other.Id, new SeedCampaign("AAPL", At(3, 14), At(3, 16), 999m)
        {
            R = 3, StrategyId = theirs, Emotions = ["greedy"], TagEntries = [["plan"]], FailedAtEntry = ["stop_required"], Regime = "bull",
        });
        db.JournalEntries.Add(Entry(other.Id, _ids.Aapl1.ToString(System.Globalization.CultureInfo.InvariantCulture), ["intruder"], "Not yours."));
        await db.SaveChangesAsync();
    }

    public Task DisposeAsync() => _db.DisposeAsync();

    private Task<JournalStatsResult> ComputeAsync(JournalCaller caller, JournalFilter? filter = null, TimeZoneInfo? zone = null) =>
        _db.WithAsync<JournalStatsService, JournalStatsResult>(s => s.ComputeAsync(caller, filter ?? JournalFilter.All, zone ?? TimeZoneInfo.Utc));

    [Fact]
    public async Task Compute_OnTheHandWorkedCampaigns_MatchesTheHandWorkedFigures()
    {
        var result = await ComputeAsync(_me);
        var s = result.Stats.Summary;

        Assert.Equal([_ids.Aapl1, _ids.Msft2, _ids.Aapl3, _ids.Tsla4], result.Campaigns.Select(c => c.GroupId)); // closed only, by close
        Assert.Equal("USD", result.Currency);
        Assert.Equal((4, 2, 2, 0), (s.Count, s.Wins, s.Losses, s.Breakeven));
        Assert.Equal(50m, s.WinRatePct);
        Assert.Equal(350m, s.NetPnl);
        Assert.Equal(5m, s.Fees);
        Assert.Equal(355m, s.GrossPnl);
        Assert.Equal(87.5m, s.Expectancy);
        Assert.Equal(250m, s.AverageWin);
        Assert.Equal(-75m, s.AverageLoss);
        Assert.Equal(500m / 150m, s.ProfitFactor);
        Assert.Equal(0.5m, s.AverageR);
        Assert.Equal(4, s.WithR);
        Assert.Equal(-100m, s.MaxDrawdown);
        Assert.Equal([300m, 200m, 400m, 350m], result.Stats.Equity.Select(p => p.Cumulative));

        // Strategy: the campaign's, else its entry context's (MSFT); emotions from the opening fill's context.
        Assert.Equal([("(none)", 1, 200m), ("Breakout", 2, 200m), ("MeanRev", 1, -50m)], result.Stats.ByStrategy.Select(b => (b.Key, b.Count, b.Pnl)));
        Assert.Equal([("(none)", 2, 150m), ("anxious", 1, -100m), ("calm", 1, 300m), ("fomo", 1, -100m)], result.Stats.ByEmotion.Select(b => (b.Key, b.Count, b.Pnl)));
        // Tags of the per-trade notes, once each (plan is on two notes of the third campaign); never another user's note.
        Assert.Equal([("(none)", 2, -150m), ("late", 1, 200m), ("plan", 2, 500m)], result.Stats.ByTag.Select(b => (b.Key, b.Count, b.Pnl)));
        Assert.Equal([("(none)", 1, -50m), ("bear", 1, -100m), ("bull", 2, 500m)], result.Stats.ByRegime.Select(b => (b.Key, b.Count, b.Pnl)));
        Assert.Equal((2, 250m), result.Stats.ByWeekday.Where(w => w.Key == DayOfWeek.Monday).Select(w => (w.Count, w.Pnl)).Single());

        // Rules: failed checks on any of the campaign's fills (max_trades on the exit fill); a passed check is no violation.
        Assert.Equal(
            [("max_trades", 1, 200m, 3, 150m), ("stop_required", 2, -150m, 2, 500m)],
            result.Stats.Rules.Select(r => (r.RuleCode, r.Count, r.Pnl, r.OtherCount, r.OtherPnl)));
        Assert.Equal(-75m, result.Stats.Rules[1].AveragePnl);
        Assert.Equal(250m, result.Stats.Rules[1].OtherAveragePnl);
        Assert.Equal((3, 50m, 1, 300m), (result.Stats.AnyRule.Count, result.Stats.AnyRule.Pnl, result.Stats.AnyRule.OtherCount, result.Stats.AnyRule.OtherPnl));
    }

    [Fact]
    public async Task Compute_ReadsOnlyTheCallersRows()
    {
        var mine = await ComputeAsync(_me);
        Assert.DoesNotContain(mine.Campaigns, c => c.Pnl == 999m);
        Assert.DoesNotContain(mine.Stats.ByTag, b => b.Key == "intruder");
        Assert.DoesNotContain(mine.Stats.ByEmotion, b => b.Key == "greedy");

        var theirs = await ComputeAsync(_other);
        var only = Assert.Single(theirs.Campaigns);
        Assert.Equal(999m, only.Pnl);
        Assert.Equal(["plan"], only.Tags!);
        Assert.Equal(["stop_required"], only.ViolatedRules!);
        Assert.Equal("Breakout", only.Strategy);

        // Filtering by my strategy's id does not reach their campaigns, and theirs does not reach mine.
        Assert.Empty((await ComputeAsync(_other, new JournalFilter { StrategyId = _ids.Breakout })).Campaigns);
    }

    [Fact]
    public async Task Compute_Filters_BySymbolStrategyDirectionAssetAndCloseDays()
    {
        Assert.Equal([_ids.Aapl1, _ids.Aapl3], (await ComputeAsync(_me, new JournalFilter { Symbol = " aapl " })).Campaigns.Select(c => c.GroupId));
        Assert.Equal([_ids.Msft2], (await ComputeAsync(_me, new JournalFilter { Direction = CampaignDirection.Short })).Campaigns.Select(c => c.GroupId));
        Assert.Equal([_ids.Aapl1, _ids.Msft2], (await ComputeAsync(_me, new JournalFilter { StrategyId = _ids.Breakout })).Campaigns.Select(c => c.GroupId));
        Assert.Empty((await ComputeAsync(_me, new JournalFilter { AssetType = FillAssetType.Crypto })).Campaigns);

        var days = new JournalFilter { From = new DateOnly(2026, 3, 4), To = new DateOnly(2026, 3, 6) };
        var inRange = await ComputeAsync(_me, days);
        Assert.Equal([_ids.Msft2, _ids.Aapl3], inRange.Campaigns.Select(c => c.GroupId));
        Assert.Equal(100m, inRange.Stats.Summary.NetPnl);

        // TSLA closed at 23:30 UTC on 10 March: the 10th in New York, the 11th in Tokyo.
        var upToTenth = new JournalFilter { To = new DateOnly(2026, 3, 10) };
        Assert.Contains(_ids.Tsla4, (await ComputeAsync(_me, upToTenth, NewYork)).Campaigns.Select(c => c.GroupId));
        Assert.DoesNotContain(_ids.Tsla4, (await ComputeAsync(_me, upToTenth, Tokyo)).Campaigns.Select(c => c.GroupId));
    }

    [Fact]
    public async Task Compute_Currency_IsTheFilteredCampaigns()
    {
        // A euro trade on a strategy of its own (set on its opening context): alone in the view filtered by that
        // strategy, its currency is the view's; beside the dollar trades, the view has none.
        await using (var db = await _db.DbAsync())
        {
            var euro = await StrategyAsync(db, _me.UserId, "Euro swing");
            await CampaignAsync(db, _me.UserId, new SeedCampaign("SAP", At(3, 16), At(3, 17), 40m) { ContextStrategyId = euro, Currency = "EUR" });
            var filtered = await ComputeAsync(_me, new JournalFilter { StrategyId = euro });
            Assert.Equal("Euro swing", Assert.Single(filtered.Campaigns).Strategy);
            Assert.Equal("EUR", filtered.Currency);
        }
        Assert.Null((await ComputeAsync(_me)).Currency);
        Assert.Equal("USD", (await ComputeAsync(_me, new JournalFilter { StrategyId = _ids.Breakout })).Currency);
    }

    [Fact]
    public async Task Calendar_CountsCloseDaysInTheZone_TokyoAgainstNewYork()
    {
        var tokyo = await _db.WithAsync<JournalStatsService, CalendarMonth>(s => s.CalendarAsync(_me, 2026, 3, Tokyo));
        var newYork = await _db.WithAsync<JournalStatsService, CalendarMonth>(s => s.CalendarAsync(_me, 2026, 3, NewYork));

        Assert.Equal((1, -50m), (tokyo.Day(new DateOnly(2026, 3, 11))!.Count, tokyo.Day(new DateOnly(2026, 3, 11))!.Pnl));
        Assert.Equal(0, tokyo.Day(new DateOnly(2026, 3, 10))!.Count);
        Assert.Equal((1, -50m), (newYork.Day(new DateOnly(2026, 3, 10))!.Count, newYork.Day(new DateOnly(2026, 3, 10))!.Pnl));
        Assert.Equal(0, newYork.Day(new DateOnly(2026, 3, 11))!.Count);
        Assert.Equal((350m, 4), (tokyo.Summary.Pnl, tokyo.Summary.Count));
        Assert.Equal((350m, 4), (newYork.Summary.Pnl, newYork.Summary.Count));
    }

    [Fact]
    public async Task HasFills_IsPerCaller()
    {
        var nobody = await _db.CreateUserAsync("stats-nobody@test.local");
        Assert.True(await _db.WithAsync<JournalStatsService, bool>(s => s.HasFillsAsync(_me)));
        Assert.False(await _db.WithAsync<JournalStatsService, bool>(s => s.HasFillsAsync(JournalCaller.Trader(nobody.Id))));
    }
}
