namespace Signalbook.Features.Models;

/// <summary>
/// Per-feature standardisation z = (x − mean) / sd fitted on training rows (NaN ignored); a missing value becomes
/// 0, i.e. the training mean. A constant feature gets sd 1 (it then contributes nothing).
/// </summary>
internal sealed class Standardiser
{
    public required double[] Mean { get; init; }
    public required double[] Sd { get; init; }

    public static Standardiser Fit(FeatureMatrix x)
    {
        var mean = new double[x.Columns];
        var sd = new double[x.Columns];
        for (var f = 0; f < x.Columns; f++)
        {
            double sum = 0, squares = 0;
            var count = 0;
            for (var i = 0; i < x.Rows; i++)
            {
                var v = x[i, f];
                if (double.IsNaN(v)) continue;
                sum += v;
                count++;
            }
            var m = count > 0 ? sum / count : 0;
            for (var i = 0; i < x.Rows; i++)
            {
                var v = x[i, f];
                if (!double.IsNaN(v)) squares += (v - m) * (v - m);
            }
            var s = count > 0 ? Math.Sqrt(squares / count) : 0;
            mean[f] = m;
            sd[f] = s > 1e-12 ? s : 1;
        }
        return new Standardiser { Mean = mean, Sd = sd };
    }

    public double[] Transform(FeatureMatrix x)
    {
        var z = new double[x.Values.Length];
        for (var i = 0; i < x.Rows; i++)
            for (var f = 0; f < x.Columns; f++)
            {
                var v = x.Values[i * x.Columns + f];
                z[i * x.Columns + f] = double.IsNaN(v) ? 0 : (v - Mean[f]) / Sd[f];
            }
        return z;
    }

    public void WriteTo(BinaryWriter w)
    {
        ModelArtifact.WriteArray(w, Mean);
        ModelArtifact.WriteArray(w, Sd);
    }

    public static Standardiser ReadFrom(BinaryReader r) => new() { Mean = ModelArtifact.ReadDoubles(r), Sd = ModelArtifact.ReadDoubles(r) };
}

public sealed record LogisticOptions
{
    /// <summary>Inverse L2 strength as in scikit-learn: minimise Σ log-loss + ‖W‖² / (2C) (intercepts not penalised).</summary>
    public double C { get; init; } = 1.0;
    public int MaxIterations { get; init; } = 300;
    /// <summary>Stop when the gradient norm of the per-row objective falls below this, or an iteration improves it by less than Tolerance × 1e−4.</summary>
    public double Tolerance { get; init; } = 1e-5;
}

/// <summary>
/// L2-regularised logistic regression on standardised inputs: one weight vector for two classes, a multinomial
/// (softmax) model for more. Minimised with L-BFGS (Nocedal &amp; Wright, Numerical Optimization, alg. 7.4/7.5)
/// and a backtracking Armijo line search; gradients are summed over fixed row chunks in order, so the result is
/// deterministic (there is no randomness at all).
/// </summary>
public sealed class LogisticLearner(LogisticOptions? options = null) : ILearner
{
    public LogisticOptions Options { get; } = options ?? new LogisticOptions();

    public string Algorithm => LogisticModel.Name;

