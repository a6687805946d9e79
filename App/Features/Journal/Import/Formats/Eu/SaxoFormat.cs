using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Saxo Bank's account transactions export: a trade row says "Buy 3 @ 139.74 USD" (or Dutch "Koop …") in its Event
/// column and gives the booked amount, so the fees are the difference between that amount and quantity × price.
/// Dates only (Copenhagen); the symbol is "TICKER:venue".
/// </summary>
public sealed partial class SaxoFormat : IBrokerFileFormat
{
    public string Id => "saxo-csv";
    public string Broker => "Saxo";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Trade Date", "Value Date", "Instrument ISIN", "Instrument Symbol", "Event", "Amount", "Conversion Rate");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Copenhagen");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var ev = row["Event"] ?? "";
            var m = TradeText().Match(ev);
            if (!m.Success)
            {
                var e = ev.ToLowerInvariant();
                var type = row["Type"]?.ToLowerInvariant() ?? "";
                if (type is "trade" or "transactie")
                {
                    result.Problem(row.Line, $"unreadable trade event '{ev}'", "Event");
                    continue;
                }
                result.Skip(e.Contains("dividend") ? "dividend" : e.Contains("deposit") ? "deposit" : e.Contains("withdrawal") ? "withdrawal"
                    : e.Contains("fee") ? "fee" : e.Contains("interest") ? "interest" : "other");
                continue;
            }
            if (!EuCsv.TryDate(row["Trade Date"], out var date, "dd-MMM-yyyy", "d-MMM-yyyy", "yyyy-MM-dd"))
            {
                result.Problem(row.Line, $"unreadable trade date '{row["Trade Date"]}'", "Trade Date");
                continue;
            }
            if (!EuCsv.TryDecimal(m.Groups["qty"].Value, out var qty) || qty == 0 || !EuCsv.TryDecimal(m.Groups["price"].Value, out var price))
            {
                result.Problem(row.Line, $"unreadable quantity or price in '{ev}'", "Event");
                continue;
            }
            var side = m.Groups["verb"].Value.ToLowerInvariant() is "buy" or "koop" or "kauf" or "achat" ? FillSide.Buy : FillSide.Sell;
            var fees = 0m;
            if (EuCsv.TryDecimal(row["Amount"], out var amount))
            {
                fees = side == FillSide.Buy ? Math.Abs(amount) - qty * price : qty * price - Math.Abs(amount);
                if (fees < 0) fees = 0;
            }
            var symbolText = row["Instrument Symbol"];
            var isin = row["Instrument ISIN"];
            var symbol = symbolText?.Split(':')[0] ?? isin;
            if (symbol is null)
            {
                result.Problem(row.Line, "no symbol or ISIN", "Instrument Symbol");
                continue;
            }
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = symbol,
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Instrument"],
                Venue = symbolText?.Contains(':') == true ? symbolText.Split(':')[1] : row["Exchange Description"],
                Side = side,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = fees,
                Currency = m.Groups["cur"].Value.ToUpperInvariant(),
                ExecutedAt = EuCsv.ToUtc(date, zone),
                DateOnly = true,
                OrderId = row["Order ID"],
                Raw = row.Raw,
            });
        }
        return result.Finish(newestFirst: true, idsFromOrders: true);
    }

    [GeneratedRegex(@"^\s*(?<verb>Buy|Sell|Koop|Verkoop|Kauf|Verkauf|Achat|Vente)\s+(?<qty>-?[\d.,]+)\s*@\s*(?<price>[\d.,]+)\s+(?<cur>[A-Za-z]{3})\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TradeText();
}
