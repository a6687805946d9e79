using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Signalbook.Features.Portfolios.Strategies;

public enum FieldKind
{
    /// <summary>A whole number; the default is an <see cref="int"/>.</summary>
    Int,

    /// <summary>A number; the default is a <see cref="double"/>.</summary>
    Decimal,

    /// <summary>true / false; the default is a <see cref="bool"/>.</summary>
    Bool,

    /// <summary>One of <see cref="ConfigField.Choices"/>; the default is a <see cref="string"/>.</summary>
    Choice,
}

/// <summary>
/// One setting of a strategy's config JSON, as the UI renders it: key, label, kind, default, inclusive bounds, help
/// text, choices (for <see cref="FieldKind.Choice"/>), whether null is allowed (null switches the feature off, e.g. no
/// stop loss), and a group heading.
/// </summary>
public sealed record ConfigField(
    string Key,
    string Label,
    FieldKind Kind,
    object? Default,
    double? Min,
    double? Max,
    string Help,
    string Group,
    IReadOnlyList<string>? Choices = null,
    bool AllowNull = false)
{
    internal static ConfigField Int(string key, string label, int value, int min, int max, string group, string help) =>
        new(key, label, FieldKind.Int, value, min, max, help, group);

    internal static ConfigField Number(string key, string label, double value, double min, double max, string group, string help) =>
        new(key, label, FieldKind.Decimal, value, min, max, help, group);

    internal static ConfigField OptionalNumber(string key, string label, double? value, double min, double max, string group, string help) =>
        new(key, label, FieldKind.Decimal, value, min, max, help, group, AllowNull: true);

    internal static ConfigField Flag(string key, string label, bool value, string group, string help) =>
        new(key, label, FieldKind.Bool, value, null, null, help, group);

    internal static ConfigField Choice(string key, string label, string value, IReadOnlyList<string> choices, string group, string help) =>
        new(key, label, FieldKind.Choice, value, null, null, help, group, choices);
}

/// <summary>A config error: the field and the broken rule, e.g. "rsi_oversold must be between 1 and 99; got 120".</summary>
public sealed record ConfigError(string Field, string Message)
{
    public override string ToString() => Message;
}

public sealed class StrategyConfigException(string strategy, IReadOnlyList<ConfigError> errors)
    : Exception($"Invalid {strategy} config: {string.Join("; ", errors.Select(e => e.Message))}")
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}

/// <summary>
/// The settings of one strategy (or of the entry filters, or of sizing): validates a config JSON object (types,
/// bounds, choices, unknown keys, then the cross-field rules) and fills defaults.
/// </summary>
public sealed class ConfigSchema
{
    private readonly Func<ConfigValues, IEnumerable<ConfigError>> _rules;

    internal ConfigSchema(string name, IReadOnlyList<ConfigField> fields, Func<ConfigValues, IEnumerable<ConfigError>>? rules = null)
    {
        Name = name;
        Fields = fields;
        _rules = rules ?? (_ => []);
        var duplicate = fields.GroupBy(f => f.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"{name} declares {duplicate.Key} twice.");
    }

    /// <summary>The snake_case name used in messages (e.g. mean_reversion).</summary>
    public string Name { get; }

    public IReadOnlyList<ConfigField> Fields { get; }

    public ConfigField? Field(string key) => Fields.FirstOrDefault(f => f.Key == key);

    /// <summary>Errors in <paramref name="config"/> (null means {}); empty when it is valid. Missing keys take defaults.</summary>
    public IReadOnlyList<ConfigError> Validate(JsonObject? config) => Check(config, out _);

    public IReadOnlyList<ConfigError> Validate(JsonElement config) =>
        config.ValueKind switch
        {
            JsonValueKind.Object => Validate(JsonObject.Create(config)),
            JsonValueKind.Null or JsonValueKind.Undefined => Validate((JsonObject?)null),
            _ => [new ConfigError("", $"{Name} config must be a JSON object; got {config.ValueKind.ToString().ToLowerInvariant()}")],
        };

    /// <summary>A new object holding every field (given values, defaults for the rest), in schema order.</summary>
    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public JsonObject Normalise(JsonObject? config)
    {
        var errors = Check(config, out var normalised);
        if (errors.Count > 0) throw new StrategyConfigException(Name, errors);
        return normalised;
    }

    public JsonObject Normalise(JsonElement config)
    {
        var errors = Validate(config);
        if (errors.Count > 0) throw new StrategyConfigException(Name, errors);
        return Normalise(config.ValueKind == JsonValueKind.Object ? JsonObject.Create(config) : null);
    }

