namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Fidelity "Accounts history" CSV: blank preamble lines, then "Run Date,[Account,]Action,Symbol,Description,Type,
/// Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Settlement Date", newest first, then a
/// disclaimer footer. "YOU BOUGHT …" / "YOU SOLD …" / "REINVESTMENT …" are trades; options carry Fidelity's
/// " -AAPL240119C190" symbol. Dates only, in New York.
/// </summary>
public sealed class FidelityCsvFormat : IBrokerFileFormat
{
    public string Id => "fidelity-csv";
    public string Broker => "Fidelity";

    private static readonly string[] Dates = ["MM/dd/yyyy", "M/d/yyyy"];

    private static readonly string[] KnownKinds =
    [
        "DIVIDEND RECEIVED", "INTEREST EARNED", "ELECTRONIC FUNDS TRANSFER", "TRANSFERRED FROM", "TRANSFERRED TO",
        "FOREIGN TAX PAID", "FEE CHARGED", "JOURNALED", "DIRECT DEPOSIT", "DIRECT DEBIT", "CASH CONTRIBUTION",
        "LONG-TERM CAP GAIN", "SHORT-TERM CAP GAIN", "RETURN OF CAPITAL", "REDEMPTION PAYOUT", "EXPIRED", "ASSIGNED",
    ];

    public int Detect(ImportFile file)
    {
        foreach (var line in file.Head.Split('\n').Take(10))
        {
            if (line.TrimStart().StartsWith("Run Date,", StringComparison.Ordinal) && line.Contains("Action", StringComparison.Ordinal) && line.Contains("Symbol", StringComparison.Ordinal))
            {
                return 100;
            }
        }
        return 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone(UsText.NewYork);
        var (_, rows) = UsText.ReadTable(file, f => f.Length > 3 && f[0] == "Run Date", "Fidelity accounts history");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            if (row.Fields.Count(f => f.Length > 0) <= 1)
            {
                continue; // the disclaimer and "Date downloaded" footer lines
            }
            collector.Row(row.Line, () => Read(row, zone, collector));
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, TimeZoneInfo zone, FillCollector collector)
    {
        var action = row.Text("Action").Trim();
        var upper = action.ToUpperInvariant();
        FillSide? side = upper.StartsWith("YOU BOUGHT", StringComparison.Ordinal) || upper.StartsWith("REINVESTMENT", StringComparison.Ordinal) ? FillSide.Buy
            : upper.StartsWith("YOU SOLD", StringComparison.Ordinal) ? FillSide.Sell
            : null;
        if (side is null)
        {
            collector.Skip(KnownKinds.FirstOrDefault(k => upper.StartsWith(k, StringComparison.Ordinal)) ?? string.Join(' ', upper.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2)));
            return;
        }
        var day = row.Local("Run Date", Dates);
        var symbol = row.Text("Symbol").Trim();
        var option = symbol.StartsWith('-') ? UsText.ParseOccSymbol(symbol) : null;
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = symbol.TrimStart('-'),
            Name = row.Get("Description"),
            Side = side.Value,
            Quantity = Math.Abs(row.Number("Quantity")),
            Price = row.Number("Price ($)"),
            Fees = Math.Abs(row.NumberOrZero("Commission ($)")) + Math.Abs(row.NumberOrZero("Fees ($)")),
            ExecutedAt = UsText.ToUtc(day, zone),
            DateOnly = true,
            Currency = row.Get("Currency") ?? "USD",
            AssetType = option is null ? FillAssetType.Equity : FillAssetType.Option,
            Option = option,
            Raw = row.Raw(),
        });
    }
}
