using System.Text.Json.Nodes;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.StrategyPages;
using Signalbook.Features.Portfolios.Strategies;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.StrategyPages;

/// <summary>
/// The strategy pages in bUnit over the real services and a fresh database: the list and its catalogue, the form
/// generated from a type's schema with errors on their fields, activation, the detail page's performance, and roles.
/// </summary>
public sealed class StrategyPagesTests : PageTestContext
{
    private async Task<(AppUser User, TradingCaller Caller)> TraderAsync(string email)
    {
        var user = await Db.CreateUserAsync(email);
        SignInAs(user, [Roles.Trader]);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return (user, TradingCaller.Trader(user.Id));
    }

    private Task<long> PortfolioAsync(TradingCaller caller, string name = "Main") =>
        Db.WithAsync<PortfolioService, long>(p => p.CreateAsync(caller, new NewPortfolio(name, 50_000m)));

    private Task<long> StrategyAsync(TradingCaller caller, string name, long? portfolio, StrategyType type = StrategyType.Momentum) =>
        Db.WithAsync<StrategyService, long>(s => s.CreateAsync(caller, new NewStrategy(name, type, null, portfolio, [])));

    private static string Selector(string testId) => $"input[data-testid={testId}], [data-testid={testId}] input";

    private static Task ChangeAsync<T>(IRenderedComponent<T> cut, string testId, string value) where T : IComponent
        => ActAsync(cut, Selector(testId), e => e.Change(value));

    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public async Task EmptyList_CreateFromACatalogueCard_InvalidValueShowsOnItsField_ValidSave_AppearsInTheList()
    {
        var (_, me) = await TraderAsync("flow@test.local");
        await PortfolioAsync(me);

        // 1. The empty list offers to create one, and the catalogue's Create links to the type's form.
        var list = RenderWithProviders<StrategiesPage>();
        list.WaitForElement("[data-testid=empty-create]");
        var card = list.Find("[data-testid=catalogue-card][data-type=mean_reversion]");
        var create = card.QuerySelector("[data-testid=create-strategy]")!;
        Assert.Equal("/strategies/new?type=mean_reversion", create.GetAttribute("href"));

        // 2. The form is built from the schema: every setting, grouped, with its rules summary.
        Navigation.NavigateTo(create.GetAttribute("href")!);
        var page = Render<StrategyPage>();
        page.WaitForElement("[data-testid=strategy-form]");
        Assert.Contains(StrategyCatalog.Get(StrategyType.MeanReversion).Description, page.Find("[data-testid=signal-rules]").TextContent);
        foreach (var field in MeanReversionStrategy.Schema.Fields)
        {
            Assert.NotNull(page.Find($"[data-field={field.Key}]"));
        }
        var groups = page.FindAll("[data-testid=config-group]").Select(g => g.GetAttribute("data-group")).ToList();
        Assert.Contains("RSI entry", groups);
        Assert.Contains("Chart quality", groups);
        Assert.Contains("Liquidity", groups);
        Assert.Equal("10", page.Find(Selector("config-rsi_period")).GetAttribute("value")); // the schema's default
        Assert.Equal(10, MeanReversionStrategy.Schema.Field("rsi_period")!.Default);
        Assert.Contains("Between 1 and 99", page.Find("[data-field=rsi_oversold]").TextContent);

        // 3. An out-of-range value and a word where a number goes: each error on its own field, nothing saved.
        await ChangeAsync(page, "strategy-name", "Buy the dip");
        await ChangeAsync(page, "config-rsi_oversold", "120");
        await ChangeAsync(page, "config-rsi_period", "fourteen");
        await ClickAsync(page, "[data-testid=save]");
        page.WaitForAssertion(() => Assert.Equal("rsi_oversold must be between 1 and 99; got 120", page.Find("[data-field=rsi_oversold]").GetAttribute("data-error")));
        Assert.Contains("rsi_oversold must be between 1 and 99; got 120", page.Find("[data-field=rsi_oversold]").TextContent);
        Assert.Equal("rsi_period must be a number; got \"fourteen\"", page.Find("[data-field=rsi_period]").GetAttribute("data-error"));
        Assert.Contains("2 settings need fixing", page.Find("[data-testid=strategy-errors]").TextContent);
        Assert.Null(page.Find("[data-field=rsi_near_oversold]").GetAttribute("data-error"));
        await using (var db = await Db.DbAsync())
        {
            Assert.False(await db.Strategies.AnyAsync());
        }

        // 4. Fixed: Validate says so, Save creates it and opens its page.
        await ChangeAsync(page, "config-rsi_oversold", "28.5");
        await ChangeAsync(page, "config-rsi_period", "12");
        await ClickAsync(page, "[data-testid=validate]");
        page.WaitForAssertion(() => Assert.Contains("These settings are valid", page.Find("[data-testid=strategy-message]").TextContent));
        Assert.DoesNotContain(page.FindAll("[data-error]"), e => !string.IsNullOrEmpty(e.GetAttribute("data-error")));
        await ClickAsync(page, "[data-testid=save]");
        page.WaitForAssertion(() => Assert.Matches(@"/strategies/\d+$", Navigation.Uri));
        await using (var db = await Db.DbAsync())
        {
            var saved = await db.Strategies.SingleAsync();
            Assert.Equal(("Buy the dip", StrategyType.MeanReversion, false), (saved.Name, saved.StrategyType, saved.IsActive));
            var config = JsonNode.Parse(saved.Config)!.AsObject();
            Assert.Equal(28.5, config["rsi_oversold"]!.GetValue<double>());
            Assert.Equal(12, config["rsi_period"]!.GetValue<int>());
            Assert.NotNull(saved.PortfolioId); // the only active portfolio is preselected
        }

        // 5. The list shows it.
        var again = Render<StrategiesPage>();
        again.WaitForAssertion(() => Assert.Equal("Buy the dip", again.Find("[data-testid=strategy-link]").TextContent.Trim()));
        Assert.Contains("Mean reversion (RSI)", again.Find("tr.sb-strategy-row").TextContent);
        Assert.Contains("Main", again.Find("tr.sb-strategy-row").TextContent);
    }

