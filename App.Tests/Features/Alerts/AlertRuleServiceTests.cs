using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Alerts;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Alerts;

/// <summary>Bad input gets a message naming the field and writes nothing; every read and action is scoped to its owner.</summary>
public sealed class AlertRuleServiceTests : AlertsHarness
{
    private async Task<int> RuleCountAsync(Guid user)
    {
        await using var db = await DbAsync();
        return await db.AlertRules.CountAsync(r => r.UserId == user);
    }

    private async Task<long> PortfolioOfAsync(Guid user)
    {
        await using var db = await DbAsync();
        var p = new Portfolio { UserId = user, Name = $"P {Guid.NewGuid():N}"[..20], StartingCash = 1000, CashBalance = 1000, TotalValue = 1000, CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Portfolios.Add(p);
        await db.SaveChangesAsync();
        return p.Id;
    }

    public static TheoryData<string, string, string> BadInputs => new()
    {
        { "unknown-symbol", nameof(AlertRuleInput.Symbol), "Unknown symbol 'ZZZZNOPE'" },
        { "rsi-150", nameof(AlertRuleInput.Threshold), "RSI lies between 0 and 100" },
        { "negative-price", nameof(AlertRuleInput.Threshold), "must be above 0" },
        { "move-100", nameof(AlertRuleInput.Threshold), "less than 100 %" },
        { "volume-z-50", nameof(AlertRuleInput.Threshold), "between −10 and 10" },
        { "dist-positive", nameof(AlertRuleInput.Threshold), "between −100 and 0" },
        { "no-threshold", nameof(AlertRuleInput.Threshold), "needs a price level" },
        { "negative-cooldown", nameof(AlertRuleInput.CooldownMinutes), "cannot be negative" },
        { "expiry-past", nameof(AlertRuleInput.ExpiresAt), "is in the past" },
        { "bad-direction", nameof(AlertRuleInput.Direction), "above or below" },
        { "bad-kind", nameof(AlertRuleInput.Kind), "Unknown rule kind" },
        { "others-portfolio", nameof(AlertRuleInput.PortfolioId), "was not found among your portfolios" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task BadInput_GetsAClearMessageNamingTheField_AndNothingIsWritten(string @case, string field, string message)
    {
        var user = await NewUserAsync();
        var other = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        var input = @case switch
        {
            "unknown-symbol" => new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, Symbol = "zzzznope", Threshold = 10 },
            "rsi-150" => new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.Rsi14, Direction = AlertDirections.Above, Threshold = 150 },
            "negative-price" => new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossBelow, InstrumentId = id, Threshold = -3 },
            "move-100" => new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 100 },
            "volume-z-50" => new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.VolumeZscore, Direction = AlertDirections.Above, Threshold = 50 },
            "dist-positive" => new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.Dist52wHigh, Direction = AlertDirections.Below, Threshold = 5 },
            "no-threshold" => new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = id },
            "negative-cooldown" => new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = id, Threshold = 10, CooldownMinutes = -5 },
            "expiry-past" => new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = id, Threshold = 10, ExpiresAt = Clock.GetUtcNow().AddMinutes(-1) },
            "bad-direction" => new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.Rsi14, Direction = "sideways", Threshold = 50 },
            "bad-kind" => new AlertRuleInput { Kind = "moon_phase", InstrumentId = id },
            "others-portfolio" => new AlertRuleInput { Kind = AlertRuleKinds.OrderFilled, PortfolioId = await PortfolioOfAsync(other) },
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };
        var error = await Assert.ThrowsAsync<AlertValidationException>(() => CreateRuleAsync(user, input));
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message);
        Assert.Equal(0, await RuleCountAsync(user));
    }

    [Fact]
    public async Task Update_WithBadInput_LeavesTheRuleAsItWas()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        var rule = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = id, Threshold = 10, Name = "Keep me" });
        await Assert.ThrowsAsync<AlertValidationException>(() => WithAsync<AlertRuleService, bool>(async s =>
        {
            await s.UpdateAsync(AlertCaller.Trader(user), rule, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = id, Threshold = 0, Name = "Changed" });
            return true;
        }));
        var stored = await RuleAsync(rule);
        Assert.Equal(("Keep me", 10.0), (stored.Name, stored.Threshold!.Value));
    }

    [Fact]
    public async Task Symbol_IsResolvedCaseInsensitively_AndTheNameDefaultsToTheCondition()
    {
        var user = await NewUserAsync();
        var (_, sym) = await NewInstrumentAsync();
        var rule = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, Symbol = sym.ToLowerInvariant(), Threshold = 190.5 });
        Assert.Equal($"{sym} crosses above 190.5", (await RuleAsync(rule)).Name);
    }

    [Fact]
    public async Task OwnershipMatrix_ASecondUserSeesAndChangesNoneOfTheFirstUsersRulesOrAlerts()
    {
        var a = await NewUserAsync();
        var b = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        await AddBarAsync(id, Day(2026, 11, 17), 10);
        await AddBarAsync(id, Day(2026, 11, 18), 12);
        var rule = await CreateRuleAsync(a, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 5 });
        await EvaluateAsync();
        var alertId = Assert.Single(await AlertsOfAsync(rule)).Id;
        var (callerA, callerB) = (AlertCaller.Trader(a), AlertCaller.Trader(b));

        Assert.Equal(1, (await WithAsync<AlertRuleService, AlertPage<AlertRuleRow>>(s => s.ListAsync(callerA, new AlertRuleQuery()))).Total);
        Assert.Equal(0, (await WithAsync<AlertRuleService, AlertPage<AlertRuleRow>>(s => s.ListAsync(callerB, new AlertRuleQuery()))).Total);
        Assert.Equal(0, (await WithAsync<AlertsService, AlertPage<AlertRow>>(s => s.ListAsync(callerB, new AlertQuery()))).Total);
        Assert.Equal(0, await WithAsync<AlertsService, int>(s => s.UnreadCountAsync(callerB)));
        Assert.Equal(1, await WithAsync<AlertsService, int>(s => s.UnreadCountAsync(callerA)));

        var attempts = new Func<Task>[]
        {
            () => WithAsync<AlertRuleService, AlertRuleRow>(s => s.GetAsync(callerB, rule)),
            () => WithAsync<AlertRuleService, bool>(async s => { await s.UpdateAsync(callerB, rule, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 1 }); return true; }),
            () => WithAsync<AlertRuleService, bool>(async s => { await s.SetActiveAsync(callerB, rule, false); return true; }),
            () => WithAsync<AlertRuleService, bool>(async s => { await s.DeleteAsync(callerB, rule); return true; }),
            () => WithAsync<AlertsService, bool>(async s => { await s.MarkReadAsync(callerB, alertId); return true; }),
        };
        foreach (var attempt in attempts) await Assert.ThrowsAsync<AlertNotFoundException>(attempt);
        Assert.Equal(0, await WithAsync<AlertsService, int>(s => s.MarkAllReadAsync(callerB)));

        var stored = await RuleAsync(rule);
        Assert.Equal((5.0, true), (stored.Threshold!.Value, stored.IsActive));
        Assert.False(Assert.Single(await AlertsOfAsync(rule)).IsRead);

        // The owner can do all of it.
        await WithAsync<AlertsService, bool>(async s => { await s.MarkReadAsync(callerA, alertId); return true; });
        Assert.True(Assert.Single(await AlertsOfAsync(rule)).IsRead);
        await WithAsync<AlertRuleService, bool>(async s => { await s.SetActiveAsync(callerA, rule, false); return true; });
        Assert.False((await RuleAsync(rule)).IsActive);
        await WithAsync<AlertRuleService, bool>(async s => { await s.DeleteAsync(callerA, rule); return true; });
        Assert.Equal(0, await RuleCountAsync(a));
    }

    [Fact]
    public async Task Viewer_ReadsTheirAlerts_ButCannotCreateRules()
    {
        var viewer = await NewUserAsync(Roles.Viewer);
        var (id, _) = await NewInstrumentAsync();
        await Assert.ThrowsAsync<AlertForbiddenException>(() => WithAsync<AlertRuleService, long>(s =>
            s.CreateAsync(AlertCaller.Viewer(viewer), new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = id, Threshold = 10 })));
        Assert.Equal(0, await RuleCountAsync(viewer));
        Assert.Equal(0, (await WithAsync<AlertsService, AlertPage<AlertRow>>(s => s.ListAsync(AlertCaller.Viewer(viewer), new AlertQuery()))).Total);
    }

    [Fact]
    public async Task List_FiltersSortsAndPages()
    {
        var user = await NewUserAsync();
        var (id, sym) = await NewInstrumentAsync();
        for (var n = 1; n <= 5; n++)
            await CreateRuleAsync(user, new AlertRuleInput { Kind = n % 2 == 0 ? AlertRuleKinds.PriceCrossBelow : AlertRuleKinds.PriceCrossAbove, InstrumentId = id, Threshold = n, Name = $"Rule {n}" });
        var caller = AlertCaller.Trader(user);
        var page = await WithAsync<AlertRuleService, AlertPage<AlertRuleRow>>(s => s.ListAsync(caller, new AlertRuleQuery(Sort: AlertRuleSorts.Name, Descending: false, PageSize: 2, Page: 1)));
        Assert.Equal(5, page.Total);
        Assert.Equal(["Rule 3", "Rule 4"], page.Items.Select(r => r.Name));
        var below = await WithAsync<AlertRuleService, AlertPage<AlertRuleRow>>(s => s.ListAsync(caller, new AlertRuleQuery(Kind: AlertRuleKinds.PriceCrossBelow)));
        Assert.Equal(2, below.Total);
        var search = await WithAsync<AlertRuleService, AlertPage<AlertRuleRow>>(s => s.ListAsync(caller, new AlertRuleQuery(Search: sym.ToLowerInvariant())));
        Assert.Equal(5, search.Total);
    }
}
