using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Brokers;
using Signalbook.Features.Portfolios.Brokers.Alpaca;
using Signalbook.Tests.Infrastructure;
using Received = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Received;
using Reply = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Reply;

namespace Signalbook.Tests.Features.Portfolios.Brokers;

/// <summary>
/// The Alpaca broker client against a local HTTP server answering in Alpaca's documented format
/// (Fixtures/AlpacaTrading/README.md), resolved through <see cref="BrokersSetup.AddBrokerPlugins"/>.
/// </summary>
public sealed class AlpacaBrokerClientTests : IAsyncLifetime
{
    private const string KeyId = "PKTESTKEY0000000WXYZ";
    private const string Secret = "s3cr3t-Alpaca-Secret-Key-0123456789abcdef";
    private const string OrderId = "61e69015-8549-4bfd-b9c3-01e75843f47d";

    private ScriptedHttpServer _server = null!;
    private readonly List<ServiceProvider> _providers = [];

    public async Task InitializeAsync() => _server = await ScriptedHttpServer.StartAsync();

    private static string Fixture(string name) => ScriptedHttpServer.Fixture(name, "AlpacaTrading");

    private static Reply Json(string fixtureName, int status = 200) => ScriptedHttpServer.Json(fixtureName, status, "AlpacaTrading");

    public async Task DisposeAsync()
    {
        foreach (var sp in _providers) await sp.DisposeAsync();
        await _server.DisposeAsync();
    }

