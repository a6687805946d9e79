using System.Globalization;
using Signalbook.Features.Portfolios.Strategies;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

/// <summary>Hand-built and real daily bars for the strategy tests.</summary>
internal static class Bars
{
    public static readonly DateOnly Start = new(2024, 1, 1); // a Monday

    /// <summary>Weekdays from <see cref="Start"/>.</summary>
    public static DateOnly[] Weekdays(int count, DateOnly? from = null)
    {
        var dates = new DateOnly[count];
        var d = from ?? Start;
        for (var i = 0; i < count; i++)
        {
            while (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) d = d.AddDays(1);
            dates[i] = d;
            d = d.AddDays(1);
        }
        return dates;
    }

    /// <summary>
    /// Bars from closes: open = the prior close (no gaps), high/low = close ± <paramref name="halfRangePct"/>% of the
    /// close (a 3% daily range by default, so the chart quality filter passes), the same volume every day.
    /// </summary>
    public static DailyBars FromCloses(double[] close, double halfRangePct = 1.5, double volume = 1_000_000, DateOnly[]? dates = null)
    {
        var n = close.Length;
        var open = new double[n];
        for (var i = 0; i < n; i++) open[i] = i == 0 ? close[0] : close[i - 1];
        return new DailyBars(dates ?? Weekdays(n), open,
            close.Select(c => c * (1 + halfRangePct / 100)).ToArray(), close.Select(c => c * (1 - halfRangePct / 100)).ToArray(),
            (double[])close.Clone(), Enumerable.Repeat(volume, n).ToArray());
    }

    /// <summary>Closes from a start and daily changes.</summary>
    public static double[] Path(double start, params double[] changes)
    {
        var result = new double[changes.Length + 1];
        result[0] = start;
        for (var i = 0; i < changes.Length; i++) result[i + 1] = result[i] + changes[i];
        return result;
    }

    public static double[] Repeat(double value, int count) => Enumerable.Repeat(value, count).ToArray();

    /// <summary>The first <paramref name="count"/> bars.</summary>
    public static DailyBars Take(DailyBars b, int count) =>
        new(b.Dates[..count], b.Open[..count], b.High[..count], b.Low[..count], b.Close[..count], b.Volume[..count]);

    /// <summary>StockNet daily bars (Yahoo columns Date,Open,High,Low,Close,Adj Close,Volume); "null" rows are dropped.</summary>
    public static DailyBars Stocknet(string symbol)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(symbol, out var cached)) return cached;
            var path = Path(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017", symbol + ".csv");
            var rows = File.ReadLines(path).Skip(1).Select(l => l.Split(','))
                .Where(f => f.Length >= 7 && !f.Skip(1).Any(v => v == "null")).ToList();
            double P(string s) => double.Parse(s, CultureInfo.InvariantCulture);
            var bars = new DailyBars(
                rows.Select(f => DateOnly.ParseExact(f[0], "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(f => P(f[1])).ToArray(), rows.Select(f => P(f[2])).ToArray(), rows.Select(f => P(f[3])).ToArray(),
                rows.Select(f => P(f[4])).ToArray(), rows.Select(f => P(f[6])).ToArray());
            Cache[symbol] = bars;
            return bars;
        }
    }

    private static string Path(params string[] parts) => System.IO.Path.Combine(parts);

    private static readonly Dictionary<string, DailyBars> Cache = [];

    /// <summary>Filters that let every hand-built entry through (their series are shorter than the chart lookback).</summary>
    public static EntryFilterConfig NoFilters { get; } = new() { ChartQualityEnabled = false, MinAbsoluteAvgVolume = 0 };
}

/// <summary>Plain re-implementations of the indicators for the real-data tests, independent of Kernels.</summary>
internal static class Reference
{
    /// <summary>Wilder's RSI at bar t: simple averages over changes 1..n, then (prev × (n − 1) + x) / n.</summary>
    public static double Rsi(double[] close, int n, int t)
    {
        if (t < n) return double.NaN;
        double gain = 0, loss = 0;
        for (var i = 1; i <= n; i++)
        {
            gain += Math.Max(close[i] - close[i - 1], 0);
            loss += Math.Max(close[i - 1] - close[i], 0);
        }
        gain /= n;
        loss /= n;
        for (var i = n + 1; i <= t; i++)
        {
            gain = (gain * (n - 1) + Math.Max(close[i] - close[i - 1], 0)) / n;
            loss = (loss * (n - 1) + Math.Max(close[i - 1] - close[i], 0)) / n;
        }
        return loss == 0 ? 100 : 100 * gain / (gain + loss);
    }

    /// <summary>EMA at bar t, seeded with the mean of the first n closes.</summary>
    public static double Ema(double[] x, int n, int t)
    {
        if (t < n - 1) return double.NaN;
        var ema = x.Take(n).Average();
        for (var i = n; i <= t; i++) ema = ema * (1 - 2.0 / (n + 1)) + x[i] * (2.0 / (n + 1));
        return ema;
    }

    public static double Sma(double[] x, int n, int t) => t < n - 1 ? double.NaN : x.Skip(t - n + 1).Take(n).Average();
}
