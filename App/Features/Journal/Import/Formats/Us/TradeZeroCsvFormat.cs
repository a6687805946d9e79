namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// TradeZero trade history CSV ("Account,T/D,S/D,Currency,Type,Side,Symbol,Qty,Price,Exec Time,Comm,SEC,TAF,NSCC,
/// Nasdaq,ECN Remove,ECN Add,Gross Proceeds,Net Proceeds,Clr Broker,Liq,Note"). Side B and BC (buy to cover) buy,
/// S and SS (short sale) sell. Fees are the commission and every regulatory/ECN fee column, netted (ECN Add is a rebate, written negative), never below zero. Trade date and execution
/// time are New York wall-clock time. TradeZero gives no trade id.
/// </summary>
public sealed class TradeZeroCsvFormat : IBrokerFileFormat
{
    public string Id => "tradezero-csv";
    public string Broker => "TradeZero";

    private static readonly string[] FeeColumns = ["Comm", "SEC", "TAF", "NSCC", "Nasdaq", "ECN Remove", "ECN Add"];

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file), "T/D", "Side", "Symbol", "Qty", "Price", "Exec Time") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(UsText.NewYork);
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "T/D", "Side", "Qty"), "TradeZero trades");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var side = row.Text("Side").ToUpperInvariant() switch
                {
                    "B" or "BC" or "BUY" => FillSide.Buy,
                    "S" or "SS" or "SELL" => FillSide.Sell,
                    var other => throw new RowException("Side", $"'{other}' is not B, BC, S or SS"),
                };
                var day = row.Local("T/D", ["MM/dd/yyyy", "M/d/yyyy", "yyyy-MM-dd"]);
                var time = row.Local("Exec Time", ["HH:mm:ss", "H:mm:ss", "HH:mm"]);
                var symbol = row.Text("Symbol");
                var option = UsText.ParseOccSymbol(symbol);
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = symbol,
                    Side = side,
                    Quantity = Math.Abs(row.Number("Qty")),
                    Price = row.Number("Price"),
                    Fees = Math.Max(0m, FeeColumns.Sum(c => row.NumberOrZero(row.Header.FirstOf(c)))),
                    ExecutedAt = UsText.ToUtc(day.Date + time.TimeOfDay, zone),
                    Currency = row.Get("Currency") ?? "USD",
                    AssetType = option is null ? FillAssetType.Equity : FillAssetType.Option,
                    Option = option,
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }
}