    public ITrainedModel Fit(TrainingSet train, TrainingSet? validation = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        train.Validate();
        if (train.Task == ModelTask.Regression) throw new ArgumentException("Logistic regression is for classification; use ridge for values.");
        var scaler = Standardiser.Fit(train.X);
        var z = scaler.Transform(train.X);
        int n = train.X.Rows, f = train.X.Columns;
        var k = train.Task == ModelTask.Binary ? 1 : train.Classes;
        var width = f + 1; // weights then intercept, per output
        var labels = train.Y.Select(y => (int)y).ToArray();
        var lambda = 1 / Options.C;

        double Objective(double[] w, double[] grad)
        {
            const int chunks = 16;
            var partLoss = new double[chunks];
            var partGrad = new double[chunks][];
            Parallel.For(0, chunks, ModelParallelism.Options, c =>
            {
                var g = new double[w.Length];
                var scores = new double[k];
                var p = new double[k];
                double loss = 0;
                for (var i = c * n / chunks; i < (c + 1) * n / chunks; i++)
                {
                    var row = z.AsSpan(i * f, f);
                    for (var o = 0; o < k; o++)
                    {
                        var s = w[o * width + f];
                        for (var j = 0; j < f; j++) s += w[o * width + j] * row[j];
                        scores[o] = s;
                    }
                    if (k == 1)
                    {
                        // log(1 + e^s) − y·s, written to stay finite for large |s|.
                        var s = scores[0];
                        loss += Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s))) - labels[i] * s;
                        p[0] = GbdtLearner.Sigmoid(s) - labels[i];
                    }
                    else
                    {
                        GbdtLearner.Softmax(scores, p);
                        loss -= Math.Log(Math.Max(p[labels[i]], 1e-300));
                        p[labels[i]] -= 1;
                    }
                    for (var o = 0; o < k; o++)
                    {
                        var r = p[o];
                        for (var j = 0; j < f; j++) g[o * width + j] += r * row[j];
                        g[o * width + f] += r;
                    }
                }
                partLoss[c] = loss;
                partGrad[c] = g;
            });
            Array.Clear(grad);
            var total = 0.0;
            for (var c = 0; c < chunks; c++)
            {
                total += partLoss[c];
                for (var j = 0; j < grad.Length; j++) grad[j] += partGrad[c][j];
            }
            for (var o = 0; o < k; o++)
                for (var j = 0; j < f; j++)
                {
                    var wj = w[o * width + j];
                    total += 0.5 * lambda * wj * wj;
                    grad[o * width + j] += lambda * wj;
                }
            // Scale by 1/n for conditioning; the minimiser is unchanged.
            for (var j = 0; j < grad.Length; j++) grad[j] /= n;
            return total / n;
        }

        var weights = Lbfgs.Minimise(Objective, new double[k * width], Options.MaxIterations, Options.Tolerance, ct);
        return new LogisticModel(train.Task, train.Classes, f, k, weights, scaler);
    }
}

public sealed class LogisticModel : ITrainedModel
{
    public const string Name = "logistic";
    private readonly int _outputs;
    private readonly double[] _weights;
    private readonly Standardiser _scaler;

    internal LogisticModel(ModelTask task, int classes, int featureCount, int outputs, double[] weights, Standardiser scaler)
    {
        Task = task;
        Classes = classes;
        FeatureCount = featureCount;
        _outputs = outputs;
        _weights = weights;
        _scaler = scaler;
    }

    public string Algorithm => Name;
    public ModelTask Task { get; }
    public int Classes { get; }
    public int FeatureCount { get; }

    /// <summary>Coefficients on standardised inputs: per output, F weights then the intercept.</summary>
    public IReadOnlyList<double> Coefficients => _weights;

    public double[][] PredictProbabilities(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns != FeatureCount) throw new ArgumentException($"Expected {FeatureCount} features, got {x.Columns}.");
        var z = _scaler.Transform(x);
        var f = FeatureCount;
        var result = new double[x.Rows][];
        var scores = new double[_outputs];
        for (var i = 0; i < x.Rows; i++)
        {
            for (var o = 0; o < _outputs; o++)
            {
                var s = _weights[o * (f + 1) + f];
                for (var j = 0; j < f; j++) s += _weights[o * (f + 1) + j] * z[i * f + j];
                scores[o] = s;
            }
            if (_outputs == 1)
            {
                var p = GbdtLearner.Sigmoid(scores[0]);
                result[i] = [1 - p, p];
            }
            else
            {
                result[i] = new double[_outputs];
                GbdtLearner.Softmax(scores, result[i]);
            }
        }
        return result;
    }

    public double[] PredictValues(FeatureMatrix x) => PredictProbabilities(x).Select(p => p[^1]).ToArray();

    /// <summary>Mean absolute standardised coefficient over outputs, normalised.</summary>
    public double[] FeatureImportance()
    {
        var importance = new double[FeatureCount];
        for (var o = 0; o < _outputs; o++)
            for (var j = 0; j < FeatureCount; j++) importance[j] += Math.Abs(_weights[o * (FeatureCount + 1) + j]);
        return ModelArtifact.Normalise(importance);
    }

    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write((int)Task);
        writer.Write(Classes);
        writer.Write(FeatureCount);
        writer.Write(_outputs);
        ModelArtifact.WriteArray(writer, _weights);
        _scaler.WriteTo(writer);
    }

    internal static LogisticModel ReadFrom(BinaryReader reader)
    {
        var task = (ModelTask)reader.ReadInt32();
        var classes = reader.ReadInt32();
        var features = reader.ReadInt32();
        var outputs = reader.ReadInt32();
        var weights = ModelArtifact.ReadDoubles(reader);
        return new LogisticModel(task, classes, features, outputs, weights, Standardiser.ReadFrom(reader));
    }
}

