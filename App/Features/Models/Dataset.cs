using Signalbook.Features.Indicators;

namespace Signalbook.Features.Models;

/// <summary>Class indices of the verdict classifier.</summary>
public enum Verdict
{
    Sell = 0,
    Hold = 1,
    Buy = 2,
}

/// <summary>One bar's stored features: the columns of the <c>features</c> table, its <c>additional</c> keys and the regime state.</summary>
public sealed record FeatureSnapshot(
    DateTimeOffset Ts, double Close, double? Ret1d, double? Ret5d, double? Ret20d, double? Rsi14, double? Momentum5d, double? Vol20d,
    double? Atr14, double? VolumeZscore, IReadOnlyDictionary<string, double>? Additional = null, int? StateId = null);

/// <summary>
/// One instrument's time-ordered features as named columns (NaN = missing) and its closes, one value per bar.
/// Column names are those of the <c>features</c> table (ret_1d … volume_zscore), the <c>additional</c> keys
/// (<see cref="FeatureCalculator.AdditionalNames"/>) and <c>state_id</c>.
/// </summary>
public sealed record InstrumentFeatures(long InstrumentId, DateTimeOffset[] Ts, double[] Close, IReadOnlyDictionary<string, double[]> Columns)
{
    public static readonly IReadOnlyList<string> BaseNames =
        ["ret_1d", "ret_5d", "ret_20d", "rsi_14", "momentum_5d", "vol_20d", "atr_14", "volume_zscore"];

    public const string StateIdName = "state_id";

    public static InstrumentFeatures FromColumns(long instrumentId, DateTimeOffset[] ts, double[] close, FeatureColumns columns, int?[]? stateIds = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var map = new Dictionary<string, double[]>
        {
            ["ret_1d"] = columns.Ret1d, ["ret_5d"] = columns.Ret5d, ["ret_20d"] = columns.Ret20d, ["rsi_14"] = columns.Rsi14,
            ["momentum_5d"] = columns.Momentum5d, ["vol_20d"] = columns.Vol20d, ["atr_14"] = columns.Atr14,
            ["volume_zscore"] = columns.VolumeZScore,
        };
        foreach (var (name, values) in columns.Additional) map[name] = values;
        map[StateIdName] = stateIds is null ? Enumerable.Repeat(double.NaN, close.Length).ToArray() : stateIds.Select(s => s ?? double.NaN).ToArray();
        return new InstrumentFeatures(instrumentId, ts, close, map);
    }

    public static InstrumentFeatures FromRows(long instrumentId, IReadOnlyList<FeatureSnapshot> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var names = BaseNames.Concat(FeatureCalculator.AdditionalNames).Append(StateIdName).ToList();
        var map = names.ToDictionary(n => n, _ => new double[rows.Count]);
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            map["ret_1d"][i] = r.Ret1d ?? double.NaN;
            map["ret_5d"][i] = r.Ret5d ?? double.NaN;
            map["ret_20d"][i] = r.Ret20d ?? double.NaN;
            map["rsi_14"][i] = r.Rsi14 ?? double.NaN;
            map["momentum_5d"][i] = r.Momentum5d ?? double.NaN;
            map["vol_20d"][i] = r.Vol20d ?? double.NaN;
            map["atr_14"][i] = r.Atr14 ?? double.NaN;
            map["volume_zscore"][i] = r.VolumeZscore ?? double.NaN;
            foreach (var name in FeatureCalculator.AdditionalNames)
                map[name][i] = r.Additional is not null && r.Additional.TryGetValue(name, out var v) ? v : double.NaN;
            map[StateIdName][i] = r.StateId ?? double.NaN;
        }
        return new InstrumentFeatures(instrumentId, rows.Select(r => r.Ts).ToArray(), rows.Select(r => r.Close).ToArray(), map);
    }
}

public enum ThresholdMode
{
    /// <summary>BUY when r &gt; +threshold, SELL when r &lt; −threshold, with a fixed threshold (e.g. 0.02 = 2 %).</summary>
    Fixed,

    /// <summary>
    /// threshold = k × vol_20d(t) × √(H/252): k standard deviations of an H-day return at the volatility known at
    /// t (vol_20d is annualised). A row whose vol_20d is missing gets no label.
    /// </summary>
    Volatility,
}

/// <summary>What to do with rows whose features are missing (indicator warm-up).</summary>
public enum MissingPolicy
{
    /// <summary>Keep them with NaN: the GBDT routes missing values; linear models impute the training mean.</summary>
    Keep,

    /// <summary>Drop any row with a missing feature.</summary>
    DropRow,
}

