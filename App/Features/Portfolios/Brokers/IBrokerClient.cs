namespace Signalbook.Features.Portfolios.Brokers;

/// <summary>
/// A live (non-paper) broker: what the order service needs to place, follow and reconcile orders. Paper portfolios
/// never come here; the matching engine fills them. One instance speaks for one set of credentials (one account).
/// Failures of transport or of the broker surface as <see cref="BrokerException"/>; the broker refusing an order
/// (insufficient buying power, invalid order) is not a failure but a rejected <see cref="BrokerOrderAck"/>.
/// </summary>
public interface IBrokerClient
{
    /// <summary>The plugin name (<see cref="BrokerPlugins"/>).</summary>
    string Plugin { get; }

    /// <summary>paper or live (<see cref="BrokerEnvironments"/>).</summary>
    string Environment { get; }

    /// <summary>
    /// Places an order, at most once per <see cref="BrokerOrderRequest.ClientOrderId"/>: a request whose answer was lost
    /// (timeout, 5xx) is looked up by its client order id before it is sent again, and a second submit of a client order id
    /// the broker already holds returns that order. Orders the broker cannot take are rejected here without a request.
    /// </summary>
    Task<BrokerOrderAck> SubmitOrderAsync(BrokerOrderRequest request, CancellationToken ct = default);

    /// <summary>Asks the broker to cancel; the cancellation itself is confirmed later by the order's status.</summary>
    Task<BrokerCancelResult> CancelOrderAsync(string brokerOrderId, CancellationToken ct = default);

    /// <summary>The order as the broker has it now; <see cref="BrokerException"/> with <see cref="BrokerErrorKind.NotFound"/> if it has none.</summary>
    Task<BrokerOrderUpdate> GetOrderAsync(string brokerOrderId, CancellationToken ct = default);

    /// <summary>The broker's order with this client order id, or null if it has none.</summary>
    Task<BrokerOrderUpdate?> FindOrderByClientOrderIdAsync(string clientOrderId, CancellationToken ct = default);

    /// <summary>
    /// Orders submitted after <paramref name="since"/> (any status, oldest first) together with every order still open
    /// whenever it was submitted, so a poll sees new orders and all working ones. An order submitted before
    /// <paramref name="since"/> that has closed since is not in the list: its fills come from <see cref="GetFillsSinceAsync"/>
    /// and its final state from <see cref="GetOrderAsync"/>.
    /// </summary>
    Task<IReadOnlyList<BrokerOrderUpdate>> GetOrderUpdatesSinceAsync(DateTimeOffset since, CancellationToken ct = default);

    /// <summary>Executions after <paramref name="since"/>, oldest first, every page followed; each has the broker's trade id.</summary>
    Task<IReadOnlyList<BrokerFill>> GetFillsSinceAsync(DateTimeOffset since, int pageSize = 100, CancellationToken ct = default);

    Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken ct = default);

    Task<BrokerAccount> GetAccountAsync(CancellationToken ct = default);
}

/// <summary>The two endpoints a broker credential may belong to.</summary>
public static class BrokerEnvironments
{
    public const string Paper = "paper";
    public const string Live = "live";

    public static readonly IReadOnlyList<string> All = [Paper, Live];
}

/// <summary>How a request's exit legs are grouped.</summary>
public enum BrokerOrderClass
{
    /// <summary>One order, no attached legs.</summary>
    Simple,
    /// <summary>An entry with a take-profit and a stop-loss that become active when it fills and cancel each other.</summary>
    Bracket,
    /// <summary>A take-profit and a stop-loss for a position already held, cancelling each other (one-cancels-other).</summary>
    Oco,
}

/// <summary>
/// An order for the broker. <see cref="LimitPrice"/> is for limit and stop-limit orders, <see cref="StopPrice"/> for
/// stop-loss and stop-limit ones. Exit legs (<see cref="TakeProfitLimitPrice"/>, <see cref="StopLossStopPrice"/>,
/// optional <see cref="StopLossLimitPrice"/>) go with <see cref="BrokerOrderClass.Bracket"/> or <see cref="BrokerOrderClass.Oco"/>.
/// </summary>
public sealed record BrokerOrderRequest(
    string Symbol,
    OrderSide Side,
    OrderType Type,
    decimal Quantity,
    TimeInForce TimeInForce,
    string ClientOrderId,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    BrokerOrderClass OrderClass = BrokerOrderClass.Simple,
    decimal? TakeProfitLimitPrice = null,
    decimal? StopLossStopPrice = null,
    decimal? StopLossLimitPrice = null);

/// <summary>Where a rejection came from.</summary>
public enum BrokerRejectSource
{
    /// <summary>Checked here before any request: the broker would not take this order.</summary>
    Local,
    /// <summary>The broker answered the submit with a refusal (Alpaca: HTTP 403 or 422).</summary>
    Broker,
}

