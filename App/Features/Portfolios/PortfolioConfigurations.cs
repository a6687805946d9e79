using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Signalbook.Features.MarketData;
using Signalbook.Features.Models;
using Signalbook.Features.Users;

namespace Signalbook.Features.Portfolios;

internal static class TradingColumns
{
    public static PropertyBuilder<decimal> Money(this PropertyBuilder<decimal> p) => p.HasPrecision(20, 6);
    public static PropertyBuilder<decimal?> Money(this PropertyBuilder<decimal?> p) => p.HasPrecision(20, 6);
    public static PropertyBuilder<decimal> Quantity(this PropertyBuilder<decimal> p) => p.HasPrecision(24, 8);

    /// <summary>Stores a trading enum as the seed's snake_case name.</summary>
    public static PropertyBuilder<T> AsName<T>(this PropertyBuilder<T> p, int maxLength = 32) where T : struct, Enum =>
        p.HasConversion(new ValueConverter<T, string>(v => TradingNames.ToDb(v), s => TradingNames.Parse<T>(s))).HasMaxLength(maxLength);
}

internal sealed class PortfolioConfiguration : IEntityTypeConfiguration<Portfolio>
{
    public void Configure(EntityTypeBuilder<Portfolio> b)
    {
        b.ToTable("portfolios", t =>
        {
            t.HasCheckConstraint("ck_portfolios_broker_plugin", "broker_plugin IN ('paper', 'alpaca')");
            t.HasCheckConstraint("ck_portfolios_starting_cash", "starting_cash >= 0");
            t.HasCheckConstraint("ck_portfolios_costs", "commission_per_share >= 0 AND commission_percent >= 0 AND commission_per_order >= 0 AND commission_minimum >= 0 AND slippage_bps >= 0");
            t.HasCheckConstraint("ck_portfolios_max_volume_share", "max_volume_share >= 0 AND max_volume_share <= 1");
            t.HasCheckConstraint("ck_portfolios_base_currency", "base_currency ~ '^[A-Z]{3}$'");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Name).HasMaxLength(100);
        b.Property(e => e.Description).HasMaxLength(1000);
        b.Property(e => e.IsPaper).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.IsActive).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.BaseCurrency).HasMaxLength(3).HasDefaultValue("USD").HasSentinel("USD");
        b.Property(e => e.StartingCash).Money();
        b.Property(e => e.CashBalance).Money().HasDefaultValue(0m);
        b.Property(e => e.TotalValue).Money().HasDefaultValue(0m);
        b.Property(e => e.TotalPnl).Money().HasDefaultValue(0m);
        b.Property(e => e.TotalPnlPercent).HasDefaultValue(0.0);
        b.Property(e => e.DailyPnl).Money().HasDefaultValue(0m);
        b.Property(e => e.PortfolioPlugin).HasMaxLength(64).HasDefaultValue("default").HasSentinel("default");
        b.Property(e => e.PortfolioPluginConfig).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.StrategyPlugin).HasMaxLength(64);
        b.Property(e => e.StrategyPluginConfig).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.BrokerPlugin).HasMaxLength(32).HasDefaultValue(BrokerPlugins.Paper).HasSentinel(BrokerPlugins.Paper);
        b.Property(e => e.CommissionPerShare).Money();
        b.Property(e => e.CommissionPercent).HasPrecision(10, 6);
        b.Property(e => e.CommissionPerOrder).Money();
        b.Property(e => e.CommissionMinimum).Money();
        b.Property(e => e.SlippageBps).HasPrecision(10, 4);
        b.Property(e => e.MaxVolumeShare).HasPrecision(7, 6).HasDefaultValue(0.1m).HasSentinel(0.1m);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.BenchmarkInstrumentId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<BrokerCredential>().WithMany().HasForeignKey(e => e.BrokerCredentialId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.UserId).HasDatabaseName("idx_portfolio_user");
        b.HasIndex(e => new { e.UserId, e.Name }).IsUnique();
    }
}

