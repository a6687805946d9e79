using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Service;
using Signalbook.Features.Recommendations;

namespace Signalbook.Features.Dashboard;

/// <summary>
/// What the signed-in home page reads, for the caller's own data only (an admin's dashboard shows the admin's own
/// portfolios, never another trader's): the value of their portfolios (through <see cref="PortfolioService"/>), their
/// working orders, today's fills, their trading service and the top recommendations of their risk profile (only after
/// they accepted the risk disclosure, checked by <see cref="RiskConsentService"/>). Viewers get the portfolio value and
/// the recommendations; the trading cards are null for them. Every query is a small AsNoTracking projection in its own
/// short context, cheap enough to repeat on the page's live refresh.
/// </summary>
public sealed class DashboardService(IDbContextFactory<AppDbContext> factory, PortfolioService portfolios, RiskConsentService consent, TimeProvider clock)
{
    public const int OrdersShown = 8;
    public const int FillsShown = 10;
    public const int RecommendationsShown = 5;

    /// <summary>The key of <c>user_settings.site_prefs</c> that holds the user's IANA time zone (snake case, as the other preferences).</summary>
    public const string TimeZonePreference = "time_zone";

    private static readonly OrderStatus[] Working = [OrderStatus.Pending, OrderStatus.Open, OrderStatus.PartiallyFilled];
    private static readonly string[] Directional = [RecommendationLabels.Buy, RecommendationLabels.Sell];

    /// <summary>Every card the caller may see, read one after the other.</summary>
    public async Task<DashboardView> LoadAsync(TradingCaller caller, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var overview = await PortfoliosAsync(caller, ct);
        var trades = caller.CanCreate;
        var orders = trades ? await OpenOrdersAsync(caller, ct: ct) : null;
        var fills = trades ? await TodaysFillsAsync(caller, ct: ct) : null;
        var recommendations = await TopRecommendationsAsync(caller.UserId, ct: ct);
        var service = trades ? await ServiceAsync(caller, ct) : null;
        return new DashboardView(overview, orders, fills, recommendations, service, clock.GetUtcNow());
    }