    /// <summary>The defaults as a config object.</summary>
    public JsonObject Defaults() => Normalise((JsonObject?)null);

    internal ConfigValues Read(JsonObject? config) => new(Normalise(config));

    private List<ConfigError> Check(JsonObject? config, out JsonObject normalised)
    {
        var errors = new List<ConfigError>();
        normalised = [];
        if (config is not null)
        {
            foreach (var (key, _) in config)
            {
                if (Field(key) is null)
                    errors.Add(new ConfigError(key, $"{key} is not a setting of {Name}; expected one of {string.Join(", ", Fields.Select(f => f.Key))}"));
            }
        }
        foreach (var field in Fields)
        {
            if (config is null || !config.TryGetPropertyValue(field.Key, out var node))
            {
                normalised[field.Key] = ToNode(field.Default);
                continue;
            }
            var error = CheckValue(field, node, out var value);
            if (error is not null) errors.Add(new ConfigError(field.Key, error));
            else normalised[field.Key] = value;
        }
        if (errors.Count == 0) errors.AddRange(_rules(new ConfigValues(normalised)));
        return errors;
    }

    private static string? CheckValue(ConfigField field, JsonNode? node, out JsonNode? value)
    {
        value = null;
        var key = field.Key;
        if (node is null)
            return field.AllowNull ? null : $"{key} is required; got null";
        var kind = node.GetValueKind();
        switch (field.Kind)
        {
            case FieldKind.Bool:
                if (kind is JsonValueKind.True or JsonValueKind.False)
                {
                    value = JsonValue.Create(kind == JsonValueKind.True);
                    return null;
                }
                return $"{key} must be true or false; got {Show(node)}";
            case FieldKind.Choice:
                var choices = field.Choices ?? [];
                if (kind == JsonValueKind.String && choices.Contains(node.GetValue<string>(), StringComparer.Ordinal))
                {
                    value = JsonValue.Create(node.GetValue<string>());
                    return null;
                }
                return $"{key} must be one of {string.Join(", ", choices)}; got {Show(node)}";
            default:
                if (kind != JsonValueKind.Number)
                    return $"{key} must be a number; got {Show(node)}";
                var number = double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
                if (field.Kind == FieldKind.Int && number != Math.Floor(number))
                    return $"{key} must be a whole number; got {Show(node)}";
                if ((field.Min is { } min && number < min) || (field.Max is { } max && number > max))
                    return $"{key} must be {Bounds(field)}; got {Show(node)}";
                if (field.Kind == FieldKind.Int && Math.Abs(number) > int.MaxValue)
                    return $"{key} must be between {int.MinValue} and {int.MaxValue}; got {Show(node)}";
                value = field.Kind == FieldKind.Int ? JsonValue.Create((int)number) : JsonValue.Create(number);
                return null;
        }
    }

    private static string Bounds(ConfigField field) => (field.Min, field.Max) switch
    {
        ({ } min, { } max) => $"between {Fmt.N(min)} and {Fmt.N(max)}",
        ({ } min, null) => $"at least {Fmt.N(min)}",
        (null, { } max) => $"at most {Fmt.N(max)}",
        _ => "a number",
    };

    private static string Show(JsonNode node) => node.ToJsonString();

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        _ => throw new InvalidOperationException($"Unsupported default {value.GetType().Name}."),
    };
}

/// <summary>Typed reads of a normalised config (every key present, every value of its field's kind).</summary>
internal sealed class ConfigValues(JsonObject values)
{
    public int Int(string key) => Node(key).GetValue<int>();

    public double Number(string key) => Node(key).GetValue<double>();

    public double? OptionalNumber(string key) => values[key]?.GetValue<double>();

    public decimal Money(string key) => (decimal)Node(key).GetValue<double>();

    public bool Flag(string key) => Node(key).GetValue<bool>();

    public string Choice(string key) => Node(key).GetValue<string>();

    private JsonNode Node(string key) => values[key] ?? throw new InvalidOperationException($"{key} is missing from a normalised config.");
}

internal static class Fmt
{
    /// <summary>Invariant, up to <paramref name="decimals"/> decimals, no trailing zeros: 20, 18.4, 0.05.</summary>
    public static string N(double value, int decimals = 4) =>
        Math.Round(value, decimals).ToString("0.############", CultureInfo.InvariantCulture);

    public static string N(decimal value, int decimals = 4) =>
        Math.Round(value, decimals).ToString("0.############", CultureInfo.InvariantCulture);

    /// <summary>A fraction as a percent: 0.05 → "5%".</summary>
    public static string Pct(double fraction) => N(fraction * 100, 2) + "%";

    public static string Price(double value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
