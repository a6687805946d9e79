namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// An open FIFO lot: what is left of one opening fill. <see cref="Quantity"/> is the size (always positive; the side
/// says which way). <see cref="Notional"/> is quantity × entry price and <see cref="Fees"/> the part of the opening
/// fill's fees not yet released by closes; both shrink pro rata when part of the lot is closed, and a split changes
/// neither (only the quantity), so the cost basis of a lot never moves except by closing it.
/// </summary>
public readonly record struct Lot(PositionSide Side, decimal Quantity, decimal Notional, decimal Fees, DateTimeOffset OpenedAt, long? TradeId)
{
    /// <summary>Entry price per unit (split-adjusted): notional ÷ quantity.</summary>
    public decimal Price => Notional / Quantity;

    /// <summary>
    /// What the lot stands at for P&amp;L: for a long the cash paid (notional + fees), for a short the net proceeds
    /// received (notional − fees). Either way, the lot breaks even when marked at <see cref="CostBasis"/> ÷ quantity.
    /// </summary>
    public decimal CostBasis => Side == PositionSide.Long ? Notional + Fees : Notional - Fees;
}

/// <summary>
/// The part of one lot closed by one fill: a round trip piece. <see cref="RealisedPnl"/> =
/// direction × (quantity × close price − the lot's notional for that quantity) − opening fees allocated − closing fees
/// allocated, where direction is +1 for a long and −1 for a short.
/// </summary>
/// <param name="Side">The side of the lot that was closed (a sell closes a long piece).</param>
/// <param name="OpenPrice">Split-adjusted entry price of the lot.</param>
/// <param name="OpenFees">The opening fill's fees allocated to this quantity (pro rata to quantity).</param>
/// <param name="CloseFees">The closing fill's fees allocated to this quantity (pro rata to the fill's quantity).</param>
/// <param name="CloseFillSequence">The <see cref="LotBook"/>'s sequence number of the closing fill: pieces with the same number make one trade.</param>
public sealed record RoundTripPiece(
    long InstrumentId,
    PositionSide Side,
    decimal Quantity,
    DateTimeOffset OpenedAt,
    decimal OpenPrice,
    long? OpenTradeId,
    DateTimeOffset ClosedAt,
    decimal ClosePrice,
    long? CloseTradeId,
    long CloseFillSequence,
    decimal OpenFees,
    decimal CloseFees,
    decimal RealisedPnl);

/// <summary>
/// One closing fill and everything it closed (the sum of its <see cref="RoundTripPiece"/>s): the unit of win rate and
/// profit factor. A fill that crosses zero is one closed trade for the part that closed; the rest opens a new position.
/// </summary>
/// <param name="Side">The side that was closed.</param>
/// <param name="Quantity">The quantity closed by the fill (not what it opened on the other side).</param>
public sealed record ClosedTrade(long InstrumentId, long FillSequence, long? TradeId, DateTimeOffset ClosedAt, PositionSide Side, decimal Quantity, decimal RealisedPnl);

/// <summary>What applying one fill did.</summary>
/// <param name="FillSequence">The book's number for the fill (1, 2, …).</param>
/// <param name="ClosedQuantity">How much of the existing position the fill closed.</param>
/// <param name="OpenedQuantity">How much it opened (added to the same side, or the remainder after crossing zero).</param>
/// <param name="RealisedPnl">Realised P&amp;L of the fill: the sum of <paramref name="Pieces"/>, net of fees.</param>
public sealed record FillResult(long FillSequence, decimal ClosedQuantity, decimal OpenedQuantity, decimal RealisedPnl, IReadOnlyList<RoundTripPiece> Pieces);
