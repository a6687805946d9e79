using System.Globalization;
using System.Text.Json.Nodes;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Features.Portfolios.StrategyPages;

/// <summary>
/// What the strategy form edits for a config schema: numbers as the text the user typed (parsed invariantly, so
/// "0.05" means the same in every browser locale), switches as booleans, choices as strings. <see cref="ToConfig"/>
/// builds the JSON the service validates: text that is not a number is sent as a string, so the schema's own message
/// ("x must be a number; got \"abc\"") reaches the field; an empty box is null (off, where the field allows it).
/// </summary>
public sealed class StrategyFormValues
{
    private readonly Dictionary<string, string?> _text = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _flags = new(StringComparer.Ordinal);

    public StrategyFormValues(ConfigSchema schema, JsonObject? config)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        JsonObject values;
        try
        {
            values = schema.Normalise(config);
        }
        catch (StrategyConfigException)
        {
            // A stored config a newer schema no longer accepts: show what is there, defaults elsewhere; Validate says what to fix.
            values = schema.Defaults();
            if (config is not null)
            {
                foreach (var (key, node) in config)
                {
                    if (schema.Field(key) is not null) values[key] = node?.DeepClone();
                }
            }
        }
        foreach (var field in schema.Fields)
        {
            var node = values[field.Key];
            if (field.Kind == FieldKind.Bool) _flags[field.Key] = node?.GetValueKind() == System.Text.Json.JsonValueKind.True;
            else _text[field.Key] = Text(node);
        }
    }

    public ConfigSchema Schema { get; }

    public string? GetText(string key) => _text.GetValueOrDefault(key);

    public void SetText(string key, string? value) => _text[key] = value;

    public bool GetFlag(string key) => _flags.GetValueOrDefault(key);

    public void SetFlag(string key, bool value) => _flags[key] = value;

    /// <summary>The config object as typed: every field of the schema.</summary>
    public JsonObject ToConfig()
    {
        var config = new JsonObject();
        foreach (var field in Schema.Fields)
        {
            config[field.Key] = field.Kind switch
            {
                FieldKind.Bool => JsonValue.Create(GetFlag(field.Key)),
                FieldKind.Choice => string.IsNullOrEmpty(GetText(field.Key)) ? null : JsonValue.Create(GetText(field.Key)),
                _ => Number(GetText(field.Key)),
            };
        }
        return config;
    }

    private static JsonNode? Number(string? text)
    {
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t)) return null;
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(t);
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(), // numbers as JSON writes them: invariant, shortest round-trip form

    };
}

/// <summary>How the strategy pages write numbers: invariant, so a figure reads the same for everyone.</summary>
public static class StrategyFormat
{
    public static string Number(double value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>"Between 2 and 250", "At least 0", or null without bounds (a bound of int.MaxValue is no bound).</summary>
    public static string? Range(ConfigField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var max = field.Max is { } m && m < int.MaxValue ? m : (double?)null;
        return (field.Min, max) switch
        {
            ({ } lo, { } hi) => $"Between {Number(lo)} and {Number(hi)}",
            ({ } lo, null) => $"At least {Number(lo)}",
            (null, { } hi) => $"At most {Number(hi)}",
            _ => null,
        };
    }

    /// <summary>The helper line under a setting: its help, its range, and that it may be left empty.</summary>
    public static string Helper(ConfigField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var parts = new List<string> { field.Help.TrimEnd('.') };
        if (Range(field) is { } range) parts.Add(field.Kind == FieldKind.Int ? range + ", a whole number" : range);
        if (field.AllowNull) parts.Add("Leave empty to switch it off");
        return string.Join(". ", parts) + ".";
    }

    public static string Money(decimal value) => value.ToString("+#,##0.00;−#,##0.00;0.00", CultureInfo.InvariantCulture);

    public static string Percent(double? fraction) => fraction is { } f ? (f * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Ratio(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture).Replace('-', '−') : "—";

    public static string Quantity(decimal value) => value.ToString("0.########", CultureInfo.InvariantCulture);

    public static string Price(decimal? value) => value is { } v ? v.ToString("#,##0.00##", CultureInfo.InvariantCulture) : "—";
}
