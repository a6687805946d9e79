using System.Xml.Linq;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Interactive Brokers Flex Query XML (FlexQueryResponse → FlexStatements → FlexStatement → Trades → Trade, values in
/// attributes: tradeID, buySell, quantity, tradePrice, ibCommission, taxes, dateTime, assetCategory, multiplier, strike,
/// expiry, putCall…). Only execution-level Trade elements are fills (Order/Lot/SymbolSummary restate them); cash
/// transactions are counted by type. The XML is read without DTDs, so a file with entities is refused.
/// </summary>
public sealed class IbkrFlexXmlFormat : IBrokerFileFormat
{
    public string Id => "ibkr-flex-xml";
    public string Broker => Ibkr.Broker;

    public int Detect(ImportFile file) =>
        file.Head.Contains("<FlexQueryResponse", StringComparison.Ordinal) || file.Head.Contains("<FlexStatements", StringComparison.Ordinal) ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var doc = UsText.LoadXml(file, file.Text);
        if (doc.Root is null || doc.Descendants("FlexStatement").FirstOrDefault() is null)
        {
            throw new ImportFileException($"'{file.FileName}' has no FlexStatement; it is not an IB Flex Query XML file.");
        }
        var zone = options.ResolveZone(UsText.NewYork);
        var collector = new FillCollector(Id, Broker);
        var record = 0;
        foreach (var trade in doc.Descendants("Trade"))
        {
            record++;
            var line = record;
            collector.Row(line, () => Read(trade, line, zone, collector));
        }
        foreach (var cash in doc.Descendants("CashTransaction"))
        {
            collector.Skip((string?)cash.Attribute("type") ?? "Cash transaction");
        }
        return collector.Result();
    }

    private static void Read(XElement trade, int line, TimeZoneInfo zone, FillCollector collector)
    {
        string? A(string name) => trade.Attribute(name)?.Value is { Length: > 0 } v ? v.Trim() : null;
        decimal Num(string name) =>
            UsText.TryNumber(A(name), out var v) ? v : throw new RowException(name, A(name) is null ? "is missing" : $"'{A(name)}' is not a number");

        var level = A("levelOfDetail");
        if (level is not null && !level.Equals("EXECUTION", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var category = A("assetCategory");
        if (Ibkr.IsForex(category))
        {
            collector.Skip("Forex");
            return;
        }
        if (Ibkr.IsFuture(category))
        {
            throw new RowException("assetCategory", "futures are not supported");
        }
        var quantity = Num("quantity");
        var side = Ibkr.Side(A("buySell"), quantity);
        if (side is null)
        {
            collector.Skip("Cancelled trade");
            return;
        }
        var symbol = A("symbol") ?? A("isin") ?? throw new RowException("symbol", "is missing");
        var (at, dateOnly) = Ibkr.When(A("dateTime"), A("tradeDate"), A("tradeTime"), "dateTime", "tradeDate", zone);
        var option = Ibkr.IsOption(category)
            ? Ibkr.Option(A("underlyingSymbol"), symbol, A("expiry"), A("strike"), A("putCall"), A("multiplier"), c => c)
            : null;
        collector.Add(new ParsedFill
        {
            Line = line,
            Symbol = symbol,
            Isin = A("isin"),
            Name = A("description"),
            Side = side.Value,
            Quantity = Math.Abs(quantity),
            Price = Num("tradePrice"),
            Fees = Math.Abs(UsText.TryNumber(A("ibCommission"), out var c) ? c : 0m) + Math.Abs(UsText.TryNumber(A("taxes"), out var t) ? t : 0m),
            ExecutedAt = at,
            DateOnly = dateOnly,
            Currency = A("currency") ?? "USD",
            AssetType = option is not null ? FillAssetType.Option : Ibkr.IsCrypto(category) ? FillAssetType.Crypto : FillAssetType.Equity,
            Option = option,
            ExternalTradeId = A("tradeID"),
            OrderId = A("ibOrderID"),
            Venue = A("exchange"),
            Raw = trade.Attributes().ToDictionary(a => a.Name.LocalName, a => (string?)a.Value, StringComparer.Ordinal),
        });
    }
}
