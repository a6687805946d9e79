using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Indicators;

public sealed class FeatureServiceTests : ServiceHarness
{
    [Fact]
    public async Task Features_StoredInTwoSteps_EqualAOneShotComputation_AndEarlierRowsNeverChange()
    {
        var lines = File.ReadAllLines(Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017", "MSFT.csv"));
        long id;
        await using (var scope = Scope())
        {
            id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync("MSFT", "US");
        }

        async Task<int> ImportAndCompute(IEnumerable<string> rows)
        {
            await using var scope = Scope();
            var csv = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", rows)));
            await scope.ServiceProvider.GetRequiredService<CsvImportService>().ImportAsync(id, Intervals.OneDay, csv, "MSFT.csv");
            return await scope.ServiceProvider.GetRequiredService<FeatureService>().UpdateAsync(id, Intervals.OneDay);
        }

        var firstPart = lines.Take(801).ToList(); // header + 800 bars
        Assert.Equal(800, await ImportAndCompute(firstPart));
        List<string> Snapshot(FeatureRows rows) => rows.Select(r => $"{r.Ts:O}|{r.Rsi14:R}|{r.Atr14:R}|{r.Additional}").ToList();
        var before = Snapshot(await RowsAsync(id));

        var rest = lines.Skip(801).Prepend(lines[0]).ToList();
        Assert.Equal(rest.Count - 1, await ImportAndCompute(rest));
        Assert.Equal(0, await ImportAndCompute(rest)); // nothing new: nothing written

        var all = await RowsAsync(id);
        Assert.Equal(lines.Length - 1, all.Count);
        Assert.Equal(before, Snapshot(all).Take(800).ToList());

        // The stored values are those of one computation over the whole file.
        var q = lines.Skip(1).Select(l => l.Split(',')).ToList();
        double P(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var expected = FeatureCalculator.Compute(new BarSeries(q.Select(f => P(f[1])).ToArray(), q.Select(f => P(f[2])).ToArray(),
            q.Select(f => P(f[3])).ToArray(), q.Select(f => P(f[4])).ToArray(), q.Select(f => P(f[6])).ToArray()));
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal(double.IsNaN(expected.Rsi14[i]) ? null : expected.Rsi14[i], all[i].Rsi14);
            var sma200 = JsonDocument.Parse(all[i].Additional).RootElement.TryGetProperty("sma_200", out var v) ? v.GetDouble() : double.NaN;
            Assert.Equal(expected.Additional["sma_200"][i], sma200);
        }
    }

    private sealed class FeatureRows : List<FeatureRow>;

    private async Task<FeatureRows> RowsAsync(long id)
    {
        await using var db = await DbAsync();
        var rows = new FeatureRows();
        rows.AddRange(await db.Features.AsNoTracking().Where(f => f.InstrumentId == id).OrderBy(f => f.Ts).ToListAsync());
        return rows;
    }
}
