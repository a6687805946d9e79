namespace Signalbook.Features.Portfolios;

/// <summary>
/// An order as the ticket submits it. A bracket (entry with one-cancels-other exits) is asked for by giving
/// <see cref="TakeProfit"/> and/or <see cref="StopLoss"/>: the exits wait until the entry fills, then work for the filled quantity.
/// </summary>
public sealed record OrderTicket(
    long PortfolioId,
    long InstrumentId,
    OrderSide Side,
    OrderType Type,
    decimal Quantity,
    TimeInForce TimeInForce = TimeInForce.Day,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    decimal? TakeProfit = null,
    decimal? StopLoss = null,
    long? RecommendationId = null,
    long? StrategyId = null,
    DateTimeOffset? WindowStart = null,
    DateTimeOffset? WindowEnd = null,
    string? Note = null);

/// <summary>What placing an order did: accepted (with its exits), or rejected by the broker's checks with the reason.</summary>
public sealed record OrderPlacement(long OrderId, OrderStatus Status, string? RejectReason, IReadOnlyList<long> ExitOrderIds)
{
    public bool Accepted => Status != OrderStatus.Rejected;
}

/// <summary>What the ticket shows before submitting: the reference price, the estimated cost and the cash it may use.</summary>
public sealed record OrderEstimate(decimal? ReferencePrice, DateTimeOffset? ReferenceAt, decimal EstimatedValue, decimal EstimatedCommission,
    decimal Cash, decimal ReservedByOpenBuys, decimal Available, decimal HeldQuantity, decimal SellableQuantity, bool AllowShorting);

/// <summary>A ticket pre-filled from a recommendation: entry, stop-loss, take-profit and a size from the trader's trading config.</summary>
public sealed record TicketSuggestion(
    long InstrumentId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal? ReferencePrice,
    decimal? StopLoss,
    decimal? TakeProfit,
    long? RecommendationId,
    string SizingNote);
