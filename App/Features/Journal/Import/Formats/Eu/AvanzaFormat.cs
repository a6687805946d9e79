namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Avanza's transactions export (Swedish): ';'-separated, comma decimals, dates only (Stockholm). "Köp" buys and
/// "Sälj" sells (negative Antal); Kurs is the price in the instrument's currency and Courtage the commission in SEK,
/// converted with Valutakurs (SEK per unit of the instrument currency) when the instrument is foreign.
/// </summary>
public sealed class AvanzaFormat : IBrokerFileFormat
{
    public string Id => "avanza-csv";
    public string Broker => "Avanza";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ';', "Datum", "Konto", "Typ av transaktion", "Värdepapper/beskrivning", "Antal", "Kurs", "Belopp");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Stockholm");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Typ av transaktion"]?.ToLowerInvariant() ?? "";
            FillSide? side = type switch { "köp" => FillSide.Buy, "sälj" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip(type switch
                {
                    "insättning" => "deposit",
                    "uttag" => "withdrawal",
                    "utdelning" => "dividend",
                    "ränta" => "interest",
                    _ when type.Contains("skatt") => "tax",
                    _ => "other",
                });
                continue;
            }
            if (!EuCsv.TryDate(row["Datum"], out var date, "yyyy-MM-dd"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Datum"]}'", "Datum");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Antal"], out var qty, ',') || qty == 0 || !EuCsv.TryDecimal(row["Kurs"], out var price, ','))
            {
                result.Problem(row.Line, "unreadable quantity or price", "Antal");
                continue;
            }
            var currency = EuCsv.Currency(row["Instrumentvaluta"]) ?? EuCsv.Currency(row["Transaktionsvaluta"]) ?? "SEK";
            EuCsv.TryDecimal(row["Courtage (SEK)"], out var commission, ',');
            decimal? sekPerUnit = EuCsv.TryDecimal(row["Valutakurs"], out var rate, ',') && rate > 0 ? 1 / rate : null;
            var fees = EuCsv.Convert(Math.Abs(commission), "SEK", currency, sekPerUnit);
            if (fees is null)
            {
                result.Problem(row.Line, $"the commission is in SEK and the price in {currency}, with no exchange rate", "Courtage (SEK)");
                continue;
            }
            var isin = row["ISIN"];
            var name = row["Värdepapper/beskrivning"];
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = isin ?? name ?? "",
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = name,
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = fees.Value,
                Currency = currency,
                ExecutedAt = EuCsv.ToUtc(date, zone),
                DateOnly = true,
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
