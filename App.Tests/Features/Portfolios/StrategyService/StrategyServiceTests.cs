using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.MarketData;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Strategies;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

// Not "...Portfolios.StrategyService": a namespace of that name would hide the service type from every test under Portfolios.
namespace Signalbook.Tests.Features.Portfolios.StrategyServiceTests;

/// <summary>StrategyService over a real database: validation per field, ownership, activation and the performance figures.</summary>
public sealed class StrategyServiceTests : ServiceHarness
{
    private Task<T> Strat<T>(Func<StrategyService, Task<T>> act) => WithAsync(act);

    private Task Strat(Func<StrategyService, Task> act) => WithAsync<StrategyService, bool>(async s =>
    {
        await act(s);
        return true;
    });

    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    private async Task<(TradingCaller Caller, long PortfolioId)> TraderAsync(string email)
    {
        var user = await CreateUserAsync(email);
        var caller = TradingCaller.Trader(user.Id);
        var portfolio = await WithAsync<PortfolioService, long>(p => p.CreateAsync(caller, new NewPortfolio("Main", 100_000m)));
        return (caller, portfolio);
    }

    private static NewStrategy Momentum(string name, long? portfolio = null, string config = "{}") =>
        new(name, StrategyType.Momentum, "Trend follower", portfolio, Json(config));

    [Fact]
    public async Task Create_ValidMomentum_StoresTheNormalisedConfigInactive_AndListsIt()
    {
        var (me, portfolio) = await TraderAsync("create@test.local");

        var id = await Strat(s => s.CreateAsync(me, Momentum("  Fast momentum ", portfolio, """{"lookback_period": 20, "default_stop_loss_pct": null}""")));

        var detail = await Strat(s => s.GetAsync(me, id));
        Assert.Equal("Fast momentum", detail.Name);
        Assert.Equal(StrategyType.Momentum, detail.Type);
        Assert.False(detail.IsActive);
        Assert.True(detail.CanEdit);
        Assert.Equal("Main", detail.PortfolioName);
        Assert.Equal(20, detail.Config["lookback_period"]!.GetValue<int>());
        Assert.Null(detail.Config["default_stop_loss_pct"]);
        // Every schema key is stored, defaults filled in (the chart-quality filter's settings included).
        Assert.Equal(MomentumStrategy.Schema.Fields.Select(f => f.Key).Order(), detail.Config.Select(p => p.Key).Order());
        Assert.Equal(0.05, detail.Config["momentum_threshold"]!.GetValue<double>());
        Assert.True(detail.Config.ContainsKey("chart_quality_min_score"));
        Assert.Same(MomentumStrategy.Schema, detail.Schema);

        var row = Assert.Single(await Strat(s => s.ListAsync(me)));
        Assert.Equal((id, "Fast momentum", "Momentum", portfolio, "Main", false), (row.Id, row.Name, row.TypeName, row.PortfolioId, row.PortfolioName, row.IsActive));
        Assert.Equal((0, 0m, null, null), (row.NumTrades, row.TotalPnl, row.WinRate, row.SharpeRatio));
    }

