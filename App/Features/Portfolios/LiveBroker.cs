using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Portfolios.Brokers;

namespace Signalbook.Features.Portfolios;

/// <summary>What one sync of a live-broker portfolio brought in.</summary>
public sealed record LiveSync(long PortfolioId, int NewFills, int OrdersUpdated);

/// <summary>
/// Routes a non-paper portfolio's orders to its broker (Alpaca) and brings the broker's fills, order states and cash
/// back: fills become trades (unique per broker trade id, so a sync can repeat), then the valuation is rebuilt as for
/// paper portfolios. The broker runs its own cash and buying-power checks; its refusals are stored as rejections.
/// </summary>
public sealed class LiveBroker(IDbContextFactory<AppDbContext> factory, BrokerClientFactory clients, PortfolioValuation valuation, TimeProvider clock)
{
    /// <summary>Submits a stored (not yet sent) order and its bracket exits; updates the order from the broker's answer.</summary>
    internal async Task SubmitAsync(AppDbContext db, Portfolio p, Order order, string symbol, decimal? takeProfit, decimal? stopLoss, CancellationToken ct)
    {
        IBrokerClient client;
        try
        {
            client = await clients.CreateAsync(p, ct);
        }
        catch (BrokerSetupException e)
        {
            throw new TradingValidationException("PortfolioId", e.Message);
        }
        var bracket = takeProfit is not null || stopLoss is not null;
        var ack = await client.SubmitOrderAsync(new BrokerOrderRequest(symbol, order.Side, order.OrderType, order.Quantity, order.TimeInForce, order.ClientOrderId,
            order.Price, order.StopPrice, bracket ? BrokerOrderClass.Bracket : BrokerOrderClass.Simple, takeProfit, stopLoss), ct);
        var now = clock.GetUtcNow();
        order.BrokerOrderId = ack.BrokerOrderId;
        order.Status = ack.Accepted ? ack.Status : OrderStatus.Rejected;
        order.RejectReason = ack.Accepted ? null : ack.RejectReason;
        if (!ack.Accepted) order.CancelledAt = now;
        order.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    internal async Task<bool> CancelAsync(Portfolio p, Order order, CancellationToken ct)
    {
        if (order.BrokerOrderId is null) return true;
        var client = await clients.CreateAsync(p, ct);
        var result = await client.CancelOrderAsync(order.BrokerOrderId, ct);
        if (!result.Accepted) throw new TradingValidationException("OrderId", result.Reason ?? "The broker refused to cancel the order.");
        return true;
    }

    /// <summary>Brings in fills since the last sync, order states and the account's cash, then revalues.</summary>
    public async Task<LiveSync> SyncAsync(long portfolioId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var p = await db.Portfolios.FromSqlInterpolated($"SELECT * FROM portfolios WHERE id = {portfolioId} FOR UPDATE").SingleOrDefaultAsync(ct)
                ?? throw new TradingNotFoundException("Portfolio");
        if (p.BrokerPlugin == BrokerPlugins.Paper) return new LiveSync(p.Id, 0, 0);
        var client = await clients.CreateAsync(p, ct);
        var since = (p.ProcessedThrough ?? p.CreatedAt) - TimeSpan.FromHours(1);
        var fills = await client.GetFillsSinceAsync(since, ct: ct);
        var orders = await db.Orders.Where(o => o.PortfolioId == p.Id && o.BrokerOrderId != null).ToDictionaryAsync(o => o.BrokerOrderId!, ct);
        var known = (await db.Trades.Where(t => t.PortfolioId == p.Id).Select(t => t.BrokerTradeId).ToListAsync(ct)).ToHashSet();
        var symbols = fills.Select(f => f.Symbol).Distinct().ToList();
        var instruments = await db.Instruments.AsNoTracking().Where(i => symbols.Contains(i.Symbol)).GroupBy(i => i.Symbol)
            .Select(g => new { g.Key, Id = g.Min(i => i.Id) }).ToDictionaryAsync(g => g.Key, g => g.Id, ct);
        var added = 0;
        foreach (var f in fills.Where(f => !known.Contains(f.BrokerTradeId)))
        {
            var order = orders.GetValueOrDefault(f.BrokerOrderId);
            var instrumentId = order?.InstrumentId ?? (instruments.TryGetValue(f.Symbol, out var id) ? id : 0);
            if (instrumentId == 0) continue; // a fill on a symbol the app does not know: left at the broker
            db.Trades.Add(new Trade
            {
                PortfolioId = p.Id, OrderId = order?.Id, InstrumentId = instrumentId, BrokerTradeId = f.BrokerTradeId, Side = f.Side, Quantity = f.Quantity,
                Price = f.Price, Value = f.Quantity * f.Price, FeeCurrency = p.BaseCurrency, Rule = "broker fill", ExecutedAt = f.ExecutedAt,
            });
            added++;
        }
        var updated = 0;
        foreach (var order in orders.Values.Where(o => OrderService.IsWorking(o.Status)))
        {
            var u = await client.GetOrderAsync(order.BrokerOrderId!, ct);
            if (u.Status == order.Status && u.FilledQuantity == order.FilledQuantity) continue;
            order.Status = u.Status;
            order.FilledQuantity = Math.Min(order.Quantity, u.FilledQuantity);
            order.AverageFillPrice = u.AverageFillPrice;
            order.FilledAt = u.FilledAt;
            order.CancelledAt = u.CancelledAt ?? u.ExpiredAt ?? u.FailedAt;
            order.UpdatedAt = now;
            updated++;
        }
        var account = await client.GetAccountAsync(ct);
        p.CashBalance = account.Cash;
        p.ProcessedThrough = now;
        await db.SaveChangesAsync(ct);
        await valuation.RefreshAsync(db, p, now, ct);
        await tx.CommitAsync(ct);
        return new LiveSync(p.Id, added, updated);
    }
}
