using System.Text.Json;
using System.Text.Json.Serialization;

namespace Signalbook.Features.Portfolios.Brokers.Alpaca;

// Alpaca Trading API v2 JSON shapes (docs.alpaca.markets, "Orders", "Positions", "Account", "Account Activities").
// Alpaca sends money and quantities as JSON strings ("qty": "10", "filled_avg_price": "187.12"), read here as decimals.

internal static class AlpacaJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The body of <c>POST /v2/orders</c>; prices and quantities as strings, as Alpaca's examples send them.</summary>
internal sealed record AlpacaOrderBody(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("qty")] string Qty,
    [property: JsonPropertyName("side")] string Side,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("time_in_force")] string TimeInForce,
    [property: JsonPropertyName("client_order_id")] string ClientOrderId,
    [property: JsonPropertyName("limit_price")] string? LimitPrice,
    [property: JsonPropertyName("stop_price")] string? StopPrice,
    [property: JsonPropertyName("order_class")] string? OrderClass,
    [property: JsonPropertyName("take_profit")] AlpacaTakeProfit? TakeProfit,
    [property: JsonPropertyName("stop_loss")] AlpacaStopLoss? StopLoss);

internal sealed record AlpacaTakeProfit([property: JsonPropertyName("limit_price")] string LimitPrice);

internal sealed record AlpacaStopLoss(
    [property: JsonPropertyName("stop_price")] string StopPrice,
    [property: JsonPropertyName("limit_price")] string? LimitPrice);

/// <summary>Alpaca's error body: <c>{"code": 40310000, "message": "insufficient buying power"}</c>.</summary>
internal sealed record AlpacaError(
    [property: JsonPropertyName("code")] long? Code,
    [property: JsonPropertyName("message")] string? Message);

internal sealed record AlpacaOrder(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("client_order_id")] string? ClientOrderId,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset? UpdatedAt,
    [property: JsonPropertyName("submitted_at")] DateTimeOffset? SubmittedAt,
    [property: JsonPropertyName("filled_at")] DateTimeOffset? FilledAt,
    [property: JsonPropertyName("expired_at")] DateTimeOffset? ExpiredAt,
    [property: JsonPropertyName("canceled_at")] DateTimeOffset? CanceledAt,
    [property: JsonPropertyName("failed_at")] DateTimeOffset? FailedAt,
    [property: JsonPropertyName("symbol")] string? Symbol,
    [property: JsonPropertyName("qty")] decimal? Qty,
    [property: JsonPropertyName("filled_qty")] decimal? FilledQty,
    [property: JsonPropertyName("filled_avg_price")] decimal? FilledAvgPrice,
    [property: JsonPropertyName("order_class")] string? OrderClass,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("time_in_force")] string? TimeInForce,
    [property: JsonPropertyName("limit_price")] decimal? LimitPrice,
    [property: JsonPropertyName("stop_price")] decimal? StopPrice,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("legs")] List<AlpacaOrder>? Legs);

/// <summary>A FILL activity from <c>GET /v2/account/activities/FILL</c>; <c>type</c> is fill or partial_fill.</summary>
internal sealed record AlpacaFillActivity(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("activity_type")] string? ActivityType,
    [property: JsonPropertyName("transaction_time")] DateTimeOffset TransactionTime,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("price")] decimal Price,
    [property: JsonPropertyName("qty")] decimal Qty,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("symbol")] string? Symbol,
    [property: JsonPropertyName("leaves_qty")] decimal? LeavesQty,
    [property: JsonPropertyName("order_id")] string? OrderId,
    [property: JsonPropertyName("cum_qty")] decimal? CumQty);

internal sealed record AlpacaPosition(
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("qty")] decimal Qty,
    [property: JsonPropertyName("side")] string? Side,
    [property: JsonPropertyName("avg_entry_price")] decimal AvgEntryPrice,
    [property: JsonPropertyName("current_price")] decimal? CurrentPrice,
    [property: JsonPropertyName("market_value")] decimal? MarketValue,
    [property: JsonPropertyName("cost_basis")] decimal? CostBasis,
    [property: JsonPropertyName("unrealized_pl")] decimal? UnrealizedPl,
    [property: JsonPropertyName("asset_class")] string? AssetClass);

internal sealed record AlpacaAccount(
    [property: JsonPropertyName("account_number")] string? AccountNumber,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("cash")] decimal Cash,
    [property: JsonPropertyName("buying_power")] decimal BuyingPower,
    [property: JsonPropertyName("equity")] decimal Equity,
    [property: JsonPropertyName("pattern_day_trader")] bool PatternDayTrader,
    [property: JsonPropertyName("trading_blocked")] bool TradingBlocked,
    [property: JsonPropertyName("account_blocked")] bool AccountBlocked);