    /// <summary>The caller's portfolios: totals of the active ones per base currency, the largest one's curve, and a link to each.</summary>
    public async Task<PortfolioOverview> PortfoliosAsync(TradingCaller caller, CancellationToken ct = default)
    {
        var all = await portfolios.ListAsync(caller, ct: ct);
        var active = all.Where(p => p.IsActive).ToList();
        var totals = active.GroupBy(p => p.BaseCurrency).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var value = g.Sum(p => p.TotalValue);
                var day = g.Sum(p => p.DailyPnl);
                var yesterday = value - day;
                return new CurrencyTotal(g.Key, g.Count(), value, day, yesterday == 0 ? 0 : (double)(day / yesterday), g.Sum(p => p.TotalPnl));
            }).ToList();
        var main = active.OrderByDescending(p => p.TotalValue).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
        var links = all.OrderByDescending(p => p.IsActive).ThenByDescending(p => p.TotalValue).ThenBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => new PortfolioLink(p.Id, p.Name, p.BaseCurrency, p.TotalValue, p.IsActive, p.OpenOrders)).ToList();
        return new PortfolioOverview(totals, main is null ? null : new MainPortfolio(main.Id, main.Name, main.BaseCurrency, main.TotalValue, main.Sparkline), links);
    }

    /// <summary>The caller's working orders across their portfolios, newest first (at most <paramref name="take"/>), with the count per portfolio.</summary>
    public async Task<OpenOrdersOverview> OpenOrdersAsync(TradingCaller caller, int take = OrdersShown, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var working = from o in db.Orders.AsNoTracking()
                      join p in db.Portfolios on o.PortfolioId equals p.Id
                      where p.UserId == caller.UserId && Working.Contains(o.Status)
                      select new { o, PortfolioName = p.Name };
        var byPortfolio = await working.GroupBy(x => new { x.o.PortfolioId, x.PortfolioName })
            .Select(g => new PortfolioOrderCount(g.Key.PortfolioId, g.Key.PortfolioName, g.Count())).ToListAsync(ct);
        var rows = await (from x in working
                          join i in db.Instruments on x.o.InstrumentId equals i.Id
                          orderby x.o.CreatedAt descending, x.o.Id descending
                          select new WorkingOrder(x.o.Id, x.o.PortfolioId, x.PortfolioName, i.Symbol, x.o.Side, x.o.OrderType, x.o.Status, x.o.Quantity,
                              x.o.FilledQuantity, x.o.Price, x.o.StopPrice, x.o.CreatedAt))
            .Take(Math.Clamp(take, 1, 100)).ToListAsync(ct);
        return new OpenOrdersOverview(rows, byPortfolio.Sum(c => c.Count),
            byPortfolio.OrderByDescending(c => c.Count).ThenBy(c => c.PortfolioName, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The caller's fills since the start of their day (midnight in their time zone, UTC unless their site preferences
    /// name a known zone), newest first (at most <paramref name="take"/>), with the day's realised P&amp;L per currency.
    /// </summary>
    public async Task<TodaysFills> TodaysFillsAsync(TradingCaller caller, int take = FillsShown, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var db = await factory.CreateDbContextAsync(ct);
        var prefs = await db.UserSettings.AsNoTracking().Where(s => s.UserId == caller.UserId).Select(s => s.SitePrefs).SingleOrDefaultAsync(ct);
        var zone = UserTimeZone(prefs);
        var dayStart = StartOfDay(clock.GetUtcNow(), zone ?? TimeZoneInfo.Utc);
        var today = from t in db.Trades.AsNoTracking()
                    join p in db.Portfolios on t.PortfolioId equals p.Id
                    where p.UserId == caller.UserId && t.ExecutedAt >= dayStart
                    select new { t, PortfolioName = p.Name, p.BaseCurrency };
        var total = await today.CountAsync(ct);
        var realised = await today.Where(x => x.t.Pnl != null).GroupBy(x => x.BaseCurrency)
            .Select(g => new CurrencyAmount(g.Key, g.Sum(x => x.t.Pnl!.Value))).ToListAsync(ct);
        var rows = await (from x in today
                          join i in db.Instruments on x.t.InstrumentId equals i.Id
                          orderby x.t.ExecutedAt descending, x.t.Id descending
                          select new FillRow(x.t.Id, x.t.PortfolioId, x.PortfolioName, x.BaseCurrency, i.Symbol, x.t.Side, x.t.Quantity, x.t.Price, x.t.Pnl,
                              x.t.ExecutedAt))
            .Take(Math.Clamp(take, 1, 100)).ToListAsync(ct);
        return new TodaysFills(dayStart, zone?.Id ?? "UTC", zone is not null, rows, total, realised.OrderBy(r => r.Currency, StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// The user's highest-confidence active BUY and SELL calls for their preferred profile. Nothing is read from the
    /// recommendations until the user has accepted the risk disclosure.
    /// </summary>
    public async Task<TopRecommendations> TopRecommendationsAsync(Guid userId, int take = RecommendationsShown, CancellationToken ct = default)
    {
        var profile = await consent.PreferredProfileAsync(userId, ct);
        if (!(await consent.ConsentAsync(userId, ct)).Accepted) return new TopRecommendations(false, profile, []);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await (from r in db.Recommendations.AsNoTracking()
                          where r.IsActive && r.Profile == profile && Directional.Contains(r.Label)
                          join i in db.Instruments on r.InstrumentId equals i.Id
                          orderby r.Confidence descending, i.Symbol, r.Id
                          select new TopRecommendation(r.Id, i.Symbol, i.Name, r.Label, r.Confidence, r.GeneratedAt))
            .Take(Math.Clamp(take, 1, 50)).ToListAsync(ct);
        return new TopRecommendations(true, profile, rows);
    }

    /// <summary>The caller's own trading service (null for a Viewer, who has none).</summary>
    public async Task<ServiceOverview?> ServiceAsync(TradingCaller caller, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.CanCreate) return null;
        await using var db = await factory.CreateDbContextAsync(ct);
        var status = await db.ServiceStatuses.AsNoTracking().Where(s => s.UserId == caller.UserId)
            .Select(s => new { s.ServiceRunning, s.LastTaskExecution, s.LastHeartbeat, s.ErrorCount, s.LastError }).SingleOrDefaultAsync(ct);
        var lastRun = status?.LastTaskExecution ?? await db.TaskExecutions.AsNoTracking()
            .Where(t => t.UserId == caller.UserId && t.TaskName == TradingServiceManager.TaskName)
            .MaxAsync(t => (DateTimeOffset?)t.ExecutedAt, ct);
        var strategies = await db.Strategies.CountAsync(s => s.UserId == caller.UserId && s.IsActive && s.PortfolioId != null, ct);
        return new ServiceOverview(status?.ServiceRunning ?? false, lastRun, status?.LastHeartbeat, status?.ErrorCount ?? 0, status?.LastError, strategies);
    }

    /// <summary>The zone named by <c>site_prefs.time_zone</c>, or null when there is none or it is not a known IANA/Windows id.</summary>
    public static TimeZoneInfo? UserTimeZone(string? sitePrefs)
    {
        if (string.IsNullOrWhiteSpace(sitePrefs)) return null;
        try
        {
            using var doc = JsonDocument.Parse(sitePrefs);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                   && doc.RootElement.TryGetProperty(TimeZonePreference, out var value) && value.ValueKind == JsonValueKind.String
                   && TimeZoneInfo.TryFindSystemTimeZoneById(value.GetString()!, out var zone)
                ? zone
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The instant the local day of <paramref name="now"/> began in <paramref name="zone"/> (the first valid local time after midnight).</summary>
    public static DateTimeOffset StartOfDay(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        // Where a clock change skips midnight, the day starts at the first local time that exists.
        while (zone.IsInvalidTime(midnight)) midnight = midnight.AddMinutes(30);
        var start = new DateTimeOffset(midnight, zone.GetUtcOffset(midnight));
        return start.ToUniversalTime();
    }
}
