namespace Signalbook.Features.Indicators;

/// <summary>
/// Technical indicators as plain kernels over arrays: no I/O, no allocation beyond the result.
/// Every output has one value per input bar; bars inside the warm-up are <see cref="double.NaN"/>.
/// Each value at bar t uses only bars 0..t, so appending later bars never changes an earlier value.
/// Conventions (seeding, Wilder smoothing, population standard deviation) follow the published
/// reference values of Stock.Indicators, which the tests compare against to 1e-9.
/// </summary>
public static class Kernels
{
    public static double[] NaNs(int length)
    {
        var result = new double[length];
        Array.Fill(result, double.NaN);
        return result;
    }

    /// <summary>Simple moving average; first value at bar period-1.</summary>
    public static double[] Sma(ReadOnlySpan<double> x, int period) => SmaFrom(x, period, 0);

    /// <summary>Exponential moving average (k = 2/(n+1)) seeded with the SMA of the first n values.</summary>
    public static double[] Ema(ReadOnlySpan<double> x, int period) => Ema(x, period, 0);

    /// <summary>EMA of a series whose first <paramref name="start"/> values are warm-up (NaN) and ignored.</summary>
    public static double[] Ema(ReadOnlySpan<double> x, int period, int start)
    {
        var result = NaNs(x.Length);
        var k = 2.0 / (period + 1);
        var seedAt = start + period - 1;
        if (seedAt >= x.Length) return result;
        var seed = 0.0;
        for (var i = start; i <= seedAt; i++) seed += x[i];
        var ema = seed / period;
        result[seedAt] = ema;
        for (var i = seedAt + 1; i < x.Length; i++)
        {
            ema += k * (x[i] - ema);
            result[i] = ema;
        }
        return result;
    }

    /// <summary>Relative Strength Index with Wilder's smoothing; first value at bar n.</summary>
    public static double[] Rsi(ReadOnlySpan<double> close, int period = 14)
    {
        var result = NaNs(close.Length);
        double avgGain = 0, avgLoss = 0;
        for (var i = 1; i < close.Length; i++)
        {
            var change = close[i] - close[i - 1];
            var gain = change > 0 ? change : 0;
            var loss = change < 0 ? -change : 0;
            if (i <= period)
            {
                avgGain += gain;
                avgLoss += loss;
                if (i < period) continue;
                avgGain /= period;
                avgLoss /= period;
            }
            else
            {
                avgGain = (avgGain * (period - 1) + gain) / period;
                avgLoss = (avgLoss * (period - 1) + loss) / period;
            }
            result[i] = avgLoss > 0 ? 100 - 100 / (1 + avgGain / avgLoss) : 100;
        }
        return result;
    }

    public readonly record struct MacdResult(double[] Macd, double[] Signal, double[] Histogram, double[] FastEma, double[] SlowEma);

    /// <summary>MACD: EMA(fast) − EMA(slow), its EMA signal (seeded on the first valid MACD values), and the histogram.</summary>
    public static MacdResult Macd(ReadOnlySpan<double> close, int fast = 12, int slow = 26, int signal = 9)
    {
        var fastEma = Ema(close, fast);
        var slowEma = Ema(close, slow);
        var macd = NaNs(close.Length);
        for (var i = slow - 1; i < close.Length; i++) macd[i] = fastEma[i] - slowEma[i];
        var signalLine = Ema(macd, signal, slow - 1);
        var histogram = NaNs(close.Length);
        for (var i = 0; i < close.Length; i++) histogram[i] = macd[i] - signalLine[i];
        return new MacdResult(macd, signalLine, histogram, fastEma, slowEma);
    }

    public readonly record struct BollingerResult(double[] Sma, double[] Upper, double[] Lower, double[] PercentB, double[] ZScore, double[] Width);

