namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// InvestEngine's trading statement: "Name / ISIN …" in one column, prices in pounds ("£110.79"), London times as
/// dd/MM/yy HH:mm:ss. InvestEngine charges no dealing fees, and the file has no fee column.
/// </summary>
public sealed class InvestEngineFormat : IBrokerFileFormat
{
    public string Id => "investengine-csv";
    public string Broker => "InvestEngine";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Security / ISIN", "Transaction Type", "Quantity", "Share Price", "Total Trade Value", "Trade Date/Time");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/London");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Transaction Type"]?.ToLowerInvariant();
            FillSide? side = type switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip("other");
                continue;
            }
            if (!EuCsv.TryDate(row["Trade Date/Time"], out var local, "dd/MM/yy HH:mm:ss", "dd/MM/yyyy HH:mm:ss"))
            {
                result.Problem(row.Line, $"unreadable trade time '{row["Trade Date/Time"]}'", "Trade Date/Time");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantity"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Share Price"], out var price))
            {
                result.Problem(row.Line, "unreadable quantity or price", "Quantity");
                continue;
            }
            var security = row["Security / ISIN"] ?? "";
            var at = security.LastIndexOf("ISIN", StringComparison.OrdinalIgnoreCase);
            var isin = at >= 0 ? security[(at + 4)..].Trim() : null;
            var name = at >= 0 ? security[..at].Trim().TrimEnd('/').Trim() : security;
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = isin ?? name,
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = name,
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Currency = EuCsv.CurrencyOfAmount(row["Share Price"]) ?? "GBP",
                ExecutedAt = EuCsv.ToUtc(local, zone),
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
