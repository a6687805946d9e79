using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios.Matching;

namespace Signalbook.Features.Portfolios;

/// <summary>What one processing run of a paper portfolio did.</summary>
public sealed record PaperRun(long PortfolioId, int BarsSeen, int Fills, int OrdersFinished, int SplitsApplied, DateTimeOffset ProcessedThrough);

/// <summary>
/// The paper broker: steps a portfolio's working orders through the stored bars that completed since its last run
/// (on the app's <see cref="TimeProvider"/>, so tests step through days), with the matching engine's rules, then lets
/// <see cref="PortfolioValuation"/> rebuild positions and analytics. Daily bars serve every order type; TWAP and VWAP slice
/// over the session's 15-minute bars when there are any. A bar counts once its session (or its 15 minutes) is over.
/// At each fill the portfolio's own checks apply: a buy never overdraws cash (the fill shrinks to what the cash pays for,
/// and the rest of the order is cancelled or rejected with the reason), and a sell never goes short unless the portfolio
/// allows shorting. Bracket exits start working on the bar after their entry fills, and one exit filling cancels the other.
/// </summary>
public sealed class PaperBroker(IDbContextFactory<AppDbContext> factory, PortfolioValuation valuation, TimeProvider clock)
{
    private static readonly TimeSpan IntradayLength = TimeSpan.FromMinutes(15);

    /// <summary>Processes one paper portfolio up to now. Serialised per portfolio by a row lock.</summary>
    public async Task<PaperRun> ProcessAsync(long portfolioId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var p = await db.Portfolios.FromSqlInterpolated($"SELECT * FROM portfolios WHERE id = {portfolioId} FOR UPDATE").SingleOrDefaultAsync(ct)
                ?? throw new TradingNotFoundException("Portfolio");
        if (p.BrokerPlugin != BrokerPlugins.Paper) return new PaperRun(p.Id, 0, 0, 0, 0, p.ProcessedThrough ?? now);
        var since = p.ProcessedThrough ?? p.CreatedAt;
        var settings = PaperExecution.SettingsFor(p);

        var orders = await db.Orders.Where(o => o.PortfolioId == p.Id && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Pending))
            .OrderBy(o => o.PlacedAt).ThenBy(o => o.Id).ToListAsync(ct);
        var positions = await db.Positions.AsNoTracking().Where(x => x.PortfolioId == p.Id).ToDictionaryAsync(x => x.InstrumentId, x => x.Quantity, ct);
        var instrumentIds = orders.Select(o => o.InstrumentId).Concat(positions.Keys).Distinct().ToList();
        var instruments = await db.Instruments.AsNoTracking().Where(i => instrumentIds.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => ExchangeCalendar.For(i.Exchange, i.TimeZone), ct);

        // Bars that completed in (since, now]: a daily bar when its session closed, a 15-minute bar 15 minutes after it began.
        var fromDay = ExchangeCalendar.DailyBarTs(DateOnly.FromDateTime(since.UtcDateTime).AddDays(-1));
        var rawDaily = await db.PriceBars.AsNoTracking()
            .Where(b => instrumentIds.Contains(b.InstrumentId) && b.Interval == Intervals.OneDay && b.Ts >= fromDay && b.Ts <= now)
            .Select(b => new { b.InstrumentId, b.Ts, b.Open, b.High, b.Low, b.Close, b.Volume, b.Vwap }).ToListAsync(ct);
        var algoInstruments = orders.Where(o => o.OrderType is OrderType.Twap or OrderType.Vwap).Select(o => o.InstrumentId).Distinct().ToList();
        var rawIntraday = algoInstruments.Count == 0 ? [] : await db.PriceBars.AsNoTracking()
            .Where(b => algoInstruments.Contains(b.InstrumentId) && b.Interval == Intervals.FifteenMinutes && b.Ts > since - IntradayLength && b.Ts <= now)
            .Select(b => new { b.InstrumentId, b.Ts, b.Open, b.High, b.Low, b.Close, b.Volume, b.Vwap }).ToListAsync(ct);

