using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// DEGIRO's account statement ("Rekeningoverzicht" / "Account statement"): one row per cash movement, in the
/// user's language. Trades are rows whose description reads "Koop 10 @ 12,34 EUR" (NL), "Buy 5 HP Inc@21.31 USD"
/// (EN), "Compra 1 X@77,3 EUR (ISIN)" (PT), "Achat …" (FR); their fees are separate rows with the same Order Id, in
/// the account currency, converted with the order's FX row when the trade is in another currency. The layout is
/// fixed whatever the language: date, time, value date, product, ISIN, description, FX, currency, amount, balance
/// currency, balance, order id. Newest rows come first; an order id too long for its cell continues on a row of
/// its own.
/// </summary>
public sealed partial class DegiroFormat : IBrokerFileFormat
{
    private const int CDate = 0, CTime = 1, CProduct = 3, CIsin = 4, CDescription = 5, CFx = 6, CCurrency = 7, CAmount = 8, COrder = 11;

    public string Id => "degiro-csv";
    public string Broker => "DEGIRO";

    public int Detect(ImportFile file)
    {
        var header = EuCsv.FirstLine(file).Split(',');
        if (header.Length < 12) return 0;
        var isin = header[CIsin].Trim().EndsWith("ISIN", StringComparison.OrdinalIgnoreCase);
        var blanks = header[8].Trim().Length == 0 && header[10].Trim().Length == 0;
        var order = header[COrder].Contains("Ord", StringComparison.OrdinalIgnoreCase);
        return isin && blanks && order ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Amsterdam");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        var rows = MergeContinuations(table.Rows);

        var trades = new List<(EuRow Row, ParsedFill Fill)>();
        var feeRows = new List<(EuRow Row, decimal Fee, string? Currency)>();
        var fxRates = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var description = row.At(CDescription);
            var orderId = row.At(COrder);
            if (orderId is not null && EuCsv.TryDecimal(row.At(CFx), out var fx) && fx > 0) fxRates[orderId] = fx;
            if (description is null)
            {
                result.Problem(row.Line, "no description, so the row cannot be classified", table.Headers[CDescription]);
                continue;
            }
            var m = TradeText().Match(description);
            if (m.Success)
            {
                var prefix = m.Groups["prefix"].Value.ToLowerInvariant();
                if (prefix.Length > 0 && !(prefix.Contains("fund") || prefix.Contains("fonds") || prefix.Contains("geldmarkt")))
                {
                    result.Skip(prefix.Contains("dividend") ? "stock-dividend" : "corporate-action");
                    continue;
                }
                if (ReadTrade(row, m, zone, table, result) is { } fill) trades.Add((row, fill));
                continue;
            }
            var kind = Classify(description.ToLowerInvariant());
            if (kind == "fee" && orderId is not null && EuCsv.TryDecimal(row.At(CAmount), out var fee))
            {
                feeRows.Add((row, Math.Abs(fee), EuCsv.Currency(row.At(CCurrency))));
                continue;
            }
            result.Skip(kind);
        }

