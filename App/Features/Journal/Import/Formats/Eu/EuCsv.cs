using System.Globalization;
using System.Text;
using CsvHelper;

namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>One record of a broker CSV: its 1-based line in the file, its fields, and access by header name.</summary>
internal sealed class EuRow(EuTable table, int line, string[] fields)
{
    private IReadOnlyDictionary<string, string?>? _raw;

    public EuTable Table => table;
    public int Line { get; } = line;
    public string[] Fields { get; } = fields;

    /// <summary>The trimmed value under a header (case-insensitive), null when the column is missing or the cell empty.</summary>
    public string? this[string column] => table.IndexOf(column) is var i and >= 0 ? At(i) : null;

    public string? At(int index) => index >= 0 && index < Fields.Length ? EuCsv.NullIfBlank(Fields[index]) : null;

    /// <summary>The first non-empty value among several header spellings (languages, export versions).</summary>
    public string? First(params string[] columns)
    {
        foreach (var c in columns)
        {
            if (this[c] is { } v) return v;
        }
        return null;
    }

    public bool IsBlank => Fields.All(string.IsNullOrWhiteSpace);

    /// <summary>header → value, for <see cref="ParsedFill.Raw"/>; unnamed columns are "Column N", repeated names get "#2".</summary>
    public IReadOnlyDictionary<string, string?> Raw => _raw ??= table.RawOf(Fields);
}

/// <summary>A CSV file read with its header row.</summary>
internal sealed class EuTable
{
    private readonly Dictionary<string, int> _index = new(StringComparer.OrdinalIgnoreCase);
    private readonly string[] _rawNames;

    public EuTable(string[] headers, int headerLine)
    {
        Headers = headers.Select(h => h.Trim().Trim('\uFEFF')).ToArray();
        HeaderLine = headerLine;
        _rawNames = new string[Headers.Count];
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Headers.Count; i++)
        {
            var name = Headers[i].Length == 0 ? $"Column {i + 1}" : Headers[i];
            var n = seen.TryGetValue(name, out var c) ? c + 1 : 1;
            seen[name] = n;
            _rawNames[i] = n == 1 ? name : $"{name}#{n}";
            if (Headers[i].Length > 0) _index.TryAdd(Headers[i], i);
        }
    }

    public IReadOnlyList<string> Headers { get; }
    public int HeaderLine { get; }
    public List<EuRow> Rows { get; } = [];

    public int IndexOf(string column) => _index.TryGetValue(column, out var i) ? i : -1;

    public bool Has(string column) => _index.ContainsKey(column);

    internal IReadOnlyDictionary<string, string?> RawOf(string[] fields)
    {
        var raw = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Max(fields.Length, _rawNames.Length); i++)
        {
            var value = i < fields.Length ? EuCsv.NullIfBlank(fields[i]) : null;
            if (i >= _rawNames.Length && value is null) continue;
            raw[i < _rawNames.Length ? _rawNames[i] : $"Column {i + 1}"] = value;
        }
        return raw;
    }
}

/// <summary>
/// What a format collects while it walks a file: fills, row problems, and the non-trade rows it skipped by kind.
/// <see cref="Finish"/> puts fills in chronological order and gives fills of one order ids that stay distinct.
/// </summary>
internal sealed class EuParse(string formatId, string broker)
{
    public List<ParsedFill> Fills { get; } = [];
    public List<RowProblem> Problems { get; } = [];
    public Dictionary<string, int> Skipped { get; } = new(StringComparer.Ordinal);

    public void Skip(string kind) => Skipped[kind] = Skipped.TryGetValue(kind, out var n) ? n + 1 : 1;

    public void Problem(int line, string reason, string? column = null) => Problems.Add(new RowProblem(line, reason, column));

