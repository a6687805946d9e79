using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Alerts;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Features.Notifications;
using Signalbook.Features.Users;

namespace Signalbook.Hosting;

/// <summary>
/// The demo trader's alert rules: a daily-move rule on the demo instrument that moved most on the newest bar (its level
/// set under that move, so the README's first start shows a firing), an RSI crossing, a price floor, a regime and a
/// recommendation rule, and a drawdown limit and a fill rule on the demo portfolio. Their history is the same kernel
/// replayed bar by bar over the previous six weeks (each bar seen with only itself and the bar before, cooldown
/// honoured), then the live evaluator runs on the newest bar as the alerts job does after a sync. Idempotent: later
/// starts only evaluate.
/// </summary>
public sealed class DemoAlertsSeeder(IDbContextFactory<AppDbContext> factory, AlertRuleService rules, AlertEvaluator evaluator, TimeProvider clock,
    ILogger<DemoAlertsSeeder> logger)
{
    private const int HistoryBars = 30;

    public async Task SeedAsync(Guid traderId, CancellationToken ct)
    {
        var caller = AlertCaller.Trader(traderId);
        bool seeded;
        await using (var db = await factory.CreateDbContextAsync(ct)) seeded = await db.AlertRules.AnyAsync(r => r.UserId == traderId, ct);
        if (!seeded) await CreateRulesAsync(caller, ct);
        var run = await evaluator.EvaluateAsync(notify: true, ct);
        logger.LogInformation("Demo data: alert rules evaluated, {Fired} fired", run.Fired);
    }

    private async Task CreateRulesAsync(AlertCaller caller, CancellationToken ct)
    {
        var symbols = DemoProvider.Universe.Select(u => u.Symbol).ToArray();
        List<(long Id, string Symbol, double Prev, double Cur)> moves;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var last = await (from i in db.Instruments.AsNoTracking()
                              where symbols.Contains(i.Symbol) && i.IsActive
                              from p in db.PriceBars.Where(p => p.InstrumentId == i.Id && p.Interval == Intervals.OneDay).OrderByDescending(p => p.Ts).Take(2)
                              select new { i.Id, i.Symbol, p.Ts, p.Close }).ToListAsync(ct);
            moves = last.GroupBy(x => (x.Id, x.Symbol)).Where(g => g.Count() == 2)
                .Select(g => g.OrderByDescending(x => x.Ts).ToArray()).Select(a => (a[0].Id, a[0].Symbol, a[1].Close, a[0].Close)).OrderBy(m => m.Symbol).ToList();
        }
        if (moves.Count == 0) return;
        var mover = moves.MaxBy(m => Math.Abs(AlertKernel.PctMove(m.Prev, m.Cur)));
        // Half the newest move, floored to 0.1 %: the rule fires on the newest bar, and on the larger days of the history.
        var level = Math.Max(0.1, Math.Floor(Math.Abs(AlertKernel.PctMove(mover.Prev, mover.Cur)) * 5) / 10);
        var other = moves.First(m => m.Id != mover.Id);
        var created = new List<long>
        {
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.PctMoveDay, InstrumentId = mover.Id, Threshold = level, Direction = AlertDirections.Either,
                Severity = NotificationLevels.Warning, CooldownMinutes = 0, Name = $"{mover.Symbol} moves {level:0.#} % in a day" }, ct),
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.IndicatorCross, InstrumentId = other.Id, Indicator = AlertIndicators.Rsi14,
                Direction = AlertDirections.Above, Threshold = 60, CooldownMinutes = 24 * 60 }, ct),
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.PriceCrossBelow, InstrumentId = other.Id, Threshold = Math.Round(other.Cur * 0.9, 2),
                Severity = NotificationLevels.Error, Recurring = false, ExpiresAt = clock.GetUtcNow().AddDays(90) }, ct),
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.RegimeChange, InstrumentId = mover.Id }, ct),
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.RecommendationChange, InstrumentId = other.Id, Profile = RiskProfiles.Moderate }, ct),
        };
        var portfolio = (await rules.PortfoliosAsync(caller, ct)).FirstOrDefault();
        if (portfolio is not null)
        {
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.DrawdownLimit, PortfolioId = portfolio.Id, Threshold = 10, Severity = NotificationLevels.Critical }, ct);
            await rules.CreateAsync(caller, new AlertRuleInput { Kind = AlertRuleKinds.OrderFilled, PortfolioId = portfolio.Id, CooldownMinutes = 0 }, ct);
        }
        await ReplayHistoryAsync(caller.UserId, created, ct);
    }

    /// <summary>
    /// The instrument rules over the <see cref="HistoryBars"/> bars before the newest: at each bar the kernel sees that bar and
    /// the one before only, as the job did then. Firings become read alerts (unread for the last week), stamped at the bar's close.
    /// </summary>
    private async Task ReplayHistoryAsync(Guid userId, IReadOnlyList<long> ruleIds, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var list = await (from r in db.AlertRules where ruleIds.Contains(r.Id) && r.InstrumentId != null
                          join i in db.Instruments on r.InstrumentId equals i.Id
                          orderby r.Id
                          select new { Rule = r, i.Symbol }).ToListAsync(ct);
        var instrumentIds = list.Select(x => x.Rule.InstrumentId!.Value).Distinct().ToArray();
        var bars = await (from p in db.PriceBars.AsNoTracking()
                          where instrumentIds.Contains(p.InstrumentId) && p.Interval == Intervals.OneDay
                          join f in db.Features.Where(f => f.Interval == Intervals.OneDay) on new { p.InstrumentId, p.Ts } equals new { f.InstrumentId, f.Ts } into ff
                          from f in ff.DefaultIfEmpty()
                          orderby p.Ts descending
                          select new { p.InstrumentId, p.Ts, p.Close, Rsi = f != null ? f.Rsi14 : null, Z = f != null ? f.VolumeZscore : null, State = f != null ? f.StateId : null })
            .Take(instrumentIds.Length * (HistoryBars + 3)).ToListAsync(ct);
        var series = bars.GroupBy(b => b.InstrumentId).ToDictionary(g => g.Key, g => g.OrderBy(b => b.Ts).ToArray());
        var dates = bars.Select(b => b.Ts).Distinct().Order().ToArray();
        if (dates.Length < 3) return;
        var replayDates = dates[^Math.Min(HistoryBars + 1, dates.Length)..^1];
        var now = clock.GetUtcNow();
        foreach (var x in list)
        {
            var rule = x.Rule;
            if (rule.Kind is AlertRuleKinds.RecommendationChange || !series.TryGetValue(rule.InstrumentId!.Value, out var s)) continue;
            foreach (var day in replayDates)
            {
                var t = Array.FindIndex(s, b => b.Ts == day);
                if (t < 1) continue;
                var snap = new MarketSnapshot(1);
                snap.Symbols[0] = x.Symbol;
                (snap.CurTs[0], snap.PrevTs[0], snap.CurClose[0], snap.PrevClose[0]) = (s[t].Ts.UtcTicks, s[t - 1].Ts.UtcTicks, s[t].Close, s[t - 1].Close);
                (snap.CurRsi[0], snap.PrevRsi[0]) = (s[t].Rsi ?? double.NaN, s[t - 1].Rsi ?? double.NaN);
                (snap.CurVolZ[0], snap.PrevVolZ[0]) = (s[t].Z ?? double.NaN, s[t - 1].Z ?? double.NaN);
                (snap.CurState[0], snap.PrevState[0]) = (s[t].State ?? MarketSnapshot.NoState, s[t - 1].State ?? MarketSnapshot.NoState);
                var cols = new RuleColumns(1);
                cols.RuleIds[0] = rule.Id;
                cols.Kind[0] = AlertCodes.KindCode(rule.Kind);
                cols.Indicator[0] = AlertCodes.IndicatorCode(rule.Indicator);
                cols.Direction[0] = AlertCodes.DirectionCode(rule.Direction);
                cols.Threshold[0] = rule.Threshold ?? double.NaN;
                cols.CooldownTicks[0] = TimeSpan.TicksPerMinute * rule.CooldownMinutes;
                var closeAt = day.AddHours(21); // after the US close of that trading date
                cols.LastFired[0] = rule.LastFiredAt?.UtcTicks ?? long.MinValue;
                cols.LastBar[0] = rule.LastEvaluatedBar?.UtcTicks ?? long.MinValue;
                if (AlertKernel.Evaluate(snap, cols, closeAt.UtcTicks)[0] != RuleOutcome.Fired) continue;
                var move = AlertKernel.PctMove(s[t - 1].Close, s[t].Close);
                db.Alerts.Add(new Alert
                {
                    UserId = userId, RuleId = rule.Id, BarTs = day, Title = rule.Name, Severity = rule.Severity, Category = AlertCategories.Of(rule.Kind), Symbol = x.Symbol,
                    Message = $"{x.Symbol} closed at {s[t].Close:0.00} on {AlertText.TradingDate(day)} (previous close {s[t - 1].Close:0.00}, {move:+0.00;-0.00} %): {rule.Name}.",
                    IsRead = now - closeAt > TimeSpan.FromDays(7), IsSent = true, CreatedAt = closeAt,
                });
                rule.LastFiredAt = closeAt;
                rule.LastEvaluatedBar = day;
                rule.FireCount++;
                if (!rule.Recurring) rule.IsActive = false;
            }
        }
        await db.SaveChangesAsync(ct);
    }
}
