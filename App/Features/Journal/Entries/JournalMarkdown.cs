using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Signalbook.Features.Journal.Entries;

/// <summary>
/// Renders a journal note's Markdown to HTML that is safe to show as markup: raw HTML in the note is escaped (Markdig's
/// DisableHtml: a &lt;script&gt; typed in a note shows as text), only a few extensions that add no attributes are on
/// (tables, strikethrough, task lists, bare links; not GenericAttributes, which would let a note add onclick), and a
/// link or image whose address is not http(s), mailto or relative becomes "#" (no javascript: or data: links).
/// </summary>
public static class JournalMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .DisableHtml()
        .Build();

    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return "";
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
        }
        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url)) link.Url = "#";
        }
        return document.ToHtml(Pipeline);
    }

    /// <summary>The note as plain text (for list excerpts).</summary>
    public static string ToPlainText(string? markdown, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return "";
        var text = string.Join(' ', Markdown.ToPlainText(markdown, Pipeline).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= maxLength ? text : text[..(maxLength - 1)].TrimEnd() + "…";
    }

    private static bool IsSafe(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return true;
        var u = url.Trim();
        if (u.StartsWith('/') || u.StartsWith('#') || u.StartsWith('?')) return !u.StartsWith("//", StringComparison.Ordinal) || Uri.TryCreate("https:" + u, UriKind.Absolute, out _);
        if (Uri.TryCreate(u, UriKind.Absolute, out var abs)) return abs.Scheme is "http" or "https" or "mailto";
        // Relative without a scheme ("notes/today"): a colon before any slash would be a scheme the parser did not accept.
        var colon = u.IndexOf(':', StringComparison.Ordinal);
        var slash = u.IndexOf('/', StringComparison.Ordinal);
        return colon < 0 || (slash >= 0 && slash < colon);
    }
}
