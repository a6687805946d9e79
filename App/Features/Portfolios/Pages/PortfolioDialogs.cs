using MudBlazor;

namespace Signalbook.Features.Portfolios.Pages;

/// <summary>Opens the trading dialogs from any page: the order ticket, a new portfolio, a portfolio choice.</summary>
public static class PortfolioDialogs
{
    private static readonly DialogOptions Wide = new() { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true };
    private static readonly DialogOptions Narrow = new() { CloseOnEscapeKey = true, MaxWidth = MaxWidth.Small, FullWidth = true, CloseButton = true };

    /// <summary>
    /// Opens the order ticket. Everything is optional: the instrument (its id, and its symbol to show it at once), the
    /// portfolio (else the caller's first active one), the side, and a suggestion from a recommendation, which pre-fills
    /// side, quantity, stop-loss and take-profit and keeps the recommendation id. Returns the placement when an order was
    /// accepted, null when the dialog was closed without one.
    /// </summary>
    public static async Task<OrderPlacement?> OpenOrderTicketAsync(this IDialogService dialogs, long? instrumentId = null, string? symbol = null,
        long? portfolioId = null, OrderSide? side = null, TicketSuggestion? suggestion = null)
    {
        var parameters = new DialogParameters<OrderTicketDialog>
        {
            { d => d.InstrumentId, instrumentId ?? suggestion?.InstrumentId },
            { d => d.Symbol, symbol ?? suggestion?.Symbol },
            { d => d.PortfolioId, portfolioId },
            { d => d.Side, side ?? suggestion?.Side },
            { d => d.Suggestion, suggestion },
        };
        var dialog = await dialogs.ShowAsync<OrderTicketDialog>("Order ticket", parameters, Wide);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: OrderPlacement placement } ? placement : null;
    }

    /// <summary>Opens the create-portfolio dialog; the new portfolio's id, or null when cancelled.</summary>
    public static async Task<long?> OpenCreatePortfolioAsync(this IDialogService dialogs)
    {
        var dialog = await dialogs.ShowAsync<CreatePortfolioDialog>("Create a portfolio", Narrow);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: long id } ? id : null;
    }

    /// <summary>Asks which of several portfolios to use; its id, or null when cancelled.</summary>
    public static async Task<long?> ChoosePortfolioAsync(this IDialogService dialogs, IReadOnlyList<PortfolioSummary> portfolios, string title)
    {
        var parameters = new DialogParameters<ChoosePortfolioDialog> { { d => d.Portfolios, portfolios }, { d => d.Title, title } };
        var dialog = await dialogs.ShowAsync<ChoosePortfolioDialog>(title, parameters, Narrow);
        var result = await dialog.Result;
        return result is { Canceled: false, Data: long id } ? id : null;
    }
}
