using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Plans;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Strategies;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Plans;

/// <summary>TradePlanService over a real database: a plan checked in phase pre_trade now, stored with its checks and snapshot, then decided.</summary>
public sealed class TradePlanServiceTests : ServiceHarness
{
    private Task<T> P<T>(Func<TradePlanService, Task<T>> act) => WithAsync(act);

    internal async Task<JournalCaller> TraderWithBalanceAsync(string email, decimal balance = 10_000m)
    {
        var user = await CreateUserAsync(email);
        await WithAsync<UserSettingsService, TradingProfile>(s => s.UpdateTradingProfileAsync(user.Id, p => p with { AccountBalance = balance }));
        return JournalCaller.Trader(user.Id);
    }

    [Fact]
    public async Task Check_APlanOverMaxPositionSize_ShowsTheFailingCheckWithItsNudge_AndSavesThePlan()
    {
        var me = await TraderWithBalanceAsync("plan@test.local");

        // 100 × 50 = 5,000: half of a 10,000 account, over the default 10% limit.
        var plan = await P(s => s.CheckAsync(me, new PlanInput(" acme ", FillSide.Buy, 100, 50m, 48m, 56m, null, "Breakout over the range high")));

        Assert.Equal("ACME", plan.Symbol);
        var size = plan.Checks.Single(c => c.CheckType == NudgeRuleCodes.MaxPositionSize);
        Assert.False(size.Passed);
        Assert.Equal(NudgeSeverities.Warn, size.Severity);
        Assert.Contains("of your account", size.NudgeText);
        Assert.Contains("your limit is 10%", size.NudgeText);
        // Failed checks come first, the most serious first (the 2% risk at the stop is critical).
        Assert.Equal(plan.Failed, plan.Checks.TakeWhile(c => !c.Passed).Count());
        Assert.Equal((NudgeRuleCodes.MaxRiskPerTrade, NudgeSeverities.Critical), (plan.Checks[0].CheckType, plan.Checks[0].Severity));
        Assert.True(plan.Checks.Single(c => c.CheckType == NudgeRuleCodes.StopLossRequired).Passed);
        Assert.NotNull(plan.Snapshot);
        Assert.Equal(Clock.GetUtcNow(), plan.Snapshot!.AsOf);

        await using var db = await DbAsync();
        var row = await db.TradePlans.AsNoTracking().SingleAsync(p => p.Id == plan.Id);
        Assert.Equal((me.UserId, "ACME", FillSide.Buy, 100m, 50m, 48m, 56m), (row.UserId, row.Symbol, row.Side, row.Quantity, row.Price, row.Stop, row.Target));
        Assert.Equal(("Breakout over the range high", null, Clock.GetUtcNow()), (row.Hypothesis, row.TraderAction, row.CreatedAt));
        var checks = JsonNode.Parse(row.Checks)!.AsArray();
        var stored = checks.Single(c => c!["check_type"]!.GetValue<string>() == NudgeRuleCodes.MaxPositionSize)!;
        Assert.False(stored["passed"]!.GetValue<bool>());
        Assert.Equal(size.NudgeText, stored["nudge_text"]!.GetValue<string>());
        Assert.Equal(50m, stored["details"]!["position_pct"]!.GetValue<decimal>());
        Assert.Equal("ACME", JsonNode.Parse(row.Snapshot!)!["symbol"]!.GetValue<string>());

        var reread = await P(s => s.GetAsync(me, plan.Id));
        Assert.Equal(plan.Checks.Select(c => (c.CheckType, c.Passed, c.NudgeText)), reread.Checks.Select(c => (c.CheckType, c.Passed, c.NudgeText)));
    }

    [Fact]
    public async Task Decide_StoresTheTradersActionAndWhen_AndTheHistoryShowsIt()
    {
        var me = await TraderWithBalanceAsync("decide@test.local");
        var plan = await P(s => s.CheckAsync(me, new PlanInput("ACME", FillSide.Buy, 10, 50m, 48m, 60m)));
        Clock.Advance(TimeSpan.FromMinutes(3));

        var decided = await P(s => s.DecideAsync(me, plan.Id, TraderActions.Cancelled));

        Assert.Equal((TraderActions.Cancelled, Clock.GetUtcNow()), (decided.TraderAction, decided.DecidedAt));
        await using (var db = await DbAsync())
        {
            var row = await db.TradePlans.AsNoTracking().SingleAsync(p => p.Id == plan.Id);
            Assert.Equal((TraderActions.Cancelled, Clock.GetUtcNow()), (row.TraderAction, row.DecidedAt));
        }
        var history = Assert.Single(await P(s => s.RecentAsync(me)));
        Assert.Equal((plan.Id, TraderActions.Cancelled, 0), (history.Id, history.TraderAction, history.Failed));
        Assert.True(history.Checks > 0);
        await Assert.ThrowsAsync<JournalValidationException>(() => P(s => s.DecideAsync(me, plan.Id, "ignored")));
    }

    [Fact]
    public async Task Check_InvalidPlan_EachErrorOnItsField_NothingSaved()
    {
        var me = await TraderWithBalanceAsync("invalid-plan@test.local");
        var other = await CreateUserAsync("other-strategy@test.local");
        var theirs = await WithAsync<StrategyService, long>(s => s.CreateAsync(Signalbook.Features.Portfolios.TradingCaller.Trader(other.Id),
            new NewStrategy("Theirs", StrategyType.Momentum, null, null, [])));

        var e = await Assert.ThrowsAsync<JournalFormException>(() => P(s => s.CheckAsync(me, new PlanInput("", FillSide.Buy, 0, 50m, 55m, 45m, theirs))));

        Assert.NotNull(e.On(PlanFields.Symbol));
        Assert.NotNull(e.On(PlanFields.Quantity));
        Assert.Equal("A buy's stop goes below the entry price.", e.On(PlanFields.Stop));
        Assert.Equal("A buy's target goes above the entry price.", e.On(PlanFields.Target));
        Assert.Equal("Choose one of your own strategies.", e.On(PlanFields.Strategy));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.TradePlans.CountAsync());
    }

    [Fact]
    public async Task Ownership_AnotherTraderGetsNotFound_AViewerIsForbiddenToCheckOrDecide()
    {
        var me = await TraderWithBalanceAsync("plan-owner@test.local");
        var plan = await P(s => s.CheckAsync(me, new PlanInput("ACME", FillSide.Buy, 10, 50m)));
        var stranger = await TraderWithBalanceAsync("plan-stranger@test.local");

        await Assert.ThrowsAsync<JournalNotFoundException>(() => P(s => s.GetAsync(stranger, plan.Id)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => P(s => s.DecideAsync(stranger, plan.Id, TraderActions.Proceeded)));
        Assert.Empty(await P(s => s.RecentAsync(stranger)));

        var viewer = JournalCaller.Viewer((await CreateUserAsync("plan-viewer@test.local", Roles.Viewer)).Id);
        await Assert.ThrowsAsync<JournalForbiddenException>(() => P(s => s.CheckAsync(viewer, new PlanInput("ACME", FillSide.Buy, 10, 50m))));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => P(s => s.DecideAsync(viewer, plan.Id, TraderActions.Proceeded)));
        Assert.Null((await P(s => s.GetAsync(me, plan.Id))).TraderAction);
    }
}
