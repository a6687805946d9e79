using System.Globalization;
using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// TD Ameritrade transactions CSV ("DATE,TRANSACTION ID,DESCRIPTION,QUANTITY,SYMBOL,PRICE,COMMISSION,AMOUNT,REG FEE,
/// SHORT-TERM RDM FEE,FUND REDEMPTION FEE, DEFERRED SALES CHARGE", ending "***END OF FILE***"). "Bought …" and
/// "Sold …" rows are trades with the transaction id as the trade id; options carry "AAPL Jan 19 2024 190.0 Call" as
/// their symbol. Other rows are counted by their description up to its first parenthesis. Dates only, in New York.
/// </summary>
public sealed partial class TdAmeritradeCsvFormat : IBrokerFileFormat
{
    public string Id => "tdameritrade-csv";
    public string Broker => "TD Ameritrade";

    private static readonly string[] FeeColumns = ["COMMISSION", "REG FEE", "SHORT-TERM RDM FEE", "FUND REDEMPTION FEE", "DEFERRED SALES CHARGE"];

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file), "DATE", "TRANSACTION ID", "DESCRIPTION", "QUANTITY", "SYMBOL", "PRICE", "COMMISSION", "AMOUNT") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(UsText.NewYork);
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "DATE", "TRANSACTION ID", "DESCRIPTION"), "TD Ameritrade transactions");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            if ((row.Fields.FirstOrDefault() ?? "").StartsWith("***END OF FILE", StringComparison.Ordinal))
            {
                break;
            }
            collector.Row(row.Line, () => Read(row, zone, collector));
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, TimeZoneInfo zone, FillCollector collector)
    {
        var description = row.Text("DESCRIPTION");
        FillSide? side = description.StartsWith("Bought ", StringComparison.OrdinalIgnoreCase) ? FillSide.Buy
            : description.StartsWith("Sold ", StringComparison.OrdinalIgnoreCase) ? FillSide.Sell
            : null;
        if (side is null)
        {
            var paren = description.IndexOf('(', StringComparison.Ordinal);
            collector.Skip((paren > 0 ? description[..paren] : description).Trim());
            return;
        }
        var day = row.Local("DATE", ["MM/dd/yyyy", "M/d/yyyy"]);
        var symbol = row.Text("SYMBOL");
        var option = ParseOption(symbol);
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = symbol,
            Name = description,
            Side = side.Value,
            Quantity = Math.Abs(row.Number("QUANTITY")),
            Price = row.Number("PRICE"),
            Fees = FeeColumns.Sum(c => Math.Abs(row.NumberOrZero(row.Header.FirstOf(c)))),
            ExecutedAt = UsText.ToUtc(day, zone),
            DateOnly = true,
            Currency = "USD",
            AssetType = option is null ? FillAssetType.Equity : FillAssetType.Option,
            Option = option,
            ExternalTradeId = row.Get("TRANSACTION ID"),
            Raw = row.Raw(),
        });
    }

    private static OptionContract? ParseOption(string symbol)
    {
        var m = OptionSymbol().Match(symbol.Trim());
        if (!m.Success || !DateTime.TryParseExact($"{m.Groups["mon"].Value} {m.Groups["day"].Value} {m.Groups["year"].Value}", "MMM d yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var exp))
        {
            return null;
        }
        var right = m.Groups["right"].Value.Equals("Call", StringComparison.OrdinalIgnoreCase) ? OptionRight.Call : OptionRight.Put;
        return new OptionContract(m.Groups["root"].Value, System.DateOnly.FromDateTime(exp), decimal.Parse(m.Groups["strike"].Value, CultureInfo.InvariantCulture), right);
    }

    [GeneratedRegex(@"^(?<root>\S+)\s+(?<mon>[A-Za-z]{3})\s+(?<day>\d{1,2})\s+(?<year>\d{4})\s+(?<strike>\d+(\.\d+)?)\s+(?<right>Call|Put)$", RegexOptions.IgnoreCase)]
    private static partial Regex OptionSymbol();
}
