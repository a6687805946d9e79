using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Campaigns;

/// <summary>The columnar fast path gives the general builder's groups, legs and quantities, and its money to double precision.</summary>
public sealed class FastCampaignBuilderTests
{
    /// <summary>A random ledger: per series, entries, partial exits, flips, repeated timestamps; shuffled.</summary>
    internal static List<LedgerFill> RandomLedger(int seed, int series, int fillsPerSeries, int quantityDecimals = 0)
    {
        var random = new Random(seed);
        var fills = new List<LedgerFill>();
        var id = 1L;
        var step = quantityDecimals == 0 ? 1m : 1m / (decimal)Math.Pow(10, quantityDecimals);
        for (var s = 0; s < series; s++)
        {
            var asset = s % 7 == 3 ? FillAssetType.Option : FillAssetType.Equity;
            var multiplier = asset == FillAssetType.Option ? 100m : 1m;
            var time = CampaignBuilderTests.T0.AddDays(random.Next(30));
            var price = 20m + random.Next(200);
            long position = 0;
            for (var k = 0; k < fillsPerSeries; k++)
            {
                if (random.Next(5) > 0) time = time.AddMinutes(random.Next(1, 3000));
                price = Math.Max(1m, price + random.Next(-300, 301) / 100m);
                long units;
                var roll = random.Next(10);
                if (position == 0 || roll < 3) units = random.Next(1, 300) * (random.Next(10) < 7 ? 1 : -1) * Math.Sign(position == 0 ? 1 : position);
                else if (roll < 7) units = -Math.Sign(position) * Math.Min(Math.Abs(position), random.Next(1, 200));
                else if (roll < 9) units = -position;
                else units = -position - Math.Sign(position) * random.Next(1, 100);
                if (units == 0) units = 1;
                position += units;
                var side = units > 0 ? FillSide.Buy : FillSide.Sell;
                var quantity = Math.Abs(units) * step;
                fills.Add(new LedgerFill(id++ * 3 % 100_003, $"S{s:D3}", asset, side, quantity, price, Math.Round(quantity * 0.01m + random.Next(0, 100) / 100m, 2), time, multiplier));
            }
        }
        var shuffled = fills.ToArray();
        random.Shuffle(shuffled);
        return shuffled.ToList();
    }

    [Theory]
    [InlineData(1, 0, false)]
    [InlineData(2, 0, true)]
    [InlineData(3, 4, false)]
    [InlineData(4, 4, true)]
    public void Build_RandomLedger_AgreesWithGeneralBuilder(int seed, int quantityDecimals, bool chronological)
    {
        var ledger = RandomLedger(seed, series: 40, fillsPerSeries: 250, quantityDecimals);
        if (chronological) ledger.Sort(CampaignBuilder.ExecutionOrder);
        var exact = CampaignBuilder.Build(ledger).ToDictionary(c => c.GroupId);
        var columns = FillColumns.From(ledger, quantityDecimals);
        var fast = FastCampaignBuilder.Build(columns);
        Assert.Equal(exact.Count, fast.Count);
        var scale = (decimal)columns.QuantityScale;
        var flips = 0;
        var legsOf = Enumerable.Range(0, fast.LegCount).ToLookup(l => fast.LegCampaign[l]);
        for (var c = 1; c < fast.Count; c++) Assert.True(fast.OpenedTicks[c - 1] < fast.OpenedTicks[c] || (fast.OpenedTicks[c - 1] == fast.OpenedTicks[c] && fast.GroupId[c - 1] < fast.GroupId[c]));
        for (var c = 0; c < fast.Count; c++)
        {
            var e = exact[fast.GroupId[c]];
            Assert.Equal(e.Series, columns.SeriesKeyOf(fast.Series[c]));
            Assert.Equal(e.Direction == CampaignDirection.Long, fast.IsLong[c]);
            Assert.Equal(e.OpenedAt.UtcTicks, fast.OpenedTicks[c]);
            Assert.Equal(e.ClosedAt?.UtcTicks ?? CampaignTable.OpenMarker, fast.ClosedTicks[c]);
            Assert.Equal((e.EntryQuantity, e.ExitQuantity, e.MaxPosition, e.Quantity),
                (fast.EntryUnits[c] / scale, fast.ExitUnits[c] / scale, fast.MaxUnits[c] / scale, fast.OpenUnits(c) / scale));
            var legs = legsOf[c].Select(l => (columns.Id[fast.LegRow[l]], Math.Abs(fast.LegUnits[l]) / scale)).ToList();
            Assert.Equal(e.Legs.Select(l => (l.FillId, l.Quantity)), legs);
            if (e.Legs.Count > 0 && e.Legs[0].Quantity != ledger.First(f => f.Id == e.GroupId).Quantity) flips++;
            Close((double)e.RealisedPnl, fast.RealisedPnl[c]);
            Close((double)e.MatchedCost, fast.MatchedCost[c]);
            Close((double)e.TotalFees, fast.Fees[c]);
            Close((double)e.EntryAverage, fast.EntryAverage(c));
            Close((double)(e.ExitAverage ?? -1), fast.ExitAverage(c) ?? -1);
        }
        Assert.True(flips > 10, $"the ledger should exercise flips ({flips})");
        Assert.Contains(exact.Values, c => c.IsOpen && c.ExitQuantity > 0);
    }

    [Fact]
    public void Build_Empty_NoCampaigns()
    {
        var table = FastCampaignBuilder.Build(new FillColumns());
        Assert.Equal((0, 0), (table.Count, table.LegCount));
    }

    private static void Close(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");
}
