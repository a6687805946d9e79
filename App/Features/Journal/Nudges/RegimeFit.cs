namespace Signalbook.Features.Journal.Nudges;

/// <summary>The kind of market a regime label describes.</summary>
public enum RegimeCharacter
{
    /// <summary>Prices move steadily in one direction.</summary>
    Trending,

    /// <summary>Prices chop back and forth in a range.</summary>
    Sideways,

    /// <summary>Large, fast moves; stressed markets.</summary>
    Volatile,

    /// <summary>Out of distribution: unlike anything the regime model was trained on.</summary>
    Unusual,
}

/// <summary>A regime label read as a character and, for a trend, its direction (+1 up, −1 down, 0 unknown).</summary>
public sealed record RegimeReading(string Label, RegimeCharacter Character, int Direction = 0);

/// <summary>
/// Which strategy families are meant for which regimes. The labels are the regime models' state names
/// (<c>GaussianHmm.StateNames</c>: calm-up, choppy, stressed; "unusual" out of distribution) and the common
/// bull/bear/sideways words. Labels that say nothing about trend or range ("calm" of a 2-state model, "vol-3" of a
/// larger one) are not read, and the rule is then not evaluated.
/// <code>
/// family          unsuited in
/// trend           sideways, volatile, unusual, and a trend against the trade's direction
/// momentum        sideways, volatile, unusual, and a trend against the trade's direction
/// breakout        sideways (false breakouts), unusual
/// mean_reversion  trending, volatile (falling knives), unusual
/// volatility      unusual
/// </code>
/// </summary>
public static class RegimeFit
{
    private static readonly Dictionary<string, (RegimeCharacter Character, int Direction)> Labels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["calm-up"] = (RegimeCharacter.Trending, 1),
        ["bull"] = (RegimeCharacter.Trending, 1),
        ["uptrend"] = (RegimeCharacter.Trending, 1),
        ["trending-up"] = (RegimeCharacter.Trending, 1),
        ["bear"] = (RegimeCharacter.Trending, -1),
        ["downtrend"] = (RegimeCharacter.Trending, -1),
        ["trending-down"] = (RegimeCharacter.Trending, -1),
        ["trending"] = (RegimeCharacter.Trending, 0),
        ["choppy"] = (RegimeCharacter.Sideways, 0),
        ["sideways"] = (RegimeCharacter.Sideways, 0),
        ["range"] = (RegimeCharacter.Sideways, 0),
        ["ranging"] = (RegimeCharacter.Sideways, 0),
        ["stressed"] = (RegimeCharacter.Volatile, 0),
        ["volatile"] = (RegimeCharacter.Volatile, 0),
        ["high-vol"] = (RegimeCharacter.Volatile, 0),
        ["unusual"] = (RegimeCharacter.Unusual, 0),
    };

    /// <summary>The label's character, or null when the label says nothing this table can use.</summary>
    public static RegimeReading? Read(string? label)
    {
        if (string.IsNullOrWhiteSpace(label)) return null;
        var key = label.Trim().Replace('_', '-');
        return Labels.TryGetValue(key, out var r) ? new RegimeReading(label.Trim(), r.Character, r.Direction) : null;
    }

    /// <summary>Null when <paramref name="family"/> suits the regime; otherwise why it does not, in words for the trader.</summary>
    public static string? Misfit(string family, RegimeReading regime, bool isLong)
    {
        var fam = FamilyWords(family);
        var label = regime.Label;
        switch (regime.Character)
        {
            case RegimeCharacter.Unusual:
                return $"the market is in an unusual state (unlike anything the regime model has seen), so no {fam} edge can be assumed";
            case RegimeCharacter.Sideways when family is StrategyFamilies.Trend or StrategyFamilies.Momentum:
                return $"{fam} strategies need sustained moves, and the market is choppy and range-bound ({label})";
            case RegimeCharacter.Sideways when family is StrategyFamilies.Breakout:
                return $"breakouts in a choppy, range-bound market ({label}) often fail and reverse";
            case RegimeCharacter.Volatile when family is StrategyFamilies.Trend or StrategyFamilies.Momentum:
                return $"{fam} strategies get whipsawed when the market is stressed and volatile ({label})";
            case RegimeCharacter.Volatile when family is StrategyFamilies.MeanReversion:
                return $"buying dips or fading rallies in a stressed, volatile market ({label}) risks catching a falling knife";
            case RegimeCharacter.Trending when family is StrategyFamilies.MeanReversion:
                return $"mean-reversion strategies expect prices to snap back, and the market is trending ({label})";
            case RegimeCharacter.Trending when family is StrategyFamilies.Trend or StrategyFamilies.Momentum
                && regime.Direction != 0 && regime.Direction != (isLong ? 1 : -1):
                return $"this {(isLong ? "long" : "short")} trade goes against the market's {(regime.Direction > 0 ? "up" : "down")}trend ({label})";
            default:
                return null;
        }
    }

    public static string FamilyWords(string family) => family switch
    {
        StrategyFamilies.MeanReversion => "mean-reversion",
        _ => family,
    };
}
