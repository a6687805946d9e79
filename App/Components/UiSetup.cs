using MudBlazor;
using MudBlazor.Services;
using Signalbook.Components.Theme;

namespace Signalbook.Components;

public static class UiSetup
{
    /// <summary>MudBlazor's services (dialogs, snackbars, popovers) with Signalbook's defaults, and the circuit's theme.</summary>
    public static IServiceCollection AddSignalbookUi(this IServiceCollection services)
    {
        services.AddMudServices(config =>
        {
            config.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            config.SnackbarConfiguration.PreventDuplicates = false;
            config.SnackbarConfiguration.ShowCloseIcon = true;
            config.SnackbarConfiguration.VisibleStateDuration = 6000;
            config.SnackbarConfiguration.SnackbarVariant = Variant.Filled;
        });
        services.AddScoped<ThemeState>();
        return services;
    }
}
