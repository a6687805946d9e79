using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Parqet activity export: ';'-separated, decimal commas, "datetime" an ISO instant (UTC), newest first. Buy and Sell
/// are fills (identifier is the ISIN, or the coin for assettype Crypto); Dividend, Interest, TransferIn… are counted by
/// type. Fees are the fee and tax columns.
/// </summary>
public sealed partial class ParqetCsvFormat : IBrokerFileFormat
{
    public string Id => "parqet-csv";
    public string Broker => "Parqet";

    public int Detect(ImportFile file) =>
        UsText.HasAll(UsText.FirstHeader(file, ";"), "datetime", "shares", "type", "identifier", "holdingname") ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "datetime", "shares", "type"), "Parqet", ";");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var type = row.Text("type");
                FillSide? side = type.ToLowerInvariant() switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
                if (side is null)
                {
                    collector.Skip(type);
                    return;
                }
                var when = row.Text("datetime");
                if (!UsText.TryInstant(when, out var at))
                {
                    throw new RowException("datetime", $"'{when}' is not an ISO instant");
                }
                var identifier = row.Text("identifier");
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = identifier,
                    Isin = Isin().IsMatch(identifier) ? identifier : null,
                    Name = row.Get("holdingname"),
                    Side = side.Value,
                    Quantity = Math.Abs(row.Number("shares", ',')),
                    Price = row.Number("price", ','),
                    Fees = Math.Abs(row.NumberOrZero("fee", ',')) + Math.Abs(row.NumberOrZero("tax", ',')),
                    ExecutedAt = at,
                    Currency = row.Get("currency") ?? "EUR",
                    AssetType = string.Equals(row.Get("assettype"), "Crypto", StringComparison.OrdinalIgnoreCase) ? FillAssetType.Crypto : FillAssetType.Equity,
                    Venue = row.Get("exchange"),
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }

    [GeneratedRegex("^[A-Z]{2}[A-Z0-9]{9}[0-9]$")]
    private static partial Regex Isin();
}
