namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>
/// None: do nothing. Buy: open or add to a long. Sell: sell part of a long (<see cref="StrategySignal.Quantity"/>,
/// grid levels). Exit: sell the whole long. The strategies are long-only: nothing here opens a short.
/// </summary>
public enum SignalAction
{
    None,
    Buy,
    Sell,
    Exit,
}

/// <summary>
/// What a strategy decided on day t and why, in words a trader can read. Stop and target are prices for a new long.
/// Quantity/Notional are set when the strategy decides its own size (DCA, grid); otherwise they are null and the
/// caller sizes the buy with <see cref="PositionSizer"/>. <see cref="BlockedBy"/> names the setting whose filter
/// stopped an entry (e.g. chart_quality_max_gap_frequency), null otherwise.
/// </summary>
public sealed record StrategySignal(
    SignalAction Action,
    string Reason,
    double? StopPrice = null,
    double? TargetPrice = null,
    decimal? Quantity = null,
    decimal? Notional = null,
    string? BlockedBy = null)
{
    /// <summary>The order side, or null for <see cref="SignalAction.None"/>.</summary>
    public OrderSide? Side => Action switch
    {
        SignalAction.Buy => OrderSide.Buy,
        SignalAction.Sell or SignalAction.Exit => OrderSide.Sell,
        _ => null,
    };

    public static StrategySignal None(string reason) => new(SignalAction.None, reason);

    public static StrategySignal Blocked(string reason, string blockedBy) => new(SignalAction.None, reason, BlockedBy: blockedBy);

    public static StrategySignal Exit(string reason) => new(SignalAction.Exit, reason);
}
