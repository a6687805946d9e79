using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace Signalbook.Components.Shared;

/// <summary>
/// Render fragments that depend on one small value only (a status, a label, a regime name), made once per value and
/// shared by every circuit. A grid renders one per cell on each render; making each anew allocated its attribute
/// dictionary, class string and closure every time. Bounded: past <see cref="Capacity"/> distinct values a fragment is
/// made per call, so an unexpected vocabulary cannot grow it without limit.
/// </summary>
public sealed class FragmentCache(Func<string, RenderFragment> make)
{
    public const int Capacity = 256;

    private readonly ConcurrentDictionary<string, RenderFragment> _made = new(StringComparer.Ordinal);

    public RenderFragment this[string key] =>
        _made.TryGetValue(key, out var fragment) ? fragment
        : _made.Count < Capacity ? _made.GetOrAdd(key, make)
        : make(key);

    /// <summary>How many values have a shared fragment (for tests).</summary>
    public int Count => _made.Count;
}
