using System.Globalization;
using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Interactive Brokers Activity Statement CSV: many sections in one file, each row starting with the section name and
/// the row kind ("Trades,Header,DataDiscriminator,Asset Category,…", "Trades,Data,Order,Stocks,USD,AAPL,…",
/// "Trades,SubTotal,…"). Trades are the Trades section's Order rows, or its Trade/Execution rows when the statement
/// lists executions (then the Order rows only summarise them). Options take their multiplier from the "Financial
/// Instrument Information" section (100 when absent). Dividends, interest, fees, deposits… are counted by section.
/// </summary>
public sealed partial class IbkrActivityCsvFormat : IBrokerFileFormat
{
    public string Id => "ibkr-activity-csv";
    public string Broker => Ibkr.Broker;

    private static readonly string[] CashSections =
    [
        "Dividends", "Withholding Tax", "Deposits & Withdrawals", "Interest", "Fees", "Corporate Actions", "Transfers",
        "Payment In Lieu Of Dividends", "Other Fees", "Broker Interest Paid", "Broker Interest Received", "Commission Adjustments",
    ];

    private static readonly string[] DateTimeFormats = ["yyyy-MM-dd, HH:mm:ss", "yyyy-MM-dd,HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd;HH:mm:ss"];

    public int Detect(ImportFile file)
    {
        var head = file.Head;
        if (head.Contains("Trades,Header,DataDiscriminator", StringComparison.Ordinal))
        {
            return 100;
        }
        return head.StartsWith("Statement,Header,Field Name", StringComparison.Ordinal) ? 90 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(UsText.NewYork);
        var collector = new FillCollector(Id, Broker);
        var headers = new Dictionary<string, CsvHeader>(StringComparer.Ordinal);
        var trades = new List<CsvRecord>();
        var multipliers = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var sawSection = false;
        foreach (var line in UsText.ReadCsv(file.Text))
        {
            if (line.Fields.Length < 2)
            {
                continue;
            }
            var (section, kind) = (line.Fields[0], line.Fields[1]);
            var fields = line.Fields[2..];
            if (kind == "Header")
            {
                headers[section] = new CsvHeader(fields);
                sawSection = true;
                continue;
            }
            if (kind != "Data" || !headers.TryGetValue(section, out var header))
            {
                continue; // SubTotal, Total, Notes, or a row before its header
            }
            var row = new CsvRecord(header, line.Line, fields);
            if (section == "Trades")
            {
                trades.Add(row);
            }
            else if (section == "Financial Instrument Information" && row.Get("Symbol") is { } sym && UsText.TryNumber(row.Get("Multiplier"), out var mult))
            {
                multipliers[sym] = mult;
            }
            else if (CashSections.Contains(section, StringComparer.Ordinal) && !(row.Fields.FirstOrDefault() ?? "").StartsWith("Total", StringComparison.Ordinal))
            {
                collector.Skip(section);
            }
        }
        if (!sawSection)
        {
            throw new ImportFileException($"'{file.FileName}' has no Activity Statement sections (\"Trades,Header,…\").");
        }
        var executions = trades.Any(t => t.Get("DataDiscriminator") is "Trade" or "Execution");
        foreach (var row in trades)
        {
            var discriminator = row.Get("DataDiscriminator") ?? "Order";
            var wanted = executions ? discriminator is "Trade" or "Execution" : discriminator == "Order";
            if (wanted)
            {
                collector.Row(row.Line, () => Read(row, zone, multipliers, collector));
            }
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, TimeZoneInfo zone, Dictionary<string, decimal> multipliers, FillCollector collector)
    {
        var category = row.Get("Asset Category");
        if (Ibkr.IsForex(category))
        {
            collector.Skip("Forex");
            return;
        }
        if (Ibkr.IsFuture(category))
        {
            throw new RowException("Asset Category", "futures are not supported");
        }
        var symbol = row.Text("Symbol");
        var quantity = row.Number("Quantity");
        var local = row.Local("Date/Time", DateTimeFormats);
        OptionContract? option = null;
        if (Ibkr.IsOption(category))
        {
            option = ParseOptionSymbol(symbol, multipliers.GetValueOrDefault(symbol, 100m))
                ?? throw new RowException("Symbol", $"'{symbol}' is not an option symbol (e.g. AAPL 20JAN23 150 C)");
        }
        var feeColumn = row.Header.FirstOf("Comm/Fee") ?? row.Header.Names.FirstOrDefault(n => n.StartsWith("Comm in ", StringComparison.Ordinal));
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = symbol,
            Side = quantity >= 0 ? FillSide.Buy : FillSide.Sell,
            Quantity = Math.Abs(quantity),
            Price = row.Number("T. Price"),
            Fees = Math.Abs(row.NumberOrZero(feeColumn)),
            ExecutedAt = UsText.ToUtc(local, zone),
            Currency = row.Text("Currency"),
            AssetType = option is not null ? FillAssetType.Option : Ibkr.IsCrypto(category) ? FillAssetType.Crypto : FillAssetType.Equity,
            Option = option,
            ExternalTradeId = row.Get("TradeID"),
            Raw = row.Raw(),
        });
    }

    /// <summary>An activity-statement option symbol: "AAPL 20JAN23 150 C" (underlying, expiry ddMMMyy, strike, right).</summary>
    private static OptionContract? ParseOptionSymbol(string symbol, decimal multiplier)
    {
        var m = OptionSymbol().Match(symbol.Trim());
        if (!m.Success || !DateTime.TryParseExact(m.Groups["exp"].Value, "ddMMMyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry))
        {
            return null;
        }
        var strike = decimal.Parse(m.Groups["strike"].Value, CultureInfo.InvariantCulture);
        var right = m.Groups["right"].Value == "C" ? OptionRight.Call : OptionRight.Put;
        return new OptionContract(m.Groups["root"].Value, System.DateOnly.FromDateTime(expiry), strike, right, multiplier);
    }

    [GeneratedRegex(@"^(?<root>\S+)\s+(?<exp>\d{2}[A-Z]{3}\d{2})\s+(?<strike>\d+(\.\d+)?)\s+(?<right>[CP])$")]
    private static partial Regex OptionSymbol();
}