    /// <summary>Bollinger bands: SMA ± k population standard deviations, %B, z-score and width ((upper − lower)/SMA).</summary>
    public static BollingerResult Bollinger(ReadOnlySpan<double> close, int period = 20, double k = 2)
    {
        var n = close.Length;
        var (sma, upper, lower, percentB, z, width) = (NaNs(n), NaNs(n), NaNs(n), NaNs(n), NaNs(n), NaNs(n));
        for (var i = period - 1; i < n; i++)
        {
            var window = Window(close, i, period);
            var mean = window.Sum() / period;
            var sd = PopulationStdDev(window, mean);
            sma[i] = mean;
            upper[i] = mean + k * sd;
            lower[i] = mean - k * sd;
            percentB[i] = upper[i] - lower[i] == 0 ? double.NaN : (close[i] - lower[i]) / (upper[i] - lower[i]);
            z[i] = sd == 0 ? double.NaN : (close[i] - mean) / sd;
            width[i] = mean == 0 ? double.NaN : (upper[i] - lower[i]) / mean;
        }
        return new BollingerResult(sma, upper, lower, percentB, z, width);
    }

    /// <summary>True range; the first bar has none (no previous close).</summary>
    public static double[] TrueRange(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close)
    {
        var result = NaNs(close.Length);
        for (var i = 1; i < close.Length; i++) result[i] = TrueRangeAt(high, low, close, i);
        return result;
    }

    public readonly record struct AtrResult(double[] Tr, double[] Atr, double[] AtrPercent);

    /// <summary>Average true range with Wilder's smoothing, seeded with the mean of the first n true ranges; first value at bar n.</summary>
    public static AtrResult Atr(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, int period = 14)
    {
        var tr = TrueRange(high, low, close);
        var atr = NaNs(close.Length);
        var atrp = NaNs(close.Length);
        var value = 0.0;
        for (var i = 1; i < close.Length; i++)
        {
            if (i <= period)
            {
                value += tr[i];
                if (i < period) continue;
                value /= period;
            }
            else
            {
                value = (value * (period - 1) + tr[i]) / period;
            }
            atr[i] = value;
            atrp[i] = close[i] == 0 ? double.NaN : value / close[i] * 100;
        }
        return new AtrResult(tr, atr, atrp);
    }

    public readonly record struct StochasticResult(double[] K, double[] D, double[] J);

    /// <summary>Slow stochastic: raw %K over the lookback, smoothed by an SMA, %D its SMA, and %J = 3K − 2D.</summary>
    public static StochasticResult Stochastic(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close,
        int lookback = 14, int signal = 3, int smooth = 3)
    {
        var n = close.Length;
        var raw = NaNs(n);
        for (var i = lookback - 1; i < n; i++)
        {
            var hh = Window(high, i, lookback).Max();
            var ll = Window(low, i, lookback).Min();
            raw[i] = hh - ll == 0 ? 0 : 100 * (close[i] - ll) / (hh - ll);
        }
        var k = SmaFrom(raw, smooth, lookback - 1);
        var d = SmaFrom(k, signal, lookback - 1 + smooth - 1);
        var j = NaNs(n);
        for (var i = 0; i < n; i++) j[i] = 3 * k[i] - 2 * d[i];
        return new StochasticResult(k, d, j);
    }

    public readonly record struct AdxResult(double[] Pdi, double[] Mdi, double[] Dx, double[] Adx, double[] Adxr);