public sealed record DatasetOptions
{
    /// <summary>Horizon H in bars (trading days): 5 or 20 in the product.</summary>
    public int Horizon { get; init; } = 5;
    public ThresholdMode ThresholdMode { get; init; } = ThresholdMode.Volatility;
    public double FixedThreshold { get; init; } = 0.02;
    public double VolatilityMultiple { get; init; } = 0.5;
    public MissingPolicy Missing { get; init; } = MissingPolicy.Keep;

    /// <summary>Features to use, in order; null takes <see cref="DatasetBuilder.DefaultFeatures"/>.</summary>
    public IReadOnlyList<string>? Features { get; init; }

    /// <summary>
    /// Turn price-level columns into scale-free ones so that one model fits every instrument: ema_*/sma_* become
    /// value/close − 1, atr_14, momentum_5d and macd* are divided by the close; all at the same bar t.
    /// </summary>
    public bool ScaleFree { get; init; } = true;
}

/// <summary>
/// Labelled rows from many instruments, sorted by time then instrument. Row i: features known at <see cref="Ts"/>[i]
/// (bars ≤ t only), the forward return r = close[t+H]/close[t] − 1 over the next H bars (bars after t only), the
/// verdict label from r, and <see cref="LabelEnd"/>[i] = the time of bar t+H, which purging needs.
/// </summary>
public sealed class Dataset
{
    public required IReadOnlyList<string> FeatureNames { get; init; }
    public required FeatureMatrix X { get; init; }
    public required long[] InstrumentIds { get; init; }
    public required DateTimeOffset[] Ts { get; init; }
    /// <summary>Time of bar t+H; <see cref="DateTimeOffset.MaxValue"/> for an unlabelled row.</summary>
    public required DateTimeOffset[] LabelEnd { get; init; }
    /// <summary>r = close[t+H]/close[t] − 1; NaN for an unlabelled row.</summary>
    public required double[] ForwardReturn { get; init; }
    /// <summary>Verdict class index (0 SELL, 1 HOLD, 2 BUY); −1 for an unlabelled row.</summary>
    public required int[] Label { get; init; }
    /// <summary>The return threshold that separated BUY / HOLD / SELL for this row.</summary>
    public required double[] Threshold { get; init; }
    public required int Horizon { get; init; }

    public int Count => Ts.Length;

    public Dataset Subset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return new Dataset
        {
            FeatureNames = FeatureNames, X = X.Select(rows), InstrumentIds = rows.Select(i => InstrumentIds[i]).ToArray(),
            Ts = rows.Select(i => Ts[i]).ToArray(), LabelEnd = rows.Select(i => LabelEnd[i]).ToArray(),
            ForwardReturn = rows.Select(i => ForwardReturn[i]).ToArray(), Label = rows.Select(i => Label[i]).ToArray(),
            Threshold = rows.Select(i => Threshold[i]).ToArray(), Horizon = Horizon,
        };
    }

    public TrainingSet Verdicts() => TrainingSet.Classification(X, Label, 3);

    /// <summary>Binary target: 1 when the forward return is positive.</summary>
    public TrainingSet UpDown() => TrainingSet.Classification(X, ForwardReturn.Select(r => r > 0 ? 1 : 0).ToArray(), 2);

    public TrainingSet Returns() => TrainingSet.Regression(X, ForwardReturn);
}

/// <summary>Builds <see cref="Dataset"/>s from per-instrument feature columns. Pure: no I/O, no clock.</summary>
public static class DatasetBuilder
{
    /// <summary>The seed's columns and the additional indicators except obv (a cumulative level with no common scale).</summary>
    public static readonly IReadOnlyList<string> DefaultFeatures =
        [.. InstrumentFeatures.BaseNames, .. FeatureCalculator.AdditionalNames.Where(n => n != "obv"), InstrumentFeatures.StateIdName];

    private static readonly HashSet<string> RelativeToClose = ["ema_9", "ema_20", "ema_50", "sma_50", "sma_200"];
    private static readonly HashSet<string> DividedByClose = ["atr_14", "momentum_5d", "macd", "macd_signal", "macd_hist"];

    /// <summary>Labelled rows: every bar t with a bar t+H in the data (and a threshold, in volatility mode).</summary>
    public static Dataset Build(IEnumerable<InstrumentFeatures> instruments, DatasetOptions options) =>
        BuildCore(instruments, options, labelled: true);

    /// <summary>The rows whose horizon runs past the data (the last H bars of each instrument), for scoring; unlabelled.</summary>
    public static Dataset BuildUnlabelled(IEnumerable<InstrumentFeatures> instruments, DatasetOptions options) =>
        BuildCore(instruments, options, labelled: false);

