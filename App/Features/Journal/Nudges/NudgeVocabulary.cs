namespace Signalbook.Features.Journal.Nudges;

// The fixed vocabularies of the journal (trading-buddy seed). Each is a set of constants plus an
// ordered list, so a migration can write the check constraint from the list
// (e.g. "severity IN ('info','warn','critical')") and the UI can offer the same values in the same order.

/// <summary>campaign_checks.severity. A passed check is always <see cref="Info"/>; a failed one carries its rule's severity.</summary>
public static class NudgeSeverities
{
    public const string Info = "info";
    public const string Warn = "warn";
    public const string Critical = "critical";

    /// <summary>From the mildest to the most serious.</summary>
    public static readonly IReadOnlyList<string> All = [Info, Warn, Critical];

    public static bool IsValid(string? value) => value is not null && All.Contains(value);
}

/// <summary>campaign_checks.check_phase: when in a trade's life a check ran.</summary>
public static class CheckPhases
{
    /// <summary>A planned trade, before any order is sent.</summary>
    public const string PreTrade = "pre_trade";

    /// <summary>The entry fill (or an add) has happened.</summary>
    public const string AtEntry = "at_entry";

    /// <summary>While the position is open.</summary>
    public const string During = "during";

    /// <summary>A reducing or closing fill.</summary>
    public const string AtExit = "at_exit";

    /// <summary>Reviewing a closed campaign.</summary>
    public const string PostTrade = "post_trade";

    /// <summary>In the order a trade lives through them.</summary>
    public static readonly IReadOnlyList<string> All = [PreTrade, AtEntry, During, AtExit, PostTrade];

    public static bool IsValid(string? value) => value is not null && All.Contains(value);
}

/// <summary>campaign_checks.trader_action: what the trader did after seeing a nudge.</summary>
public static class TraderActions
{
    public const string Proceeded = "proceeded";
    public const string Modified = "modified";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Proceeded, Modified, Cancelled];
}

/// <summary>decision_contexts.context_type.</summary>
public static class DecisionContextTypes
{
    public const string Entry = "entry";
    public const string Add = "add";
    public const string Reduce = "reduce";
    public const string Exit = "exit";
    public const string Idea = "idea";
    public const string PostTradeReflection = "post_trade_reflection";

    public static readonly IReadOnlyList<string> All = [Entry, Add, Reduce, Exit, Idea, PostTradeReflection];

    /// <summary>The context type of a fill that does <paramref name="intent"/>.</summary>
    public static string Of(TradeIntent intent) => intent switch
    {
        TradeIntent.Open => Entry,
        TradeIntent.Add => Add,
        TradeIntent.Reduce => Reduce,
        TradeIntent.Exit => Exit,
        _ => throw new ArgumentOutOfRangeException(nameof(intent), intent, null),
    };
}

/// <summary>
/// The emotions a trader can tag in decision_contexts.feelings_then / feelings_now, each with an intensity from
/// <see cref="MinIntensity"/> (barely) to <see cref="MaxIntensity"/> (overwhelming). A fixed list, so reflections can be
/// compared across trades; the first three are the states traders aim for, the rest the ones that lead to mistakes.
/// </summary>
public static class Emotions
{
    public const string Calm = "calm";
    public const string Confident = "confident";
    public const string Focused = "focused";
    public const string Excited = "excited";
    public const string Greedy = "greedy";
    public const string Fearful = "fearful";
    public const string Anxious = "anxious";
    public const string Frustrated = "frustrated";
    public const string Impatient = "impatient";
    public const string Bored = "bored";
    public const string Fomo = "fomo";
    public const string Revenge = "revenge";

    public const int MinIntensity = 1;
    public const int MaxIntensity = 5;

    public static readonly IReadOnlyList<string> All =
        [Calm, Confident, Focused, Excited, Greedy, Fearful, Anxious, Frustrated, Impatient, Bored, Fomo, Revenge];

    /// <summary>The states a disciplined trade is usually taken in.</summary>
    public static readonly IReadOnlyList<string> Constructive = [Calm, Confident, Focused];

    public static bool IsValid(string? emotion, int intensity)
        => emotion is not null && All.Contains(emotion) && intensity is >= MinIntensity and <= MaxIntensity;
}

/// <summary>One tagged emotion, as stored in feelings_then / feelings_now (<c>{"emotion": "fomo", "intensity": 4}</c>).</summary>
public sealed record EmotionReading(string Emotion, int Intensity)
{
    public bool IsValid => Emotions.IsValid(Emotion, Intensity);
}

/// <summary>strategies.implied_strategy_family.</summary>
public static class StrategyFamilies
{
    public const string Trend = "trend";
    public const string Breakout = "breakout";
    public const string Momentum = "momentum";
    public const string MeanReversion = "mean_reversion";
    public const string Volatility = "volatility";

    public static readonly IReadOnlyList<string> All = [Trend, Breakout, Momentum, MeanReversion, Volatility];
}

/// <summary>strategies.direction.</summary>
public static class StrategyDirections
{
    public const string Long = "long";
    public const string Short = "short";
    public const string Both = "both";

    public static readonly IReadOnlyList<string> All = [Long, Short, Both];
}

/// <summary>What a fill does to the position in its symbol.</summary>
public enum TradeIntent
{
    /// <summary>Opens a new position (from flat).</summary>
    Open,

    /// <summary>Adds to an open position in the same direction.</summary>
    Add,

    /// <summary>Takes part of an open position off.</summary>
    Reduce,

    /// <summary>Closes the position.</summary>
    Exit,
}
