namespace Signalbook.Features.Regimes;

/// <summary>Settings of one fit. Feature indices say which observation column is the return and which the volatility (−1: none).</summary>
public sealed record HmmOptions
{
    public int States { get; init; } = 3;
    public int Seed { get; init; } = 20261121;
    /// <summary>Independent k-means++ initialisations; the fit with the highest log-likelihood is kept.</summary>
    public int Restarts { get; init; } = 4;
    public int MaxIterations { get; init; } = 300;
    /// <summary>Baum–Welch stops when one iteration gains less than this, per bar, in log-likelihood.</summary>
    public double Tolerance { get; init; } = 1e-7;
    /// <summary>Smallest variance of a state, in standardised units (1 = the training variance of the feature).</summary>
    public double VarianceFloor { get; init; } = 1e-3;
    /// <summary>Share of training bars whose one-step predictive log-likelihood falls below the out-of-distribution threshold.</summary>
    public double OodQuantile { get; init; } = 0.005;
    public int ReturnFeature { get; init; }
    public int VolatilityFeature { get; init; } = 1;
}

/// <summary>
/// A fitted Gaussian HMM. Means and variances live in standardised space (z = (x − mean) / std, the
/// training statistics in <see cref="ScaleMean"/> and <see cref="ScaleStd"/>). States are ordered by
/// volatility, lowest first (then by mean return, highest first), so state ids and names are the same
/// whatever order the optimiser found them in.
/// </summary>
public sealed record HmmModel(
    double[] Initial, double[][] Transition, double[][] Means, double[][] Variances, double[] ScaleMean, double[] ScaleStd,
    string[] StateNames, double OodThreshold, double LogLikelihood, int Iterations, IReadOnlyList<double> LogLikelihoodHistory)
{
    public int States => Initial.Length;
    public int Dimensions => ScaleMean.Length;
}

/// <summary>Per bar: the most probable state under the filtered posterior (−1 when out of distribution), its probability, and log p(x_t | x_1..t−1).</summary>
public sealed record HmmFilterResult(int[] StateId, double[] StateProb, double[] LogLikelihood, double[][] Posterior);

/// <summary>
/// Gaussian hidden Markov model: fit by Baum–Welch, apply by forward filtering only.
///
/// Covariance is diagonal. The inputs are one return and one (log) volatility column whose
/// correlation inside a regime is small; a diagonal model has half the parameters of a full one on
/// short histories (a few hundred daily bars), cannot become ill-conditioned, and its variance floor
/// keeps the M-step an exact constrained maximisation, so EM still never lowers the likelihood
/// (the Gaussian term in each σ² is unimodal, so the floored value is the constrained optimum).
///
/// The forward–backward pass is the scaled one of Rabiner (1989, "A tutorial on hidden Markov
/// models", Proc. IEEE 77(2), eqs. 91–93), with emissions handled in log space: each bar's
/// densities are divided by their largest value before scaling, so a bar many standard deviations
/// away neither underflows nor overflows.
/// </summary>
public static class GaussianHmm
{
    private const double Log2Pi = 1.8378770664093453; // ln(2π)

    public static HmmModel Fit(IReadOnlyList<double[]> observations, HmmOptions options)
    {
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(options);
        var k = options.States;
        if (k < 2) throw new ArgumentOutOfRangeException(nameof(options), "At least two states.");
        if (observations.Count < 10 * k) throw new ArgumentException($"At least {10 * k} observations are needed to fit {k} states.", nameof(observations));
        var d = observations[0].Length;
        if (observations.Any(o => o.Length != d || o.Any(v => !double.IsFinite(v)))) throw new ArgumentException("Observations must be finite vectors of one length.", nameof(observations));

        var (scaleMean, scaleStd) = Standardisation(observations);
        var z = Standardise(observations, scaleMean, scaleStd);

        Parameters? best = null;
        for (var r = 0; r < Math.Max(1, options.Restarts); r++)
        {
            var random = new Random(unchecked(options.Seed * 31 + r));
            var fit = BaumWelch(z, KMeansPlusPlus(z, k, random, options.VarianceFloor), options);
            if (best is null || fit.LogLikelihood > best.LogLikelihood) best = fit;
        }

        var ordered = Order(best!, options);
        var names = StateNames(k);
        // Baum–Welch works on z; the reported likelihoods are densities of x, as the filter's are.
        var jacobian = observations.Count * LogJacobian(scaleStd);
        var provisional = new HmmModel(ordered.Initial, ordered.Transition, ordered.Means, ordered.Variances, scaleMean, scaleStd, names,
            double.NegativeInfinity, ordered.LogLikelihood - jacobian, ordered.Iterations, ordered.History.Select(l => l - jacobian).ToList());
        var train = Filter(provisional, observations);
        return provisional with { OodThreshold = Quantile(train.LogLikelihood, options.OodQuantile) };
    }

