using Signalbook.Features.Indicators;

namespace Signalbook.Tests.Features.Indicators;

/// <summary>The O(1)-a-bar forms (running sum, monotonic queue) give what scanning each window gives.</summary>
public sealed class FastKernelTests
{
    private static double[] RandomWalk(int n, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        var level = 100.0;
        for (var i = 0; i < n; i++) x[i] = level *= Math.Exp(random.NextDouble() * 0.04 - 0.02);
        return x;
    }

    [Fact]
    public void Sma_RunningSum_EqualsTheSumOfEachWindow()
    {
        var x = RandomWalk(20_000, 1);
        var sma = Kernels.Sma(x, 200);
        for (var i = 0; i < x.Length; i++)
        {
            if (i < 199)
            {
                Assert.True(double.IsNaN(sma[i]));
                continue;
            }
            var expected = x.AsSpan(i - 199, 200).ToArray().Sum() / 200;
            Assert.Equal(expected, sma[i], 1e-9);
        }
    }

    [Fact]
    public void Sma_ANaNOnlyBlanksTheWindowsThatHoldIt()
    {
        var x = RandomWalk(100, 2);
        x[40] = double.NaN;
        var sma = Kernels.Sma(x, 10);
        for (var i = 9; i < 100; i++)
        {
            var holdsNaN = i >= 40 && i < 50;
            Assert.Equal(holdsNaN, double.IsNaN(sma[i]));
            if (!holdsNaN) Assert.Equal(x.AsSpan(i - 9, 10).ToArray().Sum() / 10, sma[i], 1e-9);
        }
    }

    [Fact]
    public void DistanceFromHigh_MonotonicQueue_EqualsScanningTheWindow()
    {
        var high = RandomWalk(5_000, 3);
        var close = high.Select(h => h * 0.99).ToArray();
        var result = FeatureCalculator.DistanceFromHigh(high, close, 252);
        for (var i = 0; i < high.Length; i++)
        {
            if (i < 251)
            {
                Assert.True(double.IsNaN(result[i]));
                continue;
            }
            Assert.Equal(close[i] / high.AsSpan(i - 251, 252).ToArray().Max() - 1, result[i]); // exact: the same maximum
        }
    }
}
