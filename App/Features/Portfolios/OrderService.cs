using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Features.Portfolios;

/// <summary>
/// Places, cancels and replaces orders. Bad input (a non-positive quantity, a missing price, an unknown or inactive
/// instrument, a stopped portfolio) throws <see cref="TradingValidationException"/> and writes nothing. The broker's own
/// checks (cash and buying power, shorting) reject the order: it is stored as rejected with the reason, as a broker would.
/// Paper orders then wait for <see cref="PaperBroker"/> to match them against the bars.
/// </summary>
public sealed class OrderService(IDbContextFactory<AppDbContext> factory, LiveBroker live, TimeProvider clock)
{
    public const decimal MaxQuantity = 1_000_000_000m;

    public async Task<OrderPlacement> PlaceAsync(TradingCaller caller, OrderTicket t, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.SingleOrDefaultAsync(x => x.Id == t.PortfolioId, ct) ?? throw new TradingNotFoundException("Portfolio");
        caller.EnsureTrade(p.UserId, "Portfolio");
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Id == t.InstrumentId, ct)
                         ?? throw new TradingValidationException("InstrumentId", "Unknown instrument: pick a symbol from the list.");
        await ValidateAsync(db, caller, p, instrument, t, ct);

        var now = clock.GetUtcNow();
        var order = NewOrder(p, t, now);
        var check = await BrokerCheckAsync(db, p, t.InstrumentId, t.Side, t.Type, t.Quantity, t.LimitPrice, t.StopPrice, excludeOrderId: null, now, ct);
        if (check is not null)
        {
            order.Status = OrderStatus.Rejected;
            order.RejectReason = check;
            db.Orders.Add(order);
            await db.SaveChangesAsync(ct);
            return new OrderPlacement(order.Id, order.Status, check, []);
        }

        if (p.BrokerPlugin != BrokerPlugins.Paper)
        {
            // The broker keeps the bracket's exits itself (Alpaca's order_class bracket).
            db.Orders.Add(order);
            await db.SaveChangesAsync(ct);
            await live.SubmitAsync(db, p, order, instrument.Symbol, t.TakeProfit, t.StopLoss, ct);
            return new OrderPlacement(order.Id, order.Status, order.RejectReason, []);
        }

