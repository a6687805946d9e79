namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Ghostfolio's CSV import format ("Date,Code,DataSource,Currency,Price,Quantity,Action,Fee,Note"). Actions buy and
/// sell are fills; dividend, fee, interest, item, liability… are counted by action. Dates are days (DateOnly).
/// </summary>
public sealed class GhostfolioCsvFormat : IBrokerFileFormat
{
    public string Id => "ghostfolio-csv";
    public string Broker => "Ghostfolio";

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file), "Date", "Code", "DataSource", "Currency", "Price", "Quantity", "Action") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(null);
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "Date", "Code", "Action"), "Ghostfolio CSV");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var action = row.Text("Action").ToLowerInvariant();
                FillSide? side = action switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
                if (side is null)
                {
                    collector.Skip(action);
                    return;
                }
                var (at, dateOnly) = GhostfolioDates.Read(row.Get("Date"), "Date", zone);
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = row.Text("Code"),
                    Side = side.Value,
                    Quantity = Math.Abs(row.Number("Quantity")),
                    Price = row.Number("Price"),
                    Fees = Math.Abs(row.NumberOrZero("Fee")),
                    ExecutedAt = at,
                    DateOnly = dateOnly,
                    Currency = row.Text("Currency"),
                    AssetType = string.Equals(row.Get("DataSource"), "COINGECKO", StringComparison.OrdinalIgnoreCase) ? FillAssetType.Crypto : FillAssetType.Equity,
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }
}
