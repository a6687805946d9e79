using System.Globalization;

namespace Signalbook.Features.Portfolios.Pages;

/// <summary>How the trading pages write money, quantities, shares and the trading enumerations for people.</summary>
public static class TradingFormat
{
    /// <summary>The phone keyboard for prices and quantities (digits and a decimal point).</summary>
    public const MudBlazor.InputMode DecimalInput = MudBlazor.InputMode.@decimal;

    /// <summary>"12,345.67 USD".</summary>
    public static string Money(decimal value, string? currency = null) => currency is null ? value.ToString("N2") : $"{value:N2} {currency}";

    public static string Money(decimal? value, string? currency = null) => value is { } v ? Money(v, currency) : "—";

    /// <summary>An amount with its sign written out: "+1,234.50", "−12.00", "0.00" (colour only repeats it).</summary>
    public static string Signed(decimal value) => value.ToString("+#,##0.00;−#,##0.00;0.00");

    /// <summary>A fraction as a signed percentage: 0.0123 → "+1.23%".</summary>
    public static string SignedPercent(double? fraction) => fraction is { } f && double.IsFinite(f) ? f.ToString("+0.00%;−0.00%;0.00%") : "—";

    public static string Percent(double? fraction, string format = "0.0%") => fraction is { } f && double.IsFinite(f) ? f.ToString(format) : "—";

    /// <summary>A quantity without trailing zeros: 10, 2.5, 0.00012345.</summary>
    public static string Quantity(decimal value) => value.ToString("#,##0.########");

    /// <summary>A price: at least two decimals, up to four.</summary>
    public static string Price(decimal? value) => value is { } v ? v.ToString("#,##0.00##") : "—";

    public static string Number(double? value, string format = "0.00") => value is { } v && double.IsFinite(v) ? v.ToString(format) : "—";

    /// <summary>"up", "down" or "unchanged": what the colour of a change means, for the title and screen readers.</summary>
    public static string Direction(decimal value) => value > 0 ? "up" : value < 0 ? "down" : "unchanged";

    public static string CssOf(decimal value) => value > 0 ? "sb-up" : value < 0 ? "sb-down" : "";

    public static string CssOf(double? value) => value > 0 ? "sb-up" : value < 0 ? "sb-down" : "";

    public static string Side(OrderSide side) => side == OrderSide.Buy ? "Buy" : "Sell";

    public static string Type(OrderType type) => type switch
    {
        OrderType.Market => "Market",
        OrderType.Limit => "Limit",
        OrderType.StopLoss => "Stop",
        OrderType.StopLimit => "Stop-limit",
        OrderType.Twap => "TWAP",
        OrderType.Vwap => "VWAP",
        _ => type.ToString(),
    };

    public static string TimeInForce(TimeInForce tif) => tif == Portfolios.TimeInForce.Day ? "Day" : "Good till cancelled";

    /// <summary>The status as the one colour map knows it (open → info, filled → success, …).</summary>
    public static string StatusKey(OrderStatus s) => s switch
    {
        OrderStatus.Pending => "pending",
        OrderStatus.Open => "running",
        OrderStatus.PartiallyFilled => "running",
        OrderStatus.Filled => "completed",
        OrderStatus.Cancelled => "cancelled",
        _ => "rejected",
    };

    public static string Status(OrderStatus s) => s switch
    {
        OrderStatus.Pending => "Pending",
        OrderStatus.Open => "Open",
        OrderStatus.PartiallyFilled => "Partly filled",
        OrderStatus.Filled => "Filled",
        OrderStatus.Cancelled => "Cancelled",
        _ => "Rejected",
    };

    public static string Broker(string plugin) => plugin == BrokerPlugins.Alpaca ? "Alpaca" : "Paper";

    /// <summary>Parses what a person typed as a number, in the invariant culture (a dot for decimals). Empty is null.</summary>
    public static bool TryParseDecimal(string? text, out decimal? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (decimal.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var v))
        {
            value = v;
            return true;
        }
        return false;
    }

    /// <summary>A decimal written back for a text field, invariant, without trailing zeros.</summary>
    public static string Invariant(decimal? value) => value is { } v ? v.ToString("0.########", CultureInfo.InvariantCulture) : "";
}