        order.Status = OrderStatus.Open;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct);
        var exits = new List<Order>();
        if (t.TakeProfit is not null || t.StopLoss is not null)
        {
            var group = Guid.NewGuid();
            var exitSide = t.Side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
            if (t.StopLoss is { } sl)
                exits.Add(ExitOrder(p, order, exitSide, OrderType.StopLoss, null, sl, group, now, "bracket stop-loss"));
            if (t.TakeProfit is { } tp)
                exits.Add(ExitOrder(p, order, exitSide, OrderType.Limit, tp, null, group, now, "bracket take-profit"));
            db.Orders.AddRange(exits);
            await db.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new OrderPlacement(order.Id, order.Status, null, exits.Select(e => e.Id).ToList());
    }

    /// <summary>Cancels a working order (and the exits still waiting for it). Returns false when it was no longer working.</summary>
    public async Task<bool> CancelAsync(TradingCaller caller, long orderId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var order = await db.Orders.SingleOrDefaultAsync(o => o.Id == orderId, ct) ?? throw new TradingNotFoundException("Order");
        caller.EnsureTrade(order.UserId, "Order");
        if (!IsWorking(order.Status)) return false;
        var portfolio = await db.Portfolios.AsNoTracking().SingleAsync(x => x.Id == order.PortfolioId, ct);
        if (portfolio.BrokerPlugin != BrokerPlugins.Paper) await live.CancelAsync(portfolio, order, ct);
        var now = clock.GetUtcNow();
        Cancel(order, now, "cancelled by the trader");
        var waiting = await db.Orders.Where(o => o.ParentOrderId == orderId && o.Status == OrderStatus.Pending).ToListAsync(ct);
        foreach (var child in waiting) Cancel(child, now, "entry cancelled");
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>
    /// Cancels every sell order still waiting or working on one holding (its protective exits included), so an exit the
    /// trader or a strategy now asks for replaces them instead of selling the shares twice. Returns how many were cancelled.
    /// </summary>
    public async Task<int> CancelWorkingSellsAsync(TradingCaller caller, long portfolioId, long instrumentId, CancellationToken ct = default)
    {
        List<long> ids;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            ids = await db.Orders.AsNoTracking().Where(o => o.PortfolioId == portfolioId && o.InstrumentId == instrumentId && o.Side == OrderSide.Sell
                    && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Pending))
                .Select(o => o.Id).ToListAsync(ct);
        }
        var cancelled = 0;
        foreach (var id in ids)
        {
            if (await CancelAsync(caller, id, ct)) cancelled++;
        }
        return cancelled;
    }

    /// <summary>Changes a working order's quantity and prices. It then matches only on bars after now (no look-ahead).</summary>
    public async Task ReplaceAsync(TradingCaller caller, long orderId, decimal quantity, decimal? limitPrice, decimal? stopPrice, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var order = await db.Orders.SingleOrDefaultAsync(o => o.Id == orderId, ct) ?? throw new TradingNotFoundException("Order");
        caller.EnsureTrade(order.UserId, "Order");
        if (!IsWorking(order.Status)) throw new TradingValidationException("OrderId", $"Only a working order can be replaced; this one is {TradingNames.ToDb(order.Status)}.");
        ValidateQuantity(quantity);
        if (quantity <= order.FilledQuantity)
            throw new TradingValidationException("Quantity", $"The new quantity must be more than what has already filled ({order.FilledQuantity}).");
        ValidatePrices(order.OrderType, limitPrice, stopPrice);
        var p = await db.Portfolios.SingleAsync(x => x.Id == order.PortfolioId, ct);
        if (!p.IsActive) throw new TradingValidationException("PortfolioId", StoppedMessage(p.Name));
        var check = await BrokerCheckAsync(db, p, order.InstrumentId, order.Side, order.OrderType, quantity - order.FilledQuantity, limitPrice, stopPrice, order.Id, clock.GetUtcNow(), ct);
        if (check is not null) throw new TradingValidationException("Quantity", check);
        order.Quantity = quantity;
        order.Price = limitPrice;
        order.StopPrice = stopPrice;
        order.StopTriggered = false;
        order.PlacedAt = clock.GetUtcNow();
        order.UpdatedAt = order.PlacedAt;
        order.Note = "replaced";
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The figures the ticket shows: reference price, estimated value and commission, cash, reservations and sellable quantity.</summary>
    public async Task<OrderEstimate> EstimateAsync(TradingCaller caller, long portfolioId, long instrumentId, OrderSide side, OrderType type, decimal quantity,
        decimal? limitPrice, decimal? stopPrice, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await PortfolioService.EnsureReadAsync(db, caller, portfolioId, ct);
        var (price, at) = await ReferencePriceAsync(db, instrumentId, clock.GetUtcNow(), ct);
        var unit = UnitPrice(type, side, limitPrice, stopPrice, price, p.SlippageBps) ?? 0;
        var value = unit * Math.Max(0, quantity);
        var commission = PaperExecution.EstimatedCommission(p, quantity, unit);
        var reserved = await ReservedByBuysAsync(db, p, null, clock.GetUtcNow(), ct);
        var held = await db.Positions.Where(x => x.PortfolioId == p.Id && x.InstrumentId == instrumentId).Select(x => (decimal?)x.Quantity).SingleOrDefaultAsync(ct) ?? 0;
        var sellsWorking = await WorkingSellsAsync(db, p.Id, instrumentId, null, ct);
        return new OrderEstimate(price, at, value, commission, p.CashBalance, reserved, p.CashBalance - reserved, held, Math.Max(0, held - sellsWorking), p.AllowShorting);
    }

    /// <summary>
    /// A ticket pre-filled from a BUY or SELL recommendation: the side, its stop-loss and take-profit as a bracket, and a
    /// size from the trader's trading config (capital per trade, max positions, max share of the 20-day average volume,
    /// and the cash available), in whole shares.
    /// </summary>
    public async Task<TicketSuggestion> SuggestFromRecommendationAsync(TradingCaller caller, long recommendationId, long portfolioId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == portfolioId, ct) ?? throw new TradingNotFoundException("Portfolio");
        caller.EnsureTrade(p.UserId, "Portfolio");
        var rec = await (from r in db.Recommendations.AsNoTracking()
                         where r.Id == recommendationId
                         join i in db.Instruments on r.InstrumentId equals i.Id
                         select new { r.Id, r.InstrumentId, r.Label, r.StopLoss, r.TakeProfit, i.Symbol }).SingleOrDefaultAsync(ct)
                  ?? throw new TradingNotFoundException("Recommendation");
        if (rec.Label is not ("BUY" or "SELL")) throw new TradingValidationException("RecommendationId", "Only BUY and SELL recommendations can be paper traded; this one is HOLD.");
        var config = await db.UserTradingConfigs.AsNoTracking().SingleOrDefaultAsync(c => c.UserId == p.UserId, ct) ?? new UserTradingConfig();
        var (price, _) = await ReferencePriceAsync(db, rec.InstrumentId, clock.GetUtcNow(), ct);
        var side = rec.Label == "BUY" ? OrderSide.Buy : OrderSide.Sell;
        var held = await db.Positions.AsNoTracking().Where(x => x.PortfolioId == p.Id && x.InstrumentId == rec.InstrumentId).Select(x => (decimal?)x.Quantity).SingleOrDefaultAsync(ct) ?? 0;
        var positions = await db.Positions.CountAsync(x => x.PortfolioId == p.Id, ct);
        var volumes = await db.PriceBars.AsNoTracking().Where(b => b.InstrumentId == rec.InstrumentId && b.Interval == Intervals.OneDay)
            .Where(b => b.Ts <= clock.GetUtcNow()).OrderByDescending(b => b.Ts).Take(20).Select(b => b.Volume).ToListAsync(ct);
        var reserved = await ReservedByBuysAsync(db, p, null, clock.GetUtcNow(), ct);
        var sizing = PositionSize(config, price, volumes.Count == 0 ? null : volumes.Average(), p.CashBalance - reserved, positions, held, side, p.AllowShorting);
        decimal? stop = rec.StopLoss is { } sl ? decimal.Round((decimal)sl, 4) : null;
        decimal? target = rec.TakeProfit is { } tp ? decimal.Round((decimal)tp, 4) : null;
        return new TicketSuggestion(rec.InstrumentId, rec.Symbol, side, sizing.Quantity, price, stop, target, rec.Id, sizing.Note);
    }

    /// <summary>
    /// The size of a suggested order: a sell takes what is held (or, where shorting is allowed, a short of capital per
    /// trade); a buy is <see cref="PositionSizer"/>'s rule over the trader's config, in whole shares.
    /// </summary>
    public static (decimal Quantity, string Note) PositionSize(UserTradingConfig c, decimal? price, double? averageVolume, decimal available, int openPositions,
        decimal held, OrderSide side, bool allowShorting)
    {
        if (price is not { } px || px <= 0) return (0, "No price is known for this instrument yet.");
        if (side == OrderSide.Sell)
        {
            if (held > 0) return (held, $"Sells the {held:0.########} held.");
            return allowShorting ? (Math.Floor(c.UserCapital / px), $"Short of capital per trade {c.UserCapital:N0} at {px:0.##}.") : (0, "Nothing is held and shorting is off for this portfolio.");
        }
        var rules = SizingRulesFor(c);
        var sized = PositionSizer.Size(rules, (double)px, averageVolume ?? 0, available, held == 0 ? openPositions : 0);
        return (sized.Quantity, sized.Reason);
    }

    /// <summary>The trader's sizing settings as the strategies' sizer takes them.</summary>
    public static SizingRules SizingRulesFor(UserTradingConfig c) => new()
    {
        UserCapital = c.UserCapital, MaxPortfolioSize = c.MaxPortfolioSize, MaxPositionVolumeRatio = c.MaxPositionVolumeRatio,
    };

    internal static bool IsWorking(OrderStatus s) => s is OrderStatus.Pending or OrderStatus.Open or OrderStatus.PartiallyFilled;

    internal static void Cancel(Order o, DateTimeOffset at, string note)
    {
        o.Status = OrderStatus.Cancelled;
        o.CancelledAt = at;
        o.UpdatedAt = at;
        o.Note = note;
    }

    /// <summary>The latest daily close of an instrument: what estimates and sizing use.</summary>
    internal static async Task<(decimal? Price, DateTimeOffset? At)> ReferencePriceAsync(AppDbContext db, long instrumentId, DateTimeOffset now, CancellationToken ct)
    {
        var bar = await db.PriceBars.AsNoTracking().Where(b => b.InstrumentId == instrumentId && b.Interval == Intervals.OneDay && b.Ts <= now)
            .OrderByDescending(b => b.Ts).Select(b => new { b.Close, b.Ts }).FirstOrDefaultAsync(ct);
        return bar is null ? (null, null) : ((decimal)bar.Close, bar.Ts);
    }

    private static string StoppedMessage(string name) => $"The portfolio '{name}' is stopped: turn it back on in its settings before placing orders.";

    private async Task ValidateAsync(AppDbContext db, TradingCaller caller, Portfolio p, Instrument instrument, OrderTicket t, CancellationToken ct)
    {
        if (!p.IsActive) throw new TradingValidationException("PortfolioId", StoppedMessage(p.Name));
        if (!instrument.IsActive) throw new TradingValidationException("InstrumentId", $"{instrument.Symbol} is inactive: no orders can be placed on it.");
        ValidateQuantity(t.Quantity);
        ValidatePrices(t.Type, t.LimitPrice, t.StopPrice);
        if (t.Type is OrderType.Twap or OrderType.Vwap)
        {
            if (p.BrokerPlugin != BrokerPlugins.Paper) throw new TradingValidationException("Type", "TWAP and VWAP orders are sliced by the paper broker only.");
            if (t.WindowStart is { } ws && t.WindowEnd is { } we && we <= ws) throw new TradingValidationException("WindowEnd", "The slicing window must end after it starts.");
        }
        if (t.TakeProfit is not null || t.StopLoss is not null)
        {
            if (t.Type is OrderType.Twap or OrderType.Vwap) throw new TradingValidationException("Type", "Brackets are for market, limit and stop entries.");
            var (last, _) = await ReferencePriceAsync(db, t.InstrumentId, clock.GetUtcNow(), ct);
            var entry = t.LimitPrice ?? t.StopPrice ?? last;
            if (t.TakeProfit is <= 0) throw new TradingValidationException("TakeProfit", "The take-profit price must be greater than zero.");
            if (t.StopLoss is <= 0) throw new TradingValidationException("StopLoss", "The stop-loss price must be greater than zero.");
            if (entry is { } e)
            {
                var buy = t.Side == OrderSide.Buy;
                if (t.TakeProfit is { } tp && (buy ? tp <= e : tp >= e))
                    throw new TradingValidationException("TakeProfit", $"For a {(buy ? "buy" : "sell")} the take-profit must be {(buy ? "above" : "below")} the entry ({e:0.####}); got {tp:0.####}.");
                if (t.StopLoss is { } sl && (buy ? sl >= e : sl <= e))
                    throw new TradingValidationException("StopLoss", $"For a {(buy ? "buy" : "sell")} the stop-loss must be {(buy ? "below" : "above")} the entry ({e:0.####}); got {sl:0.####}.");
            }
        }
        if (t.RecommendationId is { } rec && !await db.Recommendations.AnyAsync(r => r.Id == rec && r.InstrumentId == t.InstrumentId, ct))
            throw new TradingValidationException("RecommendationId", "That recommendation does not exist for this instrument.");
        if (t.StrategyId is { } sid && !await db.Strategies.AnyAsync(s => s.Id == sid && s.UserId == caller.UserId, ct))
            throw new TradingValidationException("StrategyId", "Strategy was not found.");
        if (t.Note is { Length: > 500 }) throw new TradingValidationException("Note", "The note must be at most 500 characters.");
    }

    private static void ValidateQuantity(decimal q)
    {
        if (q <= 0) throw new TradingValidationException("Quantity", $"Quantity must be greater than zero; got {q}.");
        if (q > MaxQuantity) throw new TradingValidationException("Quantity", $"Quantity must be at most {MaxQuantity:N0}.");
        if (decimal.Round(q, 8) != q) throw new TradingValidationException("Quantity", "Quantity can have at most 8 decimal places.");
    }

    private static void ValidatePrices(OrderType type, decimal? limit, decimal? stop)
    {
        if (limit is <= 0) throw new TradingValidationException("LimitPrice", $"The limit price must be greater than zero; got {limit}.");
        if (stop is <= 0) throw new TradingValidationException("StopPrice", $"The stop price must be greater than zero; got {stop}.");
        if (type is OrderType.Limit or OrderType.StopLimit && limit is null) throw new TradingValidationException("LimitPrice", "A limit price is required for this order type.");
        if (type is OrderType.StopLoss or OrderType.StopLimit && stop is null) throw new TradingValidationException("StopPrice", "A stop price is required for this order type.");
        if (type is OrderType.Market or OrderType.Twap or OrderType.Vwap && (limit is not null || stop is not null))
            throw new TradingValidationException("LimitPrice", $"A {TradingNames.ToDb(type)} order takes no limit or stop price.");
        if (type == OrderType.StopLoss && limit is not null) throw new TradingValidationException("LimitPrice", "A stop order takes no limit price; use stop-limit.");
        if (type == OrderType.Limit && stop is not null) throw new TradingValidationException("StopPrice", "A limit order takes no stop price; use stop-limit.");
    }

    /// <summary>The broker's checks: cash and buying power for buys, holdings or shorting for sells. Null when the order may go.</summary>
    private static async Task<string?> BrokerCheckAsync(AppDbContext db, Portfolio p, long instrumentId, OrderSide side, OrderType type, decimal quantity,
        decimal? limit, decimal? stop, long? excludeOrderId, DateTimeOffset now, CancellationToken ct)
    {
        if (p.BrokerPlugin != BrokerPlugins.Paper) return null; // a live broker runs its own checks
        var (last, _) = await ReferencePriceAsync(db, instrumentId, now, ct);
        var unit = UnitPrice(type, side, limit, stop, last, p.SlippageBps);
        if (unit is null) return "No price is known for this instrument yet, so the order's cost cannot be checked: import or sync its bars first.";
        var held = await db.Positions.Where(x => x.PortfolioId == p.Id && x.InstrumentId == instrumentId).Select(x => (decimal?)x.Quantity).SingleOrDefaultAsync(ct) ?? 0;
        if (side == OrderSide.Buy)
        {
            var cost = unit.Value * quantity + PaperExecution.EstimatedCommission(p, quantity, unit.Value);
            // Covering a short releases its reserved cash, so only the part beyond the short needs cash.
            var covering = held < 0 ? Math.Min(quantity, -held) : 0;
            var needed = cost - covering * unit.Value;
            var reserved = await ReservedByBuysAsync(db, p, excludeOrderId, now, ct);
            var available = p.CashBalance - reserved;
            if (needed > available)
                return $"Not enough cash: this order needs about {needed:N2} {p.BaseCurrency}; {available:N2} is available ({p.CashBalance:N2} cash less {reserved:N2} reserved by working buy orders).";
            return null;
        }
        var working = await WorkingSellsAsync(db, p.Id, instrumentId, excludeOrderId, ct);
        var sellable = Math.Max(0, held - working);
        if (quantity <= sellable) return null;
        if (!p.AllowShorting)
            return $"Shorting is off for this portfolio: you hold {held:0.########} and working sell orders cover {working:0.########}, so at most {sellable:0.########} can be sold.";
        var shortValue = (quantity - sellable) * unit.Value;
        var reservedBuys = await ReservedByBuysAsync(db, p, excludeOrderId, now, ct);
        var free = p.CashBalance - reservedBuys;
        return shortValue > free
            ? $"Not enough buying power to short: the short part is worth about {shortValue:N2} {p.BaseCurrency} and needs that much free cash as margin; {free:N2} is free."
            : null;
    }

    /// <summary>The price an order is expected to trade at: its limit, its stop, or the last close moved against the trader by the slippage.</summary>
    internal static decimal? UnitPrice(OrderType type, OrderSide side, decimal? limit, decimal? stop, decimal? last, decimal slippageBps)
    {
        if (type is OrderType.Limit or OrderType.StopLimit && limit is { } l) return l;
        var basis = type == OrderType.StopLoss && stop is { } s ? s : last;
        if (basis is null) return null;
        var slip = basis.Value * slippageBps / 10_000m;
        return side == OrderSide.Buy ? basis + slip : basis - slip;
    }

    /// <summary>Cash held back for working buy orders: their unfilled quantity at their expected price plus commission.</summary>
    internal static async Task<decimal> ReservedByBuysAsync(AppDbContext db, Portfolio p, long? excludeOrderId, DateTimeOffset now, CancellationToken ct)
    {
        var buys = await db.Orders.AsNoTracking()
            .Where(o => o.PortfolioId == p.Id && o.Side == OrderSide.Buy && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled) && o.Id != (excludeOrderId ?? 0))
            .Select(o => new { o.InstrumentId, o.OrderType, o.Quantity, o.FilledQuantity, o.Price, o.StopPrice, o.ParentOrderId }).ToListAsync(ct);
        if (buys.Count == 0) return 0;
        var ids = buys.Select(b => b.InstrumentId).Distinct().ToList();
        var lasts = await db.PriceBars.AsNoTracking().Where(b => ids.Contains(b.InstrumentId) && b.Interval == Intervals.OneDay && b.Ts <= now)
            .GroupBy(b => b.InstrumentId).Select(g => new { g.Key, Close = g.OrderByDescending(b => b.Ts).Select(b => b.Close).First() }).ToListAsync(ct);
        var last = lasts.ToDictionary(l => l.Key, l => (decimal)l.Close);
        decimal total = 0;
        foreach (var b in buys)
        {
            if (b.ParentOrderId is not null) continue; // a bracket exit buying back a short: covered by the short's own margin
            var unit = UnitPrice(b.OrderType, OrderSide.Buy, b.Price, b.StopPrice, last.TryGetValue(b.InstrumentId, out var c) ? c : null, p.SlippageBps) ?? 0;
            var q = b.Quantity - b.FilledQuantity;
            total += unit * q + PaperExecution.EstimatedCommission(p, q, unit);
        }
        return total;
    }

    private static async Task<decimal> WorkingSellsAsync(AppDbContext db, long portfolioId, long instrumentId, long? excludeOrderId, CancellationToken ct) =>
        // Bracket exits share the position (one-cancels-other), so only the larger of a group counts, and pending exits not at all.
        (await db.Orders.AsNoTracking()
            .Where(o => o.PortfolioId == portfolioId && o.InstrumentId == instrumentId && o.Side == OrderSide.Sell
                        && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled) && o.Id != (excludeOrderId ?? 0))
            .Select(o => new { o.OcoGroup, Remaining = o.Quantity - o.FilledQuantity }).ToListAsync(ct))
        .GroupBy(o => o.OcoGroup?.ToString() ?? Guid.NewGuid().ToString())
        .Sum(g => g.Max(x => x.Remaining));

    private static Order NewOrder(Portfolio p, OrderTicket t, DateTimeOffset now) => new()
    {
        UserId = p.UserId, PortfolioId = p.Id, InstrumentId = t.InstrumentId, ClientOrderId = NewClientOrderId(), Side = t.Side, OrderType = t.Type,
        TimeInForce = t.TimeInForce, Quantity = t.Quantity, Price = t.LimitPrice, StopPrice = t.StopPrice, RecommendationId = t.RecommendationId,
        StrategyId = t.StrategyId, WindowStart = t.WindowStart, WindowEnd = t.WindowEnd, PlacedAt = now, Note = t.Note, FeeCurrency = p.BaseCurrency,
        CreatedAt = now, UpdatedAt = now,
    };

    private static Order ExitOrder(Portfolio p, Order entry, OrderSide side, OrderType type, decimal? limit, decimal? stop, Guid group, DateTimeOffset now, string note) => new()
    {
        UserId = p.UserId, PortfolioId = p.Id, InstrumentId = entry.InstrumentId, ClientOrderId = NewClientOrderId(), Side = side, OrderType = type,
        TimeInForce = TimeInForce.Gtc, Quantity = entry.Quantity, Price = limit, StopPrice = stop, RecommendationId = entry.RecommendationId,
        StrategyId = entry.StrategyId, ParentOrderId = entry.Id, OcoGroup = group, Status = OrderStatus.Pending, PlacedAt = now, Note = note,
        FeeCurrency = p.BaseCurrency, CreatedAt = now, UpdatedAt = now,
    };

    internal static string NewClientOrderId() => "sb-" + Guid.NewGuid().ToString("N");
}
