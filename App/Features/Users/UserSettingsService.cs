using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Signalbook.Data;

namespace Signalbook.Features.Users;

public static class UiThemes
{
    public const string Light = "light";
    public const string Dark = "dark";

    /// <summary>Follow the browser's <c>prefers-color-scheme</c>, live.</summary>
    public const string System = "system";

    public static readonly IReadOnlyList<string> All = [Light, Dark, System];

    public static string Normalize(string? theme) => theme is Dark or System ? theme : Light;
}

/// <summary><c>user_settings.site_prefs</c>: UI preferences (trading-buddy seed).</summary>
public sealed record SitePreferences
{
    public string Theme { get; init; } = UiThemes.Light;
    public bool SidebarCollapsed { get; init; }
    public bool NotificationsEnabled { get; init; } = true;
    public string Language { get; init; } = "en";
}

/// <summary><c>user_settings.profile</c>: the trader's profile (trading-buddy seed). Unknown until the trader fills it in.</summary>
public sealed record TradingProfile
{
    public decimal? AccountBalance { get; init; }
    public IReadOnlyList<string> DefaultTimeframes { get; init; } = ["1Day"];
    public string? ExperienceLevel { get; init; }
    public string? TradingStyle { get; init; }
    public IReadOnlyList<string> PrimaryMarkets { get; init; } = [];
    public string? AccountSizeRange { get; init; }
    public JsonElement? EvaluationControls { get; init; }

    /// <summary>The trader's IANA time zone: the journal's days, calendars and per-day rules use it. Null: UTC.</summary>
    public string? TimeZone { get; init; }
}

/// <summary><c>user_settings.risk_profile</c>: risk limits (trading-buddy seed), with conservative defaults.</summary>
public sealed record RiskPreferences
{
    public decimal MaxPositionSizePct { get; init; } = 10m;
    public decimal MaxRiskPerTradePct { get; init; } = 1m;
    public decimal MaxDailyLossPct { get; init; } = 3m;
    public decimal MinRiskRewardRatio { get; init; } = 2m;
    public int MaxOpenPositions { get; init; } = 5;
    public bool StopLossRequired { get; init; } = true;
}

/// <summary>
/// Reads and writes <c>user_settings</c>. The three jsonb documents are typed records stored with
/// snake_case names; a row is created on first write with every document at its defaults. A stored document this
/// version cannot read (a field of the wrong type, written by hand or by another version) is read as the defaults,
/// with a warning in the service log that keeps its text, so the pages that read it still open.
/// </summary>
public sealed class UserSettingsService(IDbContextFactory<AppDbContext> factory, TimeProvider clock, ILogger<UserSettingsService>? logger = null)
{
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<SitePreferences> GetSitePreferencesAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var json = await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId).Select(s => s.SitePrefs).SingleOrDefaultAsync(ct);
        return Read<SitePreferences>(json, userId, "site_prefs");
    }

    public async Task<string> GetThemeAsync(Guid userId, CancellationToken ct = default)
        => UiThemes.Normalize((await GetSitePreferencesAsync(userId, ct)).Theme);

    public Task<SitePreferences> SetThemeAsync(Guid userId, string theme, CancellationToken ct = default)
        => UpdateSitePreferencesAsync(userId, p => p with { Theme = UiThemes.Normalize(theme) }, ct);

    public async Task<SitePreferences> UpdateSitePreferencesAsync(Guid userId, Func<SitePreferences, SitePreferences> change, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await db.UserSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        var now = clock.GetUtcNow();
        if (settings is null)
        {
            settings = new UserSettings
            {
                UserId = userId,
                CreatedAt = now,
                Profile = JsonSerializer.Serialize(new TradingProfile(), Json),
                RiskProfile = JsonSerializer.Serialize(new RiskPreferences(), Json),
            };
            db.UserSettings.Add(settings);
        }
        var updated = change(Read<SitePreferences>(settings.SitePrefs, userId, "site_prefs"));
        settings.SitePrefs = JsonSerializer.Serialize(updated, Json);
        settings.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return updated;
    }

    /// <summary>The trader's profile, risk limits and preferred recommendation profile (defaults when nothing is stored).</summary>
    public async Task<(TradingProfile Profile, RiskPreferences Risk, string PreferredProfile)> GetTradingAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId)
            .Select(s => new { s.Profile, s.RiskProfile, s.PreferredProfile }).SingleOrDefaultAsync(ct);
        return row is null
            ? (new TradingProfile(), new RiskPreferences(), RiskProfiles.Moderate)
            : (Read<TradingProfile>(row.Profile, userId, "profile"), Read<RiskPreferences>(row.RiskProfile, userId, "risk_profile"), row.PreferredProfile);
    }

    /// <summary>Changes the trader's profile document (creating the settings row with defaults when there is none).</summary>
    public async Task<TradingProfile> UpdateTradingProfileAsync(Guid userId, Func<TradingProfile, TradingProfile> change, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await db.UserSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        var now = clock.GetUtcNow();
        if (settings is null)
        {
            settings = new UserSettings { UserId = userId, CreatedAt = now, RiskProfile = JsonSerializer.Serialize(new RiskPreferences(), Json) };
            db.UserSettings.Add(settings);
        }
        var updated = change(Read<TradingProfile>(settings.Profile, userId, "profile"));
        settings.Profile = JsonSerializer.Serialize(updated, Json);
        settings.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return updated;
    }

    /// <summary>Replaces the trader's risk limits (creating the settings row with defaults when there is none).</summary>
    public async Task<RiskPreferences> UpdateRiskPreferencesAsync(Guid userId, RiskPreferences risk, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(risk);
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await db.UserSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        var now = clock.GetUtcNow();
        if (settings is null)
        {
            settings = new UserSettings { UserId = userId, CreatedAt = now, Profile = JsonSerializer.Serialize(new TradingProfile(), Json) };
            db.UserSettings.Add(settings);
        }
        settings.RiskProfile = JsonSerializer.Serialize(risk, Json);
        settings.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return risk;
    }

    /// <summary>The trader's time zone, UTC when unset or unknown to this server.</summary>
    public static TimeZoneInfo ZoneOf(TradingProfile profile)
        => profile.TimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>
    /// A stored document, or the defaults when there is none (missing fields take their defaults too) or when it cannot
    /// be read; then the warning names the user and the column and keeps the stored text, which the next save replaces.
    /// </summary>
    private T Read<T>(string? json, Guid userId, string column) where T : new()
    {
        if (string.IsNullOrWhiteSpace(json)) return new T();
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? new T();
        }
        catch (JsonException e)
        {
            (logger ?? (ILogger)NullLogger.Instance).LogWarning(
                "user_settings.{Column} of user {UserId} cannot be read ({Problem}); its defaults are used until it is saved again. Stored text: {Stored}",
                column, userId, e.Message, json);
            return new T();
        }
    }
}
