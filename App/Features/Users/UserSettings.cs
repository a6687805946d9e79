using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.Users;

/// <summary>
/// Per-user settings (multi-user seed's user_settings): risk consent, preferred profile and three
/// jsonb documents. <see cref="SitePrefs"/> holds UI preferences such as the theme.
/// </summary>
public sealed class UserSettings
{
    public Guid UserId { get; set; }
    public bool RiskConsentAccepted { get; set; }
    public DateTimeOffset? RiskConsentAcceptedAt { get; set; }
    public string PreferredProfile { get; set; } = RiskProfiles.Moderate;
    public string Profile { get; set; } = "{}";
    public string RiskProfile { get; set; } = "{}";
    public string SitePrefs { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public static class RiskProfiles
{
    public const string Conservative = "conservative";
    public const string Moderate = "moderate";
    public const string Aggressive = "aggressive";
}

internal sealed class UserSettingsConfiguration : IEntityTypeConfiguration<UserSettings>
{
    public void Configure(EntityTypeBuilder<UserSettings> b)
    {
        b.ToTable("user_settings", t => t.HasCheckConstraint(
            "ck_user_settings_preferred_profile", "preferred_profile IN ('conservative', 'moderate', 'aggressive')"));
        b.HasKey(s => s.UserId);
        b.HasOne<AppUser>().WithOne().HasForeignKey<UserSettings>(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.Property(s => s.PreferredProfile).HasMaxLength(20).HasDefaultValue(RiskProfiles.Moderate);
        b.Property(s => s.RiskConsentAccepted).HasDefaultValue(false);
        b.Property(s => s.Profile).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(s => s.RiskProfile).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(s => s.SitePrefs).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(s => s.CreatedAt).HasDefaultValueSql("now()");
        b.Property(s => s.UpdatedAt).HasDefaultValueSql("now()");
    }
}
