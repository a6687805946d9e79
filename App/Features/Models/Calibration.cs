namespace Signalbook.Features.Models;

/// <summary>
/// Isotonic regression by pool-adjacent-violators: the non-decreasing step function of x closest (least squares)
/// to the observed y. Stored as the blocks' upper x bounds and their fitted values; between blocks the map is
/// interpolated linearly, below the first and above the last it is flat.
/// </summary>
public sealed record IsotonicMap(double[] X, double[] Y)
{
    public static IsotonicMap Fit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException("One target per input.");
        if (x.Count == 0) return new IsotonicMap([0, 1], [0, 1]);
        var order = Enumerable.Range(0, x.Count).OrderBy(i => x[i]).ToArray();
        // Blocks: sum of y, weight, and mean x, merged while a block's mean is below its predecessor's.
        var sum = new List<double>();
        var weight = new List<double>();
        var xSum = new List<double>();
        foreach (var i in order)
        {
            sum.Add(y[i]);
            weight.Add(1);
            xSum.Add(x[i]);
            while (sum.Count > 1 && sum[^2] / weight[^2] >= sum[^1] / weight[^1])
            {
                sum[^2] += sum[^1];
                weight[^2] += weight[^1];
                xSum[^2] += xSum[^1];
                sum.RemoveAt(sum.Count - 1);
                weight.RemoveAt(weight.Count - 1);
                xSum.RemoveAt(xSum.Count - 1);
            }
        }
        return new IsotonicMap(xSum.Select((s, k) => s / weight[k]).ToArray(), sum.Select((s, k) => s / weight[k]).ToArray());
    }

    public double Apply(double x)
    {
        if (double.IsNaN(x)) return x;
        if (x <= X[0]) return Y[0];
        if (x >= X[^1]) return Y[^1];
        var hi = Array.BinarySearch(X, x);
        if (hi >= 0) return Y[hi];
        hi = ~hi;
        var lo = hi - 1;
        var w = (x - X[lo]) / (X[hi] - X[lo]);
        return Y[lo] + w * (Y[hi] - Y[lo]);
    }
}

/// <summary>
/// Calibrates class probabilities one class at a time (isotonic map of P(k) to the observed frequency of k, fitted
/// on out-of-sample predictions), then renormalises so they sum to one. A probability of 0.6 then means the label
/// came true about 60 % of the time on data the model had not seen.
/// </summary>
public sealed record ProbabilityCalibrator(IsotonicMap[] Classes)
{
    public static ProbabilityCalibrator Fit(IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities, int classes)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (actual.Count != probabilities.Count) throw new ArgumentException("One label per prediction.");
        var maps = new IsotonicMap[classes];
        for (var k = 0; k < classes; k++)
        {
            var kk = k;
            maps[k] = IsotonicMap.Fit(probabilities.Select(p => p[kk]).ToArray(), actual.Select(a => a == kk ? 1.0 : 0.0).ToArray());
        }
        return new ProbabilityCalibrator(maps);
    }

    public double[] Apply(double[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length != Classes.Length) throw new ArgumentException($"Expected {Classes.Length} probabilities, got {raw.Length}.");
        var p = raw.Select((v, k) => Classes[k].Apply(v)).ToArray();
        var total = p.Sum();
        // Every class mapped to zero (possible at the extremes of tiny calibration sets): keep the model's own view.
        return total > 1e-12 ? p.Select(v => v / total).ToArray() : (double[])raw.Clone();
    }

    public double[][] Apply(IReadOnlyList<double[]> raw) => raw.Select(Apply).ToArray();
}
