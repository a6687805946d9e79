using System.Text.Json;
using System.Text.Json.Serialization;
using Signalbook.Features.Journal.Nudges;

namespace Signalbook.Features.Journal.Contexts;

/// <summary>decision_contexts.exit_intent: the planned stop and target prices and a time stop in the trader's words ("Friday close", "2025-03-21").</summary>
public sealed record ExitIntent(decimal? Stop = null, decimal? Target = null, string? TimeStop = null)
{
    public bool IsEmpty => Stop is null && Target is null && string.IsNullOrWhiteSpace(TimeStop);
}

/// <summary>decision_contexts.feelings_then / feelings_now: emotions from <see cref="Emotions"/> and how strong they were (1–5).</summary>
public sealed record Feelings(IReadOnlyList<string> Emotions, int? Intensity = null)
{
    public bool IsEmpty => Emotions.Count == 0 && Intensity is null;
}

/// <summary>What the trader writes about one fill.</summary>
public sealed record DecisionContextInput(
    string ContextType,
    long? StrategyId = null,
    string? Hypothesis = null,
    ExitIntent? ExitIntent = null,
    Feelings? FeelingsThen = null,
    Feelings? FeelingsNow = null,
    string? Notes = null);

/// <summary>A stored check as the pages show it.</summary>
public sealed record CheckView(
    long Id,
    long DecisionContextId,
    string CheckType,
    string Severity,
    bool Passed,
    string? NudgeText,
    bool Acknowledged,
    string? TraderAction,
    string CheckPhase,
    DateTimeOffset CheckedAt);

/// <summary>The outcome of saving a context: its id, whether it was new, and the checks now stored on it.</summary>
public sealed record ContextSaved(long ContextId, bool Created, IReadOnlyList<CheckView> Checks)
{
    public IReadOnlyList<CheckView> Failed => Checks.Where(c => !c.Passed).ToList();
}

/// <summary>The jsonb documents of a decision context (snake_case, nulls left out), written and read in one place.</summary>
public static class ContextJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static string? Write(ExitIntent? intent) => intent is null || intent.IsEmpty
        ? null
        : JsonSerializer.Serialize(intent with { TimeStop = string.IsNullOrWhiteSpace(intent.TimeStop) ? null : intent.TimeStop.Trim() }, Options);

    public static string? Write(Feelings? feelings) => feelings is null || feelings.IsEmpty ? null : JsonSerializer.Serialize(feelings, Options);

    public static ExitIntent? ReadExitIntent(string? json) => Read<ExitIntent>(json);

    public static Feelings? ReadFeelings(string? json) => Read<Feelings>(json) is { } f ? f with { Emotions = f.Emotions ?? [] } : null;

    private static T? Read<T>(string? json) where T : class
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException)
        {
            // A document written by another tool (the seed's importer, an older shape): shown as absent rather than breaking the page.
            return null;
        }
    }
}
