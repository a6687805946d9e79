using System.Text.RegularExpressions;

namespace Signalbook.Features.Journal.Nudges;

/// <summary>
/// Guesses strategies.implied_strategy_family from a strategy's own words.
/// <list type="bullet">
/// <item>Each family has a list of cues (case-insensitive regular expressions on word boundaries: "moving average",
/// "higher highs", "donchian", "rsi below 30", "squeeze"…).</item>
/// <item>A cue scores once per field it appears in, weighted by how much the field says about the idea: name 2,
/// entry criteria 2, description 1, exit criteria 1. Exits count less because they are mostly stops and targets
/// ("2 ATR stop", "trail under the 20-day average") that any family uses.</item>
/// <item>The highest score wins; no cue at all gives null. Ties go to the more specific family, in the order
/// mean_reversion, breakout, volatility, momentum, trend ("trend" is the word most strategies use in passing).</item>
/// <item>Negations ("not a breakout") are not understood; the trader can always set the family by hand.</item>
/// </list>
/// </summary>
public static class StrategyFamilyDetector
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>Families in tie-break order, most specific first, with their cues.</summary>
    private static readonly (string Family, Regex[] Cues)[] Families =
    [
        (StrategyFamilies.MeanReversion, Cues(
            @"mean[- ]?revers\w*", @"revert\w*", @"reversion", @"oversold", @"overbought",
            @"rsi\s*(\(\d+\)\s*)?(is\s+)?(below|under|<|drops?\s+below|crosses\s+below)\s*\d+", @"rsi\s*(\(\d+\)\s*)?(above|over|>)\s*[6-9]\d",
            @"bollinger\s+band\s+(touch|tag)\w*", @"(touch|tag|close)\w*\s+(below\s+|above\s+|outside\s+)?the\s+(lower|upper)\s+(bollinger\s+)?band",
            @"lower\s+bollinger", @"upper\s+bollinger", @"back\s+to\s+the\s+mean", @"z[- ]?score", @"fade\w*", @"snap[- ]?back", @"bounce\w*",
            @"stretched", @"extended\s+from", @"dips?")),
        (StrategyFamilies.Breakout, Cues(
            @"break[- ]?outs?", @"breaks?\s+(out|above|through)", @"breakdown", @"range\s+(high|low)", @"new\s+(\d+[- ](day|week)\s+)?highs?",
            @"(52|fifty[- ]two)[- ]week\s+high", @"all[- ]time\s+highs?", @"donchian", @"opening\s+range", @"resistance", @"consolidation",
            @"base\s+breakout", @"channel\s+break\w*", @"flag", @"cup\s+and\s+handle", @"turtle")),
        (StrategyFamilies.Volatility, Cues(
            @"atr", @"average\s+true\s+range", @"volatility", @"squeeze", @"vix", @"keltner", @"implied\s+vol\w*", @"straddle", @"strangle",
            @"(range|volatility)\s+contraction", @"vol(atility)?\s+expansion", @"nr7", @"inside\s+bars?")),
        (StrategyFamilies.Momentum, Cues(
            @"momentum", @"rate\s+of\s+change", @"roc", @"relative\s+strength(?!\s+index)", @"rs\s+rating", @"macd", @"top\s+performers?",
            @"strongest", @"outperform\w*", @"(12|6|3)[- ]month\s+returns?", @"gap\s+and\s+go", @"acceleration", @"leaders?")),
        (StrategyFamilies.Trend, Cues(
            @"\w*trend\w*", @"moving\s+averages?", @"(sma|ema)\s*\(?\d*\)?", @"\d+[- ]day\s+(simple\s+|exponential\s+)?(ma|average)",
            @"golden\s+cross", @"death\s+cross", @"higher\s+highs", @"higher\s+lows", @"lower\s+highs", @"lower\s+lows", @"adx",
            @"pull[- ]?backs?", @"ichimoku", @"supertrend", @"parabolic\s+sar")),
    ];

    /// <summary>The family the words point to, or null when they point nowhere.</summary>
    public static string? Detect(string? name, string? description, string? entryCriteria, string? exitCriteria)
    {
        var scores = Score(name, description, entryCriteria, exitCriteria);
        string? best = null;
        var bestScore = 0;
        foreach (var (family, _) in Families)
        {
            if (scores[family] > bestScore)
            {
                best = family;
                bestScore = scores[family];
            }
        }
        return best;
    }

    /// <summary>Every family's score (for display or debugging), in tie-break order.</summary>
    public static IReadOnlyDictionary<string, int> Score(string? name, string? description, string? entryCriteria, string? exitCriteria)
    {
        (string? Text, int Weight)[] fields = [(name, 2), (description, 1), (entryCriteria, 2), (exitCriteria, 1)];
        var scores = new Dictionary<string, int>();
        foreach (var (family, cues) in Families)
        {
            var score = 0;
            foreach (var (text, weight) in fields)
            {
                if (string.IsNullOrWhiteSpace(text)) continue;
                score += cues.Count(c => c.IsMatch(text)) * weight;
            }
            scores[family] = score;
        }
        return scores;
    }

    private static Regex[] Cues(params string[] patterns)
        => patterns.Select(p => new Regex($@"(?<![\w]){p}(?![\w])", Options)).ToArray();
}