        // Fees of an order go to its first fill (oldest), in the fill's currency.
        var firstFillOfOrder = trades.Where(t => t.Fill.OrderId is not null)
            .GroupBy(t => t.Fill.OrderId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(t => t.Fill.ExecutedAt).ThenByDescending(t => t.Row.Line).First().Fill, StringComparer.Ordinal);
        var fees = new Dictionary<ParsedFill, decimal>(ReferenceEqualityComparer.Instance);
        foreach (var (row, fee, currency) in feeRows)
        {
            var orderId = row.At(COrder)!;
            if (!firstFillOfOrder.TryGetValue(orderId, out var fill))
            {
                result.Skip("fee");
                continue;
            }
            var converted = EuCsv.Convert(fee, currency, fill.Currency, fxRates.TryGetValue(orderId, out var r) ? r : null);
            if (converted is null)
            {
                result.Problem(row.Line, $"the fee is in {currency} and the trade in {fill.Currency}, and the order has no exchange rate to convert it", table.Headers[CCurrency]);
                continue;
            }
            fees[fill] = (fees.TryGetValue(fill, out var sum) ? sum : 0) + converted.Value;
        }
        foreach (var (_, fill) in trades)
        {
            result.Fills.Add(fees.TryGetValue(fill, out var f) ? fill with { Fees = f } : fill);
        }
        return result.Finish(newestFirst: true, idsFromOrders: true);
    }

    private ParsedFill? ReadTrade(EuRow row, Match m, TimeZoneInfo zone, EuTable table, EuParse result)
    {
        if (!EuCsv.TryDecimal(m.Groups["qty"].Value, out var qty) || qty <= 0)
        {
            result.Problem(row.Line, $"unreadable quantity '{m.Groups["qty"].Value}'", table.Headers[CDescription]);
            return null;
        }
        if (!EuCsv.TryDecimal(m.Groups["price"].Value, out var price))
        {
            result.Problem(row.Line, $"unreadable price '{m.Groups["price"].Value}'", table.Headers[CDescription]);
            return null;
        }
        if (!EuCsv.TryDate($"{row.At(CDate)} {row.At(CTime)}", out var local, "dd-MM-yyyy HH:mm", "dd-MM-yyyy H:mm", "dd/MM/yyyy HH:mm"))
        {
            result.Problem(row.Line, $"unreadable date '{row.At(CDate)} {row.At(CTime)}'", table.Headers[CDate]);
            return null;
        }
        var isin = row.At(CIsin) ?? (m.Groups["isin"].Success ? m.Groups["isin"].Value : null);
        if (isin is null)
        {
            result.Problem(row.Line, "no ISIN for the traded product", table.Headers[CIsin]);
            return null;
        }
        var verb = m.Groups["verb"].Value.ToLowerInvariant();
        return new ParsedFill
        {
            Line = row.Line,
            Symbol = isin,
            Isin = EuCsv.IsIsin(isin) ? isin : null,
            Name = row.At(CProduct),
            Side = verb is "koop" or "buy" or "compra" or "achat" or "kauf" or "acquisto" ? FillSide.Buy : FillSide.Sell,
            Quantity = qty,
            Price = price,
            Currency = m.Groups["cur"].Value.ToUpperInvariant(),
            ExecutedAt = EuCsv.ToUtc(local, zone),
            OrderId = row.At(COrder),
            Raw = row.Raw,
        };
    }

    /// <summary>A row with no date that only carries trailing cells continues the row before it (DEGIRO wraps long order ids).</summary>
    private static List<EuRow> MergeContinuations(List<EuRow> rows)
    {
        var merged = new List<EuRow>(rows.Count);
        foreach (var row in rows)
        {
            if (merged.Count > 0 && row.At(CDate) is null && row.At(CDescription) is null)
            {
                var previous = merged[^1];
                var fields = previous.Fields.ToArray();
                for (var i = 0; i < row.Fields.Length && i < fields.Length; i++)
                {
                    fields[i] += row.Fields[i].Trim();
                }
                merged[^1] = new EuRow(previous.Table, previous.Line, fields);
                continue;
            }
            merged.Add(row);
        }
        return merged;
    }

    private static string Classify(string d)
    {
        if (d.Contains("transactiekosten") || d.Contains("transaction and/or third") || d.Contains("transaction costs")
            || d.Contains("comissões de transação") || d.Contains("frais degiro de courtage") || d.Contains("transaktionsgebühr")
            || d.Contains("costes de transacción") || d.Contains("commissioni di transazione"))
        {
            return "fee";
        }
        if (d.Contains("belasting") || d.Contains("tax") || d.Contains("impôt") || d.Contains("imposto") || d.Contains("steuer")) return "tax";
        if (d.Contains("dividend") || d.Contains("distribution") || d.Contains("dividendo")) return "dividend";
        if (d.Contains("kosten") || d.Contains("fee") || d.Contains("custo") || d.Contains("frais") || d.Contains("connection")) return "fee";
        if (d.Contains("reservation")) return "transfer";
        if (d.Contains("valuta") || d.Contains("fx ") || d.Contains("divisa") || d.Contains("currency") || d.Contains("câmbio") || d.Contains("change")) return "fx";
        if (d.Contains("terugstorting") || d.Contains("withdrawal") || d.Contains("levantamento") || d.Contains("retrait") || d.Contains("retirada")) return "withdrawal";
        if (d.Contains("deposit") || d.Contains("storting") || d.Contains("depósito") || d.Contains("ingreso") || d.Contains("einzahlung")) return "deposit";
        if (d.Contains("interest") || d.Contains("rente") || d.Contains("juros") || d.Contains("intérêts") || d.Contains("zinsen")) return "interest";
        if (d.Contains("sweep") || d.Contains("overboeking") || d.Contains("transfer")) return "transfer";
        return "other";
    }

    [GeneratedRegex(@"^\s*(?:(?<prefix>[^:@]*?)\s*:\s*)?(?<verb>Koop|Verkoop|Buy|Sell|Compra|Venda|Achat|Vente|Kauf|Verkauf|Acquisto|Vendita|Venta)\s+(?<qty>\d{1,3}(?:[ \u00A0\u202F]\d{3})+(?:[.,]\d+)?|\d[\d.,]*)(?:\s+(?<name>[^@]*?))?\s*(?:@|\bat\b)\s*(?<price>-?[\d.,]+)\s*(?<cur>[A-Za-z]{3})\b(?:\s*\((?<isin>[A-Z0-9]{12})\))?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TradeText();
}