        var events = new List<(long InstrumentId, MatchBar Bar)>();
        foreach (var b in rawDaily)
        {
            var cal = instruments[b.InstrumentId];
            var day = DateOnly.FromDateTime(b.Ts.UtcDateTime);
            var close = cal.At(day, cal.Close);
            if (close <= since || close > now) continue;
            events.Add((b.InstrumentId, new MatchBar(cal.At(day, cal.Open), (decimal)b.Open, (decimal)b.High, (decimal)b.Low, (decimal)b.Close, (decimal)b.Volume,
                b.Vwap is { } v ? (decimal)v : null, false, close - cal.At(day, cal.Open), day)));
        }
        foreach (var b in rawIntraday)
        {
            var end = b.Ts + IntradayLength;
            if (end <= since || end > now) continue;
            events.Add((b.InstrumentId, new MatchBar(b.Ts, (decimal)b.Open, (decimal)b.High, (decimal)b.Low, (decimal)b.Close, (decimal)b.Volume,
                b.Vwap is { } v ? (decimal)v : null, true, IntradayLength, instruments[b.InstrumentId].LocalDate(b.Ts))));
        }
        // Sessions (per instrument) that have 15-minute bars: an algo order slices over those, else over the daily bar.
        var intradaySessions = events.Where(e => e.Bar.IsIntraday).Select(e => (e.InstrumentId, e.Bar.Session)).ToHashSet();
        events.Sort((a, b) => a.Bar.Start != b.Bar.Start ? a.Bar.Start.CompareTo(b.Bar.Start) : a.InstrumentId.CompareTo(b.InstrumentId));

        // Splits whose ex-date opened in (since, now]: each is applied once, at its ex-date's open (east of Greenwich an
        // ex-date can open on the previous UTC day, hence the day of slack in the query).
        var splits = await db.InstrumentSplits.AsNoTracking()
            .Where(s => instrumentIds.Contains(s.InstrumentId) && s.ExDate > DateOnly.FromDateTime(since.UtcDateTime).AddDays(-1) && s.ExDate <= DateOnly.FromDateTime(now.UtcDateTime).AddDays(1))
            .ToListAsync(ct);
        var pendingSplits = splits.Where(s => instruments[s.InstrumentId].At(s.ExDate, instruments[s.InstrumentId].Open) is var open && open > since && open <= now)
            .OrderBy(s => s.ExDate).ToList();

        var state = orders.ToDictionary(o => o.Id, o => ToMatch(o, instruments[o.InstrumentId]));
        var tradeCounts = await db.Trades.Where(t => t.OrderId != null && orders.Select(o => o.Id).Contains(t.OrderId!.Value))
            .GroupBy(t => t.OrderId!.Value).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var fills = new List<MatchFill>();
        int fillCount = 0, finished = 0, splitCount = 0;

        // A split takes effect at the open of its ex-date: working orders and the position are restated before that session's bar.
        void ApplySplit(InstrumentSplit split)
        {
            foreach (var o in orders.Where(o => o.InstrumentId == split.InstrumentId && OrderService.IsWorking(o.Status)))
            {
                MatchingEngine.SplitAdjust(state[o.Id], split.Ratio);
                FromMatch(state[o.Id], o, now);
            }
            if (positions.TryGetValue(split.InstrumentId, out var q)) positions[split.InstrumentId] = q * split.Ratio;
            pendingSplits.Remove(split);
            splitCount++;
        }

