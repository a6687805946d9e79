namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Rabobank's investment account mutations (Dutch): ';'-separated, comma decimals, date plus time (Amsterdam).
/// "Koop …" buys and "Verkoop …" sells (negative volume); Koers is the price, "Valuta kosten €" the costs.
/// </summary>
public sealed class RabobankFormat : IBrokerFileFormat
{
    public string Id => "rabobank-csv";
    public string Broker => "Rabobank";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ';', "Portefeuille", "Naam", "Datum", "Type mutatie", "Volume", "Koers", "Isin code");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Amsterdam");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Type mutatie"]?.ToLowerInvariant() ?? "";
            FillSide? side = type.StartsWith("koop", StringComparison.Ordinal) ? FillSide.Buy
                : type.StartsWith("verkoop", StringComparison.Ordinal) ? FillSide.Sell : null;
            if (side is null)
            {
                result.Skip(type switch
                {
                    _ when type.Contains("dividend") => "dividend",
                    _ when type.Contains("storting") || type.Contains("opname") => "deposit",
                    _ when type.Contains("rente") => "interest",
                    _ when type.Contains("tarieven") || type.Contains("kosten") => "fee",
                    _ => "other",
                });
                continue;
            }
            var time = row["Tijd"];
            if (!EuCsv.TryDate(time is null ? row["Datum"] : $"{row["Datum"]} {time}", out var local,
                    "dd-MM-yyyy HH:mm:ss.fff", "dd-MM-yyyy HH:mm:ss", "dd-MM-yyyy"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Datum"]} {time}'", "Datum");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Volume"], out var qty, ',') || qty == 0 || !EuCsv.TryDecimal(row["Koers"], out var price, ','))
            {
                result.Problem(row.Line, "unreadable volume or price", "Volume");
                continue;
            }
            EuCsv.TryDecimal(row["Valuta kosten €"], out var costs, ',');
            var isin = row["Isin code"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = isin ?? row["Naam"] ?? "",
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Naam"],
                Venue = row["Beurs"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = Math.Abs(costs),
                Currency = EuCsv.Currency(row["Valuta koers"]) ?? "EUR",
                ExecutedAt = EuCsv.ToUtc(local, zone),
                DateOnly = time is null,
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
