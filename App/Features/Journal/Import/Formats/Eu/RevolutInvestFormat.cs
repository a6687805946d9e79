namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Revolut's stock trading statement: ISO times in UTC, "BUY - MARKET" / "SELL - LIMIT" types, prices and totals
/// written with a currency sign ("$52.07", "€88.94"). The statement gives no fees.
/// </summary>
public sealed class RevolutInvestFormat : IBrokerFileFormat
{
    public string Id => "revolut-invest-csv";
    public string Broker => "Revolut (stocks)";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Date", "Ticker", "Type", "Quantity", "Price per share", "Total Amount", "Currency", "FX Rate");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Type"]?.ToUpperInvariant() ?? "";
            FillSide? side = type.StartsWith("BUY", StringComparison.Ordinal) ? FillSide.Buy
                : type.StartsWith("SELL", StringComparison.Ordinal) ? FillSide.Sell : null;
            if (side is null)
            {
                result.Skip(type switch
                {
                    _ when type.Contains("DIVIDEND") => "dividend",
                    _ when type.Contains("TOP-UP") => "deposit",
                    _ when type.Contains("WITHDRAWAL") => "withdrawal",
                    _ when type.Contains("FEE") => "fee",
                    _ when type.Contains("SPLIT") => "split",
                    _ when type.Contains("TRANSFER") => "transfer",
                    _ => "other",
                });
                continue;
            }
            if (!DateTimeOffset.TryParse(row["Date"], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
            {
                result.Problem(row.Line, $"unreadable date '{row["Date"]}'", "Date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantity"], out var qty) || qty == 0)
            {
                result.Problem(row.Line, $"unreadable quantity '{row["Quantity"]}'", "Quantity");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Price per share"], out var price))
            {
                result.Problem(row.Line, $"unreadable price '{row["Price per share"]}'", "Price per share");
                continue;
            }
            var symbol = row["Ticker"];
            var currency = EuCsv.Currency(row["Currency"]) ?? EuCsv.CurrencyOfAmount(row["Price per share"]);
            if (symbol is null || currency is null)
            {
                result.Problem(row.Line, "no ticker or currency", symbol is null ? "Ticker" : "Currency");
                continue;
            }
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = symbol,
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Currency = currency,
                ExecutedAt = at.ToUniversalTime(),
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
