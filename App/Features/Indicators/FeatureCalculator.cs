namespace Signalbook.Features.Indicators;

/// <summary>Daily OHLCV bars as parallel arrays, oldest first.</summary>
public sealed record BarSeries(double[] Open, double[] High, double[] Low, double[] Close, double[] Volume)
{
    public int Length => Close.Length;
}

/// <summary>
/// The feature set of one series: the Boursomatic seed's columns, and the <c>additional</c> indicators.
/// Each array has one value per bar; NaN during warm-up.
/// </summary>
public sealed record FeatureColumns(
    double[] Ret1d, double[] Ret5d, double[] Ret20d, double[] Rsi14, double[] Momentum5d, double[] Vol20d, double[] Atr14,
    double[] VolumeZScore, IReadOnlyDictionary<string, double[]> Additional);

/// <summary>
/// Computes <see cref="FeatureColumns"/> from bars with the kernels. Definitions (feature version
/// <see cref="Version"/>):
/// ret_Nd = close_t / close_{t−N} − 1; rsi_14 Wilder; momentum_5d = close_t − close_{t−5};
/// vol_20d = sample standard deviation of the last 20 daily log returns × √252 (annualised);
/// atr_14 Wilder; volume_zscore = (volume_t − mean of the last 20 volumes) / their population
/// standard deviation; dist_52w_high = close_t / highest high of the last 252 bars − 1.
/// Every value at bar t depends on bars ≤ t only.
/// </summary>
public static class FeatureCalculator
{
    public const string Version = "f1";

    public static readonly IReadOnlyList<string> AdditionalNames =
    [
        "macd", "macd_signal", "macd_hist", "bb_percent_b", "bb_width", "ema_9", "ema_20", "ema_50", "sma_50", "sma_200",
        "adx_14", "obv", "stoch_k", "stoch_d", "cci_20", "mfi_14", "dist_52w_high",
    ];

    public static FeatureColumns Compute(BarSeries bars)
    {
        var (h, l, c, v) = (bars.High, bars.Low, bars.Close, bars.Volume);
        var macd = Kernels.Macd(c);
        var bb = Kernels.Bollinger(c);
        var stoch = Kernels.Stochastic(h, l, c);
        var additional = new Dictionary<string, double[]>
        {
            ["macd"] = macd.Macd,
            ["macd_signal"] = macd.Signal,
            ["macd_hist"] = macd.Histogram,
            ["bb_percent_b"] = bb.PercentB,
            ["bb_width"] = bb.Width,
            ["ema_9"] = Kernels.Ema(c, 9),
            ["ema_20"] = Kernels.Ema(c, 20),
            ["ema_50"] = Kernels.Ema(c, 50),
            ["sma_50"] = Kernels.Sma(c, 50),
            ["sma_200"] = Kernels.Sma(c, 200),
            ["adx_14"] = Kernels.Adx(h, l, c).Adx,
            ["obv"] = Kernels.Obv(c, v),
            ["stoch_k"] = stoch.K,
            ["stoch_d"] = stoch.D,
            ["cci_20"] = Kernels.Cci(h, l, c, 20),
            ["mfi_14"] = Kernels.Mfi(h, l, c, v, 14),
            ["dist_52w_high"] = DistanceFromHigh(h, c, 252),
        };
        return new FeatureColumns(
            Returns(c, 1), Returns(c, 5), Returns(c, 20), Kernels.Rsi(c, 14), Kernels.Roc(c, 5).Momentum,
            AnnualisedVolatility(c, 20), Kernels.Atr(h, l, c, 14).Atr, ZScore(v, 20), additional);
    }

    public static double[] Returns(ReadOnlySpan<double> close, int lag)
    {
        var result = Kernels.NaNs(close.Length);
        for (var i = lag; i < close.Length; i++) result[i] = close[i - lag] == 0 ? double.NaN : close[i] / close[i - lag] - 1;
        return result;
    }

    public static double[] AnnualisedVolatility(ReadOnlySpan<double> close, int period)
    {
        var result = Kernels.NaNs(close.Length);
        var logReturns = new double[close.Length];
        for (var i = 1; i < close.Length; i++) logReturns[i] = Math.Log(close[i] / close[i - 1]);
        for (var i = period; i < close.Length; i++)
        {
            var window = logReturns.AsSpan(i - period + 1, period);
            var mean = 0.0;
            foreach (var r in window) mean += r;
            mean /= period;
            var squares = 0.0;
            foreach (var r in window) squares += (r - mean) * (r - mean);
            result[i] = Math.Sqrt(squares / (period - 1)) * Math.Sqrt(252);
        }
        return result;
    }

    public static double[] ZScore(ReadOnlySpan<double> x, int period)
    {
        // One pass per window for the mean and one for the squares (population SD), as Kernels.StdDev does, without
        // the separate SMA and SD arrays. A NaN in the window makes the mean NaN, and then the result.
        var result = Kernels.NaNs(x.Length);
        for (var i = period - 1; i < x.Length; i++)
        {
            var window = x.Slice(i - period + 1, period);
            var sum = 0.0;
            foreach (var v in window) sum += v;
            var mean = sum / period;
            var squares = 0.0;
            foreach (var v in window) squares += (v - mean) * (v - mean);
            var sd = Math.Sqrt(squares / period);
            result[i] = sd > 0 ? (x[i] - mean) / sd : double.NaN;
        }
        return result;
    }

    public static double[] DistanceFromHigh(ReadOnlySpan<double> high, ReadOnlySpan<double> close, int period)
    {
        // The window's highest high through a monotonic queue of indexes (O(1) a bar): each index enters once and
        // leaves once; the front is always the window's maximum. Same values as scanning the window.
        var result = Kernels.NaNs(close.Length);
        if (period <= 0) return result;
        var queue = new int[Math.Min(period, close.Length) + 1];
        int head = 0, count = 0;
        for (var i = 0; i < close.Length; i++)
        {
            while (count > 0 && high[queue[(head + count - 1) % queue.Length]] <= high[i]) count--;
            queue[(head + count) % queue.Length] = i;
            count++;
            if (queue[head] <= i - period)
            {
                head = (head + 1) % queue.Length;
                count--;
            }
            if (i >= period - 1) result[i] = close[i] / Math.Max(double.MinValue, high[queue[head]]) - 1;
        }
        return result;
    }
}
