using System.Globalization;
using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Charles Schwab transaction history CSV ("Date,Action,Symbol,Description,Quantity,Price,Fees &amp; Comm,Amount"),
/// newest first, dollar amounts ("$1,234.50", "-$5"). Buy, Sell and Reinvest Shares are trades (a reinvestment buys
/// shares), as are the option actions (Buy to Open…); every other action is counted by name. Dates only, in New York;
/// "07/15/2024 as of 07/12/2024" is taken at the as-of (trade) date.
/// </summary>
public sealed partial class SchwabCsvFormat : IBrokerFileFormat
{
    public string Id => "schwab-csv";
    public string Broker => "Charles Schwab";

    private static readonly string[] Dates = ["MM/dd/yyyy", "M/d/yyyy"];

    public int Detect(ImportFile file)
    {
        foreach (var line in file.Head.Split('\n').Take(3))
        {
            var fields = UsText.ReadCsv(line).FirstOrDefault()?.Fields ?? [];
            if (UsText.HasAll(fields, "Date", "Action", "Symbol", "Fees & Comm", "Amount"))
            {
                return 100;
            }
        }
        return 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(UsText.NewYork);
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "Date", "Action", "Symbol", "Fees & Comm"), "Schwab transactions");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () => Read(row, zone, collector));
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, TimeZoneInfo zone, FillCollector collector)
    {
        var date = row.Get("Date") ?? "";
        if (date.StartsWith("Transactions Total", StringComparison.OrdinalIgnoreCase))
        {
            return; // the footer total, not a transaction
        }
        var action = row.Text("Action");
        FillSide? side = action.ToUpperInvariant() switch
        {
            "BUY" or "REINVEST SHARES" or "BUY TO OPEN" or "BUY TO CLOSE" => FillSide.Buy,
            "SELL" or "SELL SHORT" or "SELL TO OPEN" or "SELL TO CLOSE" => FillSide.Sell,
            _ => null,
        };
        if (side is null)
        {
            collector.Skip(action);
            return;
        }
        var asOf = date.Split(" as of ", StringSplitOptions.TrimEntries);
        var day = UsText.TryLocal(asOf[^1], Dates, out var d) ? d : throw new RowException("Date", $"'{date}' is not a date (MM/dd/yyyy)");
        var symbol = row.Text("Symbol");
        var option = ParseOption(symbol);
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = symbol,
            Name = row.Get("Description"),
            Side = side.Value,
            Quantity = Math.Abs(row.Number("Quantity")),
            Price = row.Number("Price"),
            Fees = Math.Abs(row.NumberOrZero("Fees & Comm")),
            ExecutedAt = UsText.ToUtc(day, zone),
            DateOnly = true,
            Currency = "USD",
            AssetType = option is null ? FillAssetType.Equity : FillAssetType.Option,
            Option = option,
            Raw = row.Raw(),
        });
    }

    /// <summary>Schwab's option symbol: "AAPL 01/19/2024 190.00 C".</summary>
    private static OptionContract? ParseOption(string symbol)
    {
        var m = OptionSymbol().Match(symbol.Trim());
        if (!m.Success || !DateTime.TryParseExact(m.Groups["exp"].Value, Dates, CultureInfo.InvariantCulture, DateTimeStyles.None, out var exp))
        {
            return null;
        }
        return new OptionContract(m.Groups["root"].Value, System.DateOnly.FromDateTime(exp),
            decimal.Parse(m.Groups["strike"].Value, CultureInfo.InvariantCulture), m.Groups["right"].Value == "C" ? OptionRight.Call : OptionRight.Put);
    }

    [GeneratedRegex(@"^(?<root>\S+)\s+(?<exp>\d{1,2}/\d{1,2}/\d{4})\s+(?<strike>\d+(\.\d+)?)\s+(?<right>[CP])$")]
    private static partial Regex OptionSymbol();
}
