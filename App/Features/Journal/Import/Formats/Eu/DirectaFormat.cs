namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Directa SIM's movements export (Italian): a preamble ("Conto :", "Data estrazione :", …) before the header,
/// dates only (Rome), "Acquisto" buys and "Vendita" sells. There is no price column: the price is the euro amount ÷
/// quantity, and the commission is not given apart from it.
/// </summary>
public sealed class DirectaFormat : IBrokerFileFormat
{
    public string Id => "directa-csv";
    public string Broker => "Directa";

    public int Detect(ImportFile file)
    {
        var head = file.Head;
        return head.Contains("Data operazione,Data valuta,Tipo operazione", StringComparison.OrdinalIgnoreCase)
            && head.Contains("Riferimento ordine", StringComparison.OrdinalIgnoreCase) ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Rome");
        var table = EuCsv.Read(file, ',', h => h.Length > 2 && h[0].Trim().Equals("Data operazione", StringComparison.OrdinalIgnoreCase));
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Tipo operazione"]?.ToLowerInvariant();
            FillSide? side = type switch { "acquisto" => FillSide.Buy, "vendita" => FillSide.Sell, _ => null };
            if (side is null)
            {
                string? kind = type switch
                {
                    null => null,
                    _ when type.StartsWith("rit", StringComparison.Ordinal) || type.Contains("imposta") || type.Contains("bollo") => "tax",
                    _ when type.Contains("provento") || type.Contains("dividend") => "dividend",
                    _ when type.Contains("cedola") || type.Contains("coupon") => "coupon",
                    _ when type.Contains("bonifico") || type.Contains("conferimento") => "deposit",
                    _ when type.Contains("prelievo") => "withdrawal",
                    _ when type.Contains("interessi") => "interest",
                    _ when type.Contains("commission") || type.Contains("spese") => "fee",
                    _ => null,
                };
                if (kind is null) result.Problem(row.Line, type is null ? "no operation type" : $"unknown operation type '{row["Tipo operazione"]}'", "Tipo operazione");
                else result.Skip(kind);
                continue;
            }
            if (!EuCsv.TryDate(row["Data operazione"], out var date, "dd-MM-yyyy", "d-M-yyyy"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Data operazione"]}'", "Data operazione");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantità"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Importo euro"], out var amount))
            {
                result.Problem(row.Line, "unreadable quantity or amount", "Quantità");
                continue;
            }
            var isin = row["Isin"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = row["Ticker"] ?? isin ?? "",
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Descrizione"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = Math.Round(Math.Abs(amount) / Math.Abs(qty), 6),
                Currency = EuCsv.Currency(row["Divisa"]) ?? "EUR",
                ExecutedAt = EuCsv.ToUtc(date, zone),
                DateOnly = true,
                OrderId = row["Riferimento ordine"],
                Raw = row.Raw,
            });
        }
        return result.Finish(newestFirst: true, idsFromOrders: true);
    }
}
