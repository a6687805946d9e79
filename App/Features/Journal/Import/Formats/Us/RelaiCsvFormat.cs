namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Relai (bitcoin-only app) export ("Date,Transaction Type,BTC Amount,BTC Price,Currency Pair,Fiat Amount (excl.
/// fees),Fiat Currency,Fee,Fee Currency,Destination,Operation ID,Counterparty"): Buy and Sell of BTC at UTC instants,
/// the operation id as trade id.
/// </summary>
public sealed class RelaiCsvFormat : IBrokerFileFormat
{
    public string Id => "relai-csv";
    public string Broker => "Relai";

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file), "Date", "Transaction Type", "BTC Amount", "BTC Price") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "Transaction Type", "BTC Amount"), "Relai");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var type = row.Text("Transaction Type");
                FillSide? side = type.ToLowerInvariant() switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
                if (side is null)
                {
                    collector.Skip(type);
                    return;
                }
                var when = row.Text("Date");
                if (!UsText.TryInstant(when, out var at))
                {
                    throw new RowException("Date", $"'{when}' is not an ISO instant");
                }
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = "BTC",
                    Side = side.Value,
                    Quantity = Math.Abs(row.Number("BTC Amount")),
                    Price = row.Number("BTC Price"),
                    Fees = Math.Abs(row.NumberOrZero("Fee")),
                    ExecutedAt = at,
                    Currency = row.Text("Fiat Currency"),
                    AssetType = FillAssetType.Crypto,
                    ExternalTradeId = row.Get("Operation ID"),
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }
}
