using Signalbook.Features.MarketData;
using Signalbook.Features.Users;

namespace Signalbook.Features.Recommendations;

public static class RecommendationLabels
{
    public const string Buy = "BUY";
    public const string Hold = "HOLD";
    public const string Sell = "SELL";

    public static readonly IReadOnlyList<string> All = [Buy, Hold, Sell];
}

/// <summary>The risk profiles recommendations are made for, from the most careful to the boldest.</summary>
public static class RecommendationProfiles
{
    public static readonly IReadOnlyList<string> All = [RiskProfiles.Conservative, RiskProfiles.Moderate, RiskProfiles.Aggressive];
}

public static class MarketCapBuckets
{
    public static readonly IReadOnlyList<string> All = ["small", "mid", "large"];
}

/// <summary>Whether a user has accepted the risk disclosure, and when.</summary>
public sealed record ConsentState(bool Accepted, DateTimeOffset? AcceptedAt);

/// <summary>Thrown when recommendations are asked for on behalf of a user who has not accepted the risk disclosure.</summary>
public sealed class RiskConsentRequiredException() : InvalidOperationException("Accept the risk disclosure before viewing recommendations.");

/// <summary>Sort keys of the dashboard (the grid's column property names).</summary>
public static class RecommendationSort
{
    public const string Confidence = nameof(RecommendationRow.Confidence);
    public const string ExpectedReturn = nameof(RecommendationRow.ExpectedReturnPct);
    public const string Symbol = nameof(RecommendationRow.Symbol);
}

public sealed record RecommendationQuery(
    string Profile = RiskProfiles.Moderate,
    string? Label = null,
    string? Exchange = null,
    string? Sector = null,
    string? MarketCap = null,
    double? MinConfidence = null,
    string? Regime = null,
    bool NewOnly = false,
    string SortBy = RecommendationSort.Confidence,
    bool Descending = true,
    int Skip = 0,
    int Take = 25);

/// <summary>
/// One active recommendation as the dashboard shows it. <see cref="IsNew"/>: generated in the last 24 hours with a
/// label different from the previous recommendation for the instrument and profile (<see cref="PreviousLabel"/>, null when there was none).
/// </summary>
public sealed record RecommendationRow(long Id, long InstrumentId, string Symbol, string? Name, string Exchange, string? Sector, string? MarketCapBucket,
    string Profile, string Label, double Confidence, double? ExpectedReturnPct, int? HorizonDays, double? Entry, double? StopLoss, double? TakeProfit,
    string? Regime, DateTimeOffset GeneratedAt, string ModelVersion, bool IsNew, string? PreviousLabel)
{
    /// <summary>"New" when the instrument had no earlier recommendation for the profile, "Changed from HOLD" when its label changed; null otherwise.</summary>
    public string? NewMarker => !IsNew ? null : PreviousLabel is null ? "New" : $"Changed from {PreviousLabel}";
}

public sealed record ModelVersionInfo(long Id, string Version, string Algorithm, bool IsActive);

public sealed record DashboardResult(IReadOnlyList<RecommendationRow> Rows, int Total, IReadOnlyDictionary<string, int> LabelCounts,
    int NewCount, IReadOnlyList<RecommendationRow> NewRows, IReadOnlyList<ModelVersionInfo> Models);

/// <summary>A past signal of the same instrument and profile with its outcome (null WasCorrect = pending).</summary>
public sealed record PastSignal(long Id, DateTimeOffset GeneratedAt, string Label, double Confidence, double? ExpectedReturnPct, int? HorizonDays,
    bool IsActive, string ModelVersion, bool? WasCorrect, double? RealisedReturnPct, DateTimeOffset? EvaluatedAt)
{
    public string Outcome => WasCorrect switch { true => "Right", false => "Wrong", null => "Pending" };
}

public sealed record RecommendationDetail(long Id, InstrumentHeader Instrument, string Profile, string Label, double Confidence, double? ExpectedReturnPct,
    int? HorizonDays, double? StopLoss, double? TakeProfit, string? Justification, DateTimeOffset GeneratedAt, bool IsActive, ModelVersionInfo Model,
    RecommendationSnapshot? Snapshot, IReadOnlyList<FeaturePercentile> Features, IReadOnlyList<PastSignal> History, IReadOnlyList<ChartBar> Candles)
{
    public double? Entry => Snapshot?.Close;
}

/// <summary>Hit rate and average realised price return of a group of evaluated predictions.</summary>
/// <remarks>
/// <see cref="AvgReturnPct"/> is the instrument's price change after the signal, whatever the label;
/// <see cref="AvgCallReturnPct"/> is what following the BUY and SELL calls earned (the change for a BUY, its negative for
/// a SELL; HOLDs are not trades), null when the group has no such call.
/// </remarks>
public sealed record TrackGroup(string Key, int Count, int Hits, double? AvgReturnPct, double MeanConfidence, double? AvgCallReturnPct = null)
{
    public double HitRate => Count == 0 ? 0 : (double)Hits / Count;
}

/// <summary>One calibration bucket (confidence [Lower, Lower + 0.1)): mean confidence against observed hit rate.</summary>
public sealed record CalibrationPoint(double Lower, double MeanConfidence, double HitRate, int Count);

public sealed record TrackRecord(int Total, int Hits, double? AvgReturnPct, IReadOnlyList<TrackGroup> ByLabel, IReadOnlyList<TrackGroup> ByProfile,
    IReadOnlyList<TrackGroup> ByConfidence, IReadOnlyList<TrackGroup> ByRegime, IReadOnlyList<CalibrationPoint> Calibration, double? AvgCallReturnPct = null)
{
    public double HitRate => Total == 0 ? 0 : (double)Hits / Total;
}

/// <summary>An instrument's current call for one risk profile, as the instrument page shows it.</summary>
public sealed record InstrumentRecommendation(long Id, string Profile, string Label, double Confidence, DateTimeOffset GeneratedAt);