        foreach (var (instrumentId, bar) in events)
        {
            foreach (var split in pendingSplits.Where(s => s.InstrumentId == instrumentId && s.ExDate <= bar.SessionDate).ToList()) ApplySplit(split);

            foreach (var order in orders)
            {
                if (order.InstrumentId != instrumentId || order.Status is not (OrderStatus.Open or OrderStatus.PartiallyFilled)) continue;
                var m = state[order.Id];
                var algo = m.IsAlgo && intradaySessions.Contains((instrumentId, bar.Session));
                if (algo != bar.IsIntraday) continue;
                var before = (m.FilledQuantity, m.AverageFillPrice, m.Commission);
                fills.Clear();
                MatchingEngine.OnBar(m, bar, settings, fills);
                foreach (var fill in fills)
                {
                    var applied = ApplyFill(db, p, settings.Commission, order, m, fill, before, positions, tradeCounts, bar, now);
                    if (applied) fillCount++;
                    before = (m.FilledQuantity, m.AverageFillPrice, m.Commission);
                }
                FromMatch(m, order, now);
                if (fills.Count > 0) UpdateBracket(orders, state, order, bar, now);
                if (!OrderService.IsWorking(order.Status)) finished++;
            }
        }

        // Splits whose ex-date has opened without its bar being here yet (a run during the session): restated now, as the
        // next run starts after their open and would not see them again.
        foreach (var split in pendingSplits.ToList()) ApplySplit(split);

        // Day orders whose session is long over with no bar at all (a holiday the calendar does not know, missing data) expire.
        foreach (var order in orders.Where(o => o.TimeInForce == TimeInForce.Day && o.Status is OrderStatus.Open or OrderStatus.PartiallyFilled))
        {
            var m = state[order.Id];
            var cal = instruments[order.InstrumentId];
            var session = m.Session ?? SessionOf(cal, order.PlacedAt);
            var close = cal.At(session, cal.Close);
            // The engine only closes an order whose session it knows; one that never saw a bar has none until it is set here.
            if (now - close <= TimeSpan.FromDays(1)) continue;
            m.Session ??= session;
            if (MatchingEngine.CloseSession(m, session, close))
            {
                FromMatch(m, order, now);
                finished++;
            }
        }

        // Exits still waiting for an entry that ended with nothing filled will never start.
        foreach (var child in orders.Where(o => o.Status == OrderStatus.Pending && o.ParentOrderId is { } parent
                                                 && orders.FirstOrDefault(x => x.Id == parent) is { } entry && !OrderService.IsWorking(entry.Status) && entry.FilledQuantity == 0))
        {
            OrderService.Cancel(child, now, "entry ended unfilled");
            finished++;
        }

