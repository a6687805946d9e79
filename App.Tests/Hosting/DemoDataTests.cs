using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Hosting;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Hosting;

/// <summary>The demo market is seeded through the real incremental sync.</summary>
[RunsLong(43)]
public sealed class DemoDataTests : ServiceHarness
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddScoped<DemoPortfolioSeeder>().AddScoped<DemoJournalSeeder>().AddScoped<DemoNotificationsSeeder>().AddScoped<DemoAlertsSeeder>();

    private async Task SeedAsync()
    {
        await using var scope = Scope();
        await ActivatorUtilities.CreateInstance<DemoData>(scope.ServiceProvider).SeedAsync();
    }

    [Fact]
    public async Task Seed_SyncsThirtyInstruments_ThenARestartFetchesNothing_AndALaterDayRedrawsConsistently()
    {
        await SeedAsync();
        var demo = new DemoProvider(Clock);
        var firstPath = await demo.GetBarsAsync("DLTA", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        await using (var db = await DbAsync())
        {
            var instruments = await db.Instruments.Where(i => i.Exchange == DemoProvider.Exchange).Select(i => new { i.Id, i.Symbol }).ToListAsync();
            Assert.Equal(30, instruments.Count);
            var dlta = instruments.Single(i => i.Symbol == "DLTA").Id;
            var daily = await db.PriceBars.Where(p => p.InstrumentId == dlta && p.Interval == Intervals.OneDay).OrderBy(p => p.Ts).ToListAsync();
            var expected = await demo.GetBarsAsync("DLTA", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            Assert.Equal(expected.Select(b => (b.Ts, b.Close)), daily.Select(b => (b.Ts, b.Close)));
            var intraday = await db.PriceBars.CountAsync(p => p.InstrumentId == dlta && p.Interval == Intervals.FifteenMinutes);
            Assert.Equal((await demo.GetBarsAsync("DLTA", Intervals.FifteenMinutes, Clock.GetUtcNow().AddDays(-30), Clock.GetUtcNow())).Count, intraday);
            Assert.True(await db.Features.CountAsync(f => f.InstrumentId == dlta && f.Interval == Intervals.OneDay) >= daily.Count - 1);
            var log = await db.DataSyncLog.ToListAsync();
            Assert.Equal(60, log.Count);
            Assert.All(log, l => Assert.Equal("success", l.Status));

            // Models: an active classifier and regressor, fresh recommendations for every instrument and profile, and a replayed
            // older version whose past calls have back-filled outcomes.
            Assert.Equal(["price_regressor", "verdict_classifier"], await db.MlModels.Where(m => m.IsActive).Select(m => m.ModelType).OrderBy(t => t).ToListAsync());
            Assert.Equal(90, await db.Recommendations.CountAsync(r => r.IsActive));
            Assert.Equal(30, await db.Recommendations.Where(r => r.IsActive).Select(r => r.InstrumentId).Distinct().CountAsync());
            Assert.True(await db.MlPredictions.CountAsync(p => p.WasCorrect != null) > 1000);

            // The trader's paper portfolio followed the replayed recommendations: months of daily equity, fills that came
            // from recommendations (each at a session's open after the recommendation's day), and a value equal to cash
            // plus the marked positions.
            var trader = await db.Users.Where(u => u.Email == DemoData.TraderEmail).Select(u => u.Id).SingleAsync();
            var portfolio = await db.Portfolios.SingleAsync(p => p.UserId == trader && p.Name == DemoPortfolioSeeder.PortfolioName);
            Assert.True(await db.Analytics.CountAsync(a => a.PortfolioId == portfolio.Id && a.Metric == "equity") >= 100);
            var fills = await (from t in db.Trades
                               where t.PortfolioId == portfolio.Id
                               join o in db.Orders on t.OrderId equals o.Id
                               join r in db.Recommendations on o.RecommendationId equals r.Id
                               select new { t.ExecutedAt, r.GeneratedAt }).ToListAsync();
            Assert.True(fills.Count >= 10, $"{fills.Count} fills");
            Assert.All(fills, f => Assert.True(f.ExecutedAt > f.GeneratedAt.AddDays(1), $"filled {f.ExecutedAt:O} for a recommendation of {f.GeneratedAt:O}"));
            var marked = await db.Positions.Where(x => x.PortfolioId == portfolio.Id).SumAsync(x => x.MarketValue);
            Assert.Equal(portfolio.CashBalance + marked, portfolio.TotalValue);
            Assert.True(portfolio.CashBalance >= 0);

            // The trader's journal: one imported batch of fills grouped into campaigns with figures from the demo bars,
            // decision contexts with snapshots, nudges where the demo breaks a rule, and daily notes.
            var batch = await db.ImportBatches.SingleAsync(b => b.UserId == trader && b.FileName == DemoJournalSeeder.FileName);
            Assert.True(batch.FillsAdded >= 60, $"{batch.FillsAdded} demo fills");
            var campaigns = await db.CampaignSummaries.Where(c => c.UserId == trader).ToListAsync();
            Assert.True(campaigns.Count >= 20, $"{campaigns.Count} campaigns");
            Assert.Contains(campaigns, c => c.RealisedPnl > 0);
            Assert.Contains(campaigns, c => c.RealisedPnl < 0);
            Assert.True(campaigns.Count(c => c.Mae is not null && c.Mfe is not null) >= campaigns.Count / 2, "MAE/MFE from the stored bars");
            Assert.Contains(campaigns, c => c.RMultiple is not null);
            Assert.True(await db.DecisionContexts.CountAsync(c => c.UserId == trader && c.Snapshot != null) >= 10);
            Assert.True(await db.CampaignChecks.CountAsync(c => c.UserId == trader && !c.Passed) >= 3, "nudges where the demo breaks its rules");
            Assert.True(await db.JournalEntries.CountAsync(e => e.UserId == trader) >= 8);
        }

        await SeedAsync(); // a restart the same day
        await using (var db = await DbAsync())
        {
            var rerun = await db.DataSyncLog.OrderBy(l => l.Id).Skip(60).ToListAsync();
            Assert.Equal(60, rerun.Count);
            Assert.All(rerun, l => Assert.Equal(0, l.BarsFetched));
            Assert.Equal(1, await db.ImportBatches.CountAsync(b => b.FileName == DemoJournalSeeder.FileName)); // the journal is not seeded twice
            // The trader's alert rules (not seeded twice); the daily-move rule fired on the newest demo bar, beside a replayed history.
            var traderId = await db.Users.Where(u => u.Email == DemoData.TraderEmail).Select(u => u.Id).SingleAsync();
            Assert.Equal(7, await db.AlertRules.CountAsync(r => r.UserId == traderId));
            var newestBar = await db.PriceBars.Where(p => p.Interval == Intervals.OneDay).MaxAsync(p => p.Ts);
            Assert.True(await db.Alerts.AnyAsync(a => a.UserId == traderId && a.BarTs == newestBar && a.Message.Contains("moved")));
            Assert.True(await db.Alerts.CountAsync(a => a.UserId == traderId && a.BarTs < newestBar) >= 1);
        }

        Clock.Advance(TimeSpan.FromDays(4)); // Tuesday 24 Nov: the demo's three-year window moved, so its walk did
        await SeedAsync();
        var later = await new DemoProvider(Clock).GetBarsAsync("DLTA", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.NotEqual(firstPath.Single(b => b.Ts == later[^4].Ts).Close, later[^4].Close); // the walk really moved
        await using (var db = await DbAsync())
        {
            var dlta = await db.Instruments.Where(i => i.Symbol == "DLTA").Select(i => i.Id).SingleAsync();
            var stored = await db.PriceBars.Where(p => p.InstrumentId == dlta && p.Interval == Intervals.OneDay && p.Ts >= later[0].Ts).OrderBy(p => p.Ts)
                .Select(p => new { p.Ts, p.Close }).ToListAsync();
            Assert.Equal(later.Select(b => (b.Ts, b.Close)), stored.Select(b => (b.Ts, b.Close))); // one path, no splice
        }
    }
}
