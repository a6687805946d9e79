using MudBlazor;

namespace Signalbook.Components.Shared;

/// <summary>
/// The classes MudChip gives a small chip that cannot be clicked, for chips written as plain markup. A MudChip is a
/// component with its own state, a generated id and a key handler; a recommendations grid holds several per row for
/// every open circuit. Plain markup with the same classes looks the same and costs the server nothing after rendering
/// (bench circuits). The markup is <c>&lt;div class="mud-chip-container"&gt;&lt;div class="@Class(…)"&gt;&lt;span
/// class="mud-chip-content"&gt;…</c>; a test holds these classes to what MudChip renders.
/// </summary>
public static class ChipMarkup
{
    public static string Class(Color color, Variant variant = Variant.Text, string? extra = null) =>
        $"mud-chip mud-chip-{Css(variant)} mud-chip-size-small mud-chip-color-{Css(color)}{(extra is null ? "" : " " + extra)}";

    // MudBlazor's class names are its enum names in lower case ("text", "outlined", "success").
    private static string Css<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
