using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal.Campaigns;

/// <summary>
/// One row of the user's fill ledger (trade_fills) as the campaign kernels read it. <see cref="Quantity"/> is positive
/// (the <see cref="Side"/> gives the direction), <see cref="Price"/> is per unit, <see cref="Fees"/> is the fill's total
/// fees (commission, taxes), <see cref="Multiplier"/> is units per contract (an option's 100; 1 for equities and crypto).
/// <see cref="Id"/> is trade_fills.id: unique, and the tie-break between fills with the same <see cref="ExecutedAt"/>.
/// </summary>
public readonly record struct LedgerFill(
    long Id,
    string Symbol,
    FillAssetType AssetType,
    FillSide Side,
    decimal Quantity,
    decimal Price,
    decimal Fees,
    DateTimeOffset ExecutedAt,
    decimal Multiplier = 1m)
{
    public SeriesKey Series => new(Symbol, AssetType);
}

/// <summary>
/// The unit campaigns are built in: one user's fills of one symbol and asset type. Symbols are compared ordinally
/// (the importer stores them as the broker writes them). Rebuilding is always of whole series.
/// </summary>
public readonly record struct SeriesKey(string Symbol, FillAssetType AssetType);

public enum CampaignDirection
{
    Long,
    Short,
}

/// <summary>Whether a leg adds to the campaign's position (an entry or scale-in) or reduces it (a partial or final exit).</summary>
public enum LegRole
{
    Entry,
    Exit,
}

/// <summary>
/// A fill's part in one campaign: all of it, or, for a fill that crosses zero, the part that closes the old campaign
/// (an exit) or the part that opens the next (an entry), with the fill's fees split pro rata by quantity.
/// </summary>
public readonly record struct CampaignLeg(
    long FillId,
    FillSide Side,
    LegRole Role,
    decimal Quantity,
    decimal Price,
    decimal Fees,
    DateTimeOffset ExecutedAt);

/// <summary>
/// One campaign (a round trip): the fills of one series from the moment the position leaves zero to the moment it
/// returns to zero. Built by <see cref="CampaignBuilder"/>; see there for the rules. Two campaigns are equal when all
/// their figures and legs are equal.
/// </summary>
public sealed record Campaign
{
    /// <summary>campaign_fills.group_id: the id of the campaign's first fill (for a flip, the flipping fill).</summary>
    public required long GroupId { get; init; }

    public required string Symbol { get; init; }
    public required FillAssetType AssetType { get; init; }
    public required CampaignDirection Direction { get; init; }

    /// <summary>The campaign's fills in execution order (ExecutedAt, then id), each with its quantity and fees in this campaign.</summary>
    public required IReadOnlyList<CampaignLeg> Legs { get; init; }

    public required DateTimeOffset OpenedAt { get; init; }

    /// <summary>The time of the fill that brought the position back to zero; null while the campaign is open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Quantity-weighted average price of the entry legs, per unit.</summary>
    public required decimal EntryAverage { get; init; }

    /// <summary>Quantity-weighted average price of the exit legs, per unit; null before the first exit.</summary>
    public decimal? ExitAverage { get; init; }

    /// <summary>Total quantity of the entry legs.</summary>
    public required decimal EntryQuantity { get; init; }

    /// <summary>Total quantity of the exit legs.</summary>
    public required decimal ExitQuantity { get; init; }

    /// <summary>The largest absolute position held during the campaign.</summary>
    public required decimal MaxPosition { get; init; }

    /// <summary>The absolute quantity still open (0 once closed).</summary>
    public required decimal Quantity { get; init; }

    /// <summary>
    /// Realised P&amp;L after fees: for every exit, FIFO-matched against the oldest entry lots,
    /// (exit price − entry price) × matched quantity × multiplier (negated for a short), less the exit legs' fees and the
    /// matched share of the entry legs' fees. For a closed campaign this is all proceeds less all costs and all fees; for
    /// an open one, the part realised so far (0 before the first exit).
    /// </summary>
    public required decimal RealisedPnl { get; init; }

    /// <summary>The cost of the entry quantity matched by exits: Σ entry price × matched quantity × multiplier (no fees).</summary>
    public required decimal MatchedCost { get; init; }

    /// <summary><see cref="RealisedPnl"/> ÷ <see cref="MatchedCost"/> × 100; null before the first exit (or when the cost is 0).</summary>
    public decimal? ReturnPct { get; init; }

    /// <summary>Sum of the legs' fees (fees of flip fills only in their share).</summary>
    public required decimal TotalFees { get; init; }

    /// <summary>Units per contract of the opening fill (each lot's own fill multiplier is what prices its P&amp;L).</summary>
    public required decimal Multiplier { get; init; }

    /// <summary><see cref="ClosedAt"/> − <see cref="OpenedAt"/>; null while open.</summary>
    public TimeSpan? HoldingTime => ClosedAt - OpenedAt;

    public bool IsOpen => ClosedAt is null;

    public SeriesKey Series => new(Symbol, AssetType);

    public bool Equals(Campaign? other) =>
        other is not null
        && GroupId == other.GroupId
        && string.Equals(Symbol, other.Symbol, StringComparison.Ordinal)
        && AssetType == other.AssetType
        && Direction == other.Direction
        && OpenedAt == other.OpenedAt
        && ClosedAt == other.ClosedAt
        && EntryAverage == other.EntryAverage
        && ExitAverage == other.ExitAverage
        && EntryQuantity == other.EntryQuantity
        && ExitQuantity == other.ExitQuantity
        && MaxPosition == other.MaxPosition
        && Quantity == other.Quantity
        && RealisedPnl == other.RealisedPnl
        && MatchedCost == other.MatchedCost
        && ReturnPct == other.ReturnPct
        && TotalFees == other.TotalFees
        && Multiplier == other.Multiplier
        && Legs.SequenceEqual(other.Legs);

    public override int GetHashCode() => HashCode.Combine(GroupId, Symbol, AssetType, Legs.Count, RealisedPnl, ClosedAt);
}

/// <summary>A campaign_fills row: the fill belongs to the campaign <see cref="GroupId"/>.</summary>
public readonly record struct CampaignFillRow(long GroupId, long FillId);
