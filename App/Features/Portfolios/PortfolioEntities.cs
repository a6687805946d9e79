namespace Signalbook.Features.Portfolios;

// The trading tables (trading-ai seed's portfolios, positions, orders, trades, strategies; feature-extractor seed's
// portfolio/asset plugins and analytics). Money and prices are numeric(20,6), quantities numeric(24,8) and may be
// fractional; instruments are referenced by id (the seed's symbol/exchange live on instruments).

/// <summary>Broker plugins a portfolio or asset can route orders to.</summary>
public static class BrokerPlugins
{
    /// <summary>The matching engine over stored bars (the default).</summary>
    public const string Paper = "paper";
    /// <summary>Alpaca's Trading API, paper or live endpoint.</summary>
    public const string Alpaca = "alpaca";

    public static readonly IReadOnlyList<string> All = [Paper, Alpaca];
}

/// <summary>A trader's portfolio: paper by default, with its balances, cached performance and execution settings.</summary>
public sealed class Portfolio
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public bool IsPaper { get; set; } = true;
    public string BaseCurrency { get; set; } = "USD";
    public decimal StartingCash { get; set; }
    public decimal CashBalance { get; set; }
    /// <summary>Cash plus the marked value of the positions (shorts count negative).</summary>
    public decimal TotalValue { get; set; }
    public decimal TotalPnl { get; set; }
    public double TotalPnlPercent { get; set; }
    public decimal DailyPnl { get; set; }
    public double? SharpeRatio { get; set; }
    /// <summary>As a negative fraction (−0.125 = 12.5 % below the peak).</summary>
    public double? MaxDrawdown { get; set; }
    /// <summary>Share of closed round trips that made money, 0–1.</summary>
    public double? WinRate { get; set; }
    public string PortfolioPlugin { get; set; } = "default";
    public string PortfolioPluginConfig { get; set; } = "{}";
    public string? StrategyPlugin { get; set; }
    public string StrategyPluginConfig { get; set; } = "{}";
    public string BrokerPlugin { get; set; } = BrokerPlugins.Paper;
    /// <summary>Explicit per-portfolio switch a live broker endpoint needs (with a confirmation when turned on).</summary>
    public bool LiveTradingEnabled { get; set; }
    public long? BrokerCredentialId { get; set; }
    public bool AllowShorting { get; set; }
    public decimal CommissionPerShare { get; set; }
    public decimal CommissionPercent { get; set; }
    public decimal CommissionPerOrder { get; set; }
    public decimal CommissionMinimum { get; set; }
    public decimal SlippageBps { get; set; }
    /// <summary>Largest share of a bar's volume one fill may take (0–1; 0 = no cap).</summary>
    public decimal MaxVolumeShare { get; set; } = 0.1m;
    public long? BenchmarkInstrumentId { get; set; }
    public bool IsActive { get; set; } = true;
    /// <summary>Bars up to this instant have been matched and marked.</summary>
    public DateTimeOffset? ProcessedThrough { get; set; }
    public DateTimeOffset? ValuedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An instrument in a portfolio's universe (feature-extractor seed's assets) with its plugins and parameters.</summary>
