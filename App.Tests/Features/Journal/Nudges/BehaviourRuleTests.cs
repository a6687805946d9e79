using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using static Signalbook.Tests.Features.Journal.Nudges.NudgeFixture;

namespace Signalbook.Tests.Features.Journal.Nudges;

/// <summary>Revenge trades, overtrading and a setup that keeps losing.</summary>
public sealed class BehaviourRuleTests
{
    [Fact]
    public void RevengeTrade_AnEntryMinutesAfterALoss_Fails()
    {
        var context = Context() with { ClosedCampaigns = [Closed("2025-03-14T14:48:00Z", -420m, symbol: "TSLA")] };
        var o = Failed(context, NudgeRuleCodes.RevengeTrade);
        Assert.Equal(NudgeSeverities.Warn, o.Severity);
        Assert.StartsWith("You closed TSLA at a loss of 420.00 USD 12 minutes ago. Trades opened within 30 minutes of a loss", o.NudgeText);
        Assert.Equal(12, o.Details["minutes_since_loss"]);
    }

    [Fact]
    public void RevengeTrade_ALossOutsideTheWindowOrAWin_Passes()
    {
        var context = Context() with { ClosedCampaigns = [Closed("2025-03-14T14:15:00Z", -420m), Closed("2025-03-14T14:55:00Z", 300m)] };
        var o = Passed(context, NudgeRuleCodes.RevengeTrade);
        Assert.Equal("No losing exit in the last 30 minutes.", o.NudgeText);
    }

    [Fact]
    public void RevengeTrade_AWiderWindowParameter_CatchesTheOlderLoss()
    {
        var context = Context() with { ClosedCampaigns = [Closed("2025-03-14T14:15:00Z", -420m)] };
        var o = Failed(context, NudgeRuleCodes.RevengeTrade, new RevengeTradeParameters { WindowMinutes = 60 });
        Assert.Contains("45 minutes ago", o.NudgeText);
    }

    [Fact]
    public void RevengeTrade_SameSymbolOnly_IgnoresLossesInOtherSymbols()
    {
        var context = Context() with { ClosedCampaigns = [Closed("2025-03-14T14:50:00Z", -420m, symbol: "TSLA")] };
        Passed(context, NudgeRuleCodes.RevengeTrade, new RevengeTradeParameters { SameSymbolOnly = true });
        var again = Context() with { ClosedCampaigns = [Closed("2025-03-14T14:50:00Z", -420m, symbol: "aapl")] };
        Failed(again, NudgeRuleCodes.RevengeTrade, new RevengeTradeParameters { SameSymbolOnly = true });
    }

    [Fact]
    public void RevengeTrade_WithoutClosedCampaigns_IsNotEvaluated()
        => NotEvaluated(Context(), NudgeRuleCodes.RevengeTrade);

    /// <summary>Ten earlier active days (1–10 March 2025) with two fills each at noon UTC, the same day in every zone.</summary>
    private static List<DateTimeOffset> TwoADay()
    {
        var fills = new List<DateTimeOffset>();
        for (var day = 1; day <= 10; day++)
        {
            fills.Add(new DateTimeOffset(2025, 3, day, 12, 0, 0, TimeSpan.Zero));
            fills.Add(new DateTimeOffset(2025, 3, day, 12, 30, 0, TimeSpan.Zero));
        }
        return fills;
    }

    [Fact]
    public void Overtrading_MoreThanTwiceTheUsualDay_Fails()
    {
        // Median 2 a day → threshold 4; 4 fills already today + this one = 5.
        var fills = TwoADay();
        fills.AddRange(Enumerable.Range(0, 4).Select(i => Now.AddMinutes(-10 * (i + 1))));
        var o = Failed(Context() with { RecentFillTimes = fills }, NudgeRuleCodes.Overtrading);
        Assert.StartsWith("This is your 5th trade today; on a typical trading day you make 2 (the median of your last 10).", o.NudgeText);
        Assert.Equal(5, o.Details["trades_today"]);
        Assert.Equal(4m, o.Details["threshold"]);
    }

    [Fact]
    public void Overtrading_AtTwiceTheUsualDay_Passes()
    {
        var fills = TwoADay();
        fills.AddRange(Enumerable.Range(0, 3).Select(i => Now.AddMinutes(-10 * (i + 1))));
        var o = Passed(Context() with { RecentFillTimes = fills }, NudgeRuleCodes.Overtrading);
        Assert.Equal("This is trade 4 today; on a typical trading day you make 2.", o.NudgeText);
    }

    [Fact]
    public void Overtrading_TheNormUsesOnlyTheLatestActiveDays()
    {
        // Ten older days of 2 and three recent days of 6: with a lookback of 3 the median is 6, so 5 trades today are fine.
        var fills = TwoADay();
        for (var day = 11; day <= 13; day++) fills.AddRange(Enumerable.Range(0, 6).Select(i => new DateTimeOffset(2025, 3, day, 14, i, 0, TimeSpan.Zero)));
        fills.AddRange(Enumerable.Range(0, 4).Select(i => Now.AddMinutes(-10 * (i + 1))));
        var parameters = new OvertradingParameters { LookbackActiveDays = 3, MinActiveDays = 3 };
        var o = Passed(Context() with { RecentFillTimes = fills }, NudgeRuleCodes.Overtrading, parameters);
        Assert.Equal(6m, o.Details["median_per_active_day"]);
        Assert.Equal(3, o.Details["active_days"]);
    }

