using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

[Collection(E2ECollection.Name)]
public sealed class AdminDataJobsTests(BrowserFixture fx)
{
    [Fact]
    public async Task Admin_AddsAnInstrument_UploadsACsvWithBadRows_SeesThemByLine_AndOnlyGoodBarsAreStored()
    {
        var page = await fx.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await new LoginPage(page).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        await page.GotoAsync("/admin/data");
        await new Shell(page).WaitForCircuitAsync();

        // A new instrument through the form.
        var form = page.GetByTestId("instrument-form");
        await form.GetByTestId("instrument-symbol").FillAsync("e2ex");
        await form.GetByLabel("Exchange").FillAsync("NYSE");
        await form.GetByLabel("Name").FillAsync("E2E Example Corp");
        await form.GetByTestId("instrument-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("instrument-message")).ToHaveTextAsync("E2EX added.");

        // Six rows, two of them bad: a high below the low (line 4) and a negative volume (line 6).
        var csv = Path.Combine(Path.GetTempPath(), $"e2ex-{Guid.NewGuid():N}.csv");
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
            await page.GetByTestId("upload-instrument").ClickAsync();
            await page.Locator(".rz-dropdown-item", new() { HasText = "E2EX" }).ClickAsync();
            await page.GetByTestId("upload-file").SetInputFilesAsync(csv);
            await page.GetByTestId("upload-import").ClickAsync();

            var report = page.GetByTestId("upload-report");
            await Assertions.Expect(report).ToHaveAttributeAsync("data-status", "partial");
            await Assertions.Expect(page.GetByTestId("upload-stored")).ToHaveTextAsync("4");
            await Assertions.Expect(page.GetByTestId("upload-rejected")).ToHaveTextAsync("2");
            var rejected = page.GetByTestId("rejected-rows").Locator("tbody tr");
            await Assertions.Expect(rejected).ToHaveCountAsync(2);
            await Assertions.Expect(rejected.Nth(0).Locator("td").First).ToHaveTextAsync("4");
            await Assertions.Expect(rejected.Nth(1).Locator("td").First).ToHaveTextAsync("6");
            await Assertions.Expect(rejected.Nth(1)).ToContainTextAsync("olume");
            await fx.ShotAsync(page, "admin-data-upload");

            // Coverage now shows the four stored bars of E2EX.
            await page.GetByLabel("Search the coverage").FillAsync("E2EX");
            await page.GetByLabel("Search the coverage").PressAsync("Tab");
            var coverageRow = page.GetByTestId("coverage-grid").Locator("tr", new() { HasText = "E2EX" });
            await Assertions.Expect(coverageRow).ToContainTextAsync("1Day");
            await Assertions.Expect(coverageRow.Locator("td").Nth(5)).ToHaveTextAsync("4");
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public async Task Admin_RunsAJobFromTheJobsPage_AndSeesItsOutcomeAndHistory()
    {
        var page = await fx.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await new LoginPage(page).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        await page.GotoAsync("/admin/jobs");
        await new Shell(page).WaitForCircuitAsync();

        var row = page.Locator("[data-testid=job-row][data-job=features]");
        await Assertions.Expect(page.GetByTestId("nodes-table")).ToContainTextAsync("running");
        await row.GetByTestId("run-now").ClickAsync();
        await Assertions.Expect(page.GetByTestId("jobs-message")).ToContainTextAsync("features started");
        await Assertions.Expect(row.GetByTestId("job-last-run").GetByTestId("status-badge")).ToHaveAttributeAsync("data-status", "success", new() { Timeout = 90_000 });
        await Assertions.Expect(page.GetByTestId("history-grid").Locator("tr", new() { HasText = "features" }).First).ToContainTextAsync("manual", new() { Timeout = 15_000 });
        await fx.ShotAsync(page, "admin-jobs");

        // Pausing a scheduled job shows it paused; resuming shows its next fire again.
        var retention = page.Locator("[data-testid=job-row][data-job=market-data-retention]");
        await retention.GetByTestId("pause").ClickAsync();
        await Assertions.Expect(retention.Locator("td").Nth(2)).ToHaveTextAsync("paused");
        await retention.GetByTestId("resume").ClickAsync();
        await Assertions.Expect(retention.Locator("td").Nth(2)).Not.ToHaveTextAsync("paused");
    }
}
