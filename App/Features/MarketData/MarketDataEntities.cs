using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Signalbook.Features.MarketData;

/// <summary>Bar sizes, as the seeds name them.</summary>
public static class Intervals
{
    public const string OneMinute = "1Min";
    public const string FifteenMinutes = "15Min";
    public const string OneHour = "1Hour";
    public const string OneDay = "1Day";

    public static readonly IReadOnlyList<string> All = [OneMinute, FifteenMinutes, OneHour, OneDay];
}

/// <summary>A tradable instrument (merged from instruments and tickers).</summary>
public sealed class Instrument
{
    public long Id { get; set; }
    public string Symbol { get; set; } = "";
    public string Exchange { get; set; } = "";
    public string? Name { get; set; }
    public string AssetType { get; set; } = "stock";
    public string? Sector { get; set; }
    public string? MarketCapBucket { get; set; }
    public string? PeBucket { get; set; }
    public string Currency { get; set; } = "USD";
    /// <summary>IANA zone of the exchange: naive timestamps in imported files are read in it.</summary>
    public string TimeZone { get; set; } = "America/New_York";
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One OHLCV bar. Unique per (instrument, interval, ts); the database refuses a bar whose high is
/// below its open, close or low, whose low is above its open or close, a price ≤ 0 or a negative volume.
/// </summary>
public sealed class PriceBar
{
    public long Id { get; set; }
    public long InstrumentId { get; set; }
    public string Interval { get; set; } = Intervals.OneDay;
    public DateTimeOffset Ts { get; set; }
    public double Open { get; set; }
    public double High { get; set; }
    public double Low { get; set; }
    public double Close { get; set; }
    public double Volume { get; set; }
    public double? Vwap { get; set; }
    public int? TradeCount { get; set; }
    public string Source { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One sync or import run for an instrument and interval (trading-buddy seed).</summary>
public sealed class DataSyncLog
{
    public long Id { get; set; }
    public long InstrumentId { get; set; }
    public string Interval { get; set; } = Intervals.OneDay;
    public DateTimeOffset? FirstSyncedTs { get; set; }
    public DateTimeOffset? LastSyncedTs { get; set; }
    public DateTimeOffset LastSyncAt { get; set; }
    public int BarsFetched { get; set; }
    public int TotalBars { get; set; }
    public string Status { get; set; } = "success";
    public string? ErrorMessage { get; set; }
    /// <summary>JSON: for provider syncs the provider, the ranges requested with their bar counts, and the rejects (0005).</summary>
    public string Details { get; set; } = "{}";
}

/// <summary>Computed features of one bar (Boursomatic's features plus the regime columns of computed_features).</summary>
public sealed class FeatureRow
{
    public long Id { get; set; }
    public long InstrumentId { get; set; }
    public string Interval { get; set; } = Intervals.OneDay;
    public DateTimeOffset Ts { get; set; }
    public double? Ret1d { get; set; }
    public double? Ret5d { get; set; }
    public double? Ret20d { get; set; }
    public double? Rsi14 { get; set; }
    public double? Momentum5d { get; set; }
    public double? Vol20d { get; set; }
    public double? Atr14 { get; set; }
    public double? VolumeZscore { get; set; }
    public string Additional { get; set; } = "{}";
    public string FeatureVersion { get; set; } = "";
    public string? ModelId { get; set; }
    /// <summary>Regime state; −1 when the bar is out of the model's distribution.</summary>
    public int? StateId { get; set; }
    public double? StateProb { get; set; }
    public double? LogLikelihood { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class InstrumentConfiguration : IEntityTypeConfiguration<Instrument>
{
    public void Configure(EntityTypeBuilder<Instrument> b)
    {
        b.ToTable("instruments", t =>
        {
            t.HasCheckConstraint("ck_instruments_market_cap_bucket", "market_cap_bucket IS NULL OR market_cap_bucket IN ('small', 'mid', 'large')");
            t.HasCheckConstraint("ck_instruments_pe_bucket", "pe_bucket IS NULL OR pe_bucket IN ('low', 'medium', 'high')");
        });
        b.Property(i => i.Id).UseIdentityAlwaysColumn();
        b.Property(i => i.Symbol).HasMaxLength(50);
        b.Property(i => i.Exchange).HasMaxLength(50);
        b.Property(i => i.Name).HasMaxLength(255);
        b.Property(i => i.AssetType).HasMaxLength(20).HasDefaultValue("stock");
        b.Property(i => i.Sector).HasMaxLength(100);
        b.Property(i => i.MarketCapBucket).HasMaxLength(50);
        b.Property(i => i.PeBucket).HasMaxLength(50);
        b.Property(i => i.Currency).HasMaxLength(3).HasDefaultValue("USD");
        b.Property(i => i.TimeZone).HasMaxLength(64).HasDefaultValue("America/New_York");
        b.Property(i => i.IsActive).HasDefaultValue(true);
        b.Property(i => i.CreatedAt).HasDefaultValueSql("now()");
        b.Property(i => i.UpdatedAt).HasDefaultValueSql("now()");
        b.HasIndex(i => new { i.Symbol, i.Exchange }).IsUnique();
        b.HasIndex(i => i.Exchange);
        b.HasIndex(i => i.IsActive);
    }
}

internal sealed class PriceBarConfiguration : IEntityTypeConfiguration<PriceBar>
{
    public void Configure(EntityTypeBuilder<PriceBar> b)
    {
        b.ToTable("price_bars", t =>
        {
            t.HasCheckConstraint("ck_price_bars_interval", "interval IN ('1Min', '15Min', '1Hour', '1Day')");
            t.HasCheckConstraint("ck_price_bars_high_low", "high >= low");
            t.HasCheckConstraint("ck_price_bars_high_open_close", "high >= open AND high >= close");
            t.HasCheckConstraint("ck_price_bars_low_open_close", "low <= open AND low <= close");
            t.HasCheckConstraint("ck_price_bars_positive_prices", "open > 0 AND high > 0 AND low > 0 AND close > 0");
            t.HasCheckConstraint("ck_price_bars_volume", "volume >= 0");
        });
        b.Property(p => p.Id).UseIdentityAlwaysColumn();
        b.Property(p => p.Interval).HasMaxLength(10);
        b.Property(p => p.Source).HasMaxLength(20);
        b.Property(p => p.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<Instrument>().WithMany().HasForeignKey(p => p.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(p => new { p.InstrumentId, p.Interval, p.Ts }).IsUnique();
        b.HasIndex(p => p.Ts);
    }
}

internal sealed class DataSyncLogConfiguration : IEntityTypeConfiguration<DataSyncLog>
{
    public void Configure(EntityTypeBuilder<DataSyncLog> b)
    {
        b.ToTable("data_sync_log", t => t.HasCheckConstraint("ck_data_sync_log_status", "status IN ('success', 'partial', 'failed')"));
        b.Property(s => s.Id).UseIdentityAlwaysColumn();
        b.Property(s => s.Interval).HasMaxLength(10);
        b.Property(s => s.Status).HasMaxLength(20);
        b.Property(s => s.Details).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.HasOne<Instrument>().WithMany().HasForeignKey(s => s.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => new { s.InstrumentId, s.Interval, s.LastSyncAt });
    }
}

internal sealed class FeatureRowConfiguration : IEntityTypeConfiguration<FeatureRow>
{
    public void Configure(EntityTypeBuilder<FeatureRow> b)
    {
        b.ToTable("features", t => t.HasCheckConstraint("ck_features_state_prob", "state_prob IS NULL OR (state_prob >= 0 AND state_prob <= 1)"));
        b.Property(f => f.Id).UseIdentityAlwaysColumn();
        b.Property(f => f.Interval).HasMaxLength(10);
        b.Property(f => f.Ret1d).HasColumnName("ret_1d");
        b.Property(f => f.Ret5d).HasColumnName("ret_5d");
        b.Property(f => f.Ret20d).HasColumnName("ret_20d");
        b.Property(f => f.Rsi14).HasColumnName("rsi_14");
        b.Property(f => f.Momentum5d).HasColumnName("momentum_5d");
        b.Property(f => f.Vol20d).HasColumnName("vol_20d");
        b.Property(f => f.Atr14).HasColumnName("atr_14");
        b.Property(f => f.Additional).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(f => f.FeatureVersion).HasMaxLength(20);
        b.Property(f => f.ModelId).HasMaxLength(50);
        b.Property(f => f.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<Instrument>().WithMany().HasForeignKey(f => f.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(f => new { f.InstrumentId, f.Interval, f.Ts }).IsUnique();
        b.HasIndex(f => f.Ts);
    }
}
