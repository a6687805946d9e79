using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Import.Formats.Eu;

/// <summary>
/// XTB's cash operations export: ';'-separated, times in Central European time, the trade in the comment ("OPEN BUY
/// 34/42.5658 @ 11.7480": 34 of an order for 42.5658 filled at 11.748; "CLOSE BUY 1 @ 26.280" closes a long, so it is
/// a sell). The price is in the instrument's currency, which the file does not state: it follows from the symbol's
/// market suffix (.DE → EUR, .US → USD, .PL → PLN…). London (.UK) instruments trade in GBX, GBP or USD, so their rows
/// are reported rather than guessed. A row repeated with the same ID is the same operation and counts once.
/// </summary>
public sealed partial class XtbFormat : IBrokerFileFormat
{
    private static readonly Dictionary<string, string> SuffixCurrency = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DE"] = "EUR", ["FR"] = "EUR", ["NL"] = "EUR", ["ES"] = "EUR", ["IT"] = "EUR", ["PT"] = "EUR", ["BE"] = "EUR",
        ["FI"] = "EUR", ["IE"] = "EUR", ["AT"] = "EUR", ["US"] = "USD", ["PL"] = "PLN", ["CH"] = "CHF", ["DK"] = "DKK",
        ["SE"] = "SEK", ["NO"] = "NOK", ["CZ"] = "CZK",
    };

    public string Id => "xtb-csv";
    public string Broker => "XTB";

    public int Detect(ImportFile file)
    {
        var names = EuCsv.Names(EuCsv.FirstLine(file), ';');
        return names.SetEquals(["ID", "Type", "Time", "Symbol", "Comment", "Amount"]) ? 100 : 0;
    }

    public ParseResult Parse(ImportFile file, ImportOptions options)
    {
        var zone = options.ResolveZone("Europe/Warsaw");
        var table = EuCsv.Read(file, ';');
        var result = new EuParse(Id, Broker);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in table.Rows)
        {
            if (!seen.Add(string.Join(';', row.Fields)))
            {
                result.Skip("duplicate");
                continue;
            }
            var comment = row["Comment"] ?? "";
            var m = TradeText().Match(comment);
            if (!m.Success)
            {
                var t = (row["Type"] ?? "").ToLowerInvariant();
                if (t.Contains("purchase") || t.Contains("sale") || t.Contains("compra") || t.Contains("vende"))
                {
                    result.Problem(row.Line, $"unreadable trade comment '{comment}'", "Comment");
                    continue;
                }
                result.Skip(t switch
                {
                    _ when t.Contains("withholding") || t.Contains("tax") => "tax",
                    _ when t.Contains("dividend") => "dividend",
                    _ when t.Contains("deposit") => "deposit",
                    _ when t.Contains("withdrawal") => "withdrawal",
                    _ when t.Contains("interest") => "interest",
                    _ when t.Contains("transfer") => "transfer",
                    _ when t.Contains("cfd") || t.Contains("swap") => "cfd",
                    _ when t.Contains("spin") => "corporate-action",
                    _ => "other",
                });
                continue;
            }
            var symbol = row["Symbol"] ?? "";
            var dot = symbol.LastIndexOf('.');
            var suffix = dot > 0 ? symbol[(dot + 1)..] : "";
            if (!SuffixCurrency.TryGetValue(suffix, out var currency))
            {
                result.Problem(row.Line, $"the file does not give the currency of '{symbol}' (XTB's .{suffix} instruments trade in more than one)", "Symbol");
                continue;
            }
            if (!EuCsv.TryDate(row["Time"], out var local, "dd.MM.yyyy HH:mm:ss", "dd.MM.yyyy H:mm:ss"))
            {
                result.Problem(row.Line, $"unreadable time '{row["Time"]}'", "Time");
                continue;
            }
            if (!EuCsv.TryDecimal(m.Groups["qty"].Value, out var qty) || qty == 0 || !EuCsv.TryDecimal(m.Groups["price"].Value, out var price))
            {
                result.Problem(row.Line, $"unreadable quantity or price in '{comment}'", "Comment");
                continue;
            }
            var open = m.Groups["action"].Value.Equals("OPEN", StringComparison.OrdinalIgnoreCase);
            var buy = m.Groups["dir"].Value.Equals("BUY", StringComparison.OrdinalIgnoreCase);
            result.Fills.Add(new ParsedFill
            {
                Line = row.Line,
                Symbol = symbol[..dot],
                Venue = suffix,
                Side = open == buy ? FillSide.Buy : FillSide.Sell,
                Quantity = Math.Abs(qty),
                Price = price,
                Currency = currency,
                ExecutedAt = EuCsv.ToUtc(local, zone),
                OrderId = row["ID"],
                Raw = row.Raw,
            });
        }
        return result.Finish(idsFromOrders: true);
    }

    [GeneratedRegex(@"^\s*(?<action>OPEN|CLOSE)\s+(?<dir>BUY|SELL)\s+(?<qty>[\d.,]+)(?:\s*/\s*[\d.,]+)?\s*@\s*(?<price>[\d.,]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TradeText();
}