    [Fact]
    public void Overtrading_TooLittleHistory_IsNotEvaluated()
    {
        var four = TwoADay().Where(t => t.Day <= 4).ToList();
        NotEvaluated(Context() with { RecentFillTimes = four }, NudgeRuleCodes.Overtrading);
        NotEvaluated(Context(), NudgeRuleCodes.Overtrading);
    }

    [Theory]
    [InlineData("Asia/Tokyo", 7, false)]       // 23:30 UTC on the 14th is 08:30 on the 15th in Tokyo: today, with the trade (22:00)
    [InlineData("Europe/Paris", 7, false)]     // 00:30 on the 15th in Paris: today, with the trade (14:00)
    [InlineData("America/New_York", 1, true)]  // 19:30 on the 14th in New York: yesterday; the trade is 09:00 on the 15th
    public void Overtrading_TradesPerDayAreCountedInTheTradersZone(string zone, int tradesToday, bool passes)
    {
        var fills = TwoADay();
        fills.AddRange(Enumerable.Range(0, 6).Select(i => new DateTimeOffset(2025, 3, 14, 23, 30 + i, 0, TimeSpan.Zero)));
        var trade = Buy() with { Time = new DateTimeOffset(2025, 3, 15, 13, 0, 0, TimeSpan.Zero) };
        var context = Context(trade) with { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(zone), RecentFillTimes = fills };
        var o = Run(context, NudgeRuleCodes.Overtrading);
        Assert.NotNull(o);
        Assert.Equal(passes, o.Passed);
        Assert.Equal(tradesToday, o.Details["trades_today"]);
        Assert.Equal("2025-03-15", o.Details["local_date"]);
        Assert.Equal(2m, o.Details["median_per_active_day"]);
    }

    private static readonly NudgeStrategy Breakout = new("Breakout ABC", StrategyFamilies.Breakout);

    [Fact]
    public void SameSetupLosing_ThreeLossesInARow_FailsBeforeTheNextEntry()
    {
        var context = Context() with
        {
            Strategy = Breakout,
            ClosedCampaigns =
            [
                Closed("2025-03-10T15:00:00Z", 900m, strategy: "Breakout ABC"),
                Closed("2025-03-11T15:00:00Z", -400m, strategy: "Breakout ABC"),
                Closed("2025-03-12T15:00:00Z", -500m, strategy: "Breakout ABC"),
                Closed("2025-03-13T15:00:00Z", -330m, strategy: "breakout abc"),
                Closed("2025-03-13T18:00:00Z", 700m, strategy: "Other"),
            ],
        };
        var o = Failed(context, NudgeRuleCodes.SameSetupLosing);
        Assert.StartsWith("Your last 3 trades with 'Breakout ABC' were losses (1,230.00 USD together).", o.NudgeText);
        Assert.Equal(3, o.Details["losing_streak"]);
    }

    [Fact]
    public void SameSetupLosing_AWinBreaksTheStreak_Passes()
    {
        var context = Context() with
        {
            Strategy = Breakout,
            ClosedCampaigns =
            [
                Closed("2025-03-10T15:00:00Z", -900m, strategy: "Breakout ABC"),
                Closed("2025-03-11T15:00:00Z", 400m, strategy: "Breakout ABC"),
                Closed("2025-03-12T15:00:00Z", -500m, strategy: "Breakout ABC"),
                Closed("2025-03-13T15:00:00Z", -330m, strategy: "Breakout ABC"),
            ],
        };
        var o = Passed(context, NudgeRuleCodes.SameSetupLosing);
        Assert.Equal("'Breakout ABC' has 2 losses in a row; you are alerted at 3.", o.NudgeText);
    }

    [Fact]
    public void SameSetupLosing_AtExit_CountsTheCampaignJustClosed()
    {
        var exit = Buy() with { Side = FillSide.Sell, Intent = TradeIntent.Exit };
        var context = Context(exit, CheckPhases.PostTrade) with
        {
            Strategy = Breakout,
            ClosedCampaigns =
            [
                Closed("2025-03-12T15:00:00Z", -500m, strategy: "Breakout ABC"),
                Closed("2025-03-14T15:00:00Z", -200m, symbol: "AAPL", strategy: "Breakout ABC"),
            ],
        };
        var o = Failed(context, NudgeRuleCodes.SameSetupLosing, new SameSetupLosingParameters { Losses = 2 });
        Assert.StartsWith("That makes 2 losses in a row with 'Breakout ABC' (700.00 USD together).", o.NudgeText);
    }

    [Fact]
    public void SameSetupLosing_WithoutAStrategyOrHistory_IsNotEvaluated()
    {
        NotEvaluated(Context() with { ClosedCampaigns = [] }, NudgeRuleCodes.SameSetupLosing);
        NotEvaluated(Context() with { Strategy = Breakout }, NudgeRuleCodes.SameSetupLosing);
    }
}
