using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Signalbook.Features.Journal.Import.Formats.Us;

/// <summary>
/// OFX/QFX investment statements, as E*TRADE, Fidelity, Vanguard, Schwab and Quicken downloads write them: OFX 1.x
/// SGML (leaf tags left unclosed) and OFX 2.x XML. Trades are INVSTMTRS/INVTRANLIST's BUYSTOCK, SELLSTOCK, BUYMF,
/// SELLMF, BUYOPT, SELLOPT, BUYDEBT, SELLDEBT, BUYOTHER, SELLOTHER and REINVEST (a buy); the SECLIST maps each
/// UNIQUEID (CUSIP) to its TICKER and an option's terms; FITID is the trade id. DTTRADE
/// "20230103093000.000[-5:EST]" carries its offset; per the OFX spec a time without one is GMT, and a bare date is
/// a date in the import's zone (New York by default).
/// </summary>
public sealed partial class OfxInvestmentFormat : IBrokerFileFormat
{
    public string Id => "ofx-investment";
    public string Broker => "E*TRADE and other OFX/QFX";

    private static readonly HashSet<string> Buys = ["BUYSTOCK", "BUYMF", "BUYOPT", "BUYDEBT", "BUYOTHER", "REINVEST"];
    private static readonly HashSet<string> Sells = ["SELLSTOCK", "SELLMF", "SELLOPT", "SELLDEBT", "SELLOTHER"];

    public int Detect(ImportFile file)
    {
        var head = file.Head;
        var isOfx = head.Contains("OFXHEADER", StringComparison.OrdinalIgnoreCase) || head.Contains("<OFX>", StringComparison.OrdinalIgnoreCase);
        if (!isOfx)
        {
            return 0;
        }
        return file.Text.Contains("<INVSTMTRS>", StringComparison.OrdinalIgnoreCase) ? 100 : 50;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var doc = Load(file);
        var zone = options.ResolveZone(UsText.NewYork);
        var collector = new FillCollector(Id, Broker);
        var securities = Securities(doc);
        var record = 0;
        foreach (var statement in doc.Descendants("INVSTMTRS"))
        {
            var currency = Leaf(statement, "CURDEF") ?? "USD";
            foreach (var tran in statement.Elements("INVTRANLIST").Elements())
            {
                if (tran.Name.LocalName is "DTSTART" or "DTEND")
                {
                    continue;
                }
                record++;
                var line = record;
                collector.Row(line, () => Read(tran, line, currency, securities, zone, collector));
            }
        }
        return collector.Result();
    }

    private sealed record Security(string Id, string? Ticker, string? Name, OptionContract? Option);

    private static void Read(XElement tran, int line, string defaultCurrency, Dictionary<string, Security> securities, TimeZoneInfo zone, FillCollector collector)
    {
        var kind = tran.Name.LocalName;
        FillSide? side = Buys.Contains(kind) ? FillSide.Buy : Sells.Contains(kind) ? FillSide.Sell : null;
        if (side is null)
        {
            collector.Skip(kind);
            return;
        }
        var body = tran.Element("INVBUY") ?? tran.Element("INVSELL") ?? tran;
        var inv = body.Element("INVTRAN") ?? throw new RowException("INVTRAN", "is missing");
        var securityId = Leaf(body.Element("SECID"), "UNIQUEID") ?? throw new RowException("SECID", "is missing");
        securities.TryGetValue(securityId, out var security);
        var (at, dateOnly) = When(Leaf(inv, "DTTRADE"), zone);
        decimal Num(string tag, bool required)
        {
            var text = Leaf(body, tag);
            if (text is null)
            {
                return required ? throw new RowException(tag, "is missing") : 0m;
            }
            return UsText.TryNumber(text, out var v) ? v : throw new RowException(tag, $"'{text}' is not a number");
        }
        var option = security?.Option;
        if (option is not null && Leaf(tran, "SHPERCTRCT") is { } perContract && UsText.TryNumber(perContract, out var shares) && shares > 0)
        {
            option = option with { Multiplier = shares };
        }
        var currency = Leaf(body.Element("CURRENCY"), "CURSYM") ?? Leaf(body.Element("ORIGCURRENCY"), "CURSYM") ?? defaultCurrency;
        var raw = new Dictionary<string, string?>(StringComparer.Ordinal) { ["TYPE"] = kind };
        foreach (var leaf in tran.Descendants().Where(e => !e.HasElements))
        {
            raw.TryAdd(leaf.Name.LocalName, leaf.Value);
        }
        collector.Add(new ParsedFill
        {
            Line = line,
            Symbol = security?.Ticker ?? securityId,
            Name = security?.Name ?? Leaf(inv, "MEMO"),
            Side = side.Value,
            Quantity = Math.Abs(Num("UNITS", true)),
            Price = Num("UNITPRICE", true),
            Fees = Math.Abs(Num("COMMISSION", false)) + Math.Abs(Num("FEES", false)) + Math.Abs(Num("TAXES", false)) + Math.Abs(Num("LOAD", false)),
            ExecutedAt = at,
            DateOnly = dateOnly,
            Currency = currency,
            AssetType = option is null ? FillAssetType.Equity : FillAssetType.Option,
            Option = option,
            ExternalTradeId = Leaf(inv, "FITID"),
            Raw = raw,
        });
    }

