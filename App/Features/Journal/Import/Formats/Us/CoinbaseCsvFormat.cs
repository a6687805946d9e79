using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Coinbase transaction history CSV ("ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at
/// Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes"; older exports say "Spot
/// Price…" and start with a few preamble lines). Buy/Sell (and Advanced Trade ones) are fills; a Convert is a sell of
/// the asset and a buy of what the note says it became, valued at the subtotal. Send, Receive, staking… are counted.
/// </summary>
public sealed partial class CoinbaseCsvFormat : IBrokerFileFormat
{
    public string Id => "coinbase-csv";
    public string Broker => "Coinbase";

    public int Detect(ImportFile file) =>
        file.Head.Contains("Quantity Transacted", StringComparison.Ordinal) && file.Head.Contains("Transaction Type", StringComparison.Ordinal) ? 100 : 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var (_, rows) = UsText.ReadTable(file, f => UsText.HasAll(f, "Timestamp", "Transaction Type", "Asset", "Quantity Transacted"), "Coinbase transactions");
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () => Read(row, collector));
        }
        return collector.Result();
    }

    private static void Read(CsvRecord row, FillCollector collector)
    {
        var type = row.Text("Transaction Type");
        var upper = type.ToUpperInvariant();
        FillSide? side = upper is "BUY" or "ADVANCED TRADE BUY" ? FillSide.Buy
            : upper is "SELL" or "ADVANCED TRADE SELL" ? FillSide.Sell
            : null;
        var convert = upper == "CONVERT";
        if (side is null && !convert)
        {
            collector.Skip(type);
            return;
        }
        var when = row.Text("Timestamp");
        if (!UsText.TryInstant(when, out var at))
        {
            throw new RowException("Timestamp", $"'{when}' is not a UTC timestamp");
        }
        var h = row.Header;
        var priceColumn = h.FirstOf("Price at Transaction", "Spot Price at Transaction") ?? "Price at Transaction";
        var currency = row.Get(h.FirstOf("Price Currency", "Spot Price Currency") ?? "Price Currency") ?? "USD";
        var asset = row.Text("Asset");
        var quantity = Math.Abs(row.Number("Quantity Transacted"));
        var fees = Math.Abs(row.NumberOrZero(h.FirstOf("Fees and/or Spread", "Fees")));
        var id = row.Get("ID");
        var raw = row.Raw();
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = asset,
            Side = side ?? FillSide.Sell,
            Quantity = quantity,
            Price = row.Number(priceColumn),
            Fees = fees,
            ExecutedAt = at,
            Currency = currency,
            AssetType = FillAssetType.Crypto,
            ExternalTradeId = id,
            Raw = raw,
        });
        if (!convert)
        {
            return;
        }
        var note = row.Get("Notes") ?? "";
        var m = ConvertNote().Match(note);
        if (!m.Success || !UsText.TryNumber(m.Groups["qty"].Value, out var toQuantity) || toQuantity == 0)
        {
            throw new RowException("Notes", $"'{note}' does not say what the asset was converted to");
        }
        var subtotal = Math.Abs(row.Number(h.FirstOf("Subtotal") ?? "Subtotal"));
        collector.Add(new ParsedFill
        {
            Line = row.Line,
            Symbol = m.Groups["to"].Value,
            Side = FillSide.Buy,
            Quantity = toQuantity,
            Price = Math.Round(subtotal / toQuantity, 10),
            ExecutedAt = at,
            Currency = currency,
            AssetType = FillAssetType.Crypto,
            ExternalTradeId = id is null ? null : id + ":to",
            Raw = raw,
        });
    }

    [GeneratedRegex(@"Converted\s+[\d.,]+\s+\S+\s+to\s+(?<qty>[\d.,]+)\s+(?<to>\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex ConvertNote();
}