/// <summary>
/// The broker's answer to a submit: accepted with its order id and status, or rejected with the reason to show.
/// <see cref="Recovered"/> says the submit's own answer was lost and the order was found by its client order id.
/// </summary>
public sealed record BrokerOrderAck(
    string ClientOrderId,
    string? BrokerOrderId,
    OrderStatus Status,
    string? RejectReason,
    BrokerRejectSource? RejectSource,
    int? HttpStatus,
    long? BrokerErrorCode,
    BrokerOrderUpdate? Order,
    bool Recovered = false)
{
    public bool Accepted => RejectReason is null;

    public static BrokerOrderAck For(BrokerOrderUpdate order, bool recovered = false)
        => new(order.ClientOrderId, order.BrokerOrderId, order.Status, null, null, null, null, order, recovered);

    public static BrokerOrderAck Rejected(string clientOrderId, string reason, BrokerRejectSource source, int? httpStatus = null, long? code = null)
        => new(clientOrderId, null, OrderStatus.Rejected, reason, source, httpStatus, code, null);
}

/// <summary>
/// An order as the broker reports it. <see cref="Status"/> is ours; <see cref="BrokerStatus"/> the broker's own word
/// (for example Alpaca's expired, replaced or done_for_day, which map to cancelled or open). <see cref="Type"/> and
/// <see cref="TimeInForce"/> are null for kinds we do not place (trailing stops, ioc …; see <see cref="BrokerType"/>).
/// </summary>
public sealed record BrokerOrderUpdate(
    string BrokerOrderId,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    OrderType? Type,
    string BrokerType,
    TimeInForce? TimeInForce,
    OrderStatus Status,
    string BrokerStatus,
    decimal? Quantity,
    decimal FilledQuantity,
    decimal? AverageFillPrice,
    decimal? LimitPrice,
    decimal? StopPrice,
    string OrderClass,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? FilledAt,
    DateTimeOffset? CancelledAt,
    DateTimeOffset? ExpiredAt,
    DateTimeOffset? FailedAt,
    IReadOnlyList<BrokerOrderUpdate> Legs);

/// <summary>The broker's answer to a cancel request: accepted (the order is being cancelled) or why not.</summary>
public sealed record BrokerCancelResult(string BrokerOrderId, bool Accepted, string? Reason, int? HttpStatus = null);

/// <summary>One execution: <see cref="BrokerTradeId"/> is unique per fill (Alpaca's activity id) and keys the trades table.</summary>
public sealed record BrokerFill(
    string BrokerTradeId,
    string BrokerOrderId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    DateTimeOffset ExecutedAt,
    bool IsPartial,
    decimal? CumulativeQuantity,
    decimal? LeavesQuantity);

/// <summary>A position at the broker; <see cref="Quantity"/> is signed (negative is short), as in our positions table.</summary>
public sealed record BrokerPosition(
    string Symbol,
    decimal Quantity,
    decimal AverageEntryPrice,
    decimal? CurrentPrice,
    decimal? MarketValue,
    decimal? CostBasis,
    decimal? UnrealizedPnl,
    string AssetClass);

/// <summary>The broker account's balances and flags.</summary>
public sealed record BrokerAccount(
    string AccountNumber,
    string Status,
    string Currency,
    decimal Cash,
    decimal BuyingPower,
    decimal Equity,
    bool PatternDayTrader,
    bool TradingBlocked,
    bool AccountBlocked);

public enum BrokerErrorKind
{
    /// <summary>The keys were refused (wrong, revoked, or for the other environment).</summary>
    Unauthorized,
    NotFound,
    /// <summary>HTTP 429 persisted through every retry.</summary>
    RateLimited,
    /// <summary>No answer within the per-request timeout, on every attempt.</summary>
    Timeout,
    /// <summary>The connection failed (refused, reset, DNS).</summary>
    Network,
    /// <summary>HTTP 5xx on every attempt.</summary>
    ServerError,
    /// <summary>An answer that is not the documented JSON.</summary>
    InvalidResponse,
    /// <summary>Any other refusal (HTTP 4xx) of a request that is not an order submit.</summary>
    Refused,
}

/// <summary>A broker call that failed; the message is written for the user (status, the broker's code and message).</summary>
public sealed class BrokerException(BrokerErrorKind kind, string message, int? httpStatus = null, long? brokerCode = null, string? brokerMessage = null,
    Exception? inner = null) : Exception(message, inner)
{
    public BrokerErrorKind Kind { get; } = kind;
    public int? HttpStatus { get; } = httpStatus;
    public long? BrokerCode { get; } = brokerCode;
    public string? BrokerMessage { get; } = brokerMessage;
}
