using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.Regimes;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

public sealed class MarketsServiceTests : ServiceHarness
{
    private async Task SeedAsync(params string[] symbols)
    {
        await using var scope = Scope();
        var sp = scope.ServiceProvider;
        var demo = new DemoProvider(Clock);
        foreach (var info in DemoProvider.Universe.Where(u => symbols.Contains(u.Symbol)))
        {
            var id = await sp.GetRequiredService<InstrumentService>().EnsureAsync(info);
            var bars = await demo.GetBarsAsync(info.Symbol, Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            await sp.GetRequiredService<PriceBarWriter>().UpsertAsync(id, Intervals.OneDay, bars, demo.Name);
            await sp.GetRequiredService<FeatureService>().UpdateAsync(id, Intervals.OneDay);
            await sp.GetRequiredService<RegimeService>().UpdateAsync(id, Intervals.OneDay);
        }
    }

    [Fact]
    public async Task Query_ShowsLatestCloseAndFeatures_FiltersSortsAndPages()
    {
        await SeedAsync("ALPX", "NOVA", "GLNT", "CYRA");
        var (all, total) = await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery()));
        Assert.Equal(4, total);
        Assert.Equal(["ALPX", "CYRA", "GLNT", "NOVA"], all.Select(r => r.Symbol));
        Assert.All(all, r => Assert.True(r.LastClose > 0 && r.Ret20d is not null && r.Rsi14 is >= 0 and <= 100));

        var (energy, energyTotal) = await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery(Sector: "Energy")));
        Assert.Equal(2, energyTotal);
        Assert.Equal(["ALPX", "NOVA"], energy.Select(r => r.Symbol));

        var (byRsi, _) = await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery(SortBy: nameof(MarketRow.Rsi14), Descending: true)));
        Assert.Equal(all.Select(r => r.Rsi14).OrderDescending(), byRsi.Select(r => r.Rsi14));

        var (page2, _) = await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery(Skip: 2, Take: 2)));
        Assert.Equal(["GLNT", "NOVA"], page2.Select(r => r.Symbol));
    }

    [Fact]
    public async Task ChartLatest_ForAHistoryThatEndedLongAgo_ShowsItsLastRange_NotAnEmptyChart()
    {
        await SeedAsync("BRKT");
        var id = (await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery("BRKT")))).Item1.Single().Id;
        Clock.Advance(TimeSpan.FromDays(3 * 365)); // the imported history now ends three years ago

        var fromToday = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartAsync(id, Intervals.OneDay, Clock.GetUtcNow().AddDays(-182)));
        Assert.Empty(fromToday);
        var latest = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartLatestAsync(id, Intervals.OneDay, TimeSpan.FromDays(182)));
        Assert.InRange(latest.Count, 120, 131); // about 26 weeks of sessions
        var all = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartAsync(id, Intervals.OneDay, DateTimeOffset.MinValue));
        Assert.Equal(all[^1].Ts, latest[^1].Ts);
        Assert.True(latest[0].Ts >= all[^1].Ts.AddDays(-182));
        Assert.Empty(await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartLatestAsync(id, Intervals.FifteenMinutes, TimeSpan.FromDays(7))));
    }

    [Fact]
    public async Task Chart_ReturnsBarsWithTheirOverlays_OldestFirst()
    {
        await SeedAsync("DLTA");
        var id = (await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery("DLTA")))).Item1.Single().Id;
        var bars = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartAsync(id, Intervals.OneDay, Clock.GetUtcNow().AddDays(-365)));
        Assert.InRange(bars.Count, 250, 262);
        Assert.Equal(bars.OrderBy(b => b.Ts), bars);
        Assert.All(bars, b => Assert.NotNull(b.Sma50)); // a year back is past the 50-bar warm-up of a 3-year series
        Assert.All(bars, b => Assert.NotNull(b.Rsi14));

        // The bands of the first bar shown are warmed up by the 19 bars before the range: equal to the bands over the whole history.
        var all = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartAsync(id, Intervals.OneDay, DateTimeOffset.MinValue));
        var full = Kernels.Bollinger(all.Select(b => b.Close).ToArray());
        var at = all.Select(b => b.Ts).ToList().IndexOf(bars[0].Ts);
        Assert.Equal(full.Upper[at], bars[0].BollingerUpper!.Value, 9);
        Assert.Equal(full.Lower[at], bars[0].BollingerLower!.Value, 9);
        Assert.Null(all[18].BollingerUpper);
        Assert.NotNull(all[19].BollingerUpper);

        var latest = await WithAsync<MarketsService, IReadOnlyList<ChartBar>>(m => m.ChartAsync(id, Intervals.OneDay, DateTimeOffset.MinValue, limit: 10));
        Assert.Equal(all.TakeLast(10).Select(b => b.Ts), latest.Select(b => b.Ts));
    }

    [Fact]
    public async Task Query_ShowsTheLatestDailyRegime_AndFiltersByIt()
    {
        string[] symbols = ["ALPX", "BRKT", "CYRA", "DLTA", "EMBR", "FJRD"];
        await SeedAsync(symbols);
        var (all, _) = await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery()));
        Assert.Equal(symbols.Length, all.Count);
        foreach (var row in all)
        {
            // The name the regime service gives the latest bar of the same instrument.
            var series = await WithAsync<RegimeService, IReadOnlyList<RegimePoint>>(s => s.RegimeSeriesAsync(row.Id, Intervals.OneDay, DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
            Assert.Equal(series[^1].StateName, row.Regime);
        }
        var names = await WithAsync<MarketsService, IReadOnlyList<string>>(m => m.RegimeNamesAsync());
        Assert.Equal(["calm-up", "choppy", "stressed", "unusual"], names);
        foreach (var name in names)
        {
            var (filtered, total) = await WithAsync<MarketsService, (IReadOnlyList<MarketRow>, int)>(m => m.QueryAsync(new MarketQuery(Regime: name)));
            Assert.Equal(all.Where(r => r.Regime == name).Select(r => r.Symbol), filtered.Select(r => r.Symbol));
            Assert.Equal(filtered.Count, total);
        }
        Assert.True(all.Select(r => r.Regime).Distinct().Count() >= 2, "six demo instruments end in more than one regime");
    }
}