        p.ProcessedThrough = now;
        p.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await valuation.RefreshAsync(db, p, now, ct);
        await tx.CommitAsync(ct);
        return new PaperRun(p.Id, events.Count, fillCount, finished, splitCount, now);
    }

    /// <summary>Books one engine fill after the portfolio's checks; false when nothing could be booked.</summary>
    private static bool ApplyFill(AppDbContext db, Portfolio p, CommissionModel costs, Order order, MatchOrder m, MatchFill fill, (decimal Filled, decimal Avg, decimal Commission) before,
        Dictionary<long, decimal> positions, Dictionary<long, int> tradeCounts, in MatchBar bar, DateTimeOffset now)
    {
        var quantity = fill.Quantity;
        var commission = fill.Commission;
        var held = positions.GetValueOrDefault(order.InstrumentId);
        string? stopReason = null;
        if (order.Side == OrderSide.Buy)
        {
            var cost = quantity * fill.Price + commission;
            if (cost > p.CashBalance)
            {
                var firstFill = before.Filled == 0;
                stopReason = $"Not enough cash when it filled at {fill.Price:0.####}: {cost:N2} {p.BaseCurrency} needed, {p.CashBalance:N2} available.";
                quantity = Math.Min(quantity, Affordable(p, costs, order.Quantity, fill.Price, firstFill));
                commission = quantity > 0 ? costs.For(quantity, fill.Price, firstFill) : 0;
            }
        }
        else if (!p.AllowShorting && quantity > Math.Max(0, held))
        {
            stopReason = $"Shorting is off for this portfolio and only {Math.Max(0, held):0.########} was held when it filled.";
            quantity = Math.Max(0, held);
            commission = quantity > 0 ? costs.For(quantity, fill.Price, before.Filled == 0) : 0;
        }

        if (stopReason is not null)
        {
            // Undo the engine's booking of this fill and book what the portfolio can take.
            m.FilledQuantity = before.Filled + quantity;
            m.AverageFillPrice = m.FilledQuantity == 0 ? 0 : (before.Avg * before.Filled + fill.Price * quantity) / m.FilledQuantity;
            m.Commission = before.Commission + commission;
            m.Status = m.FilledQuantity > 0 ? OrderStatus.Cancelled : OrderStatus.Rejected;
            m.ClosedAt = fill.Ts;
            if (m.Status == OrderStatus.Rejected) m.RejectReason = stopReason;
            else m.Note = stopReason + " The rest was cancelled.";
        }
        if (quantity <= 0) return false;

        var value = quantity * fill.Price;
        p.CashBalance += order.Side == OrderSide.Buy ? -(value + commission) : value - commission;
        positions[order.InstrumentId] = held + (order.Side == OrderSide.Buy ? quantity : -quantity);
        var n = tradeCounts.GetValueOrDefault(order.Id) + 1;
        tradeCounts[order.Id] = n;
        db.Trades.Add(new Trade
        {
            PortfolioId = p.Id, OrderId = order.Id, InstrumentId = order.InstrumentId, BrokerTradeId = $"paper-{order.Id}-{n}", Side = order.Side,
            Quantity = quantity, Price = fill.Price, Value = value, Commission = commission, FeeCurrency = p.BaseCurrency, Rule = fill.Rule,
            ExecutedAt = fill.Ts,
        });
        return true;
    }


    /// <summary>
    /// The most a buy at <paramref name="price"/> can take with the portfolio's cash, commission included (whole shares for a
    /// whole-share order). The cost q·P + max(minimum, q·(per share + percent·P) + per order) is within the cash exactly when
    /// both q·P + minimum and q·(P + per share + percent·P) + per order are, so q is the smaller of the two bounds.
    /// </summary>
    private static decimal Affordable(Portfolio p, CommissionModel c, decimal orderQuantity, decimal price, bool first)
    {
        if (price <= 0 || p.CashBalance <= 0) return 0;
        var perOrder = first ? c.PerOrder : 0;
        var q = Math.Min((p.CashBalance - c.MinimumPerFill) / price, (p.CashBalance - perOrder) / (price + c.PerShare + c.PercentOfNotional / 100m * price));
        q = WholeIfWhole(orderQuantity, Math.Max(0, q));
        // Rounding of the division can leave it a hair over: step down one unit then.
        var unit = decimal.Truncate(orderQuantity) == orderQuantity ? 1m : 0.00000001m;
        while (q > 0 && q * price + c.For(q, price, first) > p.CashBalance) q = Math.Max(0, q - unit);
        return q;
    }

    private static decimal WholeIfWhole(decimal orderQuantity, decimal q) => decimal.Truncate(orderQuantity) == orderQuantity ? decimal.Floor(q) : decimal.Round(q, 8, MidpointRounding.ToZero);

    /// <summary>Bracket exits: activated (for the filled quantity) on the bar after their entry fills; one exit's fill cancels or shrinks the other.</summary>
    private static void UpdateBracket(List<Order> orders, Dictionary<long, MatchOrder> state, Order filled, in MatchBar bar, DateTimeOffset now)
    {
        var start = bar.Start + (bar.Length > TimeSpan.Zero ? bar.Length : TimeSpan.FromTicks(1));
        foreach (var child in orders.Where(o => o.ParentOrderId == filled.Id && OrderService.IsWorking(o.Status)))
        {
            var m = state[child.Id];
            if (filled.FilledQuantity <= 0) continue;
            m.Quantity = Math.Max(m.FilledQuantity, filled.FilledQuantity);
            if (m.Status == OrderStatus.Pending)
            {
                m.Status = OrderStatus.Open;
                m.PlacedAt = start;
            }
            FromMatch(m, child, now);
        }
        if (filled.OcoGroup is not { } group) return;
        foreach (var sibling in orders.Where(o => o.OcoGroup == group && o.Id != filled.Id && OrderService.IsWorking(o.Status)))
        {
            var m = state[sibling.Id];
            // Both exits cover the same shares: what the filled exit has not yet sold is all its sibling may still sell.
            var left = filled.Quantity - filled.FilledQuantity;
            if (left > m.FilledQuantity) m.Quantity = left;
            if (filled.Status == OrderStatus.Filled || left <= m.FilledQuantity)
            {
                MatchingEngine.Cancel(m, bar.Start);
                m.Note = $"one-cancels-other: the {(filled.OrderType == OrderType.Limit ? "take-profit" : "stop-loss")} filled";
            }
            FromMatch(m, sibling, now);
        }
    }

    /// <summary>
    /// The session an order placed at this instant trades in: the first whose open is not before it. (The paper broker
    /// matches on whole bars, so an order placed during a session starts at the next session's open, like an after-market order.)
    /// </summary>
    internal static DateOnly SessionOf(ExchangeCalendar cal, DateTimeOffset placedAt)
    {
        var day = cal.LocalDate(placedAt);
        if (placedAt > cal.At(day, cal.Open)) day = day.AddDays(1);
        for (var i = 0; i < 14 && !cal.IsTradingDay(day); i++) day = day.AddDays(1);
        return day;
    }

    private static MatchOrder ToMatch(Order o, ExchangeCalendar cal) => new()
    {
        Id = o.Id, Side = o.Side, Type = o.OrderType, TimeInForce = o.TimeInForce, Quantity = o.Quantity, FilledQuantity = o.FilledQuantity,
        LimitPrice = o.Price, StopPrice = o.StopPrice, PlacedAt = o.PlacedAt, Status = o.Status, StopTriggered = o.StopTriggered,
        WindowStart = o.WindowStart, WindowEnd = o.WindowEnd ?? (o.OrderType is OrderType.Twap or OrderType.Vwap ? cal.At(SessionOf(cal, o.PlacedAt), cal.Close) : null),
        AverageFillPrice = o.AverageFillPrice ?? 0, Commission = o.Fee,
        Note = o.Note, RejectReason = o.RejectReason,
    };

    private static void FromMatch(MatchOrder m, Order o, DateTimeOffset now)
    {
        var changed = o.Status != m.Status || o.FilledQuantity != m.FilledQuantity || o.Quantity != m.Quantity || o.StopTriggered != m.StopTriggered
                      || o.Price != m.LimitPrice || o.StopPrice != m.StopPrice || o.PlacedAt != m.PlacedAt || o.WindowEnd != m.WindowEnd;
        if (!changed) return;
        o.Status = m.Status;
        o.Quantity = m.Quantity;
        o.FilledQuantity = m.FilledQuantity;
        o.AverageFillPrice = m.FilledQuantity > 0 ? decimal.Round(m.AverageFillPrice, 6) : null;
        o.Fee = decimal.Round(m.Commission, 6);
        o.Price = m.LimitPrice;
        o.StopPrice = m.StopPrice;
        o.StopTriggered = m.StopTriggered;
        o.PlacedAt = m.PlacedAt;
        o.WindowEnd = m.WindowEnd ?? o.WindowEnd;
        o.RejectReason = m.RejectReason ?? o.RejectReason;
        o.Note = m.Note ?? o.Note;
        o.UpdatedAt = now;
        if (m.Status == OrderStatus.Filled) o.FilledAt ??= m.ClosedAt ?? now;
        if (m.Status is OrderStatus.Cancelled or OrderStatus.Rejected) o.CancelledAt ??= m.ClosedAt ?? now;
    }
}
