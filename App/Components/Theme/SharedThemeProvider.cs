using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.RenderTree;
using MudBlazor;

namespace Signalbook.Components.Theme;

/// <summary>
/// MudThemeProvider whose style sheets are shared by every circuit. The provider writes its theme's CSS variables (about
/// 12 KB of text) anew on each render, and a circuit keeps its components' last two render trees: two copies of the same
/// string per open page, 48 KB of every circuit (README, "Circuit load"). This one lets the provider render as usual,
/// then keeps, instead of each new copy, the one instance of that text all circuits hold.
/// </summary>
/// <remarks>
/// Shared by content, so whatever the provider's output depends on (theme, mode, scroll bars) is respected. If the
/// provider renders anything but markup, its own tree is kept as it is. A test compares both outputs.
/// </remarks>
#pragma warning disable BL0006 // reads the provider's frames: see StaticMarkup
public sealed class SharedThemeProvider : MudThemeProvider
{
    /// <summary>How many distinct style texts are shared at most (themes × modes × scroll bars is a handful).</summary>
    public const int Capacity = 32;

    private static readonly ConcurrentDictionary<string, string> Shared = new(StringComparer.Ordinal);

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        using var scratch = new RenderTreeBuilder();
        base.BuildRenderTree(scratch);
        var frames = scratch.GetFrames();
        for (var i = 0; i < frames.Count; i++)
        {
            if (frames.Array[i].FrameType != RenderTreeFrameType.Markup)
            {
                base.BuildRenderTree(builder);
                return;
            }
        }
        for (var i = 0; i < frames.Count; i++)
        {
            ref var frame = ref frames.Array[i];
#pragma warning disable ASP0006 // the provider's own sequence numbers, so the diff sees what the provider would render
            builder.AddMarkupContent(frame.Sequence, Share(frame.MarkupContent));
#pragma warning restore ASP0006
        }
    }

    /// <summary>The markup texts this provider renders now (tests check they are the shared instances).</summary>
    internal IReadOnlyList<string> RenderedMarkup()
    {
        using var builder = new RenderTreeBuilder();
        BuildRenderTree(builder);
        var frames = builder.GetFrames();
        return frames.Array.Take(frames.Count).Where(f => f.FrameType == RenderTreeFrameType.Markup).Select(f => f.MarkupContent).ToList();
    }

    private static string Share(string markup) =>
        Shared.TryGetValue(markup, out var shared) ? shared
        : Shared.Count < Capacity ? Shared.GetOrAdd(markup, markup)
        : markup;
}
#pragma warning restore BL0006
