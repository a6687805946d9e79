using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Signalbook.Components.Shared;

/// <summary>
/// A small chip that cannot be clicked, written as plain markup with the classes and structure MudChip renders. A MudChip
/// is a component with its own state, a generated id and a key handler; a recommendations grid holds several per row for
/// every open circuit. Plain markup looks the same and costs the server nothing after rendering (bench circuits). A test
/// holds the classes and structure to what MudChip renders.
/// </summary>
public static class ChipMarkup
{
    public static string Class(Color color, Variant variant = Variant.Text, string? extra = null) =>
        $"mud-chip mud-chip-{Css(variant)} mud-chip-size-small mud-chip-color-{Css(color)}{(extra is null ? "" : " " + extra)}";

    /// <summary>
    /// The chip: <c>container › chip (class, attributes) › span.mud-chip-content › text</c>, as one markup frame
    /// (<see cref="StaticMarkup"/>), not eleven element, attribute and text frames kept twice per open page.
    /// </summary>
    /// <param name="inline">Spans instead of divs, for a chip inside a heading or a paragraph.</param>
    public static RenderFragment Render(string text, Color color, Variant variant, string? extraClass,
        IReadOnlyDictionary<string, object?> attributes, bool inline = false)
        => StaticMarkup.Freeze(Fragment(text, color, variant, extraClass, attributes, inline));

    /// <summary>The chip's HTML (see <see cref="Render"/>); attribute values and text are encoded, null and false attributes left out.</summary>
    public static string Html(string text, Color color, Variant variant, string? extraClass, IReadOnlyDictionary<string, object?> attributes, bool inline = false)
        => StaticMarkup.ToHtml(Fragment(text, color, variant, extraClass, attributes, inline));

    private static RenderFragment Fragment(string text, Color color, Variant variant, string? extraClass,
        IReadOnlyDictionary<string, object?> attributes, bool inline) => b =>
    {
        var tag = inline ? "span" : "div";
        b.OpenElement(0, tag);
        b.AddAttribute(1, "class", "mud-chip-container");
        b.OpenElement(2, tag);
        b.AddAttribute(3, "class", Class(color, variant, extraClass));
        b.AddMultipleAttributes(4, attributes!);
        b.OpenElement(5, "span");
        b.AddAttribute(6, "class", "mud-chip-content");
        b.AddContent(7, text);
        b.CloseElement();
        b.CloseElement();
        b.CloseElement();
    };

    // MudBlazor's class names are its enum names in lower case ("text", "outlined", "success").
    private static string Css<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
