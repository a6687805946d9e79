using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;

namespace Signalbook.Features.Alerts;

/// <summary>What a rule watches. Instrument kinds read the two newest stored daily bars; portfolio kinds read the portfolio's orders and value.</summary>
public static class AlertRuleKinds
{
    public const string PriceCrossAbove = "price_cross_above";
    public const string PriceCrossBelow = "price_cross_below";
    public const string PctMoveDay = "pct_move_day";
    public const string IndicatorCross = "indicator_cross";
    public const string RegimeChange = "regime_change";
    public const string RecommendationChange = "recommendation_change";
    public const string OrderFilled = "order_filled";
    public const string StopHit = "stop_hit";
    public const string DrawdownLimit = "drawdown_limit";

    public static readonly IReadOnlyList<string> All =
        [PriceCrossAbove, PriceCrossBelow, PctMoveDay, IndicatorCross, RegimeChange, RecommendationChange, OrderFilled, StopHit, DrawdownLimit];

    public static readonly IReadOnlyList<string> Portfolio = [OrderFilled, StopHit, DrawdownLimit];

    public static bool IsPortfolio(string kind) => Portfolio.Contains(kind);

    public static string Describe(string kind) => kind switch
    {
        PriceCrossAbove => "Price crosses above",
        PriceCrossBelow => "Price crosses below",
        PctMoveDay => "Daily move of at least",
        IndicatorCross => "Indicator crosses a threshold",
        RegimeChange => "Regime changes",
        RecommendationChange => "Recommendation is new or changes",
        OrderFilled => "An order fills",
        StopHit => "A stop is hit",
        DrawdownLimit => "Drawdown reaches a limit",
        _ => kind,
    };
}

/// <summary>The stored indicators an indicator rule can watch (features columns, or the features' additional jsonb).</summary>
public static class AlertIndicators
{
    public const string Rsi14 = "rsi_14";
    public const string Dist52wHigh = "dist_52w_high";
    public const string VolumeZscore = "volume_zscore";

    public static readonly IReadOnlyList<string> All = [Rsi14, Dist52wHigh, VolumeZscore];

    public static string Describe(string indicator) => indicator switch
    {
        Rsi14 => "RSI (14)",
        Dist52wHigh => "Distance from 52-week high (%)",
        VolumeZscore => "Volume z-score (20)",
        _ => indicator,
    };
}

public static class AlertDirections
{
    public const string Above = "above";
    public const string Below = "below";
    public const string Up = "up";
    public const string Down = "down";
    public const string Either = "either";

    public static readonly IReadOnlyList<string> Cross = [Above, Below];
    public static readonly IReadOnlyList<string> Move = [Up, Down, Either];
}

/// <summary>The trading-ai seed's alert categories.</summary>
public static class AlertCategories
{
    public const string Price = "price";
    public const string Trade = "trade";
    public const string System = "system";
    public const string Ml = "ml";

    public static string Of(string kind) => kind switch
    {
        AlertRuleKinds.RegimeChange or AlertRuleKinds.RecommendationChange => Ml,
        AlertRuleKinds.OrderFilled or AlertRuleKinds.StopHit or AlertRuleKinds.DrawdownLimit => Trade,
        _ => Price,
    };
}

