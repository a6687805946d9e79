using Signalbook.Features.Indicators;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Indicators;

/// <summary>
/// Every kernel against the published reference values of Stock.Indicators (Apache-2.0; the
/// project's shared data, 502 daily SPY bars): the same bars warm up (null there, NaN here) and
/// every other value agrees to within 1e-9.
/// </summary>
public sealed class KernelReferenceTests
{
    private const double Tolerance = 1e-9;
    private static readonly SharedData.Quotes Q = SharedData.SkenderQuotes();

    public static TheoryData<string, string> Cases => new()
    {
        { "sma", "sma" }, { "ema", "ema" }, { "rsi", "rsi" },
        { "macd", "macd" }, { "macd", "signal" }, { "macd", "histogram" }, { "macd", "fastEma" }, { "macd", "slowEma" },
        { "bb", "sma" }, { "bb", "upperBand" }, { "bb", "lowerBand" }, { "bb", "percentB" }, { "bb", "zScore" }, { "bb", "width" },
        { "tr", "tr" }, { "atr", "tr" }, { "atr", "atr" }, { "atr", "atrp" },
        { "stoch", "k" }, { "stoch", "d" }, { "stoch", "j" },
        { "adx", "pdi" }, { "adx", "mdi" }, { "adx", "dx" }, { "adx", "adx" }, { "adx", "adxr" },
        { "cci", "cci" }, { "mfi", "mfi" }, { "obv", "obv" },
        { "roc", "momentum" }, { "roc", "roc" }, { "stdev", "stdDev" }, { "willr", "williamsR" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernel_OnTheReferenceSeries_MatchesEveryPublishedValue(string indicator, string field)
    {
        var expected = SharedData.SkenderResult(indicator, field);
        var actual = Compute(indicator, field);
        Assert.Equal(Q.Close.Length, expected.Length);
        Assert.Equal(expected.Length, actual.Length);
        var mismatches = new List<string>();
        for (var i = 0; i < expected.Length; i++)
        {
            var ok = double.IsNaN(expected[i])
                ? double.IsNaN(actual[i])
                : !double.IsNaN(actual[i]) && Math.Abs(actual[i] - expected[i]) <= Tolerance;
            if (!ok) mismatches.Add($"bar {i} ({Q.Dates[i]:yyyy-MM-dd}): expected {expected[i]:R}, got {actual[i]:R}");
        }
        Assert.True(mismatches.Count == 0, $"{indicator}.{field}: {mismatches.Count} bars differ, first: {string.Join("; ", mismatches.Take(5))}");
        Assert.Contains(expected, v => !double.IsNaN(v)); // the comparison covered real values
    }

    private static double[] Compute(string indicator, string field) => (indicator, field) switch
    {
        ("sma", _) => Kernels.Sma(Q.Close, 20),
        ("ema", _) => Kernels.Ema(Q.Close, 20),
        ("rsi", _) => Kernels.Rsi(Q.Close, 14),
        ("macd", "macd") => Kernels.Macd(Q.Close).Macd,
        ("macd", "signal") => Kernels.Macd(Q.Close).Signal,
        ("macd", "histogram") => Kernels.Macd(Q.Close).Histogram,
        ("macd", "fastEma") => Kernels.Macd(Q.Close).FastEma,
        ("macd", "slowEma") => Kernels.Macd(Q.Close).SlowEma,
        ("bb", "sma") => Kernels.Bollinger(Q.Close).Sma,
        ("bb", "upperBand") => Kernels.Bollinger(Q.Close).Upper,
        ("bb", "lowerBand") => Kernels.Bollinger(Q.Close).Lower,
        ("bb", "percentB") => Kernels.Bollinger(Q.Close).PercentB,
        ("bb", "zScore") => Kernels.Bollinger(Q.Close).ZScore,
        ("bb", "width") => Kernels.Bollinger(Q.Close).Width,
        ("tr", _) or ("atr", "tr") => Kernels.TrueRange(Q.High, Q.Low, Q.Close),
        ("atr", "atr") => Kernels.Atr(Q.High, Q.Low, Q.Close).Atr,
        ("atr", "atrp") => Kernels.Atr(Q.High, Q.Low, Q.Close).AtrPercent,
        ("stoch", "k") => Kernels.Stochastic(Q.High, Q.Low, Q.Close).K,
        ("stoch", "d") => Kernels.Stochastic(Q.High, Q.Low, Q.Close).D,
        ("stoch", "j") => Kernels.Stochastic(Q.High, Q.Low, Q.Close).J,
        ("adx", "pdi") => Kernels.Adx(Q.High, Q.Low, Q.Close).Pdi,
        ("adx", "mdi") => Kernels.Adx(Q.High, Q.Low, Q.Close).Mdi,
        ("adx", "dx") => Kernels.Adx(Q.High, Q.Low, Q.Close).Dx,
        ("adx", "adx") => Kernels.Adx(Q.High, Q.Low, Q.Close).Adx,
        ("adx", "adxr") => Kernels.Adx(Q.High, Q.Low, Q.Close).Adxr,
        ("cci", _) => Kernels.Cci(Q.High, Q.Low, Q.Close, 20),
        ("mfi", _) => Kernels.Mfi(Q.High, Q.Low, Q.Close, Q.Volume, 14),
        ("obv", _) => Kernels.Obv(Q.Close, Q.Volume),
        ("roc", "momentum") => Kernels.Roc(Q.Close, 14).Momentum,
        ("roc", "roc") => Kernels.Roc(Q.Close, 14).Roc,
        ("stdev", _) => Kernels.StdDev(Q.Close, 14),
        ("willr", _) => Kernels.WilliamsR(Q.High, Q.Low, Q.Close, 14),
        _ => throw new ArgumentOutOfRangeException(indicator),
    };
}
