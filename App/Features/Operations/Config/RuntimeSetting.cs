using System.Globalization;
using Microsoft.Extensions.Options;

namespace Signalbook.Features.Operations.Config;

/// <summary>How a runtime setting's value is typed, edited and checked before its options' own validators run.</summary>
public enum SettingKind
{
    Integer,
    Choice,
    Cron,
    Boolean,
}

/// <summary>
/// A setting an admin may change at run time: its configuration key, where it is shown, its type and its default (the
/// options class's own). <see cref="Validate"/> binds the options section over a configuration holding the proposed value
/// and runs the validators the app runs at start (every <see cref="IValidateOptions{TOptions}"/> registered: DataAnnotations,
/// IValidatableObject, custom checks). Features add their settings with <see cref="RuntimeSettingExtensions.AddRuntimeSetting"/>.
/// </summary>
public sealed class RuntimeSetting
{
    public required string Key { get; init; }
    public required string Group { get; init; }
    public required string Label { get; init; }
    public required string Description { get; init; }
    public required SettingKind Kind { get; init; }
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>The value when no configuration layer sets it (the options class's initializer), as text; null: unset.</summary>
    public string? Default { get; init; }

    /// <summary>For <see cref="SettingKind.Cron"/>: an empty value is allowed and means "no schedule".</summary>
    public bool AllowEmpty { get; init; }

    public required Type OptionsType { get; init; }

    /// <summary>Binds the options over <c>configuration</c> and returns every validation failure (none: valid).</summary>
    public required Func<IConfiguration, IServiceProvider, IReadOnlyList<string>> ValidateOptions { get; init; }

    /// <summary>
    /// Checks a proposed value: its type first (a clear message naming the key), then the options' start-up validators over
    /// the current configuration with this value in place. Returns the normalised value or the problems.
    /// </summary>
    public (string? Value, IReadOnlyList<string> Errors) Validate(string? proposed, IConfiguration current, IServiceProvider services)
    {
        var value = (proposed ?? "").Trim();
        string? typeError = null;
        switch (Kind)
        {
            case SettingKind.Integer:
                if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) typeError = $"'{value}' is not a whole number.";
                else value = number.ToString(CultureInfo.InvariantCulture);
                break;
            case SettingKind.Boolean:
                if (!bool.TryParse(value, out var flag)) typeError = $"'{value}' is not true or false.";
                else value = flag ? "true" : "false";
                break;
            case SettingKind.Choice:
                var choice = Choices.FirstOrDefault(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase));
                if (choice is null) typeError = $"'{value}' is not one of {string.Join(", ", Choices)}.";
                else value = choice;
                break;
            case SettingKind.Cron:
                if (value.Length == 0 && !AllowEmpty) typeError = "a schedule is required.";
                else if (value.Length > 0 && !Jobs.JobsOptions.IsValidCron(value, out var cronError))
                    typeError = $"'{value}' is not a valid cron expression (five fields: minute hour day-of-month month day-of-week; {cronError}).";
                break;
        }
        if (typeError is not null) return (null, [$"{Key}: {typeError}"]);

        var candidate = new ConfigurationBuilder()
            .AddConfiguration(current, shouldDisposeConfiguration: false)
            .AddInMemoryCollection([new KeyValuePair<string, string?>(Key, value)])
            .Build();
        var failures = ValidateOptions(candidate, services);
        return failures.Count == 0 ? (value, []) : (null, failures.Select(f => f.StartsWith(Key, StringComparison.OrdinalIgnoreCase) ? f : $"{Key} = '{value}': {f}").ToList());
    }

    /// <summary>A setting bound to the options class <typeparamref name="TOptions"/> at configuration section <paramref name="section"/>.</summary>
    public static RuntimeSetting For<TOptions>(string section, string name, string group, string label, string description, SettingKind kind,
        IReadOnlyList<string>? choices = null, string? defaultValue = null, bool allowEmpty = false) where TOptions : class, new()
    {
        defaultValue ??= DefaultOf<TOptions>(name);
        return new RuntimeSetting
        {
            Key = $"{section}:{name}",
            Group = group,
            Label = label,
            Description = description,
            Kind = kind,
            Choices = choices ?? [],
            Default = defaultValue,
            AllowEmpty = allowEmpty,
            OptionsType = typeof(TOptions),
            ValidateOptions = (configuration, services) => ValidateSection<TOptions>(configuration, section, services),
        };
    }

    private static string? DefaultOf<TOptions>(string name) where TOptions : class, new()
    {
        var property = typeof(TOptions).GetProperty(name);
        var value = property?.GetValue(new TOptions());
        return value switch
        {
            null => null,
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }

    private static IReadOnlyList<string> ValidateSection<TOptions>(IConfiguration configuration, string section, IServiceProvider services)
        where TOptions : class, new()
    {
        var options = new TOptions();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            return [e.Message];
        }
        var failures = new List<string>();
        foreach (var validator in services.GetServices<IValidateOptions<TOptions>>())
        {
            var result = validator.Validate(Options.DefaultName, options);
            if (result.Failed) failures.AddRange(result.Failures ?? [result.FailureMessage]);
        }
        return failures;
    }
}

public static class RuntimeSettingExtensions
{
    /// <summary>Makes a setting editable on Admin → Settings (the hook for features with runtime settings of their own).</summary>
    public static IServiceCollection AddRuntimeSetting(this IServiceCollection services, RuntimeSetting setting)
        => services.AddSingleton(setting);
}

/// <summary>Every runtime-editable setting registered, by key (case-insensitive, as configuration keys are).</summary>
public sealed class RuntimeSettingsRegistry(IEnumerable<RuntimeSetting> settings)
{
    public IReadOnlyList<RuntimeSetting> All { get; } = settings.GroupBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).ToList();

    public RuntimeSetting? Find(string key) => All.FirstOrDefault(s => string.Equals(s.Key, key?.Trim(), StringComparison.OrdinalIgnoreCase));
}
