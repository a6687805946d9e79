using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal;

// The trading-buddy seed's journal tables with its checks, unique keys and indexes. Money is numeric(20,6); quantities
// numeric(24,8); prices numeric(24,10) (crypto trades at fractions of a cent). Vocabularies are checked snake_case names.

internal sealed class SnapTradeUserConfiguration : IEntityTypeConfiguration<SnapTradeUser>
{
    public void Configure(EntityTypeBuilder<SnapTradeUser> b)
    {
        b.ToTable("snaptrade_users");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.SnapTradeUserId).HasMaxLength(255);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.UserId).IsUnique();
        b.HasIndex(e => e.SnapTradeUserId).IsUnique();
    }
}

internal sealed class BrokerConnectionConfiguration : IEntityTypeConfiguration<BrokerConnection>
{
    public void Configure(EntityTypeBuilder<BrokerConnection> b)
    {
        b.ToTable("broker_connections", t => t.HasCheckConstraint("ck_broker_connections_last_sync_status", "last_sync_status IN ('success', 'failed', 'expired')"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.BrokerageName).HasMaxLength(100);
        b.Property(e => e.BrokerageSlug).HasMaxLength(50);
        b.Property(e => e.AuthorizationId).HasMaxLength(255);
        b.Property(e => e.Meta).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.IsActive).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.LastSyncStatus).HasMaxLength(16);
        b.Property(e => e.LastSyncError).HasMaxLength(2000);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<SnapTradeUser>().WithMany().HasForeignKey(e => e.SnapTradeUserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.AuthorizationId).IsUnique();
        b.HasIndex(e => e.UserId);
    }
}

internal sealed class ImportBatchConfiguration : IEntityTypeConfiguration<ImportBatch>
{
    public void Configure(EntityTypeBuilder<ImportBatch> b)
    {
        b.ToTable("import_batches", t =>
        {
            t.HasCheckConstraint("ck_import_batches_status", "status IN ('imported', 'undone')");
            t.HasCheckConstraint("ck_import_batches_counts", "file_size >= 0 AND fills_read >= 0 AND fills_added >= 0 AND fills_duplicate >= 0 AND rows_skipped >= 0");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.FileName).HasMaxLength(255);
        b.Property(e => e.FormatId).HasMaxLength(64);
        b.Property(e => e.Broker).HasMaxLength(100);
        b.Property(e => e.FileSha256).HasMaxLength(64);
        b.Property(e => e.Status).HasMaxLength(16).HasDefaultValue(ImportBatchStatus.Imported).HasSentinel(ImportBatchStatus.Imported);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.UserId, e.CreatedAt });
    }
}

