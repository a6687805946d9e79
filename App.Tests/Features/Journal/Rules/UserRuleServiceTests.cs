using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Entries;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Rules;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Rules;

/// <summary>UserRuleService over a real database: the catalogue merged with stored rows, save, reset, validation, and that the engine follows.</summary>
public sealed class UserRuleServiceTests : ServiceHarness
{
    private Task<T> R<T>(Func<UserRuleService, Task<T>> act) => WithAsync(act);

    private async Task<JournalCaller> TraderAsync(string email) => JournalCaller.Trader((await CreateUserAsync(email)).Id);

    private static RuleChange Change(RuleSetting s, bool? enabled = null, string? severity = null, params (string Key, string? Value)[] values)
    {
        var v = new Dictionary<string, string?>(s.Values);
        foreach (var (k, value) in values) v[k] = value;
        return new RuleChange(s.Code, enabled ?? s.IsEnabled, severity ?? s.Severity, v);
    }

    [Fact]
    public async Task List_WithNoRows_IsEveryCatalogueRuleOnAtItsDefaults()
    {
        var me = await TraderAsync("defaults@test.local");

        var rules = await R(s => s.ListAsync(me));

        Assert.Equal(NudgeRuleCatalog.All.Select(r => r.Code), rules.Select(r => r.Code));
        Assert.All(rules, r => Assert.True(r.IsEnabled && r.IsDefault && !r.IsStored));
        var size = rules.Single(r => r.Code == NudgeRuleCodes.MaxPositionSize);
        Assert.Equal(NudgeSeverities.Warn, size.Severity);
        var field = Assert.Single(size.Fields);
        Assert.Equal(("max_position_size_pct", RuleParameterKind.Number, true), (field.Key, field.Kind, field.Optional));
        Assert.Null(size.Values["max_position_size_pct"]);
        var revenge = rules.Single(r => r.Code == NudgeRuleCodes.RevengeTrade);
        Assert.Equal("30", revenge.Values["window_minutes"]);
        Assert.Equal("false", revenge.Values["same_symbol_only"]);
        Assert.Equal(RuleParameterKind.OptionalBool, rules.Single(r => r.Code == NudgeRuleCodes.StopLossRequired).Fields.Single().Kind);
    }

    [Fact]
    public async Task Save_DisablesOneRuleAndChangesAnother_TheEngineFollows_ResetBringsItBack()
    {
        var me = await TraderAsync("save@test.local");
        var rules = await R(s => s.ListAsync(me));
        var size = rules.Single(r => r.Code == NudgeRuleCodes.MaxPositionSize);
        var revenge = rules.Single(r => r.Code == NudgeRuleCodes.RevengeTrade);

        // Only two rules are submitted: the others get rows at their defaults, still on.
        await R(s => s.SaveAsync(me, [Change(size, severity: "critical", values: ("max_position_size_pct", "5")), Change(revenge, enabled: false, values: ("window_minutes", "45"))]));

        await using (var db = await DbAsync())
        {
            var rows = await db.UserRules.Where(r => r.UserId == me.UserId).ToListAsync();
            Assert.Equal(NudgeRuleCatalog.All.Count, rows.Count);
            var stored = rows.Single(r => r.RuleCode == NudgeRuleCodes.MaxPositionSize);
            Assert.Equal((NudgeEvaluators.RiskLimits, true), (stored.Evaluator, stored.IsEnabled));
            Assert.Contains("\"max_position_size_pct\": 5", stored.Parameters, StringComparison.Ordinal);
            Assert.False(rows.Single(r => r.RuleCode == NudgeRuleCodes.RevengeTrade).IsEnabled);
        }
        var engine = await WithAsync<JournalNudgeService, IReadOnlyList<NudgeRule>>(n => n.RulesAsync(me.UserId));
        Assert.DoesNotContain(engine, r => r.Code == NudgeRuleCodes.RevengeTrade);
        Assert.Equal(NudgeRuleCatalog.All.Count - 1, engine.Count);
        var p = Assert.IsType<PositionSizeParameters>(engine.Single(r => r.Code == NudgeRuleCodes.MaxPositionSize).Parameters);
        Assert.Equal((5m, NudgeSeverities.Critical), (p.MaxPositionSizePct, p.Severity));

        var listed = await R(s => s.ListAsync(me));
        Assert.False(listed.Single(r => r.Code == NudgeRuleCodes.RevengeTrade).IsEnabled);
        Assert.Equal("45", listed.Single(r => r.Code == NudgeRuleCodes.RevengeTrade).Values["window_minutes"]);
        Assert.True(listed.All(r => r.IsStored));

        var reset = await R(s => s.ResetAsync(me, NudgeRuleCodes.RevengeTrade));
        Assert.True(reset.IsEnabled && reset.IsDefault);
        engine = await WithAsync<JournalNudgeService, IReadOnlyList<NudgeRule>>(n => n.RulesAsync(me.UserId));
        Assert.Equal(30, Assert.IsType<RevengeTradeParameters>(engine.Single(r => r.Code == NudgeRuleCodes.RevengeTrade).Parameters).WindowMinutes);

        // Another trader is untouched.
        var other = await TraderAsync("other-rules@test.local");
        Assert.All(await R(s => s.ListAsync(other)), r => Assert.True(r.IsEnabled && r.IsDefault && !r.IsStored));
    }