    [Fact]
    public async Task ActiveSwitch_TurnsAStrategyOnAndOff_AndWithoutAPortfolioSaysWhy()
    {
        var (_, me) = await TraderAsync("toggle@test.local");
        var portfolio = await PortfolioAsync(me);
        var ready = await StrategyAsync(me, "Ready", portfolio);
        var homeless = await StrategyAsync(me, "Homeless", null);

        var list = RenderWithProviders<StrategiesPage>();
        list.WaitForElements("[data-testid=active-switch]");

        await ActAsync(list, $"[data-testid=active-switch][data-id='{ready}'] input, input[data-testid=active-switch][data-id='{ready}']", e => e.Change(true));
        list.WaitForAssertion(() => Assert.Equal("true", list.Find($"[data-id='{ready}']").GetAttribute("data-active")));
        Assert.True((await Db.WithAsync<StrategyService, StrategyDetail>(s => s.GetAsync(me, ready))).IsActive);

        await ActAsync(list, $"[data-testid=active-switch][data-id='{homeless}'] input, input[data-testid=active-switch][data-id='{homeless}']", e => e.Change(true));
        list.WaitForAssertion(() => Assert.Contains("Choose the portfolio this strategy's orders go to before activating it.",
            list.Find("[data-testid=strategies-error]").TextContent));
        Assert.Equal("false", list.Find($"[data-id='{homeless}']").GetAttribute("data-active"));

        await ActAsync(list, $"[data-testid=active-switch][data-id='{ready}'] input, input[data-testid=active-switch][data-id='{ready}']", e => e.Change(false));
        list.WaitForAssertion(() => Assert.Equal("false", list.Find($"[data-id='{ready}']").GetAttribute("data-active")));
        Assert.False((await Db.WithAsync<StrategyService, StrategyDetail>(s => s.GetAsync(me, ready))).IsActive);
    }

    [Fact]
    public async Task UnavailableType_IsGreyedWithItsReason_AndHasNoCreate_NorAForm()
    {
        await TraderAsync("unavailable@test.local");
        var info = StrategyCatalog.Get(StrategyType.MarketMaking);

        var list = RenderWithProviders<StrategiesPage>();
        var card = list.WaitForElement("[data-testid=catalogue-card][data-type=market_making]");

        Assert.Equal("false", card.GetAttribute("data-available"));
        Assert.Equal("true", card.GetAttribute("aria-disabled"));
        Assert.Contains($"Not available: {info.UnavailableReason}.", card.QuerySelector("[data-testid=unavailable-reason]")!.TextContent);
        Assert.Null(card.QuerySelector("[data-testid=create-strategy]"));
        Assert.NotNull(list.Find("[data-testid=catalogue-card][data-type=momentum] [data-testid=create-strategy]"));
        // The chart-quality filter is no strategy of its own either.
        Assert.Null(list.Find("[data-testid=catalogue-card][data-type=chart_quality]").QuerySelector("[data-testid=create-strategy]"));

        Navigation.NavigateTo("/strategies/new?type=market_making");
        var page = Render<StrategyPage>();
        var refused = page.WaitForElement("[data-testid=type-unavailable]");
        Assert.Contains(info.UnavailableReason!, refused.TextContent);
        Assert.Empty(page.FindAll("[data-testid=strategy-form]"));
    }

