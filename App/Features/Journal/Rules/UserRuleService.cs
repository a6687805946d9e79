using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal.Rules;

/// <summary>How a rule parameter is edited.</summary>
public enum RuleParameterKind
{
    Number,
    Int,
    Bool,

    /// <summary>Yes, no, or empty (follow the risk profile).</summary>
    OptionalBool,
}

/// <summary>One threshold of a rule (its user_rules.parameters key, snake_case). Optional: empty means "use the risk profile".</summary>
public sealed record RuleParameterField(string Key, string Label, RuleParameterKind Kind, bool Optional, string Help);

/// <summary>A catalogue rule as the trader has it: stored row or defaults, with its parameters as the form's text.</summary>
public sealed record RuleSetting(
    string Code,
    string Evaluator,
    string Description,
    IReadOnlyList<string> Phases,
    bool IsEnabled,
    string Severity,
    IReadOnlyDictionary<string, string?> Values,
    IReadOnlyList<RuleParameterField> Fields,
    /// <summary>True when a user_rules row holds it; false: the catalogue's defaults.</summary>
    bool IsStored,
    /// <summary>True when on, with the catalogue's parameters.</summary>
    bool IsDefault);

/// <summary>What the rules form submits for one rule: on/off, severity, and each parameter as typed (key → text; empty = none).</summary>
public sealed record RuleChange(string Code, bool IsEnabled, string Severity, IReadOnlyDictionary<string, string?> Values);

/// <summary>The risk profile, account balance and time zone the rules measure against.</summary>
public sealed record TradingRiskSettings(RiskPreferences Risk, decimal? AccountBalance, string? TimeZone);

/// <summary>
/// The trader's nudge rules (user_rules) merged with <see cref="NudgeRuleCatalog"/>, and the risk profile, balance and
/// time zone they measure against. The engine (<see cref="JournalNudgeService.RulesAsync"/>) runs every rule at its
/// defaults while a trader has no rows, and only the enabled rows once they have any; so the first save writes a row
/// for every catalogue rule, and what this service lists is always what the engine runs.
/// </summary>
public sealed class UserRuleService(IDbContextFactory<AppDbContext> factory, UserSettingsService settings, TimeProvider clock)
{
    public const string SeverityKey = "severity";
    public const string AccountBalanceField = "account_balance";
    public const string TimeZoneField = "time_zone";

    /// <summary>The IANA time zones this server knows, sorted, UTC first.</summary>
    public static IReadOnlyList<string> TimeZones { get; } = BuildTimeZones();

