namespace Signalbook.Features.Portfolios.Performance;

/// <summary>
/// One execution of a paper order: <paramref name="Quantity"/> (positive, fractional allowed) of an instrument bought or
/// sold at <paramref name="Price"/>, paying <paramref name="Fees"/> (commission plus fees, in the account currency).
/// A buy moves cash by −(quantity × price) − fees, a sell by +(quantity × price) − fees.
/// </summary>
/// <param name="TradeId">The trade row's id, carried into the lots and round trips so they can be traced back.</param>
public readonly record struct Fill(long InstrumentId, OrderSide Side, decimal Quantity, decimal Price, decimal Fees, DateTimeOffset Timestamp, long? TradeId = null)
{
    /// <summary>The trading day the fill belongs to: the UTC date of its timestamp.</summary>
    public DateOnly Date => DateOnly.FromDateTime(Timestamp.UtcDateTime);

    /// <summary>Cash the fill moves: −(q × p) − fees for a buy, +(q × p) − fees for a sell.</summary>
    public decimal CashDelta => Side == OrderSide.Buy ? -(Quantity * Price) - Fees : Quantity * Price - Fees;

    internal decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;

    internal void Validate()
    {
        if (Quantity <= 0) throw new ArgumentOutOfRangeException(nameof(Quantity), Quantity, "A fill's quantity is positive; the side gives the direction.");
        if (Price < 0) throw new ArgumentOutOfRangeException(nameof(Price), Price, "A fill's price cannot be negative.");
    }
}

/// <summary>An external cash flow: a deposit (positive) or a withdrawal (negative). Not P&amp;L.</summary>
public readonly record struct CashFlow(DateOnly Date, decimal Amount);

/// <summary>
/// A stock split effective at the start of <paramref name="Date"/> (the ex-date): <paramref name="Ratio"/> new shares per
/// old one (2 for a 2-for-1, 0.1 for a 1-for-10 reverse split).
/// </summary>
public readonly record struct Split(long InstrumentId, DateOnly Date, decimal Ratio);

/// <summary>An instrument's closing price on a trading day.</summary>
public readonly record struct DailyClose(long InstrumentId, DateOnly Date, decimal Close);

/// <summary>Which way a position or lot faces.</summary>
public enum PositionSide
{
    Long,
    Short,
}
