namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Any CSV of trades, read through the user's <see cref="GenericCsvMapping"/> (saved per broker). Never detected:
/// the user chooses it by id. The delimiter (',', ';' or tab) is the one the header row uses most. A mapped column
/// the file lacks makes the file unreadable; a cell that cannot be read is a problem on its row. Timestamps without an
/// offset are in the import's zone (UTC unless chosen); an OCC option symbol makes the fill an option.
/// </summary>
public sealed class GenericCsvFormat : IBrokerFileFormat
{
    public string Id => "generic-csv";
    public string Broker => "Other broker (CSV mapping)";

    private static readonly string[] IsoDates =
        ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-ddTHH:mm"];

    public int Detect(ImportFile file) => 0;

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var map = options.GenericMapping
            ?? throw new ImportFileException("The generic CSV format needs a column mapping: say which column holds the date, symbol, side, quantity and price.");
        var firstLine = UsText.FirstLine(file);
        var delimiter = new[] { ",", ";", "\t" }.OrderByDescending(d => firstLine.Split(d).Length).First();
        var (header, rows) = UsText.ReadTable(file, _ => true, "CSV", delimiter);
        var mapped = new[] { map.Date, map.Time, map.Symbol, map.Side, map.Quantity, map.Price, map.Fees, map.Currency, map.TradeId, map.OrderId };
        foreach (var column in mapped.Where(c => !string.IsNullOrWhiteSpace(c)))
        {
            if (!header.Has(column!))
            {
                throw new ImportFileException($"'{file.FileName}' has no column '{column}' (mapped in the import settings). Its columns are: {string.Join(", ", header.Names)}.");
            }
        }
        var separator = map.DecimalSeparator == "," ? ',' : '.';
        var zone = options.ResolveZone(null);
        var collector = new FillCollector(Id, Broker);
        foreach (var row in rows)
        {
            collector.Row(row.Line, () =>
            {
                var sideText = row.Text(map.Side).Trim();
                var side = map.BuyValues.Contains(sideText, StringComparer.OrdinalIgnoreCase) ? FillSide.Buy
                    : map.SellValues.Contains(sideText, StringComparer.OrdinalIgnoreCase) ? FillSide.Sell
                    : throw new RowException(map.Side, $"'{sideText}' is neither a buy ({string.Join("/", map.BuyValues)}) nor a sell ({string.Join("/", map.SellValues)})");
                var (at, dateOnly) = When(row, map, zone);
                var symbol = row.Text(map.Symbol).Trim();
                var option = UsText.ParseOccSymbol(symbol);
                collector.Add(new ParsedFill
                {
                    Line = row.Line,
                    Symbol = symbol,
                    Side = side,
                    Quantity = Math.Abs(row.Number(map.Quantity, separator)),
                    Price = row.Number(map.Price, separator),
                    Fees = Math.Abs(row.NumberOrZero(map.Fees, separator)),
                    ExecutedAt = at,
                    DateOnly = dateOnly,
                    Currency = map.Currency is null ? map.DefaultCurrency : row.Get(map.Currency) ?? map.DefaultCurrency,
                    AssetType = option is null ? FillAssetType.Equity : FillAssetType.Option,
                    Option = option,
                    ExternalTradeId = map.TradeId is null ? null : row.Get(map.TradeId),
                    OrderId = map.OrderId is null ? null : row.Get(map.OrderId),
                    Raw = row.Raw(),
                });
            });
        }
        return collector.Result();
    }

    private static (DateTimeOffset At, bool DateOnly) When(CsvRecord row, GenericCsvMapping map, TimeZoneInfo zone)
    {
        var text = row.Text(map.Date).Trim();
        DateTime local;
        if (map.DateFormat is { } format)
        {
            if (!UsText.TryLocal(text, [format], out local))
            {
                throw new RowException(map.Date, $"'{text}' is not a date in the format {format}");
            }
        }
        else if (UsText.TryInstant(text, out var instant))
        {
            return (instant, false);
        }
        else if (!UsText.TryLocal(text, IsoDates, out local))
        {
            throw new RowException(map.Date, $"'{text}' is not an ISO 8601 date (yyyy-MM-dd[THH:mm:ss])");
        }
        if (map.Time is not null)
        {
            var time = row.Local(map.Time, ["HH:mm:ss", "H:mm:ss", "HH:mm", "H:mm", "HH:mm:ss.fff", "hh:mm:ss tt", "h:mm:ss tt", "h:mm tt"]);
            return (UsText.ToUtc(local.Date + time.TimeOfDay, zone), false);
        }
        var hasTime = map.DateFormat is { } f ? f.Contains('H', StringComparison.Ordinal) || f.Contains('h', StringComparison.Ordinal) : text.Length > 10;
        return (UsText.ToUtc(local, zone), !hasTime);
    }
}
