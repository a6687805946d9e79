namespace Signalbook.Features.Portfolios.Matching;

/// <summary>
/// The state of one order as the matching engine sees it. The engine mutates it: fills accumulate
/// <see cref="FilledQuantity"/>, <see cref="AverageFillPrice"/> and <see cref="Commission"/>, and it moves
/// <see cref="Status"/> through Open → PartiallyFilled → Filled, or to Cancelled (expiry, window end, <see cref="MatchingEngine.Cancel"/>)
/// or Rejected (an invalid order, with <see cref="RejectReason"/>). Pending and Open orders are both working.
/// <para>
/// The engine's own bookkeeping (<see cref="StopTriggered"/>, <see cref="Session"/>, <see cref="WindowEnd"/> once
/// defaulted) is public so a caller stepping bar by bar can persist the order between calls and resume exactly.
/// </para>
/// </summary>
public sealed class MatchOrder
{
    public long Id { get; init; }
    public OrderSide Side { get; init; }
    public OrderType Type { get; init; }
    public TimeInForce TimeInForce { get; init; } = TimeInForce.Gtc;

    public decimal Quantity { get; set; }
    public decimal FilledQuantity { get; set; }

    /// <summary>The limit of a Limit or StopLimit order.</summary>
    public decimal? LimitPrice { get; set; }

    /// <summary>The stop (trigger) price of a StopLoss or StopLimit order.</summary>
    public decimal? StopPrice { get; set; }

    /// <summary>When the order was placed (or last replaced). Bars starting before it are never used.</summary>
    public DateTimeOffset PlacedAt { get; set; }

    public OrderStatus Status { get; set; } = OrderStatus.Open;

    /// <summary>A StopLoss/StopLimit order whose stop has traded: a StopLoss is then a market order, a StopLimit a limit order.</summary>
    public bool StopTriggered { get; set; }

    /// <summary>TWAP/VWAP: slicing starts at the first bar starting at or after this (default: <see cref="PlacedAt"/>).</summary>
    public DateTimeOffset? WindowStart { get; set; }

    /// <summary>
    /// TWAP/VWAP: the window ends here (bars starting at or after it are not used; what is left is cancelled). When null
    /// the engine sets it on the first eligible bar to that bar's start + <see cref="ExecutionSettings.DefaultAlgoWindow"/>;
    /// a default window also ends with the first eligible bar's session.
    /// </summary>
    public DateTimeOffset? WindowEnd { get; set; }

    /// <summary>Set by the engine: the session (trading date) of the first eligible bar. A Day order lives for this session only.</summary>
    public DateOnly? Session { get; set; }

    /// <summary>Quantity-weighted average price of the fills so far (0 before the first fill).</summary>
    public decimal AverageFillPrice { get; set; }

    /// <summary>Total commission of the fills so far.</summary>
    public decimal Commission { get; set; }

    /// <summary>When the order stopped working (filled, cancelled, expired, rejected); null while working.</summary>
    public DateTimeOffset? ClosedAt { get; set; }

    public string? RejectReason { get; set; }

    /// <summary>Why the order stopped working when it did not fill: "expired (day order)", "cancelled", "window ended …".</summary>
    public string? Note { get; set; }

    public decimal Remaining => Quantity - FilledQuantity;

    public bool IsWorking => Status is OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled;

    public bool IsAlgo => Type is OrderType.Twap or OrderType.Vwap;

    public override string ToString() =>
        $"#{Id} {Side} {Type} {FilledQuantity}/{Quantity} L={LimitPrice} S={StopPrice} {Status}{(Note is null ? "" : " " + Note)}";
}
