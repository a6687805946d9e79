namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// BUX's transaction export: times in Central European time (the header says CET), trades as "Buy Trade" /
/// "Sell Trade" with quantity and price in the asset's currency; a trade's fee is a separate "Trading Fee" row for the
/// same asset within seconds (in the account currency, converted with the trade's exchange rate when it differs).
/// "Order Partial Id" in the description identifies a partial fill.
/// </summary>
public sealed class BuxFormat : IBrokerFileFormat
{
    public string Id => "bux-csv";
    public string Broker => "BUX";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Transaction Time (CET)", "Transaction Category", "Transaction Type", "Asset Id", "Asset Quantity", "Asset Price");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Amsterdam");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        var fees = new List<(EuRow Row, DateTime At, decimal Fee, string? Currency)>();
        var trades = new List<(DateTime At, ParsedFill Fill, decimal? Rate)>();
        foreach (var row in table.Rows)
        {
            var category = row["Transaction Category"]?.ToLowerInvariant() ?? "";
            var type = row["Transaction Type"]?.ToLowerInvariant() ?? "";
            EuCsv.TryDate(row["Transaction Time (CET)"], out var local, "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss");
            if (category == "fees" && type == "trading fee" && EuCsv.TryDecimal(row["Transaction Amount"], out var fee) && row["Asset Id"] is not null)
            {
                fees.Add((row, local, Math.Abs(fee), EuCsv.Currency(row["Transaction Currency"])));
                continue;
            }
            if (category != "trades")
            {
                result.Skip(category switch
                {
                    "deposits" => "deposit",
                    "withdrawals" => "withdrawal",
                    "dividends" => "dividend",
                    "interest" => "interest",
                    "fees" => "fee",
                    "corporate_actions" => "corporate-action",
                    _ => "other",
                });
                continue;
            }
            FillSide? side = type switch { "buy trade" => FillSide.Buy, "sell trade" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Problem(row.Line, $"unknown trade type '{row["Transaction Type"]}'", "Transaction Type");
                continue;
            }
            if (local == default)
            {
                result.Problem(row.Line, $"unreadable time '{row["Transaction Time (CET)"]}'", "Transaction Time (CET)");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Asset Quantity"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Asset Price"], out var price))
            {
                result.Problem(row.Line, "unreadable quantity or price", "Asset Quantity");
                continue;
            }
            var isin = row["Asset Id"];
            var currency = EuCsv.Currency(row["Asset Currency"]);
            if (isin is null || currency is null)
            {
                result.Problem(row.Line, "no asset or currency", isin is null ? "Asset Id" : "Asset Currency");
                continue;
            }
            var description = row["Transaction Description"];
            const string partial = "Order Partial Id:";
            var partialId = description?.StartsWith(partial, StringComparison.OrdinalIgnoreCase) == true ? description[partial.Length..].Trim() : null;
            trades.Add((local, new ParsedFill
            {
                Line = row.Line,
                Symbol = isin,
                Isin = EuCsv.IsIsin(isin) ? isin : null,
                Name = row["Asset Name"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Currency = currency,
                ExecutedAt = EuCsv.ToUtc(local, zone),
                ExternalTradeId = partialId,
                Raw = row.Raw,
            }, EuCsv.TryDecimal(row["Exchange Rate"], out var rate) ? rate : null));
        }

        // A fee goes to the trade of the same asset closest in time (within a minute).
        var feeOf = new decimal[trades.Count];
        foreach (var (row, at, fee, currency) in fees)
        {
            var best = -1;
            for (var i = 0; i < trades.Count; i++)
            {
                var gap = Math.Abs((trades[i].At - at).TotalSeconds);
                if (trades[i].Fill.Symbol == row["Asset Id"] && gap <= 60 && (best < 0 || gap < Math.Abs((trades[best].At - at).TotalSeconds))) best = i;
            }
            if (best < 0)
            {
                result.Skip("fee");
                continue;
            }
            var converted = EuCsv.Convert(fee, currency, trades[best].Fill.Currency, trades[best].Rate);
            if (converted is null)
            {
                result.Problem(row.Line, $"the fee is in {currency} and the trade in {trades[best].Fill.Currency}, with no exchange rate", "Transaction Currency");
                continue;
            }
            feeOf[best] += converted.Value;
        }
        for (var i = 0; i < trades.Count; i++)
        {
            result.Fills.Add(trades[i].Fill with { Fees = feeOf[i] });
        }
        return result.Finish();
    }
}
