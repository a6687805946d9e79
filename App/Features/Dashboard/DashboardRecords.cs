using Signalbook.Features.Portfolios;

namespace Signalbook.Features.Dashboard;

// What the signed-in home page shows, as small read models (percent figures are fractions: 0.05 = 5 %).

/// <summary>Everything the dashboard shows for one caller. Cards the caller may not see are null.</summary>
public sealed record DashboardView(
    PortfolioOverview Portfolios,
    OpenOrdersOverview? OpenOrders,
    TodaysFills? Fills,
    TopRecommendations Recommendations,
    ServiceOverview? Service,
    DateTimeOffset LoadedAt);

/// <summary>The value of the caller's active portfolios, one total per base currency, and the main (largest) portfolio's curve.</summary>
public sealed record PortfolioOverview(IReadOnlyList<CurrencyTotal> Totals, MainPortfolio? Main, IReadOnlyList<PortfolioLink> Portfolios)
{
    public bool IsEmpty => Portfolios.Count == 0;
}

/// <summary>
/// The active portfolios of one base currency summed: value, today's change (amount, and as a fraction of yesterday's
/// value) and total P&amp;L. Amounts in different currencies are never added together.
/// </summary>
public sealed record CurrencyTotal(string Currency, int Count, decimal Value, decimal DayChange, double DayChangePercent, decimal TotalPnl);

/// <summary>The largest active portfolio, with the last <see cref="PortfolioService.SparklineDays"/> days of its equity curve.</summary>
public sealed record MainPortfolio(long Id, string Name, string Currency, decimal Value, IReadOnlyList<double> Sparkline);

/// <summary>One of the caller's portfolios, for a link (inactive ones are listed but not summed).</summary>
public sealed record PortfolioLink(long Id, string Name, string Currency, decimal Value, bool IsActive, int OpenOrders);

/// <summary>The caller's working orders (pending, open, partly filled), newest first, and how many there are per portfolio.</summary>
public sealed record OpenOrdersOverview(IReadOnlyList<WorkingOrder> Rows, int Total, IReadOnlyList<PortfolioOrderCount> ByPortfolio);

public sealed record WorkingOrder(
    long Id,
    long PortfolioId,
    string PortfolioName,
    string Symbol,
    OrderSide Side,
    OrderType Type,
    OrderStatus Status,
    decimal Quantity,
    decimal FilledQuantity,
    decimal? LimitPrice,
    decimal? StopPrice,
    DateTimeOffset CreatedAt);

public sealed record PortfolioOrderCount(long PortfolioId, string PortfolioName, int Count);

/// <summary>
/// Fills since the start of the caller's day: <see cref="DayStart"/> is midnight in <see cref="TimeZone"/> (the user's
/// <c>site_prefs.time_zone</c> when set to a known zone, UTC otherwise; <see cref="ZoneFromSettings"/> says which).
/// </summary>
public sealed record TodaysFills(
    DateTimeOffset DayStart,
    string TimeZone,
    bool ZoneFromSettings,
    IReadOnlyList<FillRow> Rows,
    int Total,
    IReadOnlyList<CurrencyAmount> RealisedPnl);

public sealed record FillRow(long Id, long PortfolioId, string PortfolioName, string Currency, string Symbol, OrderSide Side, decimal Quantity, decimal Price,
    decimal? RealisedPnl, DateTimeOffset ExecutedAt);

public sealed record CurrencyAmount(string Currency, decimal Amount);

/// <summary>
/// The highest-confidence BUY and SELL calls for the user's risk profile. Before the user accepts the risk disclosure
/// <see cref="ConsentAccepted"/> is false and no recommendation is read at all.
/// </summary>
public sealed record TopRecommendations(bool ConsentAccepted, string Profile, IReadOnlyList<TopRecommendation> Rows);

public sealed record TopRecommendation(long Id, string Symbol, string? Name, string Label, double Confidence, DateTimeOffset GeneratedAt);

/// <summary>The caller's own trading service: whether it runs, when it last ran and how many errors it counted.</summary>
public sealed record ServiceOverview(bool Running, DateTimeOffset? LastRun, DateTimeOffset? LastHeartbeat, int ErrorCount, string? LastError, int ActiveStrategies);
