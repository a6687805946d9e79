namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Bitvavo transaction export ("Timezone,Date,Time,Type,Currency,Amount,Quote Currency,Quote Price,Received / Paid
/// Currency,Received / Paid Amount,Fee currency,Fee amount,Status,Transaction ID,Address"), newest first. buy/sell
/// rows are fills, their time read in the zone the row names (the file states it, so it wins over the import's);
/// deposits, withdrawals and staking are counted. A fee charged in the coin is converted at the fill price.
/// </summary>
public sealed class BitvavoCsvFormat : IBrokerFileFormat
{
    public string Id => "bitvavo-csv";
    public string Broker => "Bitvavo";

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file), "Timezone", "Date", "Time", "Type", "Currency", "Amount", "Quote Currency", "Quote Price") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var fallback = options.ResolveZone("Europe/Amsterdam");
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "Timezone", "Type", "Quote Price"), "Bitvavo");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var type = row.Text("Type").ToLowerInvariant();
                FillSide? side = type switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
                if (side is null)
                {
                    collector.Skip(type);
                    return;
                }
                var status = row.Get("Status");
                if (status is not null && !status.Equals("Completed", StringComparison.OrdinalIgnoreCase))
                {
                    collector.Skip($"{type} ({status})");
                    return;
                }
                var zone = fallback;
                if (row.Get("Timezone") is { } zoneId)
                {
                    try
                    {
                        zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
                    }
                    catch (TimeZoneNotFoundException)
                    {
                        throw new RowException("Timezone", $"'{zoneId}' is not a known time zone");
                    }
                }
                var day = row.Local("Date", ["yyyy-MM-dd"]);
                var time = row.Local("Time", ["HH:mm:ss.fff", "HH:mm:ss", "HH:mm:ss.ff", "HH:mm:ss.f"]);
                var asset = row.Text("Currency");
                var price = row.Number("Quote Price");
                var fee = Math.Abs(row.NumberOrZero("Fee amount"));
                if (string.Equals(row.Get("Fee currency"), asset, StringComparison.OrdinalIgnoreCase))
                {
                    fee *= price;
                }
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = asset,
                    Side = side.Value,
                    Quantity = Math.Abs(row.Number("Amount")),
                    Price = price,
                    Fees = fee,
                    ExecutedAt = UsText.ToUtc(day.Date + time.TimeOfDay, zone),
                    Currency = row.Text("Quote Currency"),
                    AssetType = FillAssetType.Crypto,
                    ExternalTradeId = row.Get("Transaction ID"),
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }
}
