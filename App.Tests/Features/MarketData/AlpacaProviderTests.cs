using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Providers;
using Signalbook.Features.MarketData.Providers.Alpaca;
using Signalbook.Features.MarketData.Providers.Demo;
using Signalbook.Tests.Infrastructure;
using static Signalbook.Tests.Infrastructure.ScriptedHttpServer;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>
/// The Alpaca provider against a local HTTP server serving hand-written responses in Alpaca's documented
/// format (Fixtures/Alpaca/README.md), resolved through the app's own registration.
/// </summary>
public sealed class AlpacaProviderTests : IAsyncLifetime
{
    private ScriptedHttpServer _server = null!;
    private readonly List<ServiceProvider> _providers = [];

    private static readonly DateTimeOffset From = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2024, 1, 31, 0, 0, 0, TimeSpan.Zero);

    public async Task InitializeAsync() => _server = await StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var sp in _providers) await sp.DisposeAsync();
        await _server.DisposeAsync();
    }

    private ServiceProvider Build(Dictionary<string, string?>? extra = null, string provider = "alpaca", bool keys = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MarketData:Provider"] = provider,
            ["MarketData:Alpaca:DataBaseUrl"] = _server.BaseUrl,
            ["MarketData:Alpaca:TradingBaseUrl"] = _server.BaseUrl,
            ["MarketData:Alpaca:MaxRequestsPerMinute"] = "6000",
            ["MarketData:Alpaca:BaseBackoffMilliseconds"] = "10",
            ["MarketData:Alpaca:MaxRetries"] = "2",
        };
        if (keys)
        {
            settings["MarketData:Alpaca:KeyId"] = "PKTEST123";
            settings["MarketData:Alpaca:SecretKey"] = "secret-456";
        }
        foreach (var (k, v) in extra ?? []) settings[k] = v;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Error));
        services.AddSingleton(TimeProvider.System);
        services.AddSignalbookMarketData();
        var sp = services.BuildServiceProvider();
        _providers.Add(sp);
        return sp;
    }

    private IMarketDataProvider Alpaca(Dictionary<string, string?>? extra = null) => Build(extra).GetRequiredService<IMarketDataProvider>();

    private static Reply Pages(Received r) => r.Query.GetValueOrDefault("page_token") switch
    {
        null => Json("bars-aapl-1day-page1.json"),
        "QUFQTHxEfDIwMjQtMDEtMDVUMDU6MDA6MDAuMDAwMDAwMDAwWg==" => Json("bars-aapl-1day-page2.json"),
        "QUFQTHxEfDIwMjQtMDEtMTBUMDU6MDA6MDAuMDAwMDAwMDAwWg==" => Json("bars-aapl-1day-page3.json"),
        var t => new Reply(400, $"{{\"message\":\"unknown page token {t}\"}}"),
    };

    [Fact]
    public async Task Bars_OverThreePages_AreFollowedAndJoinedInOrder()
    {
        _server.Script = (r, _) => Pages(r);
        var bars = await Alpaca().GetBarsAsync("AAPL", Intervals.OneDay, From, To);

        Assert.Equal(8, bars.Count);
        Assert.Equal(3, _server.Requests.Count);
        // Alpaca stamps daily bars at New York midnight (05:00 UTC); they are kept at 00:00 UTC of the trading date.
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero), bars[0].Ts);
        Assert.Equal(new DateTimeOffset(2024, 1, 11, 0, 0, 0, TimeSpan.Zero), bars[^1].Ts);
        Assert.Equal(bars.OrderBy(b => b.Ts).Select(b => b.Ts), bars.Select(b => b.Ts));
        Assert.Equal((187.15, 188.44, 183.89, 185.64, 82488674d, 185.9465, 1009074), (bars[0].Open, bars[0].High, bars[0].Low, bars[0].Close, bars[0].Volume, bars[0].Vwap!.Value, bars[0].TradeCount!.Value));
        var first = _server.Requests[0];
        Assert.Equal("/v2/stocks/AAPL/bars", first.Path);
        Assert.Equal("1Day", first.Query["timeframe"]);
        Assert.Equal("2024-01-01T00:00:00Z", first.Query["start"]);
        Assert.Equal("2024-01-31T00:00:00Z", first.Query["end"]);
        Assert.Equal("10000", first.Query["limit"]);
        Assert.Equal("iex", first.Query["feed"]);
        Assert.Equal("all", first.Query["adjustment"]);
        Assert.False(first.Query.ContainsKey("page_token"));
        Assert.Equal("QUFQTHxEfDIwMjQtMDEtMTBUMDU6MDA6MDAuMDAwMDAwMDAwWg==", _server.Requests[2].Query["page_token"]);
    }

    [Fact]
    public async Task DailyBars_AcrossTheDstChange_LandOnUtcMidnightOfTheirTradingDay()
    {
        _server.Script = (_, _) => Json("bars-spy-1day-dst.json");
        var bars = await Alpaca().GetBarsAsync("SPY", Intervals.OneDay, new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 3, 31, 0, 0, 0, TimeSpan.Zero));

        DateOnly[] days = [new(2024, 3, 7), new(2024, 3, 8), new(2024, 3, 11), new(2024, 3, 12)];
        Assert.Equal(days.Select(ExchangeCalendar.DailyBarTs), bars.Select(b => b.Ts));
        Assert.Equal(new DateTimeOffset(2024, 3, 8, 0, 0, 0, TimeSpan.Zero), bars[1].Ts);  // from 05:00 UTC (EST)
        Assert.Equal(new DateTimeOffset(2024, 3, 11, 0, 0, 0, TimeSpan.Zero), bars[2].Ts); // from 04:00 UTC (EDT)
        Assert.All(bars, b => Assert.Equal(TimeSpan.Zero, b.Ts.Offset));
    }

    [Fact]
    public async Task IntradayBars_KeepTheirUtcStart()
    {
        _server.Script = (_, _) => Json("bars-aapl-15min.json");
        var bars = await Alpaca().GetBarsAsync("AAPL", Intervals.FifteenMinutes, new DateTimeOffset(2024, 1, 3, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 4, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal([new DateTimeOffset(2024, 1, 3, 14, 30, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 3, 14, 45, 0, TimeSpan.Zero), new DateTimeOffset(2024, 1, 3, 15, 0, 0, TimeSpan.Zero)],
            bars.Select(b => b.Ts));
        Assert.Equal("15Min", _server.Requests.Single().Query["timeframe"]);
    }

    [Fact]
    public async Task EveryRequest_CarriesTheKeyPairHeaders()
    {
        _server.Script = (r, _) => r.Path.EndsWith("/assets") ? Json("assets.json") : r.Path.EndsWith("/latest") ? Json("trades-latest-aapl.json") : Pages(r);
        var alpaca = Alpaca();
        await alpaca.GetBarsAsync("AAPL", Intervals.OneDay, From, To);
        await alpaca.GetLatestQuoteAsync("AAPL");
        await alpaca.SearchAsync("app");

        Assert.Equal(5, _server.Requests.Count);
        Assert.All(_server.Requests, r =>
        {
            Assert.Equal("PKTEST123", r.Headers["APCA-API-KEY-ID"]);
            Assert.Equal("secret-456", r.Headers["APCA-API-SECRET-KEY"]);
        });
    }

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter_ThenSucceeds()
    {
        _server.Script = (r, n) => n == 0
            ? new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string> { ["Retry-After"] = "1" })
            : Json("bars-aapl-1day-page3.json");
        var bars = await Alpaca().GetBarsAsync("AAPL", Intervals.OneDay, From, To);

        Assert.Equal(2, bars.Count);
        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        var waited = requests[1].At - requests[0].At;
        Assert.True(waited >= TimeSpan.FromMilliseconds(950), $"retried after {waited.TotalMilliseconds} ms; Retry-After asked for 1 s");
    }

    [Fact]
    public async Task TooManyRequests_WithRateLimitReset_WaitsUntilTheResetInstant()
    {
        long reset = 0;
        _server.Script = (r, n) =>
        {
            if (n > 0) return Json("bars-aapl-1day-page3.json");
            reset = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 2;
            return new Reply(429, Fixture("error-rate-limit.json"), new Dictionary<string, string>
            {
                ["X-RateLimit-Limit"] = "200", ["X-RateLimit-Remaining"] = "0", ["X-RateLimit-Reset"] = reset.ToString(),
            });
        };
        await Alpaca().GetBarsAsync("AAPL", Intervals.OneDay, From, To);

        var requests = _server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At >= DateTimeOffset.FromUnixTimeSeconds(reset).AddMilliseconds(-50),
            $"retried at {requests[1].At:O}, before the reset at {DateTimeOffset.FromUnixTimeSeconds(reset):O}");
    }

    [Fact]
    public async Task ServerErrors_AreRetriedMaxRetriesTimes_ThenFailWithAClearError()
    {
        _server.Script = (_, _) => new Reply(500, "{\"message\":\"internal server error\"}");
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<MarketDataProviderException>(() => Alpaca().GetBarsAsync("AAPL", Intervals.OneDay, From, To));

        Assert.Equal(3, _server.Requests.Count); // the first attempt and MaxRetries = 2
        Assert.Equal(500, error.Status);
        Assert.Equal("AAPL", error.Symbol);
        Assert.Contains("HTTP 500 for AAPL on all 3 attempt(s)", error.Message);
        Assert.Contains("internal server error", error.Message);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(30), "two backoffs of at least 10 ms and 20 ms"); // 10·2⁰ + 10·2¹
    }

    [Fact]
    public async Task ServerErrors_ThenSuccess_ReturnTheBars()
    {
        _server.Script = (_, n) => n < 2 ? new Reply(503, "") : Json("bars-aapl-1day-page3.json");
        var bars = await Alpaca().GetBarsAsync("AAPL", Intervals.OneDay, From, To);
        Assert.Equal(2, bars.Count);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(401)]
    public async Task RefusedCredentials_FailAtOnce_WithoutRetry_NamingProviderSymbolAndStatus(int status)
    {
        _server.Script = (_, _) => new Reply(status, Fixture("error-forbidden.json"));
        var error = await Assert.ThrowsAsync<MarketDataProviderException>(() => Alpaca().GetBarsAsync("MSFT", Intervals.OneDay, From, To));

        Assert.Single(_server.Requests);
        Assert.Equal("alpaca", error.Provider);
        Assert.Equal(status, error.Status);
        Assert.Contains($"Alpaca refused the request for MSFT with HTTP {status}", error.Message);
        Assert.Contains("check MarketData:Alpaca:KeyId", error.Message);
        Assert.Contains("forbidden.", error.Message);
    }

    [Fact]
    public async Task MalformedJson_FailsWithAClearError()
    {
        _server.Script = (_, _) => Json("bars-malformed.json");
        var error = await Assert.ThrowsAsync<MarketDataProviderException>(() => Alpaca().GetBarsAsync("AAPL", Intervals.OneDay, From, To));
        Assert.Contains("the answer for AAPL is not the documented JSON", error.Message);
        Assert.Contains("/v2/stocks/AAPL/bars", error.Message);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsRetried_ThenFails()
    {
        _server.Script = (_, _) => new Reply(200, Fixture("bars-empty.json"), Delay: TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<MarketDataProviderException>(() =>
            Alpaca(new() { ["MarketData:Alpaca:RequestTimeoutSeconds"] = "1", ["MarketData:Alpaca:MaxRetries"] = "1" })
                .GetBarsAsync("AAPL", Intervals.OneDay, From, To));
        Assert.Equal(2, _server.Requests.Count);
        Assert.Contains("no answer within 1 s", error.Message);
    }

    // Timing assertions are lower bounds that scheduling delays cannot break: the k-th request can leave no
    // earlier than k spacings after the start, and whatever is observed later (arrival, resumption) only adds.

    [Fact]
    public async Task RateLimiter_SpacesRequestsByTheMinuteBudget()
    {
        _server.Script = (_, _) => Json("trades-latest-aapl.json");
        var alpaca = Alpaca(new() { ["MarketData:Alpaca:MaxRequestsPerMinute"] = "600" }); // one per 100 ms
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < 6; i++) await alpaca.GetLatestQuoteAsync("AAPL"); // each answered at once: only the limiter holds them back

        var arrivals = _server.Requests.Select(r => r.At).Order().ToList();
        Assert.Equal(6, arrivals.Count);
        for (var k = 1; k < arrivals.Count; k++)
            Assert.True(arrivals[k] - start >= k * TimeSpan.FromMilliseconds(100),
                $"request {k} arrived {(arrivals[k] - start).TotalMilliseconds} ms after the start; at least {k * 100} ms expected");
    }

    [Fact]
    public async Task RateLimiter_HandsOutSlotsAtLeastOneSpacingApart_EvenWhenCalledAtOnce()
    {
        var limiter = Build(new() { ["MarketData:Alpaca:MaxRequestsPerMinute"] = "1200" }).GetRequiredService<AlpacaRateLimiter>(); // 50 ms
        Assert.Equal(TimeSpan.FromMilliseconds(50), limiter.Spacing);
        var start = DateTimeOffset.UtcNow; // the limiter's clock (TimeProvider.System)
        var released = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            await limiter.WaitAsync(CancellationToken.None);
            return DateTimeOffset.UtcNow - start;
        }));
        var sorted = released.Order().ToList();
        for (var k = 1; k < sorted.Count; k++)
            Assert.True(sorted[k] >= k * TimeSpan.FromMilliseconds(50), $"caller {k} released after {sorted[k].TotalMilliseconds} ms; at least {k * 50} ms expected");
        Assert.True(sorted[^1] < TimeSpan.FromSeconds(5), "the limiter must not hold callers far longer than the budget needs");
    }

    [Fact]
    public async Task LatestQuote_IsTheLatestTrade()
    {
        _server.Script = (_, _) => Json("trades-latest-aapl.json");
        var quote = await Alpaca().GetLatestQuoteAsync("AAPL");
        Assert.NotNull(quote);
        Assert.Equal(185.59, quote.Price);
        Assert.Equal(new DateTimeOffset(2024, 1, 11, 20, 59, 59, TimeSpan.Zero), quote.Ts.AddTicks(-(quote.Ts.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal("/v2/stocks/AAPL/trades/latest", _server.Requests.Single().Path);
    }

    [Fact]
    public async Task Search_FiltersTheAssetListLocally_AndFetchesItOnce()
    {
        _server.Script = (_, _) => Json("assets.json");
        var alpaca = Alpaca();
        var apple = await alpaca.SearchAsync("apple");
        var spy = await alpaca.SearchAsync("SPY");

        Assert.Equal(["AAPL", "APLE"], apple.Select(s => s.Symbol)); // APPLX is not tradable
        Assert.Equal("NASDAQ", apple[0].Exchange);
        Assert.Null(apple[0].Sector);
        Assert.Equal("SPDR S&P 500 ETF Trust", Assert.Single(spy).Name);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v2/assets", request.Path);
        Assert.Equal("active", request.Query["status"]);
    }

    [Fact]
    public async Task Health_IsGoodWhenTheApiAnswers_AndBadWithTheReasonWhenItRefuses()
    {
        _server.Script = (_, n) => n == 0 ? Json("trades-latest-aapl.json") : new Reply(403, Fixture("error-forbidden.json"));
        var alpaca = Alpaca();
        Assert.True((await alpaca.CheckHealthAsync()).Healthy);
        var bad = await alpaca.CheckHealthAsync();
        Assert.False(bad.Healthy);
        Assert.Contains("HTTP 403", bad.Message);
    }

    [Fact]
    public void ProviderOption_SelectsTheImplementation()
    {
        Assert.IsType<AlpacaProvider>(Build().GetRequiredService<IMarketDataProvider>());
        Assert.IsType<DemoProvider>(Build(provider: "demo", keys: false).GetRequiredService<IMarketDataProvider>());
    }

    [Fact]
    public void AlpacaSelectedWithoutKeys_FailsValidationAtStart_NamingTheSetting()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(keys: false).GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("MarketData:Alpaca:KeyId", error.Message);
        Build(provider: "demo", keys: false).GetRequiredService<IStartupValidator>().Validate(); // demo needs no keys
        var unknown = Assert.ThrowsAny<Exception>(() => Build(provider: "yahoo").GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("MarketData:Provider must be demo or alpaca", unknown.Message);
    }
}
