using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using CsvHelper;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// Reading helpers shared by the US and crypto formats: money-style numbers, dates in explicit formats converted to UTC,
/// CSV rows with their line numbers, and XML read without DTDs. A cell that cannot be read throws
/// <see cref="RowException"/>, which <see cref="FillCollector.Row"/> turns into a <see cref="RowProblem"/>.
/// </summary>
internal static partial class UsText
{
    public const string NewYork = "America/New_York";

    private static readonly char[] CurrencySymbols = ['$', '€', '£', '¥', '\u00A0', ' ', '\''];

    /// <summary>
    /// Reads "1,234.50", "$1,234.50", "-$1,234.50", "($1,234.50)", "1234.50-", "€3343.11", "1E-05", or with
    /// <paramref name="decimalSeparator"/> ',' "1.234,50". False for blank or anything else.
    /// </summary>
    public static bool TryNumber(string? text, out decimal value, char decimalSeparator = '.')
    {
        value = 0m;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        if (TryPlainNumber(text.AsSpan().Trim(), decimalSeparator, out value))
        {
            return true;
        }
        var s = text.Trim();
        var negative = false;
        if (s.Length > 1 && s[0] == '(' && s[^1] == ')')
        {
            negative = true;
            s = s[1..^1];
        }
        if (s.Length > 1 && s[^1] == '-')
        {
            negative = !negative;
            s = s[..^1];
        }
        // "-$5", "$-5" and "- 5" all leave "-5" once symbols and spaces are gone.
        s = string.Concat(s.Split(CurrencySymbols, StringSplitOptions.RemoveEmptyEntries));
        if (s.StartsWith('-'))
        {
            negative = !negative;
            s = s[1..];
        }
        else if (s.StartsWith('+'))
        {
            s = s[1..];
        }
        if (decimalSeparator == ',')
        {
            s = s.Replace(".", "", StringComparison.Ordinal).Replace(',', '.');
        }
        else
        {
            s = s.Replace(",", "", StringComparison.Ordinal);
        }
        if (s.Length == 0 || !char.IsAsciiDigit(s[0]) && s[0] != '.')
        {
            return false;
        }
        if (!decimal.TryParse(s, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value))
        {
            return false;
        }
        if (negative)
        {
            value = -value;
        }
        return true;
    }

