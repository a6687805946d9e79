using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Signalbook.Features.Journal.Import;

/// <summary>trade_fills.asset_type (trading-buddy seed): equity, option, crypto.</summary>
public enum FillAssetType
{
    Equity,
    Option,
    Crypto,
}

public enum FillSide
{
    Buy,
    Sell,
}

/// <summary>An option's contract terms. Campaign maths multiplies price × quantity by <see cref="Multiplier"/>.</summary>
public sealed record OptionContract(string Underlying, DateOnly Expiry, decimal Strike, OptionRight Right, decimal Multiplier = 100m);

public enum OptionRight
{
    Call,
    Put,
}

/// <summary>
/// One trade parsed from a broker file, before anything is stored. Quantities are positive (the side says the
/// direction); <see cref="Price"/> is per unit in <see cref="Currency"/>; <see cref="Fees"/> is the absolute total of
/// commission, fees and taxes on the fill; <see cref="ExecutedAt"/> is UTC.
/// </summary>
public sealed record ParsedFill
{
    /// <summary>1-based line of the row in the file (for XML/JSON/OFX: the 1-based record number).</summary>
    public required int Line { get; init; }

    public required string Symbol { get; init; }
    public required FillSide Side { get; init; }
    public required decimal Quantity { get; init; }
    public required decimal Price { get; init; }
    public decimal Fees { get; init; }
    public required DateTimeOffset ExecutedAt { get; init; }

    /// <summary>True when the file gives only a date; <see cref="ExecutedAt"/> is then that date's midnight in the import's time zone.</summary>
    public bool DateOnly { get; init; }

    public required string Currency { get; init; }
    public FillAssetType AssetType { get; init; } = FillAssetType.Equity;
    public OptionContract? Option { get; init; }

    /// <summary>Units per contract: the option's multiplier, 1 for equities and crypto.</summary>
    public decimal Multiplier => Option?.Multiplier ?? 1m;

    public string? Isin { get; init; }
    public string? Name { get; init; }
    public string? OrderId { get; init; }
    public string? Venue { get; init; }

    /// <summary>The broker's own trade id when the file has one; otherwise the importer derives a stable hash (<see cref="FillHash"/>).</summary>
    public string? ExternalTradeId { get; init; }

    /// <summary>The source row's fields as read (header → value), stored as trade_fills.raw_data.</summary>
    public IReadOnlyDictionary<string, string?> Raw { get; init; } = new Dictionary<string, string?>();
}

/// <summary>A row the parser could not use, with its 1-based line and the reason (and column when one is to blame).</summary>
public sealed record RowProblem(int Line, string Reason, string? Column = null)
{
    public override string ToString() => Column is null ? $"line {Line}: {Reason}" : $"line {Line}, column '{Column}': {Reason}";
}

/// <summary>
/// What a format made of a file: the trades in chronological order (oldest first, file order within equal times),
/// the rows it could not read, and how many rows it skipped because they are not trades (dividends, deposits,
/// interest, fees, transfers), counted by kind.
/// </summary>
public sealed record ParseResult(
    string FormatId,
    string Broker,
    IReadOnlyList<ParsedFill> Fills,
    IReadOnlyList<RowProblem> Problems,
    IReadOnlyDictionary<string, int> SkippedNonTrades)
{
    public int SkippedCount => SkippedNonTrades.Values.Sum();
}

/// <summary>Options a user chooses for an import.</summary>
public sealed record ImportOptions
{
    /// <summary>The zone for timestamps the file writes without an offset (IANA id). Null: the format's broker default, else UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>The column mapping for the generic CSV format (saved per broker by the user).</summary>
    public GenericCsvMapping? GenericMapping { get; init; }

    public TimeZoneInfo ResolveZone(string? brokerDefault) =>
        TimeZoneInfo.FindSystemTimeZoneById(TimeZone ?? brokerDefault ?? "UTC");
}

/// <summary>The generic CSV format's mapping: which header holds each field, and how to read dates and sides.</summary>
public sealed record GenericCsvMapping
{
    public required string Date { get; init; }
    public string? Time { get; init; }
    public required string Symbol { get; init; }
    public required string Side { get; init; }
    public required string Quantity { get; init; }
    public required string Price { get; init; }
    public string? Fees { get; init; }
    public string? Currency { get; init; }
    public string? TradeId { get; init; }
    public string? OrderId { get; init; }

    /// <summary>.NET date format, e.g. yyyy-MM-dd or MM/dd/yyyy HH:mm:ss; null tries ISO 8601.</summary>
    public string? DateFormat { get; init; }

