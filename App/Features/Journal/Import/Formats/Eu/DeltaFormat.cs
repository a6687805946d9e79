namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Delta (portfolio tracker) CSV: one row per movement with an explicit UTC offset, "BUY"/"SELL" of a base asset
/// paid in a quote currency; the price is quote amount ÷ base amount. A fee in a third currency (e.g. BNB on a
/// BTC-quoted trade) cannot be expressed in the fill's currency, so such a row is reported rather than imported
/// without its fee.
/// </summary>
public sealed class DeltaFormat : IBrokerFileFormat
{
    public string Id => "delta-csv";
    public string Broker => "Delta";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Date", "Way", "Base amount", "Base currency (name)", "Base type", "Quote amount", "Quote currency");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var way = row["Way"]?.ToUpperInvariant() ?? "";
            FillSide? side = way switch { "BUY" => FillSide.Buy, "SELL" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip(way switch
                {
                    "DEPOSIT" => "deposit",
                    "WITHDRAW" or "WITHDRAWAL" => "withdrawal",
                    "DIVIDEND" => "dividend",
                    "TRANSFER" => "transfer",
                    _ => "other",
                });
                continue;
            }
            if (!DateTimeOffset.TryParseExact(row["Date"], ["yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-ddTHH:mm:sszzz"], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out var at))
            {
                result.Problem(row.Line, $"unreadable date '{row["Date"]}'", "Date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Base amount"], out var qty) || qty == 0 || !EuCsv.TryDecimal(row["Quote amount"], out var total))
            {
                result.Problem(row.Line, "unreadable base or quote amount", "Base amount");
                continue;
            }
            var currency = Code(row["Quote currency"]);
            if (currency is null)
            {
                result.Problem(row.Line, "no quote currency", "Quote currency");
                continue;
            }
            var fees = 0m;
            if (EuCsv.TryDecimal(row["Fee amount"], out var fee) && fee != 0)
            {
                var feeCurrency = Code(row["Fee currency (name)"]) ?? currency;
                if (!string.Equals(feeCurrency, currency, StringComparison.OrdinalIgnoreCase))
                {
                    result.Problem(row.Line, $"the fee is in {feeCurrency} and the trade is priced in {currency}; it cannot be converted", "Fee currency (name)");
                    continue;
                }
                fees = Math.Abs(fee);
            }
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = Code(row["Base currency (name)"]) ?? "",
                Venue = row["Exchange"],
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = Math.Round(Math.Abs(total) / Math.Abs(qty), 8),
                Fees = fees,
                Currency = currency,
                AssetType = string.Equals(row["Base type"], "CRYPTO", StringComparison.OrdinalIgnoreCase) ? FillAssetType.Crypto : FillAssetType.Equity,
                ExecutedAt = at.ToUniversalTime(),
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }

    /// <summary>"SOL (Solana)" → "SOL".</summary>
    private static string? Code(string? text)
    {
        var s = EuCsv.NullIfBlank(text);
        if (s is null) return null;
        var paren = s.IndexOf('(');
        return (paren > 0 ? s[..paren] : s).Trim().ToUpperInvariant();
    }
}
