using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.MarketData.Sync;

/// <summary>
/// Expected bars a provider was asked for and did not have (an exchange closure such as Hurricane Sandy's
/// two days in 2012, an early close, a halted stock): remembered per provider so sync does not ask again
/// every run. Only settled ranges are remembered, never the newest bars (see <see cref="MarketDataSyncService"/>).
/// </summary>
public sealed class EmptyRange
{
    public long Id { get; set; }
    public long InstrumentId { get; set; }
    public string Interval { get; set; } = Intervals.OneDay;
    public string Provider { get; set; } = "";
    public DateTimeOffset RangeStart { get; set; }
    public DateTimeOffset RangeEnd { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class EmptyRangeConfiguration : IEntityTypeConfiguration<EmptyRange>
{
    public void Configure(EntityTypeBuilder<EmptyRange> b)
    {
        b.ToTable("data_sync_empty_ranges", t => t.HasCheckConstraint("ck_data_sync_empty_ranges_order", "range_end >= range_start"));
        b.Property(r => r.Id).UseIdentityAlwaysColumn();
        b.Property(r => r.Interval).HasMaxLength(10);
        b.Property(r => r.Provider).HasMaxLength(20);
        b.HasOne<Instrument>().WithMany().HasForeignKey(r => r.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => new { r.InstrumentId, r.Interval, r.Provider });
    }
}
