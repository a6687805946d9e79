using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// Instruments whose next-day return leans on a planted signal the model can see as rsi_14 (50 + 10 s_t):
/// close_{t+1} = close_t · exp(drift · s_t + 0.01 ε). Every other feature is noise; vol_20d is a constant 20 %
/// and atr_14 is 2 % of the close. Business days from 2020-01-01.
/// </summary>
internal static class SyntheticMarket
{
    public static IReadOnlyList<InstrumentFeatures> Build(int instruments, int bars, int seed, double drift = 0.015)
    {
        var rng = new Random(seed);
        var start = new DateTimeOffset(2020, 1, 1, 21, 0, 0, TimeSpan.Zero);
        var ts = new List<DateTimeOffset>();
        for (var d = start; ts.Count < bars; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) ts.Add(d);
        }
        var result = new List<InstrumentFeatures>();
        for (var id = 1; id <= instruments; id++)
        {
            var close = new double[bars];
            var signal = new double[bars];
            var price = 50.0 + 10 * id;
            for (var t = 0; t < bars; t++)
            {
                close[t] = price;
                signal[t] = Gaussian(rng);
                price *= Math.Exp(drift * signal[t] + 0.01 * Gaussian(rng));
            }
            var columns = DatasetBuilder.DefaultFeatures.Append("obv").Distinct().ToDictionary(n => n, _ => Enumerable.Range(0, bars).Select(_ => Gaussian(rng)).ToArray());
            columns["rsi_14"] = signal.Select(s => 50 + 10 * s).ToArray();
            columns["vol_20d"] = Enumerable.Repeat(0.2, bars).ToArray();
            columns["atr_14"] = close.Select(c => 0.02 * c).ToArray();
            columns["ret_20d"] = close.Select((c, t) => t >= 20 ? c / close[t - 20] - 1 : double.NaN).ToArray();
            columns[InstrumentFeatures.StateIdName] = Enumerable.Range(0, bars).Select(t => (double)(t / 50 % 3)).ToArray();
            foreach (var level in new[] { "ema_9", "ema_20", "ema_50", "sma_50", "sma_200" })
                columns[level] = close.Select(c => c * (1 + 0.01 * Gaussian(rng))).ToArray();
            result.Add(new InstrumentFeatures(id, [.. ts], close, columns));
        }
        return result;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