    [Fact]
    public async Task Create_InvalidConfig_ReportsEveryFieldAtOnce_OutOfRangeWrongKindAndUnknownKey_AndWritesNothing()
    {
        var (me, _) = await TraderAsync("invalid@test.local");
        var input = new NewStrategy("", StrategyType.MeanReversion, null, null,
            Json("""{"rsi_oversold": 120, "rsi_period": 2.5, "use_ai_magic": true}"""));

        var ex = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, input)));

        var errors = ex.Errors.ToDictionary(e => e.Field, e => e.Message);
        Assert.Equal("Give the strategy a name.", errors["name"]);
        Assert.Equal("rsi_oversold must be between 1 and 99; got 120", errors["config.rsi_oversold"]);
        Assert.Equal("rsi_period must be a whole number; got 2.5", errors["config.rsi_period"]);
        Assert.StartsWith("use_ai_magic is not a setting of mean_reversion; expected one of", errors["config.use_ai_magic"]);
        Assert.Equal(4, ex.Errors.Count);
        // The Validate button reports the same without saving.
        var validated = await Strat(s => s.ValidateAsync(me, input));
        Assert.Equal(ex.Errors, validated);
        await using var db = await DbAsync();
        Assert.False(await db.Strategies.AnyAsync());
    }

    [Fact]
    public async Task Create_CrossFieldRule_IsReportedOnItsField()
    {
        var (me, _) = await TraderAsync("rule@test.local");

        var errors = await Strat(s => s.ValidateAsync(me, new NewStrategy("Dips", StrategyType.MeanReversion, null, null,
            Json("""{"rsi_oversold": 40, "rsi_near_oversold": 35}"""))));

        var error = Assert.Single(errors);
        Assert.Equal("config.rsi_oversold", error.Field);
        Assert.Equal("rsi_oversold (40) must not exceed rsi_near_oversold (35)", error.Message);
    }

    [Fact]
    public async Task Create_NameTooLong_OrTaken_IsRefusedOnTheNameField_ButAnotherUserMayUseIt()
    {
        var (me, _) = await TraderAsync("dup@test.local");
        var (other, _) = await TraderAsync("dup-other@test.local");
        await Strat(s => s.CreateAsync(me, Momentum("Alpha")));

        var dup = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, Momentum(" Alpha "))));
        var longName = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, Momentum(new string('x', 101)))));

        Assert.Equal(new StrategyFieldError("name", "You already have a strategy named 'Alpha'."), Assert.Single(dup.Errors));
        Assert.Equal(new StrategyFieldError("name", "The name must be at most 100 characters; it has 101."), Assert.Single(longName.Errors));
        Assert.True(await Strat(s => s.CreateAsync(other, Momentum("Alpha"))) > 0);
        // Renaming another of mine to the taken name is refused too; keeping its own name is fine.
        var beta = await Strat(s => s.CreateAsync(me, Momentum("Beta")));
        var rename = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.UpdateAsync(me, beta, Momentum("Alpha"))));
        Assert.Equal("You already have a strategy named 'Alpha'.", Assert.Single(rename.Errors).Message);
        await Strat(s => s.UpdateAsync(me, beta, Momentum("Beta", config: """{"lookback_period": 30}""")));
    }

    [Theory]
    [InlineData(StrategyType.MarketMaking)]
    [InlineData(StrategyType.WhaleFollowing)]
    public async Task Create_UnavailableType_IsRefusedWithItsReason(StrategyType type)
    {
        var (me, _) = await TraderAsync($"unavailable-{type}@test.local");
        var info = StrategyCatalog.Get(type);

        var ex = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, new NewStrategy("Nope", type, null, null, []))));

        var error = Assert.Single(ex.Errors);
        Assert.Equal("type", error.Field);
        Assert.Equal($"{info.DisplayName} is not available: {info.UnavailableReason}.", error.Message);
    }

    [Fact]
    public async Task Create_ChartQuality_IsRefused_ItIsAFilterNotAStrategy()
    {
        var (me, _) = await TraderAsync("filter@test.local");

        var ex = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, new NewStrategy("Filter", StrategyType.ChartQuality))));

        Assert.Equal(("type", "Chart quality filter is not a strategy on its own: its settings are part of every strategy's config."),
            (ex.Errors[0].Field, ex.Errors[0].Message));
    }

    [Fact]
    public async Task Create_WithSomeoneElsesOrAnInactivePortfolio_IsRefusedOnThePortfolioField()
    {
        var (me, mine) = await TraderAsync("pf@test.local");
        var (_, theirs) = await TraderAsync("pf-other@test.local");
        await using (var db = await DbAsync())
        {
            var p = await db.Portfolios.SingleAsync(x => x.Id == mine);
            p.IsActive = false;
            await db.SaveChangesAsync();
        }

        var foreign = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, Momentum("A", theirs))));
        var inactive = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.CreateAsync(me, Momentum("A", mine))));

        Assert.Equal(new StrategyFieldError("portfolio", "Choose one of your own portfolios."), Assert.Single(foreign.Errors));
        Assert.Equal(new StrategyFieldError("portfolio", "The portfolio 'Main' is inactive; choose an active one."), Assert.Single(inactive.Errors));
    }

    [Fact]
    public async Task Viewer_CannotCreate_ButReadsTheirOwnList()
    {
        var viewer = await CreateUserAsync("viewer@test.local", Roles.Viewer);
        var caller = TradingCaller.Viewer(viewer.Id);

        await Assert.ThrowsAsync<TradingForbiddenException>(() => Strat(s => s.CreateAsync(caller, Momentum("Mine"))));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Strat(s => s.ValidateAsync(caller, Momentum("Mine"))));
        Assert.Empty(await Strat(s => s.ListAsync(caller)));
    }

    [Fact]
    public async Task AnotherTrader_GetsNotFound_OnGetUpdateDeleteActivatePerformanceAndOrders()
    {
        var (owner, portfolio) = await TraderAsync("owner@test.local");
        var (stranger, _) = await TraderAsync("stranger@test.local");
        var id = await Strat(s => s.CreateAsync(owner, Momentum("Private", portfolio)));

        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.GetAsync(stranger, id)));
        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.UpdateAsync(stranger, id, Momentum("Mine now"))));
        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.DeleteAsync(stranger, id)));
        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.SetActiveAsync(stranger, id, true)));
        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.PerformanceAsync(stranger, id)));
        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.RecentOrdersAsync(stranger, id)));
        Assert.Empty(await Strat(s => s.ListAsync(stranger, owner.UserId)));
        // Nothing changed.
        var detail = await Strat(s => s.GetAsync(owner, id));
        Assert.Equal(("Private", false), (detail.Name, detail.IsActive));
    }

    [Fact]
    public async Task Admin_ReadsAnotherTradersStrategies_ButCannotChangeThem()
    {
        var (owner, portfolio) = await TraderAsync("watched@test.local");
        var admin = TradingCaller.Admin((await AdminAsync()).Id);
        var id = await Strat(s => s.CreateAsync(owner, Momentum("Watched", portfolio)));

        var detail = await Strat(s => s.GetAsync(admin, id));
        var rows = await Strat(s => s.ListAsync(admin, owner.UserId));

        Assert.Equal("Watched", detail.Name);
        Assert.False(detail.CanEdit);
        Assert.False(Assert.Single(rows).CanEdit);
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Strat(s => s.UpdateAsync(admin, id, Momentum("Admin's"))));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Strat(s => s.SetActiveAsync(admin, id, true)));
        await Assert.ThrowsAsync<TradingForbiddenException>(() => Strat(s => s.DeleteAsync(admin, id)));
        Assert.Equal(("Watched", false), ((await Strat(s => s.GetAsync(owner, id))).Name, (await Strat(s => s.GetAsync(owner, id))).IsActive));
    }

    [Fact]
    public async Task SetActive_NeedsAPortfolio_ThenTurnsOnAndOff()
    {
        var (me, portfolio) = await TraderAsync("activate@test.local");
        var id = await Strat(s => s.CreateAsync(me, Momentum("Switch")));

        var none = await Assert.ThrowsAsync<TradingValidationException>(() => Strat(s => s.SetActiveAsync(me, id, true)));
        Assert.Equal("portfolio", none.Field);
        Assert.Equal("Choose the portfolio this strategy's orders go to before activating it.", none.Message);

        await Strat(s => s.UpdateAsync(me, id, Momentum("Switch", portfolio)));
        await Strat(s => s.SetActiveAsync(me, id, true));
        Assert.True((await Strat(s => s.GetAsync(me, id))).IsActive);
        // An active strategy keeps its portfolio.
        var clear = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.UpdateAsync(me, id, Momentum("Switch"))));
        Assert.Equal("portfolio", clear.Field);

        await Strat(s => s.SetActiveAsync(me, id, false));
        Assert.False((await Strat(s => s.GetAsync(me, id))).IsActive);
    }

    [Fact]
    public async Task Update_CannotChangeTheType()
    {
        var (me, _) = await TraderAsync("type@test.local");
        var id = await Strat(s => s.CreateAsync(me, Momentum("Fixed")));

        var ex = await Assert.ThrowsAsync<StrategyValidationException>(() => Strat(s => s.UpdateAsync(me, id, new NewStrategy("Fixed", StrategyType.Dca))));

        Assert.Equal("type", Assert.Single(ex.Errors).Field);
    }

    [Fact]
    public async Task Delete_RemovesTheStrategy_OrdersKeepTheirHistory()
    {
        var (me, portfolio) = await TraderAsync("delete@test.local");
        var id = await Strat(s => s.CreateAsync(me, Momentum("Gone", portfolio)));
        var seeded = await SeedFillsAsync(me.UserId, portfolio, id);

        await Strat(s => s.DeleteAsync(me, id));

        await Assert.ThrowsAsync<TradingNotFoundException>(() => Strat(s => s.GetAsync(me, id)));
        await using var db = await DbAsync();
        var orders = await db.Orders.Where(o => seeded.StrategyOrders.Contains(o.Id)).ToListAsync();
        Assert.Equal(seeded.StrategyOrders.Count, orders.Count);
        Assert.All(orders, o => Assert.Null(o.StrategyId));
        Assert.Equal(seeded.Trades, await db.Trades.CountAsync());
    }

    /// <summary>
    /// Hand-worked: the strategy's fills are a buy (opening, no P&amp;L) and four closing sells: 4 Mar +50 and −20, 5 Mar +60,
    /// 6 Mar −30. NumTrades 4; TotalPnl 50 − 20 + 60 − 30 = 60; WinRate 2/4 = 0.5. Daily realised P&amp;L 30, 60, −30:
    /// mean 20, deviations 10, 40, −50, sample variance (100 + 1600 + 2500) / 2 = 2100, Sharpe 20 / √2100 × √252 =
    /// 20 × √0.12 = 4√3 ≈ 6.9282. The manual order's +1000 and another strategy's −500 in the same portfolio are not counted.
    /// </summary>
    [Fact]
    public async Task Performance_FromTheStrategysOwnFills_MatchesTheHandWorkedFigures_AndRefreshStoresThem()
    {
        var (me, portfolio) = await TraderAsync("perf@test.local");
        var id = await Strat(s => s.CreateAsync(me, Momentum("Measured", portfolio)));
        await SeedFillsAsync(me.UserId, portfolio, id);

        var read = await Strat(s => s.PerformanceAsync(me, id));

        Assert.Equal(4, read.NumTrades);
        Assert.Equal((2, 2), (read.Wins, read.Losses));
        Assert.Equal(60m, read.TotalPnl);
        Assert.Equal(0.5, read.WinRate);
        Assert.Equal(3, read.SharpeDays);
        Assert.Equal(4 * Math.Sqrt(3), read.SharpeRatio!.Value, 9);
        Assert.Equal(5, read.Fills);
        // Reading does not write; refreshing does.
        Assert.Equal(0, (await Strat(s => s.GetAsync(me, id))).NumTrades);

        var refreshed = await Strat(s => s.RefreshPerformanceAsync(id));

        Assert.Equal(read, refreshed);
        var row = Assert.Single(await Strat(s => s.ListAsync(me)), r => r.Id == id);
        Assert.Equal((4, 60m, 0.5), (row.NumTrades, row.TotalPnl, row.WinRate));
        Assert.Equal(4 * Math.Sqrt(3), row.SharpeRatio!.Value, 9);
        Assert.Null(await Strat(s => s.RefreshPerformanceAsync(999_999)));
    }

    [Fact]
    public async Task Performance_WithOneDayOfClosingFills_HasNoSharpe_AndWithNoneHasNoWinRate()
    {
        var (me, portfolio) = await TraderAsync("oneday@test.local");
        var id = await Strat(s => s.CreateAsync(me, Momentum("Young", portfolio)));
        var empty = await Strat(s => s.PerformanceAsync(me, id));
        Assert.Equal((0, 0m, (double?)null, (double?)null), (empty.NumTrades, empty.TotalPnl, empty.WinRate, empty.SharpeRatio));

        var instrument = await InstrumentAsync("ONE");
        await using (var db = await DbAsync())
        {
            var order = NewOrder(me.UserId, portfolio, instrument, id, "one-1", OrderSide.Sell);
            db.Orders.Add(order);
            await db.SaveChangesAsync();
            db.Trades.Add(NewTrade(portfolio, order.Id, instrument, "t-one-1", OrderSide.Sell, new DateTimeOffset(2024, 3, 4, 15, 0, 0, TimeSpan.Zero), 25m));
            db.Trades.Add(NewTrade(portfolio, order.Id, instrument, "t-one-2", OrderSide.Sell, new DateTimeOffset(2024, 3, 4, 18, 0, 0, TimeSpan.Zero), -5m));
            await db.SaveChangesAsync();
        }

        var perf = await Strat(s => s.PerformanceAsync(me, id));

        Assert.Equal((2, 20m, 0.5, 1), (perf.NumTrades, perf.TotalPnl, perf.WinRate!.Value, perf.SharpeDays));
        Assert.Null(perf.SharpeRatio);
    }

    [Fact]
    public async Task RecentOrders_AreTheStrategysNewestFirst()
    {
        var (me, portfolio) = await TraderAsync("orders@test.local");
        var id = await Strat(s => s.CreateAsync(me, Momentum("Busy", portfolio)));
        var seeded = await SeedFillsAsync(me.UserId, portfolio, id);

        var orders = await Strat(s => s.RecentOrdersAsync(me, id));

        Assert.Equal(seeded.StrategyOrders.AsEnumerable().Reverse(), orders.Select(o => o.Id));
        Assert.All(orders, o => Assert.Equal("SEED", o.Symbol));
        Assert.Equal(2, (await Strat(s => s.RecentOrdersAsync(me, id, take: 2))).Count);
    }

    [Fact]
    public async Task Catalog_ListsEveryType_UnavailableOnesWithTheirReason()
    {
        var catalog = await Strat(s => s.CatalogAsync());

        Assert.Equal(Enum.GetValues<StrategyType>().Length, catalog.Count);
        Assert.All(catalog.Where(c => !c.IsAvailable), c => Assert.False(string.IsNullOrWhiteSpace(c.UnavailableReason)));
        Assert.All(catalog.Where(c => c.IsAvailable), c => Assert.NotNull(c.Schema));
        Assert.Contains(catalog, c => c.Type == StrategyType.Momentum && c.IsAvailable && c.IsStandalone);
    }

    private async Task<long> InstrumentAsync(string symbol)
    {
        await using var db = await DbAsync();
        var i = new Instrument { Symbol = symbol, Exchange = "NASDAQ", Name = symbol + " Inc", CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Instruments.Add(i);
        await db.SaveChangesAsync();
        return i.Id;
    }

    private sealed record Seeded(IReadOnlyList<long> StrategyOrders, int Trades);

    /// <summary>The fills of the hand-worked performance test (see there), plus a manual order's and another strategy's.</summary>
    private async Task<Seeded> SeedFillsAsync(Guid user, long portfolio, long strategyId)
    {
        var instrument = await InstrumentAsync("SEED");
        await using var db = await DbAsync();
        var other = new Strategy { UserId = user, Name = "Other", StrategyType = StrategyType.Dca, Config = "{}", CreatedAt = Clock.GetUtcNow(), UpdatedAt = Clock.GetUtcNow() };
        db.Strategies.Add(other);
        await db.SaveChangesAsync();

        static DateTimeOffset At(int day, int hour) => new(2024, 3, day, hour, 0, 0, TimeSpan.Zero);
        var orders = new List<Order>();
        for (var i = 0; i < 5; i++)
        {
            var o = NewOrder(user, portfolio, instrument, strategyId, $"s-{strategyId}-{i}", i == 0 ? OrderSide.Buy : OrderSide.Sell);
            o.CreatedAt = At(4, 10 + i);
            orders.Add(o);
        }
        var manual = NewOrder(user, portfolio, instrument, null, $"manual-{strategyId}", OrderSide.Sell);
        var foreign = NewOrder(user, portfolio, instrument, other.Id, $"other-{strategyId}", OrderSide.Sell);
        db.Orders.AddRange([.. orders, manual, foreign]);
        await db.SaveChangesAsync();

        db.Trades.AddRange(
            NewTrade(portfolio, orders[0].Id, instrument, $"t-{strategyId}-0", OrderSide.Buy, At(1, 15), null),
            NewTrade(portfolio, orders[1].Id, instrument, $"t-{strategyId}-1", OrderSide.Sell, At(4, 14), 50m),
            NewTrade(portfolio, orders[2].Id, instrument, $"t-{strategyId}-2", OrderSide.Sell, At(4, 20), -20m),
            NewTrade(portfolio, orders[3].Id, instrument, $"t-{strategyId}-3", OrderSide.Sell, At(5, 15), 60m),
            NewTrade(portfolio, orders[4].Id, instrument, $"t-{strategyId}-4", OrderSide.Sell, At(6, 15), -30m),
            NewTrade(portfolio, manual.Id, instrument, $"t-{strategyId}-m", OrderSide.Sell, At(5, 15), 1000m),
            NewTrade(portfolio, foreign.Id, instrument, $"t-{strategyId}-f", OrderSide.Sell, At(6, 15), -500m));
        await db.SaveChangesAsync();
        return new Seeded(orders.Select(o => o.Id).ToList(), 7);
    }

    private static Order NewOrder(Guid user, long portfolio, long instrument, long? strategy, string clientId, OrderSide side) => new()
    {
        UserId = user, PortfolioId = portfolio, InstrumentId = instrument, StrategyId = strategy, ClientOrderId = clientId, Side = side,
        OrderType = OrderType.Market, TimeInForce = TimeInForce.Day, Status = OrderStatus.Filled, Quantity = 5, FilledQuantity = 5, AverageFillPrice = 100,
        PlacedAt = new DateTimeOffset(2024, 3, 1, 14, 30, 0, TimeSpan.Zero), CreatedAt = new DateTimeOffset(2024, 3, 1, 14, 30, 0, TimeSpan.Zero),
        UpdatedAt = new DateTimeOffset(2024, 3, 1, 14, 30, 0, TimeSpan.Zero),
    };

    private static Trade NewTrade(long portfolio, long order, long instrument, string brokerId, OrderSide side, DateTimeOffset at, decimal? pnl) => new()
    {
        PortfolioId = portfolio, OrderId = order, InstrumentId = instrument, BrokerTradeId = brokerId, Side = side, Quantity = 5, Price = 100, Value = 500,
        Pnl = pnl, ExecutedAt = at,
    };
}