internal sealed class TradeFillConfiguration : IEntityTypeConfiguration<TradeFill>
{
    public void Configure(EntityTypeBuilder<TradeFill> b)
    {
        b.ToTable("trade_fills", t =>
        {
            t.HasCheckConstraint("ck_trade_fills_side", "side IN ('buy', 'sell')");
            t.HasCheckConstraint("ck_trade_fills_asset_type", TradingNames.CheckIn<FillAssetType>("asset_type"));
            t.HasCheckConstraint("ck_trade_fills_source", TradingNames.CheckIn<FillSource>("source"));
            t.HasCheckConstraint("ck_trade_fills_option_right", TradingNames.CheckIn<OptionRight>("option_right"));
            t.HasCheckConstraint("ck_trade_fills_quantity", "quantity > 0");
            t.HasCheckConstraint("ck_trade_fills_price", "price >= 0");
            t.HasCheckConstraint("ck_trade_fills_fees", "fees >= 0");
            t.HasCheckConstraint("ck_trade_fills_multiplier", "multiplier > 0");
            t.HasCheckConstraint("ck_trade_fills_currency", "currency ~ '^[A-Z0-9]{2,10}$'");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Symbol).HasMaxLength(32);
        b.Property(e => e.Side).AsName(4);
        b.Property(e => e.Quantity).Quantity();
        b.Property(e => e.Price).HasPrecision(24, 10);
        b.Property(e => e.Fees).Money().HasDefaultValue(0m);
        b.Property(e => e.Broker).HasMaxLength(100);
        b.Property(e => e.AssetType).AsName(16).HasDefaultValueSql("'equity'");
        b.Property(e => e.Currency).HasMaxLength(10).HasDefaultValue("USD").HasSentinel("USD");
        b.Property(e => e.OrderId).HasMaxLength(255);
        b.Property(e => e.Venue).HasMaxLength(100);
        b.Property(e => e.ExternalTradeId).HasMaxLength(255);
        b.Property(e => e.Source).AsName(20);
        b.Property(e => e.RawData).HasColumnType("jsonb");
        b.Property(e => e.Isin).HasMaxLength(12);
        b.Property(e => e.Multiplier).HasPrecision(12, 4).HasDefaultValue(1m).HasSentinel(1m);
        b.Property(e => e.OptionUnderlying).HasMaxLength(20);
        b.Property(e => e.OptionStrike).HasPrecision(20, 6);
        b.Property(e => e.OptionRight).HasConversion(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<OptionRight, string>(
            v => TradingNames.ToDb(v), s => TradingNames.Parse<OptionRight>(s))).HasMaxLength(4);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<BrokerConnection>().WithMany().HasForeignKey(e => e.BrokerConnectionId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<ImportBatch>().WithMany().HasForeignKey(e => e.ImportBatchId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<TradeFill>().WithMany().HasForeignKey(e => e.ReversesFillId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<TradeFill>().WithMany().HasForeignKey(e => e.ReplacesFillId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => new { e.UserId, e.ExternalTradeId }).IsUnique();
        b.HasIndex(e => new { e.UserId, e.Symbol, e.ExecutedAt });
        b.HasIndex(e => e.ImportBatchId);
        // Most fills come from files and are never corrected: partial indexes keep those NULLs out of two indexes.
        b.HasIndex(e => e.BrokerConnectionId).HasFilter("(broker_connection_id IS NOT NULL)");
        b.HasIndex(e => e.ReversesFillId).IsUnique().HasFilter("(reverses_fill_id IS NOT NULL)");
        b.HasIndex(e => e.ReplacesFillId).HasFilter("(replaces_fill_id IS NOT NULL)");
        b.HasIndex(e => e.InstrumentId).HasFilter("(instrument_id IS NOT NULL)");
    }
}

internal sealed class DecisionContextConfiguration : IEntityTypeConfiguration<DecisionContext>
{
    public void Configure(EntityTypeBuilder<DecisionContext> b)
    {
        b.ToTable("decision_contexts", t => t.HasCheckConstraint("ck_decision_contexts_context_type",
            "context_type IN ('entry', 'add', 'reduce', 'exit', 'idea', 'post_trade_reflection')"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.ContextType).HasMaxLength(30);
        b.Property(e => e.Hypothesis).HasMaxLength(4000);
        b.Property(e => e.ExitIntent).HasColumnType("jsonb");
        b.Property(e => e.FeelingsThen).HasColumnType("jsonb");
        b.Property(e => e.FeelingsNow).HasColumnType("jsonb");
        b.Property(e => e.Notes).HasMaxLength(8000);
        b.Property(e => e.Snapshot).HasColumnType("jsonb");
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<TradeFill>().WithOne().HasForeignKey<DecisionContext>(e => e.FillId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Strategy>().WithMany().HasForeignKey(e => e.StrategyId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.FillId).IsUnique();
        b.HasIndex(e => new { e.UserId, e.FillId }).HasDatabaseName("ix_decision_contexts_account_fill");
    }
}

internal sealed class CampaignCheckConfiguration : IEntityTypeConfiguration<CampaignCheck>
{
    public void Configure(EntityTypeBuilder<CampaignCheck> b)
    {
        b.ToTable("campaign_checks", t =>
        {
            t.HasCheckConstraint("ck_campaign_checks_severity", "severity IN ('info', 'warn', 'critical')");
            t.HasCheckConstraint("ck_campaign_checks_check_phase", "check_phase IN ('pre_trade', 'at_entry', 'during', 'at_exit', 'post_trade')");
            t.HasCheckConstraint("ck_campaign_checks_trader_action", "trader_action IN ('proceeded', 'modified', 'cancelled')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.CheckType).HasMaxLength(50);
        b.Property(e => e.Severity).HasMaxLength(10);
        b.Property(e => e.Details).HasColumnType("jsonb");
        b.Property(e => e.NudgeText).HasMaxLength(2000);
        b.Property(e => e.Acknowledged).HasDefaultValue(false);
        b.Property(e => e.TraderAction).HasMaxLength(20);
        b.Property(e => e.CheckedAt).HasDefaultValueSql("now()");
        b.Property(e => e.CheckPhase).HasMaxLength(20);
        b.HasOne<DecisionContext>().WithMany().HasForeignKey(e => e.DecisionContextId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.DecisionContextId).HasDatabaseName("ix_campaign_checks_decision_context");
        b.HasIndex(e => new { e.UserId, e.CheckType, e.Passed });
    }
}

internal sealed class CampaignFillConfiguration : IEntityTypeConfiguration<CampaignFill>
{
    public void Configure(EntityTypeBuilder<CampaignFill> b)
    {
        b.ToTable("campaign_fills", t => t.HasCheckConstraint("ck_campaign_fills_quantity", "quantity > 0"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Quantity).Quantity();
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<TradeFill>().WithMany().HasForeignKey(e => e.FillId).OnDelete(DeleteBehavior.Cascade);
        // Also the index for lookups by group (its first column): no separate group_id index (migration 0014).
        b.HasIndex(e => new { e.GroupId, e.FillId }).IsUnique();
        b.HasIndex(e => e.FillId).HasDatabaseName("ix_campaign_fills_fill_id");
    }
}

internal sealed class CampaignSummaryConfiguration : IEntityTypeConfiguration<CampaignSummary>
{
    public void Configure(EntityTypeBuilder<CampaignSummary> b)
    {
        b.ToTable("campaign_summaries", t =>
        {
            t.HasCheckConstraint("ck_campaign_summaries_direction", "direction IN ('long', 'short')");
            t.HasCheckConstraint("ck_campaign_summaries_asset_type", TradingNames.CheckIn<FillAssetType>("asset_type"));
        });
        b.HasKey(e => e.GroupId);
        b.Property(e => e.GroupId).ValueGeneratedNever();
        b.Property(e => e.Symbol).HasMaxLength(32);
        b.Property(e => e.AssetType).AsName(16);
        b.Property(e => e.Direction).HasMaxLength(5);
        b.Property(e => e.EntryAverage).HasPrecision(24, 10);
        b.Property(e => e.ExitAverage).HasPrecision(24, 10);
        b.Property(e => e.MaxPosition).Quantity();
        b.Property(e => e.OpenQuantity).Quantity();
        b.Property(e => e.RealisedPnl).Money();
        b.Property(e => e.Fees).Money();
        b.Property(e => e.Mae).Money();
        b.Property(e => e.Mfe).Money();
        b.Property(e => e.Currency).HasMaxLength(10);
        b.Property(e => e.Regime).HasMaxLength(32);
        b.HasOne<TradeFill>().WithMany().HasForeignKey(e => e.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Strategy>().WithMany().HasForeignKey(e => e.StrategyId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => new { e.UserId, e.OpenedAt });
        b.HasIndex(e => new { e.UserId, e.Symbol });
    }
}

internal sealed class JournalEntryConfiguration : IEntityTypeConfiguration<JournalEntry>
{
    public void Configure(EntityTypeBuilder<JournalEntry> b)
    {
        b.ToTable("journal_entries", t =>
        {
            t.HasCheckConstraint("ck_journal_entries_entry_type", "entry_type IN ('daily', 'trade', 'weekly', 'lesson')");
            t.HasCheckConstraint("ck_journal_entries_tags", "jsonb_typeof(tags) = 'array'");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.EntryType).HasMaxLength(30);
        b.Property(e => e.Content).HasMaxLength(50_000);
        b.Property(e => e.TradeId).HasMaxLength(50);
        b.Property(e => e.Tags).HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        b.Property(e => e.Mood).HasMaxLength(20);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.UserId, e.Date });
    }
}

internal sealed class JournalAttachmentConfiguration : IEntityTypeConfiguration<JournalAttachment>
{
    public const int MaxBytes = 2 * 1024 * 1024;

    public void Configure(EntityTypeBuilder<JournalAttachment> b)
    {
        b.ToTable("journal_attachments", t =>
        {
            t.HasCheckConstraint("ck_journal_attachments_content_type", "content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif')");
            t.HasCheckConstraint("ck_journal_attachments_size", $"size_bytes > 0 AND size_bytes <= {MaxBytes} AND octet_length(data) = size_bytes");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.FileName).HasMaxLength(255);
        b.Property(e => e.ContentType).HasMaxLength(100);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<JournalEntry>().WithMany().HasForeignKey(e => e.JournalEntryId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.JournalEntryId);
    }
}

internal sealed class UserRuleConfiguration : IEntityTypeConfiguration<UserRule>
{
    public void Configure(EntityTypeBuilder<UserRule> b)
    {
        b.ToTable("user_rules");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.RuleCode).HasMaxLength(50);
        b.Property(e => e.Evaluator).HasMaxLength(100);
        b.Property(e => e.Parameters).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.IsEnabled).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.Description).HasMaxLength(1000);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.UserId, e.RuleCode }).IsUnique();
    }
}

internal sealed class TradePlanConfiguration : IEntityTypeConfiguration<TradePlan>
{
    public void Configure(EntityTypeBuilder<TradePlan> b)
    {
        b.ToTable("trade_plans", t =>
        {
            t.HasCheckConstraint("ck_trade_plans_side", "side IN ('buy', 'sell')");
            t.HasCheckConstraint("ck_trade_plans_quantity", "quantity > 0 AND price > 0");
            t.HasCheckConstraint("ck_trade_plans_trader_action", "trader_action IN ('proceeded', 'modified', 'cancelled')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Symbol).HasMaxLength(32);
        b.Property(e => e.Side).AsName(4);
        b.Property(e => e.Quantity).Quantity();
        b.Property(e => e.Price).HasPrecision(24, 10);
        b.Property(e => e.Stop).HasPrecision(24, 10);
        b.Property(e => e.Target).HasPrecision(24, 10);
        b.Property(e => e.Hypothesis).HasMaxLength(4000);
        b.Property(e => e.Checks).HasColumnType("jsonb").HasDefaultValueSql("'[]'::jsonb");
        b.Property(e => e.Snapshot).HasColumnType("jsonb");
        b.Property(e => e.TraderAction).HasMaxLength(20);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Strategy>().WithMany().HasForeignKey(e => e.StrategyId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<TradeFill>().WithMany().HasForeignKey(e => e.FillId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => new { e.UserId, e.CreatedAt });
    }
}

internal sealed class BrokerCsvMappingConfiguration : IEntityTypeConfiguration<BrokerCsvMapping>
{
    public void Configure(EntityTypeBuilder<BrokerCsvMapping> b)
    {
        b.ToTable("broker_csv_mappings");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.BrokerName).HasMaxLength(100);
        b.Property(e => e.Mapping).HasColumnType("jsonb");
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.UserId, e.BrokerName }).IsUnique();
    }
}
