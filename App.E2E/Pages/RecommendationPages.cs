using Microsoft.Playwright;

namespace Signalbook.E2E.Pages;

/// <summary>The risk-disclosure gate that stands before every recommendation page.</summary>
public class RecommendationsShell(IPage page) : Shell(page)
{
    public ILocator Disclosure => Page.GetByTestId("risk-disclosure");

    public ILocator AcceptButton => Page.GetByRole(AriaRole.Button, new() { Name = "I understand and accept" });

    /// <summary>Accepts the disclosure when the page asks for it (a user who accepted before is not asked).</summary>
    public async Task AcceptIfAskedAsync(ILocator content)
    {
        await Assertions.Expect(Disclosure.Or(content).First).ToBeVisibleAsync();
        if (await Disclosure.IsVisibleAsync())
        {
            await AcceptButton.ClickAsync();
            await Assertions.Expect(Disclosure).ToHaveCountAsync(0);
        }
    }
}

public sealed class RecommendationsDashboardPage(IPage page) : RecommendationsShell(page)
{
    public ILocator Grid => Page.GetByTestId("recommendations-grid");

    /// <summary>Data rows of the grid (the grid's own empty row has no such class).</summary>
    public ILocator Rows => Grid.Locator("tr.sb-rec-row");

    /// <summary>The number of rows under the current filters, as the dashboard states it above the grid.</summary>
    public ILocator Total => Page.GetByTestId("recommendations-total");

    public ILocator LabelBadges => Rows.Locator("[data-testid=label-badge]");

    public ILocator Confidences => Rows.Locator("[data-testid=confidence]");

    public async Task OpenAsync()
    {
        await Page.GotoAsync("/recommendations");
        await WaitForCircuitAsync();
    }

    public async Task WaitForRowsAsync() => await Assertions.Expect(Rows.First).ToBeVisibleAsync(new() { Timeout = 60_000 });

    /// <summary>Switches the dashboard to a risk profile and waits until the switch shows it pressed.</summary>
    public async Task SelectProfileAsync(string profile)
    {
        await WaitForInteractiveAsync();
        var button = Page.GetByTestId("profile").Locator($"button[data-profile={profile}]");
        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(Page.GetByTestId("label-counts")).ToHaveAttributeAsync("data-profile", profile);
    }

    /// <summary>The count the summary shows for a label (all labels, under the other filters).</summary>
    public async Task<int> LabelCountAsync(string label)
    {
        var text = await Page.GetByTestId("label-counts").Locator($"[data-label={label}]").InnerTextAsync();
        return int.Parse(System.Text.RegularExpressions.Regex.Match(text, @"\d+").Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until the dashboard is the interactive render (a click on the prerendered copy would be lost).</summary>
    public async Task WaitForInteractiveAsync()
        => await Page.Locator("[data-testid=profile-bar][data-interactive=true]").WaitForAsync();

    public async Task FilterByLabelAsync(string label)
    {
        await WaitForInteractiveAsync();
        await Page.GetByTestId("filter-label").SelectOptionAsync(label);
    }

    public async Task SetMinConfidenceAsync(int percent)
    {
        var input = Page.GetByTestId("filter-confidence");
        await input.FillAsync(percent.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await input.PressAsync("Tab");
    }

    /// <summary>The number of rows under the current filters (data-total of the line above the grid).</summary>
    public async Task<int> TotalAsync()
        => int.Parse(await Total.GetAttributeAsync("data-total") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    public async Task<IReadOnlyList<double>> ConfidenceValuesAsync()
        => (await Confidences.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.value)"))
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
}

public sealed class RecommendationDetailPage(IPage page) : RecommendationsShell(page)
{
    public ILocator Summary => Page.GetByTestId("recommendation-summary");
    public ILocator Chart => Page.GetByTestId("recommendation-chart");
    public ILocator Entry => Page.GetByTestId("entry-value");
    public ILocator StopLoss => Page.GetByTestId("stop-value");
    public ILocator TakeProfit => Page.GetByTestId("target-value");
    public ILocator Justification => Page.GetByTestId("justification");
    public ILocator SnapshotRows => Page.GetByTestId("snapshot-table").Locator("tbody tr");
}
