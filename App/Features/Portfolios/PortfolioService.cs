using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;

namespace Signalbook.Features.Portfolios;

/// <summary>
/// Portfolios and what the portfolio pages read (percentages are stored as the seed's percent, 5.56 = 5.56 %, and handed
/// to the pages as fractions, 0.0556): create, settings, cash, holdings, orders, trades, the stored equity
/// curve and performance. Every query is scoped by <see cref="TradingCaller"/>: owners read and change their own,
/// admins read anyone's, everyone else gets not-found.
/// </summary>
public sealed class PortfolioService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const int SparklineDays = 30;
    public const decimal MaxCash = 1_000_000_000_000m;

    public async Task<long> CreateAsync(TradingCaller caller, NewPortfolio input, CancellationToken ct = default)
    {
        if (!caller.CanCreate) throw new TradingForbiddenException("Viewers cannot create portfolios.");
        var name = ValidateName(input.Name);
        if (input.StartingCash <= 0) throw new TradingValidationException("StartingCash", $"Starting cash must be greater than zero; got {input.StartingCash}.");
        if (input.StartingCash > MaxCash) throw new TradingValidationException("StartingCash", $"Starting cash must be at most {MaxCash:N0}.");
        var currency = (input.BaseCurrency ?? "").Trim().ToUpperInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)) throw new TradingValidationException("BaseCurrency", $"Base currency must be a three-letter ISO code such as USD; got '{input.BaseCurrency}'.");

        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Portfolios.AnyAsync(p => p.UserId == caller.UserId && p.Name == name, ct))
            throw new TradingValidationException("Name", $"You already have a portfolio named '{name}'.");
        if (input.BenchmarkInstrumentId is { } bench && !await db.Instruments.AnyAsync(i => i.Id == bench, ct))
            throw new TradingValidationException("BenchmarkInstrumentId", "The benchmark instrument does not exist.");
        var now = clock.GetUtcNow();
        var portfolio = new Portfolio
        {
            UserId = caller.UserId, Name = name, Description = Trim(input.Description, 1000), BaseCurrency = currency,
            StartingCash = input.StartingCash, CashBalance = input.StartingCash, TotalValue = input.StartingCash,
            AllowShorting = input.AllowShorting, BenchmarkInstrumentId = input.BenchmarkInstrumentId,
            ProcessedThrough = now, ValuedAt = now, CreatedAt = now, UpdatedAt = now,
        };
        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync(ct);
        return portfolio.Id;
    }

    /// <summary>The caller's portfolios, or (for an admin) another user's.</summary>
    public async Task<IReadOnlyList<PortfolioSummary>> ListAsync(TradingCaller caller, Guid? ownerId = null, CancellationToken ct = default)
    {
        var owner = ownerId ?? caller.UserId;
        if (!caller.CanRead(owner)) return [];
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.Portfolios.AsNoTracking().Where(p => p.UserId == owner).OrderBy(p => p.Name)
            .Select(p => new
            {
                p.Id, p.UserId, p.Name, p.IsPaper, p.IsActive, p.BaseCurrency, p.BrokerPlugin, p.TotalValue, p.CashBalance, p.DailyPnl, p.TotalPnl,
                p.TotalPnlPercent, p.ValuedAt,
                Positions = db.Positions.Count(x => x.PortfolioId == p.Id),
                OpenOrders = db.Orders.Count(o => o.PortfolioId == p.Id && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Pending)),
            }).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var equity = await db.Analytics.AsNoTracking().Where(a => ids.Contains(a.PortfolioId) && a.Metric == AnalyticsMetrics.Equity)
            .GroupBy(a => a.PortfolioId)
            .Select(g => new { g.Key, Points = g.OrderByDescending(a => a.Timestamp).Take(SparklineDays).Select(a => new { a.Timestamp, a.Value }).ToList() })
            .ToListAsync(ct);
        var spark = equity.ToDictionary(e => e.Key, e => (IReadOnlyList<double>)e.Points.OrderBy(p => p.Timestamp).Select(p => p.Value ?? 0).ToList());
        return rows.Select(r =>
        {
            var previous = r.TotalValue - r.DailyPnl;
            return new PortfolioSummary(r.Id, r.UserId, r.Name, r.IsPaper, r.IsActive, r.BaseCurrency, r.BrokerPlugin, r.TotalValue, r.CashBalance, r.DailyPnl,
                previous == 0 ? 0 : (double)(r.DailyPnl / previous), r.TotalPnl, r.TotalPnlPercent / 100, r.Positions, r.OpenOrders,
                spark.GetValueOrDefault(r.Id) ?? [], r.ValuedAt);
        }).ToList();
    }

    public async Task<PortfolioDetail> DetailAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null || !caller.CanRead(p.UserId)) throw new TradingNotFoundException("Portfolio");
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == p.UserId).Select(u => u.Email).SingleOrDefaultAsync(ct) ?? "";
        var bench = p.BenchmarkInstrumentId is { } b ? await db.Instruments.AsNoTracking().Where(i => i.Id == b).Select(i => i.Symbol).SingleOrDefaultAsync(ct) : null;
        return new PortfolioDetail(p.Id, p.UserId, owner, p.Name, p.Description, p.IsPaper, p.IsActive, p.BaseCurrency, p.StartingCash, p.CashBalance, p.TotalValue,
            p.TotalPnl, p.TotalPnlPercent / 100, p.DailyPnl, p.SharpeRatio, p.MaxDrawdown, p.WinRate, bench, SettingsOf(p), p.ValuedAt, p.CreatedAt,
            caller.CanTrade(p.UserId));
    }

    public async Task UpdateSettingsAsync(TradingCaller caller, long id, PortfolioSettings s, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null) throw new TradingNotFoundException("Portfolio");
        caller.EnsureTrade(p.UserId, "Portfolio");
        var name = ValidateName(s.Name);
        if (name != p.Name && await db.Portfolios.AnyAsync(x => x.UserId == p.UserId && x.Name == name && x.Id != id, ct))
            throw new TradingValidationException("Name", $"You already have a portfolio named '{name}'.");
        NonNegative("CommissionPerShare", "Commission per share", s.CommissionPerShare);
        NonNegative("CommissionPercent", "Commission percent", s.CommissionPercent);
        NonNegative("CommissionPerOrder", "Commission per order", s.CommissionPerOrder);
        NonNegative("CommissionMinimum", "Minimum commission", s.CommissionMinimum);
        NonNegative("SlippageBps", "Slippage", s.SlippageBps);
        if (s.CommissionPercent > 10) throw new TradingValidationException("CommissionPercent", $"Commission percent must be at most 10 %; got {s.CommissionPercent}.");
        if (s.SlippageBps > 1000) throw new TradingValidationException("SlippageBps", $"Slippage must be at most 1000 basis points; got {s.SlippageBps}.");
        if (s.MaxVolumeShare is < 0 or > 1) throw new TradingValidationException("MaxVolumeShare", $"The volume cap is a share between 0 and 1 (0 = no cap); got {s.MaxVolumeShare}.");
        if (!BrokerPlugins.All.Contains(s.BrokerPlugin)) throw new TradingValidationException("BrokerPlugin", $"Unknown broker plugin '{s.BrokerPlugin}'; choose one of {string.Join(", ", BrokerPlugins.All)}.");
        if (s.BenchmarkInstrumentId is { } bench && !await db.Instruments.AnyAsync(i => i.Id == bench, ct))
            throw new TradingValidationException("BenchmarkInstrumentId", "The benchmark instrument does not exist.");
        if (s.BrokerPlugin == BrokerPlugins.Alpaca)
        {
            if (s.BrokerCredentialId is not { } cred) throw new TradingValidationException("BrokerCredentialId", "Choose the Alpaca keys this portfolio trades with.");
            var key = await db.BrokerCredentials.AsNoTracking().SingleOrDefaultAsync(k => k.Id == cred && k.UserId == p.UserId && k.RevokedAt == null, ct)
                      ?? throw new TradingValidationException("BrokerCredentialId", "Those broker keys do not exist or were revoked.");
            if (key.Environment == "live" && !s.LiveTradingEnabled)
                throw new TradingValidationException("LiveTradingEnabled", "These are live keys: turn on live trading for this portfolio (and confirm) to use them.");
        }
        if (p.BrokerPlugin != s.BrokerPlugin && await db.Orders.AnyAsync(o => o.PortfolioId == id && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled || o.Status == OrderStatus.Pending), ct))
            throw new TradingValidationException("BrokerPlugin", "Cancel the working orders before changing the broker.");

        p.Name = name;
        p.Description = Trim(s.Description, 1000);
        p.IsActive = s.IsActive;
        p.AllowShorting = s.AllowShorting;
        p.CommissionPerShare = s.CommissionPerShare;
        p.CommissionPercent = s.CommissionPercent;
        p.CommissionPerOrder = s.CommissionPerOrder;
        p.CommissionMinimum = s.CommissionMinimum;
        p.SlippageBps = s.SlippageBps;
        p.MaxVolumeShare = s.MaxVolumeShare;
        p.BenchmarkInstrumentId = s.BenchmarkInstrumentId;
        p.BrokerPlugin = s.BrokerPlugin;
        p.IsPaper = s.BrokerPlugin == BrokerPlugins.Paper || !s.LiveTradingEnabled;
        p.BrokerCredentialId = s.BrokerPlugin == BrokerPlugins.Paper ? null : s.BrokerCredentialId;
        p.LiveTradingEnabled = s.BrokerPlugin != BrokerPlugins.Paper && s.LiveTradingEnabled;
        p.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A deposit (positive) or withdrawal (negative): an external flow, left out of time-weighted return.</summary>
    public async Task AddCashFlowAsync(TradingCaller caller, long id, decimal amount, string? note, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new TradingNotFoundException("Portfolio");
        caller.EnsureTrade(p.UserId, "Portfolio");
        if (amount == 0) throw new TradingValidationException("Amount", "Enter an amount other than zero (positive to deposit, negative to withdraw).");
        if (Math.Abs(amount) > MaxCash) throw new TradingValidationException("Amount", $"The amount must be at most {MaxCash:N0}.");
        if (!p.IsPaper) throw new TradingValidationException("Amount", "Cash of a live broker account is moved at the broker, not here.");
        if (amount < 0 && -amount > p.CashBalance)
            throw new TradingValidationException("Amount", $"You can withdraw at most the cash balance, {p.CashBalance:N2} {p.BaseCurrency}.");
        var now = clock.GetUtcNow();
        db.CashFlows.Add(new PortfolioCashFlow { PortfolioId = id, Amount = amount, Note = Trim(note, 200), OccurredAt = now });
        p.CashBalance += amount;
        p.TotalValue += amount;
        p.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<CashFlowRow>> CashFlowsAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureReadAsync(db, caller, id, ct);
        return await db.CashFlows.AsNoTracking().Where(c => c.PortfolioId == id).OrderByDescending(c => c.OccurredAt)
            .Select(c => new CashFlowRow(c.Id, c.Amount, c.Note, c.OccurredAt)).ToListAsync(ct);
    }

    public async Task<IReadOnlyList<HoldingRow>> HoldingsAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await EnsureReadAsync(db, caller, id, ct);
        var rows = await (from x in db.Positions.AsNoTracking()
                          where x.PortfolioId == id
                          join i in db.Instruments on x.InstrumentId equals i.Id
                          orderby i.Symbol
                          select new { x, i.Symbol, i.Name, i.Exchange }).ToListAsync(ct);
        var gross = rows.Sum(r => Math.Abs(r.x.MarketValue));
        var denominator = p.TotalValue > 0 ? p.TotalValue : gross;
        return rows.Select(r => new HoldingRow(r.x.InstrumentId, r.Symbol, r.Name, r.Exchange, r.x.Quantity, r.x.EntryPrice, r.x.CurrentPrice, r.x.MarketValue,
            r.x.UnrealizedPnl, r.x.UnrealizedPnlPercent / 100, r.x.RealizedPnl, denominator == 0 ? 0 : (double)(r.x.MarketValue / denominator), r.x.OpenedAt,
            r.x.PricedAt)).ToList();
    }

    public async Task<TradingPage<OrderRow>> OrdersAsync(TradingCaller caller, long id, TradingQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureReadAsync(db, caller, id, ct);
        var query = from o in db.Orders.AsNoTracking()
                    where o.PortfolioId == id
                    join i in db.Instruments on o.InstrumentId equals i.Id
                    select new { o, i.Symbol };
        if (!string.IsNullOrWhiteSpace(q.Symbol))
        {
            var s = q.Symbol.Trim().ToUpperInvariant();
            query = query.Where(x => x.Symbol.StartsWith(s));
        }
        if (q.WorkingOnly) query = query.Where(x => x.o.Status == OrderStatus.Open || x.o.Status == OrderStatus.PartiallyFilled || x.o.Status == OrderStatus.Pending);
        var total = await query.CountAsync(ct);
        query = (q.SortBy, q.Descending) switch
        {
            ("Symbol", false) => query.OrderBy(x => x.Symbol).ThenByDescending(x => x.o.Id),
            ("Symbol", true) => query.OrderByDescending(x => x.Symbol).ThenByDescending(x => x.o.Id),
            ("Status", false) => query.OrderBy(x => x.o.Status).ThenByDescending(x => x.o.Id),
            ("Status", true) => query.OrderByDescending(x => x.o.Status).ThenByDescending(x => x.o.Id),
            (_, false) => query.OrderBy(x => x.o.CreatedAt).ThenBy(x => x.o.Id),
            _ => query.OrderByDescending(x => x.o.CreatedAt).ThenByDescending(x => x.o.Id),
        };
        var rows = await query.Skip(Math.Max(0, q.Skip)).Take(Math.Clamp(q.Take, 1, 500))
            .Select(x => new OrderRow(x.o.Id, x.o.ClientOrderId, x.o.InstrumentId, x.Symbol, x.o.Side, x.o.OrderType, x.o.TimeInForce, x.o.Status, x.o.Quantity,
                x.o.FilledQuantity, x.o.Price, x.o.StopPrice, x.o.AverageFillPrice, x.o.Fee, x.o.RecommendationId, x.o.StrategyId, x.o.ParentOrderId,
                x.o.RejectReason, x.o.Note, x.o.CreatedAt, x.o.FilledAt, x.o.CancelledAt)).ToListAsync(ct);
        return new TradingPage<OrderRow>(rows, total);
    }

    public async Task<TradingPage<TradeRow>> TradesAsync(TradingCaller caller, long id, TradingQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureReadAsync(db, caller, id, ct);
        var query = from t in db.Trades.AsNoTracking()
                    where t.PortfolioId == id
                    join i in db.Instruments on t.InstrumentId equals i.Id
                    select new { t, i.Symbol };
        if (!string.IsNullOrWhiteSpace(q.Symbol))
        {
            var s = q.Symbol.Trim().ToUpperInvariant();
            query = query.Where(x => x.Symbol.StartsWith(s));
        }
        var total = await query.CountAsync(ct);
        query = (q.SortBy, q.Descending) switch
        {
            ("Symbol", false) => query.OrderBy(x => x.Symbol).ThenByDescending(x => x.t.Id),
            ("Symbol", true) => query.OrderByDescending(x => x.Symbol).ThenByDescending(x => x.t.Id),
            ("Pnl", false) => query.OrderBy(x => x.t.Pnl).ThenByDescending(x => x.t.Id),
            ("Pnl", true) => query.OrderByDescending(x => x.t.Pnl).ThenByDescending(x => x.t.Id),
            (_, false) => query.OrderBy(x => x.t.ExecutedAt).ThenBy(x => x.t.Id),
            _ => query.OrderByDescending(x => x.t.ExecutedAt).ThenByDescending(x => x.t.Id),
        };
        var rows = await query.Skip(Math.Max(0, q.Skip)).Take(Math.Clamp(q.Take, 1, 500))
            .Select(x => new TradeRow(x.t.Id, x.t.OrderId, x.t.BrokerTradeId, x.t.InstrumentId, x.Symbol, x.t.Side, x.t.Quantity, x.t.Price, x.t.Value,
                x.t.Commission, x.t.Fee, x.t.Pnl, x.t.PnlPercent / 100, x.t.Rule, x.t.ExecutedAt)).ToListAsync(ct);
        return new TradingPage<TradeRow>(rows, total);
    }

    /// <summary>The stored daily equity curve with drawdown, and the benchmark's closes scaled to the first day's equity.</summary>
    public async Task<IReadOnlyList<EquityPoint>> EquityCurveAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await EnsureReadAsync(db, caller, id, ct);
        var metrics = new[] { AnalyticsMetrics.Equity, AnalyticsMetrics.Cash, AnalyticsMetrics.DailyPnl, AnalyticsMetrics.Drawdown };
        var points = await db.Analytics.AsNoTracking().Where(a => a.PortfolioId == id && metrics.Contains(a.Metric))
            .Select(a => new { a.Metric, a.Timestamp, a.Value }).ToListAsync(ct);
        var byDay = points.GroupBy(a => DateOnly.FromDateTime(a.Timestamp.UtcDateTime)).OrderBy(g => g.Key).ToList();
        if (byDay.Count == 0) return [];
        Dictionary<DateOnly, double> bench = [];
        if (p.BenchmarkInstrumentId is { } b)
        {
            var from = byDay[0].Key.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
            var closes = await db.PriceBars.AsNoTracking().Where(x => x.InstrumentId == b && x.Interval == Intervals.OneDay && x.Ts >= new DateTimeOffset(from))
                .OrderBy(x => x.Ts).Select(x => new { x.Ts, x.Close }).ToListAsync(ct);
            bench = closes.ToDictionary(c => DateOnly.FromDateTime(c.Ts.UtcDateTime), c => c.Close);
        }
        var result = new List<EquityPoint>(byDay.Count);
        double? benchScale = null;
        double lastBench = double.NaN;
        foreach (var day in byDay)
        {
            double V(string m) => day.FirstOrDefault(x => x.Metric == m)?.Value ?? 0;
            var equity = V(AnalyticsMetrics.Equity);
            double? scaled = null;
            if (bench.TryGetValue(day.Key, out var close)) lastBench = close;
            if (!double.IsNaN(lastBench))
            {
                benchScale ??= equity / lastBench;
                scaled = lastBench * benchScale;
            }
            result.Add(new EquityPoint(day.Key, equity, V(AnalyticsMetrics.Cash), V(AnalyticsMetrics.DailyPnl), V(AnalyticsMetrics.Drawdown), scaled));
        }
        return result;
    }

    /// <summary>The performance figures stored by the last analytics run (null before the first).</summary>
    public async Task<PerformanceView?> PerformanceAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureReadAsync(db, caller, id, ct);
        var json = await db.Analytics.AsNoTracking().Where(a => a.PortfolioId == id && a.Metric == AnalyticsMetrics.Performance)
            .OrderByDescending(a => a.Timestamp).Select(a => a.PlotData).FirstOrDefaultAsync(ct);
        return json is null ? null : JsonSerializer.Deserialize<PerformanceView>(json, AnalyticsMetrics.Json);
    }

    /// <summary>The portfolio's universe: the instruments its strategies evaluate (holdings are always included as well).</summary>
    public async Task<IReadOnlyList<InstrumentPick>> AssetsAsync(TradingCaller caller, long id, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await EnsureReadAsync(db, caller, id, ct);
        return await (from a in db.PortfolioAssets.AsNoTracking()
                      where a.PortfolioId == id
                      join i in db.Instruments on a.InstrumentId equals i.Id
                      orderby i.Symbol
                      select new InstrumentPick(i.Id, i.Symbol, i.Exchange, i.Name, i.Currency)).ToListAsync(ct);
    }

    public async Task AddAssetAsync(TradingCaller caller, long id, long instrumentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new TradingNotFoundException("Portfolio");
        caller.EnsureTrade(p.UserId, "Portfolio");
        var instrument = await db.Instruments.AsNoTracking().SingleOrDefaultAsync(i => i.Id == instrumentId, ct)
                         ?? throw new TradingValidationException("InstrumentId", "Unknown instrument: pick a symbol from the list.");
        if (!instrument.IsActive) throw new TradingValidationException("InstrumentId", $"{instrument.Symbol} is inactive.");
        if (await db.PortfolioAssets.AnyAsync(a => a.PortfolioId == id && a.InstrumentId == instrumentId, ct))
            throw new TradingValidationException("InstrumentId", $"{instrument.Symbol} is already in this portfolio's universe.");
        db.PortfolioAssets.Add(new PortfolioAsset { PortfolioId = id, InstrumentId = instrumentId, BrokerPlugin = p.BrokerPlugin, CreatedAt = clock.GetUtcNow() });
        await db.SaveChangesAsync(ct);
    }

    public async Task<bool> RemoveAssetAsync(TradingCaller caller, long id, long instrumentId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var p = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct) ?? throw new TradingNotFoundException("Portfolio");
        caller.EnsureTrade(p.UserId, "Portfolio");
        return await db.PortfolioAssets.Where(a => a.PortfolioId == id && a.InstrumentId == instrumentId).ExecuteDeleteAsync(ct) > 0;
    }

    /// <summary>Instruments a ticket can pick from: active ones matching the text (symbol prefix or name).</summary>
    public async Task<IReadOnlyList<InstrumentPick>> SearchInstrumentsAsync(string? text, int take = 20, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var q = db.Instruments.AsNoTracking().Where(i => i.IsActive);
        if (!string.IsNullOrWhiteSpace(text))
        {
            var t = text.Trim().ToUpperInvariant();
            q = q.Where(i => i.Symbol.StartsWith(t) || (i.Name != null && EF.Functions.ILike(i.Name, "%" + t + "%")));
        }
        return await q.OrderBy(i => i.Symbol).Take(take).Select(i => new InstrumentPick(i.Id, i.Symbol, i.Exchange, i.Name, i.Currency)).ToListAsync(ct);
    }

    internal static async Task<Portfolio> EnsureReadAsync(AppDbContext db, TradingCaller caller, long id, CancellationToken ct)
    {
        var p = await db.Portfolios.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (p is null || !caller.CanRead(p.UserId)) throw new TradingNotFoundException("Portfolio");
        return p;
    }

    internal static PortfolioSettings SettingsOf(Portfolio p) => new(p.Name, p.Description, p.IsActive, p.AllowShorting, p.CommissionPerShare, p.CommissionPercent,
        p.CommissionPerOrder, p.CommissionMinimum, p.SlippageBps, p.MaxVolumeShare, p.BenchmarkInstrumentId, p.BrokerPlugin, p.BrokerCredentialId, p.LiveTradingEnabled);

    private static string ValidateName(string? name)
    {
        var n = (name ?? "").Trim();
        if (n.Length == 0) throw new TradingValidationException("Name", "Give the portfolio a name.");
        if (n.Length > 100) throw new TradingValidationException("Name", $"The name must be at most 100 characters; it has {n.Length}.");
        return n;
    }

    private static void NonNegative(string field, string label, decimal value)
    {
        if (value < 0) throw new TradingValidationException(field, $"{label} cannot be negative; got {value}.");
    }

    private static string? Trim(string? s, int max) => string.IsNullOrWhiteSpace(s) ? null : s.Trim() is var t && t.Length > max ? t[..max] : s.Trim();
}

public sealed record InstrumentPick(long Id, string Symbol, string Exchange, string? Name, string Currency);

/// <summary>Names of the analytics series and the JSON options of their plot data.</summary>
public static class AnalyticsMetrics
{
    public const string Equity = "equity";
    public const string Cash = "cash";
    public const string DailyPnl = "daily_pnl";
    public const string Drawdown = "drawdown";
    public const string GrossExposure = "gross_exposure";
    /// <summary>One row per analytics run: the <see cref="PerformanceView"/> as plot data.</summary>
    public const string Performance = "performance";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
