using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.Users;

/// <summary>An account. Identity's columns plus the profile and lifecycle columns of the seeds.</summary>
public sealed class AppUser : IdentityUser<Guid>
{
    public string? Name { get; set; }
    public string? ProfilePictureUrl { get; set; }
    public bool IsActive { get; set; } = true;
    public bool IsDeleted { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public DateTimeOffset? LastLoginAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class AppRole : IdentityRole<Guid>
{
    public AppRole() { }
    public AppRole(string name) : base(name) { }
    public string? Description { get; set; }
}

/// <summary>The three roles of Signalbook.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Trader = "Trader";
    public const string Viewer = "Viewer";

    public static readonly IReadOnlyList<string> All = [Admin, Trader, Viewer];

    public static string Describe(string role) => role switch
    {
        Admin => "Runs users, the waitlist, models, jobs, data and logs.",
        Trader => "Uses market data, recommendations, portfolios and the journal.",
        Viewer => "Reads dashboards; cannot trade or change anything.",
        _ => role,
    };
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b)
    {
        b.Property(u => u.UserName).HasColumnName("username");
        b.Property(u => u.NormalizedUserName).HasColumnName("normalized_username");
        b.Property(u => u.PhoneNumber).HasColumnName("phone").HasMaxLength(50);
        b.Property(u => u.LastLoginAt).HasColumnName("last_login");
        b.Property(u => u.Name).HasMaxLength(200);
        b.Property(u => u.ProfilePictureUrl).HasMaxLength(2048);
        b.Property(u => u.IsActive).HasDefaultValue(true);
        b.Property(u => u.IsDeleted).HasDefaultValue(false);
        b.Property(u => u.CreatedAt).HasDefaultValueSql("now()");
        b.Property(u => u.UpdatedAt).HasDefaultValueSql("now()");
        b.HasIndex(u => new { u.IsDeleted, u.IsActive });
        b.ToTable(t => t.HasCheckConstraint("ck_users_deleted_at", "(NOT is_deleted) OR deleted_at IS NOT NULL"));
    }
}

internal sealed class AppRoleConfiguration : IEntityTypeConfiguration<AppRole>
{
    public void Configure(EntityTypeBuilder<AppRole> b) => b.Property(r => r.Description).HasMaxLength(500);
}
