using System.Globalization;

namespace Signalbook.Features.Portfolios.Brokers.Alpaca;

/// <summary>
/// What Alpaca's Trading API takes, checked before a request so the user reads a clear reason instead of a 422.
/// Facts from Alpaca's docs: "Orders at Alpaca" (order types market, limit, stop, stop_limit, trailing_stop; order
/// classes simple, bracket, oco, oto; time in force day, gtc, opg, cls, ioc, fok), "Fractional Trading" (fractional
/// quantities only for market orders with time in force day) and the "Create an Order" reference (client_order_id at
/// most 128 characters; bracket needs both take_profit.limit_price and stop_loss.stop_price; oco is an exit pair whose
/// type is limit).
/// </summary>
public static class AlpacaOrderRules
{
    public const int MaxClientOrderIdLength = 128;

    public const string TwapVwapMessage = "Alpaca does not take TWAP/VWAP orders; use the paper broker.";

    /// <summary>Alpaca's <c>type</c> for our order type, or null for types it does not take.</summary>
    public static string? AlpacaType(OrderType type) => type switch
    {
        OrderType.Market => "market",
        OrderType.Limit => "limit",
        OrderType.StopLoss => "stop",
        OrderType.StopLimit => "stop_limit",
        _ => null,
    };

    /// <summary>Null if Alpaca can take the order; otherwise the reason, naming the field to change.</summary>
    public static string? Validate(BrokerOrderRequest r)
    {
        if (r.Type is OrderType.Twap or OrderType.Vwap) return TwapVwapMessage;
        if (AlpacaType(r.Type) is null) return $"Alpaca does not take {TradingNames.ToDb(r.Type)} orders.";
        if (string.IsNullOrWhiteSpace(r.Symbol)) return "Symbol is empty.";
        if (string.IsNullOrWhiteSpace(r.ClientOrderId)) return "Client order id is empty: every live order needs one, so a retry can never place it twice.";
        if (r.ClientOrderId.Length > MaxClientOrderIdLength)
            return $"Client order id is {r.ClientOrderId.Length} characters; Alpaca takes at most {MaxClientOrderIdLength}.";
        if (r.Quantity <= 0) return $"Quantity must be above zero (got {Num(r.Quantity)}).";

        var needsLimit = r.Type is OrderType.Limit or OrderType.StopLimit && r.OrderClass != BrokerOrderClass.Oco;
        var needsStop = r.Type is OrderType.StopLoss or OrderType.StopLimit;
        if (needsLimit && r.LimitPrice is not > 0) return $"A {TradingNames.ToDb(r.Type)} order needs a limit price above zero.";
        if (needsStop && r.StopPrice is not > 0) return $"A {TradingNames.ToDb(r.Type)} order needs a stop price above zero.";
        if (r.Type is OrderType.Market or OrderType.StopLoss && r.LimitPrice is not null)
            return $"A {TradingNames.ToDb(r.Type)} order takes no limit price; use a limit or stop_limit order.";
        if (r.Type is OrderType.Market or OrderType.Limit && r.StopPrice is not null)
            return $"A {TradingNames.ToDb(r.Type)} order takes no stop price; use a stop_loss or stop_limit order.";
        if (r.LimitPrice is <= 0) return "Limit price must be above zero.";

        if (r.Quantity != decimal.Truncate(r.Quantity)
            && (r.Type != OrderType.Market || r.TimeInForce != TimeInForce.Day || r.OrderClass != BrokerOrderClass.Simple))
        {
            return $"Quantity {Num(r.Quantity)} is fractional: Alpaca takes fractional shares only for market orders with time in force day "
                   + "and no bracket or OCO exits. Use a whole number of shares, or a market day order.";
        }

        switch (r.OrderClass)
        {
            case BrokerOrderClass.Simple:
                if (r.TakeProfitLimitPrice is not null || r.StopLossStopPrice is not null || r.StopLossLimitPrice is not null)
                    return "Take-profit and stop-loss prices need a bracket or OCO order class.";
                break;
            case BrokerOrderClass.Bracket or BrokerOrderClass.Oco:
                var name = r.OrderClass == BrokerOrderClass.Bracket ? "bracket" : "OCO";
                if (r.TakeProfitLimitPrice is not > 0) return $"A {name} order needs a take-profit limit price above zero.";
                if (r.StopLossStopPrice is not > 0) return $"A {name} order needs a stop-loss stop price above zero.";
                if (r.StopLossLimitPrice is <= 0) return "Stop-loss limit price must be above zero.";
                if (r.OrderClass == BrokerOrderClass.Oco && r.Type != OrderType.Limit)
                    return "Alpaca takes OCO exits only as type limit (the take-profit leg is the limit order).";
                // A bracket's exits sell after a buy (take profit above the stop), buy back after a short sale (below);
                // an OCO pair is itself the exit, so its own side decides.
                var exitSells = r.OrderClass == BrokerOrderClass.Bracket ? r.Side == OrderSide.Buy : r.Side == OrderSide.Sell;
                if (exitSells && r.TakeProfitLimitPrice <= r.StopLossStopPrice)
                    return $"Take-profit {Num(r.TakeProfitLimitPrice!.Value)} must be above the stop-loss {Num(r.StopLossStopPrice!.Value)} for exits that sell.";
                if (!exitSells && r.TakeProfitLimitPrice >= r.StopLossStopPrice)
                    return $"Take-profit {Num(r.TakeProfitLimitPrice!.Value)} must be below the stop-loss {Num(r.StopLossStopPrice!.Value)} for exits that buy back.";
                break;
        }
        return null;
    }

    private static string Num(decimal d) => d.ToString("0.#########", CultureInfo.InvariantCulture);
}
