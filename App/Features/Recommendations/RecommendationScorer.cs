using System.Globalization;
using System.Text;
using Signalbook.Features.Indicators;
using Signalbook.Features.Models;

namespace Signalbook.Features.Recommendations;

/// <summary>An active classifier with what scoring needs beside it: calibrator, training medians and class mean returns.</summary>
public sealed record ScoringModel(
    SnapshotModel Descriptor, ITrainedModel Model, IReadOnlyList<string> FeatureNames, ProbabilityCalibrator? Calibrator,
    IReadOnlyDictionary<string, double> Medians, double[] ClassMeanReturn, int Horizon, double VolatilityMultiple);

/// <summary>An active return regressor; used for expected_return_pct when its horizon matches the classifier's.</summary>
public sealed record ScoringRegressor(SnapshotModel Descriptor, ITrainedModel Model, IReadOnlyList<string> FeatureNames, int Horizon);

/// <summary>One profile's recommendation, ready to store.</summary>
public sealed record ScoredRecommendation(string Profile, string Label, double Confidence, double ExpectedReturnPct, int HorizonDays,
    double? StopLoss, double? TakeProfit, string Justification, RecommendationSnapshot Snapshot);

/// <summary>
/// Turns one bar's features into a recommendation per risk profile. Pure: the caller supplies the model, the
/// instrument's feature history up to and including bar t (nothing after t is read) and the regime at t.
/// </summary>
public static class RecommendationScorer
{
    private const int DriverCount = 3;

    public static IReadOnlyList<ScoredRecommendation> Score(string symbol, InstrumentFeatures instrument, int t, ScoringModel model,
        ScoringRegressor? regressor, SnapshotRegime? regime, bool replay = false)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        ArgumentNullException.ThrowIfNull(model);
        if (t < 0 || t >= instrument.Close.Length) throw new ArgumentOutOfRangeException(nameof(t), $"Bar {t} is outside the {instrument.Close.Length} bars of {symbol}.");

        var x = Row(instrument, model.FeatureNames, t);
        var raw = model.Model.PredictProbabilities(new FeatureMatrix(x, 1, x.Length))[0];
        var calibrated = model.Calibrator?.Apply(raw) ?? raw;
        var close = instrument.Close[t];
        var atr = instrument.Columns.TryGetValue("atr_14", out var atrColumn) && double.IsFinite(atrColumn[t]) ? atrColumn[t] : (double?)null;
        var vol = instrument.Columns.TryGetValue("vol_20d", out var volColumn) ? volColumn[t] : double.NaN;
        var threshold = double.IsFinite(vol) ? model.VolatilityMultiple * vol * Math.Sqrt(model.Horizon / 252.0) : (double?)null;

        double expectedReturn;
        SnapshotModel? usedRegressor = null;
        if (regressor is not null && regressor.Horizon == model.Horizon)
        {
            var xr = Row(instrument, regressor.FeatureNames, t);
            expectedReturn = regressor.Model.PredictValues(new FeatureMatrix(xr, 1, xr.Length))[0];
            usedRegressor = regressor.Descriptor;
        }
        else
        {
            expectedReturn = Enumerable.Range(0, 3).Sum(k => calibrated[k] * (double.IsFinite(model.ClassMeanReturn[k]) ? model.ClassMeanReturn[k] : 0));
        }