    /// <param name="newestFirst">The broker writes newest rows first, so rows of one instant are in reverse order too. Null: judged from the first and last fill.</param>
    /// <param name="idsFromOrders">Give fills without a trade id their order id as external id, numbered "#n" when an order has several fills.</param>
    public ParseResult Finish(bool? newestFirst = null, bool idsFromOrders = false)
    {
        IEnumerable<ParsedFill> inFileOrder = Fills.OrderBy(f => f.Line);
        var list = inFileOrder.ToList();
        var reverse = newestFirst ?? (list.Count > 1 && list[0].ExecutedAt > list[^1].ExecutedAt);
        if (reverse) list.Reverse();
        var sorted = list.OrderBy(f => f.ExecutedAt).ToList();
        if (idsFromOrders)
        {
            var perOrder = sorted.Where(f => f.ExternalTradeId is null && !string.IsNullOrWhiteSpace(f.OrderId))
                .GroupBy(f => f.OrderId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            var numbered = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < sorted.Count; i++)
            {
                var f = sorted[i];
                if (f.ExternalTradeId is not null || f.OrderId is null || !perOrder.TryGetValue(f.OrderId, out var count)) continue;
                var n = numbered.TryGetValue(f.OrderId, out var c) ? c + 1 : 1;
                numbered[f.OrderId] = n;
                sorted[i] = f with { ExternalTradeId = count == 1 ? f.OrderId : $"{f.OrderId}#{n}" };
            }
        }
        return new ParseResult(formatId, broker, sorted, Problems.OrderBy(p => p.Line).ToList(), Skipped);
    }
}

/// <summary>CSV reading, number and date parsing shared by the European broker formats.</summary>
internal static class EuCsv
{
    private static readonly string[] CurrencyWords = ["EUR", "USD", "GBP", "GBX", "SEK", "CHF", "NOK", "DKK", "PLN", "CAD", "CAN", "JPY", "RON"];

    public static string? NullIfBlank(string? s)
    {
        var t = s?.Trim();
        return string.IsNullOrEmpty(t) ? null : t;
    }