public sealed record RidgeOptions
{
    /// <summary>L2 strength as in scikit-learn's Ridge: minimise Σ(y − b − w·z)² + α‖w‖² on standardised z.</summary>
    public double Alpha { get; init; } = 1.0;
}

/// <summary>Ridge linear regression on standardised inputs, solved exactly: (ZᵀZ + αI) w = Zᵀ(y − ȳ) by Cholesky.</summary>
public sealed class RidgeLearner(RidgeOptions? options = null) : ILearner
{
    public RidgeOptions Options { get; } = options ?? new RidgeOptions();

    public string Algorithm => RidgeModel.Name;

    public ITrainedModel Fit(TrainingSet train, TrainingSet? validation = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        train.Validate();
        if (train.Task != ModelTask.Regression) throw new ArgumentException("Ridge regression predicts values; use logistic for classes.");
        var scaler = Standardiser.Fit(train.X);
        var z = scaler.Transform(train.X);
        int n = train.X.Rows, f = train.X.Columns;
        var zMean = new double[f];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < f; j++) zMean[j] += z[i * f + j] / n;
        var yMean = train.Y.Average();
        var a = new double[f * f];
        var b = new double[f];
        for (var i = 0; i < n; i++)
        {
            var yc = train.Y[i] - yMean;
            for (var j = 0; j < f; j++)
            {
                var zj = z[i * f + j] - zMean[j];
                b[j] += zj * yc;
                for (var l = 0; l <= j; l++) a[j * f + l] += zj * (z[i * f + l] - zMean[l]);
            }
        }
        for (var j = 0; j < f; j++)
        {
            for (var l = 0; l < j; l++) a[l * f + j] = a[j * f + l];
            a[j * f + j] += Options.Alpha;
        }
        var w = CholeskySolve(a, b, f);
        var intercept = yMean;
        for (var j = 0; j < f; j++) intercept -= w[j] * zMean[j];
        return new RidgeModel(f, w, intercept, scaler);
    }

    private static double[] CholeskySolve(double[] a, double[] b, int n)
    {
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j <= i; j++)
            {
                var s = a[i * n + j];
                for (var k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                if (i == j)
                {
                    if (s <= 0) throw new InvalidOperationException("The ridge system is not positive definite (use α > 0).");
                    l[i * n + i] = Math.Sqrt(s);
                }
                else l[i * n + j] = s / l[j * n + j];
            }
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var s = b[i];
            for (var k = 0; k < i; k++) s -= l[i * n + k] * y[k];
            y[i] = s / l[i * n + i];
        }
        var x = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var s = y[i];
            for (var k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
            x[i] = s / l[i * n + i];
        }
        return x;
    }
}

public sealed class RidgeModel : ITrainedModel
{
    public const string Name = "ridge";
    private readonly double[] _weights;
    private readonly double _intercept;
    private readonly Standardiser _scaler;

    internal RidgeModel(int featureCount, double[] weights, double intercept, Standardiser scaler)
    {
        FeatureCount = featureCount;
        _weights = weights;
        _intercept = intercept;
        _scaler = scaler;
    }

    public string Algorithm => Name;
    public ModelTask Task => ModelTask.Regression;
    public int Classes => 1;
    public int FeatureCount { get; }
    public IReadOnlyList<double> Coefficients => _weights;
    public double Intercept => _intercept;