internal sealed class PortfolioAssetConfiguration : IEntityTypeConfiguration<PortfolioAsset>
{
    public void Configure(EntityTypeBuilder<PortfolioAsset> b)
    {
        b.ToTable("portfolio_assets", t => t.HasCheckConstraint("ck_portfolio_assets_broker_plugin", "broker_plugin IN ('paper', 'alpaca')"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Parameters).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.BrokerPlugin).HasMaxLength(32).HasDefaultValue(BrokerPlugins.Paper).HasSentinel(BrokerPlugins.Paper);
        b.Property(e => e.BrokerPluginConfig).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.StrategyPlugin).HasMaxLength(64);
        b.Property(e => e.StrategyPluginConfig).HasColumnType("jsonb").HasDefaultValueSql("'{}'::jsonb");
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => new { e.PortfolioId, e.InstrumentId }).IsUnique();
        b.HasIndex(e => e.InstrumentId);
    }
}

internal sealed class PositionConfiguration : IEntityTypeConfiguration<Position>
{
    public void Configure(EntityTypeBuilder<Position> b)
    {
        b.ToTable("positions", t => t.HasCheckConstraint("ck_positions_quantity", "quantity <> 0"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Quantity).Quantity();
        b.Property(e => e.EntryPrice).Money();
        b.Property(e => e.CurrentPrice).Money();
        b.Property(e => e.MarketValue).Money();
        b.Property(e => e.UnrealizedPnl).Money().HasDefaultValue(0m);
        b.Property(e => e.UnrealizedPnlPercent).HasDefaultValue(0.0);
        b.Property(e => e.RealizedPnl).Money().HasDefaultValue(0m);
        b.Property(e => e.OpenedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => e.PortfolioId).HasDatabaseName("idx_position_portfolio");
        b.HasIndex(e => e.InstrumentId).HasDatabaseName("idx_position_symbol");
        b.HasIndex(e => new { e.PortfolioId, e.InstrumentId }).IsUnique();
    }
}

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.ToTable("orders", t =>
        {
            t.HasCheckConstraint("ck_orders_side", TradingNames.CheckIn<OrderSide>("side"));
            t.HasCheckConstraint("ck_orders_order_type", TradingNames.CheckIn<OrderType>("order_type"));
            t.HasCheckConstraint("ck_orders_time_in_force", TradingNames.CheckIn<TimeInForce>("time_in_force"));
            t.HasCheckConstraint("ck_orders_status", TradingNames.CheckIn<OrderStatus>("status"));
            t.HasCheckConstraint("ck_orders_quantity", "quantity > 0 AND filled_quantity >= 0 AND filled_quantity <= quantity");
            t.HasCheckConstraint("ck_orders_prices", "(price IS NULL OR price > 0) AND (stop_price IS NULL OR stop_price > 0)");
            t.HasCheckConstraint("ck_orders_limit_price", "order_type NOT IN ('limit', 'stop_limit') OR price IS NOT NULL");
            t.HasCheckConstraint("ck_orders_stop_price", "order_type NOT IN ('stop_loss', 'stop_limit') OR stop_price IS NOT NULL");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.ClientOrderId).HasMaxLength(100);
        b.Property(e => e.BrokerOrderId).HasMaxLength(100);
        b.Property(e => e.Side).AsName(8);
        b.Property(e => e.OrderType).AsName(16);
        b.Property(e => e.TimeInForce).AsName(8);
        b.Property(e => e.Status).AsName(20).HasDefaultValueSql("'pending'");
        b.Property(e => e.Quantity).Quantity();
        b.Property(e => e.FilledQuantity).Quantity().HasDefaultValue(0m);
        b.Property(e => e.Price).Money();
        b.Property(e => e.StopPrice).Money();
        b.Property(e => e.AverageFillPrice).Money();
        b.Property(e => e.Fee).Money().HasDefaultValue(0m);
        b.Property(e => e.FeeCurrency).HasMaxLength(10);
        b.Property(e => e.RejectReason).HasMaxLength(512);
        b.Property(e => e.Note).HasMaxLength(512);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Strategy>().WithMany().HasForeignKey(e => e.StrategyId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Recommendation>().WithMany().HasForeignKey(e => e.RecommendationId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Order>().WithMany().HasForeignKey(e => e.ParentOrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.ClientOrderId).IsUnique();
        b.HasIndex(e => e.BrokerOrderId).IsUnique();
        b.HasIndex(e => e.UserId).HasDatabaseName("idx_order_user");
        b.HasIndex(e => e.InstrumentId).HasDatabaseName("idx_order_symbol");
        b.HasIndex(e => e.Status).HasDatabaseName("idx_order_status");
        b.HasIndex(e => e.CreatedAt).HasDatabaseName("idx_order_created");
        b.HasIndex(e => new { e.PortfolioId, e.Status });
        b.HasIndex(e => e.RecommendationId);
        b.HasIndex(e => e.StrategyId);
        b.HasIndex(e => e.ParentOrderId);
    }
}

internal sealed class TradeConfiguration : IEntityTypeConfiguration<Trade>
{
    public void Configure(EntityTypeBuilder<Trade> b)
    {
        b.ToTable("trades", t =>
        {
            t.HasCheckConstraint("ck_trades_side", TradingNames.CheckIn<OrderSide>("side"));
            t.HasCheckConstraint("ck_trades_quantity", "quantity > 0 AND price > 0 AND commission >= 0 AND fee >= 0");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.BrokerTradeId).HasMaxLength(100);
        b.Property(e => e.Side).AsName(8);
        b.Property(e => e.Quantity).Quantity();
        b.Property(e => e.Price).Money();
        b.Property(e => e.Value).Money();
        b.Property(e => e.Commission).Money().HasDefaultValue(0m);
        b.Property(e => e.Fee).Money().HasDefaultValue(0m);
        b.Property(e => e.FeeCurrency).HasMaxLength(10);
        b.Property(e => e.Pnl).Money();
        b.Property(e => e.Rule).HasMaxLength(100);
        b.Property(e => e.ExecutedAt).HasDefaultValueSql("now()");
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Order>().WithMany().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(e => e.BrokerTradeId).IsUnique();
        b.HasIndex(e => e.PortfolioId).HasDatabaseName("idx_trade_portfolio");
        b.HasIndex(e => e.InstrumentId).HasDatabaseName("idx_trade_symbol");
        b.HasIndex(e => e.ExecutedAt).HasDatabaseName("idx_trade_executed");
        b.HasIndex(e => e.OrderId);
    }
}

internal sealed class CashFlowConfiguration : IEntityTypeConfiguration<PortfolioCashFlow>
{
    public void Configure(EntityTypeBuilder<PortfolioCashFlow> b)
    {
        b.ToTable("portfolio_cash_flows", t => t.HasCheckConstraint("ck_portfolio_cash_flows_amount", "amount <> 0"));
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Amount).Money();
        b.Property(e => e.Note).HasMaxLength(200);
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.PortfolioId, e.OccurredAt });
    }
}

