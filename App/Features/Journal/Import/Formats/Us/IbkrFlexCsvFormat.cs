namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Interactive Brokers Flex Query exported as CSV: one header row of Flex field names ("Buy/Sell", "TradeDate",
/// "Quantity", "TradePrice", "IBCommission", "CurrencyPrimary"…), repeated when the query has several sections. A
/// cash-transactions section ("Type", "Amount") holds no trades: its rows are counted by type.
/// </summary>
public sealed class IbkrFlexCsvFormat : IBrokerFileFormat
{
    public string Id => "ibkr-flex-csv";
    public string Broker => Ibkr.Broker;

    private static readonly string[] FlexOnlyFields = ["CurrencyPrimary", "IBCommission", "TradePrice", "IBOrderID", "ClientAccountID"];

    public int Detect(ImportFile file)
    {
        var header = UsText.FirstHeader(file);
        return header.Any(h => FlexOnlyFields.Contains(h, StringComparer.OrdinalIgnoreCase)) ? 95 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(UsText.NewYork);
        var collector = new FillCollector(Id, Broker);
        CsvHeader? header = null;
        foreach (var line in UsText.ReadCsv(file.Text))
        {
            if (line.Fields.Any(f => FlexOnlyFields.Contains(f, StringComparer.OrdinalIgnoreCase)) && !line.Fields.Any(f => UsText.TryNumber(f, out _)))
            {
                header = new CsvHeader(line.Fields);
                continue;
            }
            if (header is null)
            {
                throw new ImportFileException($"'{file.FileName}' has no Flex header row (e.g. \"Buy/Sell\",\"TradeDate\",…,\"CurrencyPrimary\").");
            }
            var row = new CsvRecord(header, line.Line, line.Fields);
            collector.Row(row.Line, () => Read(row, zone, collector));
        }
        if (header is null)
        {
            throw new ImportFileException($"'{file.FileName}' has no Flex header row.");
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, TimeZoneInfo zone, FillCollector collector)
    {
        var h = row.Header;
        if (!h.Has("Buy/Sell") && !h.Has("TradePrice"))
        {
            // Cash transactions, positions or any other Flex section: no trades.
            collector.Skip(row.Get("Type") ?? row.Get("ActivityDescription") ?? "Other Flex rows");
            return;
        }
        var level = row.Get("LevelOfDetail");
        if (level is not null && !level.Equals("EXECUTION", StringComparison.OrdinalIgnoreCase))
        {
            return; // ORDER and CLOSED_LOT rows restate executions listed beside them.
        }
        var category = row.Get("AssetClass");
        var symbol = row.Get("Symbol");
        var isin = row.Get("ISIN");
        if (Ibkr.IsForex(category) || category is null && symbol is null && isin is null)
        {
            // A currency conversion (e.g. USD.CHF): the sample's rows without any instrument are these.
            collector.Skip("Forex");
            return;
        }
        if (Ibkr.IsFuture(category))
        {
            throw new RowException("AssetClass", "futures are not supported");
        }
        var quantity = row.Number("Quantity");
        var side = Ibkr.Side(row.Get("Buy/Sell"), quantity);
        if (side is null)
        {
            collector.Skip("Cancelled trade");
            return;
        }
        var (at, dateOnly) = Ibkr.When(row.Get("DateTime") ?? row.Get("Date/Time"), row.Get("TradeDate"), row.Get("TradeTime"), h.FirstOf("DateTime", "Date/Time") ?? "DateTime", "TradeDate", zone);
        var option = Ibkr.IsOption(category)
            ? Ibkr.Option(row.Get("UnderlyingSymbol"), symbol, row.Get("Expiry"), row.Get("Strike"), row.Get("Put/Call"), row.Get("Multiplier"),
                c => c switch { "putCall" => "Put/Call", _ => char.ToUpperInvariant(c[0]) + c[1..] })
            : null;
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = symbol ?? isin!,
            Isin = isin,
            Name = row.Get("Description"),
            Side = side.Value,
            Quantity = Math.Abs(quantity),
            Price = row.Number("TradePrice"),
            Fees = Math.Abs(row.NumberOrZero(h.FirstOf("IBCommission", "Commission"))) + Math.Abs(row.NumberOrZero(h.FirstOf("Taxes"))),
            ExecutedAt = at,
            DateOnly = dateOnly,
            Currency = row.Get("CurrencyPrimary") ?? row.Get("Currency") ?? "USD",
            AssetType = option is not null ? FillAssetType.Option : Ibkr.IsCrypto(category) ? FillAssetType.Crypto : FillAssetType.Equity,
            Option = option,
            ExternalTradeId = row.Get("TradeID"),
            OrderId = row.Get("IBOrderID"),
            Venue = row.Get("Exchange"),
            Raw = row.Raw(),
        });
    }
}
