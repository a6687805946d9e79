namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Finpension's transactions export (pillar 3a and vested benefits / BVG share the layout): ';'-separated, dates
/// only (Zurich). 3a writes "Buy"/"Sell", BVG "Portfolio Transaction" with the direction in the sign of the shares.
/// The price is "Asset Price in CHF"; the fund fees are charged separately ("Flat-rate administrative fee").
/// </summary>
public sealed class FinpensionFormat : IBrokerFileFormat
{
    public string Id => "finpension-csv";
    public string Broker => "Finpension";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ';', "Date", "Category", "Asset Name", "ISIN", "Number of Shares", "Asset Price in CHF", "Cash Flow");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Zurich");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var category = row["Category"]?.ToLowerInvariant() ?? "";
            if (category is not ("buy" or "sell" or "portfolio transaction"))
            {
                result.Skip(category switch
                {
                    _ when category.Contains("dividend") => "dividend",
                    _ when category.Contains("interest") => "interest",
                    _ when category.Contains("fee") => "fee",
                    _ when category.Contains("deposit") => "deposit",
                    _ when category.Contains("transfer") => "transfer",
                    _ when category.Contains("withdrawal") || category.Contains("payout") => "withdrawal",
                    _ => "other",
                });
                continue;
            }
            if (!EuCsv.TryDate(row["Date"], out var date, "yyyy-MM-dd"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Date"]}'", "Date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Number of Shares"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Asset Price in CHF"], out var price))
            {
                result.Problem(row.Line, "unreadable number of shares or price", "Number of Shares");
                continue;
            }
            var side = category switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => qty > 0 ? FillSide.Buy : FillSide.Sell };
            var isin = row["ISIN"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = isin ?? row["Asset Name"] ?? "",
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Asset Name"],
                Side = side,
                Quantity = Math.Abs(qty),
                Price = price,
                Currency = "CHF",
                ExecutedAt = EuCsv.ToUtc(date, zone),
                DateOnly = true,
                Raw = row.Raw,
            });
        }
        return result.Finish(newestFirst: true);
    }
}