internal sealed class StrategyConfiguration : IEntityTypeConfiguration<Strategy>
{
    public void Configure(EntityTypeBuilder<Strategy> b)
    {
        b.ToTable("strategies", t =>
        {
            t.HasCheckConstraint("ck_strategies_strategy_type", TradingNames.CheckIn<StrategyType>("strategy_type"));
            t.HasCheckConstraint("ck_strategies_direction", "direction IN ('long', 'short', 'both')");
            t.HasCheckConstraint("ck_strategies_implied_strategy_family", "implied_strategy_family IN ('trend', 'breakout', 'momentum', 'mean_reversion', 'volatility')");
            t.HasCheckConstraint("ck_strategies_max_risk_pct", "max_risk_pct > 0 AND max_risk_pct <= 100");
            t.HasCheckConstraint("ck_strategies_min_risk_reward", "min_risk_reward > 0");
        });
        b.Property(e => e.Direction).HasMaxLength(10).HasDefaultValue("both").HasSentinel("both");
        b.Property(e => e.Timeframes).HasColumnType("jsonb").HasDefaultValueSql("'[\"1Day\"]'::jsonb");
        b.Property(e => e.EntryCriteria).HasMaxLength(4000);
        b.Property(e => e.ExitCriteria).HasMaxLength(4000);
        b.Property(e => e.RiskProfile).HasColumnType("jsonb");
        b.Property(e => e.ImpliedStrategyFamily).HasMaxLength(50);
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Name).HasMaxLength(100);
        b.Property(e => e.StrategyType).AsName(32);
        b.Property(e => e.Description).HasMaxLength(2000);
        b.Property(e => e.Config).HasColumnType("jsonb");
        b.Property(e => e.IsActive).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.IsBacktest).HasDefaultValue(false);
        b.Property(e => e.TotalPnl).Money().HasDefaultValue(0m);
        b.Property(e => e.NumTrades).HasDefaultValue(0);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => e.UserId).HasDatabaseName("idx_strategy_user");
        b.HasIndex(e => e.StrategyType).HasDatabaseName("idx_strategy_type");
        b.HasIndex(e => new { e.UserId, e.Name }).IsUnique();
    }
}