    /// <summary>
    /// Reads <see cref="ImportFile.Text"/> as CSV with the given delimiter. The header is the first record that
    /// <paramref name="isHeader"/> accepts (default: the first non-blank one), so preamble lines are passed over;
    /// blank records after it are dropped. Each row keeps the 1-based line it starts on.
    /// </summary>
    public static EuTable Read(ImportFile file, char delimiter, Func<string[], bool>? isHeader = null)
    {
        var csvOptions = new CsvReaderOptions
        {
            Separator = delimiter,
            HasHeader = false,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
        };
        using var reader = CsvReader.FromText(file.Text, csvOptions);
        EuTable? table = null;
        while (reader.Read())
        {
            var line = (int)reader.LineNumber;
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader.GetString(i) ?? "";
            }
            if (fields.All(string.IsNullOrWhiteSpace)) continue;
            if (table is null)
            {
                if (isHeader is null || isHeader(fields)) table = new EuTable(fields, line);
                continue;
            }
            table.Rows.Add(new EuRow(table, line, fields));
        }
        return table ?? throw new ImportFileException($"'{file.FileName}' has no header row this format knows.");
    }

    /// <summary>The first non-blank line of the file's head (the header of most exports).</summary>
    public static string FirstLine(ImportFile file)
    {
        foreach (var l in file.Head.Split('\n'))
        {
            var t = l.Trim().Trim('\uFEFF');
            if (t.Length > 0) return t;
        }
        return "";
    }

    /// <summary>The header names of a line split on the delimiter, quotes removed (for cheap detection).</summary>
    public static HashSet<string> Names(string line, char delimiter) =>
        line.Split(delimiter).Select(n => n.Trim().Trim('"').Trim()).Where(n => n.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>100 when the head's first line holds every named column, else 0.</summary>
    public static int ScoreHeader(ImportFile file, char delimiter, params string[] columns)
    {
        var names = Names(FirstLine(file), delimiter);
        return columns.All(names.Contains) ? 100 : 0;
    }

    /// <summary>
    /// A number written either way: "1.234,56", "1,234.56", "-77,3", "(6.97)", "€35,761.54", "89,162.28 SEK",
    /// "1 046,3825", "1'000.50". With both separators the last is the decimal one; a separator repeated is a thousands
    /// one; a single one is the decimal separator unless <paramref name="decimalSeparator"/> says otherwise and three
    /// digits follow it.
    /// </summary>
    public static bool TryDecimal(string? text, out decimal value, char? decimalSeparator = null)
    {
        value = 0;
        var s = NullIfBlank(text);
        if (s is null) return false;
        foreach (var word in CurrencyWords)
        {
            s = s.Replace(word, "", StringComparison.OrdinalIgnoreCase);
        }
        var negative = false;
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (char.IsAsciiDigit(ch) || ch is '.' or ',') sb.Append(ch);
            else if (ch is '-' or '\u2212' or '(') negative = true;
            else if (ch is '+' or ')' or '\'' or '’' or '€' or '$' or '£' or '¥' || char.IsWhiteSpace(ch)) continue;
            else return false;
        }
        var digits = sb.ToString();
        if (digits.Length == 0 || !digits.Any(char.IsAsciiDigit)) return false;
        var lastDot = digits.LastIndexOf('.');
        var lastComma = digits.LastIndexOf(',');
        char? dec;
        if (lastDot >= 0 && lastComma >= 0) dec = lastDot > lastComma ? '.' : ',';
        else if (lastDot < 0 && lastComma < 0) dec = null;
        else
        {
            var sep = lastDot >= 0 ? '.' : ',';
            var occurrences = digits.Count(c => c == sep);
            var after = digits.Length - digits.LastIndexOf(sep) - 1;
            dec = occurrences > 1 || (decimalSeparator is { } d && d != sep && after == 3) ? null : sep;
        }
        var normal = dec is null
            ? digits.Replace(".", "").Replace(",", "")
            : digits.Replace(dec == '.' ? "," : ".", "").Replace(dec.Value, '.');
        if (!decimal.TryParse(normal, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)) return false;
        if (negative) value = -value;
        return true;
    }

    /// <summary>A local date/time in one of the given exact formats (invariant culture: English month names, any case).</summary>
    public static bool TryDate(string? text, out DateTime value, params string[] formats)
    {
        value = default;
        var s = NullIfBlank(text);
        if (s is null || !DateTime.TryParseExact(s, formats, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out value)) return false;
        value = DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
        return true;
    }

    /// <summary>A wall-clock time in <paramref name="zone"/> as UTC (a time in a DST gap moves forward; an ambiguous one takes standard time).</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>ISO currency code of a symbol or code as brokers write it ("€", "$", "£", "CAN").</summary>
    public static string? Currency(string? text)
    {
        var s = NullIfBlank(text)?.Trim('"');
        if (s is null) return null;
        if (s.Contains('€')) return "EUR";
        if (s.Contains('£')) return "GBP";
        if (s.Contains('$')) return "USD";
        var code = new string(s.Where(char.IsAsciiLetter).ToArray()).ToUpperInvariant();
        if (code.Length > 3)
        {
            code = code[^3..];
        }
        return code switch
        {
            "CAN" => "CAD",
            { Length: 3 } => code,
            _ => null,
        };
    }

    /// <summary>The last 3-letter currency code or symbol of an amount such as "89,162.28 SEK" or "€10.00".</summary>
    public static string? CurrencyOfAmount(string? text)
    {
        var s = NullIfBlank(text);
        if (s is null) return null;
        if (s.Contains('€')) return "EUR";
        if (s.Contains('£')) return "GBP";
        if (s.Contains('$')) return "USD";
        var letters = new string(s.Where(char.IsAsciiLetter).ToArray());
        return letters.Length == 3 ? letters.ToUpperInvariant() : null;
    }

    /// <summary>True for an ISIN-shaped string (two letters, nine alphanumerics, a check digit).</summary>
    public static bool IsIsin(string? s) =>
        s is { Length: 12 } && char.IsAsciiLetter(s[0]) && char.IsAsciiLetter(s[1]) && s.Skip(2).All(char.IsAsciiLetterOrDigit) && char.IsAsciiDigit(s[11]);

    /// <summary>An amount in <paramref name="from"/> expressed in <paramref name="to"/> (GBP and GBX are 100 apart); null when it cannot be.</summary>
    /// <param name="toPerFrom">Units of <paramref name="to"/> per unit of <paramref name="from"/>, when the file gives it.</param>
    public static decimal? Convert(decimal amount, string? from, string to, decimal? toPerFrom)
    {
        if (amount == 0 || from is null || string.Equals(from, to, StringComparison.OrdinalIgnoreCase)) return amount;
        var f = from.ToUpperInvariant();
        var t = to.ToUpperInvariant();
        if (f == "GBP" && t == "GBX") return amount * 100m;
        if (f == "GBX" && t == "GBP") return amount / 100m;
        return toPerFrom is { } r and > 0 ? Math.Round(amount * r, 6) : null;
    }
}