        var features = model.FeatureNames.Select((n, j) => (n, j)).ToDictionary(p => p.n, p => double.IsFinite(x[p.j]) ? x[p.j] : (double?)null);
        var modelLabel = ModelTrainer.LabelNames[Metrics.ArgMax(calibrated)];
        var results = new List<ScoredRecommendation>(ProfileRules.All.Count);
        foreach (var rule in ProfileRules.All)
        {
            var (label, why) = Decide(rule, calibrated, expectedReturn, regime);
            var k = Array.IndexOf(ModelTrainer.LabelNames, label);
            var confidence = Math.Clamp(calibrated[k], 0, 1);
            var (stop, take, rr) = Levels(rule, label, close, atr, confidence);
            var drivers = Drivers(instrument, t, model, x, k, calibrated[k]);
            var snapshot = new RecommendationSnapshot
            {
                AsOf = instrument.Ts[t], Close = close, Atr14 = atr, HorizonDays = model.Horizon, LabelThreshold = threshold,
                FeatureVersion = FeatureCalculator.Version, Model = model.Descriptor, Regressor = usedRegressor,
                Probabilities = Named(calibrated), RawProbabilities = Named(raw), ModelLabel = modelLabel, Regime = regime,
                Features = features, Drivers = drivers,
                Rules = new SnapshotRules(rule.MinConfidence, rule.StopAtrMultiple, rule.MinStopPct, rule.MaxStopPct, rr, rule.AvoidedRegimes),
                Replay = replay,
            };
            var text = Justify(symbol, rule, label, why, calibrated, expectedReturn, model.Horizon, threshold, drivers, regime, close, stop, take, rr);
            results.Add(new ScoredRecommendation(rule.Profile, label, confidence, Math.Round(expectedReturn * 100, 4), model.Horizon, stop, take, text, snapshot));
        }
        return results;
    }

    /// <summary>Why a profile said what it said.</summary>
    public enum Reason
    {
        Directional,
        BelowThreshold,
        ReturnDisagrees,
        AvoidedRegime,
    }

    public static (string Label, Reason Why) Decide(ProfileRule rule, double[] p, double expectedReturn, SnapshotRegime? regime)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(p);
        var buy = p[(int)Verdict.Buy] >= p[(int)Verdict.Sell];
        var direction = buy ? Verdict.Buy : Verdict.Sell;
        if (regime is not null && rule.AvoidedRegimes.Contains(regime.Name)) return ("HOLD", Reason.AvoidedRegime);
        if (p[(int)direction] < rule.MinConfidence) return ("HOLD", Reason.BelowThreshold);
        if (buy ? expectedReturn <= 0 : expectedReturn >= 0) return ("HOLD", Reason.ReturnDisagrees);
        return (buy ? "BUY" : "SELL", Reason.Directional);
    }

    /// <summary>Stop-loss and take-profit prices for a BUY or SELL (none for HOLD), and the reward multiple used.</summary>
    public static (double? Stop, double? Take, double RiskReward) Levels(ProfileRule rule, string label, double entry, double? atr, double confidence)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var rr = confidence >= rule.StrongConfidence ? rule.StrongRiskReward : rule.RiskReward;
        if (label == "HOLD" || !(entry > 0)) return (null, null, rr);
        var distance = atr is { } a && a > 0 ? rule.StopAtrMultiple * a : rule.MaxStopPct * entry;
        distance = Math.Clamp(distance, rule.MinStopPct * entry, rule.MaxStopPct * entry);
        return label == "BUY"
            ? (Round(entry - distance), Round(entry + rr * distance), rr)
            // A short's target cannot go below zero: cap the reward at 95 % of the entry.
            : (Round(entry + distance), Round(Math.Max(entry - rr * distance, entry * 0.05)), rr);
    }

    /// <summary>
    /// The features that moved the chosen label's probability most: each is reset alone to its training median and the
    /// calibrated probability recomputed; effect = p(label) − p(label with the feature at its median).
    /// </summary>
    private static IReadOnlyList<SnapshotDriver> Drivers(InstrumentFeatures instrument, int t, ScoringModel model, double[] x, int label, double p)
    {
        var rows = new List<double[]>();
        var changed = new List<int>();
        for (var j = 0; j < x.Length; j++)
        {
            if (!model.Medians.TryGetValue(model.FeatureNames[j], out var median) || !double.IsFinite(median) || !double.IsFinite(x[j]) || x[j] == median) continue;
            var copy = (double[])x.Clone();
            copy[j] = median;
            rows.Add(copy);
            changed.Add(j);
        }
        if (rows.Count == 0) return [];
        var flat = rows.SelectMany(r => r).ToArray();
        var probabilities = model.Model.PredictProbabilities(new FeatureMatrix(flat, rows.Count, x.Length));
        var drivers = new List<SnapshotDriver>();
        for (var r = 0; r < rows.Count; r++)
        {
            var q = model.Calibrator?.Apply(probabilities[r]) ?? probabilities[r];
            var j = changed[r];
            drivers.Add(new SnapshotDriver(model.FeatureNames[j], x[j], Percentile(instrument, model.FeatureNames[j], t, x[j]), Math.Round(p - q[label], 6)));
        }
        return drivers.Where(d => Math.Abs(d.Effect) > 1e-9).OrderByDescending(d => Math.Abs(d.Effect)).ThenBy(d => d.Feature, StringComparer.Ordinal)
            .Take(DriverCount).ToList();
    }

    /// <summary>Percentile (0–100) of a value among the instrument's own values of the feature over bars 0..t (as the model sees them).</summary>
    public static double? Percentile(InstrumentFeatures instrument, string feature, int t, double value)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        if (!instrument.Columns.ContainsKey(feature) || !double.IsFinite(value)) return null;
        var (below, total) = (0, 0);
        for (var i = 0; i <= t; i++)
        {
            var v = DatasetBuilder.FeatureValue(instrument, feature, i, scaleFree: true);
            if (!double.IsFinite(v)) continue;
            total++;
            if (v <= value) below++;
        }
        return total == 0 ? null : Math.Round(100.0 * below / total, 1);
    }

    private static double[] Row(InstrumentFeatures instrument, IReadOnlyList<string> names, int t)
        => names.Select(n => DatasetBuilder.FeatureValue(instrument, n, t, scaleFree: true)).ToArray();

    private static Dictionary<string, double> Named(double[] p) => Enumerable.Range(0, 3).ToDictionary(k => ModelTrainer.LabelNames[k], k => Math.Round(p[k], 6));

    private static double Round(double price) => Math.Round(price, price >= 1 ? 2 : 4);

    private static string Justify(string symbol, ProfileRule rule, string label, Reason why, double[] p, double expectedReturn, int horizon, double? threshold,
        IReadOnlyList<SnapshotDriver> drivers, SnapshotRegime? regime, double entry, double? stop, double? take, double rr)
    {
        var c = CultureInfo.InvariantCulture;
        var move = threshold is { } th ? string.Create(c, $"{th:P1}") : "its threshold";
        var text = new StringBuilder();
        var buy = p[(int)Verdict.Buy];
        var sell = p[(int)Verdict.Sell];
        text.Append(c, $"{label} for the {rule.Profile} profile. ");
        switch (why)
        {
            case Reason.Directional:
                text.Append(label == "BUY"
                    ? string.Create(c, $"The model puts the chance that {symbol} rises more than {move} within {horizon} trading days at {buy:P0} (a probability checked against outcomes the model had not seen), ")
                    : string.Create(c, $"The model puts the chance that {symbol} falls more than {move} within {horizon} trading days at {sell:P0} (a probability checked against outcomes the model had not seen), "));
                text.Append(c, $"at or above this profile's {rule.MinConfidence:P0} bar; the expected return is {expectedReturn:+0.0%;-0.0%}. ");
                break;
            case Reason.BelowThreshold:
                text.Append(c, $"Neither direction reaches this profile's {rule.MinConfidence:P0} bar: a rise of more than {move} within {horizon} trading days {buy:P0}, a fall {sell:P0}. ");
                break;
            case Reason.ReturnDisagrees:
                text.Append(c, $"The likelier direction ({(buy >= sell ? "up" : "down")}, {Math.Max(buy, sell):P0}) disagrees with the expected return ({expectedReturn:+0.0%;-0.0%}), so no call is made. ");
                break;
            case Reason.AvoidedRegime:
                text.Append(c, $"{symbol} is in a {regime?.Name} regime, which this profile avoids; the model alone would say {ModelTrainer.LabelNames[Metrics.ArgMax(p)]}. ");
                break;
        }
        if (drivers.Count > 0)
        {
            text.Append("What moved it most: ");
            text.Append(string.Join("; ", drivers.Select(d =>
                string.Create(c, $"{FeatureText.Name(d.Feature)} at {FeatureText.Value(d.Feature, d.Value)}")
                + (d.Percentile is { } pct ? string.Create(c, $" ({FeatureText.Ordinal((int)Math.Round(pct))} percentile of its history)") : "")
                + (d.Effect >= 0 ? $" pushed towards {label}" : $" pulled away from {label}"))));
            text.Append(". ");
        }
        if (regime is not null && why != Reason.AvoidedRegime)
            text.Append(regime.Probability is { } rp ? string.Create(c, $"Regime: {regime.Name} ({rp:P0}). ") : $"Regime: {regime.Name}. ");
        if (stop is { } s && take is { } tp)
            text.Append(c, $"Stop-loss {s:0.00} ({Math.Abs(s / entry - 1):P1} from {entry:0.00}), take-profit {tp:0.00} at {rr:0.#}× the risk.");
        return text.ToString().TrimEnd();
    }
}

