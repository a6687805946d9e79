using Signalbook.Features.Regimes;

namespace Signalbook.Tests.Features.Regimes;

/// <summary>The HMM kernel on data drawn from a known 3-state HMM: recovery, causality, out-of-distribution, EM monotonicity, determinism.</summary>
public sealed class GaussianHmmTests
{
    /// <summary>
    /// A 3-state Markov chain over bars (calm and rising, choppy, stressed), each emitting a daily return
    /// N(μ, σ) and a noisy log volatility N(ln(σ√252), 0.15): the same two inputs the service feeds the
    /// model. The truth is numbered by volatility, as the model names its states.
    /// </summary>
    internal static (List<double[]> X, int[] Truth) Simulate(int n, int seed)
    {
        (double Mu, double Sigma, double Stay)[] regimes = [(0.0008, 0.007, 0.985), (0.0, 0.013, 0.97), (-0.002, 0.03, 0.95)];
        var random = new Random(seed);
        var x = new List<double[]>(n);
        var truth = new int[n];
        var s = 0;
        for (var t = 0; t < n; t++)
        {
            if (t > 0 && random.NextDouble() > regimes[s].Stay) s = (s + 1 + random.Next(2)) % 3;
            truth[t] = s;
            var (mu, sigma, _) = regimes[s];
            x.Add([mu + sigma * Normal(random), Math.Log(sigma * Math.Sqrt(252)) + 0.15 * Normal(random)]);
        }
        return (x, truth);
    }

    internal static double Normal(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static readonly HmmOptions Options = new RegimeOptions().ToHmm();

    [Fact]
    public void Fit_OnKnownThreeStateSeries_FilteredStatesMatchTheTruthOn90PercentOfBars()
    {
        var (x, truth) = Simulate(2000, 7);
        var model = GaussianHmm.Fit(x, Options);
        var filtered = GaussianHmm.Filter(model, x);
        // Labels come only from the model's own ordering (by volatility): no matching against the truth.
        var hits = Enumerable.Range(0, x.Count).Count(t => filtered.StateId[t] == truth[t]);
        Assert.True(hits >= 0.9 * x.Count, $"recovered {hits} of {x.Count} bars ({100.0 * hits / x.Count:F1} %)");
        Assert.Equal(["calm-up", "choppy", "stressed"], model.StateNames);
        Assert.True(model.Means[0][0] > model.Means[2][0], "the calm state's mean return is above the stressed one's");
    }

    [Fact]
    public void Filter_AppendingOrChangingLaterBars_LeavesEarlierOutputsBitIdentical()
    {
        var (x, _) = Simulate(2000, 11);
        var model = GaussianHmm.Fit(x.Take(1200).ToList(), Options);
        var first = GaussianHmm.Filter(model, x.Take(1500).ToList());
        var longer = GaussianHmm.Filter(model, x);
        // Later bars replaced by wild values: a smoother (or any look-ahead) would move the earlier posteriors.
        var changed = x.Take(1500).Concat(x.Skip(1500).Select(v => new[] { -v[0] * 5, v[1] + 2 })).ToList();
        var other = GaussianHmm.Filter(model, changed);
        for (var t = 0; t < 1500; t++)
        {
            foreach (var r in new[] { longer, other })
            {
                Assert.Equal(first.StateId[t], r.StateId[t]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(first.StateProb[t]), BitConverter.DoubleToInt64Bits(r.StateProb[t]));
                Assert.Equal(BitConverter.DoubleToInt64Bits(first.LogLikelihood[t]), BitConverter.DoubleToInt64Bits(r.LogLikelihood[t]));
            }
        }
        Assert.NotEqual(longer.LogLikelihood.Skip(1500), other.LogLikelihood.Skip(1500));
    }

    [Fact]
    public void Filter_InjectedExtremeBar_IsOutOfDistribution_AndTrainingOodRateIsTheQuantile()
    {
        var (x, _) = Simulate(2000, 23);
        var model = GaussianHmm.Fit(x, Options);
        var train = GaussianHmm.Filter(model, x);
        var rate = train.StateId.Count(s => s == -1) / (double)x.Count;
        Assert.InRange(rate, 0.003, 0.007); // the 0.5 % quantile of the training bars' predictive log-likelihood
        Assert.All(train.LogLikelihood, l => Assert.True(double.IsFinite(l)));

        // A −25 % day in the middle of a calm stretch, volatility as on the bar before.
        var shocked = x.Take(1000).Append([-0.25, x[999][1]]).ToList();
        var result = GaussianHmm.Filter(model, shocked);
        Assert.Equal(-1, result.StateId[^1]);
        Assert.True(result.LogLikelihood[^1] < model.OodThreshold);
        Assert.InRange(result.StateProb[^1], 0, 1);
        Assert.NotEqual(-1, result.StateId[^2]);
    }

    [Theory]
    [InlineData(3, 5)]
    [InlineData(3, 17)]
    [InlineData(2, 29)]
    [InlineData(4, 31)]
    public void BaumWelch_NeverLowersTheLogLikelihood(int states, int seed)
    {
        var (x, _) = Simulate(1500, seed);
        var model = GaussianHmm.Fit(x, Options with { States = states, Restarts = 1, Seed = seed, Tolerance = 1e-10 });
        var history = model.LogLikelihoodHistory;
        Assert.True(history.Count > 5, $"only {history.Count} iterations");
        for (var i = 1; i < history.Count; i++)
            Assert.True(history[i] >= history[i - 1] - 1e-9 * Math.Abs(history[i - 1]), $"iteration {i}: {history[i - 1]:R} → {history[i]:R}");
        Assert.True(history[^1] > history[0]);
        Assert.Equal(states, model.StateNames.Length);
        Assert.Equal(model.StateNames.Length, model.StateNames.Distinct().Count());
    }

    [Fact]
    public void Fit_SameSeed_GivesTheSameModel_BitForBit()
    {
        var (x, _) = Simulate(1200, 41);
        var a = GaussianHmm.Fit(x, Options);
        var b = GaussianHmm.Fit(x, Options);
        static IEnumerable<double> Flat(HmmModel m) => m.Initial.Concat(m.Transition.SelectMany(r => r)).Concat(m.Means.SelectMany(r => r))
            .Concat(m.Variances.SelectMany(r => r)).Concat(m.ScaleMean).Concat(m.ScaleStd).Append(m.OodThreshold).Append(m.LogLikelihood);
        Assert.Equal(Flat(a).Select(BitConverter.DoubleToInt64Bits), Flat(b).Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(a.Iterations, b.Iterations);
    }

    [Fact]
    public void Fit_StatesAreOrderedByVolatility_WhateverOrderTheDataIntroducesThem()
    {
        // The same series reversed in time starts in another regime; the names must still follow volatility.
        var (x, truth) = Simulate(2000, 53);
        x.Reverse();
        Array.Reverse(truth);
        var model = GaussianHmm.Fit(x, Options);
        Assert.True(model.Means[0][1] < model.Means[1][1] && model.Means[1][1] < model.Means[2][1], "log volatility rises with the state id");
        var filtered = GaussianHmm.Filter(model, x);
        Assert.True(Enumerable.Range(0, x.Count).Count(t => filtered.StateId[t] == truth[t]) >= 0.9 * x.Count);
    }
}
