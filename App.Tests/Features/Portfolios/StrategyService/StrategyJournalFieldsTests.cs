using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Strategies;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.StrategyServiceTests;

/// <summary>The journal's strategy fields (the seed's columns): stored, validated per field, and the family detected from the words on every save.</summary>
public sealed class StrategyJournalFieldsTests : ServiceHarness
{
    private Task<T> S<T>(Func<StrategyService, Task<T>> act) => WithAsync(act);

    private Task S(Func<StrategyService, Task> act) => WithAsync<StrategyService, bool>(async s =>
    {
        await act(s);
        return true;
    });

    [Fact]
    public async Task Save_StoresTheFields_AndDetectsTheFamilyFromTheCriteria_OnCreateAndOnEveryUpdate()
    {
        var me = TradingCaller.Trader((await CreateUserAsync("family@test.local")).Id);
        var journal = new StrategyJournalFields
        {
            Direction = StrategyDirections.Long, Timeframes = ["1day", "1Hour", "1Day"], EntryCriteria = "Buy when RSI(14) drops below 30",
            ExitCriteria = "Sell back at the 20-day mean", MaxRiskPct = 1.5, MinRiskReward = 2,
            RiskOverrides = new StrategyRiskOverrides { MaxPositionSizePct = 8, StopLossRequired = true },
        };

        var id = await S(s => s.CreateAsync(me, new NewStrategy("Dip buyer", StrategyType.Momentum, null, null, [], journal)));

        var detail = await S(s => s.GetAsync(me, id));
        Assert.Equal(StrategyFamilies.MeanReversion, detail.ImpliedFamily);
        Assert.Equal(StrategyDirections.Long, detail.Journal!.Direction);
        Assert.Equal(["1Hour", "1Day"], detail.Journal.Timeframes);
        Assert.Equal((1.5, 2.0), (detail.Journal.MaxRiskPct!.Value, detail.Journal.MinRiskReward!.Value));
        Assert.Equal((8m, true, null), (detail.Journal.RiskOverrides!.MaxPositionSizePct, detail.Journal.RiskOverrides.StopLossRequired, detail.Journal.RiskOverrides.MaxOpenPositions));
        await using (var db = await DbAsync())
        {
            var row = await db.Strategies.AsNoTracking().SingleAsync(x => x.Id == id);
            Assert.Equal(("""["1Hour","1Day"]""".Replace(",", ", "), "mean_reversion"), (row.Timeframes, row.ImpliedStrategyFamily));
            Assert.Contains("\"max_position_size_pct\": 8", row.RiskProfile, StringComparison.Ordinal);
        }

        // New words, new family; an update without journal fields keeps them and re-detects from the name and description.
        await S(s => s.UpdateAsync(me, id, new NewStrategy("Range breakout", StrategyType.Momentum, "Buy a breakout above the 20-day range high", null, [],
            journal with { EntryCriteria = "Buy when price breaks above resistance on volume", ExitCriteria = null })));
        Assert.Equal(StrategyFamilies.Breakout, (await S(s => s.GetAsync(me, id))).ImpliedFamily);

        await S(s => s.UpdateAsync(me, id, new NewStrategy("Plain", StrategyType.Momentum, null, null, [])));
        var kept = await S(s => s.GetAsync(me, id));
        Assert.Equal("Buy when price breaks above resistance on volume", kept.Journal!.EntryCriteria);
        Assert.Equal(StrategyFamilies.Breakout, kept.ImpliedFamily);
    }

    [Fact]
    public async Task Save_InvalidJournalFields_EachErrorOnItsField()
    {
        var me = TradingCaller.Trader((await CreateUserAsync("bad-fields@test.local")).Id);
        var journal = new StrategyJournalFields
        {
            Direction = "sideways", Timeframes = ["2Day"], EntryCriteria = new string('x', 4001), MaxRiskPct = 0, MinRiskReward = -1,
            RiskOverrides = new StrategyRiskOverrides { MaxPositionSizePct = 120, MaxOpenPositions = 0 },
        };

        var e = await Assert.ThrowsAsync<StrategyValidationException>(() => S(s => s.CreateAsync(me, new NewStrategy("Bad", StrategyType.Momentum, null, null, [], journal))));

        var fields = e.Errors.Select(x => x.Field).ToHashSet();
        Assert.Superset(new HashSet<string> { "direction", "timeframes", "entry_criteria", "max_risk_pct", "min_risk_reward", "risk.max_position_size_pct", "risk.max_open_positions" }, fields);
        Assert.Contains(e.Errors, x => x.Field == "timeframes" && x.Message.StartsWith("Unknown timeframe 2Day", StringComparison.Ordinal));
        var none = await Assert.ThrowsAsync<StrategyValidationException>(() => S(s => s.CreateAsync(me,
            new NewStrategy("None", StrategyType.Momentum, null, null, [], new StrategyJournalFields { Timeframes = [] }))));
        Assert.Equal("Choose at least one timeframe.", Assert.Single(none.Errors).Message);
    }
}