    /// <summary>Wilder's directional movement: +DI, −DI, DX, ADX (first at bar 2n−1) and ADXR.</summary>
    public static AdxResult Adx(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, int period = 14)
    {
        var n = close.Length;
        var (pdi, mdi, dx, adx, adxr) = (NaNs(n), NaNs(n), NaNs(n), NaNs(n), NaNs(n));
        double trSum = 0, pdmSum = 0, mdmSum = 0, dxSum = 0, adxValue = 0;
        for (var i = 1; i < n; i++)
        {
            var tr = TrueRangeAt(high, low, close, i);
            var up = high[i] - high[i - 1];
            var down = low[i - 1] - low[i];
            var pdm = up > down && up > 0 ? up : 0;
            var mdm = down > up && down > 0 ? down : 0;
            if (i <= period)
            {
                trSum += tr;
                pdmSum += pdm;
                mdmSum += mdm;
                if (i < period) continue;
            }
            else
            {
                trSum = trSum - trSum / period + tr;
                pdmSum = pdmSum - pdmSum / period + pdm;
                mdmSum = mdmSum - mdmSum / period + mdm;
            }
            if (trSum == 0) continue;
            pdi[i] = 100 * pdmSum / trSum;
            mdi[i] = 100 * mdmSum / trSum;
            var sum = pdi[i] + mdi[i];
            dx[i] = sum == 0 ? 0 : 100 * Math.Abs(pdi[i] - mdi[i]) / sum;

            if (i < 2 * period - 1)
            {
                dxSum += dx[i];
                continue;
            }
            if (i == 2 * period - 1)
            {
                adxValue = (dxSum + dx[i]) / period;
            }
            else
            {
                adxValue = (adxValue * (period - 1) + dx[i]) / period;
            }
            adx[i] = adxValue;
            if (i >= 3 * period - 1) adxr[i] = (adx[i] + adx[i - period]) / 2;
        }
        return new AdxResult(pdi, mdi, dx, adx, adxr);
    }

    /// <summary>Commodity Channel Index on the typical price, with the mean absolute deviation; first value at bar n−1.</summary>
    public static double[] Cci(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, int period = 20)
    {
        var n = close.Length;
        var tp = new double[n];
        for (var i = 0; i < n; i++) tp[i] = (high[i] + low[i] + close[i]) / 3;
        var result = NaNs(n);
        for (var i = period - 1; i < n; i++)
        {
            var window = Window(tp, i, period);
            var mean = window.Sum() / period;
            var deviation = 0.0;
            foreach (var v in window) deviation += Math.Abs(v - mean);
            deviation /= period;
            result[i] = deviation == 0 ? double.NaN : (tp[i] - mean) / (0.015 * deviation);
        }
        return result;
    }

    /// <summary>Money Flow Index on the typical price times volume; first value at bar n.</summary>
    public static double[] Mfi(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, ReadOnlySpan<double> volume, int period = 14)
    {
        var n = close.Length;
        var positive = new double[n];
        var negative = new double[n];
        var result = NaNs(n);
        var previousTp = (high[0] + low[0] + close[0]) / 3;
        for (var i = 1; i < n; i++)
        {
            var tp = (high[i] + low[i] + close[i]) / 3;
            var flow = tp * volume[i];
            if (tp > previousTp) positive[i] = flow;
            else if (tp < previousTp) negative[i] = flow;
            previousTp = tp;
            if (i < period) continue;
            double pos = 0, neg = 0;
            for (var j = i - period + 1; j <= i; j++)
            {
                pos += positive[j];
                neg += negative[j];
            }
            result[i] = neg == 0 ? 100 : 100 - 100 / (1 + pos / neg);
        }
        return result;
    }

    /// <summary>On-balance volume, starting at 0 on the first bar.</summary>
    public static double[] Obv(ReadOnlySpan<double> close, ReadOnlySpan<double> volume)
    {
        var result = new double[close.Length];
        var obv = 0.0;
        for (var i = 1; i < close.Length; i++)
        {
            if (close[i] > close[i - 1]) obv += volume[i];
            else if (close[i] < close[i - 1]) obv -= volume[i];
            result[i] = obv;
        }
        return result;
    }

    public readonly record struct RocResult(double[] Momentum, double[] Roc);