/// <summary>Plain-language names and value formats of the model's features.</summary>
public static class FeatureText
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["ret_1d"] = "1-day return", ["ret_5d"] = "5-day return", ["ret_20d"] = "20-day return", ["rsi_14"] = "RSI(14)",
        ["momentum_5d"] = "5-day momentum (share of price)", ["vol_20d"] = "20-day volatility (annualised)", ["atr_14"] = "ATR(14) as a share of price",
        ["volume_zscore"] = "volume z-score", ["macd"] = "MACD (share of price)", ["macd_signal"] = "MACD signal (share of price)",
        ["macd_hist"] = "MACD histogram (share of price)", ["bb_percent_b"] = "Bollinger %B", ["bb_width"] = "Bollinger band width",
        ["ema_9"] = "distance to EMA(9)", ["ema_20"] = "distance to EMA(20)", ["ema_50"] = "distance to EMA(50)", ["sma_50"] = "distance to SMA(50)",
        ["sma_200"] = "distance to SMA(200)", ["adx_14"] = "ADX(14)", ["stoch_k"] = "stochastic %K", ["stoch_d"] = "stochastic %D", ["cci_20"] = "CCI(20)",
        ["mfi_14"] = "MFI(14)", ["dist_52w_high"] = "distance to the 52-week high", ["state_id"] = "regime state",
    };

    private static readonly HashSet<string> Percentages =
    [
        "ret_1d", "ret_5d", "ret_20d", "momentum_5d", "vol_20d", "atr_14", "macd", "macd_signal", "macd_hist", "ema_9", "ema_20", "ema_50", "sma_50",
        "sma_200", "dist_52w_high",
    ];

    public static string Name(string feature) => Names.TryGetValue(feature, out var n) ? n : feature;

    /// <summary>Levels that cannot be negative (volatility, ATR) are shown without a sign.</summary>
    private static readonly HashSet<string> Unsigned = ["vol_20d", "atr_14"];

    public static string Value(string feature, double value) => Percentages.Contains(feature)
        ? value.ToString(Unsigned.Contains(feature) ? "0.0#%" : "+0.0#%;-0.0#%", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Ordinal(int n)
    {
        var suffix = (n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return n.ToString(CultureInfo.InvariantCulture) + suffix;
    }
}
