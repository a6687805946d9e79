using System.Globalization;
using System.Text.Json;
using Signalbook.Features.Journal.Import;

namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>
/// SnapTrade activities → the import contract. BUY and SELL become <see cref="ParsedFill"/>s; every other type (DIVIDEND,
/// REI, CONTRIBUTION, WITHDRAWAL, INTEREST, FEE, TAX, TRANSFER, SPLIT, OPTIONEXPIRATION, OPTIONASSIGNMENT, …) is counted
/// as a skipped non-trade by its type. Field meanings from SnapTrade's UniversalActivity schema (passiv/snaptrade-sdks,
/// models/account-universal-activity.ts): <c>units</c> and <c>price</c> per unit in <c>currency</c>, <c>fee</c>,
/// <c>trade_date</c> (a timestamp, or only a date for some brokerages), <c>symbol</c> (null when SnapTrade could not map
/// it), <c>option_symbol</c> (OCC ticker, CALL/PUT, strike, expiry, mini = 10 shares a contract, else 100) and
/// <c>external_reference_id</c> (groups the transactions of one order).
/// <para>
/// An option's <see cref="ParsedFill.Symbol"/> is its OCC ticker without the padding spaces (one contract per symbol,
/// so campaigns never mix strikes or expiries); the contract terms are in <see cref="ParsedFill.Option"/>.
/// </para>
/// </summary>
public static class SnapTradeActivityMapper
{
    public const string FormatId = "snaptrade-api";

    /// <summary>The activities of one account (in SnapTrade's order) → fills oldest first (ties keep the given order).</summary>
    public static ParseResult Map(IReadOnlyList<SnapTradeActivity> activities, string broker = "SnapTrade")
    {
        ArgumentNullException.ThrowIfNull(activities);
        var fills = new List<ParsedFill>();
        var problems = new List<RowProblem>();
        var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < activities.Count; i++)
        {
            var a = activities[i];
            var line = i + 1;
            if (a.Type is not ("BUY" or "SELL"))
            {
                var kind = string.IsNullOrEmpty(a.Type) ? "UNKNOWN" : a.Type;
                skipped[kind] = skipped.GetValueOrDefault(kind) + 1;
                continue;
            }
            if (MapTrade(a, line, out var problem) is { } fill) fills.Add(fill);
            else problems.Add(problem!);
        }
        return new ParseResult(FormatId, broker, fills.OrderBy(f => f.ExecutedAt).ToList(), problems, skipped);
    }

    private static ParsedFill? MapTrade(SnapTradeActivity a, int line, out RowProblem? problem)
    {
        problem = null;
        RowProblem Problem(string reason, string column) => new(line, $"activity {a.Id}: {reason}", column);

        if (a.Units is not { } units || units == 0)
        {
            problem = Problem("no units", "units");
            return null;
        }
        if (a.Price is not { } price || price < 0)
        {
            problem = Problem("no price", "price");
            return null;
        }
        if (!TryParseTradeDate(a.TradeDate, out var executedAt, out var dateOnly))
        {
            problem = Problem(a.TradeDate is null ? "no trade date" : $"unreadable trade date '{a.TradeDate}'", "trade_date");
            return null;
        }
        var currency = a.Currency ?? a.SymbolCurrency;
        if (string.IsNullOrWhiteSpace(currency))
        {
            problem = Problem("no currency", "currency");
            return null;
        }

        string symbol;
        OptionContract? contract = null;
        var assetType = FillAssetType.Equity;
        if (a.Option is { } o)
        {
            if (!TryParseTradeDate(o.ExpirationDate, out var expiryTime, out _))
            {
                problem = Problem($"unreadable option expiry '{o.ExpirationDate}'", "option_symbol.expiration_date");
                return null;
            }
            OptionRight? right = o.OptionType.ToUpperInvariant() switch { "CALL" => OptionRight.Call, "PUT" => OptionRight.Put, _ => null };
            if (right is null || string.IsNullOrWhiteSpace(o.Underlying) || o.StrikePrice <= 0)
            {
                problem = Problem("option without underlying, strike or call/put", "option_symbol");
                return null;
            }
            contract = new OptionContract(o.Underlying.Trim().ToUpperInvariant(), DateOnly.FromDateTime(expiryTime.UtcDateTime), o.StrikePrice, right.Value, o.IsMiniOption ? 10m : 100m);
            symbol = string.IsNullOrWhiteSpace(o.Ticker) ? OccSymbol(contract) : o.Ticker.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
            assetType = FillAssetType.Option;
        }
        else if (!string.IsNullOrWhiteSpace(a.Symbol))
        {
            symbol = a.Symbol.Trim().ToUpperInvariant();
            if (string.Equals(a.SecurityTypeCode, "crypto", StringComparison.OrdinalIgnoreCase)) assetType = FillAssetType.Crypto;
        }
        else
        {
            problem = Problem("no symbol (SnapTrade could not map the brokerage's security)", "symbol");
            return null;
        }

        return new ParsedFill
        {
            Line = line,
            Symbol = symbol,
            Side = a.Type == "BUY" ? FillSide.Buy : FillSide.Sell,
            Quantity = Math.Abs(units),
            Price = price,
            Fees = Math.Abs(a.Fee ?? 0m),
            ExecutedAt = executedAt,
            DateOnly = dateOnly,
            Currency = currency.Trim().ToUpperInvariant(),
            AssetType = assetType,
            Option = contract,
            Name = a.SymbolDescription,
            OrderId = a.ExternalReferenceId,
            Venue = a.Institution,
            ExternalTradeId = a.Id,
            Raw = RawFields(a.RawJson),
        };
    }

    /// <summary>trade_date → UTC; a date without a time is that date's midnight UTC with <see cref="ParsedFill.DateOnly"/> set.</summary>
    public static bool TryParseTradeDate(string? text, out DateTimeOffset executedAt, out bool dateOnly)
    {
        executedAt = default;
        dateOnly = false;
        if (string.IsNullOrWhiteSpace(text)) return false;
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            executedAt = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            dateOnly = true;
            return true;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)) return false;
        executedAt = t.ToUniversalTime();
        return true;
    }

    private static string OccSymbol(OptionContract c) =>
        string.Create(CultureInfo.InvariantCulture, $"{c.Underlying}{c.Expiry:yyMMdd}{(c.Right == OptionRight.Call ? 'C' : 'P')}{(long)(c.Strike * 1000):D8}");

    /// <summary>The activity's top-level fields (nested objects as their JSON text), for trade_fills.raw_data.</summary>
    private static Dictionary<string, string?> RawFields(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var raw = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            raw[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                JsonValueKind.String => p.Value.GetString(),
                _ => p.Value.GetRawText(),
            };
        }
        return raw;
    }
}
