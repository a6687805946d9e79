using MudBlazor;

namespace Signalbook.Components.Theme;

/// <summary>
/// Signalbook's one Material theme: a light and a dark palette over the same typography and shape. Colours were chosen
/// for WCAG AA contrast of text on surfaces in both palettes (the browser tests run axe-core on every page).
/// </summary>
public static class SignalbookTheme
{
    private static readonly string[] FontStack = ["Roboto", "Inter", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Instance = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1d4ed8",
            PrimaryContrastText = "#ffffff",
            Secondary = "#6d28d9",
            Tertiary = "#0f766e",
            Info = "#075985",
            Success = "#166534",
            Warning = "#92400e",
            Error = "#b91c1c",
            AppbarBackground = "#0f172a",
            AppbarText = "#f8fafc",
            Background = "#f6f7fb",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            DrawerText = "#1f2937",
            DrawerIcon = "#374151",
            TextPrimary = "#111827",
            TextSecondary = "#4b5563",
            ActionDefault = "#374151",
            LinesDefault = "#d6d9e0",
            TableLines = "#e3e6ec",
            Divider = "#d6d9e0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#8ab4ff",
            PrimaryContrastText = "#0b1220",
            Secondary = "#c4b5fd",
            Tertiary = "#5eead4",
            Info = "#7dd3fc",
            Success = "#86efac",
            Warning = "#fcd34d",
            Error = "#fca5a5",
            AppbarBackground = "#0b1220",
            AppbarText = "#e5e7eb",
            Background = "#0f1522",
            Surface = "#182031",
            DrawerBackground = "#131a29",
            DrawerText = "#e5e7eb",
            DrawerIcon = "#cbd5e1",
            TextPrimary = "#f1f5f9",
            TextSecondary = "#b6c0cf",
            ActionDefault = "#cbd5e1",
            LinesDefault = "#334155",
            TableLines = "#2a3446",
            Divider = "#334155",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = FontStack },
            H4 = new H4Typography { FontFamily = FontStack, FontSize = "1.6rem", FontWeight = "600" },
            H5 = new H5Typography { FontFamily = FontStack, FontSize = "1.25rem", FontWeight = "600" },
            H6 = new H6Typography { FontFamily = FontStack, FontSize = "1.05rem", FontWeight = "600" },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "8px", DrawerWidthLeft = "248px" },
    };
}
