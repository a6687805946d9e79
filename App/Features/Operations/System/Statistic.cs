using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.Operations.SystemStatus; // not ".System": it would shadow the System namespace in Signalbook.Features.Operations.*

/// <summary>
/// One sample of one series (feature-extractor seed's statistics): a key such as <c>users.total</c> or
/// <c>db.table_bytes.price_bars</c>, its value and when it was taken. Written by <see cref="StatisticsSampler"/> every few
/// minutes, charted on Admin → System, deleted after <see cref="StatisticsOptions.RetentionDays"/>.
/// </summary>
public sealed class Statistic
{
    public long Id { get; set; }
    public string Key { get; set; } = "";
    public double Value { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}

internal sealed class StatisticConfiguration : IEntityTypeConfiguration<Statistic>
{
    public void Configure(EntityTypeBuilder<Statistic> b)
    {
        b.ToTable("statistics");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Key).HasMaxLength(200);
        b.Property(e => e.Timestamp).HasDefaultValueSql("now()");
        // A series over a window: key, then time. It serves lookups by key alone too (the seed's index on key).
        b.HasIndex(e => new { e.Key, e.Timestamp });
    }
}

public sealed class StatisticsOptions
{
    public const string Section = "Statistics";

    /// <summary>Samples older than this are deleted by the statistics job.</summary>
    [Range(1, 3650)] public int RetentionDays { get; set; } = 90;

    /// <summary>A node whose heartbeat is older than this is listed as not checking in.</summary>
    [Range(1, 1440)] public int StaleHeartbeatMinutes { get; set; } = 5;

    /// <summary>A job with this many failed runs or more in the last 24 hours is listed as failing.</summary>
    [Range(1, 1000)] public int FailedRunsForAttention { get; set; } = 1;
}

/// <summary>The series the sampler writes (per-table and per-node keys add a suffix).</summary>
public static class StatisticKeys
{
    public const string UsersTotal = "users.total";
    public const string ActiveSessions = "users.active_sessions";
    public const string OpenCircuitsPrefix = "circuits.open.";
    public const string BarsDaily = "bars.daily";
    public const string BarsIntraday = "bars.intraday";
    public const string FeatureRows = "features.rows";
    public const string RecommendationRows = "recommendations.rows";
    public const string JobSuccessRate = "jobs.success_rate_24h";
    public const string JobsFailed = "jobs.failed_24h";
    public const string QueueDepth = "jobs.queue_depth";
    public const string ErrorRate = "errors.rate_24h";
    public const string DatabaseBytes = "db.size_bytes";
    public const string TableBytesPrefix = "db.table_bytes.";
}
