using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Performance;

namespace Signalbook.Tests.Features.Portfolios.Performance;

/// <summary>Unrealised P&amp;L = q × (p − c), % = sign(q) × (p − c) ÷ c, with c the average cost including opening fees.</summary>
public sealed class MarkToMarketTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Unrealised_Long_IsMarketValueMinusCostBasis()
    {
        // buy 10 @ 100 fee 1 → basis 1001, average cost 100.1; at 110: 1100 − 1001 = 99 = 10 × (110 − 100.1); 99 / 1001 = 9.89 %
        var book = new LotBook();
        book.Apply(new Fill(1, OrderSide.Buy, 10, 100, 1, Start));
        var position = book.GetPosition(1)!;

        Assert.Equal(99m, position.UnrealisedPnl(110));
        Assert.Equal(99.0 / 1001, position.UnrealisedPercent(110)!.Value, 1e-15);
        Assert.Equal(1100m, position.MarketValue(110));
        Assert.Equal(99m, MarkToMarket.UnrealisedPnl(10, 100.1m, 110));
        Assert.Equal(99.0 / 1001, MarkToMarket.UnrealisedPercent(10, 100.1m, 110)!.Value, 1e-15);
        Assert.Equal(-101m, position.UnrealisedPnl(90)); // 900 − 1001
    }

    [Fact]
    public void Unrealised_Short_GainsWhenThePriceFalls()
    {
        // sell 10 @ 50 fee 2 → net proceeds 498, average cost 49.8
        // at 45: 498 − 450 = 48 = −10 × (45 − 49.8); 48 / 498 = 9.64 %
        // at 55: 498 − 550 = −52; −52 / 498
        var book = new LotBook();
        book.Apply(new Fill(1, OrderSide.Sell, 10, 50, 2, Start));
        var position = book.GetPosition(1)!;

        Assert.Equal(48m, position.UnrealisedPnl(45));
        Assert.Equal(48.0 / 498, position.UnrealisedPercent(45)!.Value, 1e-15);
        Assert.Equal(-52m, position.UnrealisedPnl(55));
        Assert.Equal(-450m, position.MarketValue(45));
        Assert.Equal(48m, MarkToMarket.UnrealisedPnl(-10, 49.8m, 45));
        Assert.Equal(48.0 / 498, MarkToMarket.UnrealisedPercent(-10, 49.8m, 45)!.Value, 1e-15);
        Assert.Equal(-52.0 / 498, MarkToMarket.UnrealisedPercent(-10, 49.8m, 55)!.Value, 1e-15);
    }

    [Fact]
    public void UnrealisedPercent_FlatOrCostless_IsNull()
    {
        Assert.Null(MarkToMarket.UnrealisedPercent(0, 100, 110));
        Assert.Null(MarkToMarket.UnrealisedPercent(5, 0, 110));
    }

    [Fact]
    public void Bulk_Decimal_MatchesTheScalarFormulas()
    {
        // long 10 @ 100.1 at 110 → 99; short −10 @ 49.8 at 45 → 48; flat → 0 and NaN
        decimal[] q = [10, -10, 0];
        decimal[] c = [100.1m, 49.8m, 20];
        decimal[] p = [110, 45, 25];
        var pnl = new decimal[3];
        var pct = new double[3];
        MarkToMarket.Bulk(q, c, p, pnl, pct);
        Assert.Equal([99m, 48m, 0m], pnl);
        Assert.Equal(99.0 / 1001, pct[0], 1e-15);
        Assert.Equal(48.0 / 498, pct[1], 1e-15);
        Assert.True(double.IsNaN(pct[2]));
    }

    [Fact]
    public void Bulk_Double_MatchesTheDecimalFormOnRandomPositionsIncludingTheTail()
    {
        const int n = 1_003; // not a multiple of the vector width: the scalar tail runs too
        var random = new Random(7);
        var q = new double[n];
        var c = new double[n];
        var p = new double[n];
        for (var i = 0; i < n; i++)
        {
            q[i] = i % 10 == 0 ? 0 : Math.Round((random.NextDouble() - 0.5) * 2000, 3);
            c[i] = Math.Round(1 + random.NextDouble() * 500, 2);
            p[i] = Math.Round(c[i] * (0.8 + random.NextDouble() * 0.4), 2);
        }
        var pnl = new double[n];
        var pct = new double[n];
        MarkToMarket.Bulk(q, c, p, pnl, pct);
        for (var i = 0; i < n; i++)
        {
            var exact = MarkToMarket.UnrealisedPnl((decimal)q[i], (decimal)c[i], (decimal)p[i]);
            Assert.Equal((double)exact, pnl[i], 1e-9 * Math.Max(1, Math.Abs((double)exact)));
            if (q[i] == 0)
            {
                Assert.True(double.IsNaN(pct[i]));
            }
            else
            {
                Assert.Equal(MarkToMarket.UnrealisedPercent((decimal)q[i], (decimal)c[i], (decimal)p[i])!.Value, pct[i], 1e-12);
            }
        }
    }

    [Fact]
    public void Bulk_Double_AllocatesNothing()
    {
        const int n = 100_000;
        var q = new double[n];
        var c = new double[n];
        var p = new double[n];
        Array.Fill(q, 10);
        Array.Fill(c, 100);
        Array.Fill(p, 101);
        var pnl = new double[n];
        var pct = new double[n];
        MarkToMarket.Bulk(q, c, p, pnl, pct); // warm up (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        MarkToMarket.Bulk(q, c, p, pnl, pct);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10.0, pnl[n - 1]);
        Assert.Equal(0.01, pct[n - 1], 1e-15);
    }

    [Fact]
    public void Bulk_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => MarkToMarket.Bulk(new double[3], new double[3], new double[2], new double[3], new double[3]));
    }
}
