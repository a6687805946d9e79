namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Swissquote's transactions export: ';'-separated, dot decimals, Zurich times. Buy and Sell rows give quantity,
/// unit price and costs; one order can fill in several rows (same Order #).
/// </summary>
public sealed class SwissquoteFormat : IBrokerFileFormat
{
    public string Id => "swissquote-csv";
    public string Broker => "Swissquote";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ';', "Date", "Order #", "Transaction", "Symbol", "ISIN", "Quantity", "Unit price", "Costs", "Net Amount");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Zurich");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Transaction"]?.ToLowerInvariant() ?? "";
            FillSide? side = type switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip(type switch
                {
                    _ when type.Contains("forex") => "fx",
                    _ when type.Contains("dividend") => "dividend",
                    _ when type.Contains("interest") => "interest",
                    _ when type.Contains("fee") => "fee",
                    _ when type == "debit" || type.Contains("withdrawal") => "withdrawal",
                    _ when type == "credit" || type.Contains("payment") => "deposit",
                    _ when type.Contains("tax") => "tax",
                    _ => "other",
                });
                continue;
            }
            if (!EuCsv.TryDate(row["Date"], out var local, "dd-MM-yyyy HH:mm:ss", "dd-MM-yyyy HH:mm"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Date"]}'", "Date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantity"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Unit price"], out var price))
            {
                result.Problem(row.Line, "unreadable quantity or price", "Quantity");
                continue;
            }
            EuCsv.TryDecimal(row["Costs"], out var costs);
            var isin = row["ISIN"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = row["Symbol"] ?? isin ?? "",
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Name"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = Math.Abs(costs),
                Currency = EuCsv.Currency(row["Currency"]) ?? "CHF",
                ExecutedAt = EuCsv.ToUtc(local, zone),
                OrderId = row["Order #"],
                Raw = row.Raw,
            });
        }
        return result.Finish(newestFirst: true, idsFromOrders: true);
    }
}
