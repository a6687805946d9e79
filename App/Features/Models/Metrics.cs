namespace Signalbook.Features.Models;

public sealed record ClassScores(double Precision, double Recall, double F1, int Support);

public sealed record CalibrationBucket(double Lower, double Upper, int Count, double MeanConfidence, double ObservedFrequency);

/// <summary>Evaluation metrics over arrays. Every function is pure; NaN is returned where a metric is undefined.</summary>
public static class Metrics
{
    public static int ArgMax(double[] p)
    {
        var best = 0;
        for (var k = 1; k < p.Length; k++)
            if (p[k] > p[best]) best = k;
        return best;
    }

    public static double Accuracy(IReadOnlyList<int> actual, IReadOnlyList<int> predicted)
    {
        if (actual.Count == 0) return double.NaN;
        var hits = 0;
        for (var i = 0; i < actual.Count; i++)
            if (actual[i] == predicted[i]) hits++;
        return (double)hits / actual.Count;
    }

    /// <summary>Per class: precision = TP/(TP+FP), recall = TP/(TP+FN), F1 their harmonic mean (0 when both are 0; NaN when undefined).</summary>
    public static ClassScores[] PerClass(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classes)
    {
        var result = new ClassScores[classes];
        for (var k = 0; k < classes; k++)
        {
            int tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < actual.Count; i++)
            {
                if (predicted[i] == k && actual[i] == k) tp++;
                else if (predicted[i] == k) fp++;
                else if (actual[i] == k) fn++;
            }
            var precision = tp + fp > 0 ? (double)tp / (tp + fp) : double.NaN;
            var recall = tp + fn > 0 ? (double)tp / (tp + fn) : double.NaN;
            var f1 = double.IsNaN(precision) || double.IsNaN(recall) ? double.NaN
                : precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            result[k] = new ClassScores(precision, recall, f1, tp + fn);
        }
        return result;
    }

    /// <summary>
    /// Binary ROC AUC as the Mann–Whitney statistic: P(score of a positive &gt; score of a negative) + ½ P(tie),
    /// computed from mid-ranks (ties share the average rank). NaN when a class is absent.
    /// </summary>
    public static double RocAuc(IReadOnlyList<bool> positive, IReadOnlyList<double> score)
    {
        var n = positive.Count;
        var ranks = MidRanks(score);
        double rankSum = 0;
        long pos = 0;
        for (var i = 0; i < n; i++)
            if (positive[i])
            {
                rankSum += ranks[i];
                pos++;
            }
        var neg = n - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        return (rankSum - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>One-vs-rest macro AUC: the mean over classes of AUC(class k vs rest, P(k)); classes absent from <paramref name="actual"/> are skipped.</summary>
    public static double MacroAuc(IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities, int classes)
    {
        var aucs = new List<double>();
        for (var k = 0; k < classes; k++)
        {
            var auc = RocAuc(actual.Select(a => a == k).ToArray(), probabilities.Select(p => p[k]).ToArray());
            if (!double.IsNaN(auc)) aucs.Add(auc);
        }
        return aucs.Count > 0 ? aucs.Average() : double.NaN;
    }

    /// <summary>Mean of −ln p(actual class), probabilities clipped to [1e−15, 1].</summary>
    public static double LogLoss(IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities)
    {
        if (actual.Count == 0) return double.NaN;
        var total = 0.0;
        for (var i = 0; i < actual.Count; i++) total -= Math.Log(Math.Clamp(probabilities[i][actual[i]], 1e-15, 1));
        return total / actual.Count;
    }

    /// <summary>Multi-class Brier score: mean over rows of Σ_k (p_k − 1[actual = k])² (Brier 1950; for two classes this is twice the usual binary score).</summary>
    public static double Brier(IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities)
    {
        if (actual.Count == 0) return double.NaN;
        var total = 0.0;
        for (var i = 0; i < actual.Count; i++)
            for (var k = 0; k < probabilities[i].Length; k++)
            {
                var e = probabilities[i][k] - (actual[i] == k ? 1 : 0);
                total += e * e;
            }
        return total / actual.Count;
    }

    /// <summary>Information coefficient: Pearson correlation of predicted and realised returns.</summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var n = a.Count;
        if (n < 2) return double.NaN;
        double ma = 0, mb = 0;
        for (var i = 0; i < n; i++)
        {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < n; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa > 0 && sbb > 0 ? sab / Math.Sqrt(saa * sbb) : double.NaN;
    }

    /// <summary>Rank IC: Spearman correlation, the Pearson correlation of mid-ranks.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(MidRanks(a), MidRanks(b));

    /// <summary>1-based ranks, ties given the mean of the ranks they span.</summary>
    public static double[] MidRanks(IReadOnlyList<double> values)
    {
        var n = values.Count;
        var order = Enumerable.Range(0, n).ToArray();
        Array.Sort(order, (i, j) => values[i].CompareTo(values[j]));
        var ranks = new double[n];
        var start = 0;
        while (start < n)
        {
            var end = start;
            while (end + 1 < n && values[order[end + 1]].CompareTo(values[order[start]]) == 0) end++;
            var rank = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++) ranks[order[i]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>
    /// Hit rate of directional calls: among rows with a non-zero signal, the share whose realised return has the
    /// signal's sign (a zero return counts as a miss). NaN when there is no call.
    /// </summary>
    public static double HitRate(IReadOnlyList<int> signal, IReadOnlyList<double> realised)
    {
        int calls = 0, hits = 0;
        for (var i = 0; i < signal.Count; i++)
        {
            if (signal[i] == 0) continue;
            calls++;
            if (Math.Sign(realised[i]) == Math.Sign(signal[i])) hits++;
        }
        return calls > 0 ? (double)hits / calls : double.NaN;
    }

    /// <summary>
    /// Mean realised return of the top decile by score: the ⌈n/10⌉ rows with the highest score (ties broken by
    /// row order, pooled over all dates).
    /// </summary>
    public static double TopDecileReturn(IReadOnlyList<double> score, IReadOnlyList<double> realised)
    {
        var n = score.Count;
        if (n == 0) return double.NaN;
        var take = (n + 9) / 10;
        var order = Enumerable.Range(0, n).OrderByDescending(i => score[i]).ThenBy(i => i).Take(take);
        return order.Average(i => realised[i]);
    }

    /// <summary>Signal +1 for BUY, −1 for SELL, 0 for HOLD.</summary>
    public static int SignalOf(int verdict) => verdict == (int)Verdict.Buy ? 1 : verdict == (int)Verdict.Sell ? -1 : 0;

    public sealed record PortfolioResult(double[] DailyReturns, double Sharpe, double MaxDrawdown, double MeanDailyReturn, int Days);

    /// <summary>
    /// The signal-following portfolio. Each date d holds, equally weighted, +1 × every row called BUY and −1 × every
    /// row called SELL on d (HOLD rows are not held; a day with no call earns 0). A call is held for H days, so
    /// calls from H consecutive days overlap; to get a daily return series without counting that overlap H times
    /// each call contributes its H-day return scaled by 1/H: R_d = mean over calls on d of (signal × r / H).
    /// Sharpe = mean(R)/sd(R) × √252 (sample sd, no risk-free rate); max drawdown = the largest fall of the
    /// compounded equity Π(1 + R_d) from its running peak, as a fraction of the peak (0 … 1).
    /// </summary>
    public static PortfolioResult SignalPortfolio(IReadOnlyList<DateTimeOffset> dates, IReadOnlyList<int> signal, IReadOnlyList<double> realised, int horizon)
    {
        var byDay = new SortedDictionary<DateTimeOffset, (double Sum, int Count)>();
        for (var i = 0; i < dates.Count; i++)
        {
            byDay.TryGetValue(dates[i], out var acc);
            if (signal[i] != 0) acc = (acc.Sum + signal[i] * realised[i] / horizon, acc.Count + 1);
            byDay[dates[i]] = acc;
        }
        var daily = byDay.Values.Select(a => a.Count > 0 ? a.Sum / a.Count : 0).ToArray();
        return new PortfolioResult(daily, Sharpe(daily), MaxDrawdown(daily), daily.Length > 0 ? daily.Average() : double.NaN, daily.Length);
    }

    /// <summary>Annualised Sharpe ratio of daily returns: mean / sample sd × √252; NaN with fewer than 2 days or zero sd.</summary>
    public static double Sharpe(IReadOnlyList<double> daily)
    {
        if (daily.Count < 2) return double.NaN;
        var mean = daily.Average();
        var sd = Math.Sqrt(daily.Sum(r => (r - mean) * (r - mean)) / (daily.Count - 1));
        return sd > 0 ? mean / sd * Math.Sqrt(252) : double.NaN;
    }

    /// <summary>Maximum drawdown of the compounded equity curve starting at 1, as a fraction of the running peak.</summary>
    public static double MaxDrawdown(IReadOnlyList<double> daily)
    {
        double equity = 1, peak = 1, worst = 0;
        foreach (var r in daily)
        {
            equity *= 1 + r;
            peak = Math.Max(peak, equity);
            worst = Math.Max(worst, (peak - equity) / peak);
        }
        return worst;
    }

    /// <summary>
    /// Calibration by confidence bucket: confidence = the highest class probability, buckets of equal width over
    /// [0, 1] (the last includes 1); per bucket the count, mean confidence and the observed frequency with which
    /// the predicted (argmax) class was the actual one. Empty buckets are reported with NaN means.
    /// </summary>
    public static CalibrationBucket[] Calibration(IReadOnlyList<int> actual, IReadOnlyList<double[]> probabilities, int buckets = 10)
    {
        var count = new int[buckets];
        var confidence = new double[buckets];
        var correct = new double[buckets];
        for (var i = 0; i < actual.Count; i++)
        {
            var predicted = ArgMax(probabilities[i]);
            var c = probabilities[i][predicted];
            var b = Math.Min((int)(c * buckets), buckets - 1);
            count[b]++;
            confidence[b] += c;
            if (predicted == actual[i]) correct[b]++;
        }
        return Enumerable.Range(0, buckets).Select(b => new CalibrationBucket(
            (double)b / buckets, (double)(b + 1) / buckets, count[b],
            count[b] > 0 ? confidence[b] / count[b] : double.NaN, count[b] > 0 ? correct[b] / count[b] : double.NaN)).ToArray();
    }

    /// <summary>Expected calibration error: Σ_b (n_b/n) |mean confidence − observed frequency|.</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<CalibrationBucket> buckets)
    {
        var total = buckets.Sum(b => b.Count);
        return total == 0 ? double.NaN : buckets.Where(b => b.Count > 0).Sum(b => (double)b.Count / total * Math.Abs(b.MeanConfidence - b.ObservedFrequency));
    }
}