    /// <summary>
    /// The common case of <see cref="TryNumber"/> without allocating: an optional leading '-', ASCII digits and at most
    /// one '.' (with <paramref name="decimalSeparator"/> '.'), at least one digit. Anything else (grouping, currency,
    /// parentheses, exponents, a ',' separator) is left to the general path, which reads these the same way.
    /// </summary>
    private static bool TryPlainNumber(ReadOnlySpan<char> s, char decimalSeparator, out decimal value)
    {
        value = 0m;
        if (decimalSeparator != '.' || s.Length == 0 || s.Length > 30)
        {
            return false;
        }
        var start = s[0] == '-' ? 1 : 0;
        var digits = 0;
        var points = 0;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c)) digits++;
            else if (c == '.' && ++points == 1) continue;
            else return false;
        }
        return digits > 0
            && decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A local date/time in one of <paramref name="formats"/> (invariant culture), or false.</summary>
    public static bool TryLocal(string? text, string[] formats, out DateTime value)
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text)
            && DateTime.TryParseExact(text.Trim(), formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out value);
    }

    /// <summary>
    /// A wall-clock time in <paramref name="zone"/> as UTC. A time in the spring-forward gap is read as the hour after it;
    /// an ambiguous autumn time as standard time.
    /// </summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var offset = zone.IsInvalidTime(unspecified) ? zone.GetUtcOffset(unspecified.AddHours(1)) : zone.GetUtcOffset(unspecified);
        return new DateTimeOffset(unspecified, offset).ToUniversalTime();
    }

    /// <summary>An ISO 8601 instant with Z or an offset ("2024-09-15T14:23:17Z"), as UTC.</summary>
    public static bool TryInstant(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim();
        if (s.EndsWith(" UTC", StringComparison.Ordinal))
        {
            s = s[..^4] + "Z";
        }
        var hasZone = s.EndsWith('Z') || OffsetSuffix().IsMatch(s);
        if (!hasZone || !DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            return false;
        }
        value = value.ToUniversalTime();
        return true;
    }

    [GeneratedRegex(@"[+-]\d\d:?\d\d$")]
    private static partial Regex OffsetSuffix();

    /// <summary>
    /// Every record of a CSV text with the 1-based line it starts on. No header handling: formats with preambles or
    /// sections find their header rows themselves. Blank lines are skipped; short rows are returned as they are.
    /// </summary>
    public static IEnumerable<CsvLine> ReadCsv(string text, string delimiter = ",")
    {
        var options = new CsvReaderOptions
        {
            Separator = delimiter[0],
            HasHeader = false,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
        };
        using var reader = CsvReader.FromText(text, options);
        while (reader.Read())
        {
            var fields = reader.Current.ToArray().Select(f => (f ?? "").Trim()).ToArray();
            if (fields.All(f => f.Length == 0))
            {
                continue;
            }
            yield return new CsvLine(checked((int)reader.LineNumber), fields);
        }
    }

    /// <summary>
    /// The CSV records after the first row that satisfies <paramref name="isHeader"/>, paired with that header.
    /// Throws <see cref="ImportFileException"/> naming <paramref name="what"/> when there is no such row.
    /// </summary>
    public static (CsvHeader Header, List<CsvRecord> Rows) ReadTable(ImportFile file, Func<string[], bool> isHeader, string what, string delimiter = ",")
    {
        CsvHeader? header = null;
        var rows = new List<CsvRecord>();
        foreach (var line in ReadCsv(file.Text, delimiter))
        {
            if (header is null)
            {
                if (isHeader(line.Fields))
                {
                    header = new CsvHeader(line.Fields);
                }
                continue;
            }
            rows.Add(new CsvRecord(header, line.Line, line.Fields));
        }
        return header is null
            ? throw new ImportFileException($"'{file.FileName}' has no {what} header row; it is not a {what} file.")
            : (header, rows);
    }

    /// <summary>The first non-blank line of the text (for header signatures in Detect).</summary>
    public static string FirstLine(ImportFile file)
    {
        foreach (var line in file.Head.Split('\n'))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                return line.Trim().TrimEnd('\r');
            }
        }
        return "";
    }

    /// <summary>The header fields of the first line, unquoted and trimmed (empty when the line is not CSV-like).</summary>
    public static string[] FirstHeader(ImportFile file, string delimiter = ",")
    {
        var first = FirstLine(file);
        return first.Length == 0 ? [] : ReadCsv(first, delimiter).FirstOrDefault()?.Fields ?? [];
    }

    /// <summary>True when every name is among the fields (case-insensitive).</summary>
    public static bool HasAll(IReadOnlyList<string> fields, params string[] names) =>
        names.All(n => fields.Any(f => string.Equals(f.Trim(), n, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// An XML document read with DTD processing prohibited and no resolver, so external entities (XXE) and entity
    /// expansion are never followed. A DOCTYPE makes the whole file refused.
    /// </summary>
    public static XDocument LoadXml(ImportFile file, string text)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            MaxCharactersFromEntities = 0,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            return XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex) when (ex.Message.Contains("DTD", StringComparison.OrdinalIgnoreCase) || text.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) || text.Contains("<!ENTITY", StringComparison.OrdinalIgnoreCase))
        {
            throw new ImportFileException($"'{file.FileName}' contains a DTD/entities (DOCTYPE); for safety it was not read.");
        }
        catch (XmlException ex)
        {
            throw new ImportFileException($"'{file.FileName}' is not well-formed XML (line {ex.LineNumber}): {ex.Message}");
        }
    }

    /// <summary>
    /// An OCC option symbol ("AAPL  240119C00190000", "AAPL240119C190", "-AAPL240119C190" as Fidelity writes it), or null.
    /// </summary>
    public static OptionContract? ParseOccSymbol(string? symbol, decimal multiplier = 100m)
    {
        // The shortest OCC symbol is a root letter, six date digits, C or P and a strike digit: nine characters.
        if (string.IsNullOrWhiteSpace(symbol) || symbol.Length < 9)
        {
            return null;
        }
        var m = OccSymbol().Match(symbol.Trim().TrimStart('-').Replace(" ", "", StringComparison.Ordinal));
        if (!m.Success || !System.DateOnly.TryParseExact(m.Groups["date"].Value, "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expiry))
        {
            return null;
        }
        var strikeText = m.Groups["strike"].Value;
        var strike = strikeText.Length == 8 && !strikeText.Contains('.', StringComparison.Ordinal)
            ? decimal.Parse(strikeText, CultureInfo.InvariantCulture) / 1000m
            : decimal.Parse(strikeText, CultureInfo.InvariantCulture);
        var right = m.Groups["right"].Value == "C" ? OptionRight.Call : OptionRight.Put;
        return new OptionContract(m.Groups["root"].Value, expiry, strike, right, multiplier);
    }

    [GeneratedRegex(@"^(?<root>[A-Z][A-Z0-9.]{0,5})(?<date>\d{6})(?<right>[CP])(?<strike>\d+(\.\d+)?)$")]
    private static partial Regex OccSymbol();

    /// <summary>Crypto tickers and fiat codes seen in the crypto exports, to tell a crypto/fiat pair's direction.</summary>
    public static bool IsFiat(string? currency) =>
        currency is not null && FiatCodes.Contains(currency.Trim().ToUpperInvariant());

    private static readonly HashSet<string> FiatCodes =
    [
        "USD", "EUR", "CHF", "GBP", "JPY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "SGD", "HKD",
    ];

    /// <summary>The culture-independent text of a decimal, for Raw maps built from non-CSV sources.</summary>
    public static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One CSV record with the 1-based line it starts on.</summary>
internal sealed record CsvLine(int Line, string[] Fields);

/// <summary>A header row: finds columns by name, case-insensitively, ignoring surrounding spaces.</summary>
internal sealed class CsvHeader(IReadOnlyList<string> names)
{
    public IReadOnlyList<string> Names { get; } = names.Select(n => n.Trim()).ToArray();

    public int IndexOf(string name)
    {
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    public bool Has(string name) => IndexOf(name) >= 0;

    /// <summary>The first of the names this header has (exports rename columns between versions), or null.</summary>
    public string? FirstOf(params string[] names) => names.FirstOrDefault(Has);
}

/// <summary>
/// A data row under a header. Getters read by column name; the typed ones throw <see cref="RowException"/> naming the
/// column when a cell is missing or unreadable.
/// </summary>
internal sealed class CsvRecord(CsvHeader header, int line, string[] fields)
{
    public CsvHeader Header { get; } = header;
    public int Line { get; } = line;
    public string[] Fields { get; } = fields;

    public string? Get(string column)
    {
        var i = Header.IndexOf(column);
        return i < 0 || i >= Fields.Length || Fields[i].Length == 0 ? null : Fields[i];
    }

    public string Text(string column) =>
        Get(column) ?? throw new RowException(column, Header.Has(column) ? "is empty" : "is missing from the file");

    public decimal Number(string column, char decimalSeparator = '.')
    {
        var text = Text(column);
        return UsText.TryNumber(text, out var value, decimalSeparator) ? value : throw new RowException(column, $"'{text}' is not a number");
    }

    /// <summary>The number in the column, 0 when the column is absent or blank.</summary>
    public decimal NumberOrZero(string? column, char decimalSeparator = '.') =>
        column is null || Get(column) is null ? 0m : Number(column, decimalSeparator);

    public DateTime Local(string column, string[] formats)
    {
        var text = Text(column);
        return UsText.TryLocal(text, formats, out var value)
            ? value
            : throw new RowException(column, $"'{text}' is not a date ({string.Join(" or ", formats)})");
    }

    public IReadOnlyDictionary<string, string?> Raw()
    {
        var raw = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < Header.Names.Count; i++)
        {
            var name = Header.Names[i].Length == 0 ? $"column{i + 1}" : Header.Names[i];
            raw.TryAdd(raw.ContainsKey(name) ? $"{name}#{i + 1}" : name, i < Fields.Length ? Fields[i] : null);
        }
        return raw;
    }
}

/// <summary>A cell (or a whole row, when Column is null) that a format could not read.</summary>
internal sealed class RowException(string? column, string reason) : Exception(reason)
{
    public string? Column { get; } = column;
}

/// <summary>Gathers a file's fills, problems and skipped kinds, and builds the <see cref="ParseResult"/>.</summary>
internal sealed class FillCollector(string formatId, string broker)
{
    private readonly List<ParsedFill> _fills = [];
    private readonly List<RowProblem> _problems = [];
    private readonly Dictionary<string, int> _skipped = new(StringComparer.Ordinal);

    public int FillCount => _fills.Count;

    public void Add(ParsedFill fill) => _fills.Add(fill);

    public void Skip(string kind) => _skipped[kind] = _skipped.GetValueOrDefault(kind) + 1;

    public void Problem(int line, string reason, string? column = null) => _problems.Add(new RowProblem(line, reason, column));

    /// <summary>Runs one row's parsing; a <see cref="RowException"/> becomes a problem on that line and the row is dropped.</summary>
    public void Row(int line, Action parse)
    {
        try
        {
            parse();
        }
        catch (RowException ex)
        {
            Problem(line, ex.Message, ex.Column);
        }
    }

    /// <summary>
    /// The result with fills oldest first. Files written newest first (told by <paramref name="newestFirst"/>, or when
    /// null by more of their consecutive fills going back in time than forward) are reversed before the stable sort,
    /// so same-time and same-day fills keep the order in which they happened.
    /// </summary>
    public ParseResult Result(bool? newestFirst = null)
    {
        var backwards = 0;
        var forwards = 0;
        for (var i = 1; i < _fills.Count; i++)
        {
            var step = _fills[i].ExecutedAt.CompareTo(_fills[i - 1].ExecutedAt);
            backwards += step < 0 ? 1 : 0;
            forwards += step > 0 ? 1 : 0;
        }
        // Reversing rows, not fills: the fills of one row (a conversion's two legs) keep their order.
        IEnumerable<ParsedFill> ordered = newestFirst ?? backwards > forwards
            ? _fills.Select((f, i) => (Fill: f, Index: i)).OrderByDescending(x => x.Fill.Line).ThenBy(x => x.Index).Select(x => x.Fill)
            : _fills;
        return new ParseResult(formatId, broker, ordered.OrderBy(f => f.ExecutedAt).ToList(), _problems.OrderBy(p => p.Line).ToList(), _skipped);
    }
}
