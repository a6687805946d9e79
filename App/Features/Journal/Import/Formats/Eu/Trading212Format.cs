namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Trading 212's history export. Columns vary by account and export date (fee and tax columns appear when used), so
/// fields are read by name. Trades are "Market/Limit/Stop/Stop limit buy|sell" (and "Equity rights", a paid
/// subscription). Price is per share in the instrument's currency; fees (conversion fee, stamp duty, French
/// transaction tax, FINRA fee, …) are in the account currency and are converted with the row's exchange rate (units
/// of instrument currency per account currency). Times are UTC: the newer export says "Time (UTC)", and the older
/// "Time" column matches US fills only as UTC (e.g. a limit sell at 14:26 in October, before 09:30 New York time if
/// it were London time).
/// </summary>
public sealed class Trading212Format : IBrokerFileFormat
{
    private static readonly string[] FeeColumns =
    [
        "Currency conversion fee", "Stamp duty reserve tax", "Stamp duty", "French transaction tax", "Finra fee",
        "Transaction fee", "Charge amount", "PTM levy",
    ];

    public string Id => "trading212-csv";
    public string Broker => "Trading 212";

    public int Detect(ImportFile file)
    {
        var names = EuCsv.Names(EuCsv.FirstLine(file), ',');
        return names.Contains("Action") && (names.Contains("Time") || names.Contains("Time (UTC)")) && names.Contains("No. of shares")
            && names.Contains("Price / share") ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var table = EuCsv.Read(file, ',');
        var explicitUtc = table.Has("Time (UTC)");
        var zone = explicitUtc ? TimeZoneInfo.Utc : options.ResolveZone("UTC");
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var action = row["Action"];
            var kind = Classify(action);
            if (kind is null)
            {
                result.Problem(row.Line, $"unknown action '{action}'", "Action");
                continue;
            }
            if (kind == "fx" && row["Notes"] is null && row["Total"] is null && row["Currency conversion from amount"] is null)
            {
                result.Problem(row.Line, "a currency conversion without amounts (its note is empty)", "Notes");
                continue;
            }
            if (kind != "trade")
            {
                result.Skip(kind);
                continue;
            }
            if (Read(row, table, zone, result) is { } fill) result.Fills.Add(fill);
        }
        return result.Finish();
    }

    private static ParsedFill? Read(EuRow row, EuTable table, TimeZoneInfo zone, EuParse result)
    {
        var timeColumn = table.Has("Time (UTC)") ? "Time (UTC)" : "Time";
        if (!EuCsv.TryDate(row[timeColumn], out var local, "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF"))
        {
            result.Problem(row.Line, $"unreadable time '{row[timeColumn]}'", timeColumn);
            return null;
        }
        if (!EuCsv.TryDecimal(row["No. of shares"], out var qty) || qty == 0)
        {
            result.Problem(row.Line, $"unreadable number of shares '{row["No. of shares"]}'", "No. of shares");
            return null;
        }
        if (!EuCsv.TryDecimal(row["Price / share"], out var price))
        {
            result.Problem(row.Line, $"unreadable price '{row["Price / share"]}'", "Price / share");
            return null;
        }
        var currency = EuCsv.Currency(row["Currency (Price / share)"]);
        var symbol = row["Ticker"] ?? row["ISIN"];
        if (currency is null || symbol is null)
        {
            result.Problem(row.Line, "no currency or instrument", currency is null ? "Currency (Price / share)" : "Ticker");
            return null;
        }
        decimal? rate = EuCsv.TryDecimal(row["Exchange rate"], out var r) ? r : null;
        var fees = 0m;
        foreach (var column in FeeColumns)
        {
            if (!EuCsv.TryDecimal(row[column], out var fee) || fee == 0) continue;
            var converted = EuCsv.Convert(Math.Abs(fee), EuCsv.Currency(row[$"Currency ({column})"]) ?? EuCsv.Currency(row["Currency (Total)"]), currency, rate);
            if (converted is null)
            {
                result.Problem(row.Line, $"the {column} cannot be converted to {currency} (no exchange rate)", column);
                return null;
            }
            fees += converted.Value;
        }
        var action = row["Action"]!.ToLowerInvariant();
        return new ParsedFill
        {
            Line = row.Line,
            Symbol = symbol,
            Isin = EuCsv.IsIsin(row["ISIN"]) ? row["ISIN"] : null,
            Name = row["Name"],
            Side = action.EndsWith("sell", StringComparison.Ordinal) ? FillSide.Sell : FillSide.Buy,
            Quantity = Math.Abs(qty),
            Price = price,
            Fees = fees,
            Currency = currency,
            ExecutedAt = EuCsv.ToUtc(local, zone),
            ExternalTradeId = row["ID"],
            Raw = row.Raw,
        };
    }

    private static string? Classify(string? action)
    {
        var a = action?.Trim().ToLowerInvariant() ?? "";
        return a switch
        {
            "market buy" or "limit buy" or "stop buy" or "stop limit buy" or "market sell" or "limit sell" or "stop sell" or "stop limit sell"
                or "equity rights" => "trade",
            "deposit" => "deposit",
            "withdrawal" => "withdrawal",
            "interest on cash" or "lending interest" => "interest",
            "currency conversion" => "fx",
            "card debit" or "card credit" or "spending cashback" => "card",
            "stock distribution" or "scrip stock dividends" => "stock-dividend",
            "stock split open" or "stock split close" => "split",
            "transfer in" or "transfer out" => "transfer",
            _ when a.StartsWith("dividend", StringComparison.Ordinal) => "dividend",
            _ when a.StartsWith("result adjustment", StringComparison.Ordinal) || a.StartsWith("custom", StringComparison.Ordinal) => "adjustment",
            _ => null,
        };
    }
}
