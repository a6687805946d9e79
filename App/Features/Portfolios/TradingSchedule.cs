using System.Text.Json;
using System.Text.Json.Nodes;
using Cronos;

namespace Signalbook.Features.Portfolios;

/// <summary>
/// A trader's task_schedule (jsonb): when their trading service evaluates strategies, as a five-field cron in an IANA
/// time zone, e.g. {"evaluate": "0 18 * * 1-5", "time_zone": "America/New_York"}. Missing keys take the defaults, which
/// run after the daily market-data sync (16:30 New York) and its features and scoring have finished.
/// </summary>
public sealed record TradingSchedule(string EvaluateCron, string TimeZone)
{
    public const string DefaultCron = "0 18 * * 1-5";
    public const string DefaultTimeZone = "America/New_York";

    public static readonly TradingSchedule Default = new(DefaultCron, DefaultTimeZone);

    /// <summary>Parses and checks the JSON; throws <see cref="TradingValidationException"/> on field TaskSchedule.</summary>
    public static TradingSchedule Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return Default;
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(json) as JsonObject ?? throw new TradingValidationException("TaskSchedule", "The task schedule must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new TradingValidationException("TaskSchedule", $"The task schedule is not valid JSON: {e.Message}");
        }
        foreach (var key in obj.Select(k => k.Key))
            if (key is not ("evaluate" or "time_zone"))
                throw new TradingValidationException("TaskSchedule", $"Unknown task schedule key '{key}'; use evaluate and time_zone.");
        var cron = obj["evaluate"]?.GetValueKind() == JsonValueKind.String ? obj["evaluate"]!.GetValue<string>().Trim() : DefaultCron;
        var zone = obj["time_zone"]?.GetValueKind() == JsonValueKind.String ? obj["time_zone"]!.GetValue<string>().Trim() : DefaultTimeZone;
        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new TradingValidationException("TaskSchedule", $"evaluate must be a five-field cron such as '0 18 * * 1-5': {e.Message}");
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            throw new TradingValidationException("TaskSchedule", $"time_zone '{zone}' is not a known IANA time zone (for example Europe/Paris).");
        return new TradingSchedule(cron, zone);
    }

    /// <summary>The stored form: null for the defaults, else compact JSON.</summary>
    public static string? Normalise(string? json)
    {
        var s = Parse(json);
        return s == Default ? null : JsonSerializer.Serialize(new Dictionary<string, string> { ["evaluate"] = s.EvaluateCron, ["time_zone"] = s.TimeZone });
    }
}
