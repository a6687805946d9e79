using Signalbook.Features.Indicators;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Indicators;

public sealed class FeatureCalculatorTests
{
    private static BarSeries Reference()
    {
        var q = SharedData.SkenderQuotes();
        return new BarSeries(q.Open, q.High, q.Low, q.Close, q.Volume);
    }

    private static BarSeries Prefix(BarSeries s, int n) => new(s.Open[..n], s.High[..n], s.Low[..n], s.Close[..n], s.Volume[..n]);

    private static IEnumerable<(string Name, double[] Values)> Columns(FeatureColumns f) =>
        new[] { ("ret_1d", f.Ret1d), ("ret_5d", f.Ret5d), ("ret_20d", f.Ret20d), ("rsi_14", f.Rsi14), ("momentum_5d", f.Momentum5d),
                ("vol_20d", f.Vol20d), ("atr_14", f.Atr14), ("volume_zscore", f.VolumeZScore) }
            .Concat(f.Additional.Select(a => (a.Key, a.Value)));

    [Fact]
    public void AppendingLaterBars_NeverChangesAnEarlierFeature()
    {
        var full = Reference();
        var all = Columns(FeatureCalculator.Compute(full)).ToDictionary(c => c.Name, c => c.Values);
        foreach (var cut in new[] { 1, 2, 15, 27, 60, 201, 252, 253, 400, 501 })
        {
            foreach (var (name, values) in Columns(FeatureCalculator.Compute(Prefix(full, cut))))
            {
                for (var i = 0; i < cut; i++)
                {
                    var expected = all[name][i];
                    Assert.True(expected.Equals(values[i]), $"{name} at bar {i} is {values[i]:R} on {cut} bars but {expected:R} on {full.Length}");
                }
            }
        }
    }

    [Fact]
    public void FeatureSet_HasEverySeedAndAdditionalColumn_WithValuesAfterWarmUp()
    {
        var f = FeatureCalculator.Compute(Reference());
        Assert.Equal(FeatureCalculator.AdditionalNames.Order(), f.Additional.Keys.Order());
        foreach (var (name, values) in Columns(f))
        {
            Assert.False(double.IsNaN(values[^1]), $"{name} has no value on the last bar");
        }
        Assert.True(double.IsNaN(f.Additional["sma_200"][198]));
        Assert.False(double.IsNaN(f.Additional["sma_200"][199]));
    }

    [Fact]
    public void HandWorkedExample_ReturnsMomentumAndDistanceFromHigh()
    {
        double[] close = [100, 102, 101, 105, 110, 99];
        double[] high = [101, 103, 104, 106, 111, 100];
        Assert.Equal(0.02, FeatureCalculator.Returns(close, 1)[1], 12);
        Assert.Equal(99.0 / 100 - 1, FeatureCalculator.Returns(close, 5)[5], 12);
        Assert.Equal(99 - 100, Kernels.Roc(close, 5).Momentum[5], 12);
        Assert.Equal(99.0 / 111 - 1, FeatureCalculator.DistanceFromHigh(high, close, 3)[5], 12);
        Assert.True(double.IsNaN(FeatureCalculator.DistanceFromHigh(high, close, 3)[1]));
    }

    [Fact]
    public void Volatility_IsTheAnnualisedSampleStdDevOfLogReturns()
    {
        // Alternating ±1 % moves: log returns ln(1.01) and ln(1/1.01) = −ln(1.01).
        var close = new double[22];
        close[0] = 100;
        for (var i = 1; i < close.Length; i++) close[i] = i % 2 == 1 ? close[i - 1] * 1.01 : close[i - 1] / 1.01;
        var r = Math.Log(1.01);
        // 20 returns, 10 of +r and 10 of −r: mean 0, sample variance 20 r² / 19.
        var expected = Math.Sqrt(20 * r * r / 19) * Math.Sqrt(252);
        Assert.Equal(expected, FeatureCalculator.AnnualisedVolatility(close, 20)[20], 12);
        Assert.True(double.IsNaN(FeatureCalculator.AnnualisedVolatility(close, 20)[19]));
    }
}