    [Fact]
    public async Task DetailPage_ShowsThePerformanceAndRecentOrders_AndSavesChanges()
    {
        var (user, me) = await TraderAsync("detail@test.local");
        var portfolio = await PortfolioAsync(me);
        var id = await StrategyAsync(me, "Measured", portfolio);
        await SeedFillsAsync(user.Id, portfolio, id);

        var page = RenderWithProviders<StrategyPage>(p => p.Add(x => x.Id, id));

        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=perf-trades]").TextContent.Trim()));
        Assert.Equal("+30.00", page.Find("[data-testid=perf-pnl]").TextContent.Trim());
        Assert.Equal("50.0%", page.Find("[data-testid=perf-winrate]").TextContent.Trim());
        Assert.Equal("—", page.Find("[data-testid=perf-sharpe]").TextContent.Trim()); // one day of realised P&L
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=strategy-order]").Count));
        Assert.Equal("Measured", page.Find(Selector("strategy-name")).GetAttribute("value"));

        await ChangeAsync(page, "config-lookback_period", "30");
        await ChangeAsync(page, "config-default_stop_loss_pct", "");
        await ClickAsync(page, "[data-testid=save]");
        page.WaitForAssertion(() => Assert.Contains("Saved", page.Find("[data-testid=strategy-message]").TextContent));
        var detail = await Db.WithAsync<StrategyService, StrategyDetail>(s => s.GetAsync(me, id));
        Assert.Equal(30, detail.Config["lookback_period"]!.GetValue<int>());
        Assert.Null(detail.Config["default_stop_loss_pct"]);
    }

    [Fact]
    public async Task AdminReadingAnotherTradersStrategy_SeesItReadOnly()
    {
        var owner = await Db.CreateUserAsync("owned@test.local");
        var ownerCaller = TradingCaller.Trader(owner.Id);
        var id = await StrategyAsync(ownerCaller, "Theirs", await PortfolioAsync(ownerCaller));
        SignInAdmin();

        var page = RenderWithProviders<StrategyPage>(p => p.Add(x => x.Id, id));

        page.WaitForElement("[data-testid=strategy-form]");
        Assert.Contains("only its owner can change it", page.Find("[data-testid=read-only-notice]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=save]"));
        Assert.Empty(page.FindAll("[data-testid=delete-strategy]"));
        Assert.NotNull(page.Find(Selector("config-lookback_period")).GetAttribute("readonly"));
    }

    [Fact]
    public async Task Viewer_IsOfferedNoCreate()
    {
        var viewer = await Db.CreateUserAsync("reader@test.local", Roles.Viewer);
        SignInAs(viewer, [Roles.Viewer]);

        var list = RenderWithProviders<StrategiesPage>();
        list.WaitForAssertion(() => Assert.Contains("Viewers can read strategies but cannot create them", list.Markup));
        Assert.Empty(list.FindAll("[data-testid=create-strategy]"));
        Assert.Empty(list.FindAll("[data-testid=empty-create]"));

        Navigation.NavigateTo("/strategies/new?type=momentum");
        var page = Render<StrategyPage>();
        page.WaitForElement("[data-testid=viewer-notice]");
        Assert.Empty(page.FindAll("[data-testid=strategy-form]"));
    }

    [Fact]
    public async Task AStrangersStrategy_IsNotFound()
    {
        var owner = await Db.CreateUserAsync("hidden@test.local");
        var id = await StrategyAsync(TradingCaller.Trader(owner.Id), "Hidden", null);
        await TraderAsync("nosy@test.local");

        var page = RenderWithProviders<StrategyPage>(p => p.Add(x => x.Id, id));

        page.WaitForAssertion(() => Assert.Contains("Strategy not found", page.Markup));
        Assert.DoesNotContain("Hidden", page.Markup);
    }

    /// <summary>Three orders of the strategy: a buy (opening fill) and two sells closing +50 and −20 on one day.</summary>
    private async Task SeedFillsAsync(Guid user, long portfolio, long strategy)
    {
        await using var db = await Db.DbAsync();
        var now = Db.Clock.GetUtcNow();
        var instrument = new Instrument { Symbol = "PERF", Exchange = "NASDAQ", CreatedAt = now, UpdatedAt = now };
        db.Instruments.Add(instrument);
        await db.SaveChangesAsync();
        var orders = Enumerable.Range(0, 3).Select(i => new Order
        {
            UserId = user, PortfolioId = portfolio, InstrumentId = instrument.Id, StrategyId = strategy, ClientOrderId = $"perf-{i}",
            Side = i == 0 ? OrderSide.Buy : OrderSide.Sell, OrderType = OrderType.Market, TimeInForce = TimeInForce.Day, Status = OrderStatus.Filled,
            Quantity = 5, FilledQuantity = 5, AverageFillPrice = 100, PlacedAt = now, CreatedAt = now.AddMinutes(i), UpdatedAt = now,
        }).ToList();
        db.Orders.AddRange(orders);
        await db.SaveChangesAsync();
        decimal?[] pnl = [null, 50m, -20m];
        db.Trades.AddRange(orders.Select((o, i) => new Trade
        {
            PortfolioId = portfolio, OrderId = o.Id, InstrumentId = instrument.Id, BrokerTradeId = $"perf-t-{i}", Side = o.Side, Quantity = 5, Price = 100,
            Value = 500, Pnl = pnl[i], ExecutedAt = new DateTimeOffset(2024, 5, 6, 15 + i, 0, 0, TimeSpan.Zero),
        }));
        await db.SaveChangesAsync();
    }
}
