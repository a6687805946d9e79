using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Portfolios.Pages;

namespace Signalbook.Tests.Features.Dashboard;

/// <summary>
/// The trader's dashboard cards in bUnit over the real services and a fresh database per test: portfolio value, open
/// orders, today's fills, top recommendations (only after risk consent) and the trading service, each with an empty state
/// that links to what to do next; never another trader's rows; a Viewer gets no trading cards or links.
/// The harness clock reads 2026-11-20 14:30 UTC.
/// </summary>
public sealed class DashboardCardsTests : PortfolioPagesTestContext
{
    private DateTimeOffset Now => Data.Clock.GetUtcNow();

    private IRenderedComponent<Signalbook.Features.Dashboard.Dashboard> RenderDashboard(TimeSpan? refresh = null, bool again = false)
    {
        var page = refresh is { } r
            ? RenderWithProviders<Signalbook.Features.Dashboard.Dashboard>(p => p.Add(c => c.RefreshEvery, r))
            : again ? Render<Signalbook.Features.Dashboard.Dashboard>() : RenderWithProviders<Signalbook.Features.Dashboard.Dashboard>();
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=dashboard-cards]").GetAttribute("data-loaded")));
        return page;
    }

    private static string Text(IRenderedComponent<IComponent> page, string testId) => page.Find($"[data-testid={testId}]").TextContent.Trim();

    private static string? Href(IRenderedComponent<IComponent> page, string testId) => page.Find($"[data-testid={testId}]").GetAttribute("href");

    private static IReadOnlyList<string> Hrefs(IRenderedComponent<IComponent> page) => page.FindAll("a[href]").Select(a => a.GetAttribute("href")!).ToList();

    /// <summary>Sets a portfolio's cached figures as the valuation would have left them.</summary>
    private async Task ValueAsync(long portfolioId, decimal value, decimal day, decimal total, string? currency = null, bool active = true)
    {
        await using var db = await Data.DbAsync();
        var p = await db.Portfolios.SingleAsync(x => x.Id == portfolioId);
        (p.TotalValue, p.DailyPnl, p.TotalPnl, p.IsActive) = (value, day, total, active);
        if (currency is not null) p.BaseCurrency = currency;
        await db.SaveChangesAsync();
    }

    private async Task<long> OrderAsync(Guid owner, long portfolioId, long instrumentId, OrderStatus status, OrderSide side = OrderSide.Buy, OrderType type = OrderType.Limit,
        decimal quantity = 10, decimal filled = 0, decimal? limit = 150m, decimal? stop = null, TimeSpan? age = null)
    {
        await using var db = await Data.DbAsync();
        var created = Now - (age ?? TimeSpan.FromHours(1));
        var o = new Order
        {
            UserId = owner, PortfolioId = portfolioId, InstrumentId = instrumentId, ClientOrderId = Guid.NewGuid().ToString("N"), Side = side, OrderType = type,
            TimeInForce = TimeInForce.Gtc, Status = status, Quantity = quantity, FilledQuantity = filled, Price = limit, StopPrice = stop, PlacedAt = created,
            CreatedAt = created, UpdatedAt = created,
        };
        db.Orders.Add(o);
        await db.SaveChangesAsync();
        return o.Id;
    }

    private async Task<long> FillAsync(long portfolioId, long instrumentId, OrderSide side, decimal quantity, decimal price, decimal? pnl, DateTimeOffset at)
    {
        await using var db = await Data.DbAsync();
        var t = new Trade
        {
            PortfolioId = portfolioId, InstrumentId = instrumentId, BrokerTradeId = Guid.NewGuid().ToString("N"), Side = side, Quantity = quantity, Price = price,
            Value = quantity * price, Pnl = pnl, ExecutedAt = at,
        };
        db.Trades.Add(t);
        await db.SaveChangesAsync();
        return t.Id;
    }

    [Fact]
    public async Task NewTrader_SeesEveryCardsEmptyState_WithTheLinkToWhatToDoNext()
    {
        var trader = await Data.CreateUserAsync("new@test.local");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        var page = RenderDashboard();

        Assert.Equal("/portfolios", Href(page, "value-create-link"));
        Assert.Equal("/portfolios", Href(page, "orders-create-link"));
        Assert.Equal("/portfolios", Href(page, "fills-create-link"));
        Assert.Equal("/trading-service", Href(page, "service-start-link"));
        Assert.Equal("Stopped", Text(page, "service-state"));
        Assert.Equal("/recommendations", Href(page, "recs-consent-link"));
        Assert.Contains("UTC", Text(page, "fills-since"));
        Assert.Contains("no time zone is set", Text(page, "fills-since"));
        Assert.Equal(["No portfolios yet", "Your trading service is not started", "No working orders", "Accept the risk disclosure first", "No fills today"],
            page.FindAll(".sb-empty-title").Select(e => e.TextContent.Trim()).ToList());
        // The welcome, the roles and no admin card, as before.
        Assert.Equal("Trader", Text(page, "my-roles"));
        Assert.Empty(page.FindAll("[data-testid=signups-card]"));
    }

    [Fact]
    public async Task Trader_WithPortfoliosAnOpenOrderAFillTodayAndARunningService_SeesEachFigure()
    {
        var trader = await Data.CreateUserAsync("busy@test.local");
        var aapl = await Data.AddInstrumentAsync("AAPL");
        var msft = await Data.AddInstrumentAsync("MSFT");
        var main = await Data.CreatePortfolioAsync(trader.Id, "Main");
        var side = await Data.CreatePortfolioAsync(trader.Id, "Side", 20_000m);
        var euro = await Data.CreatePortfolioAsync(trader.Id, "Euro", 10_000m);
        var old = await Data.CreatePortfolioAsync(trader.Id, "Old", 50_000m);
        await ValueAsync(main, 105_000m, 1_000m, 5_000m);
        await ValueAsync(side, 20_000m, -200m, -500m);
        await ValueAsync(euro, 10_100m, -101m, 100m, currency: "EUR");
        await ValueAsync(old, 70_000m, 900m, 20_000m, active: false);
        await using (var db = await Data.DbAsync())
        {
            for (var d = 0; d < 3; d++)
            {
                db.Analytics.Add(new PortfolioAnalytic { PortfolioId = main, Metric = AnalyticsMetrics.Equity, Value = 100_000 + d * 2_500, Timestamp = Now.AddDays(d - 3) });
            }
            await db.SaveChangesAsync();
        }

        var working = await OrderAsync(trader.Id, main, aapl, OrderStatus.PartiallyFilled, quantity: 10, filled: 4, limit: 150m);
        await OrderAsync(trader.Id, side, msft, OrderStatus.Pending, OrderSide.Sell, OrderType.StopLoss, quantity: 3, limit: null, stop: 380m, age: TimeSpan.FromHours(2));
        await OrderAsync(trader.Id, main, aapl, OrderStatus.Filled, filled: 10);
        await OrderAsync(trader.Id, main, aapl, OrderStatus.Cancelled);
        var today = await FillAsync(main, msft, OrderSide.Sell, 5m, 410.5m, 52.25m, Now.AddHours(-2));
        await FillAsync(main, aapl, OrderSide.Buy, 4m, 149.8m, null, Now.AddHours(-1));
        await FillAsync(main, aapl, OrderSide.Buy, 7m, 140m, 99m, new DateTimeOffset(2026, 11, 19, 23, 59, 0, TimeSpan.Zero)); // yesterday (UTC)

        await Data.StartServiceAsync(trader.Id);
        await using (var db = await Data.DbAsync())
        {
            var status = await db.ServiceStatuses.SingleAsync(s => s.UserId == trader.Id);
            (status.ErrorCount, status.LastError, status.LastTaskExecution) = (2, "MSFT: no bar", Now.AddMinutes(-5));
            await db.SaveChangesAsync();
        }
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        var page = RenderDashboard();

        // Portfolio value: the active USD portfolios summed, the EUR one apart, the stopped one listed but not counted.
        var totals = page.FindAll("[data-testid=value-total]");
        Assert.Equal(["USD", "EUR"], totals.Select(t => t.GetAttribute("data-currency")!).ToList());
        Assert.Equal("125,000.00 USD", totals[0].TextContent.Trim());
        Assert.Equal("10,100.00 EUR", totals[1].TextContent.Trim());
        var days = page.FindAll("[data-testid=value-day]");
        Assert.Equal("+800.00 USD (+0.64%)", days[0].TextContent.Trim()); // 800 / 124,200
        Assert.Equal("up", days[0].GetAttribute("title"));
        Assert.Equal("−101.00 EUR (−0.99%)", days[1].TextContent.Trim()); // −101 / 10,201
        Assert.Equal("down", days[1].GetAttribute("title"));
        Assert.Equal(["+4,500.00 USD", "+100.00 EUR"], page.FindAll("[data-testid=value-pnl]").Select(e => e.TextContent.Trim()).ToList());
        Assert.Contains("Main", Text(page, "value-main"));
        Assert.Contains("from 100,000 to 105,000", page.Find("[data-testid=value-main] [data-testid=sparkline]").GetAttribute("aria-label"));
        var links = page.FindAll("[data-testid=value-portfolio-link]");
        Assert.Equal(["Main", "Side", "Euro", "Old"], links.Select(a => a.TextContent.Trim()).ToList());
        Assert.Equal($"/portfolios/{main}", links[0].GetAttribute("href"));
        Assert.Contains("not counted", page.Find($"[data-testid=value-portfolios] li[data-portfolio='{old}']").TextContent);

        // Open orders: the two working ones, newest first, each linking to its portfolio's Orders tab.
        var orders = page.FindAll("[data-testid=order-row]");
        Assert.Equal(2, orders.Count);
        Assert.Equal("2 working", Text(page, "orders-total"));
        var first = orders[0];
        Assert.Equal(working.ToString(), first.GetAttribute("data-order"));
        Assert.Equal("AAPL", first.QuerySelector("[data-testid=order-symbol]")!.TextContent.Trim());
        Assert.Equal("Buy", first.QuerySelector("[data-testid=order-side]")!.TextContent.Trim());
        Assert.StartsWith("Limit", first.QuerySelector("[data-testid=order-type]")!.TextContent.Trim());
        Assert.Equal("4 / 10", first.QuerySelector("[data-testid=order-quantity]")!.TextContent.Trim());
        Assert.Equal("150.00", first.QuerySelector("[data-testid=order-prices]")!.TextContent.Trim());
        Assert.Equal($"/portfolios/{main}?tab=orders", first.QuerySelector("[data-testid=order-portfolio-link]")!.GetAttribute("href"));
        Assert.Equal("Main", first.QuerySelector("[data-testid=order-portfolio-link]")!.TextContent.Trim());
        var second = orders[1];
        Assert.Equal("Sell", second.QuerySelector("[data-testid=order-side]")!.TextContent.Trim());
        Assert.StartsWith("Stop", second.QuerySelector("[data-testid=order-type]")!.TextContent.Trim());
        Assert.Equal("0 / 3", second.QuerySelector("[data-testid=order-quantity]")!.TextContent.Trim());
        Assert.Equal("stop 380.00", second.QuerySelector("[data-testid=order-prices]")!.TextContent.Trim());
        Assert.Equal($"/portfolios/{side}?tab=orders", second.QuerySelector("[data-testid=order-portfolio-link]")!.GetAttribute("href"));
        Assert.Equal([$"/portfolios/{main}?tab=orders", $"/portfolios/{side}?tab=orders"],
            page.FindAll("[data-testid=orders-see-all-link]").Select(a => a.GetAttribute("href")!).Order(StringComparer.Ordinal).ToList());

        // Today's fills: the two since midnight UTC, newest first, with the realised P&L.
        var fills = page.FindAll("[data-testid=fill-row]");
        Assert.Equal(2, fills.Count);
        var sell = fills[1];
        Assert.Equal(today.ToString(), sell.GetAttribute("data-fill"));
        Assert.Equal("MSFT", sell.QuerySelector("[data-testid=fill-symbol]")!.TextContent.Trim());
        Assert.Equal("Sell", sell.QuerySelector("[data-testid=fill-side]")!.TextContent.Trim());
        Assert.Equal("5", sell.QuerySelector("[data-testid=fill-quantity]")!.TextContent.Trim());
        Assert.Equal("410.50", sell.QuerySelector("[data-testid=fill-price]")!.TextContent.Trim());
        Assert.Equal("+52.25 USD", sell.QuerySelector("[data-testid=fill-pnl]")!.TextContent.Trim());
        Assert.Equal("—", fills[0].QuerySelector("[data-testid=fill-pnl]")!.TextContent.Trim());
        Assert.StartsWith("2 fills today · realised", Text(page, "fills-summary"));
        Assert.Equal("+52.25 USD", Text(page, "fills-realised"));
        Assert.StartsWith("since 2026-11-20 00:00 UTC", Text(page, "fills-since"));

        // Trading service: running, last run, two errors.
        Assert.Equal("true", page.Find("[data-testid=service-state]").GetAttribute("data-running"));
        Assert.Equal("Running", Text(page, "service-state"));
        Assert.StartsWith("2026-11-20 14:25 UTC", Text(page, "service-last-run"));
        Assert.StartsWith("2", Text(page, "service-errors"));
        Assert.Contains("MSFT: no bar", Text(page, "service-errors"));
        Assert.Equal("/trading-service", Href(page, "service-link"));
    }

    [Fact]
    public async Task SecondTradersOrdersAndFills_NeverAppear()
    {
        var me = await Data.CreateUserAsync("me@test.local");
        var other = await Data.CreateUserAsync("other@test.local");
        var aapl = await Data.AddInstrumentAsync("AAPL");
        var tsla = await Data.AddInstrumentAsync("TSLA");
        var mine = await Data.CreatePortfolioAsync(me.Id, "Mine");
        var theirs = await Data.CreatePortfolioAsync(other.Id, "Theirs", 999_999m);
        await OrderAsync(me.Id, mine, aapl, OrderStatus.Open);
        await OrderAsync(other.Id, theirs, tsla, OrderStatus.Open);
        await OrderAsync(other.Id, theirs, tsla, OrderStatus.PartiallyFilled, filled: 1);
        await FillAsync(mine, aapl, OrderSide.Buy, 1m, 150m, null, Now.AddMinutes(-30));
        await FillAsync(theirs, tsla, OrderSide.Sell, 9m, 250m, 10m, Now.AddMinutes(-20));
        await Data.StartServiceAsync(other.Id);
        SignInAs(me.Id, me.Email!, Roles.Trader);

        var page = RenderDashboard();

        Assert.Equal(["AAPL"], page.FindAll("[data-testid=order-symbol]").Select(e => e.TextContent.Trim()).ToList());
        Assert.Equal(["AAPL"], page.FindAll("[data-testid=fill-symbol]").Select(e => e.TextContent.Trim()).ToList());
        Assert.Equal(["Mine"], page.FindAll("[data-testid=value-portfolio-link]").Select(e => e.TextContent.Trim()).ToList());
        Assert.Equal("100,000.00 USD", Text(page, "value-total"));
        Assert.DoesNotContain("TSLA", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Theirs", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(Hrefs(page), h => h.Contains($"/portfolios/{theirs}", StringComparison.Ordinal));
        Assert.Equal("Stopped", Text(page, "service-state")); // the other trader's service runs, not mine
        Assert.Empty(page.FindAll("[data-testid=orders-see-all]"));
    }

    [Fact]
    public async Task Recommendations_BeforeConsentOnlyTheConsentLink_AfterConsentTheTopFiveBuyAndSellByConfidence()
    {
        var trader = await Data.CreateUserAsync("careful@test.local");
        var model = await Data.AddModelAsync();
        async Task Rec(string symbol, string label, double confidence, string profile = RiskProfiles.Moderate, bool active = true)
            => await Data.AddRecommendationAsync(await Data.AddInstrumentAsync(symbol), model, label, confidence, profile, active: active);
        await Rec("AAPL", "BUY", 0.62);
        await Rec("MSFT", "SELL", 0.91);
        await Rec("NVDA", "HOLD", 0.95);
        await Rec("AMZN", "BUY", 0.75);
        await Rec("GOOG", "BUY", 0.55);
        await Rec("META", "SELL", 0.70);
        await Rec("NFLX", "BUY", 0.50);
        await Rec("BOLD", "BUY", 0.99, RiskProfiles.Aggressive);
        await Rec("GONE", "BUY", 0.98, active: false);
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        var before = RenderDashboard();
        Assert.Empty(before.FindAll("[data-testid=rec-row]"));
        Assert.Empty(before.FindAll("[data-testid=label-badge]"));
        Assert.Equal("/recommendations", Href(before, "recs-consent-link"));
        Assert.DoesNotContain("MSFT", before.Markup, StringComparison.Ordinal);

        await Data.Consent(s => s.AcceptRiskDisclosureAsync(trader.Id));
        var after = RenderDashboard(again: true);
        var rows = after.FindAll("[data-testid=rec-row]");
        Assert.Equal(["MSFT", "AMZN", "META", "AAPL", "GOOG"], rows.Select(r => r.QuerySelector("[data-testid=rec-link]")!.TextContent.Trim()).ToList());
        Assert.Equal(["SELL", "BUY", "SELL", "BUY", "BUY"], rows.Select(r => r.QuerySelector("[data-testid=label-badge]")!.GetAttribute("data-label")!).ToList());
        Assert.Equal(["91 % confidence", "75 % confidence", "70 % confidence", "62 % confidence", "55 % confidence"],
            rows.Select(r => r.QuerySelector("[data-testid=rec-confidence]")!.TextContent.Trim()).ToList());
        Assert.Equal($"/recommendations/{rows[0].GetAttribute("data-rec")}", rows[0].QuerySelector("[data-testid=rec-link]")!.GetAttribute("href"));
        Assert.Empty(after.FindAll("[data-testid=recs-consent-link]"));
        Assert.Contains("moderate", Text(after, "recs-profile"));
    }

    [Fact]
    public async Task Viewer_SeesTheirValueAndRecommendations_WithoutAnyTradingCardOrLink()
    {
        var viewer = await Data.CreateUserAsync("reader@test.local", Roles.Viewer);
        var aapl = await Data.AddInstrumentAsync("AAPL");
        var id = await Data.CreatePortfolioAsync(viewer.Id, "Given to me", 30_000m);
        await OrderAsync(viewer.Id, id, aapl, OrderStatus.Open); // from when they were a trader
        await FillAsync(id, aapl, OrderSide.Buy, 1m, 150m, null, Now.AddMinutes(-10));
        var model = await Data.AddModelAsync();
        await Data.AddRecommendationAsync(aapl, model, "BUY", 0.8);
        await Data.Consent(s => s.AcceptRiskDisclosureAsync(viewer.Id));
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);

        var page = RenderDashboard();

        Assert.Equal("30,000.00 USD", Text(page, "value-total"));
        Assert.Equal($"/portfolios/{id}", page.Find("[data-testid=value-portfolio-link]").GetAttribute("href"));
        Assert.Single(page.FindAll("[data-testid=rec-row]"));
        foreach (var card in new[] { "orders-card", "fills-card", "service-card" })
        {
            Assert.Empty(page.FindAll($"[data-testid={card}]"));
        }
        var hrefs = Hrefs(page);
        Assert.DoesNotContain(hrefs, h => h.Contains("tab=orders", StringComparison.Ordinal) || h.StartsWith("/trading-service", StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=value-create-link]"));
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("order", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Viewer_WithoutPortfolios_IsToldToAskForTheTraderRole_NotToCreateOne()
    {
        var viewer = await Data.CreateUserAsync("empty-reader@test.local", Roles.Viewer);
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);

        var page = RenderDashboard();

        Assert.Contains("Ask an administrator for the Trader role", Text(page, "value-read-only"));
        Assert.DoesNotContain("/portfolios", Hrefs(page));
        Assert.Equal("/recommendations", Href(page, "recs-consent-link"));
    }

    [Fact]
    public async Task TodaysFills_FollowTheTimeZoneInTheUsersPreferences()
    {
        var trader = await Data.CreateUserAsync("newyork@test.local");
        var aapl = await Data.AddInstrumentAsync("AAPL");
        var id = await Data.CreatePortfolioAsync(trader.Id, "NY");
        await using (var db = await Data.DbAsync())
        {
            db.UserSettings.Add(new UserSettings { UserId = trader.Id, SitePrefs = """{"theme":"dark","time_zone":"America/New_York"}""", CreatedAt = Now, UpdatedAt = Now });
            await db.SaveChangesAsync();
        }
        // 14:30 UTC is 09:30 in New York, whose day began at 05:00 UTC: a fill at 03:00 UTC was yesterday there.
        await FillAsync(id, aapl, OrderSide.Buy, 2m, 100m, null, new DateTimeOffset(2026, 11, 20, 3, 0, 0, TimeSpan.Zero));
        await FillAsync(id, aapl, OrderSide.Sell, 1m, 101m, 1m, new DateTimeOffset(2026, 11, 20, 6, 0, 0, TimeSpan.Zero));
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        var page = RenderDashboard();

        var fills = page.FindAll("[data-testid=fill-row]");
        Assert.Equal("Sell", Assert.Single(fills).QuerySelector("[data-testid=fill-side]")!.TextContent.Trim());
        Assert.Equal("since 2026-11-20 00:00 America/New_York", Text(page, "fills-since"));
        Assert.Contains("01:00:00", fills[0].TextContent, StringComparison.Ordinal); // 06:00 UTC in New York
    }

    [Fact]
    public async Task OpenOrders_ShowTheNewestEight_AndSeeAllCountsThemPerPortfolio()
    {
        var trader = await Data.CreateUserAsync("many@test.local");
        var aapl = await Data.AddInstrumentAsync("AAPL");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Busy");
        for (var i = 0; i < 11; i++)
        {
            await OrderAsync(trader.Id, id, aapl, OrderStatus.Open, quantity: i + 1, age: TimeSpan.FromMinutes(100 - i));
        }
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        var page = RenderDashboard();

        var rows = page.FindAll("[data-testid=order-quantity]").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["0 / 11", "0 / 10", "0 / 9", "0 / 8", "0 / 7", "0 / 6", "0 / 5", "0 / 4"], rows);
        Assert.StartsWith("See all 11", Text(page, "orders-see-all"));
        var link = page.Find("[data-testid=orders-see-all-link]");
        Assert.Equal("Busy (11)", link.TextContent.Trim());
        Assert.Equal($"/portfolios/{id}?tab=orders", link.GetAttribute("href"));
    }

    [Fact]
    public async Task Figures_RefreshWhileThePageIsOpen()
    {
        var trader = await Data.CreateUserAsync("live@test.local");
        var aapl = await Data.AddInstrumentAsync("AAPL");
        var id = await Data.CreatePortfolioAsync(trader.Id, "Live");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        var page = RenderDashboard(TimeSpan.FromMilliseconds(200));
        Assert.Empty(page.FindAll("[data-testid=order-row]"));
        Assert.Equal("100,000.00 USD", Text(page, "value-total"));

        await OrderAsync(trader.Id, id, aapl, OrderStatus.Open);
        await ValueAsync(id, 101_000m, 1_000m, 1_000m);

        page.WaitForAssertion(() =>
        {
            Assert.Single(page.FindAll("[data-testid=order-row]"));
            Assert.Equal("101,000.00 USD", Text(page, "value-total"));
        });
    }
}
