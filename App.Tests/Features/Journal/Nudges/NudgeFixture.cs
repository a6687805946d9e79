using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Journal.Nudges;

/// <summary>
/// A hand-checkable trader: 100,000 USD account, the default profile (position 10 %, risk 1 %, daily loss 3 %,
/// reward 2×, 5 open positions, stop required), in New York, planning to buy 50 AAPL at 100 with a stop at 98 and a
/// target at 106 on Friday 14 March 2025, 15:00 UTC (11:00 in New York).
/// </summary>
internal static class NudgeFixture
{
    public static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    public static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    public static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    public static readonly DateTimeOffset Now = new(2025, 3, 14, 15, 0, 0, TimeSpan.Zero);

    public static NudgeTrade Buy(decimal quantity = 50m, decimal price = 100m, decimal? stop = 98m, decimal? target = 106m) => new()
    {
        Symbol = "AAPL",
        Side = FillSide.Buy,
        Intent = TradeIntent.Open,
        Quantity = quantity,
        Price = price,
        Stop = stop,
        Target = target,
        Time = Now,
    };

    public static NudgeContext Context(NudgeTrade? trade = null, string phase = CheckPhases.PreTrade) => new()
    {
        Phase = phase,
        Trade = trade ?? Buy(),
        AccountBalance = 100_000m,
        RiskProfile = new RiskPreferences(),
        TimeZone = NewYork,
    };

    /// <summary>The outcome of the one rule, or null when it was not evaluated.</summary>
    public static CheckOutcome? Run(NudgeContext context, string code, NudgeRuleParameters? parameters = null)
    {
        var outcomes = NudgeEvaluator.Evaluate(context, [new NudgeRule(code, parameters ?? NudgeRuleCatalog.Get(code).Defaults)]);
        return Assert.Single(outcomes.DefaultIfEmpty()) is { } o ? o : null;
    }

    public static CheckOutcome Failed(NudgeContext context, string code, NudgeRuleParameters? parameters = null)
    {
        var o = Run(context, code, parameters);
        Assert.NotNull(o);
        Assert.False(o.Passed, o.NudgeText);
        Assert.Equal(code, o.CheckType);
        Assert.Equal(context.Phase, o.Phase);
        return o;
    }

    public static CheckOutcome Passed(NudgeContext context, string code, NudgeRuleParameters? parameters = null)
    {
        var o = Run(context, code, parameters);
        Assert.NotNull(o);
        Assert.True(o.Passed, o.NudgeText);
        Assert.Equal(NudgeSeverities.Info, o.Severity);
        return o;
    }

    public static void NotEvaluated(NudgeContext context, string code, NudgeRuleParameters? parameters = null)
        => Assert.Null(Run(context, code, parameters));

    public static ClosedCampaign Closed(string utc, decimal pnl, string symbol = "MSFT", string? strategy = null)
        => new(symbol, DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), pnl, strategy);
}
