namespace Signalbook.Features.Models;

/// <summary>
/// Calibrates class probabilities by temperature-and-bias scaling (Guo et al. 2017, "On Calibration of Modern Neural
/// Networks", vector scaling with one shared slope): p'ₖ ∝ exp(a · ln pₖ + bₖ), with a and b fitted by minimising the
/// log loss of out-of-sample predictions. Four parameters cannot overfit a few thousand rows the way a per-class
/// isotonic map does (which also maps some probabilities to exactly 0 or 1, and a log loss to infinity), and the map
/// keeps the model's ranking within each class. A slope below 1 softens an over-confident model.
/// </summary>
public sealed record ProbabilityCalibrator(double Slope, double[] Bias)
{
    private const double Floor = 1e-6;

    public static ProbabilityCalibrator Identity(int classes) => new(1, new double[classes]);

    public static ProbabilityCalibrator Fit(IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities, int classes, int iterations = 500)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (actual.Count != probabilities.Count) throw new ArgumentException("One label per prediction.");
        var rows = Enumerable.Range(0, actual.Count).Where(i => actual[i] >= 0 && actual[i] < classes).ToArray();
        if (rows.Length == 0) return Identity(classes);
        var logs = probabilities.Select(p => p.Select(v => Math.Log(Math.Max(v, Floor))).ToArray()).ToArray();
        // Convex in (a, b): gradient descent with a backtracking step, from the identity map.
        var theta = new double[classes + 1];
        theta[0] = 1;
        var loss = Loss(theta, rows, actual, logs, classes, null);
        var step = 1.0;
        for (var it = 0; it < iterations; it++)
        {
            var grad = new double[classes + 1];
            Loss(theta, rows, actual, logs, classes, grad);
            var norm = Math.Sqrt(grad.Sum(g => g * g));
            if (norm < 1e-7) break;
            while (step > 1e-10)
            {
                var next = theta.Select((v, j) => v - step * grad[j]).ToArray();
                var nextLoss = Loss(next, rows, actual, logs, classes, null);
                if (nextLoss <= loss - 1e-4 * step * norm * norm)
                {
                    theta = next;
                    loss = nextLoss;
                    step *= 2;
                    break;
                }
                step /= 2;
            }
            if (step <= 1e-10) break;
        }
        // Biases are defined up to a constant; centre them for a readable artifact.
        var mean = theta.Skip(1).Average();
        return new ProbabilityCalibrator(theta[0], theta.Skip(1).Select(b => b - mean).ToArray());
    }

    /// <summary>Mean log loss of the map θ = (a, b₀ … b_{K−1}); fills the gradient when given one.</summary>
    private static double Loss(double[] theta, int[] rows, IReadOnlyList<int> actual, double[][] logs, int classes, double[]? grad)
    {
        var total = 0.0;
        var z = new double[classes];
        foreach (var i in rows)
        {
            var top = double.NegativeInfinity;
            for (var k = 0; k < classes; k++)
            {
                z[k] = theta[0] * logs[i][k] + theta[k + 1];
                top = Math.Max(top, z[k]);
            }
            var sum = 0.0;
            for (var k = 0; k < classes; k++) sum += Math.Exp(z[k] - top);
            var logNorm = top + Math.Log(sum);
            total += logNorm - z[actual[i]];
            if (grad is null) continue;
            for (var k = 0; k < classes; k++)
            {
                var q = Math.Exp(z[k] - logNorm) - (k == actual[i] ? 1 : 0);
                grad[0] += q * logs[i][k];
                grad[k + 1] += q;
            }
        }
        if (grad is not null) for (var j = 0; j < grad.Length; j++) grad[j] /= rows.Length;
        return total / rows.Length;
    }

    public double[] Apply(double[] raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Length != Bias.Length) throw new ArgumentException($"Expected {Bias.Length} probabilities, got {raw.Length}.");
        var z = raw.Select((v, k) => Slope * Math.Log(Math.Max(v, Floor)) + Bias[k]).ToArray();
        var top = z.Max();
        var e = z.Select(v => Math.Exp(v - top)).ToArray();
        var sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    public double[][] Apply(IReadOnlyList<double[]> raw) => raw.Select(Apply).ToArray();
}
