using Signalbook.Features.Journal.Campaigns;

namespace Signalbook.Features.Journal.Stats;

/// <summary>
/// A closed campaign as the statistics read it: its realised P&amp;L after fees, its R (null when the risk is unknown),
/// its fees and holding time, and what the trader attached to it (decision_contexts: strategy, tags, emotions; the
/// market regime at entry; the codes of the rules it broke). Null lists mean none.
/// </summary>
public sealed record CampaignSummary(
    long GroupId,
    string Symbol,
    CampaignDirection Direction,
    DateTimeOffset OpenedAt,
    DateTimeOffset ClosedAt,
    decimal Pnl,
    decimal? R,
    decimal Fees,
    TimeSpan HoldingTime,
    string? Strategy = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<string>? Emotions = null,
    string? Regime = null,
    IReadOnlyList<string>? ViolatedRules = null)
{
    /// <summary>The summary of a closed campaign (R and the trader's context given separately).</summary>
    /// <exception cref="ArgumentException">The campaign is still open.</exception>
    public static CampaignSummary From(Campaign campaign, decimal? r = null, string? strategy = null, IReadOnlyList<string>? tags = null,
        IReadOnlyList<string>? emotions = null, string? regime = null, IReadOnlyList<string>? violatedRules = null)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var closedAt = campaign.ClosedAt ?? throw new ArgumentException($"Campaign {campaign.GroupId} is still open.", nameof(campaign));
        return new CampaignSummary(campaign.GroupId, campaign.Symbol, campaign.Direction, campaign.OpenedAt, closedAt, campaign.RealisedPnl, r,
            campaign.TotalFees, closedAt - campaign.OpenedAt, strategy, tags, emotions, regime, violatedRules);
    }
}

/// <summary>
/// Campaigns that share a key: how many, how many won (P&amp;L &gt; 0) and lost (&lt; 0), their total P&amp;L, win rate and
/// average P&amp;L (null when empty), and their average R over those with an R (null when none has one).
/// </summary>
public sealed record PnlBucket<TKey>(TKey Key, int Count, int Wins, int Losses, decimal Pnl, decimal? WinRatePct, decimal? AveragePnl, decimal? AverageR);

/// <summary>Holding-time buckets: under 1 h; 1 h to under 1 d; 1 d to under 5 d; 5 d to 20 d inclusive; over 20 d.</summary>
public enum HoldingBucket
{
    UnderOneHour,
    OneHourToOneDay,
    OneToFiveDays,
    FiveToTwentyDays,
    OverTwentyDays,
}

/// <summary>
/// The equity curve at the end of a close day (in the user's zone): that day's P&amp;L, the cumulative P&amp;L, its peak so
/// far (starting from 0, the equity before the first trade) and the drawdown, cumulative − peak (≤ 0, in money).
/// </summary>
public sealed record EquityPoint(DateOnly Day, decimal Pnl, decimal Cumulative, decimal Peak, decimal Drawdown);

/// <summary>P&amp;L of the campaigns closed in a period (a day, an ISO week from its Monday, a month from its 1st) in the user's zone.</summary>
public sealed record PeriodPnl(DateOnly Start, int Count, int Wins, int Losses, decimal Pnl);

/// <summary>
/// What breaking a rule cost: the campaigns that broke it (counted once each), their total and average P&amp;L, against
/// all the other campaigns. <see cref="RuleCode"/> is <see cref="JournalStats.AnyRule"/> for "broke at least one rule".
/// </summary>
public sealed record RuleCost(string RuleCode, int Count, decimal Pnl, decimal? AveragePnl, int OtherCount, decimal OtherPnl, decimal? OtherAveragePnl);

/// <summary>
/// The headline figures. Rates are percents of <see cref="Count"/>; averages and ratios are null when their
/// denominator is zero. <see cref="NetPnl"/> is after fees, <see cref="GrossPnl"/> before (net + fees).
/// <see cref="Expectancy"/> is the average P&amp;L per campaign (= win rate × average win + loss rate × average loss).
/// <see cref="ProfitFactor"/> = Σ wins ÷ |Σ losses|. <see cref="MaxDrawdown"/> is the deepest drawdown of the daily
/// equity curve (≤ 0).
/// </summary>
public sealed record StatsSummary(
    int Count,
    int Wins,
    int Losses,
    int Breakeven,
    decimal? WinRatePct,
    decimal? LossRatePct,
    decimal? AverageWin,
    decimal? AverageLoss,
    decimal? Expectancy,
    decimal? ProfitFactor,
    decimal? AverageR,
    int WithR,
    decimal? LargestWin,
    decimal? LargestLoss,
    decimal NetPnl,
    decimal GrossPnl,
    decimal Fees,
    decimal MaxDrawdown);

/// <summary>Everything <see cref="JournalStats.Compute"/> derives from a list of closed campaigns.</summary>
public sealed record JournalStatistics(
    StatsSummary Summary,
    IReadOnlyList<PnlBucket<string>> ByStrategy,
    IReadOnlyList<PnlBucket<string>> ByTag,
    IReadOnlyList<PnlBucket<string>> ByEmotion,
    IReadOnlyList<PnlBucket<string>> ByRegime,
    IReadOnlyList<PnlBucket<DayOfWeek>> ByWeekday,
    IReadOnlyList<PnlBucket<int>> ByHour,
    IReadOnlyList<PnlBucket<HoldingBucket>> ByHolding,
    IReadOnlyList<EquityPoint> Equity,
    IReadOnlyList<PeriodPnl> Daily,
    IReadOnlyList<PeriodPnl> Weekly,
    IReadOnlyList<PeriodPnl> Monthly,
    IReadOnlyList<RuleCost> Rules,
    RuleCost AnyRule);
