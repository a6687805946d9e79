using System.Globalization;
using MudBlazor;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;

namespace Signalbook.Features.Journal.Trades;

/// <summary>How the trades pages write campaign figures and the journal's vocabularies for people.</summary>
public static class TradesFormat
{
    /// <summary>"3 d 4 h", "5 h 20 min", "12 min"; "open" while the position is open.</summary>
    public static string Holding(TimeSpan? held)
    {
        if (held is not { } h) return "open";
        if (h.TotalDays >= 1) return h.Hours > 0 ? $"{(int)h.TotalDays} d {h.Hours} h" : $"{(int)h.TotalDays} d";
        if (h.TotalHours >= 1) return h.Minutes > 0 ? $"{(int)h.TotalHours} h {h.Minutes} min" : $"{(int)h.TotalHours} h";
        return $"{Math.Max(0, (int)Math.Round(h.TotalMinutes))} min";
    }

    /// <summary>A multiple of the risk with its sign: "+1.50R", "−0.80R".</summary>
    public static string R(double? r) => r is { } v && double.IsFinite(v) ? v.ToString("+0.00'R';−0.00'R';0.00'R'", CultureInfo.InvariantCulture) : "—";

    public static string Direction(string direction) => direction == "short" ? "Short" : "Long";

    public static string Side(FillSide side) => side == FillSide.Buy ? "Buy" : "Sell";

    public static string Outcome(string outcome) => outcome switch
    {
        CampaignOutcomes.Win => "Win",
        CampaignOutcomes.Loss => "Loss",
        CampaignOutcomes.Open => "Open",
        _ => "Breakeven",
    };

    public static Color OutcomeColor(string outcome) => outcome switch
    {
        CampaignOutcomes.Win => Color.Success,
        CampaignOutcomes.Loss => Color.Error,
        CampaignOutcomes.Open => Color.Info,
        _ => Color.Default,
    };

    public static string Source(FillSource source) => source switch
    {
        FillSource.Manual => "Manual",
        FillSource.BrokerSynced => "Broker sync",
        _ => "File import",
    };

    public static string ContextType(string type) => type switch
    {
        DecisionContextTypes.Entry => "Entry",
        DecisionContextTypes.Add => "Add",
        DecisionContextTypes.Reduce => "Reduce",
        DecisionContextTypes.Exit => "Exit",
        DecisionContextTypes.Idea => "Idea",
        DecisionContextTypes.PostTradeReflection => "Post-trade reflection",
        _ => type,
    };

    public static string Severity(string severity) => severity switch
    {
        NudgeSeverities.Critical => "Critical",
        NudgeSeverities.Warn => "Warning",
        _ => "Info",
    };

    public static Color SeverityColor(string severity) => severity switch
    {
        NudgeSeverities.Critical => Color.Error,
        NudgeSeverities.Warn => Color.Warning,
        _ => Color.Info,
    };

    public static string TraderAction(string? action) => action switch
    {
        TraderActions.Proceeded => "Proceeded",
        TraderActions.Modified => "Modified",
        TraderActions.Cancelled => "Cancelled",
        _ => "—",
    };

    public static string CheckName(string checkType) => checkType.Replace('_', ' ') is { Length: > 0 } s ? char.ToUpperInvariant(s[0]) + s[1..] : checkType;

    public static string Emotion(string emotion) => emotion == Emotions.Fomo ? "FOMO" : char.ToUpperInvariant(emotion[0]) + emotion[1..];

    public static string Intensity(int i) => i switch
    {
        1 => "1 · barely",
        2 => "2 · mild",
        3 => "3 · clear",
        4 => "4 · strong",
        5 => "5 · overwhelming",
        _ => i.ToString(CultureInfo.InvariantCulture),
    };

    public static string Confidence(double? c) => c is { } v ? v.ToString("0%", CultureInfo.InvariantCulture) : "—";
}
