using System.Text.Json;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Ghostfolio's own export ({"meta":…,"activities":[{"type":"BUY","symbol":…,"quantity":…,"unitPrice":…,"fee":…,
/// "currency":…,"date":…,"dataSource":…}]}). BUY and SELL are fills; DIVIDEND, FEE, INTEREST, ITEM, LIABILITY… are
/// counted by type. Ghostfolio keeps day-resolution dates: a date at midnight UTC is DateOnly. No trade ids.
/// </summary>
public sealed class GhostfolioJsonFormat : IBrokerFileFormat
{
    public string Id => "ghostfolio-json";
    public string Broker => "Ghostfolio";

    public int Detect(ImportFile file)
    {
        var head = file.Head.TrimStart();
        return head.StartsWith('{') && head.Contains("\"activities\"", StringComparison.Ordinal)
            && (head.Contains("\"meta\"", StringComparison.Ordinal) || head.Contains("\"unitPrice\"", StringComparison.Ordinal)) ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(file.Text);
        }
        catch (JsonException ex)
        {
            throw new ImportFileException($"'{file.FileName}' is not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("activities", out var activities) || activities.ValueKind != JsonValueKind.Array)
            {
                throw new ImportFileException($"'{file.FileName}' has no \"activities\" list; it is not a Ghostfolio export.");
            }
            var zone = options.ResolveZone(null);
            var collector = new FillCollector(Id, Broker);
            var record = 0;
            foreach (var activity in activities.EnumerateArray())
            {
                record++;
                var line = record;
                collector.Row(line, () => Read(activity, line, zone, collector));
            }
            return collector.Result();
        }
    }

    private static void Read(JsonElement activity, int line, TimeZoneInfo zone, FillCollector collector)
    {
        var raw = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (activity.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in activity.EnumerateObject())
            {
                raw[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null => null,
                    _ => p.Value.GetRawText(),
                };
            }
        }
        string? S(string name) => raw.GetValueOrDefault(name) is { Length: > 0 } v ? v.Trim() : null;
        decimal N(string name, bool required) =>
            S(name) is { } text
                ? UsText.TryNumber(text, out var v) ? v : throw new RowException(name, $"'{text}' is not a number")
                : required ? throw new RowException(name, "is missing") : 0m;

        var type = S("type")?.ToUpperInvariant() ?? throw new RowException("type", "is missing");
        FillSide? side = type switch { "BUY" => FillSide.Buy, "SELL" => FillSide.Sell, _ => null };
        if (side is null)
        {
            collector.Skip(type);
            return;
        }
        var (at, dateOnly) = GhostfolioDates.Read(S("date"), "date", zone);
        collector.Add(new ParsedFill
        {
            Line = line,
            Symbol = S("symbol") ?? throw new RowException("symbol", "is missing"),
            Side = side.Value,
            Quantity = Math.Abs(N("quantity", true)),
            Price = N("unitPrice", true),
            Fees = Math.Abs(N("fee", false)),
            ExecutedAt = at,
            DateOnly = dateOnly,
            Currency = S("currency") ?? throw new RowException("currency", "is missing"),
            AssetType = string.Equals(S("dataSource"), "COINGECKO", StringComparison.OrdinalIgnoreCase) ? FillAssetType.Crypto : FillAssetType.Equity,
            Name = S("comment"),
            Raw = raw,
        });
    }
}

/// <summary>The date spellings Ghostfolio's importers accept: ISO instants, ISO dates and dd-MM-yyyy / dd/MM/yyyy / dd.MM.yyyy / yyyyMMdd.</summary>
internal static class GhostfolioDates
{
    private static readonly string[] Days = ["yyyy-MM-dd", "dd-MM-yyyy", "dd/MM/yyyy", "dd.MM.yyyy", "yyyyMMdd"];

    public static (DateTimeOffset At, bool DateOnly) Read(string? text, string column, TimeZoneInfo zone)
    {
        if (UsText.TryInstant(text, out var instant))
        {
            return (instant, instant.TimeOfDay == TimeSpan.Zero);
        }
        if (UsText.TryLocal(text, Days, out var day))
        {
            return (UsText.ToUtc(day, zone), true);
        }
        if (UsText.TryLocal(text, ["yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.fff", "yyyy-MM-dd HH:mm:ss"], out var local))
        {
            return (UsText.ToUtc(local, zone), false);
        }
        throw new RowException(column, text is null ? "is missing" : $"'{text}' is not a date");
    }
}
