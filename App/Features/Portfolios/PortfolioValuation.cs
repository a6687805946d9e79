using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios.Performance;


namespace Signalbook.Features.Portfolios;

/// <summary>
/// Rebuilds what a portfolio's pages read from its ledger (trades, cash flows, splits) and the stored daily closes:
/// positions from a FIFO replay of every trade (average cost, realised P&amp;L, each trade's own realised P&amp;L), marked to
/// the latest close; the daily equity curve, cash, daily P&amp;L, drawdown and gross exposure as analytics series; the
/// performance figures; and the portfolio's cached balances and metrics. One replay per run keeps them consistent with
/// the ledger whatever happened before (a correction, a split), at a cost linear in the portfolio's history.
/// </summary>
public sealed class PortfolioValuation(TimeProvider clock)
{
    private static readonly string[] Series = [AnalyticsMetrics.Equity, AnalyticsMetrics.Cash, AnalyticsMetrics.DailyPnl, AnalyticsMetrics.Drawdown, AnalyticsMetrics.GrossExposure];

    /// <summary>Refreshes inside the caller's transaction (the paper broker holds the portfolio's row lock).</summary>
    public async Task RefreshAsync(AppDbContext db, Portfolio p, DateTimeOffset now, CancellationToken ct)
    {
        var trades = await db.Trades.Where(t => t.PortfolioId == p.Id).OrderBy(t => t.ExecutedAt).ThenBy(t => t.Id).ToListAsync(ct);
        var flows = await db.CashFlows.AsNoTracking().Where(c => c.PortfolioId == p.Id).OrderBy(c => c.OccurredAt).ToListAsync(ct);
        var instrumentIds = trades.Select(t => t.InstrumentId).Distinct().ToList();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        // A split counts from its ex-date's open at the exchange (as the paper broker restates orders then), not from UTC midnight.
        var calendars = await db.Instruments.AsNoTracking().Where(i => instrumentIds.Contains(i.Id))
            .ToDictionaryAsync(i => i.Id, i => ExchangeCalendar.For(i.Exchange, i.TimeZone), ct);
        var splits = (await db.InstrumentSplits.AsNoTracking().Where(s => instrumentIds.Contains(s.InstrumentId) && s.ExDate <= today.AddDays(1))
                .OrderBy(s => s.ExDate).ToListAsync(ct))
            .Where(s => calendars[s.InstrumentId].At(s.ExDate, calendars[s.InstrumentId].Open) <= now).ToList();

        // The kernels date a fill by the UTC date of its timestamp, bars and splits by their trading date. A fill at an exchange
        // whose session starts before 00:00 UTC (Sydney opens at 23:00 UTC the day before) is stamped at the start of its
        // trading date instead, so it is booked with that day's bar and after that day's split.
        var fills = trades.Select(t =>
            {
                var tradingDate = calendars[t.InstrumentId].LocalDate(t.ExecutedAt);
                var at = DateOnly.FromDateTime(t.ExecutedAt.UtcDateTime) == tradingDate ? t.ExecutedAt : ExchangeCalendar.DailyBarTs(tradingDate);
                return (Trade: t, Fill: new Fill(t.InstrumentId, t.Side, t.Quantity, t.Price, t.Commission + t.Fee, at, t.Id));
            })
            .OrderBy(x => x.Fill.Timestamp).ThenBy(x => x.Trade.ExecutedAt).ThenBy(x => x.Trade.Id).ToList();
        var executedAt = trades.ToDictionary(t => t.Id, t => t.ExecutedAt);

        // FIFO replay; a split applies before the first fill on or after its ex-date.
        var book = new LotBook();
        var splitIndex = 0;
        foreach (var (t, fill) in fills)
        {
            var date = fill.Date;
            for (; splitIndex < splits.Count && splits[splitIndex].ExDate <= date; splitIndex++) book.ApplySplit(splits[splitIndex].InstrumentId, splits[splitIndex].Ratio);
            var result = book.Apply(fill);
            decimal? pnl = result.ClosedQuantity > 0 ? decimal.Round(result.RealisedPnl, 6) : null;
            double? pct = null;
            if (pnl is not null)
            {
                var basis = result.Pieces.Sum(x => x.Quantity * x.OpenPrice);
                pct = basis == 0 ? null : (double)(result.RealisedPnl / basis * 100m);
            }
            if (t.Pnl != pnl) t.Pnl = pnl;
            if (t.PnlPercent != pct) t.PnlPercent = pct;
        }
        for (; splitIndex < splits.Count; splitIndex++) book.ApplySplit(splits[splitIndex].InstrumentId, splits[splitIndex].Ratio);

        // The daily grid: every trading day with a close of an instrument the portfolio traded, from its first day.
        var startDay = new[] { DateOnly.FromDateTime(p.CreatedAt.UtcDateTime) }
            .Concat(fills.Take(1).Select(f => f.Fill.Date))
            .Concat(flows.Take(1).Select(f => DateOnly.FromDateTime(f.OccurredAt.UtcDateTime))).Min();
        var seedFrom = ExchangeCalendar.DailyBarTs(startDay.AddDays(-10));
        var closes = instrumentIds.Count == 0 ? [] : await db.PriceBars.AsNoTracking()
            .Where(b => instrumentIds.Contains(b.InstrumentId) && b.Interval == Intervals.OneDay && b.Ts >= seedFrom && b.Ts <= now)
            .Select(b => new { b.InstrumentId, b.Ts, b.Close }).ToListAsync(ct);
        // A close exists once its session has ended at the exchange: a bar stored early (a back-fill, a test) is not used before.
        closes = closes.Where(c => calendars[c.InstrumentId] is var cal && cal.At(DateOnly.FromDateTime(c.Ts.UtcDateTime), cal.Close) <= now).ToList();
        var dailyCloses = closes.Select(c => new DailyClose(c.InstrumentId, DateOnly.FromDateTime(c.Ts.UtcDateTime), (decimal)c.Close)).ToList();
        var days = dailyCloses.Select(c => c.Date).Where(d => d >= startDay && d <= today).Distinct().Order().ToList();
        if (days.Count == 0 || days[^1] < today && trades.Count == 0) days.Add(today);
        var grid = PriceGrid.FromCloses(days.ToArray(), dailyCloses);
        var curve = EquityCurve.Build(grid, p.StartingCash,
            flows.Select(f => new Performance.CashFlow(DateOnly.FromDateTime(f.OccurredAt.UtcDateTime), f.Amount)).ToArray(),
            fills.Select(f => f.Fill).ToArray(),
            splits.Select(s => new Split(s.InstrumentId, s.ExDate, s.Ratio)).ToArray());
        var report = PerformanceMetrics.Compute(curve, book.ClosedTrades);

        // Positions, marked to each instrument's latest close.
        var latest = closes.GroupBy(c => c.InstrumentId).ToDictionary(g => g.Key, g => g.MaxBy(c => c.Ts)!);
        var existing = await db.Positions.Where(x => x.PortfolioId == p.Id).ToDictionaryAsync(x => x.InstrumentId, ct);
        decimal marketValue = 0;
        foreach (var pos in book.Positions)
        {
            if (pos.Quantity == 0)
            {
                if (existing.Remove(pos.InstrumentId, out var gone)) db.Positions.Remove(gone);
                continue;
            }
            if (!existing.Remove(pos.InstrumentId, out var row))
            {
                row = new Position { PortfolioId = p.Id, InstrumentId = pos.InstrumentId };
                db.Positions.Add(row);
            }
            // The latest close, restated for splits that went ex after its day (the quantity already counts them).
            var mark = latest.TryGetValue(pos.InstrumentId, out var m)
                ? splits.Where(s => s.InstrumentId == pos.InstrumentId && s.ExDate > DateOnly.FromDateTime(m.Ts.UtcDateTime))
                    .Aggregate((decimal)m.Close, (close, s) => close / s.Ratio)
                : (decimal?)null;
            var price = mark ?? pos.AveragePrice ?? 0;
            row.Quantity = pos.Quantity;
            row.EntryPrice = decimal.Round(pos.AverageCost ?? 0, 6);
            row.CurrentPrice = mark;
            row.MarketValue = decimal.Round(pos.MarketValue(price), 6);
            row.UnrealizedPnl = decimal.Round(pos.UnrealisedPnl(price), 6);
            row.UnrealizedPnlPercent = pos.UnrealisedPercent(price) is { } u && double.IsFinite(u) ? u * 100 : 0;
            row.RealizedPnl = decimal.Round(pos.RealisedPnl, 6);
            row.OpenedAt = pos.OpenLots.Count == 0 ? now : pos.OpenLots[0].TradeId is { } tid ? executedAt[tid] : pos.OpenLots[0].OpenedAt;
            row.PricedAt = m?.Ts;
            row.UpdatedAt = now;
            marketValue += row.MarketValue;
        }
        foreach (var stale in existing.Values) db.Positions.Remove(stale);

        // Analytics: the full daily series, replaced.
        await db.Analytics.Where(a => a.PortfolioId == p.Id && (Series.Contains(a.Metric) || a.Metric == AnalyticsMetrics.Performance)).ExecuteDeleteAsync(ct);
        var drawdown = report.Drawdown.Series;
        for (var d = 0; d < curve.Count; d++)
        {
            var ts = ExchangeCalendar.DailyBarTs(curve.Days[d]);
            db.Analytics.AddRange(
                new PortfolioAnalytic { PortfolioId = p.Id, Metric = AnalyticsMetrics.Equity, Value = (double)curve.Equity[d], Timestamp = ts },
                new PortfolioAnalytic { PortfolioId = p.Id, Metric = AnalyticsMetrics.Cash, Value = (double)curve.Cash[d], Timestamp = ts },
                new PortfolioAnalytic { PortfolioId = p.Id, Metric = AnalyticsMetrics.DailyPnl, Value = (double)curve.DailyPnl[d], Timestamp = ts },
                new PortfolioAnalytic { PortfolioId = p.Id, Metric = AnalyticsMetrics.Drawdown, Value = d < drawdown.Count ? drawdown[d] : 0, Timestamp = ts },
                new PortfolioAnalytic { PortfolioId = p.Id, Metric = AnalyticsMetrics.GrossExposure, Value = (double)curve.GrossExposure[d], Timestamp = ts });
        }
        var view = new PerformanceView(report.Returns.TimeWeightedReturn, report.Returns.AnnualisedReturn, report.Risk.Sharpe, report.Risk.Sortino,
            report.Drawdown.MaxDrawdown, report.Drawdown.PeakDate, report.Drawdown.TroughDate, report.Drawdown.RecoveryDate, report.Trades.WinRate,
            report.Trades.ProfitFactor, report.Trades.Trades, report.Exposure.TimeInMarket, report.Exposure.AverageGrossExposure);
        db.Analytics.Add(new PortfolioAnalytic
        {
            PortfolioId = p.Id, Metric = AnalyticsMetrics.Performance, Value = report.Returns.TimeWeightedReturn,
            PlotData = JsonSerializer.Serialize(view, AnalyticsMetrics.Json), Timestamp = now,
        });

        // The portfolio's cached figures.
        var contributed = p.StartingCash + flows.Sum(f => f.Amount);
        p.TotalValue = decimal.Round(p.CashBalance + marketValue, 6);
        p.TotalPnl = p.TotalValue - contributed;
        p.TotalPnlPercent = report.Returns.TimeWeightedReturn * 100;
        p.DailyPnl = curve.Count > 0 && curve.Days[^1] == days[^1] ? decimal.Round(curve.DailyPnl[^1], 6) : 0;
        p.SharpeRatio = report.Risk.Sharpe;
        p.MaxDrawdown = report.Drawdown.MaxDrawdown;
        p.WinRate = report.Trades.WinRate;
        p.ValuedAt = clock.GetUtcNow();
        p.UpdatedAt = p.ValuedAt.Value;
        await db.SaveChangesAsync(ct);
    }
}
