using System.Text.Json;

namespace Signalbook.Features.Recommendations;

/// <summary>A model that took part in a recommendation.</summary>
public sealed record SnapshotModel(long Id, string Type, string Version, string Algorithm, string ParamsHash);

/// <summary>The regime of the bar scored: HMM state id (−1 = unusual, out of the model's distribution), its name and filtered probability.</summary>
public sealed record SnapshotRegime(int StateId, string Name, double? Probability);

/// <summary>
/// One feature's part in the verdict: the value the model saw, the instrument's own history percentile of it
/// (0–100, over the training window's bars up to and including t), and the effect on the calibrated probability
/// of the chosen label when the feature is replaced by its training median (positive = pushed towards the label).
/// </summary>
public sealed record SnapshotDriver(string Feature, double Value, double? Percentile, double Effect);

/// <summary>The profile's rules as they were applied (see docs/recommendations.md).</summary>
public sealed record SnapshotRules(double MinConfidence, double StopAtrMultiple, double MinStopPct, double MaxStopPct, double RiskReward,
    IReadOnlyList<string> AvoidedRegimes);

/// <summary>
/// <c>recommendations.features_snapshot</c>: exactly what a recommendation was made from, so it can be explained and
/// reproduced later. Stored as snake_case JSON (<see cref="Json"/>).
/// </summary>
public sealed record RecommendationSnapshot
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Time of the daily bar t whose features were scored; nothing after it was read.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Close of bar t: the entry price the stop-loss and take-profit are measured from.</summary>
    public required double Close { get; init; }

    /// <summary>ATR(14) at t, in price units.</summary>
    public double? Atr14 { get; init; }

    /// <summary>Horizon H in trading days: the outcome is the close H daily bars after <see cref="AsOf"/>.</summary>
    public int HorizonDays { get; init; }

    /// <summary>
    /// The H-day return threshold at t that separated BUY / HOLD / SELL when the model was trained (k × vol_20d × √(H/252)):
    /// a HOLD is judged right when the realised return stays within ± this.
    /// </summary>
    public double? LabelThreshold { get; init; }

    public required string FeatureVersion { get; init; }
    public required SnapshotModel Model { get; init; }

    /// <summary>The price regressor that gave expected_return_pct, or null when it came from the classifier's class means.</summary>
    public SnapshotModel? Regressor { get; init; }

    /// <summary>Calibrated probabilities by label (SELL, HOLD, BUY).</summary>
    public required IReadOnlyDictionary<string, double> Probabilities { get; init; }

    /// <summary>The model's raw probabilities before calibration.</summary>
    public required IReadOnlyDictionary<string, double> RawProbabilities { get; init; }

    /// <summary>The label the model alone would give (highest calibrated probability), before the profile's rules.</summary>
    public required string ModelLabel { get; init; }

    public SnapshotRegime? Regime { get; init; }

    /// <summary>Every feature the model read, by name, as the model saw it (scale-free transform applied); NaN stored as null.</summary>
    public required IReadOnlyDictionary<string, double?> Features { get; init; }

    /// <summary>The features that moved the verdict most, strongest first.</summary>
    public required IReadOnlyList<SnapshotDriver> Drivers { get; init; }

    public required SnapshotRules Rules { get; init; }

    /// <summary>Set on recommendations replayed over past bars by an older model (demo history), never on live ones.</summary>
    public bool Replay { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RecommendationSnapshot? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json == "{}") return null;
        try
        {
            return JsonSerializer.Deserialize<RecommendationSnapshot>(json, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
