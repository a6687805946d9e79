namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Crypto.com App transaction history CSV ("Timestamp (UTC),Transaction Description,Currency,Amount,To Currency,To
/// Amount,Native Currency,Native Amount,Native Amount (in USD),Transaction Kind,Transaction Hash"). Trades are valued
/// in the native currency: crypto_exchange "A -> B" is a sell of A and a buy of B; crypto_purchase and
/// viban_purchase buy; crypto_viban_exchange and card_top_up sell crypto for fiat. Rewards, staking, transfers,
/// deposits and the automatic stablecoin wallet swaps are counted by kind. No fees or trade ids in the file.
/// </summary>
public sealed class CryptoComCsvFormat : IBrokerFileFormat
{
    public string Id => "cryptocom-csv";
    public string Broker => "Crypto.com";

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file), "Timestamp (UTC)", "Transaction Description", "Transaction Kind", "Native Amount") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "Timestamp (UTC)", "Transaction Kind"), "Crypto.com transactions");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () => Read(row, collector));
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, FillCollector collector)
    {
        var kind = row.Text("Transaction Kind");
        var legs = kind switch
        {
            "crypto_exchange" => (Sell: true, Buy: true, BuyFromTo: true),
            "crypto_purchase" or "viban_purchase" => (Sell: false, Buy: true, BuyFromTo: false),
            "crypto_viban_exchange" or "card_top_up" => (Sell: true, Buy: false, BuyFromTo: false),
            _ => (Sell: false, Buy: false, BuyFromTo: false),
        };
        if (!legs.Sell && !legs.Buy)
        {
            collector.Skip(kind);
            return;
        }
        var at = DateTime.SpecifyKind(row.Local("Timestamp (UTC)", ["yyyy-MM-dd HH:mm:ss"]), DateTimeKind.Utc);
        var native = Math.Abs(row.Number("Native Amount"));
        var currency = row.Text("Native Currency");
        var raw = row.Raw();
        ParsedFill Leg(string symbolColumn, string amountColumn, FillSide side)
        {
            var quantity = Math.Abs(row.Number(amountColumn));
            return quantity == 0
                ? throw new RowException(amountColumn, "is zero")
                : new ParsedFill
                {
                    Line = row.Line,
                    Symbol = row.Text(symbolColumn),
                    Side = side,
                    Quantity = quantity,
                    Price = Math.Round(native / quantity, 10),
                    ExecutedAt = new DateTimeOffset(at),
                    Currency = currency,
                    AssetType = FillAssetType.Crypto,
                    Raw = raw,
                };
        }
        var fills = new List<ParsedFill>();
        if (legs.Sell)
        {
            fills.Add(Leg("Currency", "Amount", FillSide.Sell));
        }
        if (legs.Buy)
        {
            fills.Add(legs.BuyFromTo ? Leg("To Currency", "To Amount", FillSide.Buy) : Leg("Currency", "Amount", FillSide.Buy));
        }
        fills.ForEach(collector.Add);
    }
}