public sealed class PortfolioAsset
{
    public long Id { get; set; }
    public long PortfolioId { get; set; }
    public long InstrumentId { get; set; }
    public string Parameters { get; set; } = "{}";
    public string BrokerPlugin { get; set; } = BrokerPlugins.Paper;
    public string BrokerPluginConfig { get; set; } = "{}";
    public string? StrategyPlugin { get; set; }
    public string StrategyPluginConfig { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>An open position (signed quantity: negative is short), a cache of the portfolio's trades marked to market.</summary>
public sealed class Position
{
    public long Id { get; set; }
    public long PortfolioId { get; set; }
    public long InstrumentId { get; set; }
    public decimal Quantity { get; set; }
    /// <summary>Average cost of the open FIFO lots, commissions included.</summary>
    public decimal EntryPrice { get; set; }
    public decimal? CurrentPrice { get; set; }
    public decimal MarketValue { get; set; }
    public decimal UnrealizedPnl { get; set; }
    public double UnrealizedPnlPercent { get; set; }
    public decimal RealizedPnl { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset? PricedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An order and its lifecycle; keeps the strategy or recommendation that caused it.</summary>
public sealed class Order
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public long PortfolioId { get; set; }
    public long InstrumentId { get; set; }
    public string ClientOrderId { get; set; } = "";
    /// <summary>The seed's exchange_order_id: the broker's id once submitted.</summary>
    public string? BrokerOrderId { get; set; }
    public OrderSide Side { get; set; }
    public OrderType OrderType { get; set; }
    public TimeInForce TimeInForce { get; set; }
    public OrderStatus Status { get; set; } = OrderStatus.Pending;
    public decimal Quantity { get; set; }
    public decimal FilledQuantity { get; set; }
    /// <summary>The limit price (limit and stop-limit orders).</summary>
    public decimal? Price { get; set; }
    public decimal? StopPrice { get; set; }
    public decimal? AverageFillPrice { get; set; }
    public decimal Fee { get; set; }
    public string? FeeCurrency { get; set; }
    public long? StrategyId { get; set; }
    public long? RecommendationId { get; set; }
    /// <summary>For bracket exits: the entry order they protect; they wait (pending) until it fills.</summary>
    public long? ParentOrderId { get; set; }
    /// <summary>Exits sharing a group cancel each other when one fills (one-cancels-other).</summary>
    public Guid? OcoGroup { get; set; }
    public bool StopTriggered { get; set; }
    /// <summary>TWAP/VWAP slicing window.</summary>
    public DateTimeOffset? WindowStart { get; set; }
    public DateTimeOffset? WindowEnd { get; set; }
    /// <summary>When the order became eligible to match (placed, or last replaced): earlier bars are never used.</summary>
    public DateTimeOffset PlacedAt { get; set; }
    public string? RejectReason { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FilledAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>A fill (trading-ai seed's trades), unique per broker trade id, with commission and other fees.</summary>
public sealed class Trade
{
    public long Id { get; set; }
    public long PortfolioId { get; set; }
    public long? OrderId { get; set; }
    public long InstrumentId { get; set; }
    /// <summary>The seed's exchange_trade_id.</summary>
    public string BrokerTradeId { get; set; } = "";
    public OrderSide Side { get; set; }
    public decimal Quantity { get; set; }
    public decimal Price { get; set; }
    public decimal Value { get; set; }
    public decimal Commission { get; set; }
    public decimal Fee { get; set; }
    public string? FeeCurrency { get; set; }
    /// <summary>Realised P&amp;L of the part of this fill that closed earlier lots (FIFO), net of costs.</summary>
    public decimal? Pnl { get; set; }
    public double? PnlPercent { get; set; }
    /// <summary>Which matching rule produced the fill (for the paper broker).</summary>
    public string? Rule { get; set; }
    public DateTimeOffset ExecutedAt { get; set; }
}

/// <summary>Deposits (+) and withdrawals (−): external flows that time-weighted return leaves out.</summary>
public sealed class PortfolioCashFlow
{
    public long Id { get; set; }
    public long PortfolioId { get; set; }
    public decimal Amount { get; set; }
    public string? Note { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>A trader's strategy: a built-in type with its validated jsonb config and measured performance.</summary>
public sealed class Strategy
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The portfolio the trading service places this strategy's orders in.</summary>
    public long? PortfolioId { get; set; }
    public string Name { get; set; } = "";
    public StrategyType StrategyType { get; set; }
    public string? Description { get; set; }
    public string Config { get; set; } = "{}";
    public bool IsActive { get; set; }
    public bool IsBacktest { get; set; }
    public decimal TotalPnl { get; set; }
    public double? WinRate { get; set; }
    public double? SharpeRatio { get; set; }
    public int NumTrades { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSignalAt { get; set; }

    // The trading-buddy seed's strategy columns (the journal's strategies are the same rows).

    /// <summary>long, short, both.</summary>
    public string Direction { get; set; } = "both";

    /// <summary>jsonb array of timeframes, e.g. ["1Day", "1Hour"].</summary>
    public string Timeframes { get; set; } = "[\"1Day\"]";

    public string? EntryCriteria { get; set; }
    public string? ExitCriteria { get; set; }
    public double? MaxRiskPct { get; set; }
    public double? MinRiskReward { get; set; }

    /// <summary>jsonb risk-profile overrides (the same fields as the trader's risk profile); null = none.</summary>
    public string? RiskProfile { get; set; }

    /// <summary>trend, breakout, momentum, mean_reversion, volatility — detected from the criteria.</summary>
    public string? ImpliedStrategyFamily { get; set; }
}

/// <summary>A metric series point per portfolio (feature-extractor seed's analytics), so pages do not recompute history.</summary>
public sealed class PortfolioAnalytic
{
    public long Id { get; set; }
    public long PortfolioId { get; set; }
    /// <summary>equity, cash, daily_pnl, drawdown, twr, … (see AnalyticsMetrics).</summary>
    public string Metric { get; set; } = "";
    public double? Value { get; set; }
    /// <summary>Chart data for metrics that are not one number (allocation, monthly returns).</summary>
    public string? PlotData { get; set; }
    public DateTimeOffset Timestamp { get; set; }
}

/// <summary>A split on an instrument: ratio new shares per old (2 = 2-for-1; 0.1 = 1-for-10).</summary>
public sealed class InstrumentSplit
{
    public long Id { get; set; }
    public long InstrumentId { get; set; }
    public DateOnly ExDate { get; set; }
    public decimal Ratio { get; set; }
    /// <summary>detected (from the bars) or manual.</summary>
    public string Source { get; set; } = "manual";
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Broker API keys, encrypted with Data Protection; only a hint is ever shown again.</summary>
public sealed class BrokerCredential
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public string Plugin { get; set; } = BrokerPlugins.Alpaca;
    /// <summary>paper or live.</summary>
    public string Environment { get; set; } = "paper";
    public string Label { get; set; } = "";
    /// <summary>The last characters of the key id, to recognise it.</summary>
    public string KeyHint { get; set; } = "";
    public string ProtectedSecret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
