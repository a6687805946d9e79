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

    /// <summary>The chip: <c>container › chip (class, attributes) › span.mud-chip-content › text</c>.</summary>
    /// <param name="inline">Spans instead of divs, for a chip inside a heading or a paragraph.</param>
    public static RenderFragment Render(string text, Color color, Variant variant, string? extraClass,
        IReadOnlyDictionary<string, object?> attributes, bool inline = false) => builder =>
    {
        var tag = inline ? "span" : "div";
        builder.OpenElement(0, tag);
        builder.AddAttribute(1, "class", "mud-chip-container");
        builder.OpenElement(2, tag);
        builder.AddAttribute(3, "class", Class(color, variant, extraClass));
        builder.AddMultipleAttributes(4, attributes!);
        builder.OpenElement(5, "span");
        builder.AddAttribute(6, "class", "mud-chip-content");
        builder.AddContent(7, text);
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    // MudBlazor's class names are its enum names in lower case ("text", "outlined", "success").
    private static string Css<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
