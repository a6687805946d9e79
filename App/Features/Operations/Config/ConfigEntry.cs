using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Users;

namespace Signalbook.Features.Operations.Config;

/// <summary>
/// One admin-set runtime setting (feature-extractor seed's config_entries): a configuration key (<c>Section:Name</c>) and
/// its value as text, the layer above appsettings and environment variables. Written only by <see cref="RuntimeConfigService"/>,
/// which validates and audits every change; read by <see cref="DatabaseConfigurationProvider"/>.
/// </summary>
public sealed class ConfigEntry
{
    public long Id { get; set; }
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The admin who last set it (null once that account is deleted).</summary>
    public Guid? UpdatedBy { get; set; }
}

internal sealed class ConfigEntryConfiguration : IEntityTypeConfiguration<ConfigEntry>
{
    public void Configure(EntityTypeBuilder<ConfigEntry> b)
    {
        b.ToTable("config_entries");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Key).HasMaxLength(200);
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasIndex(e => e.Key).IsUnique();
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UpdatedBy).OnDelete(DeleteBehavior.SetNull);
    }
}
