using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.Regimes;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Regimes;

public sealed class RegimeServiceTests : ServiceHarness
{
    private sealed record Regime(DateTimeOffset Ts, string? ModelId, int? StateId, double? StateProb, double? LogLikelihood);

    private async Task<List<Regime>> RegimesAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.Features.AsNoTracking().Where(f => f.InstrumentId == id && f.Interval == Intervals.OneDay).OrderBy(f => f.Ts)
            .Select(f => new Regime(f.Ts, f.ModelId, f.StateId, f.StateProb, f.LogLikelihood)).ToListAsync();
    }

    [Fact]
    public async Task FitAndApply_WritesRegimeColumns_ReapplyWritesOnlyNewBars_AndRefitsWhenStale()
    {
        var demo = new DemoProvider(Clock);
        var bars = await demo.GetBarsAsync("DLTA", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        long id;
        await using (var scope = Scope()) id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(DemoProvider.Universe.Single(u => u.Symbol == "DLTA"));

        async Task<RegimeUpdate> Add(IEnumerable<OhlcvBar> more)
        {
            await using var scope = Scope();
            await scope.ServiceProvider.GetRequiredService<PriceBarWriter>().UpsertAsync(id, Intervals.OneDay, more.ToList(), demo.Name);
            await scope.ServiceProvider.GetRequiredService<FeatureService>().UpdateAsync(id, Intervals.OneDay);
            return await scope.ServiceProvider.GetRequiredService<RegimeService>().UpdateAsync(id, Intervals.OneDay);
        }

        // 1. First 600 bars: a model is fitted and every bar with complete features (after vol_20d's 20-bar warm-up) gets a regime.
        var first = await Add(bars.Take(600));
        Assert.True(first.Refitted);
        Assert.Equal(580, first.Written);
        var before = await RegimesAsync(id);
        Assert.All(before.Take(20), r => Assert.Null(r.StateId));
        Assert.All(before.Skip(20), r =>
        {
            Assert.Equal(first.ModelId, r.ModelId);
            Assert.InRange(r.StateId!.Value, -1, 2);
            Assert.InRange(r.StateProb!.Value, 1.0 / 3, 1.0);
            Assert.True(double.IsFinite(r.LogLikelihood!.Value));
        });
        Assert.True(before.Skip(20).Select(r => r.StateId).Distinct().Count() >= 2, "a 600-bar demo path visits more than one regime");

        await using (var db = await DbAsync())
        {
            var model = await db.RegimeModels.AsNoTracking().SingleAsync();
            Assert.Equal(first.ModelId, model.ModelId);
            Assert.StartsWith("hmm3-", model.ModelId);
            Assert.Equal((id, Intervals.OneDay, 3, FeatureCalculator.Version), (model.InstrumentId, model.Interval, model.NStates, model.FeatureVersion));
            Assert.Equal(["ret_1d", "log_vol_20d"], model.Features);
            Assert.Equal(["calm-up", "choppy", "stressed"], model.StateNames);
            Assert.Equal((580, before[20].Ts, before[^1].Ts), (model.TrainBars, model.TrainFrom, model.TrainTo));
            Assert.True(model.Iterations > 0 && double.IsFinite(model.TrainLogLikelihood) && double.IsFinite(model.OodThreshold));
            Assert.Contains("\"transition\"", model.Parameters);

            // What was written is exactly what a fit and filter in memory give on the stored features: the model survives
            // its trip through jsonb bit for bit.
            var features = await db.Features.AsNoTracking().Where(f => f.InstrumentId == id).OrderBy(f => f.Ts).ToListAsync();
            var x = features.Select(f => RegimeFeatures.Vector(f.Ret1d, f.Vol20d)).Where(v => v is not null).Select(v => v!).ToList();
            var expected = GaussianHmm.Filter(GaussianHmm.Fit(x, new RegimeOptions().ToHmm()), x);
            Assert.Equal(expected.StateId, before.Skip(20).Select(r => r.StateId!.Value));
            Assert.Equal(expected.StateProb, before.Skip(20).Select(r => r.StateProb!.Value));
            Assert.Equal(expected.LogLikelihood, before.Skip(20).Select(r => r.LogLikelihood!.Value));
        }

        // Fitting the same data again gives the same model: same id, no second row.
        Assert.Equal(first.ModelId, (await WithAsync<RegimeService, RegimeModelSummary?>(s => s.FitAsync(id, Intervals.OneDay)))!.ModelId);
        await using (var db = await DbAsync()) Assert.Equal(1, await db.RegimeModels.CountAsync());

        // 2. 30 more bars: too few to refit; only the 30 new rows are written, earlier ones are untouched.
        var second = await Add(bars.Skip(600).Take(30));
        Assert.False(second.Refitted);
        Assert.Equal(first.ModelId, second.ModelId);
        Assert.Equal(30, second.Written);
        var after = await RegimesAsync(id);
        Assert.Equal(before, after.Take(600).ToList());
        Assert.All(after.Skip(600), r => Assert.Equal(first.ModelId, r.ModelId));
        Assert.Equal(0, await WithAsync<RegimeService, int>(s => s.ApplyAsync(id, Intervals.OneDay))); // nothing left to write

        // 3. 60 more bars: the model is stale, a new one is fitted and every row is rewritten with it.
        var third = await Add(bars.Skip(630).Take(60));
        Assert.True(third.Refitted);
        Assert.NotEqual(first.ModelId, third.ModelId);
        Assert.Equal(670, third.Written);
        var latest = await WithAsync<RegimeService, RegimeModelSummary?>(s => s.LatestModelAsync(id, Intervals.OneDay));
        Assert.Equal(third.ModelId, latest!.ModelId);
        Assert.Equal(670, latest.TrainBars);
        await using (var db = await DbAsync()) Assert.Equal(2, await db.RegimeModels.CountAsync(m => m.InstrumentId == id));
        Assert.All((await RegimesAsync(id)).Skip(20), r => Assert.Equal(third.ModelId, r.ModelId));

        // 4. What the chart reads: named points, oldest first, in the window asked for.
        var from = bars[400].Ts;
        var series = await WithAsync<RegimeService, IReadOnlyList<RegimePoint>>(s => s.RegimeSeriesAsync(id, Intervals.OneDay, from, bars[689].Ts));
        Assert.Equal(290, series.Count);
        Assert.Equal(series.OrderBy(p => p.Ts), series);
        Assert.All(series, p => Assert.Equal(p.StateId == -1 ? "unusual" : latest.StateNames[p.StateId], p.StateName));
        Assert.Equal(["calm-up", "choppy", "stressed"], await WithAsync<RegimeService, IReadOnlyList<string>?>(s => s.StateNamesAsync(third.ModelId!)));
        Assert.Null(await WithAsync<RegimeService, IReadOnlyList<string>?>(s => s.StateNamesAsync("hmm3-unknown")));

        // 5. Deleting the instrument deletes its models.
        await using (var db = await DbAsync())
        {
            await db.Instruments.Where(i => i.Id == id).ExecuteDeleteAsync();
            Assert.Equal(0, await db.RegimeModels.CountAsync());
        }
    }

    [Fact]
    public async Task Update_WithTooFewBars_FitsNothing_AndWritesNothing()
    {
        var demo = new DemoProvider(Clock);
        var bars = await demo.GetBarsAsync("EMBR", Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        await using var scope = Scope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync(DemoProvider.Universe.Single(u => u.Symbol == "EMBR"));
        await scope.ServiceProvider.GetRequiredService<PriceBarWriter>().UpsertAsync(id, Intervals.OneDay, bars.Take(100).ToList(), demo.Name);
        await scope.ServiceProvider.GetRequiredService<FeatureService>().UpdateAsync(id, Intervals.OneDay);
        var result = await scope.ServiceProvider.GetRequiredService<RegimeService>().UpdateAsync(id, Intervals.OneDay);
        Assert.Equal(new RegimeUpdate(false, null, 0), result);
        Assert.All(await RegimesAsync(id), r => Assert.Null(r.ModelId));
    }
}