    /// <summary>Momentum (close − close n bars ago) and rate of change in percent.</summary>
    public static RocResult Roc(ReadOnlySpan<double> close, int period = 14)
    {
        var (momentum, roc) = (NaNs(close.Length), NaNs(close.Length));
        for (var i = period; i < close.Length; i++)
        {
            momentum[i] = close[i] - close[i - period];
            roc[i] = close[i - period] == 0 ? double.NaN : 100 * momentum[i] / close[i - period];
        }
        return new RocResult(momentum, roc);
    }

    /// <summary>Rolling population standard deviation; first value at bar n−1.</summary>
    public static double[] StdDev(ReadOnlySpan<double> x, int period)
    {
        var result = NaNs(x.Length);
        for (var i = period - 1; i < x.Length; i++)
        {
            var window = Window(x, i, period);
            if (HasNaN(window)) continue;
            result[i] = PopulationStdDev(window, window.Sum() / period);
        }
        return result;
    }

    /// <summary>Williams %R over the lookback: −100 × (highest high − close)/(highest high − lowest low).</summary>
    public static double[] WilliamsR(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, int period = 14)
    {
        var result = NaNs(close.Length);
        for (var i = period - 1; i < close.Length; i++)
        {
            var hh = Window(high, i, period).Max();
            var ll = Window(low, i, period).Min();
            result[i] = hh - ll == 0 ? 0 : -100 * (hh - close[i]) / (hh - ll);
        }
        return result;
    }

    /// <summary>The SMA of a series whose first <paramref name="start"/> values are warm-up.</summary>
    /// <remarks>
    /// A running sum (add the new value, drop the oldest): O(1) a bar instead of O(period). A window holding a NaN
    /// gives NaN, as a plain sum would; the sum is rebuilt from the window after any NaN leaves it, so one NaN
    /// does not poison the rest of the series.
    /// </remarks>
    private static double[] SmaFrom(ReadOnlySpan<double> x, int period, int start)
    {
        var result = NaNs(x.Length);
        var first = start + period - 1;
        if (first >= x.Length) return result;
        var sum = 0.0;
        var nans = 0;
        for (var i = start; i < first; i++)
        {
            if (double.IsNaN(x[i])) nans++; else sum += x[i];
        }
        for (var i = first; i < x.Length; i++)
        {
            if (double.IsNaN(x[i])) nans++; else sum += x[i];
            result[i] = nans > 0 ? double.NaN : sum / period;
            var leaving = x[i - period + 1];
            if (double.IsNaN(leaving))
            {
                nans--;
                if (nans == 0)
                {
                    sum = 0; // rebuild from the values that stay
                    for (var j = i - period + 2; j <= i; j++) sum += x[j];
                }
            }
            else sum -= leaving;
        }
        return result;
    }

    private static double TrueRangeAt(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, int i)
        => Math.Max(high[i] - low[i], Math.Max(Math.Abs(high[i] - close[i - 1]), Math.Abs(low[i] - close[i - 1])));

    /// <summary>The <paramref name="period"/> values ending at bar <paramref name="end"/>.</summary>
    private static ReadOnlySpan<double> Window(ReadOnlySpan<double> x, int end, int period) => x.Slice(end - period + 1, period);

    private static double Sum(this ReadOnlySpan<double> values)
    {
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return sum;
    }

    // Math.Max/Min compile to branch-free instructions; bars never hold NaN (the importer and the database refuse it).
    private static double Max(this ReadOnlySpan<double> values)
    {
        var max = double.MinValue;
        foreach (var v in values) max = Math.Max(max, v);
        return max;
    }

    private static double Min(this ReadOnlySpan<double> values)
    {
        var min = double.MaxValue;
        foreach (var v in values) min = Math.Min(min, v);
        return min;
    }

    private static bool HasNaN(ReadOnlySpan<double> values)
    {
        foreach (var v in values) if (double.IsNaN(v)) return true;
        return false;
    }

    private static double PopulationStdDev(ReadOnlySpan<double> window, double mean)
    {
        var squares = 0.0;
        foreach (var v in window) squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / window.Length);
    }
}
