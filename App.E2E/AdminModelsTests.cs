using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

[Collection(E2ECollection2.Name)]
public sealed class AdminModelsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task Admin_TrainsTwoSmallModelsOnTheDemoData_SeesThemComplete_ComparesThem_AndActivatesOneAfterTheOther()
    {
        var page = await Fx.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await new LoginPage(page).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        await new Shell(page).NavLink("Models").ClickAsync();
        await page.WaitForURLAsync(url => url.EndsWith("/admin/models", StringComparison.Ordinal));
        await new Shell(page).WaitForCircuitAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Models", Level = 1 })).ToBeVisibleAsync();

        // The form typed into must be the interactive one (the prerendered copy is replaced when the circuit renders it).
        await page.Locator("[data-testid=training-form][data-interactive=true]").WaitForAsync();

        // A rejected value is named next to its field, and nothing starts.
        await SetAsync(page.GetByTestId("hp-max_depth"), "99");
        await page.GetByTestId("start-training").ClickAsync();
        await Assertions.Expect(page.GetByTestId("training-errors")).ToContainTextAsync("'max_depth' must be between 1 and 12");
        await Assertions.Expect(page.GetByTestId("hp-max_depth")).ToHaveAttributeAsync("aria-invalid", "true");

        // A small GBDT: 20 trees of depth 3.
        await SetAsync(page.GetByTestId("hp-trees"), "20");
        await SetAsync(page.GetByTestId("hp-max_depth"), "3");
        await page.GetByTestId("start-training").ClickAsync();
        await Assertions.Expect(page.GetByTestId("training-message")).ToContainTextAsync("queued");
        var gbdtJob = JobRows(page).First;
        await Assertions.Expect(gbdtJob).ToContainTextAsync("gbdt");
        await Fx.ShotAsync(page, "admin-models-training");
        await Assertions.Expect(gbdtJob.GetByTestId("job-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 240_000 });
        await Assertions.Expect(gbdtJob.GetByTestId("job-progress")).ToContainTextAsync("100");
        await Assertions.Expect(gbdtJob.GetByTestId("job-accuracy")).ToContainTextAsync("%");

        // Its log tells the folds and the registration.
        await gbdtJob.GetByTestId("job-logs-toggle").ClickAsync();
        var log = page.GetByTestId("job-logs");
        await Assertions.Expect(log).ToContainTextAsync("Fold 3:");
        await Assertions.Expect(log).ToContainTextAsync("Registered verdict_classifier");

        // The version appears with out-of-sample metrics, inactive.
        var first = VersionRows(page).First;
        await Assertions.Expect(first).ToContainTextAsync("gbdt");
        await Assertions.Expect(first.GetByTestId("version-accuracy")).ToContainTextAsync("%");
        await Assertions.Expect(first.GetByTestId("version-cell")).ToHaveAttributeAsync("data-active", "false");
        var gbdtVersion = await first.GetByTestId("version-cell").GetAttributeAsync("data-version");
        Assert.NotNull(gbdtVersion);
        await Assertions.Expect(page.GetByTestId("importance-chart")).ToHaveAttributeAsync("data-chart-ready", "true");

        // Activate it, confirming in the dialog.
        await first.GetByTestId("activate").ClickAsync();
        await ConfirmAsync(page, "Activate model");
        await Assertions.Expect(page.GetByTestId("versions-message")).ToContainTextAsync($"{gbdtVersion} is now active");
        var gbdtRow = VersionRows(page).Filter(new() { Has = page.Locator($"[data-testid=version-cell][data-version={gbdtVersion}]") });
        await Assertions.Expect(gbdtRow.GetByTestId("version-cell")).ToHaveAttributeAsync("data-active", "true");
        await Assertions.Expect(gbdtRow.GetByTestId("active-badge")).ToBeVisibleAsync();

        // A second, logistic model; activating it retires the first.
        await page.GetByTestId("algorithm").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "logistic" }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("hp-c")).ToBeVisibleAsync();
        await page.GetByTestId("start-training").ClickAsync();
        await Assertions.Expect(JobRows(page).First).ToContainTextAsync("logistic");
        await Assertions.Expect(JobRows(page).First.GetByTestId("job-status")).ToHaveAttributeAsync("data-status", "completed", new() { Timeout = 240_000 });
        var second = VersionRows(page).Filter(new() { HasText = "logistic" });
        await Assertions.Expect(second).ToHaveCountAsync(1);
        var logisticVersion = await second.GetByTestId("version-cell").GetAttributeAsync("data-version");

        await Assertions.Expect(page.GetByTestId("compare-table")).ToContainTextAsync("Macro AUC");
        await Assertions.Expect(page.GetByTestId("compare-table")).ToContainTextAsync("(better)");

        await second.GetByTestId("activate").ClickAsync();
        await ConfirmAsync(page, "Activate model");
        await Assertions.Expect(page.GetByTestId("versions-message")).ToContainTextAsync($"{logisticVersion} is now active");
        await Assertions.Expect(second.GetByTestId("version-cell")).ToHaveAttributeAsync("data-active", "true");
        await Assertions.Expect(gbdtRow.GetByTestId("version-cell")).ToHaveAttributeAsync("data-active", "false");
        await Assertions.Expect(page.GetByTestId("active-badge")).ToHaveCountAsync(1);
        await Fx.ShotAsync(page, "admin-models-versions");
    }

    /// <summary>Rows of the jobs grid, newest first (the grid's own empty row has no such class).</summary>
    private static ILocator JobRows(IPage page) => page.GetByTestId("jobs-table").Locator("tr.sb-job-row");

    private static ILocator VersionRows(IPage page) => page.GetByTestId("versions-table").Locator("tr.sb-version-row");

    /// <summary>Confirms the dialog every consequential action asks for, after checking it is the expected one.</summary>
    private static async Task ConfirmAsync(IPage page, string title)
    {
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync(title);
        await dialog.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(dialog).ToHaveCountAsync(0);
    }

    private static async Task SetAsync(ILocator input, string value)
    {
        await input.FillAsync(value);
        await input.PressAsync("Tab"); // the field updates on change, which fires when it loses focus
    }
}
