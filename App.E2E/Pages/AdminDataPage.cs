using Microsoft.Playwright;

namespace Signalbook.E2E.Pages;

/// <summary>Admin → Data: the bulk import (files, review, confirm, results), coverage and the instrument form.</summary>
public sealed class AdminDataPage(IPage page) : Shell(page)
{
    public async Task OpenAsync()
    {
        await Page.GotoAsync("/admin/data");
        await WaitForCircuitAsync();
    }

    /// <summary>Chooses files in the bulk import (MudFileUpload's hidden input) and waits for the review table to list them.</summary>
    public async Task ChooseFilesAsync(params string[] paths)
    {
        // The circuit can be up before the file input's interactive copy is wired (Blazor's InputFile attaches its change
        // listener from JavaScript after its first render): files set earlier are never seen. Wait until it is wired.
        await Page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=upload-card] input[type=file]'); return !!i && i._blazorInputFileNextFileId !== undefined; }",
            null, new() { Timeout = 30_000 });
        await Page.Locator("[data-testid=upload-card] input[type=file]").SetInputFilesAsync(paths);
        await Assertions.Expect(ReviewRows).ToHaveCountAsync(paths.Length, new() { Timeout = 60_000 });
    }

    public ILocator ReviewRows => Page.GetByTestId("review-row");

    public ILocator ReviewRow(string file) => Page.Locator($"[data-testid=review-row][data-file='{file}']");

    /// <summary>Starts the import and confirms it in the dialog.</summary>
    public async Task ImportAndConfirmAsync()
    {
        await Page.GetByTestId("bulk-import").ClickAsync();
        await Page.GetByTestId("confirm-ok").ClickAsync();
    }

    public ILocator Result(string file) => Page.Locator($"[data-testid=bulk-result][data-file='{file}']");

    public ILocator InstrumentForm => Page.GetByTestId("instrument-form");

    public async Task AddInstrumentAsync(string symbol, string exchange, string name)
    {
        await InstrumentForm.GetByTestId("instrument-symbol").FillAsync(symbol);
        await InstrumentForm.GetByTestId("instrument-exchange").FillAsync(exchange);
        await InstrumentForm.GetByTestId("instrument-name").FillAsync(name);
        await InstrumentForm.GetByTestId("instrument-save").ClickAsync();
    }

    public async Task SearchCoverageAsync(string text)
    {
        await Page.GetByTestId("coverage-search").FillAsync(text);
        await Page.GetByTestId("coverage-search").PressAsync("Tab");
    }

    public ILocator CoverageRow(string symbol, string interval)
        => Page.GetByTestId("coverage-grid").Locator("tbody tr").Filter(new() { HasText = symbol }).Filter(new() { HasText = interval });
}