    [Fact]
    public async Task Save_BadParameters_EachErrorOnItsField_NothingWritten()
    {
        var me = await TraderAsync("bad@test.local");
        var rules = await R(s => s.ListAsync(me));
        var size = rules.Single(r => r.Code == NudgeRuleCodes.MaxPositionSize);
        var over = rules.Single(r => r.Code == NudgeRuleCodes.Overtrading);
        var against = rules.Single(r => r.Code == NudgeRuleCodes.AgainstRecommendation);

        var e = await Assert.ThrowsAsync<JournalFormException>(() => R(s => s.SaveAsync(me,
        [
            Change(size, severity: "loud", values: ("max_position_size_pct", "150")),
            Change(over, values: [("lookback_active_days", "2.5"), ("multiplier", "abc")]),
            Change(against, values: ("min_confidence", "")),
        ])));

        Assert.Equal("Choose a severity: info, warn or critical.", e.On("max_position_size.severity"));
        Assert.Contains("at most 100", e.On("max_position_size.max_position_size_pct"));
        Assert.Contains("whole number", e.On("overtrading.lookback_active_days"));
        Assert.Contains("must be a number; got \"abc\"", e.On("overtrading.multiplier"));
        Assert.Equal("Min confidence is needed.", e.On("against_recommendation.min_confidence"));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.UserRules.CountAsync());
    }

    [Fact]
    public async Task RiskProfile_SavesValidatedWithBalanceAndTimeZone()
    {
        var me = await TraderAsync("risk@test.local");
        var risk = new RiskPreferences { MaxPositionSizePct = 0, MaxRiskPerTradePct = 101, MaxOpenPositions = 0, MinRiskRewardRatio = -1 };

        var e = await Assert.ThrowsAsync<JournalFormException>(() => R(s => s.SaveRiskAsync(me, new TradingRiskSettings(risk, -5, "Mars/Olympus"))));
        Assert.NotNull(e.On("risk.max_position_size_pct"));
        Assert.NotNull(e.On("risk.max_risk_per_trade_pct"));
        Assert.NotNull(e.On("risk.max_open_positions"));
        Assert.NotNull(e.On("risk.min_risk_reward_ratio"));
        Assert.NotNull(e.On(UserRuleService.AccountBalanceField));
        Assert.Contains("'Mars/Olympus' is not a time zone", e.On(UserRuleService.TimeZoneField));

        var good = new RiskPreferences { MaxPositionSizePct = 15, MaxRiskPerTradePct = 0.5m, MaxDailyLossPct = 2, MinRiskRewardRatio = 3, MaxOpenPositions = 4, StopLossRequired = false };
        var saved = await R(s => s.SaveRiskAsync(me, new TradingRiskSettings(good, 25_000m, "Europe/London")));
        Assert.Equal((good, 25_000m, "Europe/London"), (saved.Risk, saved.AccountBalance, saved.TimeZone));
        var (profile, stored, _) = await WithAsync<UserSettingsService, (TradingProfile, RiskPreferences, string)>(s => s.GetTradingAsync(me.UserId));
        Assert.Equal(good, stored);
        Assert.Equal((25_000m, "Europe/London"), (profile.AccountBalance, profile.TimeZone));
        Assert.Contains("Europe/London", UserRuleService.TimeZones);
        Assert.Equal("UTC", UserRuleService.TimeZones[0]);
    }

    [Fact]
    public async Task Viewer_ReadsRules_ButCannotSaveResetOrChangeTheProfile()
    {
        var viewer = JournalCaller.Viewer((await CreateUserAsync("viewer-rules@test.local", Roles.Viewer)).Id);
        var rules = await R(s => s.ListAsync(viewer));
        Assert.Equal(NudgeRuleCatalog.All.Count, rules.Count);

        await Assert.ThrowsAsync<JournalForbiddenException>(() => R(s => s.SaveAsync(viewer, [Change(rules[0], enabled: false)])));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => R(s => s.ResetAsync(viewer, rules[0].Code)));
        await Assert.ThrowsAsync<JournalForbiddenException>(() => R(s => s.SaveRiskAsync(viewer, new TradingRiskSettings(new RiskPreferences(), 1000m, null))));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => R(s => s.ResetAsync(JournalCaller.Trader(viewer.UserId), "no_such_rule")));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.UserRules.CountAsync());
    }
}
