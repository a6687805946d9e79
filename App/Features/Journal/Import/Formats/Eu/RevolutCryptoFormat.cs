namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Revolut's crypto account statement: amounts carry their currency ("89,162.28 SEK", "€10.00", "$0.24") and
/// dates read "May 5, 2020, 10:10:57 PM". The statement does not say its time zone; it is taken as London time
/// (Revolut's home) unless the import says otherwise. Send, receive and staking rows are not trades.
/// </summary>
public sealed class RevolutCryptoFormat : IBrokerFileFormat
{
    public string Id => "revolut-crypto-csv";
    public string Broker => "Revolut (crypto)";

    public int Detect(ImportFile file)
    {
        var names = EuCsv.Names(EuCsv.FirstLine(file), ',');
        return names.SetEquals(["Symbol", "Type", "Quantity", "Price", "Value", "Fees", "Date"]) ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/London");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        foreach (var row in table.Rows)
        {
            var type = row["Type"]?.ToLowerInvariant() ?? "";
            FillSide? side = type switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Skip(type switch
                {
                    "send" or "receive" => "transfer",
                    "stake" or "unstake" => "staking",
                    "staking reward" or "reward" or "learn reward" => "reward",
                    _ => "other",
                });
                continue;
            }
            if (!EuCsv.TryDate(row["Date"], out var local, "MMM d, yyyy, h:mm:ss tt", "MMM d, yyyy, hh:mm:ss tt"))
            {
                result.Problem(row.Line, $"unreadable date '{row["Date"]}'", "Date");
                continue;
            }
            if (!EuCsv.TryDecimal(row["Quantity"], out var qty) || qty == 0)
            {
                result.Problem(row.Line, $"unreadable quantity '{row["Quantity"]}'", "Quantity");
                continue;
            }
            var currency = EuCsv.CurrencyOfAmount(row["Price"]);
            if (!EuCsv.TryDecimal(row["Price"], out var price) || currency is null)
            {
                result.Problem(row.Line, $"unreadable price '{row["Price"]}'", "Price");
                continue;
            }
            EuCsv.TryDecimal(row["Fees"], out var fee);
            var fees = EuCsv.Convert(Math.Abs(fee), EuCsv.CurrencyOfAmount(row["Fees"]) ?? currency, currency, null);
            if (fees is null)
            {
                result.Problem(row.Line, "the fee is in another currency than the price", "Fees");
                continue;
            }
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = row["Symbol"] ?? "",
                Side = side.Value,
                Quantity = Math.Abs(qty),
                Price = price,
                Fees = fees.Value,
                Currency = currency,
                AssetType = FillAssetType.Crypto,
                ExecutedAt = EuCsv.ToUtc(local, zone),
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
