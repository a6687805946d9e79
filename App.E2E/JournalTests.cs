using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// The journal in a real browser: the demo trader imports an Interactive Brokers Flex Query XML of a round trip in a demo
/// instrument, opens the campaign (chart, MAE/MFE, R), adds a decision context without a stop and is nudged, and finds
/// the closing day on the calendar. Every page visited is checked for accessibility.
/// </summary>
[Collection(E2ECollection2.Name)]
public sealed class JournalTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    /// <summary>A demo instrument the demo journal does not trade (it trades the first eight symbols).</summary>
    private const string Symbol = "ZEPH";

    private sealed record Bar(DateTime Day, decimal Low, decimal High);

    [Fact]
    public async Task Trader_ImportsAFlexQueryFile_OpensTheCampaignWithChartMaeMfeAndR_IsNudgedForAMissingStop_AndSeesTheDayOnTheCalendar()
    {
        var bars = await RecentBarsAsync();
        var (entry, exit) = (bars[^10], bars[^5]);
        var buy = Math.Round(entry.Low + (entry.High - entry.Low) * 0.4m, 2);
        var sell = Math.Round(exit.Low + (exit.High - exit.Low) * 0.6m, 2);
        var file = FlexXml(entry.Day, buy, exit.Day, sell);

        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);

        // Import: preview first (nothing written), then the whole file.
        await page.GotoAsync("/journal/import");
        await shell.WaitForCircuitAsync();
        // The upload's input is wired once the component is interactive; choose the file again if the first choice came too early.
        var payload = new FilePayload { Name = "flex-e2e.xml", MimeType = "text/xml", Buffer = Encoding.UTF8.GetBytes(file) };
        for (var attempt = 0; ; attempt++)
        {
            await page.Locator("input[type=file]").First.SetInputFilesAsync(payload);
            try
            {
                await Assertions.Expect(page.GetByTestId("import-file-name")).ToContainTextAsync("flex-e2e.xml", new() { Timeout = 5_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
            }
        }
        await page.GetByTestId("import-preview").ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-summary")).ToContainTextAsync("Interactive Brokers");
        await Assertions.Expect(page.GetByTestId("preview-fills")).ToContainTextAsync(Symbol);
        await Fx.AssertAccessibleAsync(page, "journal-import-preview");
        await Fx.ShotAsync(page, "journal-import-preview");
        await page.GetByTestId("import-run").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-success")).ToContainTextAsync("2");
        await Assertions.Expect(page.GetByTestId("history-row").First).ToContainTextAsync("flex-e2e.xml");

        // The campaign, found through the trades grid's symbol filter.
        await page.GotoAsync($"/journal/trades?symbol={Symbol}");
        await shell.WaitForCircuitAsync();
        var link = page.GetByTestId("trade-link").Filter(new() { HasText = Symbol });
        await Assertions.Expect(link).ToHaveCountAsync(1);
        await Fx.AssertAccessibleAsync(page, "journal-trades");
        await link.ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/journal/trades/\d+$"));
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("campaign-figures")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".apexcharts-canvas")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("campaign-no-chart")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("figure-mae")).ToContainTextAsync(new Regex(@"\d"));
        await Assertions.Expect(page.GetByTestId("figure-mfe")).ToContainTextAsync(new Regex(@"\d"));
        await Assertions.Expect(page.GetByTestId("figure-r")).ToContainTextAsync(new Regex(@"[+−-]?\d+\.\d+\s*R"));
        await Assertions.Expect(page.GetByTestId("leg-row")).ToHaveCountAsync(2);

        // A decision context on the entry without a stop: the trader's stop-loss rule nudges.
        await page.GetByTestId("leg-context").First.ClickAsync();
        var dialog = page.GetByTestId("context-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await dialog.Locator("textarea[data-testid=context-hypothesis], [data-testid=context-hypothesis] textarea").First
            .FillAsync("Bought the pullback to the 20-day average; planned to sell into strength.");
        await page.GetByTestId("context-submit").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
        var nudge = page.GetByTestId("check-nudge").Filter(new() { HasTextRegex = new Regex("stop", RegexOptions.IgnoreCase) });
        await Assertions.Expect(nudge.First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("context-snapshot").First).ToBeVisibleAsync();
        await Fx.AssertAccessibleAsync(page, "journal-campaign");
        await Fx.ShotAsync(page, "journal-campaign");

        // The closing day on the calendar, with the campaign's P&L.
        await page.GotoAsync($"/journal?month={exit.Day:yyyy-MM}");
        await shell.WaitForCircuitAsync();
        var day = page.Locator($"[data-testid=calendar-day][data-date='{exit.Day:yyyy-MM-dd}']");
        await Assertions.Expect(day).ToBeVisibleAsync();
        await Assertions.Expect(day).ToHaveAttributeAsync("aria-label", new Regex(@"\d+ trades?"));
        await day.ClickAsync();
        await Assertions.Expect(page.GetByTestId("day-campaigns")).ToContainTextAsync(Symbol);
        await Fx.AssertAccessibleAsync(page, "journal-calendar");
        await Fx.ShotAsync(page, "journal-calendar");

        // The journal's other pages, as the demo trader sees them: each loads, passes axe and is photographed.
        foreach (var (path, name, ready) in new[]
                 {
                     ("/journal/trades", "journal-trades", "trades-grid"),
                     ("/journal/stats", "journal-stats", "equity-section"),
                     ("/journal/entries", "journal-entries", "entries-list"),
                     ("/journal/plan", "journal-plan", "plan-form"),
                     ("/journal/connections", "journal-connections", "connections-not-configured"),
                     ("/settings/rules", "settings-rules", "rule"),
                 })
        {
            await page.GotoAsync(path);
            await shell.WaitForCircuitAsync();
            await Assertions.Expect(page.GetByTestId(ready).First).ToBeVisibleAsync();
            await Fx.AssertAccessibleAsync(page, name);
            await Fx.ShotAsync(page, name);
        }
    }

    /// <summary>The last dozen daily bars the app stored for the instrument (the demo market follows the app's clock).</summary>
    private async Task<IReadOnlyList<Bar>> RecentBarsAsync()
    {
        await using var conn = new NpgsqlConnection(Fx.Server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT b.ts, b.low, b.high FROM price_bars b JOIN instruments i ON i.id = b.instrument_id
            WHERE i.symbol = @s AND b.interval = '1Day' ORDER BY b.ts DESC LIMIT 12
            """, conn);
        cmd.Parameters.AddWithValue("s", Symbol);
        var bars = new List<Bar>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) bars.Add(new Bar(r.GetDateTime(0).Date, (decimal)r.GetDouble(1), (decimal)r.GetDouble(2)));
        Assert.True(bars.Count == 12, $"the demo market has {bars.Count} daily bars of {Symbol}");
        bars.Reverse();
        return bars;
    }

    /// <summary>An IB Flex Query trades statement (the attribute layout of IB's Flex XML) with one buy and one sell.</summary>
    private static string FlexXml(DateTime buyDay, decimal buy, DateTime sellDay, decimal sell)
    {
        static string Trade(string id, DateTime day, string time, string side, int quantity, decimal price) => string.Create(CultureInfo.InvariantCulture,
            $"""<Trade accountId="U7700001" currency="USD" assetCategory="STK" symbol="{Symbol}" description="ZEPHYR" multiplier="1" tradeID="{id}" tradeDate="{day:yyyyMMdd}" dateTime="{day:yyyyMMdd};{time}" quantity="{quantity}" tradePrice="{price}" ibCommission="-1.00" ibCommissionCurrency="USD" buySell="{side}" ibOrderID="9{id}" transactionType="ExchTrade" exchange="NYSE" levelOfDetail="EXECUTION" />""");
        var run = Guid.NewGuid().ToString("N")[..8];
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <FlexQueryResponse queryName="E2E trades" type="AF">
            <FlexStatements count="1">
            <FlexStatement accountId="U7700001" fromDate="{buyDay:yyyyMMdd}" toDate="{sellDay:yyyyMMdd}" period="Custom" whenGenerated="{sellDay:yyyyMMdd};200000">
            <Trades>
            {Trade($"E2E{run}1", buyDay, "100500", "BUY", 100, buy)}
            {Trade($"E2E{run}2", sellDay, "143000", "SELL", -100, sell)}
            </Trades>
            </FlexStatement>
            </FlexStatements>
            </FlexQueryResponse>
            """;
    }
}
