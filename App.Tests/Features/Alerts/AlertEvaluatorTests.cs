using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Alerts;
using Signalbook.Features.Models;
using Signalbook.Features.Notifications;
using Signalbook.Features.Portfolios;

namespace Signalbook.Tests.Features.Alerts;

/// <summary>
/// Each rule kind fires exactly when it should on hand-made bars: crossings need the previous bar on the other side, a bar
/// never fires a rule twice, cooldowns hold back (and the held bar never fires later), one-shot rules stop, expired rules
/// are switched off, and a firing raises a trading notification at the rule's severity.
/// </summary>
public sealed class AlertEvaluatorTests : AlertsHarness
{
    private static readonly DateTimeOffset D1 = Day(2026, 11, 17), D2 = Day(2026, 11, 18), D3 = Day(2026, 11, 19);

    [Fact]
    public async Task PriceCrossAbove_FiresOnTheCrossingBar_OnceOnly_AndNotWhenAlreadyAbove()
    {
        var user = await NewUserAsync();
        var (crossing, sym) = await NewInstrumentAsync();
        var (above, _) = await NewInstrumentAsync();
        await AddBarAsync(crossing, D1, 98);
        await AddBarAsync(crossing, D2, 101);
        await AddBarAsync(above, D1, 102);
        await AddBarAsync(above, D2, 105);
        var fires = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = crossing, Threshold = 100, Severity = NotificationLevels.Warning });
        var quiet = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossAbove, InstrumentId = above, Threshold = 100 });

        await EvaluateAsync();
        var alert = Assert.Single(await AlertsOfAsync(fires));
        Assert.Empty(await AlertsOfAsync(quiet));
        Assert.Equal((D2, "warning", "price", sym), (alert.BarTs, alert.Severity, alert.Category, alert.Symbol));
        Assert.Contains("closed at 101", alert.Message);
        Assert.Contains("2026-11-18", alert.Message);

        // The job runs again with no new bar: the same bar never fires twice.
        Clock.Advance(TimeSpan.FromHours(2));
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(fires));
        var rule = await RuleAsync(fires);
        Assert.Equal((D2, 1, true), (rule.LastEvaluatedBar, rule.FireCount, rule.IsActive));

        // The notification: type trading, the rule's severity, linked to the alerts page, and the alert marked sent.
        await using var db = await DbAsync();
        var note = Assert.Single(await db.Notifications.AsNoTracking().Where(n => n.UserId == user).ToListAsync());
        Assert.Equal((NotificationTypes.Trading, NotificationLevels.Warning, "alerts", sym), (note.Type, note.Level, note.Link, note.Symbol));
        Assert.True((await db.Alerts.AsNoTracking().SingleAsync(a => a.Id == alert.Id)).IsSent);
    }

    [Fact]
    public async Task ARulePointedAwayAndBack_SeesItsFiredBarAgain_WithoutASecondAlert_AndAlertsAndNotificationsCarryTheRulesName()
    {
        var user = await NewUserAsync();
        var (id, sym) = await NewInstrumentAsync();
        var (other, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 10);
        await AddBarAsync(id, D2, 11); // +10 %
        var input = new AlertRuleInput { Name = "My big mover", Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 5, CooldownMinutes = 0 };
        var rule = await CreateRuleAsync(user, input);
        await EvaluateAsync();
        var first = Assert.Single(await AlertsOfAsync(rule));
        Assert.Equal(("My big mover", D2), (first.Title, first.BarTs));

        // Pointed at another instrument and back: the rule starts afresh and looks at D2 again; that bar already fired it.
        foreach (var target in new[] { other, id })
            await WithAsync<AlertRuleService, bool>(async s =>
            {
                await s.UpdateAsync(AlertCaller.Trader(user), rule, input with { InstrumentId = target });
                return true;
            });
        Assert.Null((await RuleAsync(rule)).LastEvaluatedBar);
        Clock.Advance(TimeSpan.FromMinutes(10));
        var run = await EvaluateAsync();
        Assert.Equal(1, run.Fired);
        Assert.Equal(first.Id, Assert.Single(await AlertsOfAsync(rule)).Id);
        Assert.Equal(D2, (await RuleAsync(rule)).LastEvaluatedBar);

        await using var db = await DbAsync();
        var note = Assert.Single(await db.Notifications.AsNoTracking().Where(n => n.UserId == user).ToListAsync());
        Assert.Equal(("My big mover", sym), (note.Title, note.Symbol));
    }

    [Fact]
    public async Task PriceCrossBelow_AndANewBarCrossingAgain_FiresAgainForARecurringRule()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 52);
        await AddBarAsync(id, D2, 49);
        var rule = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossBelow, InstrumentId = id, Threshold = 50, CooldownMinutes = 0 });
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(rule));

        await AddBarAsync(id, D3, 48); // still below: no new crossing
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(rule));

        await AddBarAsync(id, Day(2026, 11, 20), 51);
        await AddBarAsync(id, Day(2026, 11, 23), 47); // back above, then below again
        await EvaluateAsync();
        Assert.Equal([D2, Day(2026, 11, 23)], (await AlertsOfAsync(rule)).Select(a => a.BarTs!.Value));
    }

    [Fact]
    public async Task Cooldown_HoldsBackACrossingInsideIt_AndTheHeldBarNeverFiresLater()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 10);
        await AddBarAsync(id, D2, 10.5); // +5 %
        var rule = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 3, CooldownMinutes = 3 * 24 * 60 });
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(rule));

        Clock.Advance(TimeSpan.FromDays(1));
        await AddBarAsync(id, D3, 10.0); // −4.8 %, inside the three-day cooldown
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(rule));
        Assert.Equal(D3, (await RuleAsync(rule)).LastEvaluatedBar);

        Clock.Advance(TimeSpan.FromDays(3)); // cooldown over, but no new bar: the held bar stays unfired
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(rule));

        await AddBarAsync(id, Day(2026, 11, 20), 10.6); // +6 %
        await EvaluateAsync();
        Assert.Equal(2, (await AlertsOfAsync(rule)).Count);
    }

    [Fact]
    public async Task OneShot_StopsAfterItsFiring_AndExpiredRulesAreSwitchedOffWithoutFiring()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 10);
        await AddBarAsync(id, D2, 11);
        var once = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 5, Recurring = false, CooldownMinutes = 0 });
        var expiring = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 5, ExpiresAt = Clock.GetUtcNow().AddHours(1) });
        Clock.Advance(TimeSpan.FromHours(2));

        var run = await EvaluateAsync();
        Assert.True(run.Expired >= 1);
        Assert.Single(await AlertsOfAsync(once));
        Assert.Empty(await AlertsOfAsync(expiring));
        Assert.False((await RuleAsync(once)).IsActive);
        Assert.False((await RuleAsync(expiring)).IsActive);

        await AddBarAsync(id, D3, 12.5);
        await EvaluateAsync();
        Assert.Single(await AlertsOfAsync(once));
    }

    [Fact]
    public async Task PctMoveDay_RespectsItsDirection()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 100);
        await AddBarAsync(id, D2, 97); // −3 %
        var up = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 2, Direction = AlertDirections.Up });
        var down = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 2, Direction = AlertDirections.Down });
        var either = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 3, Direction = AlertDirections.Either });
        var tooBig = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = id, Threshold = 3.5 });
        await EvaluateAsync();
        Assert.Empty(await AlertsOfAsync(up));
        Assert.Contains("-3.00 %", Assert.Single(await AlertsOfAsync(down)).Message);
        Assert.Single(await AlertsOfAsync(either));
        Assert.Empty(await AlertsOfAsync(tooBig));
    }

    [Fact]
    public async Task IndicatorCross_ReadsStoredRsiDistanceAndVolumeZ_AndAMissingValueNeverCrosses()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        var (gap, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 10, rsi: 68, dist: -0.12, volumeZ: 1.0);
        await AddBarAsync(id, D2, 10, rsi: 71, dist: -0.04, volumeZ: 3.2);
        await AddBarAsync(gap, D1, 10, rsi: null);
        await AddBarAsync(gap, D2, 10, rsi: 80);
        var rsi = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.Rsi14, Direction = AlertDirections.Above, Threshold = 70 });
        var rsiBelow = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.Rsi14, Direction = AlertDirections.Below, Threshold = 70 });
        var dist = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.Dist52wHigh, Direction = AlertDirections.Above, Threshold = -5 });
        var volz = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = id, Indicator = AlertIndicators.VolumeZscore, Direction = AlertDirections.Above, Threshold = 3 });
        var missing = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = gap, Indicator = AlertIndicators.Rsi14, Direction = AlertDirections.Above, Threshold = 70 });
        await EvaluateAsync();
        Assert.Contains("68 → 71", Assert.Single(await AlertsOfAsync(rsi)).Message);
        Assert.Empty(await AlertsOfAsync(rsiBelow));
        Assert.Contains("-12 → -4", Assert.Single(await AlertsOfAsync(dist)).Message);
        Assert.Single(await AlertsOfAsync(volz));
        Assert.Empty(await AlertsOfAsync(missing));
    }

    [Fact]
    public async Task RegimeChange_FiresWhenTheNewestStateDiffers()
    {
        var user = await NewUserAsync();
        var (changes, _) = await NewInstrumentAsync();
        var (stays, _) = await NewInstrumentAsync();
        await AddBarAsync(changes, D1, 10, state: 1);
        await AddBarAsync(changes, D2, 10, state: 2);
        await AddBarAsync(stays, D1, 10, state: 1);
        await AddBarAsync(stays, D2, 10, state: 1);
        var a = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.RegimeChange, InstrumentId = changes });
        var b = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.RegimeChange, InstrumentId = stays });
        await EvaluateAsync();
        Assert.Contains("from state 1 to state 2", Assert.Single(await AlertsOfAsync(a)).Message);
        Assert.Empty(await AlertsOfAsync(b));
    }

    [Fact]
    public async Task RecommendationChange_FiresForTheRulesProfile_WhenTheNewestBarsLabelChanged()
    {
        var user = await NewUserAsync();
        var (id, _) = await NewInstrumentAsync();
        await AddBarAsync(id, D1, 10);
        await AddBarAsync(id, D2, 10);
        await using (var db = await DbAsync())
        {
            var model = new MlModel { ModelType = ModelTypes.VerdictClassifier, Version = "t" + Guid.NewGuid().ToString("N")[..8], Algorithm = "gbdt", ParamsHash = "x", FeatureVersion = "t", CreatedAt = Clock.GetUtcNow() };
            db.MlModels.Add(model);
            await db.SaveChangesAsync();
            void Rec(string profile, string label, DateTimeOffset at) => db.Recommendations.Add(new Recommendation
                { InstrumentId = id, ModelVersionId = model.Id, Profile = profile, Label = label, Confidence = 0.6, GeneratedAt = at, IsActive = at == D2 });
            Rec("moderate", "HOLD", D1);
            Rec("moderate", "BUY", D2);
            Rec("conservative", "HOLD", D1);
            Rec("conservative", "HOLD", D2);
            await db.SaveChangesAsync();
        }
        var moderate = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.RecommendationChange, InstrumentId = id, Profile = "moderate" });
        var conservative = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.RecommendationChange, InstrumentId = id, Profile = "conservative" });
        await EvaluateAsync();
        Assert.Contains("is BUY (was HOLD)", Assert.Single(await AlertsOfAsync(moderate)).Message);
        Assert.Empty(await AlertsOfAsync(conservative));
    }

    [Fact]
    public async Task TokyoAndParisDailyBars_AreNamedByTheirTradingDate_WhateverTheZone()
    {
        var user = await NewUserAsync();
        var (tokyo, _) = await NewInstrumentAsync("TSE", "Asia/Tokyo");
        var (paris, _) = await NewInstrumentAsync("EPA", "Europe/Paris");
        // A Monday: the Tokyo session closed at 06:00 UTC and Paris at 16:30 UTC on 2026-11-23; both are stored at 00:00 UTC of that date.
        foreach (var id in new[] { tokyo, paris })
        {
            await AddBarAsync(id, Day(2026, 11, 20), 1000);
            await AddBarAsync(id, Day(2026, 11, 23), 1100);
        }
        var t = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = tokyo, Threshold = 5 });
        var p = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = paris, Threshold = 5 });
        await EvaluateAsync();
        foreach (var rule in new[] { t, p })
        {
            var alert = Assert.Single(await AlertsOfAsync(rule));
            Assert.Contains("on 2026-11-23", alert.Message);
            Assert.DoesNotContain("2026-11-22", alert.Message);
        }
    }

    [Fact]
    public async Task PortfolioRules_OrderFilledAndStopHitFireOnNewFills_DrawdownOnCrossingItsLimit()
    {
        var user = await NewUserAsync();
        var (id, sym) = await NewInstrumentAsync();
        long portfolio;
        await using (var db = await DbAsync())
        {
            var p = new Portfolio { UserId = user, Name = "Alerts test", StartingCash = 10000, CashBalance = 10000, TotalValue = 10000, CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
            db.Portfolios.Add(p);
            await db.SaveChangesAsync();
            portfolio = p.Id;
        }
        var filled = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.OrderFilled, PortfolioId = portfolio, CooldownMinutes = 0 });
        var stops = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.StopHit, PortfolioId = portfolio, CooldownMinutes = 0 });
        var drawdown = await CreateRuleAsync(user, new AlertRuleInput { Kind = AlertRuleKinds.DrawdownLimit, PortfolioId = portfolio, Threshold = 10 });
        Clock.Advance(TimeSpan.FromMinutes(5));
        var at = Clock.GetUtcNow();
        await using (var db = await DbAsync())
        {
            Order O(OrderType type, decimal? stop) => new()
            {
                UserId = user, PortfolioId = portfolio, InstrumentId = id, ClientOrderId = Guid.NewGuid().ToString("N"), Side = OrderSide.Buy, OrderType = type,
                TimeInForce = TimeInForce.Gtc, Status = OrderStatus.Filled, Quantity = 10, FilledQuantity = 10, AverageFillPrice = 12.5m, StopPrice = stop,
                PlacedAt = at, CreatedAt = at, UpdatedAt = at, FilledAt = at,
            };
            db.Orders.Add(O(OrderType.Market, null));
            await db.SaveChangesAsync();
            db.Analytics.Add(new PortfolioAnalytic { PortfolioId = portfolio, Metric = AnalyticsMetrics.Drawdown, Value = -0.04, Timestamp = D1 });
            db.Analytics.Add(new PortfolioAnalytic { PortfolioId = portfolio, Metric = AnalyticsMetrics.Drawdown, Value = -0.11, Timestamp = D2 });
            await db.SaveChangesAsync();
        }
        Clock.Advance(TimeSpan.FromMinutes(1));
        await EvaluateAsync();
        var fill = Assert.Single(await AlertsOfAsync(filled));
        Assert.Equal(("trade", sym), (fill.Category, fill.Symbol));
        Assert.NotNull(fill.OrderId);
        Assert.Contains("bought 10", fill.Message);
        Assert.Empty(await AlertsOfAsync(stops));
        Assert.Contains("11.0 % below its peak", Assert.Single(await AlertsOfAsync(drawdown)).Message);

        // A stop fills later: both rules see it; the earlier fill does not fire again.
        Clock.Advance(TimeSpan.FromMinutes(5));
        at = Clock.GetUtcNow();
        await using (var db = await DbAsync())
        {
            db.Orders.Add(new Order
            {
                UserId = user, PortfolioId = portfolio, InstrumentId = id, ClientOrderId = Guid.NewGuid().ToString("N"), Side = OrderSide.Sell, OrderType = OrderType.StopLoss,
                TimeInForce = TimeInForce.Gtc, Status = OrderStatus.Filled, Quantity = 10, FilledQuantity = 10, AverageFillPrice = 11m, StopPrice = 11m,
                PlacedAt = at, CreatedAt = at, UpdatedAt = at, FilledAt = at,
            });
            await db.SaveChangesAsync();
        }
        Clock.Advance(TimeSpan.FromMinutes(1));
        await EvaluateAsync();
        Assert.Equal(2, (await AlertsOfAsync(filled)).Count);
        Assert.Contains("sold 10", Assert.Single(await AlertsOfAsync(stops)).Message);
        Assert.Single(await AlertsOfAsync(drawdown));
    }
}
