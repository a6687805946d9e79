using MudBlazor;

namespace Signalbook.Components.Shared;

public static class DialogServiceExtensions
{
    /// <summary>
    /// Asks the user to confirm a destructive or consequential action in a <see cref="ConfirmDialog"/>. True only when they
    /// chose <paramref name="confirm"/>; Escape, the backdrop or Cancel give false.
    /// </summary>
    public static async Task<bool> ConfirmAsync(this IDialogService dialogs, string title, string message, string confirm = "Confirm",
        bool destructive = false, string cancel = "Cancel")
    {
        var parameters = new DialogParameters<ConfirmDialog>
        {
            { d => d.Title, title },
            { d => d.Message, message },
            { d => d.ConfirmText, confirm },
            { d => d.CancelText, cancel },
            { d => d.Destructive, destructive },
        };
        var dialog = await dialogs.ShowAsync<ConfirmDialog>(title, parameters,
            new DialogOptions { CloseOnEscapeKey = true, MaxWidth = MaxWidth.ExtraSmall, FullWidth = true, NoHeader = false });
        var result = await dialog.Result;
        return result is { Canceled: false, Data: true };
    }
}
