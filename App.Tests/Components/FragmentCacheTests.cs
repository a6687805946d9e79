using Microsoft.AspNetCore.Components;
using Signalbook.Components.Shared;
using Signalbook.Features.Recommendations;

namespace Signalbook.Tests.Components;

/// <summary>The shared fragments of chips that depend on one value: one per value, bounded.</summary>
public sealed class FragmentCacheTests
{
    [Fact]
    public void OneFragmentPerValue_UpToTheCapacity_ThenMadePerCall()
    {
        var made = 0;
        var cache = new FragmentCache(key => { made++; return b => b.AddContent(0, key); });

        Assert.Same(cache["BUY"], cache["BUY"]);
        Assert.NotSame(cache["BUY"], cache["SELL"]);
        Assert.Equal(2, made);

        for (var i = 0; cache.Count < FragmentCache.Capacity; i++) _ = cache[$"value {i}"];
        var before = made;
        var past = cache["one too many"];
        Assert.NotSame(past, cache["one too many"]); // not kept: made again on each call
        Assert.Equal(before + 2, made);
        Assert.Equal(FragmentCache.Capacity, cache.Count);
    }

    [Fact]
    public void TheGridsChips_AreSharedPerValue()
    {
        Assert.Same(LabelBadge.Markup(RecommendationLabels.Buy), LabelBadge.Markup(RecommendationLabels.Buy));
        Assert.Same(StatusChip.Markup("running"), StatusChip.Markup("running"));
        Assert.NotSame(StatusChip.Markup("running", "Running now"), StatusChip.Markup("running", "Running now")); // own words: made per call
        Assert.Same(Signalbook.Features.Regimes.RegimeBadge.Markup("calm"), Signalbook.Features.Regimes.RegimeBadge.Markup("calm"));
    }
}
