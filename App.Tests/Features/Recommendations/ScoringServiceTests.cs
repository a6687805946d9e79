using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.Models;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Regimes;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Recommendations;

/// <summary>Scoring, history and outcome back-fill against the real database, on three demo instruments.</summary>
public sealed class ScoringServiceTests : ServiceHarness
{
    private static readonly string[] Symbols = ["ALPX", "NOVA", "GLNT"];

    private static readonly IReadOnlyDictionary<string, double> Small = new Dictionary<string, double>
    {
        ["trees"] = 25, ["max_depth"] = 3, ["min_samples_leaf"] = 30, ["early_stopping_rounds"] = 0,
    };

    private async Task SeedAsync()
    {
        await using var scope = Scope();
        var sp = scope.ServiceProvider;
        var demo = new DemoProvider(Clock);
        foreach (var info in DemoProvider.Universe.Where(u => Symbols.Contains(u.Symbol)))
        {
            var id = await sp.GetRequiredService<InstrumentService>().EnsureAsync(info);
            var bars = await demo.GetBarsAsync(info.Symbol, Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            await sp.GetRequiredService<PriceBarWriter>().UpsertAsync(id, Intervals.OneDay, bars, demo.Name);
            await sp.GetRequiredService<FeatureService>().UpdateAsync(id, Intervals.OneDay);
            await sp.GetRequiredService<RegimeService>().UpdateAsync(id, Intervals.OneDay);
        }
    }

    private async Task<ModelVersionRow> TrainAsync(DateTimeOffset? to = null, bool activate = true, int seed = 42)
    {
        await using var scope = Scope();
        var sp = scope.ServiceProvider;
        var data = await sp.GetRequiredService<ModelDataStore>().LoadDailyAsync(to: to);
        var hyper = new Dictionary<string, double>(Small) { ["seed"] = seed };
        var registry = sp.GetRequiredService<ModelRegistry>();
        var row = await registry.RegisterAsync(ModelTrainer.Train(data, new TrainingSpec { Hyperparameters = hyper, Folds = 2, DataTo = to }));
        if (activate) await registry.ActivateAsync(row.Id, AuditActor.System);
        return row;
    }

    [Fact]
    public async Task Score_WithoutAnActiveModel_SaysWhyAndWritesNothing()
    {
        await SeedAsync();
        var run = await WithAsync<ScoringService, ScoringRun>(s => s.ScoreAsync());
        Assert.Contains("No verdict classifier is active", run.NotRunBecause, StringComparison.Ordinal);
        await using var db = await DbAsync();
        Assert.Equal(0, await db.Recommendations.CountAsync());
    }

    [Fact]
    public async Task Score_WritesOnePerInstrumentAndProfile_IsIdempotent_AndANewModelRetiresThemToHistory()
    {
        await SeedAsync();
        var v1 = await TrainAsync();

        var first = await WithAsync<ScoringService, ScoringRun>(s => s.ScoreAsync());
        Assert.Equal((3, 3, 0, 9), (first.Instruments, first.Scored, first.Unchanged, first.Recommendations));
        await using (var db = await DbAsync())
        {
            var active = await db.Recommendations.AsNoTracking().Where(r => r.IsActive).ToListAsync();
            Assert.Equal(9, active.Count);
            Assert.All(active, r => Assert.Equal(v1.Id, r.ModelVersionId));
            Assert.Equal(3, active.Select(r => r.Profile).Distinct().Count());
            var newestBar = await db.PriceBars.Where(p => p.Interval == Intervals.OneDay).MaxAsync(p => p.Ts);
            var snapshot = RecommendationSnapshot.Parse(active[0].FeaturesSnapshot)!;
            Assert.Equal(newestBar, snapshot.AsOf);
            Assert.Equal(FeatureCalculator.Version, snapshot.FeatureVersion);
            Assert.Equal(v1.Version, snapshot.Model.Version);
            Assert.NotNull(snapshot.Regime);
            var predictions = await db.MlPredictions.AsNoTracking().Where(p => p.RecommendationId != null).ToListAsync();
            Assert.Equal(9, predictions.Count);
            Assert.All(predictions, p => Assert.Null(p.WasCorrect));
            var buy = active.FirstOrDefault(r => r.Label != "HOLD");
            if (buy is not null) Assert.NotNull(buy.StopLoss);
        }

        // Same bar, same model: nothing new.
        var again = await WithAsync<ScoringService, ScoringRun>(s => s.ScoreAsync());
        Assert.Equal((0, 3, 0), (again.Scored, again.Unchanged, again.Recommendations));

        // A new active model: new recommendations, the old ones kept as inactive history.
        var v2 = await TrainAsync(seed: 7);
        var third = await WithAsync<ScoringService, ScoringRun>(s => s.ScoreAsync());
        Assert.Equal(9, third.Recommendations);
        await using (var db = await DbAsync())
        {
            Assert.Equal(18, await db.Recommendations.CountAsync());
            Assert.Equal(9, await db.Recommendations.CountAsync(r => r.IsActive && r.ModelVersionId == v2.Id));
            Assert.Equal(9, await db.Recommendations.CountAsync(r => !r.IsActive && r.ModelVersionId == v1.Id));
        }
    }

    [Fact]
    public async Task Replay_RefusesBarsTheModelLearnedFrom()
    {
        await SeedAsync();
        var v1 = await TrainAsync(activate: false);
        await using var db = await DbAsync();
        var lastBar = await db.PriceBars.Where(p => p.Interval == Intervals.OneDay).MaxAsync(p => p.Ts);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            WithAsync<ScoringService, int>(s => s.ReplayAsync(v1.Id, lastBar.AddDays(-30), 5)));
        Assert.Contains("would score bars it learned from", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_FillsTheCloseHBarsLater_LeavesRecentOnesPending_AndJudgesEachCall()
    {
        await SeedAsync();
        await using var db = await DbAsync();
        var dates = await db.PriceBars.Where(p => p.Interval == Intervals.OneDay).Select(p => p.Ts).Distinct().OrderBy(t => t).ToListAsync();
        var cutoff = dates[^60];
        var v1 = await TrainAsync(to: cutoff, activate: false);
        var replayed = await WithAsync<ScoringService, int>(s => s.ReplayAsync(v1.Id, dates[^59], 5));
        // 59 bars from dates[^59]: bars 0, 5, …, 55 → 12 per instrument, 3 profiles, 3 instruments.
        Assert.Equal(12 * 3 * 3, replayed);
        Assert.Equal(0, await db.Recommendations.CountAsync(r => r.IsActive));

        var run = await WithAsync<OutcomeBackfill, BackfillRun>(b => b.RunAsync());
        // Calls on the last 5 bars (dates[^4] = bar 55) have no 5th bar after them yet.
        Assert.Equal((11 * 9, 9), (run.Evaluated, run.Pending));

        var rows = await db.MlPredictions.AsNoTracking().Where(p => p.WasCorrect != null)
            .Join(db.Recommendations, p => p.RecommendationId, r => r.Id, (p, r) => new { p, r }).ToListAsync();
        var bars = await db.PriceBars.AsNoTracking().Where(b => b.Interval == Intervals.OneDay).ToListAsync();
        foreach (var x in rows.Take(20))
        {
            var snapshot = RecommendationSnapshot.Parse(x.r.FeaturesSnapshot)!;
            Assert.True(snapshot.Replay);
            var after = bars.Where(b => b.InstrumentId == x.r.InstrumentId && b.Ts > snapshot.AsOf).OrderBy(b => b.Ts).ToList();
            var expected = after[snapshot.HorizonDays - 1].Close;
            Assert.Equal(expected, x.p.ActualPrice);
            Assert.Equal(expected - x.p.PredictedPrice!.Value, x.p.PredictionError!.Value, 9);
            Assert.Equal(OutcomeBackfill.Judge(x.p.PredictedDirection, snapshot.Close, expected, snapshot.LabelThreshold), x.p.WasCorrect);
            Assert.Equal(Clock.GetUtcNow(), x.p.EvaluatedAt);
        }

        // A second pass changes nothing already judged.
        var second = await WithAsync<OutcomeBackfill, BackfillRun>(b => b.RunAsync());
        Assert.Equal((0, 9), (second.Evaluated, second.Pending));
    }
}