/// <summary>A user's alert rule: what to watch, when it may fire again (cooldown, expiry, one-shot or recurring) and what it last saw.</summary>
public sealed class AlertRule
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public string Kind { get; set; } = AlertRuleKinds.PriceCrossAbove;
    public long? InstrumentId { get; set; }
    public long? PortfolioId { get; set; }
    /// <summary>indicator_cross only: one of <see cref="AlertIndicators"/>.</summary>
    public string? Indicator { get; set; }
    /// <summary>above/below for indicator_cross; up/down/either for pct_move_day.</summary>
    public string? Direction { get; set; }
    /// <summary>Price level, percent move, indicator level (dist_52w_high in percent, e.g. −5) or drawdown percent.</summary>
    public double? Threshold { get; set; }
    /// <summary>recommendation_change only: the risk profile whose recommendation is watched.</summary>
    public string? Profile { get; set; }
    public string Severity { get; set; } = "info";
    public int CooldownMinutes { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public bool Recurring { get; set; } = true;
    public bool IsActive { get; set; } = true;
    public DateTimeOffset? LastFiredAt { get; set; }
    /// <summary>The newest bar (or fill time, for order rules) this rule has looked at: it never looks at it, or anything older, again.</summary>
    public DateTimeOffset? LastEvaluatedBar { get; set; }
    public int FireCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A fired alert (trading-ai seed's alerts), with the rule and bar that fired it.</summary>
public sealed class Alert
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public long? RuleId { get; set; }
    /// <summary>The bar (or fill time) that fired it; unique per rule, so one bar never fires a rule twice.</summary>
    public DateTimeOffset? BarTs { get; set; }
    public string Title { get; set; } = "";
    public string Message { get; set; } = "";
    public string Severity { get; set; } = "info";
    public string? Category { get; set; }
    public string? Symbol { get; set; }
    public long? OrderId { get; set; }
    public long? StrategyId { get; set; }
    public bool IsRead { get; set; }
    public bool IsSent { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class AlertRuleConfiguration : IEntityTypeConfiguration<AlertRule>
{
    public void Configure(EntityTypeBuilder<AlertRule> b)
    {
        b.ToTable("alert_rules", t =>
        {
            t.HasCheckConstraint("ck_alert_rules_kind", "kind IN ('price_cross_above', 'price_cross_below', 'pct_move_day', 'indicator_cross', 'regime_change', 'recommendation_change', 'order_filled', 'stop_hit', 'drawdown_limit')");
            t.HasCheckConstraint("ck_alert_rules_severity", "severity IN ('info', 'warning', 'error', 'critical')");
            t.HasCheckConstraint("ck_alert_rules_cooldown", "cooldown_minutes >= 0");
            t.HasCheckConstraint("ck_alert_rules_target", "(instrument_id IS NOT NULL) <> (portfolio_id IS NOT NULL)");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Name).HasMaxLength(200);
        b.Property(e => e.Kind).HasMaxLength(30);
        b.Property(e => e.Indicator).HasMaxLength(30);
        b.Property(e => e.Direction).HasMaxLength(10);
        b.Property(e => e.Profile).HasMaxLength(20);
        b.Property(e => e.Severity).HasMaxLength(10).HasDefaultValue("info");
        b.Property(e => e.Recurring).HasDefaultValue(true);
        b.Property(e => e.IsActive).HasDefaultValue(true);
        b.Property(e => e.FireCount).HasDefaultValue(0);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.Property(e => e.UpdatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Instrument>().WithMany().HasForeignKey(e => e.InstrumentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Portfolio>().WithMany().HasForeignKey(e => e.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(e => new { e.UserId, e.CreatedAt });
        b.HasIndex(e => e.InstrumentId);
        b.HasIndex(e => e.PortfolioId);
        // The evaluator reads the active rules only.
        b.HasIndex(e => e.Kind).HasFilter("is_active");
        // Each run first switches off the active rules that expired (migration 0012).
        b.HasIndex(e => e.ExpiresAt).HasFilter("is_active");
    }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> b)
    {
        b.ToTable("alerts", t =>
        {
            t.HasCheckConstraint("ck_alerts_severity", "severity IN ('info', 'warning', 'error', 'critical')");
            t.HasCheckConstraint("ck_alerts_category", "category IS NULL OR category IN ('price', 'trade', 'system', 'ml')");
        });
        b.Property(e => e.Id).UseIdentityAlwaysColumn();
        b.Property(e => e.Title).HasMaxLength(200);
        b.Property(e => e.Severity).HasMaxLength(10).HasDefaultValue("info");
        b.Property(e => e.Category).HasMaxLength(50);
        b.Property(e => e.Symbol).HasMaxLength(20);
        b.Property(e => e.IsRead).HasDefaultValue(false);
        b.Property(e => e.IsSent).HasDefaultValue(false);
        b.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
        b.HasOne<AppUser>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AlertRule>().WithMany().HasForeignKey(e => e.RuleId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Order>().WithMany().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<Strategy>().WithMany().HasForeignKey(e => e.StrategyId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(e => new { e.UserId, e.CreatedAt });
        b.HasIndex(e => e.Severity);
        b.HasIndex(e => new { e.RuleId, e.BarTs }).IsUnique();
        b.HasIndex(e => e.OrderId);
        b.HasIndex(e => e.StrategyId);
    }
}
