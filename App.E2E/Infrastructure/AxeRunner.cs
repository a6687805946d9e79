using System.Reflection;
using System.Text.Json;
using Microsoft.Playwright;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// Runs axe-core in the page itself: the script (the copy Deque.AxeCore.Commons ships) is injected once per document and
/// <c>axe.run</c> is called on it. Deque's <c>RunAxe</c> injects the script into every frame on every call and finishes
/// each run in a new blank page of its own, about a second per check here; the browser suite checks some 250 pages.
/// </summary>
public static class AxeRunner
{
    public sealed record Node(string Target, string Html);

    public sealed record Violation(string Id, string? Impact, string Help, IReadOnlyList<Node> Nodes);

    private static readonly Lazy<string> Script = new(() =>
    {
        var assembly = typeof(Deque.AxeCore.Commons.AxeResult).Assembly;
        using var stream = assembly.GetManifestResourceStream("Deque.AxeCore.Commons.Resources.axe.min.js")
            ?? throw new InvalidOperationException($"axe.min.js is not a resource of {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    // Details only for violations: for the rules that pass, axe then keeps no list of every node it checked. Finite
    // animations (a snackbar fading in) end first, up to 2 s: mid-fade text read as faint grey and failed color-contrast
    // on a slow machine.
    private const string Run = """
        async () => {
          const finite = document.getAnimations().filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
          await Promise.race([Promise.allSettled(finite.map(a => a.finished)), new Promise(r => setTimeout(r, 2000))]);
          const result = await axe.run(document, { resultTypes: ['violations'] });
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: n.target.map(String).join(' '), html: n.html })),
          }));
        }
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IReadOnlyList<Violation>> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
            await page.EvaluateAsync(Script.Value);
        var result = await page.EvaluateAsync<JsonElement>(Run);
        return result.Deserialize<List<Violation>>(Json) ?? [];
    }
}
