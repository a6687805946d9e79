namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Scalable Capital (Prime broker) transactions export: ';'-separated, comma decimals, a status per row. Only
/// executed Buy, Sell and Savings plan rows are fills; pending, cancelled or rejected orders are not. Fee plus tax
/// are the fill's costs. Times are Berlin wall-clock time.
/// </summary>
public sealed class ScalableCapitalFormat : IBrokerFileFormat
{
    public string Id => "scalable-capital-csv";
    public string Broker => "Scalable Capital";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ';', "date", "time", "status", "reference", "assetType", "type", "isin", "shares", "price", "fee", "tax");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Berlin");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["type"]?.ToLowerInvariant();
            var side = type switch
            {
                "buy" or "savings plan" => FillSide.Buy,
                "sell" => (FillSide?)FillSide.Sell,
                _ => null,
            };
            if (side is null)
            {
                var kind = type switch
                {
                    "deposit" => "deposit",
                    "withdrawal" => "withdrawal",
                    "distribution" or "dividend" => "dividend",
                    "interest" => "interest",
                    "fee" or "fees" => "fee",
                    "taxes" or "tax" => "tax",
                    "transfer" or "security transfer" => "transfer",
                    "corporate action" => "corporate-action",
                    _ => null,
                };
                if (kind is null) result.Problem(row.Line, $"unknown transaction type '{row["type"]}'", "type");
                else result.Skip(kind);
                continue;
            }
            var status = row["status"]?.ToLowerInvariant();
            if (status != "executed")
            {
                result.Skip(status is "pending" or "open" ? "pending-order" : "cancelled-order");
                continue;
            }
            if (!EuCsv.TryDate($"{row["date"]} {row["time"]}", out var local, "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"))
            {
                result.Problem(row.Line, $"unreadable date '{row["date"]} {row["time"]}'", "date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["shares"], out var qty, ',') || qty == 0)
            {
                result.Problem(row.Line, $"unreadable shares '{row["shares"]}'", "shares");
                continue;
            }
            if (!EuCsv.TryDecimal(row["price"], out var price, ','))
            {
                result.Problem(row.Line, $"unreadable price '{row["price"]}'", "price");
                continue;
            }
            var isin = row["isin"];
            if (isin is null)
            {
                result.Problem(row.Line, "no ISIN", "isin");
                continue;
            }
            EuCsv.TryDecimal(row["fee"], out var fee, ',');
            EuCsv.TryDecimal(row["tax"], out var tax, ',');
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = isin,
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["description"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = Math.Abs(fee) + Math.Abs(tax),
                Currency = EuCsv.Currency(row["currency"]) ?? "EUR",
                ExecutedAt = EuCsv.ToUtc(local, zone),
                ExternalTradeId = row["reference"],
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
