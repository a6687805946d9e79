using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Signalbook.Components.Layout;

/// <summary>
/// MudBlazor's popover provider, rendering once more after popovers went away. Blazor keeps a component's previous render
/// tree until its next render; the provider renders when a page's selects and menus are disposed, so its previous tree —
/// kept until the next popover opens — still held their content fragments, and through them the page left behind, its
/// grid and rows. A heap dump of a real browser's circuit on the recommendations dashboard showed the Markets page alive
/// that way. Rendering again right after releases the old tree.
/// </summary>
public sealed class PopoverHost : MudPopoverProvider
{
    [Inject] private IPopoverService Popovers { get; set; } = null!;

    private int _shown;

    protected override void OnAfterRender(bool firstRender)
    {
        var shown = Popovers.ActivePopovers.Count();
        var fewer = shown < _shown;
        _shown = shown;
        if (fewer) StateHasChanged();
    }
}