    /// <summary>Values of the side column that mean buy (case-insensitive); everything else listed in <see cref="SellValues"/> is a sell.</summary>
    public IReadOnlyList<string> BuyValues { get; init; } = ["buy", "b", "bot", "bought"];
    public IReadOnlyList<string> SellValues { get; init; } = ["sell", "s", "sld", "sold"];

    /// <summary>"." or "," as the decimal separator.</summary>
    public string DecimalSeparator { get; init; } = ".";
    public string DefaultCurrency { get; init; } = "USD";
}

/// <summary>
/// A broker file format. Implementations are found by reflection (any non-abstract class of the app assembly with a
/// parameterless constructor), so adding a format is adding one class. Parsing never throws for bad rows: it
/// reports them as <see cref="RowProblem"/>s; it throws <see cref="ImportFileException"/> only when the file as a
/// whole cannot be read as this format.
/// </summary>
public interface IBrokerFileFormat
{
    /// <summary>Stable id stored on the import batch, e.g. "degiro-csv", "ibkr-flex-xml".</summary>
    string Id { get; }

    /// <summary>The broker as users name it, e.g. "DEGIRO".</summary>
    string Broker { get; }

    /// <summary>0 = not this format; higher = more certain (100: a signature no other format has). Must be cheap and never throw.</summary>
    int Detect(ImportFile file);

    ParseResult Parse(ImportFile file, ImportOptions options);
}

/// <summary>A whole-file problem (unknown format, unreadable dates everywhere, entities in XML…), shown to the user as is.</summary>
public sealed class ImportFileException(string message) : Exception(message);

/// <summary>
/// An uploaded file decoded once: UTF-8 (with or without BOM) when the bytes are valid UTF-8, otherwise Latin-1.
/// Formats read <see cref="Text"/> or <see cref="Lines"/>; the detector reads <see cref="Head"/>.
/// </summary>
public sealed class ImportFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private string[]? _lines;

    public string FileName { get; }
    public byte[] Bytes { get; }
    public string Text { get; }
    public Encoding Encoding { get; }

    public ImportFile(string fileName, byte[] bytes)
    {
        FileName = fileName;
        Bytes = bytes;
        var span = bytes.AsSpan();
        if (span.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            span = span[3..];
        }
        try
        {
            Text = StrictUtf8.GetString(span);
            Encoding = Encoding.UTF8;
        }
        catch (DecoderFallbackException)
        {
            Text = Encoding.Latin1.GetString(span);
            Encoding = Encoding.Latin1;
        }
    }

    public static ImportFile FromText(string fileName, string text) => new(fileName, Encoding.UTF8.GetBytes(text));

    public IReadOnlyList<string> Lines => _lines ??= Text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The first 4 KB of text, for detection.</summary>
    public string Head => Text.Length <= 4096 ? Text : Text[..4096];

    public string Extension => Path.GetExtension(FileName).ToLowerInvariant();
}

/// <summary>
/// The stable id of a fill whose broker gives none: a hash of the format and the fill's own fields, plus its
/// occurrence among identical rows of the same file, so re-importing the file adds nothing while two genuinely
/// identical fills in one file are both kept.
/// </summary>
public static class FillHash
{
    public static string Compute(string formatId, ParsedFill fill, int occurrence)
    {
        var key = string.Join('|',
            formatId,
            fill.ExecutedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            fill.Symbol.ToUpperInvariant(),
            fill.Side,
            fill.Quantity.ToString(CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.'),
            fill.Price.ToString(CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.'),
            fill.Fees.ToString(CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.'),
            fill.Currency.ToUpperInvariant(),
            occurrence.ToString(CultureInfo.InvariantCulture));
        return "h:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..40];
    }

    /// <summary>External ids for a file's fills: the broker's own where given, else the hash with occurrence numbering.</summary>
    public static IReadOnlyList<string> Assign(string formatId, IReadOnlyList<ParsedFill> fills)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var ids = new string[fills.Count];
        for (var i = 0; i < fills.Count; i++)
        {
            var f = fills[i];
            if (!string.IsNullOrWhiteSpace(f.ExternalTradeId))
            {
                // A broker id repeated inside one file (scrubbed samples, an order id used for several fills) still
                // names distinct rows: the repeats are numbered, the same way on every import of the file.
                var id = f.ExternalTradeId.Trim();
                var k = seenIds.TryGetValue(id, out var m) ? m + 1 : 0;
                seenIds[id] = k;
                ids[i] = k == 0 ? id : $"{id}#{k + 1}";
                continue;
            }
            var baseKey = Compute(formatId, f, 0);
            var n = seen.TryGetValue(baseKey, out var c) ? c + 1 : 0;
            seen[baseKey] = n;
            ids[i] = n == 0 ? baseKey : Compute(formatId, f, n);
        }
        return ids;
    }
}
