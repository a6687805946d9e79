using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Users;

namespace Signalbook.Features.Operations;

internal sealed class ServiceLogConfiguration : IEntityTypeConfiguration<ServiceLog>
{
    public void Configure(EntityTypeBuilder<ServiceLog> b)
    {
        b.ToTable("service_logs", t => t.HasCheckConstraint("ck_service_logs_level", "level IN ('DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Level).HasMaxLength(16);
        b.Property(e => e.Module).HasMaxLength(128);
        b.Property(e => e.Message).HasMaxLength(1024);
        b.Property(e => e.Context).HasColumnType("jsonb");
        b.Property(e => e.Timestamp).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.UserId);
        b.HasIndex(e => e.Level);
        b.HasIndex(e => e.Timestamp);
        b.HasIndex(e => new { e.UserId, e.Timestamp, e.Level });
    }
}