    private IBrokerClient Alpaca(Dictionary<string, string?>? extra = null, string environment = BrokerEnvironments.Paper)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Brokers:Alpaca:PaperBaseUrl"] = _server.BaseUrl,
            ["Brokers:Alpaca:LiveBaseUrl"] = _server.BaseUrl + "/live",
            ["Brokers:Alpaca:MaxRequestsPerMinute"] = "60000",
            ["Brokers:Alpaca:BaseBackoffMilliseconds"] = "10",
            ["Brokers:Alpaca:MaxRetries"] = "2",
            ["Brokers:Alpaca:MaxRateLimitRetries"] = "2",
            ["Brokers:Alpaca:RequestTimeoutSeconds"] = "5",
        };
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddSingleton(TimeProvider.System);
        services.AddBrokerPlugins();
        var sp = services.BuildServiceProvider();
        _providers.Add(sp);
        return sp.GetRequiredService<AlpacaBrokerClientFactory>().Create(new BrokerCredentials(7, Guid.NewGuid(), BrokerPlugins.Alpaca, environment, KeyId, Secret));
    }

    private static BrokerOrderRequest LimitBuy(string clientOrderId = "sb-42-7f3a") =>
        new("AAPL", OrderSide.Buy, OrderType.Limit, 10, TimeInForce.Gtc, clientOrderId, LimitPrice: 187.5m);

    private static JsonElement BodyOf(Received r) => JsonDocument.Parse(r.Body).RootElement;

    private static bool IsPost(Received r) => r is { Method: "POST", Path: "/v2/orders" };

    private static bool IsLookup(Received r) => r is { Method: "GET", Path: "/v2/orders:by_client_order_id" };

    // ---- submit -------------------------------------------------------------------------------------------------

    [Fact]
    public async Task Submit_Accepted_SendsTheDocumentedBodyAndKeyHeaders_AndReturnsTheBrokerOrderId()
    {
        _server.Script = (_, _) => Json("order-accepted.json");
        var ack = await Alpaca().SubmitOrderAsync(LimitBuy());

        Assert.True(ack.Accepted);
        Assert.Equal(OrderId, ack.BrokerOrderId);
        Assert.Equal(OrderStatus.Open, ack.Status); // Alpaca's "accepted": the broker holds it
        Assert.False(ack.Recovered);
        Assert.Equal("accepted", ack.Order!.BrokerStatus);

        var r = Assert.Single(_server.Requests);
        Assert.Equal("POST", r.Method);
        Assert.Equal("/v2/orders", r.Path);
        Assert.Equal(KeyId, r.Headers["APCA-API-KEY-ID"]);
        Assert.Equal(Secret, r.Headers["APCA-API-SECRET-KEY"]);
        Assert.StartsWith("application/json", r.Headers["Content-Type"]);
        var body = BodyOf(r);
        Assert.Equal("AAPL", body.GetProperty("symbol").GetString());
        Assert.Equal("10", body.GetProperty("qty").GetString());
        Assert.Equal("buy", body.GetProperty("side").GetString());
        Assert.Equal("limit", body.GetProperty("type").GetString());
        Assert.Equal("gtc", body.GetProperty("time_in_force").GetString());
        Assert.Equal("sb-42-7f3a", body.GetProperty("client_order_id").GetString());
        Assert.Equal("187.5", body.GetProperty("limit_price").GetString());
        Assert.False(body.TryGetProperty("stop_price", out _));
        Assert.False(body.TryGetProperty("order_class", out _));
        Assert.False(body.TryGetProperty("take_profit", out _));
    }

    [Theory]
    [InlineData(OrderType.Market, "market", null, null)]
    [InlineData(OrderType.Limit, "limit", "101.25", null)]
    [InlineData(OrderType.StopLoss, "stop", null, "99.5")]
    [InlineData(OrderType.StopLimit, "stop_limit", "99", "99.5")]
    public async Task Submit_MapsOurOrderTypeToAlpacasType(OrderType type, string alpacaType, string? limit, string? stop)
    {
        _server.Script = (_, _) => Json("order-accepted.json");
        var request = new BrokerOrderRequest("aapl", OrderSide.Sell, type, 3, TimeInForce.Day, "sb-type",
            LimitPrice: limit is null ? null : decimal.Parse(limit, System.Globalization.CultureInfo.InvariantCulture),
            StopPrice: stop is null ? null : decimal.Parse(stop, System.Globalization.CultureInfo.InvariantCulture));
        var ack = await Alpaca().SubmitOrderAsync(request);

        Assert.True(ack.Accepted, ack.RejectReason);
        var body = BodyOf(Assert.Single(_server.Requests));
        Assert.Equal(alpacaType, body.GetProperty("type").GetString());
        Assert.Equal("AAPL", body.GetProperty("symbol").GetString());
        Assert.Equal("sell", body.GetProperty("side").GetString());
        Assert.Equal("day", body.GetProperty("time_in_force").GetString());
        Assert.Equal(limit, body.TryGetProperty("limit_price", out var l) ? l.GetString() : null);
        Assert.Equal(stop, body.TryGetProperty("stop_price", out var s) ? s.GetString() : null);
    }

    [Fact]
    public async Task Submit_Bracket_SendsOrderClassWithTakeProfitAndStopLoss_AndHeldLegsArePending()
    {
        _server.Script = (_, _) => Json("order-bracket-new.json");
        var ack = await Alpaca().SubmitOrderAsync(new BrokerOrderRequest("MSFT", OrderSide.Buy, OrderType.Market, 5, TimeInForce.Day, "sb-43-b001",
            OrderClass: BrokerOrderClass.Bracket, TakeProfitLimitPrice: 440m, StopLossStopPrice: 405m, StopLossLimitPrice: 404.5m));

        Assert.True(ack.Accepted);
        var body = BodyOf(Assert.Single(_server.Requests));
        Assert.Equal("bracket", body.GetProperty("order_class").GetString());
        Assert.Equal("440", body.GetProperty("take_profit").GetProperty("limit_price").GetString());
        Assert.Equal("405", body.GetProperty("stop_loss").GetProperty("stop_price").GetString());
        Assert.Equal("404.5", body.GetProperty("stop_loss").GetProperty("limit_price").GetString());

        var order = ack.Order!;
        Assert.Equal("bracket", order.OrderClass);
        Assert.Equal(2, order.Legs.Count);
        Assert.All(order.Legs, leg => Assert.Equal(OrderStatus.Pending, leg.Status)); // "held" until the entry fills
        Assert.Equal([OrderType.Limit, OrderType.StopLoss], order.Legs.Select(l => l.Type));
        Assert.Equal(405m, order.Legs[1].StopPrice);
    }

    [Fact]
    public async Task Submit_InsufficientBuyingPower403_IsARejectionWithAlpacasReason_NotAnException()
    {
        _server.Script = (_, _) => Json("error-insufficient-buying-power.json", 403);
        var ack = await Alpaca().SubmitOrderAsync(LimitBuy());

        Assert.False(ack.Accepted);
        Assert.Equal(OrderStatus.Rejected, ack.Status);
        Assert.Equal(BrokerRejectSource.Broker, ack.RejectSource);
        Assert.Equal(403, ack.HttpStatus);
        Assert.Equal(40310000, ack.BrokerErrorCode);
        Assert.Null(ack.BrokerOrderId);
        Assert.Equal("Alpaca rejected the order: insufficient buying power (HTTP 403, Alpaca code 40310000).", ack.RejectReason);
        Assert.Single(_server.Requests); // a refusal is final: no retry
    }

    [Fact]
    public async Task Submit_Invalid422_IsARejectionWithAlpacasReason()
    {
        _server.Script = (_, _) => Json("error-invalid-order.json", 422);
        var ack = await Alpaca().SubmitOrderAsync(LimitBuy());

        Assert.False(ack.Accepted);
        Assert.Equal(422, ack.HttpStatus);
        Assert.Equal(42210000, ack.BrokerErrorCode);
        Assert.Contains("sub-penny increment does not fulfill minimum pricing criteria", ack.RejectReason);
        Assert.Contains("HTTP 422", ack.RejectReason);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Submit_ClientOrderIdAlreadyAtAlpaca_ReturnsThatOrder_InsteadOfARejection()
    {
        _server.Script = (r, _) => IsPost(r) ? Json("error-duplicate-client-order-id.json", 422) : Json("order-partially-filled.json");
        var ack = await Alpaca().SubmitOrderAsync(LimitBuy());

        Assert.True(ack.Accepted);
        Assert.True(ack.Recovered);
        Assert.Equal(OrderId, ack.BrokerOrderId);
        Assert.Equal(OrderStatus.PartiallyFilled, ack.Status);
        var lookup = Assert.Single(_server.Requests, IsLookup);
        Assert.Equal("sb-42-7f3a", lookup.Query["client_order_id"]);
    }

    [Fact]
    public async Task Submit_Timeout_LooksTheOrderUpByClientOrderId_AndNeverPostsASecondTime()
    {
        _server.Script = (r, _) => IsPost(r) ? new Reply(200, Fixture("order-accepted.json"), Delay: TimeSpan.FromSeconds(3)) : Json("order-accepted.json");
        var ack = await Alpaca(new() { ["Brokers:Alpaca:RequestTimeoutSeconds"] = "0.3" }).SubmitOrderAsync(LimitBuy());

        Assert.True(ack.Accepted);
        Assert.True(ack.Recovered);
        Assert.Equal(OrderId, ack.BrokerOrderId);
        var requests = _server.Requests;
        Assert.Single(requests, IsPost);
        var lookup = Assert.Single(requests, IsLookup);
        Assert.Equal("sb-42-7f3a", lookup.Query["client_order_id"]);
        Assert.Equal(KeyId, lookup.Headers["APCA-API-KEY-ID"]);
    }

    [Fact]
    public async Task Submit_TimeoutAndAlpacaHasNoSuchOrder_SendsAgainWithTheSameClientOrderId()
    {
        var posts = 0;
        _server.Script = (r, _) => IsPost(r)
            ? ++posts == 1 ? new Reply(200, Fixture("order-accepted.json"), Delay: TimeSpan.FromSeconds(3)) : Json("order-accepted.json")
            : Json("error-not-found.json", 404);
        var ack = await Alpaca(new() { ["Brokers:Alpaca:RequestTimeoutSeconds"] = "0.3" }).SubmitOrderAsync(LimitBuy());

        Assert.True(ack.Accepted);
        Assert.False(ack.Recovered);
        var requests = _server.Requests;
        Assert.Equal(["POST", "GET", "POST"], requests.Select(r => r.Method));
        Assert.All(requests.Where(IsPost), r => Assert.Equal("sb-42-7f3a", BodyOf(r).GetProperty("client_order_id").GetString()));
    }

    [Fact]
    public async Task Submit_TimeoutOnEveryAttempt_FailsClearly_AfterLookingEachTime()
    {
        _server.Script = (r, _) => IsPost(r) ? new Reply(200, "{}", Delay: TimeSpan.FromSeconds(3)) : Json("error-not-found.json", 404);
        var error = await Assert.ThrowsAsync<BrokerException>(() =>
            Alpaca(new() { ["Brokers:Alpaca:RequestTimeoutSeconds"] = "0.3", ["Brokers:Alpaca:MaxRetries"] = "1" }).SubmitOrderAsync(LimitBuy()));

        Assert.Equal(BrokerErrorKind.Timeout, error.Kind);
        Assert.StartsWith("Alpaca did not answer within 0.3 s when placing order sb-42-7f3a (buy 10 AAPL)", error.Message);
        Assert.Contains("tried 2 time(s)", error.Message);
        Assert.Contains("no order with client order id sb-42-7f3a", error.Message);
        Assert.Equal(["POST", "GET", "POST", "GET"], _server.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Submit_ServerError_LooksUpFirst_ThenRetriesTheSameOrder()
    {
        var posts = 0;
        _server.Script = (r, _) => IsPost(r)
            ? ++posts == 1 ? new Reply(503, "{\"message\":\"service unavailable\"}") : Json("order-accepted.json")
            : Json("error-not-found.json", 404);
        var ack = await Alpaca().SubmitOrderAsync(LimitBuy());

        Assert.True(ack.Accepted);
        Assert.Equal(["POST", "GET", "POST"], _server.Requests.Select(r => r.Method));
    }

    [Theory]
    [InlineData(OrderType.Twap)]
    [InlineData(OrderType.Vwap)]
    public async Task Submit_TwapOrVwap_IsRejectedLocally_WithoutARequest(OrderType type)
    {
        var ack = await Alpaca().SubmitOrderAsync(new BrokerOrderRequest("AAPL", OrderSide.Buy, type, 100, TimeInForce.Day, "sb-twap"));

        Assert.False(ack.Accepted);
        Assert.Equal(BrokerRejectSource.Local, ack.RejectSource);
        Assert.Equal("Alpaca does not take TWAP/VWAP orders; use the paper broker.", ack.RejectReason);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Submit_FractionalMarketDay_IsSentWithItsFractionalQuantity()
    {
        _server.Script = (_, _) => Json("order-accepted.json");
        var ack = await Alpaca().SubmitOrderAsync(new BrokerOrderRequest("AAPL", OrderSide.Buy, OrderType.Market, 3.654m, TimeInForce.Day, "sb-frac"));

        Assert.True(ack.Accepted, ack.RejectReason);
        Assert.Equal("3.654", BodyOf(Assert.Single(_server.Requests)).GetProperty("qty").GetString());
    }

    [Theory]
    [InlineData(OrderType.Limit, TimeInForce.Day, BrokerOrderClass.Simple)]
    [InlineData(OrderType.Market, TimeInForce.Gtc, BrokerOrderClass.Simple)]
    [InlineData(OrderType.StopLoss, TimeInForce.Day, BrokerOrderClass.Simple)]
    [InlineData(OrderType.Market, TimeInForce.Day, BrokerOrderClass.Bracket)]
    public async Task Submit_FractionalOtherThanSimpleMarketDay_IsRejectedLocally_SayingWhy(OrderType type, TimeInForce tif, BrokerOrderClass orderClass)
    {
        var bracket = orderClass == BrokerOrderClass.Bracket;
        var ack = await Alpaca().SubmitOrderAsync(new BrokerOrderRequest("AAPL", OrderSide.Buy, type, 0.5m, tif, "sb-frac",
            LimitPrice: type == OrderType.Limit ? 180 : null, StopPrice: type == OrderType.StopLoss ? 170 : null,
            OrderClass: orderClass, TakeProfitLimitPrice: bracket ? 200 : null, StopLossStopPrice: bracket ? 170 : null));

        Assert.False(ack.Accepted);
        Assert.Equal(BrokerRejectSource.Local, ack.RejectSource);
        Assert.StartsWith("Quantity 0.5 is fractional: Alpaca takes fractional shares only for market orders with time in force day", ack.RejectReason);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void Rules_CatchMissingPricesAndInvertedExits_BeforeAnyRequest()
    {
        Assert.Equal("A limit order needs a limit price above zero.",
            AlpacaOrderRules.Validate(new BrokerOrderRequest("AAPL", OrderSide.Buy, OrderType.Limit, 1, TimeInForce.Day, "c")));
        Assert.Equal("A stop_loss order needs a stop price above zero.",
            AlpacaOrderRules.Validate(new BrokerOrderRequest("AAPL", OrderSide.Sell, OrderType.StopLoss, 1, TimeInForce.Day, "c")));
        Assert.Equal("Take-profit 90 must be above the stop-loss 95 for exits that sell.",
            AlpacaOrderRules.Validate(new BrokerOrderRequest("AAPL", OrderSide.Buy, OrderType.Market, 1, TimeInForce.Day, "c",
                OrderClass: BrokerOrderClass.Bracket, TakeProfitLimitPrice: 90, StopLossStopPrice: 95)));
        Assert.Equal("Alpaca takes OCO exits only as type limit (the take-profit leg is the limit order).",
            AlpacaOrderRules.Validate(new BrokerOrderRequest("AAPL", OrderSide.Sell, OrderType.Market, 1, TimeInForce.Gtc, "c",
                OrderClass: BrokerOrderClass.Oco, TakeProfitLimitPrice: 110, StopLossStopPrice: 95)));
        Assert.Null(AlpacaOrderRules.Validate(new BrokerOrderRequest("AAPL", OrderSide.Sell, OrderType.Limit, 1, TimeInForce.Gtc, "c",
            OrderClass: BrokerOrderClass.Oco, TakeProfitLimitPrice: 110, StopLossStopPrice: 95)));
        Assert.StartsWith("Client order id is 129 characters",
            AlpacaOrderRules.Validate(new BrokerOrderRequest("AAPL", OrderSide.Buy, OrderType.Market, 1, TimeInForce.Day, new string('x', 129))));
    }

    // ---- orders, fills, positions, account ---------------------------------------------------------------------

    [Fact]
    public async Task GetOrder_PartiallyFilled_ReportsFilledQuantityAveragePriceAndTimes()
    {
        _server.Script = (_, _) => Json("order-partially-filled.json");
        var order = await Alpaca().GetOrderAsync(OrderId);

        Assert.Equal(OrderStatus.PartiallyFilled, order.Status);
        Assert.Equal("partially_filled", order.BrokerStatus);
        Assert.Equal(10m, order.Quantity);
        Assert.Equal(4m, order.FilledQuantity);
        Assert.Equal(187.4525m, order.AverageFillPrice);
        Assert.Equal(187.5m, order.LimitPrice);
        Assert.Equal(OrderType.Limit, order.Type);
        Assert.Equal(TimeInForce.Gtc, order.TimeInForce);
        Assert.Equal(OrderSide.Buy, order.Side);
        Assert.Equal("sb-42-7f3a", order.ClientOrderId);
        Assert.Equal("simple", order.OrderClass);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 30, 1, TimeSpan.Zero).AddTicks(5109320), order.SubmittedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 41, 17, TimeSpan.Zero).AddTicks(8044661), order.UpdatedAt); // nanoseconds cut to ticks
        Assert.Null(order.FilledAt);
        var r = Assert.Single(_server.Requests);
        Assert.Equal($"/v2/orders/{OrderId}", r.Path);
        Assert.Equal("GET", r.Method);
    }

    [Fact]
    public async Task GetOrder_Unknown_IsNotFound_WithAlpacasMessage()
    {
        _server.Script = (_, _) => Json("error-not-found.json", 404);
        var error = await Assert.ThrowsAsync<BrokerException>(() => Alpaca().GetOrderAsync("nope"));
        Assert.Equal(BrokerErrorKind.NotFound, error.Kind);
        Assert.Equal(404, error.HttpStatus);
        Assert.Equal(40410000, error.BrokerCode);
        Assert.Contains("order not found for sb-42-7f3a (HTTP 404, Alpaca code 40410000)", error.Message);
    }

    [Fact]
    public async Task Fills_FollowThePageTokenAcrossTwoPages_AndKeepAlpacasActivityIds()
    {
        const string lastOfPage1 = "20261120144117804::1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
        _server.Script = (r, _) => r.Query.GetValueOrDefault("page_token") switch
        {
            null => Json("fills-page1.json"),
            lastOfPage1 => Json("fills-page2.json"),
            var t => new Reply(400, $"{{\"message\":\"unknown page token {t}\"}}"),
        };
        var since = new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
        var fills = await Alpaca().GetFillsSinceAsync(since, pageSize: 2);

        Assert.Equal(3, fills.Count);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("/v2/account/activities/FILL", r.Path);
            Assert.Equal("2026-11-20T14:00:00.000000Z", r.Query["after"]);
            Assert.Equal("asc", r.Query["direction"]);
            Assert.Equal("2", r.Query["page_size"]);
        });
        Assert.False(requests[0].Query.ContainsKey("page_token"));
        Assert.Equal(lastOfPage1, requests[1].Query["page_token"]);

        var first = fills[0];
        Assert.Equal("20261120143512345::8f1d6b52-3a4e-4c8d-9e2f-0a1b2c3d4e5f", first.BrokerTradeId);
        Assert.Equal(OrderId, first.BrokerOrderId);
        Assert.Equal(("AAPL", OrderSide.Buy, 3m, 187.45m, true, 3m, 7m), (first.Symbol, first.Side, first.Quantity, first.Price, first.IsPartial, first.CumulativeQuantity, first.LeavesQuantity));
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 14, 35, 12, TimeSpan.Zero).AddTicks(3456780), first.ExecutedAt);
        Assert.Equal(4m, fills.Where(f => f.BrokerOrderId == OrderId).Sum(f => f.Quantity)); // the order's filled_qty
        var last = fills[2];
        Assert.Equal(("MSFT", OrderSide.Sell, 0.5m, 412.1m, false), (last.Symbol, last.Side, last.Quantity, last.Price, last.IsPartial)); // sell_short is a sell
    }

    [Fact]
    public async Task OrderUpdates_JoinOrdersSubmittedSinceWithEveryOpenOrder_OnceEach_OldestFirst()
    {
        _server.Script = (r, _) => r.Query["status"] == "open" ? Json("orders-open.json") : Json("orders-list.json");
        var since = new DateTimeOffset(2026, 11, 20, 14, 0, 0, TimeSpan.Zero);
        var updates = await Alpaca().GetOrderUpdatesSinceAsync(since);

        Assert.Equal(["d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70", OrderId, "3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f"], updates.Select(u => u.BrokerOrderId));
        Assert.Equal([OrderStatus.Open, OrderStatus.PartiallyFilled, OrderStatus.Filled], updates.Select(u => u.Status));
        Assert.Equal(OrderType.StopLimit, updates[0].Type);
        var all = Assert.Single(_server.Requests, r => r.Query["status"] == "all");
        Assert.Equal("2026-11-20T14:00:00.000000Z", all.Query["after"]);
        Assert.Equal("asc", all.Query["direction"]);
        Assert.Equal("500", all.Query["limit"]);
        var open = Assert.Single(_server.Requests, r => r.Query["status"] == "open");
        Assert.False(open.Query.ContainsKey("after"));
    }

    [Fact]
    public async Task Cancel_Accepted_IsADelete_AndNotCancelableSaysWhy()
    {
        _server.Script = (_, n) => n == 0 ? new Reply(204) : Json("error-not-cancelable.json", 422);
        var alpaca = Alpaca();
        var accepted = await alpaca.CancelOrderAsync(OrderId);
        var refused = await alpaca.CancelOrderAsync(OrderId);

        Assert.True(accepted.Accepted);
        Assert.Null(accepted.Reason);
        Assert.False(refused.Accepted);
        Assert.Equal(422, refused.HttpStatus);
        Assert.Contains("order is not cancelable (HTTP 422, Alpaca code 42210000)", refused.Reason);
        Assert.All(_server.Requests, r =>
        {
            Assert.Equal("DELETE", r.Method);
            Assert.Equal($"/v2/orders/{OrderId}", r.Path);
        });
    }

    [Fact]
    public async Task Positions_MapWithShortsSignedNegative()
    {
        _server.Script = (_, _) => Json("positions.json");
        var positions = await Alpaca().GetPositionsAsync();

        Assert.Equal(2, positions.Count);
        var aapl = positions[0];
        Assert.Equal(("AAPL", 4m, 187.4525m, 188.05m, 752.2m, 749.81m, 2.39m, "us_equity"),
            (aapl.Symbol, aapl.Quantity, aapl.AverageEntryPrice, aapl.CurrentPrice, aapl.MarketValue, aapl.CostBasis, aapl.UnrealizedPnl, aapl.AssetClass));
        Assert.Equal(("MSFT", -2m, 412.1m), (positions[1].Symbol, positions[1].Quantity, positions[1].AverageEntryPrice));
        Assert.Equal("/v2/positions", Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task Account_MapsBalancesAndFlags()
    {
        _server.Script = (_, _) => Json("account.json");
        var account = await Alpaca().GetAccountAsync();

        Assert.Equal(new BrokerAccount("PA3QWERTY12", "ACTIVE", "USD", 98976.33m, 196452.25m, 99733.53m, PatternDayTrader: true, TradingBlocked: false,
            AccountBlocked: false), account);
        Assert.Equal("/v2/account", Assert.Single(_server.Requests).Path);
    }

    [Fact]
    public async Task LiveCredentials_GoToTheLiveEndpoint()
    {
        _server.Script = (_, _) => Json("account.json");
        var alpaca = Alpaca(environment: BrokerEnvironments.Live);
        await alpaca.GetAccountAsync();

        Assert.Equal("live", alpaca.Environment);
        Assert.Equal("/live/v2/account", Assert.Single(_server.Requests).Path);
    }

    // ---- rate limits, server errors, refusals, cancellation -------------------------------------------------------

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter_ThenSucceeds()
    {
        _server.Script = (_, n) => n == 0
            ? new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "1" })
            : Json("account.json");
        var account = await Alpaca().GetAccountAsync();

        Assert.Equal("ACTIVE", account.Status);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        var waited = requests[1].At - requests[0].At;
        Assert.True(waited >= TimeSpan.FromMilliseconds(950), $"retried after {waited.TotalMilliseconds} ms; Retry-After asked for 1 s");
    }

    [Fact]
    public async Task TooManyRequests_OnSubmit_WaitsAndPostsAgain_WithoutALookup()
    {
        _server.Script = (_, n) => n == 0
            ? new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "0" })
            : Json("order-accepted.json");
        var ack = await Alpaca().SubmitOrderAsync(LimitBuy());

        Assert.True(ack.Accepted);
        Assert.Equal(["POST", "POST"], _server.Requests.Select(r => r.Method)); // a 429 is refused before processing: safe to send again
    }

    [Fact]
    public async Task TooManyRequests_Forever_FailsClearly_AfterTheBoundedTries()
    {
        _server.Script = (_, _) => new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "0" });
        var error = await Assert.ThrowsAsync<BrokerException>(() => Alpaca().GetPositionsAsync());

        Assert.Equal(BrokerErrorKind.RateLimited, error.Kind);
        Assert.Equal(429, error.HttpStatus);
        Assert.Equal(42910000, error.BrokerCode);
        Assert.Equal("Alpaca's rate limit (HTTP 429) was still in force after 3 attempt(s) when reading positions; try again in a minute.", error.Message);
        Assert.Equal(3, _server.Requests.Count); // the first attempt and MaxRateLimitRetries = 2
    }

    [Fact]
    public async Task TooManyRequests_AskingForALongerWaitThanAllowed_FailsAtOnce()
    {
        _server.Script = (_, _) => new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "3600" });
        var error = await Assert.ThrowsAsync<BrokerException>(() => Alpaca().GetAccountAsync());

        Assert.Equal(BrokerErrorKind.RateLimited, error.Kind);
        Assert.Contains("asks to wait 3600 s", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task ServerErrors_OnReads_AreRetriedWithBackoff_ThenSucceed()
    {
        _server.Script = (_, n) => n < 2 ? new Reply(n == 0 ? 500 : 502, "{\"message\":\"internal server error\"}") : Json("positions.json");
        var positions = await Alpaca().GetPositionsAsync();

        Assert.Equal(2, positions.Count);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task ServerErrors_Forever_FailAfterMaxRetries_WithStatusAndMessage()
    {
        _server.Script = (_, _) => new Reply(500, "{\"code\":50010000,\"message\":\"internal server error\"}");
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<BrokerException>(() => Alpaca().GetOrderAsync(OrderId));

        Assert.Equal(BrokerErrorKind.ServerError, error.Kind);
        Assert.Equal(500, error.HttpStatus);
        Assert.Equal(3, _server.Requests.Count); // the first attempt and MaxRetries = 2
        Assert.StartsWith($"Alpaca answered HTTP 500 when reading order {OrderId}, on all 3 attempt(s).", error.Message);
        Assert.Contains("internal server error", error.Message);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(30), "two backoffs of at least 10 ms and 20 ms");
    }

    [Fact]
    public async Task RefusedKeys_FailAtOnce_NamingTheEnvironment()
    {
        _server.Script = (_, _) => new Reply(401, "{\"code\":40110000,\"message\":\"request is not authorized\"}");
        var error = await Assert.ThrowsAsync<BrokerException>(() => Alpaca().GetAccountAsync());

        Assert.Equal(BrokerErrorKind.Unauthorized, error.Kind);
        Assert.Contains("request is not authorized (HTTP 401, Alpaca code 40110000)", error.Message);
        Assert.Contains("meant for the paper endpoint", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task Cancellation_StopsTheCall_AsCancellation_NotAsABrokerError()
    {
        _server.Script = (_, _) => new Reply(200, Fixture("account.json"), Delay: TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Alpaca().GetAccountAsync(cts.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Single(_server.Requests);
    }

    [Fact]
    public void Credentials_ToString_LeavesTheSecretOut()
    {
        var text = new BrokerCredentials(3, Guid.NewGuid(), BrokerPlugins.Alpaca, BrokerEnvironments.Live, KeyId, Secret).ToString();
        Assert.DoesNotContain(Secret, text);
        Assert.DoesNotContain(KeyId, text);
        Assert.Contains("…WXYZ", text);
    }
}
