using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;

namespace Signalbook.Components.Shared;

/// <summary>
/// Turns a fragment of plain HTML — elements, attributes, text and markup, with no component, event handler or element
/// reference — into one markup frame. Blazor keeps every component's last two render trees while a page is open, at
/// forty bytes a frame: a table row written in Razor is forty-odd frames (and as many small strings) per row and per
/// open circuit, the same row as markup is one frame, and its HTML can be shared by every circuit that shows the row
/// (<see cref="Cached{T}"/>). The fragment stays ordinary Razor; only what the renderer holds changes.
/// </summary>
/// <remarks>
/// Reads the fragment's frames through Blazor's RenderTree types, which the framework marks as its own (BL0006): the
/// types it reads here (element, attribute, text, markup, region) have been stable since Blazor's first release, and a
/// test renders each kind through this class and through the real renderer and compares the HTML.
/// </remarks>
#pragma warning disable BL0006
public static class StaticMarkup
{
    // Elements that have no end tag (HTML's void elements).
    private static readonly HashSet<string> VoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    };

    /// <summary>The fragment's HTML. Throws if it holds anything a browser needs the circuit for (see the class).</summary>
    public static string ToHtml(RenderFragment fragment)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        using var builder = new RenderTreeBuilder();
        fragment(builder);
        var frames = builder.GetFrames();
        var html = new StringBuilder(256);
        WriteRange(frames.Array, 0, frames.Count, html);
        return html.ToString();
    }

    /// <summary>The fragment frozen to one markup frame (see <see cref="ToHtml"/>).</summary>
    public static RenderFragment Freeze(RenderFragment fragment)
    {
        var html = ToHtml(fragment);
        return builder => builder.AddMarkupContent(0, html);
    }

    /// <summary>
    /// One frozen fragment per <typeparamref name="T"/> instance, made on first use and dropped with the instance. Rows
    /// shared across circuits (a cached query result) then share their HTML too. The fragment must depend on the item
    /// alone, and the item must not change after its first render.
    /// </summary>
    public sealed class Cached<T>(Func<T, RenderFragment> render) where T : class
    {
        private readonly ConditionalWeakTable<T, RenderFragment> _frozen = new();
        private readonly ConditionalWeakTable<T, RenderFragment>.CreateValueCallback _make = item => Freeze(render(item));

        public RenderFragment this[T item] => _frozen.GetValue(item, _make);
    }

    private static void WriteRange(RenderTreeFrame[] frames, int start, int end, StringBuilder html)
    {
        var position = start;
        while (position < end)
        {
            ref var frame = ref frames[position];
            switch (frame.FrameType)
            {
                case RenderTreeFrameType.Element:
                    WriteElement(frames, position, html);
                    position += frame.ElementSubtreeLength;
                    break;
                case RenderTreeFrameType.Region:
                    WriteRange(frames, position + 1, position + frame.RegionSubtreeLength, html);
                    position += frame.RegionSubtreeLength;
                    break;
                case RenderTreeFrameType.Text:
                    html.Append(HtmlEncoder.Default.Encode(frame.TextContent));
                    position++;
                    break;
                case RenderTreeFrameType.Markup:
                    html.Append(frame.MarkupContent);
                    position++;
                    break;
                default:
                    throw new InvalidOperationException(
                        $"Static markup cannot hold a {frame.FrameType} frame (sequence {frame.Sequence}): it needs the circuit, so render it as a component.");
            }
        }
    }

    private static void WriteElement(RenderTreeFrame[] frames, int position, StringBuilder html)
    {
        ref var element = ref frames[position];
        var name = element.ElementName;
        var end = position + element.ElementSubtreeLength;
        html.Append('<').Append(name);
        var child = position + 1;
        for (; child < end && frames[child].FrameType is RenderTreeFrameType.Attribute or RenderTreeFrameType.ElementReferenceCapture; child++)
        {
            ref var attribute = ref frames[child];
            if (attribute.FrameType == RenderTreeFrameType.ElementReferenceCapture)
            {
                throw new InvalidOperationException($"Static markup cannot capture a reference to <{name}> (sequence {attribute.Sequence}).");
            }
            WriteAttribute(name, attribute.AttributeName, attribute.AttributeValue, attribute.Sequence, html);
        }
        html.Append('>');
        if (VoidElements.Contains(name))
        {
            return;
        }
        WriteRange(frames, child, end, html);
        html.Append("</").Append(name).Append('>');
    }

    private static void WriteAttribute(string element, string name, object? value, int sequence, StringBuilder html)
    {
        switch (value)
        {
            // The renderer leaves these out as well (a false or null attribute is absent).
            case null or false:
                return;
            case true:
                html.Append(' ').Append(name);
                return;
            case string text:
                html.Append(' ').Append(name).Append("=\"").Append(HtmlEncoder.Default.Encode(text)).Append('"');
                return;
            case Delegate or EventCallback:
            case object when value.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(EventCallback<>):
                throw new InvalidOperationException(
                    $"Static markup cannot handle the event {name} of <{element}> (sequence {sequence}): it needs the circuit, so render it as a component.");
            default:
                html.Append(' ').Append(name).Append("=\"")
                    .Append(HtmlEncoder.Default.Encode(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
                return;
        }
    }
}
#pragma warning restore BL0006
