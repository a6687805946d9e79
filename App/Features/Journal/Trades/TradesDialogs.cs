using MudBlazor;
using Signalbook.Features.Journal.Contexts;

namespace Signalbook.Features.Journal.Trades;

/// <summary>Opens the trades pages' dialogs: a manual fill, a fill's correction, a fill's decision context.</summary>
public static class TradesDialogs
{
    private static readonly DialogOptions Wide = new() { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true };

    /// <summary>The add-a-fill dialog; what was added, or null when cancelled.</summary>
    public static async Task<ManualFillAdded?> OpenFillDialogAsync(this IDialogService dialogs)
    {
        var dialog = await dialogs.ShowAsync<FillDialog>("Add a fill", Wide);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: ManualFillAdded added } ? added : null;
    }

    /// <summary>The correction dialog of one fill; the correction, or null when cancelled.</summary>
    public static async Task<FillCorrected?> OpenCorrectionDialogAsync(this IDialogService dialogs, long fillId)
    {
        var parameters = new DialogParameters<FillDialog> { { d => d.CorrectFillId, fillId } };
        var dialog = await dialogs.ShowAsync<FillDialog>($"Correct fill {fillId}", parameters, Wide);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: FillCorrected corrected } ? corrected : null;
    }

    /// <summary>The decision-context dialog of one fill; the saved context with its checks, or null when cancelled.</summary>
    public static async Task<ContextSaved?> OpenContextDialogAsync(this IDialogService dialogs, long fillId, string fillLabel, string direction, string suggestedType,
        DecisionContextInput? existing, IReadOnlyList<StrategyOption> strategies)
    {
        var parameters = new DialogParameters<ContextDialog>
        {
            { d => d.FillId, fillId }, { d => d.FillLabel, fillLabel }, { d => d.Direction, direction }, { d => d.SuggestedType, suggestedType },
            { d => d.Existing, existing }, { d => d.Strategies, strategies },
        };
        var dialog = await dialogs.ShowAsync<ContextDialog>(existing is null ? "Add context" : "Edit context", parameters, Wide);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: ContextSaved saved } ? saved : null;
    }
}