    /// <summary>The parameters of a rule, in declaration order (severity is separate).</summary>
    public static IReadOnlyList<RuleParameterField> FieldsOf(string code)
    {
        var definition = NudgeRuleCatalog.Get(code);
        return definition.ParametersType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != nameof(NudgeRuleParameters.Severity) && p.CanRead)
            .OrderBy(p => p.MetadataToken)
            .Select(p => Field(p)).ToList();
    }

    /// <summary>Every catalogue rule, in catalogue order, as the engine runs it for this trader.</summary>
    public async Task<IReadOnlyList<RuleSetting>> ListAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.UserRules.AsNoTracking().Where(r => r.UserId == caller.UserId)
            .Select(r => new { r.RuleCode, r.Parameters, r.IsEnabled }).ToListAsync(ct);
        var byCode = rows.ToDictionary(r => r.RuleCode, StringComparer.Ordinal);
        return NudgeRuleCatalog.All.Select(d =>
        {
            if (byCode.TryGetValue(d.Code, out var row))
            {
                NudgeRuleParameters parameters;
                try
                {
                    parameters = NudgeRuleCatalog.ReadParameters(d.Code, row.Parameters);
                }
                catch (Exception e) when (e is JsonException or ArgumentException)
                {
                    parameters = d.Defaults; // a row the engine cannot read either; saving rewrites it
                }
                return Setting(d, row.IsEnabled, parameters, true);
            }
            // No row: on at its defaults while the trader has no rows at all, off once they have some (the engine's rule).
            return Setting(d, rows.Count == 0, d.Defaults, false);
        }).ToList();
    }

    /// <summary>Every problem with the changes, on fields "&lt;code&gt;.&lt;key&gt;". Writes nothing.</summary>
    public static IReadOnlyList<JournalFieldError> Validate(IEnumerable<RuleChange> changes) => Parse(changes).Errors;

    /// <summary>Saves the rules the form submits (each on/off with its parameters), upserting user_rules rows.</summary>
    /// <exception cref="JournalFormException">Every field error at once; nothing was written.</exception>
    public async Task<IReadOnlyList<RuleSetting>> SaveAsync(JournalCaller caller, IReadOnlyList<RuleChange> changes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        caller.EnsureWrite();
        var (errors, parsed) = Parse(changes);
        JournalFormException.ThrowIfAny(errors);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await EnsureRowsAsync(db, caller.UserId, ct);
        var now = clock.GetUtcNow();
        foreach (var (code, enabled, parameters) in parsed)
        {
            var row = rows[code];
            row.IsEnabled = enabled;
            row.Parameters = NudgeRuleCatalog.WriteParameters(parameters);
            row.UpdatedAt = now;
        }
        await db.SaveChangesAsync(ct);
        return await ListAsync(caller, ct);
    }

    /// <summary>Puts one rule back to its catalogue defaults, switched on.</summary>
    public async Task<RuleSetting> ResetAsync(JournalCaller caller, string code, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        var definition = NudgeRuleCatalog.Find(code) ?? throw new JournalNotFoundException($"Rule '{code}'");
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await EnsureRowsAsync(db, caller.UserId, ct);
        var row = rows[definition.Code];
        row.IsEnabled = true;
        row.Parameters = NudgeRuleCatalog.WriteParameters(definition.Defaults);
        row.Description = definition.Description;
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return Setting(definition, true, definition.Defaults, true);
    }

    public async Task<TradingRiskSettings> GetRiskAsync(JournalCaller caller, CancellationToken ct = default)
    {
        var (profile, risk, _) = await settings.GetTradingAsync(caller.UserId, ct);
        return new TradingRiskSettings(risk, profile.AccountBalance, profile.TimeZone);
    }

    /// <summary>Every problem with the risk settings, on fields risk.&lt;key&gt;, account_balance and time_zone.</summary>
    public static IReadOnlyList<JournalFieldError> ValidateRisk(TradingRiskSettings input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<JournalFieldError>();
        var r = input.Risk;
        Percent(errors, "max_position_size_pct", "Max position size", r.MaxPositionSizePct);
        Percent(errors, "max_risk_per_trade_pct", "Max risk per trade", r.MaxRiskPerTradePct);
        Percent(errors, "max_daily_loss_pct", "Max daily loss", r.MaxDailyLossPct);
        if (r.MinRiskRewardRatio is <= 0 or > 100)
            errors.Add(new("risk.min_risk_reward_ratio", $"Min risk-reward must be above 0 and at most 100; got {r.MinRiskRewardRatio.ToString(CultureInfo.InvariantCulture)}."));
        if (r.MaxOpenPositions is < 1 or > 1000)
            errors.Add(new("risk.max_open_positions", $"Max open positions must be between 1 and 1000; got {r.MaxOpenPositions}."));
        if (input.AccountBalance is { } b && b <= 0)
            errors.Add(new(AccountBalanceField, "The account balance must be above 0, or empty if you would rather not say (size and risk rules then do not run)."));
        if (!string.IsNullOrWhiteSpace(input.TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(input.TimeZone.Trim(), out _))
            errors.Add(new(TimeZoneField, $"'{input.TimeZone}' is not a time zone this server knows; choose one from the list (e.g. Europe/London)."));
        return errors;

        static void Percent(List<JournalFieldError> errors, string key, string label, decimal value)
        {
            if (value is <= 0 or > 100)
                errors.Add(new("risk." + key, $"{label} must be above 0% and at most 100%; got {value.ToString(CultureInfo.InvariantCulture)}%."));
        }
    }

    /// <exception cref="JournalFormException">Every field error at once; nothing was written.</exception>
    public async Task<TradingRiskSettings> SaveRiskAsync(JournalCaller caller, TradingRiskSettings input, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        JournalFormException.ThrowIfAny(ValidateRisk(input).ToList());
        var zone = string.IsNullOrWhiteSpace(input.TimeZone) ? null : input.TimeZone.Trim();
        await settings.UpdateRiskPreferencesAsync(caller.UserId, input.Risk, ct);
        await settings.UpdateTradingProfileAsync(caller.UserId, p => p with { AccountBalance = input.AccountBalance, TimeZone = zone }, ct);
        return await GetRiskAsync(caller, ct);
    }

    /// <summary>The trader's rows by code, adding a default row (on) for each catalogue rule they lack when they have none yet.</summary>
    private async Task<Dictionary<string, UserRule>> EnsureRowsAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        var rows = await db.UserRules.Where(r => r.UserId == userId).ToDictionaryAsync(r => r.RuleCode, StringComparer.Ordinal, ct);
        var hadNone = rows.Count == 0;
        var now = clock.GetUtcNow();
        foreach (var d in NudgeRuleCatalog.All.Where(d => !rows.ContainsKey(d.Code)))
        {
            var row = new UserRule
            {
                UserId = userId, RuleCode = d.Code, Evaluator = d.Evaluator, Description = d.Description, IsEnabled = hadNone,
                Parameters = NudgeRuleCatalog.WriteParameters(d.Defaults), CreatedAt = now, UpdatedAt = now,
            };
            db.UserRules.Add(row);
            rows[d.Code] = row;
        }
        return rows;
    }

    private static (List<JournalFieldError> Errors, List<(string Code, bool Enabled, NudgeRuleParameters Parameters)> Parsed) Parse(IEnumerable<RuleChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var errors = new List<JournalFieldError>();
        var parsed = new List<(string, bool, NudgeRuleParameters)>();
        foreach (var change in changes)
        {
            if (NudgeRuleCatalog.Find(change.Code) is not { } definition)
            {
                errors.Add(new(change.Code, $"There is no rule '{change.Code}'."));
                continue;
            }
            var before = errors.Count;
            var json = new JsonObject();
            var severity = (change.Severity ?? "").Trim().ToLowerInvariant();
            if (!NudgeSeverities.IsValid(severity)) errors.Add(new($"{change.Code}.{SeverityKey}", "Choose a severity: info, warn or critical."));
            json[SeverityKey] = severity;
            foreach (var field in FieldsOf(change.Code))
            {
                var text = change.Values.GetValueOrDefault(field.Key)?.Trim();
                var name = $"{change.Code}.{field.Key}";
                if (string.IsNullOrEmpty(text))
                {
                    if (!field.Optional) errors.Add(new(name, $"{field.Label} is needed."));
                    continue;
                }
                switch (field.Kind)
                {
                    case RuleParameterKind.Bool or RuleParameterKind.OptionalBool:
                        if (bool.TryParse(text, out var flag)) json[field.Key] = flag;
                        else errors.Add(new(name, $"{field.Label} must be yes or no."));
                        break;
                    case RuleParameterKind.Int:
                        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole))
                            errors.Add(new(name, $"{field.Label} must be a whole number; got \"{text}\"."));
                        else if (whole is < 1 or > 10_000) errors.Add(new(name, $"{field.Label} must be between 1 and 10000; got {whole}."));
                        else json[field.Key] = whole;
                        break;
                    default:
                        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                            errors.Add(new(name, $"{field.Label} must be a number; got \"{text}\"."));
                        else if (number <= 0) errors.Add(new(name, $"{field.Label} must be above 0; got {text}."));
                        else if (field.Key.EndsWith("_pct", StringComparison.Ordinal) && number > 100) errors.Add(new(name, $"{field.Label} is a percentage: at most 100; got {text}."));
                        else if (field.Key == "min_confidence" && number > 1) errors.Add(new(name, $"{field.Label} is a probability: at most 1; got {text}."));
                        else json[field.Key] = number;
                        break;
                }
            }
            if (errors.Count == before) parsed.Add((definition.Code, change.IsEnabled, NudgeRuleCatalog.ReadParameters(definition.Code, json.ToJsonString())));
        }
        return (errors, parsed);
    }

    private static RuleSetting Setting(NudgeRuleDefinition d, bool enabled, NudgeRuleParameters parameters, bool stored)
    {
        var node = JsonNode.Parse(NudgeRuleCatalog.WriteParameters(parameters))!.AsObject();
        var fields = FieldsOf(d.Code);
        var values = fields.ToDictionary(f => f.Key, f => node[f.Key] is { } v ? Text(v) : null, StringComparer.Ordinal);
        var isDefault = enabled && NudgeRuleCatalog.WriteParameters(parameters) == NudgeRuleCatalog.WriteParameters(d.Defaults);
        return new RuleSetting(d.Code, d.Evaluator, d.Description, d.Phases, enabled, parameters.Severity, values, fields, stored, isDefault);
    }

    private static string Text(JsonNode node) => node.GetValueKind() switch
    {
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.String => node.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static RuleParameterField Field(PropertyInfo p)
    {
        var key = JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
        var underlying = Nullable.GetUnderlyingType(p.PropertyType);
        var type = underlying ?? p.PropertyType;
        var optional = underlying is not null;
        var kind = type == typeof(bool) ? optional ? RuleParameterKind.OptionalBool : RuleParameterKind.Bool
            : type == typeof(int) ? RuleParameterKind.Int
            : RuleParameterKind.Number;
        var label = char.ToUpperInvariant(key[0]) + key[1..].Replace('_', ' ').Replace(" pct", " %", StringComparison.Ordinal);
        var help = optional ? "Leave empty to use your risk profile (or the strategy's own limit)." : kind == RuleParameterKind.Bool ? "" : "Required.";
        return new RuleParameterField(key, label, kind, optional, help);
    }

    private static List<string> BuildTimeZones()
    {
        var ids = TimeZoneInfo.GetSystemTimeZones().Select(z => z.HasIanaId ? z.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(z.Id, out var iana) ? iana : z.Id)
            .Where(id => id.Contains('/', StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        ids.Insert(0, "UTC");
        return ids;
    }
}
