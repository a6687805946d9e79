namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Desjardins Online Brokerage (Disnat) transactions export (French, Canadian): dates only (Toronto/Montréal),
/// "ACHAT" buys and "VENTE" sells (negative quantity), comma decimals, "CAN" for Canadian dollars. Symbols of the
/// Canadian market carry a "-C" suffix that the account's other rows (dividends) do not, so it is dropped and the
/// market kept as the venue.
/// </summary>
public sealed class DisnatFormat : IBrokerFileFormat
{
    public string Id => "disnat-csv";
    public string Broker => "Disnat";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Date de transaction", "Date de règlement", "Type de transaction", "Symbole", "Quantité", "Prix", "Commission payée");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("America/Toronto");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Type de transaction"]?.ToUpperInvariant() ?? "";
            FillSide? side = type switch { "ACHAT" => FillSide.Buy, "VENTE" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip(type switch
                {
                    _ when type.Contains("DIVIDENDE") => "dividend",
                    _ when type.Contains("INTÉRÊT") => "interest",
                    _ when type.Contains("TAXE") => "tax",
                    _ when type.Contains("FRAIS") => "fee",
                    _ when type.Contains("COTISATION") || type.Contains("SUBVENTION") || type.Contains("INCITATIF") => "deposit",
                    _ when type.Contains("RÉSILIATION") || type.Contains("RETRAIT") => "withdrawal",
                    _ when type.Contains("TRANSFERT") => "transfer",
                    _ => "other",
                });
                continue;
            }
            if (!EuCsv.TryDate(row["Date de transaction"], out var date, "yyyy-MM-dd"))
            {
                result.Problem(row.Line, $"unreadable transaction date '{row["Date de transaction"]}'", "Date de transaction");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantité"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Prix"], out var price))
            {
                result.Problem(row.Line, "unreadable quantity or price", "Quantité");
                continue;
            }
            EuCsv.TryDecimal(row["Commission payée"], out var commission);
            var symbol = row["Symbole"] ?? "";
            var market = row["Marché"];
            if (market is "CAN" && symbol.EndsWith("-C", StringComparison.OrdinalIgnoreCase)) symbol = symbol[..^2];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = symbol,
                Name = row["Description"],
                Venue = market,
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = Math.Abs(commission),
                Currency = EuCsv.Currency(row["Devise du prix"]) ?? "CAD",
                ExecutedAt = EuCsv.ToUtc(date, zone),
                DateOnly = true,
                Raw = row.Raw,
            });
        }
        return result.Finish(newestFirst: true);
    }
}