    /// <summary>SECLIST: UNIQUEID → ticker, name and, for OPTINFO, the contract (its underlying's ticker when listed).</summary>
    private static Dictionary<string, Security> Securities(XDocument doc)
    {
        var infos = doc.Descendants("SECLIST").Elements().ToList();
        var tickers = infos.Select(i => i.Element("SECINFO")).Where(s => s is not null)
            .Select(s => (Id: Leaf(s!.Element("SECID"), "UNIQUEID"), Ticker: Leaf(s, "TICKER")))
            .Where(p => p.Id is not null && p.Ticker is not null)
            .GroupBy(p => p.Id!).ToDictionary(g => g.Key, g => g.First().Ticker!, StringComparer.Ordinal);
        var result = new Dictionary<string, Security>(StringComparer.Ordinal);
        foreach (var info in infos)
        {
            var secInfo = info.Element("SECINFO");
            var id = Leaf(secInfo?.Element("SECID"), "UNIQUEID");
            if (secInfo is null || id is null)
            {
                continue;
            }
            OptionContract? option = null;
            if (info.Name.LocalName == "OPTINFO"
                && UsText.TryNumber(Leaf(info, "STRIKEPRICE"), out var strike)
                && Leaf(info, "DTEXPIRE") is { Length: >= 8 } expiry
                && System.DateOnly.TryParseExact(expiry[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var exp))
            {
                var underlyingId = Leaf(info.Element("SECID"), "UNIQUEID");
                var ticker = Leaf(secInfo, "TICKER");
                var underlying = underlyingId is not null && tickers.TryGetValue(underlyingId, out var u) ? u
                    : UsText.ParseOccSymbol(ticker)?.Underlying ?? ticker?.Split(' ')[0] ?? id;
                var right = string.Equals(Leaf(info, "OPTTYPE"), "CALL", StringComparison.OrdinalIgnoreCase) ? OptionRight.Call : OptionRight.Put;
                var multiplier = UsText.TryNumber(Leaf(info, "SHPERCTRCT"), out var m) && m > 0 ? m : 100m;
                option = new OptionContract(underlying, exp, strike, right, multiplier);
            }
            result[id] = new Security(id, Leaf(secInfo, "TICKER"), Leaf(secInfo, "SECNAME"), option);
        }
        return result;
    }

    private static string? Leaf(XElement? parent, string name) =>
        parent?.Element(name)?.Value.Trim() is { Length: > 0 } v ? v : null;

    /// <summary>DTTRADE: yyyyMMdd[HHmmss[.fff]][[offset[:TZ]]].</summary>
    internal static (DateTimeOffset At, bool DateOnly) When(string? text, TimeZoneInfo zone)
    {
        var m = text is null ? null : OfxDate().Match(text.Trim());
        if (m is null || !m.Success
            || !DateTime.TryParseExact(m.Groups["date"].Value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new RowException("DTTRADE", text is null ? "is missing" : $"'{text}' is not an OFX date (yyyyMMddHHmmss[offset:TZ])");
        }
        var timeText = m.Groups["time"].Value;
        if (timeText.Length == 0)
        {
            return (UsText.ToUtc(date, zone), true);
        }
        var time = new TimeSpan(int.Parse(timeText[..2], CultureInfo.InvariantCulture), int.Parse(timeText[2..4], CultureInfo.InvariantCulture),
            timeText.Length >= 6 ? int.Parse(timeText[4..6], CultureInfo.InvariantCulture) : 0);
        if (m.Groups["frac"].Success)
        {
            time += TimeSpan.FromMilliseconds(double.Parse("0." + m.Groups["frac"].Value, CultureInfo.InvariantCulture) * 1000);
        }
        var offset = TimeSpan.Zero;
        if (m.Groups["offset"].Success)
        {
            var hours = decimal.Parse(m.Groups["offset"].Value, CultureInfo.InvariantCulture);
            offset = TimeSpan.FromMinutes((double)(hours * 60m));
        }
        return (new DateTimeOffset(date + time, offset).ToUniversalTime(), false);
    }

    [GeneratedRegex(@"^(?<date>\d{8})(?<time>\d{4}(\d{2})?)?(\.(?<frac>\d{1,3}))?(\[(?<offset>[+-]?\d+(\.\d+)?)(:[A-Za-z]+)?\])?$")]
    private static partial Regex OfxDate();

    /// <summary>OFX 2 is XML (read without DTDs); OFX 1 SGML is made well-formed by closing its leaf tags first.</summary>
    private static XDocument Load(ImportFile file)
    {
        var text = file.Text.TrimStart();
        if (text.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) || text.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            return UsText.LoadXml(file, text);
        }
        var start = text.IndexOf("<OFX>", StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            throw new ImportFileException($"'{file.FileName}' has no <OFX> element; it is not an OFX/QFX file.");
        }
        return UsText.LoadXml(file, SgmlToXml(text[start..]));
    }

    private static string SgmlToXml(string sgml)
    {
        var tokens = SgmlToken().Matches(sgml).ToList();
        var xml = new StringBuilder(sgml.Length + sgml.Length / 4);
        var open = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Groups["text"].Success)
            {
                continue; // whitespace between aggregates (text after a start tag is taken with its tag)
            }
            var name = t.Groups["name"].Value.ToUpperInvariant();
            if (t.Groups["close"].Value == "/")
            {
                var at = open.LastIndexOf(name);
                if (at < 0)
                {
                    continue;
                }
                for (var k = open.Count - 1; k >= at; k--)
                {
                    xml.Append("</").Append(open[k]).Append('>');
                }
                open.RemoveRange(at, open.Count - at);
                continue;
            }
            var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
            if (next is not null && next.Groups["text"].Success && next.Value.Trim().Length > 0)
            {
                xml.Append('<').Append(name).Append('>').Append(EscapeText(next.Value.Trim())).Append("</").Append(name).Append('>');
                i++;
                if (i + 1 < tokens.Count && tokens[i + 1].Groups["close"].Value == "/" && tokens[i + 1].Groups["name"].Value.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    i++;
                }
                continue;
            }
            xml.Append('<').Append(name).Append('>');
            open.Add(name);
        }
        for (var k = open.Count - 1; k >= 0; k--)
        {
            xml.Append("</").Append(open[k]).Append('>');
        }
        return xml.ToString();
    }

    private static string EscapeText(string text) =>
        BareAmpersand().Replace(text, "&amp;").Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    [GeneratedRegex(@"<(?<close>/?)(?<name>[A-Za-z0-9_.]+)>|(?<text>[^<]+)")]
    private static partial Regex SgmlToken();

    [GeneratedRegex(@"&(?!(amp|lt|gt|quot|apos|#\d+);)")]
    private static partial Regex BareAmpersand();
}
