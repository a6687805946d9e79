using System.Globalization;
using System.Text.Json;

namespace Signalbook.Features.Models;

/// <summary>One point of a reliability diagram: predicted confidence against the observed frequency.</summary>
public sealed record CalibrationPoint(double MeanConfidence, double Observed, int Count);

/// <summary>
/// A registered model version as the Admin → Models page shows it: its identity, provenance and the
/// walk-forward metrics of the model and both baselines, read from ml_models.metrics (numbers may be missing).
/// </summary>
public sealed record ModelVersionView(
    long Id, string ModelType, string Version, string Algorithm, string ParamsHash, string FeatureVersion, bool IsActive, DateTimeOffset CreatedAt,
    long? TrainingJobId, int? Horizon, int? Rows, int? OosRows, DateTimeOffset? DataFrom, DateTimeOffset? DataTo, double? Rmse, double? EceCalibrated,
    IReadOnlyDictionary<string, double?> Model, IReadOnlyDictionary<string, double?> AlwaysHold, IReadOnlyDictionary<string, double?> Momentum,
    IReadOnlyList<KeyValuePair<string, double>> FeatureImportance, IReadOnlyDictionary<string, string> Hyperparameters,
    IReadOnlyList<CalibrationPoint> CalibrationRaw, IReadOnlyList<CalibrationPoint> CalibrationCalibrated)
{
    /// <summary>The walk-forward metrics in display order, with whether a higher value is better.</summary>
    public static readonly IReadOnlyList<(string Key, string Label, bool HigherIsBetter)> WalkForwardMetrics =
    [
        ("accuracy", "Accuracy", true), ("macro_auc", "Macro AUC", true), ("up_auc", "Up AUC", true), ("log_loss", "Log loss", false),
        ("brier", "Brier score", false), ("ic", "IC", true), ("rank_ic", "Rank IC", true), ("hit_rate", "Hit rate", true),
        ("top_decile_return", "Top-decile return", true), ("sharpe", "Sharpe", true), ("max_drawdown", "Max drawdown", false), ("ece", "ECE", false),
        ("f1_SELL", "F1 SELL", true), ("f1_HOLD", "F1 HOLD", true), ("f1_BUY", "F1 BUY", true),
    ];

    public static ModelVersionView Parse(long id, string modelType, string version, string algorithm, string paramsHash, string featureVersion, bool isActive,
        DateTimeOffset createdAt, long? trainingJobId, string metricsJson)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(metricsJson) ? "{}" : metricsJson);
        var root = doc.RootElement;
        var walk = Child(root, "walk_forward");
        var calibration = Child(root, "calibration");
        var importance = Child(root, "feature_importance") is { ValueKind: JsonValueKind.Object } fi
            ? fi.EnumerateObject().Select(p => new KeyValuePair<string, double>(p.Name, Number(p.Value) ?? 0)).OrderByDescending(p => p.Value).ToList()
            : [];
        var hyper = Child(root, "hyperparameters") is { ValueKind: JsonValueKind.Object } h
            ? h.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).ToDictionary(p => p.Name, p => Text(p.Value))
            : new Dictionary<string, string>();
        return new ModelVersionView(id, modelType, version, algorithm, paramsHash, featureVersion, isActive, createdAt, trainingJobId,
            (int?)Number(Child(root, "horizon")), (int?)Number(Child(root, "rows")), (int?)Number(Child(root, "oos_rows")),
            Date(Child(root, "data_from")), Date(Child(root, "data_to")), Number(Child(root, "rmse")), // The ECE of what scoring serves: calibrated when the calibrator was kept, the model's own probabilities otherwise.
            Child(root, "calibrator") is { ValueKind: JsonValueKind.Object } cal && cal.TryGetProperty("kept", out var kept) && kept.ValueKind == JsonValueKind.False
                ? Number(Child(calibration, "ece_raw")) : Number(Child(calibration, "ece_calibrated")),
            Evaluation(Child(walk, "model")), Evaluation(Child(walk, "always_hold")), Evaluation(Child(walk, "momentum")),
            importance, hyper, Buckets(Child(calibration, "raw")), Buckets(Child(calibration, "calibrated")));
    }

    private static Dictionary<string, double?> Evaluation(JsonElement? e)
    {
        var values = new Dictionary<string, double?>();
        if (e is not { ValueKind: JsonValueKind.Object } o) return values;
        foreach (var p in o.EnumerateObject())
        {
            if (p.Value.ValueKind is JsonValueKind.Number or JsonValueKind.Null) values[p.Name] = Number(p.Value);
        }
        if (Child(o, "per_class") is { ValueKind: JsonValueKind.Object } perClass)
        {
            foreach (var c in perClass.EnumerateObject()) values[$"f1_{c.Name}"] = Number(Child(c.Value, "f1"));
        }
        return values;
    }

    private static List<CalibrationPoint> Buckets(JsonElement? e) => e is { ValueKind: JsonValueKind.Array } a
        ? a.EnumerateArray()
            .Select(b => (Confidence: Number(Child(b, "mean_confidence")), Observed: Number(Child(b, "observed")), Count: Number(Child(b, "count")) ?? 0))
            .Where(b => b.Confidence is not null && b.Observed is not null && b.Count > 0)
            .Select(b => new CalibrationPoint(b.Confidence!.Value, b.Observed!.Value, (int)b.Count))
            .ToList()
        : [];

    private static JsonElement? Child(JsonElement? e, string name)
        => e is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) ? v : null;

    private static double? Number(JsonElement? e) => e is { ValueKind: JsonValueKind.Number } n && n.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static DateTimeOffset? Date(JsonElement? e)
        => e is { ValueKind: JsonValueKind.String } s && DateTimeOffset.TryParse(s.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;

    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString() ?? "",
        JsonValueKind.Number => e.GetDouble().ToString("G", CultureInfo.InvariantCulture),
        JsonValueKind.Null => "—",
        _ => e.GetRawText(),
    };
}
