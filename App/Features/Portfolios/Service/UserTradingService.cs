using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Operations;
using Signalbook.Features.Portfolios.Strategies;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;

namespace Signalbook.Features.Portfolios.Service;

/// <summary>What one run of a trader's service did (the run's details in service_task_execution).</summary>
public sealed record TradingRun(bool Ran, string? SkippedBecause, int Portfolios, int Strategies, int Signals, int OrdersPlaced, int Errors);

/// <summary>
/// One run of a trader's trading service: brings each active portfolio up to date (the paper broker matches the bars
/// that completed; a live portfolio syncs with its broker), then evaluates each active strategy over its portfolio's
/// universe (the portfolio's assets and holdings, plus, for follow-the-model, the instruments with a fresh recommendation
/// for the trader's profile) on the daily bars whose session has closed, and places the orders the signals ask for.
/// A failing portfolio or strategy is logged and counted and never stops the others, nor another trader's run.
/// </summary>
public sealed class UserTradingService(
    IDbContextFactory<AppDbContext> factory,
    PaperBroker paper,
    LiveBroker live,
    OrderService orders,
    StrategyService strategyService,
    ServiceLogWriter log,
    TimeProvider clock,
    Notifications.INotifier notifier)
{
    public const int BarsNeeded = 260;

    public async Task<TradingRun> RunAsync(Guid userId, IProgress<(double Fraction, string Message)>? progress = null, CancellationToken ct = default)
    {
        string? previousError;
        await using (var check = await factory.CreateDbContextAsync(ct))
        {
            var running = await check.ServiceStatuses.Where(s => s.UserId == userId && s.ServiceRunning).Select(s => new { s.LastError }).FirstOrDefaultAsync(ct);
            if (running is null) return new TradingRun(false, "the trader's service is stopped", 0, 0, 0, 0, 0);
            previousError = running.LastError;
        }
        var errors = new List<string>();
        int signals = 0, placed = 0;
        await HeartbeatAsync(userId, null, 0, ct);

        List<(long Id, string Broker)> portfolios;
        await using (var db = await factory.CreateDbContextAsync(ct))
            portfolios = (await db.Portfolios.AsNoTracking().Where(p => p.UserId == userId && p.IsActive).OrderBy(p => p.Id)
                .Select(p => new { p.Id, p.BrokerPlugin }).ToListAsync(ct)).Select(p => (p.Id, p.BrokerPlugin)).ToList();
        for (var i = 0; i < portfolios.Count; i++)
        {
            var (id, broker) = portfolios[i];
            progress?.Report((0.4 * i / Math.Max(1, portfolios.Count), $"Updating portfolio {id}"));
            try
            {
                if (broker == BrokerPlugins.Paper)
                {
                    var run = await paper.ProcessAsync(id, ct);
                    if (run.Fills > 0 || run.OrdersFinished > 0)
                        await log.WriteAsync(userId, ServiceLogLevels.Info, $"Portfolio {id}: {run.Fills} fill(s), {run.OrdersFinished} order(s) finished over {run.BarsSeen} bar(s).",
                            new { portfolio_id = id, run.Fills, run.OrdersFinished, run.SplitsApplied }, ct);
                }
                else
                {
                    var sync = await live.SyncAsync(id, ct);
                    await log.WriteAsync(userId, ServiceLogLevels.Info, $"Portfolio {id}: {sync.NewFills} new broker fill(s), {sync.OrdersUpdated} order(s) updated.", new { portfolio_id = id }, ct);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Add($"portfolio {id}: {e.Message}");
                await log.WriteAsync(userId, ServiceLogLevels.Error, $"Portfolio {id} could not be updated: {e.Message}", new { portfolio_id = id, error = e.GetType().Name }, ct);
            }
        }

        List<Strategy> strategies;
        await using (var db = await factory.CreateDbContextAsync(ct))
            strategies = await (from s in db.Strategies.AsNoTracking()
                                where s.UserId == userId && s.IsActive && s.PortfolioId != null
                                join p in db.Portfolios on s.PortfolioId equals p.Id
                                where p.IsActive
                                orderby s.Id
                                select s).ToListAsync(ct);
        for (var i = 0; i < strategies.Count; i++)
        {
            var strategy = strategies[i];
            progress?.Report((0.4 + 0.6 * i / Math.Max(1, strategies.Count), $"Evaluating {strategy.Name}"));
            try
            {
                var (s, o) = await EvaluateAsync(userId, strategy, ct);
                signals += s;
                placed += o;
                await strategyService.RefreshPerformanceAsync(strategy.Id, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Add($"strategy '{strategy.Name}': {e.Message}");
                await log.WriteAsync(userId, ServiceLogLevels.Error, $"Strategy '{strategy.Name}' failed: {e.Message}", new { strategy_id = strategy.Id, error = e.GetType().Name }, ct);
            }
        }

        await HeartbeatAsync(userId, errors.Count > 0 ? string.Join("; ", errors) : null, errors.Count, ct, finished: true);
        if (errors.Count > 0) await NotifyFailureAsync(userId, errors, previousError, ct);
        await log.WriteAsync(userId, errors.Count == 0 ? ServiceLogLevels.Info : ServiceLogLevels.Warning,
            $"Run finished: {portfolios.Count} portfolio(s), {strategies.Count} strategy(ies), {signals} signal(s), {placed} order(s) placed, {errors.Count} error(s).", ct: ct);
        return new TradingRun(true, null, portfolios.Count, strategies.Count, signals, placed, errors.Count);
    }

    /// <summary>Evaluates one strategy over its universe; returns (signals, orders placed).</summary>
    private async Task<(int Signals, int Placed)> EvaluateAsync(Guid userId, Strategy strategy, CancellationToken ct)
    {
        var caller = TradingCaller.Trader(userId);
        var config = JsonNode.Parse(strategy.Config) as JsonObject ?? [];
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var portfolio = await db.Portfolios.AsNoTracking().SingleAsync(p => p.Id == strategy.PortfolioId, ct);
        var tradingConfig = await db.UserTradingConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == userId, ct) ?? new UserTradingConfig();

        var universe = await db.PortfolioAssets.AsNoTracking().Where(a => a.PortfolioId == portfolio.Id).Select(a => a.InstrumentId)
            .Union(db.Positions.AsNoTracking().Where(x => x.PortfolioId == portfolio.Id).Select(x => x.InstrumentId)).ToListAsync(ct);
        string? profile = null;
        if (strategy.StrategyType == StrategyType.FollowModel)
        {
            try
            {
                await RiskConsentService.EnsureConsentAsync(db, userId, ct);
            }
            catch (RiskConsentRequiredException)
            {
                await log.WriteAsync(userId, ServiceLogLevels.Warning, $"Strategy '{strategy.Name}' follows the model's recommendations: accept the risk disclosure on the Recommendations page first.", new { strategy_id = strategy.Id }, ct);
                return (0, 0);
            }
            var preferred = await db.UserSettings.AsNoTracking().Where(u => u.UserId == userId).Select(u => u.PreferredProfile).SingleOrDefaultAsync(ct);
            profile = preferred is not null && RecommendationProfiles.All.Contains(preferred) ? preferred : RiskProfiles.Moderate;
            var fresh = now.AddDays(-14);
            universe = universe.Union(await db.Recommendations.AsNoTracking()
                .Where(r => r.IsActive && r.Profile == profile && r.Label == "BUY" && r.GeneratedAt >= fresh).Select(r => r.InstrumentId).ToListAsync(ct)).ToList();
        }
        if (universe.Count == 0)
        {
            await log.WriteAsync(userId, ServiceLogLevels.Info, $"Strategy '{strategy.Name}' has no instruments: add assets to portfolio '{portfolio.Name}'.", new { strategy_id = strategy.Id }, ct);
            return (0, 0);
        }

        var instruments = await db.Instruments.AsNoTracking().Where(i => universe.Contains(i.Id) && i.IsActive).ToListAsync(ct);
        int signals = 0, placed = 0;
        foreach (var instrument in instruments.OrderBy(i => i.Symbol))
        {
            var cal = ExchangeCalendar.For(instrument.Exchange, instrument.TimeZone);
            var bars = (await db.PriceBars.AsNoTracking().Where(b => b.InstrumentId == instrument.Id && b.Interval == Intervals.OneDay && b.Ts <= now)
                    .OrderByDescending(b => b.Ts).Take(BarsNeeded).Select(b => new { b.Ts, b.Open, b.High, b.Low, b.Close, b.Volume }).ToListAsync(ct))
                .Where(b => cal.At(DateOnly.FromDateTime(b.Ts.UtcDateTime), cal.Close) <= now).OrderBy(b => b.Ts).ToList();
            if (bars.Count < 2) continue;
            var series = new DailyBars(bars.Select(b => DateOnly.FromDateTime(b.Ts.UtcDateTime)).ToArray(), bars.Select(b => b.Open).ToArray(),
                bars.Select(b => b.High).ToArray(), bars.Select(b => b.Low).ToArray(), bars.Select(b => b.Close).ToArray(), bars.Select(b => b.Volume).ToArray());
            var position = await db.Positions.AsNoTracking().Where(x => x.PortfolioId == portfolio.Id && x.InstrumentId == instrument.Id)
                .Select(x => new PositionState(x.Quantity, x.EntryPrice, DateOnly.FromDateTime(x.OpenedAt.UtcDateTime))).SingleOrDefaultAsync(ct) ?? PositionState.Flat;
            var lastOrder = await db.Orders.AsNoTracking().Where(o => o.StrategyId == strategy.Id && o.InstrumentId == instrument.Id)
                .OrderByDescending(o => o.CreatedAt).Select(o => (DateTimeOffset?)o.CreatedAt).FirstOrDefaultAsync(ct);
            if (await db.Orders.AnyAsync(o => o.StrategyId == strategy.Id && o.InstrumentId == instrument.Id && o.ParentOrderId == null
                                              && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled), ct))
                continue; // its last order is still working
            ModelRecommendation? rec = null;
            long? recommendationId = null;
            if (profile is not null)
            {
                var latest = await db.Recommendations.AsNoTracking().Where(r => r.InstrumentId == instrument.Id && r.Profile == profile && r.IsActive)
                    .OrderByDescending(r => r.GeneratedAt)
                    .Select(r => new { r.Id, Rec = new ModelRecommendation(r.Label, r.Confidence, null, r.StopLoss, r.TakeProfit, DateOnly.FromDateTime(r.GeneratedAt.UtcDateTime)) })
                    .FirstOrDefaultAsync(ct);
                (rec, recommendationId) = (latest?.Rec, latest?.Id);
            }
            var reserved = await OrderService.ReservedByBuysAsync(db, portfolio, null, now, ct);
            var cash = (await db.Portfolios.AsNoTracking().Where(p => p.Id == portfolio.Id).Select(p => p.CashBalance).SingleAsync(ct)) - reserved;
            var input = new StrategyInput(series, position, cash, rec, lastOrder is { } lo ? DateOnly.FromDateTime(lo.UtcDateTime) : null);
            var signal = StrategyEngine.Evaluate(strategy.StrategyType, config, input);
            if (signal.Action == SignalAction.None) continue;
            signals++;

            OrderTicket? ticket = null;
            if (signal.Action == SignalAction.Buy)
            {
                var quantity = signal.Quantity;
                if (quantity is null)
                {
                    var open = await db.Positions.CountAsync(x => x.PortfolioId == portfolio.Id, ct);
                    var sized = PositionSizer.Size(OrderService.SizingRulesFor(tradingConfig), input, open);
                    quantity = sized.Quantity;
                    if (quantity <= 0)
                    {
                        await log.WriteAsync(userId, ServiceLogLevels.Info, $"{strategy.Name}: buy {instrument.Symbol} signalled ({signal.Reason}) but not sized: {sized.Reason}.", new { strategy_id = strategy.Id, symbol = instrument.Symbol }, ct);
                        continue;
                    }
                }
                var last = (decimal)series.Close[^1];
                decimal? stop = signal.StopPrice is { } sp && (decimal)sp < last ? decimal.Round((decimal)sp, 4) : null;
                decimal? target = signal.TargetPrice is { } tp && (decimal)tp > last ? decimal.Round((decimal)tp, 4) : null;
                ticket = new OrderTicket(portfolio.Id, instrument.Id, OrderSide.Buy, OrderType.Market, quantity.Value, TimeInForce.Day,
                    TakeProfit: target, StopLoss: stop, RecommendationId: recommendationId, StrategyId: strategy.Id, Note: Trim(signal.Reason));
            }
            else if (position.Quantity > 0)
            {
                var quantity = signal.Action == SignalAction.Exit ? position.Quantity : Math.Min(position.Quantity, signal.Quantity ?? position.Quantity);
                // The strategy's own protective exits on this holding are replaced by the exit it now asks for.
                await orders.CancelWorkingSellsAsync(caller, portfolio.Id, instrument.Id, ct);
                ticket = new OrderTicket(portfolio.Id, instrument.Id, OrderSide.Sell, OrderType.Market, quantity, TimeInForce.Day,
                    StrategyId: strategy.Id, RecommendationId: recommendationId, Note: Trim(signal.Reason));
            }
            if (ticket is null) continue;
            var result = await orders.PlaceAsync(caller, ticket, ct);
            if (result.Accepted) placed++;
            await log.WriteAsync(userId, result.Accepted ? ServiceLogLevels.Info : ServiceLogLevels.Warning,
                result.Accepted
                    ? $"{strategy.Name}: {TradingNames.ToDb(ticket.Side)} {ticket.Quantity:0.########} {instrument.Symbol} placed ({signal.Reason})."
                    : $"{strategy.Name}: {TradingNames.ToDb(ticket.Side)} {instrument.Symbol} rejected: {result.RejectReason}",
                new { strategy_id = strategy.Id, order_id = result.OrderId, symbol = instrument.Symbol }, ct);
        }
        await db.Strategies.Where(s => s.Id == strategy.Id).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSignalAt, s => signals > 0 ? now : s.LastSignalAt), ct);
        return (signals, placed);
    }

    private static string Trim(string s) => s.Length > 500 ? s[..500] : s;

    /// <summary>
    /// Tells the trader (a service notification, level error) that the run had failures, unless the previous run ended
    /// with the very same error: a strategy that fails on every run notifies once, not every quarter of an hour.
    /// </summary>
    private async Task NotifyFailureAsync(Guid userId, List<string> errors, string? previousError, CancellationToken ct)
    {
        var summary = string.Join("; ", errors);
        if ((summary.Length > 512 ? summary[..512] : summary) == previousError) return;
        try
        {
            await notifier.NotifyAsync(new Notifications.NotificationRequest(userId, Notifications.NotificationTypes.Service, Notifications.NotificationLevels.Error,
                errors.Count == 1 ? "Your trading service hit an error" : $"Your trading service hit {errors.Count} errors",
                $"{summary} The other portfolios and strategies ran; see the service log.", "trading-service"), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await log.WriteAsync(userId, ServiceLogLevels.Warning, $"Could not raise the failure notification: {e.Message}", ct: ct);
        }
    }

    private async Task HeartbeatAsync(Guid userId, string? error, int errors, CancellationToken ct, bool finished = false)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.ServiceStatuses.Where(s => s.UserId == userId).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.LastHeartbeat, now)
            .SetProperty(s => s.UpdatedAt, now)
            .SetProperty(s => s.LastTaskExecution, s => finished ? now : s.LastTaskExecution)
            .SetProperty(s => s.ErrorCount, s => s.ErrorCount + errors)
            .SetProperty(s => s.LastError, s => error != null ? (error.Length > 512 ? error.Substring(0, 512) : error) : s.LastError), ct);
    }
}