internal sealed class PortfolioAnalyticConfiguration : IEntityTypeConfiguration<PortfolioAnalytic>
{
    public void Configure(EntityTypeBuilder<PortfolioAnalytic> b)
    {
        b.ToTable("analytics");
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Metric).HasMaxLength(64);
        b.Property(e => e.PlotData).HasColumnType("jsonb");
        b.Property(e => e.Timestamp).HasDefaultValueSql("now()");
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.PortfolioId, e.Metric, e.Timestamp }).IsUnique();
    }
}

internal sealed class InstrumentSplitConfiguration : IEntityTypeConfiguration<InstrumentSplit>
{
    public void Configure(EntityTypeBuilder<InstrumentSplit> b)
    {
        b.ToTable("instrument_splits", t =>
        {
            t.HasCheckConstraint("ck_instrument_splits_ratio", "ratio > 0 AND ratio <> 1");
            t.HasCheckConstraint("ck_instrument_splits_source", "source IN ('detected', 'manual')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Ratio).HasPrecision(18, 8);
        b.Property(e => e.Source).HasMaxLength(16);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.InstrumentId, e.ExDate }).IsUnique();
    }
}

internal sealed class BrokerCredentialConfiguration : IEntityTypeConfiguration<BrokerCredential>
{
    public void Configure(EntityTypeBuilder<BrokerCredential> b)
    {
        b.ToTable("broker_credentials", t =>
        {
            t.HasCheckConstraint("ck_broker_credentials_plugin", "plugin IN ('alpaca')");
            t.HasCheckConstraint("ck_broker_credentials_environment", "environment IN ('paper', 'live')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Plugin).HasMaxLength(32);
        b.Property(e => e.Environment).HasMaxLength(8);
        b.Property(e => e.Label).HasMaxLength(100);
        b.Property(e => e.KeyHint).HasMaxLength(8);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.UserId);
    }
}

internal sealed class UserTradingConfigConfiguration : IEntityTypeConfiguration<UserTradingConfig>
{
    public void Configure(EntityTypeBuilder<UserTradingConfig> b)
    {
        b.ToTable("user_trading_config", t =>
        {
            t.HasCheckConstraint("ck_user_trading_config_rsi", "rsi_period BETWEEN 2 AND 100 AND rsi_extreme_oversold <= rsi_oversold AND rsi_oversold <= rsi_near_oversold");
            t.HasCheckConstraint("ck_user_trading_config_capital", "user_capital > 0 AND max_portfolio_size > 0 AND max_position_volume_ratio > 0 AND max_position_volume_ratio <= 1 AND min_absolute_avg_volume >= 0");
            t.HasCheckConstraint("ck_user_trading_config_ml_confidence", "ml_confidence_threshold >= 0 AND ml_confidence_threshold <= 1");
            t.HasCheckConstraint("ck_user_trading_config_validity", "default_validity IN ('DAY', 'GTC', 'IOC')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.RsiPeriod).HasDefaultValue(10).HasSentinel(0);
        b.Property(e => e.RsiOversold).HasDefaultValue(30.0).HasSentinel(0.0);
        b.Property(e => e.RsiExtremeOversold).HasDefaultValue(20.0).HasSentinel(0.0);
        b.Property(e => e.RsiNearOversold).HasDefaultValue(40.0).HasSentinel(0.0);
        b.Property(e => e.UserCapital).Money().HasDefaultValue(200000m).HasSentinel(0m);
        b.Property(e => e.MaxPortfolioSize).HasDefaultValue(6).HasSentinel(0);
        b.Property(e => e.MaxPositionVolumeRatio).HasDefaultValue(0.10).HasSentinel(0.0);
        b.Property(e => e.MinAbsoluteAvgVolume).HasDefaultValue(10000).HasSentinel(-1);
        b.Property(e => e.ChartQualityEnabled).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.ChartQualityMinScore).HasDefaultValue(50.0).HasSentinel(-1.0);
        b.Property(e => e.ChartQualityMaxGapFrequency).HasDefaultValue(25.0).HasSentinel(-1.0);
        b.Property(e => e.ChartQualityMinDailyRangePct).HasDefaultValue(1.0).HasSentinel(-1.0);
        b.Property(e => e.ChartQualityMaxExtremeCandleFrequency).HasDefaultValue(20.0).HasSentinel(-1.0);
        b.Property(e => e.DefaultTargetPct).HasDefaultValue(0.10).HasSentinel(-1.0);
        b.Property(e => e.StrongBuyTargetPct).HasDefaultValue(0.12).HasSentinel(-1.0);
        b.Property(e => e.ExcellentTargetPct).HasDefaultValue(0.15).HasSentinel(-1.0);
        b.Property(e => e.StrongBuyRiskReward).HasDefaultValue(3.0).HasSentinel(-1.0);
        b.Property(e => e.BuyRiskReward).HasDefaultValue(2.5).HasSentinel(-1.0);
        b.Property(e => e.ExcellentRiskReward).HasDefaultValue(3.5).HasSentinel(-1.0);
        b.Property(e => e.DefaultExchange).HasMaxLength(8).HasDefaultValue("NSE").HasSentinel("");
        b.Property(e => e.DefaultProduct).HasMaxLength(8).HasDefaultValue("CNC").HasSentinel("");
        b.Property(e => e.DefaultOrderType).HasMaxLength(16).HasDefaultValue("MARKET").HasSentinel("");
        b.Property(e => e.DefaultVariety).HasMaxLength(8).HasDefaultValue("AMO").HasSentinel("");
        b.Property(e => e.DefaultValidity).HasMaxLength(8).HasDefaultValue("DAY").HasSentinel("");
        b.Property(e => e.AllowDuplicateRecommendationsSameDay).HasDefaultValue(false);
        b.Property(e => e.ExitOnEma9OrRsi50).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.MinCombinedScore).HasDefaultValue(25).HasSentinel(-1);
        b.Property(e => e.NewsSentimentEnabled).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.NewsSentimentLookbackDays).HasDefaultValue(30).HasSentinel(0);
        b.Property(e => e.NewsSentimentMinArticles).HasDefaultValue(2).HasSentinel(-1);
        b.Property(e => e.NewsSentimentPosThreshold).HasDefaultValue(0.25).HasSentinel(-9.0);
        b.Property(e => e.NewsSentimentNegThreshold).HasDefaultValue(-0.25).HasSentinel(-9.0);
        b.Property(e => e.MlEnabled).HasDefaultValue(false);
        b.Property(e => e.MlModelVersion).HasMaxLength(16);
        b.Property(e => e.MlConfidenceThreshold).HasDefaultValue(0.5).HasSentinel(-1.0);
        b.Property(e => e.MlCombineWithRules).HasDefaultValue(true).HasSentinel(true);
        b.Property(e => e.TaskSchedule).HasColumnType("jsonb");
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => e.UserId).IsUnique();
    }
}
