using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

[Collection(E2ECollection2.Name)]
public sealed class MarketDataTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task InstrumentPage_FromMarkets_DrawsFourCharts_SwitchesBarSizeRangeAndOverlays()
    {
        var page = await Fx.NewPageAsync();
        page.SetDefaultTimeout(60_000); // four charts of hundreds of bars: generous for a loaded 2-core CI machine
        await new LoginPage(page).SignInAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        await page.GotoAsync("/markets");
        await new Shell(page).WaitForCircuitAsync();
        await page.GetByTestId("markets-grid").GetByRole(AriaRole.Link, new() { Name = "DLTA" }).ClickAsync();
        await page.WaitForURLAsync("**/markets/*");

        var instrument = new InstrumentPage(page);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("DLTA · Deltawave Semiconductors");
        foreach (var chart in InstrumentPage.Charts) await instrument.ExpectReadyAsync(chart);
        // Six months of daily bars: one candle per session (about 126), drawn as SVG paths.
        var candles = await instrument.Chart("price-chart").Locator(InstrumentPage.Candles).CountAsync();
        Assert.InRange(candles, 118, 130);
        await Assertions.Expect(instrument.Chart("price-chart")).ToContainTextAsync("SMA 50");
        await Fx.ShotAsync(page, "instrument-daily");

        // An overlay and a range change update the same chart in place.
        await instrument.Chart("price-chart").EvaluateAsync("el => el.__sbSameElement = true");
        await page.GetByTestId("overlays").GetByRole(AriaRole.Button, new() { Name = "Bollinger 20, 2" }).ClickAsync();
        await ExpectUpdatesAsync(instrument, 1);
        await Assertions.Expect(instrument.Chart("price-chart")).ToContainTextAsync("Bollinger upper");
        await page.GetByTestId("range").GetByRole(AriaRole.Button, new() { Name = "1Y" }).ClickAsync();
        await ExpectUpdatesAsync(instrument, 2);
        Assert.True(await instrument.Chart("price-chart").EvaluateAsync<bool>("el => el.__sbSameElement === true"), "the chart was re-created");
        Assert.InRange(await instrument.Chart("price-chart").Locator(InstrumentPage.Candles).CountAsync(), 245, 256);

        // 15-minute bars: a new chart shape (26 bars a session, five sessions back).
        await page.GetByTestId("interval").GetByRole(AriaRole.Button, new() { Name = "15 min" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("range").GetByRole(AriaRole.Button, new() { Name = "5D" })).ToHaveAttributeAsync("aria-pressed", "true");
        foreach (var chart in InstrumentPage.Charts) await instrument.ExpectReadyAsync(chart);
        // The charts were ready before the switch too and are updated in place: wait for the redraw, not for readiness.
        Assert.InRange(await CandlesOnceInRangeAsync(instrument, 4 * 26, 6 * 26), 4 * 26, 6 * 26);
        await Fx.ShotAsync(page, "instrument-15min");
        lock (Fx.ConsoleErrors) Assert.DoesNotContain(Fx.ConsoleErrors, e => e.Contains("/markets/", StringComparison.Ordinal));
    }

    /// <summary>The price chart's candle count once it is within [min, max], or the last count after 60 s.</summary>
    private static async Task<int> CandlesOnceInRangeAsync(InstrumentPage instrument, int min, int max)
    {
        var candles = instrument.Chart("price-chart").Locator(InstrumentPage.Candles);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var count = await candles.CountAsync();
            if ((count >= min && count <= max) || DateTime.UtcNow > deadline) return count;
            await Task.Delay(200);
        }
    }

    private async Task ExpectUpdatesAsync(InstrumentPage instrument, int updates)
    {
        try
        {
            await Assertions.Expect(instrument.Chart("price-chart")).ToHaveAttributeAsync("data-chart-updates", updates.ToString(), new() { Timeout = 60_000 });
        }
        catch (PlaywrightException e)
        {
            lock (Fx.ConsoleErrors) throw new Xunit.Sdk.XunitException($"price chart not updated ({e.Message[..200]}). Browser: {string.Join("\n", Fx.ConsoleErrors)}\nServer: {Fx.Server.Output[^4000..]}");
        }
    }

    [Fact]
    public async Task UnknownInstrument_ShowsNotFound()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        await page.GotoAsync("/markets/987654");
        await Assertions.Expect(page.GetByText("No such instrument")).ToBeVisibleAsync();
    }
}
