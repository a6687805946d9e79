using Signalbook.Features.Journal.Import;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal.Nudges;

/// <summary>
/// The trade being checked, planned (pre_trade) or filled. Quantity and prices are positive; <see cref="Side"/> with
/// <see cref="Intent"/> gives the direction: opening or adding with a buy is long, with a sell short; reducing or
/// exiting with a sell closes a long, with a buy covers a short.
/// </summary>
public sealed record NudgeTrade
{
    public required string Symbol { get; init; }
    public required FillSide Side { get; init; }
    public required TradeIntent Intent { get; init; }
    public required decimal Quantity { get; init; }
    public required decimal Price { get; init; }
    public required DateTimeOffset Time { get; init; }
    public decimal? Stop { get; init; }
    public decimal? Target { get; init; }

    /// <summary>For an add: the quantity already held, so position size is judged on the whole position.</summary>
    public decimal HeldQuantityBefore { get; init; }

    public bool IsEntry => Intent is TradeIntent.Open or TradeIntent.Add;

    /// <summary>True when the position this trade belongs to is long.</summary>
    public bool IsLong => IsEntry ? Side == FillSide.Buy : Side == FillSide.Sell;
}

/// <summary>
/// A closed campaign of the trader: when it closed, its realised P&amp;L (after fees, in the account currency) and the
/// name of its strategy (strategies.name is unique per account), or null when none was tagged.
/// </summary>
public sealed record ClosedCampaign(string Symbol, DateTimeOffset ClosedAt, decimal RealisedPnl, string? Strategy = null);

/// <summary>The active recommendation for the trade's symbol and the user's risk profile.</summary>
public sealed record NudgeRecommendation(string Label, double Confidence);

/// <summary>The strategy the trade is tagged with (a strategies row). Family: implied_strategy_family, or null when undetected.</summary>
public sealed record NudgeStrategy(string Name, string? Family = null, string Direction = StrategyDirections.Both, decimal? MaxRiskPct = null,
    decimal? MinRiskReward = null);

/// <summary>
/// Everything the rules look at for one check of one trade. A null input means "not known": the rules that need it
/// are not evaluated (no outcome), never passed. An empty list means "known to be empty".
/// </summary>
public sealed record NudgeContext
{
    /// <summary>One of <see cref="CheckPhases"/>; a rule runs only in the phases of its catalogue entry.</summary>
    public required string Phase { get; init; }

    public required NudgeTrade Trade { get; init; }

    /// <summary>The account value limits are measured against (the profile's account_balance); null or ≤ 0: unknown.</summary>
    public decimal? AccountBalance { get; init; }

    public string Currency { get; init; } = "USD";

    public required RiskPreferences RiskProfile { get; init; }

    /// <summary>The trader's zone: "today" and "trades per day" are calendar days there.</summary>
    public required TimeZoneInfo TimeZone { get; init; }

    /// <summary>Positions open before this trade.</summary>
    public int? OpenPositions { get; init; }

    /// <summary>
    /// Recently closed campaigns, in any order: at least today's (for the daily loss) and enough of each strategy's
    /// latest for the losing streak. At exit, include the campaign this exit closes. Today's realised P&amp;L is the sum
    /// of the campaigns closed today in <see cref="TimeZone"/>.
    /// </summary>
    public IReadOnlyList<ClosedCampaign>? ClosedCampaigns { get; init; }

    /// <summary>
    /// The times of the trader's fills over recent weeks (for the overtrading norm), NOT including the trade being
    /// checked: the evaluator counts it once itself.
    /// </summary>
    public IReadOnlyList<DateTimeOffset>? RecentFillTimes { get; init; }

    public NudgeRecommendation? Recommendation { get; init; }

    /// <summary>The regime state name of the symbol (e.g. calm-up, choppy, stressed, unusual), or null.</summary>
    public string? Regime { get; init; }

    public NudgeStrategy? Strategy { get; init; }

    /// <summary>The calendar day of <paramref name="time"/> in the trader's zone.</summary>
    public DateOnly LocalDate(DateTimeOffset time) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, TimeZone).DateTime);
}

/// <summary>
/// The result of one rule on one trade: a campaign_checks row without its ids. Details are snake_case keys with
/// JSON-friendly values (numbers, strings, booleans).
/// </summary>
public sealed record CheckOutcome(string CheckType, string Severity, bool Passed, IReadOnlyDictionary<string, object?> Details, string NudgeText,
    string Phase);