    public double[][] PredictProbabilities(FeatureMatrix x) => throw new InvalidOperationException("A regression model has no class probabilities.");

    public double[] PredictValues(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns != FeatureCount) throw new ArgumentException($"Expected {FeatureCount} features, got {x.Columns}.");
        var z = _scaler.Transform(x);
        var result = new double[x.Rows];
        for (var i = 0; i < x.Rows; i++)
        {
            var s = _intercept;
            for (var j = 0; j < FeatureCount; j++) s += _weights[j] * z[i * FeatureCount + j];
            result[i] = s;
        }
        return result;
    }

    public double[] FeatureImportance() => ModelArtifact.Normalise(_weights.Select(Math.Abs).ToArray());

    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(FeatureCount);
        ModelArtifact.WriteArray(writer, _weights);
        writer.Write(_intercept);
        _scaler.WriteTo(writer);
    }

    internal static RidgeModel ReadFrom(BinaryReader reader)
    {
        var features = reader.ReadInt32();
        var weights = ModelArtifact.ReadDoubles(reader);
        var intercept = reader.ReadDouble();
        return new RidgeModel(features, weights, intercept, Standardiser.ReadFrom(reader));
    }
}

/// <summary>Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives.</summary>
internal static class Lbfgs
{
    /// <param name="objective">Returns f(x) and writes ∇f(x) into its second argument.</param>
    public static double[] Minimise(Func<double[], double[], double> objective, double[] x0, int maxIterations, double tolerance,
        CancellationToken ct, int memory = 10)
    {
        var n = x0.Length;
        var x = (double[])x0.Clone();
        var g = new double[n];
        var fx = objective(x, g);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var direction = new double[n];
        var alpha = new double[memory];
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            ct.ThrowIfCancellationRequested();
            if (Math.Sqrt(Dot(g, g)) < tolerance) break;
            // Two-loop recursion: direction = −H·g.
            Array.Copy(g, direction, n);
            for (var i = s.Count - 1; i >= 0; i--)
            {
                alpha[i] = rho[i] * Dot(s[i], direction);
                for (var j = 0; j < n; j++) direction[j] -= alpha[i] * y[i][j];
            }
            var gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1 / Math.Max(1, Math.Sqrt(Dot(g, g)));
            for (var j = 0; j < n; j++) direction[j] *= gamma;
            for (var i = 0; i < s.Count; i++)
            {
                var beta = rho[i] * Dot(y[i], direction);
                for (var j = 0; j < n; j++) direction[j] += s[i][j] * (alpha[i] - beta);
            }
            for (var j = 0; j < n; j++) direction[j] = -direction[j];
            var slope = Dot(g, direction);
            if (slope >= 0)
            {
                // Not a descent direction (numerical trouble): restart from steepest descent.
                s.Clear();
                y.Clear();
                rho.Clear();
                for (var j = 0; j < n; j++) direction[j] = -g[j];
                slope = Dot(g, direction);
            }
            var step = 1.0;
            var xNew = new double[n];
            var gNew = new double[n];
            double fNew;
            while (true)
            {
                for (var j = 0; j < n; j++) xNew[j] = x[j] + step * direction[j];
                fNew = objective(xNew, gNew);
                if (fNew <= fx + 1e-4 * step * slope || step < 1e-12) break;
                step *= 0.5;
            }
            var sk = new double[n];
            var yk = new double[n];
            for (var j = 0; j < n; j++)
            {
                sk[j] = xNew[j] - x[j];
                yk[j] = gNew[j] - g[j];
            }
            var sy = Dot(sk, yk);
            var improvement = fx - fNew;
            (x, g, fx) = (xNew, gNew, fNew);
            if (sy > 1e-12)
            {
                if (s.Count == memory)
                {
                    s.RemoveAt(0);
                    y.RemoveAt(0);
                    rho.RemoveAt(0);
                }
                s.Add(sk);
                y.Add(yk);
                rho.Add(1 / sy);
            }
            if (improvement >= 0 && improvement < tolerance * 1e-4 * Math.Max(1, Math.Abs(fx))) break;
        }
        return x;
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
