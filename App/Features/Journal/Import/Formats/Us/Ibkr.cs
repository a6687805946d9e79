using System.Globalization;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// What the three Interactive Brokers formats share: IB's date spellings (Flex lets the user pick the date and time
/// format and separator), its asset categories, and the option terms of a Flex row.
/// </summary>
internal static class Ibkr
{
    public const string Broker = "Interactive Brokers";

    /// <summary>Date-and-time spellings Flex queries and activity statements use (the default first).</summary>
    public static readonly string[] DateTimeFormats =
    [
        "yyyyMMdd;HHmmss", "yyyyMMdd HHmmss", "yyyyMMdd;HH:mm:ss", "yyyy-MM-dd;HH:mm:ss", "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd, HH:mm:ss", "yyyy-MM-dd,HH:mm:ss", "yyyyMMdd HH:mm:ss", "MM/dd/yyyy;HH:mm:ss", "MM/dd/yyyy HH:mm:ss",
        "dd/MM/yyyy;HH:mm:ss",
    ];

    public static readonly string[] DateFormats = ["yyyyMMdd", "yyyy-MM-dd", "MM/dd/yyyy", "dd/MM/yyyy", "dd-MMM-yy", "yyMMdd"];

    /// <summary>
    /// The fill's time: a date-time column when the file has one, else the trade date (DateOnly), with a separate
    /// trade-time column joined when present. Local times are in the import's zone (IB writes the account's zone,
    /// Eastern by default).
    /// </summary>
    public static (DateTimeOffset At, bool DateOnly) When(string? dateTime, string? tradeDate, string? tradeTime, string dateTimeColumn, string dateColumn, TimeZoneInfo zone)
    {
        if (!string.IsNullOrWhiteSpace(dateTime))
        {
            return UsText.TryLocal(dateTime, DateTimeFormats, out var dt)
                ? (UsText.ToUtc(dt, zone), false)
                : UsText.TryLocal(dateTime, DateFormats, out var d0)
                    ? (UsText.ToUtc(d0, zone), true)
                    : throw new RowException(dateTimeColumn, $"'{dateTime}' is not a date and time (e.g. 20230103;101502)");
        }
        if (string.IsNullOrWhiteSpace(tradeDate))
        {
            throw new RowException(dateColumn, "is empty");
        }
        if (!UsText.TryLocal(tradeDate, DateFormats, out var date))
        {
            throw new RowException(dateColumn, $"'{tradeDate}' is not a date (e.g. 20230103)");
        }
        if (!string.IsNullOrWhiteSpace(tradeTime) && UsText.TryLocal(tradeTime, ["HHmmss", "HH:mm:ss"], out var time))
        {
            return (UsText.ToUtc(date.Date + time.TimeOfDay, zone), false);
        }
        return (UsText.ToUtc(date, zone), true);
    }

    /// <summary>STK, OPT, CASH, CRYPTO… as IB writes them in Flex (assetCategory/AssetClass).</summary>
    public static bool IsOption(string? category) => category is "OPT" or "FOP" || string.Equals(category, "Equity and Index Options", StringComparison.OrdinalIgnoreCase);

    public static bool IsForex(string? category) => category is "CASH" || string.Equals(category, "Forex", StringComparison.OrdinalIgnoreCase);

    public static bool IsCrypto(string? category) => string.Equals(category, "CRYPTO", StringComparison.OrdinalIgnoreCase) || string.Equals(category, "Crypto", StringComparison.OrdinalIgnoreCase);

    public static bool IsFuture(string? category) => category is "FUT" or "Futures";

    /// <summary>An option's terms from Flex fields (underlyingSymbol, expiry, strike, putCall, multiplier).</summary>
    public static OptionContract Option(string? underlying, string? symbol, string? expiry, string? strike, string? putCall, string? multiplier, Func<string, string> columnName)
    {
        if (!UsText.TryLocal(expiry, DateFormats, out var exp))
        {
            throw new RowException(columnName("expiry"), $"'{expiry}' is not an option expiry date");
        }
        if (!UsText.TryNumber(strike, out var k))
        {
            throw new RowException(columnName("strike"), $"'{strike}' is not an option strike");
        }
        var right = putCall?.Trim().ToUpperInvariant() switch
        {
            "C" or "CALL" => OptionRight.Call,
            "P" or "PUT" => OptionRight.Put,
            _ => throw new RowException(columnName("putCall"), $"'{putCall}' is neither C nor P"),
        };
        var mult = UsText.TryNumber(multiplier, out var m) && m > 0 ? m : 100m;
        var root = !string.IsNullOrWhiteSpace(underlying) ? underlying.Trim() : (symbol ?? "").Trim().Split(' ')[0];
        return new OptionContract(root, System.DateOnly.FromDateTime(exp), k, right, mult);
    }

    /// <summary>"BUY", "SELL", "BOT", "SLD"; cancellations ("BUY (Ca.)") return null.</summary>
    public static FillSide? Side(string? buySell, decimal quantity)
    {
        var s = buySell?.Trim().ToUpperInvariant() ?? "";
        if (s.Contains("(CA.)", StringComparison.Ordinal))
        {
            return null;
        }
        return s switch
        {
            "BUY" or "BOT" => FillSide.Buy,
            "SELL" or "SLD" => FillSide.Sell,
            _ => quantity >= 0 ? FillSide.Buy : FillSide.Sell,
        };
    }

    public static string Inv(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
