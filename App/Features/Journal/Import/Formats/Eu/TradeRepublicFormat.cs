namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Trade Republic transactions export (as written by the Dutch app, also with English type names): ';'-separated,
/// one net amount per row and no price column, so the price is derived as (|net| − costs for a buy, + costs for a
/// sell) ÷ shares. Older rows give only a date and comma decimals; newer ones an ISO time (Berlin) and dot decimals.
/// The file gives no currency: Trade Republic accounts are in euro.
/// </summary>
public sealed class TradeRepublicFormat : IBrokerFileFormat
{
    public string Id => "traderepublic-csv";
    public string Broker => "Trade Republic";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ';', "Datum", "Transactietype", "Waarde (netto)", "ISIN", "Aantal", "Kosten", "Belasting");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Berlin");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Transactietype"]?.ToLowerInvariant();
            FillSide? side = type switch
            {
                "aankoop" or "buy" or "kauf" or "spaarplan" or "savings plan" => FillSide.Buy,
                "verkoop" or "sell" or "verkauf" => FillSide.Sell,
                _ => null,
            };
            if (side is null)
            {
                var kind = type switch
                {
                    "storting" or "deposit" or "einzahlung" => "deposit",
                    "onttrekking" or "withdrawal" or "auszahlung" => "withdrawal",
                    "dividend" or "dividende" or "uitkering" => "dividend",
                    "rente" or "interest" or "zinsen" => "interest",
                    "kosten" or "fee" => "fee",
                    _ => null,
                };
                if (kind is null) result.Problem(row.Line, $"unknown transaction type '{row["Transactietype"]}'", "Transactietype");
                else result.Skip(kind);
                continue;
            }
            var dateText = row["Datum"];
            var dateOnly = dateText?.Length == 10;
            if (!EuCsv.TryDate(dateText, out var local, "yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF"))
            {
                result.Problem(row.Line, $"unreadable date '{dateText}'", "Datum");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Aantal"], out var qty) || qty == 0)
            {
                result.Problem(row.Line, $"unreadable number of shares '{row["Aantal"]}'", "Aantal");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Waarde (netto)"], out var net))
            {
                result.Problem(row.Line, $"unreadable amount '{row["Waarde (netto)"]}'", "Waarde (netto)");
                continue;
            }
            var isin = row["ISIN"];
            if (isin is null)
            {
                result.Problem(row.Line, "no ISIN", "ISIN");
                continue;
            }
            EuCsv.TryDecimal(row["Kosten"], out var costs);
            EuCsv.TryDecimal(row["Belasting"], out var tax);
            var fees = Math.Abs(costs) + Math.Abs(tax);
            var gross = side == FillSide.Buy ? Math.Abs(net) - fees : Math.Abs(net) + fees;
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = isin,
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Opmerking"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = Math.Round(gross / Math.Abs(qty), 6),
                Fees = fees,
                Currency = "EUR",
                ExecutedAt = EuCsv.ToUtc(local, zone),
                DateOnly = dateOnly,
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
