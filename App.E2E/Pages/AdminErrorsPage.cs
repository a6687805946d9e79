using Microsoft.Playwright;

namespace Signalbook.E2E.Pages;

/// <summary>Admin → Errors and an error group's detail page.</summary>
public sealed class AdminErrorsPage(IPage page) : Shell(page)
{
    public async Task OpenListAsync()
    {
        await Page.GotoAsync("/admin/errors");
        await WaitForCircuitAsync();
    }

    public ILocator GroupLink(long groupId) => Page.Locator($"[data-testid=error-group-link][data-group='{groupId}']");

    public ILocator ListStatus(long groupId) => Page.Locator($"[data-testid=error-group-status][data-group='{groupId}']");

    public async Task OpenGroupAsync(long groupId)
    {
        await Page.GotoAsync($"/admin/errors/{groupId}");
        await WaitForCircuitAsync();
    }

    public ILocator Status => Page.GetByTestId("error-status");

    public async Task ResolveAsync(string note)
    {
        await Page.GetByLabel("Resolution note").FillAsync(note);
        await Page.GetByTestId("resolve-button").ClickAsync();
    }
}
