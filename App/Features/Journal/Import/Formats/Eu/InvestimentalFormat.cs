namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// Investimental (Bucharest Stock Exchange broker) order history: one row per order event (New, Chg, Fil, OOT…), not
/// per trade. On an event the Volume is what remains of the order and Fee the fee on that remainder; a "Fil" event
/// with a trade id is a fill. While the order stays active the fill is the drop in remaining volume (and fee); the
/// final fill (order inactive, value 0) takes all that remained. The price is the order's price on that row (the
/// file gives no separate execution price). Times are Bucharest time; the account currency is in the account name
/// ("JOHN DOE [RON]").
/// </summary>
public sealed class InvestimentalFormat : IBrokerFileFormat
{
    public string Id => "investimental-csv";
    public string Broker => "Investimental";

    public int Detect(ImportFile file) =>
        EuCsv.ScoreHeader(file, ',', "Order ID", "Order Number", "Side", "Symbol", "Volume", "Last Trade ID", "Update Type", "Update Time");

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Bucharest");
        var table = EuCsv.Read(file, ',');
        var result = new EuParse(Id, Broker);
        var state = new Dictionary<string, (decimal Remaining, decimal Fee)>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            var order = row["Order ID"] ?? "";
            EuCsv.TryDecimal(row["Volume"], out var volume);
            EuCsv.TryDecimal(row["Fee"], out var fee);
            var tradeId = row["Last Trade ID"];
            var isFill = string.Equals(row["Update Type"], "Fil", StringComparison.OrdinalIgnoreCase) && tradeId is not null && tradeId != "0";
            if (!isFill)
            {
                state[order] = (volume, fee);
                result.Skip("order-event");
                continue;
            }
            var inactive = string.Equals(row["Status"], "Inactive", StringComparison.OrdinalIgnoreCase);
            var (before, feeBefore) = state.TryGetValue(order, out var s) ? s : (volume, fee);
            var qty = inactive ? before : before - volume;
            var fillFee = inactive ? feeBefore : feeBefore - fee;
            state[order] = inactive ? (0, 0) : (volume, fee);
            FillSide? side = row["Side"]?.ToLowerInvariant() switch { "buy" => FillSide.Buy, "sell" => FillSide.Sell, _ => null };
            if (side is null)
            {
                result.Problem(row.Line, $"unknown side '{row["Side"]}'", "Side");
                continue;
            }
            if (qty <= 0 || !EuCsv.TryDecimal(row["Price"], out var price))
            {
                result.Problem(row.Line, "no filled volume or price can be read from this fill event", "Volume");
                continue;
            }
            if (!EuCsv.TryDate(row["Update Time"], out var local, "yyyy-MM-dd HH:mm:ss"))
            {
                result.Problem(row.Line, $"unreadable time '{row["Update Time"]}'", "Update Time");
                continue;
            }
            var account = row["Account Name"] ?? "";
            var open = account.LastIndexOf('[');
            var currency = open >= 0 && account.EndsWith(']') ? account[(open + 1)..^1] : "RON";
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = row["Symbol"] ?? "",
                Venue = row["Exchange"],
                Side = side.Value,
                Quantity = qty,
                Price = price,
                Fees = Math.Max(0, fillFee),
                Currency = currency,
                ExecutedAt = EuCsv.ToUtc(local, zone),
                OrderId = row["Order Number"],
                ExternalTradeId = tradeId,
                Raw = row.Raw,
            });
        }
        return result.Finish();
    }
}
