namespace Signalbook.Features.Portfolios;

/// <summary>A new portfolio as the create form submits it.</summary>
public sealed record NewPortfolio(string Name, decimal StartingCash, string BaseCurrency = "USD", string? Description = null,
    long? BenchmarkInstrumentId = null, bool AllowShorting = false);

/// <summary>The settings a portfolio's owner may change.</summary>
public sealed record PortfolioSettings(
    string Name,
    string? Description,
    bool IsActive,
    bool AllowShorting,
    decimal CommissionPerShare,
    decimal CommissionPercent,
    decimal CommissionPerOrder,
    decimal CommissionMinimum,
    decimal SlippageBps,
    decimal MaxVolumeShare,
    long? BenchmarkInstrumentId,
    string BrokerPlugin,
    long? BrokerCredentialId,
    bool LiveTradingEnabled);

/// <summary>One row of the portfolios list. Percent figures in these records are fractions (0.05 = 5 %).</summary>
public sealed record PortfolioSummary(
    long Id,
    Guid OwnerId,
    string Name,
    bool IsPaper,
    bool IsActive,
    string BaseCurrency,
    string BrokerPlugin,
    decimal TotalValue,
    decimal CashBalance,
    decimal DailyPnl,
    double DailyPnlPercent,
    decimal TotalPnl,
    double TotalPnlPercent,
    int Positions,
    int OpenOrders,
    IReadOnlyList<double> Sparkline,
    DateTimeOffset? ValuedAt);

/// <summary>The header of the portfolio page: balances, cached metrics and settings.</summary>
public sealed record PortfolioDetail(
    long Id,
    Guid OwnerId,
    string OwnerEmail,
    string Name,
    string? Description,
    bool IsPaper,
    bool IsActive,
    string BaseCurrency,
    decimal StartingCash,
    decimal CashBalance,
    decimal TotalValue,
    decimal TotalPnl,
    double TotalPnlPercent,
    decimal DailyPnl,
    double? SharpeRatio,
    double? MaxDrawdown,
    double? WinRate,
    string? BenchmarkSymbol,
    PortfolioSettings Settings,
    DateTimeOffset? ValuedAt,
    DateTimeOffset CreatedAt,
    /// <summary>Whether the caller may trade here (owner with a trading role).</summary>
    bool CanTrade);

/// <summary>One holding, marked to market on the latest bar.</summary>
public sealed record HoldingRow(
    long InstrumentId,
    string Symbol,
    string? Name,
    string Exchange,
    decimal Quantity,
    decimal AverageCost,
    decimal? Price,
    decimal MarketValue,
    decimal UnrealizedPnl,
    double UnrealizedPnlPercent,
    decimal RealizedPnl,
    double Weight,
    DateTimeOffset OpenedAt,
    DateTimeOffset? PricedAt);

/// <summary>One order in the blotter.</summary>
public sealed record OrderRow(
    long Id,
    string ClientOrderId,
    long InstrumentId,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    TimeInForce TimeInForce,
    OrderStatus Status,
    decimal Quantity,
    decimal FilledQuantity,
    decimal? LimitPrice,
    decimal? StopPrice,
    decimal? AverageFillPrice,
    decimal Fee,
    long? RecommendationId,
    long? StrategyId,
    long? ParentOrderId,
    string? RejectReason,
    string? Note,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FilledAt,
    DateTimeOffset? CancelledAt)
{
    public bool IsWorking => Status is OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled;
}

/// <summary>One fill.</summary>
public sealed record TradeRow(
    long Id,
    long? OrderId,
    string BrokerTradeId,
    long InstrumentId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal Value,
    decimal Commission,
    decimal Fee,
    decimal? Pnl,
    double? PnlPercent,
    string? Rule,
    DateTimeOffset ExecutedAt);

public sealed record CashFlowRow(long Id, decimal Amount, string? Note, DateTimeOffset OccurredAt);

/// <summary>A query over a portfolio's orders or trades for a server-side grid.</summary>
public sealed record TradingQuery(int Skip = 0, int Take = 25, string? Symbol = null, bool WorkingOnly = false, string SortBy = "CreatedAt", bool Descending = true);

public sealed record TradingPage<T>(IReadOnlyList<T> Rows, int Total);

/// <summary>One day of the stored equity curve (analytics), with the benchmark scaled to the same start.</summary>
public sealed record EquityPoint(DateOnly Date, double Equity, double Cash, double DailyPnl, double Drawdown, double? Benchmark);

/// <summary>The performance figures of the portfolio page, from the analytics kernels.</summary>
public sealed record PerformanceView(
    double? TimeWeightedReturn,
    double? AnnualisedReturn,
    double? Sharpe,
    double? Sortino,
    double? MaxDrawdown,
    DateOnly? DrawdownPeak,
    DateOnly? DrawdownTrough,
    DateOnly? DrawdownRecovery,
    double? WinRate,
    double? ProfitFactor,
    int ClosedTrades,
    double? Exposure,
    double? AverageGrossExposure);
