using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Users;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// The user's side of recommendations that is not a recommendation: the risk-disclosure consent every read checks first
/// (<see cref="EnsureConsentAsync"/>), and the preferred risk profile the dashboard opens with.
/// </summary>
public sealed class RiskConsentService(IDbContextFactory<AppDbContext> factory, TimeProvider clock, AuditService audit)
{
    public async Task<ConsentState> ConsentAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await ConsentAsync(db, userId, ct);
    }

    private static async Task<ConsentState> ConsentAsync(AppDbContext db, Guid userId, CancellationToken ct)
        => await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId)
               .Select(s => new ConsentState(s.RiskConsentAccepted, s.RiskConsentAcceptedAt)).SingleOrDefaultAsync(ct)
           ?? new ConsentState(false, null);

    /// <summary>Throws <see cref="RiskConsentRequiredException"/> unless the user accepted the disclosure; every read of recommendations calls it first.</summary>
    internal static async Task EnsureConsentAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        if (!(await ConsentAsync(db, userId, ct)).Accepted) throw new RiskConsentRequiredException();
    }

    /// <summary>
    /// Records that the user accepted the risk disclosure, with the time, and audits it. Accepting again keeps the
    /// first acceptance's time and writes no second audit entry.
    /// </summary>
    public async Task<ConsentState> AcceptRiskDisclosureAsync(Guid userId, AuditActor? actor = null, CancellationToken ct = default)
    {
        DateTimeOffset acceptedAt;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var settings = await FindOrAddSettingsAsync(db, userId, ct);
            if (settings.RiskConsentAccepted) return new ConsentState(true, settings.RiskConsentAcceptedAt);
            acceptedAt = clock.GetUtcNow();
            settings.RiskConsentAccepted = true;
            settings.RiskConsentAcceptedAt = acceptedAt;
            settings.UpdatedAt = acceptedAt;
            await db.SaveChangesAsync(ct);
        }
        await audit.WriteAsync(actor ?? new AuditActor(userId, null, null), AuditActions.RiskConsentAccepted, "user_settings", userId.ToString(),
            details: new { accepted_at = acceptedAt }, ct: ct);
        return new ConsentState(true, acceptedAt);
    }

    public async Task<string> PreferredProfileAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var profile = await db.UserSettings.AsNoTracking().Where(s => s.UserId == userId).Select(s => s.PreferredProfile).SingleOrDefaultAsync(ct);
        return profile is not null && RecommendationProfiles.All.Contains(profile) ? profile : RiskProfiles.Moderate;
    }

    public async Task SetPreferredProfileAsync(Guid userId, string profile, CancellationToken ct = default)
    {
        if (!RecommendationProfiles.All.Contains(profile)) throw new ArgumentException($"Unknown risk profile '{profile}'.", nameof(profile));
        await using var db = await factory.CreateDbContextAsync(ct);
        var settings = await FindOrAddSettingsAsync(db, userId, ct);
        settings.PreferredProfile = profile;
        settings.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The user's settings row, added (with every jsonb document at its defaults) when missing, as UserSettingsService does.</summary>
    private async Task<UserSettings> FindOrAddSettingsAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        var settings = await db.UserSettings.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        if (settings is not null) return settings;
        var now = clock.GetUtcNow();
        settings = new UserSettings
        {
            UserId = userId,
            CreatedAt = now,
            UpdatedAt = now,
            Profile = JsonSerializer.Serialize(new TradingProfile(), UserSettingsService.Json),
            RiskProfile = JsonSerializer.Serialize(new RiskPreferences(), UserSettingsService.Json),
            SitePrefs = JsonSerializer.Serialize(new SitePreferences(), UserSettingsService.Json),
        };
        db.UserSettings.Add(settings);
        return settings;
    }
}
