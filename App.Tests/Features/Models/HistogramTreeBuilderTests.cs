using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// Boosting adds each tree's leaf values to the training rows through the builder's own partition (its leaf ranges)
/// instead of walking the tree again: that is only right if every row of a range is one the tree sends to that leaf.
/// </summary>
public class HistogramTreeBuilderTests
{
    [Theory]
    [InlineData(2_000, 3, 1)]
    [InlineData(30_000, 6, 2)] // big enough for the parallel histogram path
    public void LeafRanges_CoverEveryRowOnce_AndEachRowIsInTheLeafTheTreeSendsItTo(int n, int depth, int seed)
    {
        var rng = new Random(seed);
        const int features = 5;
        var values = new double[n * features];
        var stats = new double[n * 3];
        for (var i = 0; i < n; i++)
        {
            for (var f = 0; f < features; f++)
                values[i * features + f] = f == 3 && rng.NextDouble() < 0.3 ? double.NaN : Math.Round(rng.NextDouble() * 40) / 4; // ties and missing values
            var y = values[i * features] + (double.IsNaN(values[i * features + 3]) ? 2 : 0) > 5 ? 1.0 : 0.0;
            stats[i * 3] = 0.5 - y;
            stats[i * 3 + 1] = 0.25;
            stats[i * 3 + 2] = 1;
        }
        var x = new FeatureMatrix(values, n, features);
        var mapper = BinMapper.Fit(x, 255, 200_000, seed);
        var bins = mapper.Transform(x);
        var builder = new HistogramTreeBuilder<GradientCriterion>(bins, mapper, stats, new GradientCriterion(1, 1e-3, 1, 0.1), depth, 1e-12, 0, parallel: true);
        var rows = Enumerable.Range(0, n).ToArray();

        var tree = builder.Build(rows, Enumerable.Range(0, features).ToArray(), new Random(seed));

        Assert.True(builder.LeafRanges.Count > 1, "the tree made no split");
        var seen = new bool[n];
        foreach (var (leaf, start, end) in builder.LeafRanges)
        {
            Assert.Equal(-1, tree.Feature[leaf]);
            for (var i = start; i < end; i++)
            {
                var row = rows[i];
                Assert.False(seen[row], $"row {row} is in two leaf ranges");
                seen[row] = true;
                Assert.Equal(tree.LeafBinned(bins, row), leaf);
                Assert.Equal(tree.Leaf(x.Row(row)), leaf);
            }
        }
        Assert.All(seen, Assert.True);
    }
}
