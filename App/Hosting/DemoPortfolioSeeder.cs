using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;

namespace Signalbook.Hosting;

/// <summary>
/// The demo trader's paper portfolio, built by following the demo's recommendations through the real order service and
/// paper broker: starting with the out-of-sample replay of the first model (about six months ago), after each scoring
/// date it buys the three most confident BUY signals of the moderate profile it does not hold (sized by the trading config,
/// with the recommendation's stop-loss and take-profit as a bracket) and sells what a SELL signal names; the broker fills
/// them at the next session's open. The clock steps through the dates, so nothing sees a bar after its own day.
/// Idempotent: skipped when the portfolio exists.
/// </summary>
public sealed class DemoPortfolioSeeder(IDbContextFactory<AppDbContext> factory, LiveBroker live, TimeProvider clock, ILogger<DemoPortfolioSeeder> logger)
{
    public const string PortfolioName = "Following the model (demo)";
    public const decimal StartingCash = 100_000m;
    private const int BuysPerDate = 3;

    public async Task SeedAsync(Guid traderId, CancellationToken ct)
    {
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            if (await db.Portfolios.AnyAsync(p => p.UserId == traderId && p.Name == PortfolioName, ct)) return;
        }
        List<DateTimeOffset> dates;
        long? benchmark;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            dates = await db.Recommendations.AsNoTracking().Where(r => r.Profile == RiskProfiles.Moderate && !r.IsActive)
                .Select(r => r.GeneratedAt).Distinct().OrderBy(d => d).ToListAsync(ct);
            benchmark = await db.Instruments.AsNoTracking().Where(i => i.Exchange == "DEMO").OrderBy(i => i.Symbol).Select(i => (long?)i.Id).FirstOrDefaultAsync(ct);
        }
        if (dates.Count == 0)
        {
            logger.LogInformation("Demo portfolio: no replayed recommendations to follow");
            return;
        }

        var cal = ExchangeCalendar.Nyse;
        var demoClock = new SteppedClock(cal.At(DateOnly.FromDateTime(dates[0].UtcDateTime), cal.Close).AddHours(1));
        var orders = new OrderService(factory, live, demoClock);
        var valuation = new PortfolioValuation(demoClock);
        var broker = new PaperBroker(factory, valuation, demoClock);
        var portfolios = new PortfolioService(factory, demoClock);
        var caller = TradingCaller.Trader(traderId);
        var portfolioId = await portfolios.CreateAsync(caller, new NewPortfolio(PortfolioName, StartingCash, "USD",
            "Paper portfolio that bought the model's most confident BUY signals and sold on SELL signals.", benchmark), ct);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            // Costs of a typical discount broker: half a cent a share, at least a dollar an order; 5 bps of slippage.
            await db.Portfolios.Where(p => p.Id == portfolioId).ExecuteUpdateAsync(u => u.SetProperty(p => p.CommissionPerShare, 0.005m)
                .SetProperty(p => p.CommissionMinimum, 1m).SetProperty(p => p.SlippageBps, 5m), ct);
            if (!await db.UserTradingConfigs.AnyAsync(c => c.UserId == traderId, ct))
            {
                db.UserTradingConfigs.Add(new UserTradingConfig
                {
                    UserId = traderId, UserCapital = 15_000m, MaxPortfolioSize = 8, DefaultExchange = "DEMO", DefaultProduct = "CASH", DefaultVariety = "REGULAR",
                    MlEnabled = true, CreatedAt = demoClock.GetUtcNow(), UpdatedAt = demoClock.GetUtcNow(),
                });
                await db.SaveChangesAsync(ct);
            }
        }

        var placed = 0;
        foreach (var date in dates)
        {
            demoClock.Set(cal.At(DateOnly.FromDateTime(date.UtcDateTime), cal.Close).AddHours(1));
            await broker.ProcessAsync(portfolioId, ct);
            List<(long Id, long InstrumentId, string Label, double Confidence)> recs;
            HashSet<long> held, working;
            await using (var db = await factory.CreateDbContextAsync(ct))
            {
                recs = (await db.Recommendations.AsNoTracking().Where(r => r.Profile == RiskProfiles.Moderate && r.GeneratedAt == date && r.Label != "HOLD")
                    .Select(r => new { r.Id, r.InstrumentId, r.Label, r.Confidence }).ToListAsync(ct)).Select(r => (r.Id, r.InstrumentId, r.Label, r.Confidence)).ToList();
                held = (await db.Positions.Where(x => x.PortfolioId == portfolioId).Select(x => x.InstrumentId).ToListAsync(ct)).ToHashSet();
                working = (await db.Orders.Where(o => o.PortfolioId == portfolioId && o.ParentOrderId == null && (o.Status == OrderStatus.Open || o.Status == OrderStatus.PartiallyFilled))
                    .Select(o => o.InstrumentId).ToListAsync(ct)).ToHashSet();
            }
            foreach (var sell in recs.Where(r => r.Label == "SELL" && held.Contains(r.InstrumentId)))
            {
                await orders.CancelWorkingSellsAsync(caller, portfolioId, sell.InstrumentId, ct);
                var suggestion = await orders.SuggestFromRecommendationAsync(caller, sell.Id, portfolioId, ct);
                if (suggestion.Quantity <= 0) continue;
                var result = await orders.PlaceAsync(caller, new OrderTicket(portfolioId, sell.InstrumentId, OrderSide.Sell, OrderType.Market, suggestion.Quantity,
                    RecommendationId: sell.Id, Note: "demo: followed a SELL recommendation"), ct);
                if (result.Accepted) placed++;
            }
            foreach (var buy in recs.Where(r => r.Label == "BUY" && !held.Contains(r.InstrumentId) && !working.Contains(r.InstrumentId))
                         .OrderByDescending(r => r.Confidence).Take(BuysPerDate))
            {
                var s = await orders.SuggestFromRecommendationAsync(caller, buy.Id, portfolioId, ct);
                if (s.Quantity <= 0) continue;
                try
                {
                    var result = await orders.PlaceAsync(caller, new OrderTicket(portfolioId, buy.InstrumentId, OrderSide.Buy, OrderType.Market, s.Quantity,
                        TakeProfit: s.TakeProfit, StopLoss: s.StopLoss, RecommendationId: buy.Id, Note: "demo: followed a BUY recommendation"), ct);
                    if (result.Accepted) placed++;
                }
                catch (TradingValidationException e)
                {
                    // A recommendation whose stop or target sits on the wrong side of the last close: buy without the bracket.
                    logger.LogDebug("Demo portfolio: bracket refused ({Message}); buying without it", e.Message);
                    var result = await orders.PlaceAsync(caller, new OrderTicket(portfolioId, buy.InstrumentId, OrderSide.Buy, OrderType.Market, s.Quantity,
                        RecommendationId: buy.Id, Note: "demo: followed a BUY recommendation"), ct);
                    if (result.Accepted) placed++;
                }
            }
        }
        demoClock.Set(clock.GetUtcNow());
        var last = await broker.ProcessAsync(portfolioId, ct);
        logger.LogInformation("Demo portfolio: {Orders} orders placed by following {Dates} recommendation dates; valued through {At}", placed, dates.Count, last.ProcessedThrough);
    }

    /// <summary>A clock the seeder moves forward by hand.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Set(DateTimeOffset now) => _now = now > _now ? now : _now;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
