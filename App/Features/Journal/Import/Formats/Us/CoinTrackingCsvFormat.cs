namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// CoinTracking trade list CSV ("Type","Buy","Cur.","Sell","Cur.","Fee","Cur.","Exchange","Group","Comment","Date",
/// "Tx-ID"; each "Cur." belongs to the amount before it). A Trade paying fiat buys the coin, one receiving fiat sells
/// it, and a coin-for-coin trade buys the received coin priced in the coin given. Staking, deposits, withdrawals…
/// are counted. Dates come as dd.MM.yyyy or ISO, in the import's zone (UTC unless chosen).
/// </summary>
public sealed class CoinTrackingCsvFormat : IBrokerFileFormat
{
    public string Id => "cointracking-csv";
    public string Broker => "CoinTracking";

    private static readonly string[] Dates = ["dd.MM.yyyy HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "dd.MM.yyyy HH:mm", "yyyy-MM-dd HH:mm", "dd.MM.yyyy", "yyyy-MM-dd"];

    public int Detect(ImportFile file)
    {
        var h = UsText.FirstHeader(file);
        return h.Length >= 11 && h[0] == "Type" && h[1] == "Buy" && h[2] == "Cur." && h[3] == "Sell" && h[5] == "Fee" ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(null);
        var (header, rows) = UsText.ReadTable(file, f => f.Length >= 11 && f[0] == "Type" && f[1] == "Buy", "CoinTracking");
        int buy = header.IndexOf("Buy"), sell = header.IndexOf("Sell"), fee = header.IndexOf("Fee");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var type = row.Text("Type");
                if (!type.Equals("Trade", StringComparison.OrdinalIgnoreCase))
                {
                    collector.Skip(type);
                    return;
                }
                string Cell(int i) => i < row.Fields.Length ? row.Fields[i] : "";
                decimal Amount(int i, string column) =>
                    UsText.TryNumber(Cell(i), out var v) ? Math.Abs(v) : throw new RowException(column, $"'{Cell(i)}' is not a number");
                var (buyAmount, buyCur) = (Amount(buy, "Buy"), Cell(buy + 1));
                var (sellAmount, sellCur) = (Amount(sell, "Sell"), Cell(sell + 1));
                if (buyAmount == 0 || sellAmount == 0)
                {
                    throw new RowException(buyAmount == 0 ? "Buy" : "Sell", "is zero");
                }
                var sold = UsText.IsFiat(buyCur) && !UsText.IsFiat(sellCur);
                var (symbol, side, quantity, price, currency) = sold
                    ? (sellCur, FillSide.Sell, sellAmount, buyAmount / sellAmount, buyCur)
                    : (buyCur, FillSide.Buy, buyAmount, sellAmount / buyAmount, sellCur);
                var feeAmount = UsText.TryNumber(Cell(fee), out var f) ? Math.Abs(f) : 0m;
                if (string.Equals(Cell(fee + 1), symbol, StringComparison.OrdinalIgnoreCase))
                {
                    feeAmount *= price;
                }
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = symbol,
                    Side = side,
                    Quantity = quantity,
                    Price = Math.Round(price, 10),
                    Fees = feeAmount,
                    ExecutedAt = UsText.ToUtc(row.Local("Date", Dates), zone),
                    Currency = currency,
                    AssetType = FillAssetType.Crypto,
                    Venue = row.Get("Exchange"),
                    ExternalTradeId = row.Get("Tx-ID"),
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }
}
