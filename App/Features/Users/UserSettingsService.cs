using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Users;

public static class UiThemes
{
    public const string Light = "light";
    public const string Dark = "dark";

    /// <summary>The Radzen stylesheet of each of our themes.</summary>
    public static string RadzenTheme(string theme) => theme == Dark ? "material-dark" : "material";

    public static string Normalize(string? theme) => theme == Dark ? Dark : Light;
}

/// <summary>Reads and writes <c>user_settings</c>; the theme lives in <c>site_prefs.theme</c>.</summary>
public sealed class UserSettingsService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public async Task<string> GetThemeAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var prefs = await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId).Select(s => s.SitePrefs).SingleOrDefaultAsync(ct);
        if (prefs is null) return UiThemes.Light;
        return UiThemes.Normalize(JsonNode.Parse(prefs)?["theme"]?.GetValue<string>());
    }

    public async Task SetThemeAsync(Guid userId, string theme, CancellationToken ct = default)
    {
        theme = UiThemes.Normalize(theme);
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await db.UserSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        var now = clock.GetUtcNow();
        if (settings is null)
        {
            settings = new UserSettings { UserId = userId, CreatedAt = now };
            db.UserSettings.Add(settings);
        }
        var prefs = JsonNode.Parse(settings.SitePrefs) as JsonObject ?? [];
        prefs["theme"] = theme;
        settings.SitePrefs = prefs.ToJsonString(JsonOptions);
        settings.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    private static readonly JsonSerializerOptions JsonOptions = new();
}