    /// <summary>
    /// Forward filter: P(s_t | x_1..t) and log p(x_t | x_1..t−1) for every bar, each from earlier bars
    /// only. Appending bars never changes the values of earlier ones (a strict left-to-right recursion).
    /// </summary>
    public static HmmFilterResult Filter(HmmModel model, IReadOnlyList<double[]> observations)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(observations);
        var (k, n) = (model.States, observations.Count);
        var stateId = new int[n];
        var stateProb = new double[n];
        var logLikelihood = new double[n];
        var posterior = new double[n][];
        var logTransition = model.Transition.Select(row => row.Select(v => Math.Log(v)).ToArray()).ToArray();
        var logPrior = model.Initial.Select(v => Math.Log(v)).ToArray();
        var z = new double[model.Dimensions];
        var logJoint = new double[k];
        var logJacobian = LogJacobian(model.ScaleStd);
        double[]? previous = null; // log α_{t−1}
        for (var t = 0; t < n; t++)
        {
            for (var j = 0; j < z.Length; j++) z[j] = (observations[t][j] - model.ScaleMean[j]) / model.ScaleStd[j];
            for (var s = 0; s < k; s++)
            {
                double logPredicted;
                if (previous is null) logPredicted = logPrior[s];
                else
                {
                    // log Σ_i α_{t−1}(i) a_is, in log space so an unreachable state is −∞, not NaN.
                    var max = double.NegativeInfinity;
                    for (var i = 0; i < k; i++) max = Math.Max(max, previous[i] + logTransition[i][s]);
                    var sum = 0.0;
                    if (!double.IsNegativeInfinity(max))
                        for (var i = 0; i < k; i++) sum += Math.Exp(previous[i] + logTransition[i][s] - max);
                    logPredicted = double.IsNegativeInfinity(max) ? max : max + Math.Log(sum);
                }
                logJoint[s] = logPredicted + LogDensity(z, model.Means[s], model.Variances[s]) - logJacobian;
            }
            var top = logJoint.Max();
            var total = 0.0;
            for (var s = 0; s < k; s++) total += Math.Exp(logJoint[s] - top);
            var logEvidence = top + Math.Log(total);
            var alpha = new double[k];
            for (var s = 0; s < k; s++) alpha[s] = Math.Exp(logJoint[s] - logEvidence);
            var argmax = 0;
            for (var s = 1; s < k; s++) if (alpha[s] > alpha[argmax]) argmax = s;
            posterior[t] = alpha;
            stateProb[t] = Math.Min(1.0, alpha[argmax]);
            logLikelihood[t] = logEvidence;
            stateId[t] = logEvidence < model.OodThreshold ? -1 : argmax;
            previous = logJoint.Select(l => l - logEvidence).ToArray();
        }
        return new HmmFilterResult(stateId, stateProb, logLikelihood, posterior);
    }

    /// <summary>Names by volatility rank: 3 states as the product names them; 2 "calm", "stressed"; otherwise "vol-1" (calmest) … "vol-K".</summary>
    public static string[] StateNames(int states) => states switch
    {
        2 => ["calm", "stressed"],
        3 => ["calm-up", "choppy", "stressed"],
        _ => Enumerable.Range(1, states).Select(i => $"vol-{i}").ToArray(),
    };

    /// <summary>The empirical quantile with linear interpolation between order statistics (Hyndman–Fan type 7).</summary>
    public static double Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0) return double.NegativeInfinity;
        var h = (sorted.Length - 1) * Math.Clamp(q, 0, 1);
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private sealed record Parameters(double[] Initial, double[][] Transition, double[][] Means, double[][] Variances)
    {
        public double LogLikelihood { get; init; } = double.NegativeInfinity;
        public int Iterations { get; init; }
        public IReadOnlyList<double> History { get; init; } = [];
    }

    private static (double[] Mean, double[] Std) Standardisation(IReadOnlyList<double[]> x)
    {
        var d = x[0].Length;
        var mean = new double[d];
        var std = new double[d];
        for (var j = 0; j < d; j++)
        {
            var m = 0.0;
            foreach (var row in x) m += row[j];
            m /= x.Count;
            var ss = 0.0;
            foreach (var row in x) ss += (row[j] - m) * (row[j] - m);
            mean[j] = m;
            var s = Math.Sqrt(ss / (x.Count - 1));
            std[j] = s > 0 ? s : 1;
        }
        return (mean, std);
    }

    private static double[][] Standardise(IReadOnlyList<double[]> x, double[] mean, double[] std)
        => x.Select(row => row.Select((v, j) => (v - mean[j]) / std[j]).ToArray()).ToArray();

    /// <summary>log of the standardisation's Jacobian: densities are reported for the original units, so likelihoods compare across models.</summary>
    private static double LogJacobian(double[] std)
    {
        var sum = 0.0;
        foreach (var s in std) sum += Math.Log(s);
        return sum;
    }

    private static double LogDensity(ReadOnlySpan<double> z, double[] mean, double[] variance)
    {
        var sum = 0.0;
        for (var j = 0; j < z.Length; j++)
        {
            var diff = z[j] - mean[j];
            sum += Log2Pi + Math.Log(variance[j]) + diff * diff / variance[j];
        }
        return -0.5 * sum;
    }

    /// <summary>k-means++ seeding (Arthur and Vassilvitskii, 2007) and a few Lloyd steps: the clusters give the first means and variances.</summary>
    private static Parameters KMeansPlusPlus(double[][] z, int k, Random random, double floor)
    {
        var (n, d) = (z.Length, z[0].Length);
        var centres = new List<double[]> { (double[])z[random.Next(n)].Clone() };
        var distance = new double[n];
        while (centres.Count < k)
        {
            var total = 0.0;
            for (var t = 0; t < n; t++)
            {
                distance[t] = centres.Min(c => SquaredDistance(z[t], c));
                total += distance[t];
            }
            var target = random.NextDouble() * total;
            var pick = n - 1;
            for (var t = 0; t < n; t++)
            {
                target -= distance[t];
                if (target <= 0) { pick = t; break; }
            }
            centres.Add((double[])z[pick].Clone());
        }
        var assignment = new int[n];
        for (var iteration = 0; iteration < 25; iteration++)
        {
            var changed = false;
            for (var t = 0; t < n; t++)
            {
                var nearest = 0;
                for (var c = 1; c < k; c++) if (SquaredDistance(z[t], centres[c]) < SquaredDistance(z[t], centres[nearest])) nearest = c;
                changed |= nearest != assignment[t] || iteration == 0;
                assignment[t] = nearest;
            }
            for (var c = 0; c < k; c++)
            {
                var members = Enumerable.Range(0, n).Where(t => assignment[t] == c).ToList();
                if (members.Count == 0) continue; // an empty cluster keeps its centre
                for (var j = 0; j < d; j++) centres[c][j] = members.Average(t => z[t][j]);
            }
            if (!changed) break;
        }
        var variances = new double[k][];
        for (var c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, n).Where(t => assignment[t] == c).ToList();
            variances[c] = new double[d];
            for (var j = 0; j < d; j++)
            {
                var v = members.Count > 1 ? members.Average(t => (z[t][j] - centres[c][j]) * (z[t][j] - centres[c][j])) : 1.0;
                variances[c][j] = Math.Max(v, floor);
            }
        }
        var transition = new double[k][];
        for (var i = 0; i < k; i++)
        {
            transition[i] = new double[k];
            for (var j = 0; j < k; j++) transition[i][j] = i == j ? 0.9 : 0.1 / (k - 1);
        }
        return new Parameters(Enumerable.Repeat(1.0 / k, k).ToArray(), transition, centres.ToArray(), variances);
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++) sum += (a[j] - b[j]) * (a[j] - b[j]);
        return sum;
    }

    private static Parameters BaumWelch(double[][] z, Parameters start, HmmOptions options)
    {
        var (n, d, k) = (z.Length, z[0].Length, start.Initial.Length);
        var p = start;
        var history = new List<double>();
        var b = new double[n][];       // emission densities of each state, divided by the bar's largest one
        var logScale = new double[n];  // the largest log density of each bar
        var alpha = new double[n][];
        var beta = new double[n][];
        var c = new double[n];
        for (var t = 0; t < n; t++) (b[t], alpha[t], beta[t]) = (new double[k], new double[k], new double[k]);
        var iterations = 0;
        while (true)
        {
            // E-step: scaled forward–backward.
            for (var t = 0; t < n; t++)
            {
                var max = double.NegativeInfinity;
                for (var s = 0; s < k; s++) { b[t][s] = LogDensity(z[t], p.Means[s], p.Variances[s]); max = Math.Max(max, b[t][s]); }
                for (var s = 0; s < k; s++) b[t][s] = Math.Exp(b[t][s] - max);
                logScale[t] = max;
            }
            var logLikelihood = 0.0;
            for (var t = 0; t < n; t++)
            {
                var sum = 0.0;
                for (var s = 0; s < k; s++)
                {
                    double predicted;
                    if (t == 0) predicted = p.Initial[s];
                    else
                    {
                        predicted = 0;
                        for (var i = 0; i < k; i++) predicted += alpha[t - 1][i] * p.Transition[i][s];
                    }
                    alpha[t][s] = predicted * b[t][s];
                    sum += alpha[t][s];
                }
                c[t] = sum;
                for (var s = 0; s < k; s++) alpha[t][s] /= sum;
                logLikelihood += Math.Log(sum) + logScale[t];
            }
            history.Add(logLikelihood);
            var gain = history.Count > 1 ? logLikelihood - history[^2] : double.PositiveInfinity;
            if (iterations >= options.MaxIterations || gain < options.Tolerance * n) break;

            for (var s = 0; s < k; s++) beta[n - 1][s] = 1;
            for (var t = n - 2; t >= 0; t--)
                for (var i = 0; i < k; i++)
                {
                    var sum = 0.0;
                    for (var j = 0; j < k; j++) sum += p.Transition[i][j] * b[t + 1][j] * beta[t + 1][j];
                    beta[t][i] = sum / c[t + 1];
                }

            // M-step.
            var weight = new double[k];
            var transitions = new double[k][];
            var sums = new double[k][];
            for (var s = 0; s < k; s++) (transitions[s], sums[s]) = (new double[k], new double[d]);
            var gamma = new double[n][];
            for (var t = 0; t < n; t++)
            {
                gamma[t] = new double[k];
                var norm = 0.0;
                for (var s = 0; s < k; s++) { gamma[t][s] = alpha[t][s] * beta[t][s]; norm += gamma[t][s]; }
                for (var s = 0; s < k; s++)
                {
                    gamma[t][s] /= norm; // 1 up to rounding
                    weight[s] += gamma[t][s];
                    for (var j = 0; j < d; j++) sums[s][j] += gamma[t][s] * z[t][j];
                }
                if (t == n - 1) continue;
                for (var i = 0; i < k; i++)
                    for (var j = 0; j < k; j++)
                        transitions[i][j] += alpha[t][i] * p.Transition[i][j] * b[t + 1][j] * beta[t + 1][j] / c[t + 1];
            }
            var means = new double[k][];
            var variances = new double[k][];
            var transition = new double[k][];
            for (var s = 0; s < k; s++)
            {
                if (weight[s] < 1e-8)
                {
                    // A state no bar belongs to keeps its parameters: its share of the likelihood is nil either way.
                    (means[s], variances[s], transition[s]) = (p.Means[s], p.Variances[s], p.Transition[s]);
                    continue;
                }
                means[s] = new double[d];
                variances[s] = new double[d];
                for (var j = 0; j < d; j++) means[s][j] = sums[s][j] / weight[s];
                for (var t = 0; t < n; t++)
                    for (var j = 0; j < d; j++)
                    {
                        var diff = z[t][j] - means[s][j];
                        variances[s][j] += gamma[t][s] * diff * diff;
                    }
                for (var j = 0; j < d; j++) variances[s][j] = Math.Max(variances[s][j] / weight[s], options.VarianceFloor);
                var rowSum = transitions[s].Sum();
                transition[s] = rowSum > 0 ? transitions[s].Select(v => v / rowSum).ToArray() : p.Transition[s];
            }
            p = new Parameters((double[])gamma[0].Clone(), transition, means, variances);
            iterations++;
        }
        return p with { LogLikelihood = history[^1], Iterations = iterations, History = history };
    }

    /// <summary>Sorts states by volatility (the volatility feature's mean, else the return's variance), then by mean return, highest first.</summary>
    private static Parameters Order(Parameters p, HmmOptions o)
    {
        var k = p.Initial.Length;
        double Volatility(int s) => o.VolatilityFeature >= 0 ? p.Means[s][o.VolatilityFeature] : p.Variances[s][o.ReturnFeature];
        double Return(int s) => o.ReturnFeature >= 0 ? p.Means[s][o.ReturnFeature] : 0;
        var order = Enumerable.Range(0, k).OrderBy(Volatility).ThenByDescending(Return).ThenBy(s => s).ToArray();
        return p with
        {
            Initial = order.Select(s => p.Initial[s]).ToArray(),
            Transition = order.Select(i => order.Select(j => p.Transition[i][j]).ToArray()).ToArray(),
            Means = order.Select(s => p.Means[s]).ToArray(),
            Variances = order.Select(s => p.Variances[s]).ToArray(),
        };
    }
}