    /// <summary>Feature values of one bar as the model sees them (after the scale-free transform).</summary>
    public static double FeatureValue(InstrumentFeatures instrument, string name, int t, bool scaleFree)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        if (!instrument.Columns.TryGetValue(name, out var column)) throw new ArgumentException($"Instrument {instrument.InstrumentId} has no feature '{name}'.");
        var v = column[t];
        if (!scaleFree) return v;
        var close = instrument.Close[t];
        if (RelativeToClose.Contains(name)) return close > 0 ? v / close - 1 : double.NaN;
        if (DividedByClose.Contains(name)) return close > 0 ? v / close : double.NaN;
        return v;
    }

    private static Dataset BuildCore(IEnumerable<InstrumentFeatures> instruments, DatasetOptions options, bool labelled)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Horizon < 1) throw new ArgumentOutOfRangeException(nameof(options), "The horizon is at least one bar.");
        var names = options.Features ?? DefaultFeatures;
        var h = options.Horizon;
        var rows = new List<(DateTimeOffset Ts, long Id, double[] X, DateTimeOffset End, double R, int Label, double Threshold)>();
        foreach (var instrument in instruments)
        {
            var n = instrument.Close.Length;
            if (instrument.Ts.Length != n) throw new ArgumentException($"Instrument {instrument.InstrumentId}: {instrument.Ts.Length} times but {n} closes.");
            foreach (var name in names)
            {
                if (!instrument.Columns.TryGetValue(name, out var column)) throw new ArgumentException($"Instrument {instrument.InstrumentId} has no feature '{name}'.");
                if (column.Length != n) throw new ArgumentException($"Instrument {instrument.InstrumentId}: feature '{name}' has {column.Length} values, expected {n}.");
            }
            for (var t = 1; t < n; t++)
                if (instrument.Ts[t] <= instrument.Ts[t - 1]) throw new ArgumentException($"Instrument {instrument.InstrumentId}: bars are not in time order at {t}.");

            var vol = instrument.Columns.TryGetValue("vol_20d", out var v20) ? v20 : null;
            var (from, to) = labelled ? (0, n - h) : (Math.Max(0, n - h), n);
            for (var t = from; t < to; t++)
            {
                var x = new double[names.Count];
                var complete = true;
                for (var j = 0; j < names.Count; j++)
                {
                    x[j] = FeatureValue(instrument, names[j], t, options.ScaleFree);
                    if (double.IsNaN(x[j])) complete = false;
                }
                if (!complete && options.Missing == MissingPolicy.DropRow) continue;
                if (!labelled)
                {
                    rows.Add((instrument.Ts[t], instrument.InstrumentId, x, DateTimeOffset.MaxValue, double.NaN, -1, double.NaN));
                    continue;
                }
                // The label uses closes at t and t+H only: nothing between is needed, nothing after t+H is read.
                var c0 = instrument.Close[t];
                var cH = instrument.Close[t + h];
                if (!(c0 > 0) || !(cH > 0)) continue;
                var r = cH / c0 - 1;
                var threshold = options.ThresholdMode == ThresholdMode.Fixed
                    ? options.FixedThreshold
                    : options.VolatilityMultiple * (vol is null ? double.NaN : vol[t]) * Math.Sqrt(h / 252.0);
                if (!double.IsFinite(threshold)) continue;
                rows.Add((instrument.Ts[t], instrument.InstrumentId, x, instrument.Ts[t + h], r, Label(r, threshold), threshold));
            }
        }
        rows.Sort((a, b) => a.Ts != b.Ts ? a.Ts.CompareTo(b.Ts) : a.Id.CompareTo(b.Id));
        var values = new double[rows.Count * names.Count];
        for (var i = 0; i < rows.Count; i++) rows[i].X.CopyTo(values, i * names.Count);
        return new Dataset
        {
            FeatureNames = [.. names], X = new FeatureMatrix(values, rows.Count, names.Count), InstrumentIds = rows.Select(r => r.Id).ToArray(),
            Ts = rows.Select(r => r.Ts).ToArray(), LabelEnd = rows.Select(r => r.End).ToArray(), ForwardReturn = rows.Select(r => r.R).ToArray(),
            Label = rows.Select(r => r.Label).ToArray(), Threshold = rows.Select(r => r.Threshold).ToArray(), Horizon = h,
        };
    }

    /// <summary>BUY when r &gt; threshold, SELL when r &lt; −threshold, HOLD otherwise (the boundary itself is HOLD).</summary>
    public static int Label(double r, double threshold) =>
        r > threshold ? (int)Verdict.Buy : r < -threshold ? (int)Verdict.Sell : (int)Verdict.Hold;
}
