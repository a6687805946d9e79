using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

[Collection(E2ECollection.Name)]
public sealed class AdminDataJobsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task Admin_AddsAnInstrument_UploadsACsvWithBadRows_SeesThemByLine_AndOnlyGoodBarsAreStored()
    {
        var page = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        page.SetDefaultTimeout(30_000);
        var data = new AdminDataPage(page);
        await data.OpenAsync();

        // A new instrument through the form; the file named after it is then matched to it, not created again.
        await data.AddInstrumentAsync("e2ex", "US", "E2E Example Corp");
        await Assertions.Expect(page.GetByTestId("instrument-message")).ToHaveTextAsync("E2EX added.");

        // Six rows, two of them bad: a high below the low (line 4) and a negative volume (line 6).
        var dir = Directory.CreateTempSubdirectory("e2ex-");
        var csv = Path.Combine(dir.FullName, "E2EX.csv");
        await File.WriteAllTextAsync(csv, string.Join("\n",
            "Date,Open,High,Low,Close,Adj Close,Volume",
            "2015-03-02,10.00,10.50,9.80,10.20,10.20,120000",
            "2015-03-03,10.20,10.60,10.00,10.40,10.40,98000",
            "2015-03-04,10.40,10.10,10.30,10.35,10.35,87000",
            "2015-03-05,10.35,10.80,10.30,10.70,10.70,143000",
            "2015-03-06,10.70,10.90,10.50,10.60,10.60,-5",
            "2015-03-09,10.60,10.75,10.40,10.50,10.50,91000") + "\n");
        try
        {
            await data.ChooseFilesAsync(csv);
            var row = data.ReviewRow("E2EX.csv");
            await Assertions.Expect(row).ToHaveAttributeAsync("data-new", "false");
            await Assertions.Expect(row.GetByTestId("review-valid")).ToHaveTextAsync("4");
            await Assertions.Expect(row.GetByTestId("review-rejected")).ToContainTextAsync("2 rejected");
            await data.ImportAndConfirmAsync();

            var result = data.Result("E2EX.csv");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-status", "partial", new() { Timeout = 60_000 });
            await Assertions.Expect(result.GetByTestId("result-stored")).ToHaveTextAsync("4");
            await Assertions.Expect(result.GetByTestId("result-rejected")).ToHaveTextAsync("2");
            var rejected = result.GetByTestId("rejected-rows").Locator("tbody tr");
            await Assertions.Expect(rejected).ToHaveCountAsync(2);
            await Assertions.Expect(rejected.Nth(0).Locator("td").First).ToHaveTextAsync("4");
            await Assertions.Expect(rejected.Nth(1).Locator("td").First).ToHaveTextAsync("6");
            await Assertions.Expect(rejected.Nth(1)).ToContainTextAsync("olume");
            await Fx.ShotAsync(page, "admin-data-upload");

            // Coverage now shows the four stored bars of E2EX, first and last by their trading dates.
            await data.SearchCoverageAsync("E2EX");
            var coverage = data.CoverageRow("E2EX", "1Day");
            await Assertions.Expect(coverage.GetByTestId("coverage-count")).ToHaveTextAsync("4");
            await Assertions.Expect(coverage).ToContainTextAsync("2015-03-02");
            await Assertions.Expect(coverage).ToContainTextAsync("2015-03-09");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Admin_UploadsSeveralRealDailyFilesAtOnce_TheInstrumentsAreCreatedAndImported()
    {
        var page = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        page.SetDefaultTimeout(30_000);
        var data = new AdminDataPage(page);
        await data.OpenAsync();

        // Three US stocks of the stocknet corpus and one Euronext Paris file (its last row is bad: close above high).
        var stocknet = Path.Combine(SharedDataRoot(), "prices-daily-us", "stocknet-88-2012-2017");
        var paris = Path.Combine(SharedDataRoot(), "prices-eu-and-data-quality", "TEP-PA-1d-bad-div-fixed.csv");
        await data.ChooseFilesAsync(Path.Combine(stocknet, "AAPL.csv"), Path.Combine(stocknet, "MSFT.csv"), Path.Combine(stocknet, "GOOG.csv"), paris);
        await Assertions.Expect(data.ReviewRow("AAPL.csv")).ToHaveAttributeAsync("data-new", "true");
        var tep = data.ReviewRow("TEP-PA-1d-bad-div-fixed.csv");
        await Assertions.Expect(tep.GetByTestId("review-symbol")).ToHaveValueAsync("TEP.PA");
        await Assertions.Expect(tep.GetByTestId("review-zone")).ToHaveValueAsync("Europe/Paris");
        await Assertions.Expect(tep.GetByTestId("review-dates")).ToContainTextAsync("2022-01-03"); // a Monday, not Sunday the 2nd
        await Fx.ShotAsync(page, "admin-data-bulk-review");
        await data.ImportAndConfirmAsync();

        foreach (var file in new[] { "AAPL.csv", "MSFT.csv", "GOOG.csv" })
            await Assertions.Expect(data.Result(file)).ToHaveAttributeAsync("data-status", "success", new() { Timeout = 120_000 });
        await Assertions.Expect(data.Result("TEP-PA-1d-bad-div-fixed.csv")).ToHaveAttributeAsync("data-status", "partial", new() { Timeout = 60_000 });
        await Assertions.Expect(data.Result("TEP-PA-1d-bad-div-fixed.csv").GetByTestId("rejected-rows")).ToContainTextAsync("678");
        await Assertions.Expect(page.GetByTestId("file-progress")).ToHaveCountAsync(4);
        await Fx.ShotAsync(page, "admin-data-bulk-results");

        // The instruments are on Markets, and the Paris one opens with its chart.
        await page.GotoAsync("/markets");
        await new Shell(page).WaitForCircuitAsync();
        await page.GetByTestId("markets-search").FillAsync("TEP");
        var link = page.GetByTestId("markets-grid").GetByRole(AriaRole.Link, new() { Name = "TEP.PA" });
        await Assertions.Expect(link).ToBeVisibleAsync();
        await page.GetByTestId("markets-search").FillAsync("AAPL");
        await Assertions.Expect(page.GetByTestId("markets-grid").GetByRole(AriaRole.Link, new() { Name = "AAPL" })).ToBeVisibleAsync();

        // With no other action, the import's analysis (features → regimes → scoring, queued as Hangfire continuations)
        // gives the new instrument its indicators, its regime and a recommendation. The admin accepts the risk
        // disclosure once to see recommendations.
        await page.GotoAsync("/recommendations");
        await new Shell(page).WaitForCircuitAsync();
        var recommendations = new RecommendationsDashboardPage(page);
        await recommendations.AcceptIfAskedAsync(recommendations.Grid); // waits for whichever the page shows
        await page.GotoAsync("/markets");
        await new Shell(page).WaitForCircuitAsync();
        await page.GetByTestId("markets-search").FillAsync("AAPL");
        await page.GetByTestId("markets-grid").GetByRole(AriaRole.Link, new() { Name = "AAPL" }).ClickAsync();
        await page.WaitForURLAsync("**/markets/*");
        var instrumentUrl = page.Url;
        var stats = page.GetByTestId("instrument-stats");
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (true)
        {
            await new Shell(page).WaitForCircuitAsync();
            // The page shows its stats, or says why it cannot: fail with that, not with a bare timeout.
            var error = page.GetByTestId("instrument-error");
            await Assertions.Expect(stats.Or(error).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            if (await error.IsVisibleAsync()) Assert.Fail($"The instrument page showed an error: {await error.InnerTextAsync()}");
            var analysed = await stats.GetByTestId("current-regime").GetByTestId("regime-badge").CountAsync() > 0
                           && await stats.GetByTestId("instrument-recommendation").GetByTestId("label-badge").CountAsync() > 0;
            if (analysed || DateTime.UtcNow > deadline) break;
            await page.WaitForTimeoutAsync(3000);
            await page.GotoAsync(instrumentUrl); // the analysis runs in the background: look again
        }
        await Assertions.Expect(stats.GetByTestId("current-regime").GetByTestId("regime-badge")).ToBeVisibleAsync();
        await Assertions.Expect(stats.GetByTestId("instrument-recommendation").GetByTestId("label-badge")).ToBeVisibleAsync();
        await Assertions.Expect(stats).Not.ToContainTextAsync("RSI 14—");
        await Assertions.Expect(page.GetByTestId("rsi-chart")).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "imported-aapl-analysed");
    }

    /// <summary>The shared real data: SIGNALBOOK_DATA, or ../shared/data beside the checkout.</summary>
    private static string SharedDataRoot()
    {
        var configured = Environment.GetEnvironmentVariable("SIGNALBOOK_DATA");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Blazor.sln"))) dir = dir.Parent;
        return Path.GetFullPath(Path.Combine(dir?.FullName ?? ".", "..", "shared", "data"));
    }

    [Fact]
    public async Task Admin_RunsAJobFromTheJobsPage_AndSeesItsOutcomeAndHistory()
    {
        var page = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync("/admin/jobs");
        await new Shell(page).WaitForCircuitAsync();

        var row = page.Locator("[data-testid=job-row][data-job=features]");
        await Assertions.Expect(page.GetByTestId("nodes-table")).ToContainTextAsync("running");
        await row.GetByTestId("run-now").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(page.GetByTestId("jobs-message")).ToContainTextAsync("features started");
        await Assertions.Expect(row.GetByTestId("job-last-run").GetByTestId("status-chip")).ToHaveAttributeAsync("data-status", "success", new() { Timeout = 90_000 });
        // This run in the history (a sync another test ran on a moved clock may list later-dated runs above it).
        await Assertions.Expect(page.GetByTestId("history-grid").Locator("tr", new() { HasText = "features" }).Filter(new() { HasText = "manual" }).First)
            .ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Fx.ShotAsync(page, "admin-jobs");

        // Pausing a scheduled job shows it paused; resuming shows its next fire again.
        var retention = page.Locator("[data-testid=job-row][data-job=market-data-retention]");
        await retention.GetByTestId("pause").ClickAsync();
        await page.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(retention.GetByTestId("job-next")).ToHaveTextAsync("paused");
        await retention.GetByTestId("resume").ClickAsync();
        await Assertions.Expect(retention.GetByTestId("job-next")).Not.ToHaveTextAsync("paused");
        await Fx.ShotAsync(page, "admin-jobs-resumed");
    }
}
