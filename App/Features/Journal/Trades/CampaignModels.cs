using Signalbook.Features.Journal.Contexts;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal.Trades;

/// <summary>What the trades grid asks for: filters (all optional), one sort column and a page.</summary>
public sealed record CampaignQuery
{
    public string? Symbol { get; init; }
    public long? StrategyId { get; init; }

    /// <summary>A tag of a journal entry written about the campaign.</summary>
    public string? Tag { get; init; }

    /// <summary>long or short.</summary>
    public string? Direction { get; init; }

    /// <summary><see cref="CampaignOutcomes"/>: win, loss, open.</summary>
    public string? Outcome { get; init; }

    public string? Regime { get; init; }

    /// <summary>Opened on or after this date (UTC).</summary>
    public DateOnly? From { get; init; }

    /// <summary>Opened on or before this date (UTC).</summary>
    public DateOnly? To { get; init; }

    /// <summary>A <see cref="CampaignRow"/> property name; unknown names sort by <see cref="CampaignRow.OpenedAt"/>.</summary>
    public string SortBy { get; init; } = nameof(CampaignRow.OpenedAt);

    public bool Descending { get; init; } = true;
    public int Skip { get; init; }
    public int Take { get; init; } = 25;

    public bool HasFilters => Symbol is not null || StrategyId is not null || Tag is not null || Direction is not null || Outcome is not null || Regime is not null
                              || From is not null || To is not null;
}

public static class CampaignOutcomes
{
    public const string Win = "win";
    public const string Loss = "loss";
    public const string Open = "open";

    public static readonly IReadOnlyList<string> All = [Win, Loss, Open];

    /// <summary>Closed with a gain: win; closed with a loss: loss; closed at exactly zero: breakeven; still open: open.</summary>
    public static string Of(DateTimeOffset? closedAt, decimal realisedPnl) => closedAt is null ? Open : realisedPnl > 0 ? Win : realisedPnl < 0 ? Loss : "breakeven";
}

/// <summary>One campaign in the grid (from campaign_summaries).</summary>
public sealed record CampaignRow(
    long GroupId,
    string Symbol,
    FillAssetType AssetType,
    string Direction,
    DateTimeOffset OpenedAt,
    DateTimeOffset? ClosedAt,
    decimal MaxPosition,
    decimal OpenQuantity,
    decimal EntryAverage,
    decimal? ExitAverage,
    decimal RealisedPnl,
    double? ReturnPct,
    double? RMultiple,
    decimal? Mae,
    decimal? Mfe,
    decimal Fees,
    int FillCount,
    string Currency,
    long? StrategyId,
    string? StrategyName,
    string? Regime)
{
    /// <summary>How long the position was held; null while it is open.</summary>
    public TimeSpan? HoldingTime => ClosedAt - OpenedAt;

    public string Outcome => CampaignOutcomes.Of(ClosedAt, RealisedPnl);
}

public sealed record CampaignList(IReadOnlyList<CampaignRow> Rows, int Total);

/// <summary>The values the grid's filters offer (the caller's own).</summary>
public sealed record CampaignFacets(IReadOnlyList<string> Symbols, IReadOnlyList<StrategyOption> Strategies, IReadOnlyList<string> Regimes, IReadOnlyList<string> Tags);

public sealed record StrategyOption(long Id, string Name);

/// <summary>One fill of the campaign: its part of the quantity in this campaign (a flip fill is split between two).</summary>
public sealed record CampaignLeg(
    long FillId,
    DateTimeOffset ExecutedAt,
    FillSide Side,
    decimal Quantity,
    decimal FillQuantity,
    decimal Price,
    decimal Fees,
    FillSource Source,
    string? Broker,
    string Currency,
    FillAssetType AssetType,
    long? ReplacesFillId,
    bool HasContext);

/// <summary>A daily bar for the campaign chart.</summary>
public sealed record CampaignBar(DateTimeOffset Ts, double Open, double High, double Low, double Close);

/// <summary>What the snapshot said at the fill's time, for the page.</summary>
public sealed record SnapshotView(string? Regime, double? RegimeProbability, string? RecommendationLabel, double? RecommendationConfidence, string? RecommendationProfile,
    DateTimeOffset? FeaturesAt);

public sealed record ContextView(
    long Id,
    long FillId,
    string ContextType,
    long? StrategyId,
    string? StrategyName,
    string? Hypothesis,
    ExitIntent? ExitIntent,
    Feelings? FeelingsThen,
    Feelings? FeelingsNow,
    string? Notes,
    SnapshotView? Snapshot,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<CheckView> Checks)
{
    public DecisionContextInput ToInput() => new(ContextType, StrategyId, Hypothesis, ExitIntent, FeelingsThen, FeelingsNow, Notes);
}

public sealed record CampaignNote(long Id, DateOnly Date, string EntryType, string Content, IReadOnlyList<string> Tags, string? Mood);

/// <summary>Everything the campaign page shows.</summary>
public sealed record CampaignDetail(
    CampaignRow Summary,
    IReadOnlyList<CampaignLeg> Legs,
    long? InstrumentId,
    IReadOnlyList<CampaignBar> Bars,
    IReadOnlyList<ContextView> Contexts,
    IReadOnlyList<CampaignNote> Notes)
{
    /// <summary>The stop of the opening fill's context (what R is measured from), when the trader gave one.</summary>
    public decimal? Stop => Contexts.FirstOrDefault(c => c.FillId == Summary.GroupId)?.ExitIntent?.Stop;
}
