namespace Signalbook.Features.Models;

/// <summary>Row loops: parallel only when there are enough rows to pay for waking the worker threads.</summary>
internal static class Rows
{
    public static void For(int count, Action<int> body)
    {
        if (count >= 20_000) Parallel.For(0, count, ModelParallelism.Options, body);
        else for (var i = 0; i < count; i++) body(i);
    }
}

/// <summary>
/// Quantile binning of each feature into at most 255 value bins (0..254) plus bin 255 for missing (NaN).
/// Bin b holds the values v with edges[b−1] &lt; v ≤ edges[b]; the last edge is +∞, so
/// "bin ≤ b" is exactly "v ≤ edges[b]" and a tree trained on bins predicts on raw values.
/// </summary>
internal sealed class BinMapper
{
    public const int MissingBin = 255;
    public const int MaxValueBins = 255;

    private BinMapper(double[][] edges) => Edges = edges;

    /// <summary>Upper edges per feature, ascending, the last +∞.</summary>
    public double[][] Edges { get; }

    /// <param name="sampleRows">Edges come from at most this many rows (a seeded sample), as in LightGBM / sklearn.</param>
    public static BinMapper Fit(FeatureMatrix x, int maxBins, int sampleRows, int seed)
    {
        if (maxBins is < 2 or > MaxValueBins) throw new ArgumentOutOfRangeException(nameof(maxBins), "Between 2 and 255 bins.");
        var rows = Enumerable.Range(0, x.Rows).ToArray();
        if (x.Rows > sampleRows)
        {
            var rng = new Random(seed);
            rng.Shuffle(rows);
            rows = rows[..sampleRows];
            Array.Sort(rows);
        }
        var edges = new double[x.Columns][];
        // Features are independent: sorted side by side.
        Parallel.For(0, x.Columns, ModelParallelism.Options, f =>
        {
            var values = new List<double>(rows.Length);
            foreach (var r in rows)
            {
                var v = x[r, f];
                if (!double.IsNaN(v)) values.Add(v);
            }
            values.Sort();
            edges[f] = QuantileEdges(values, maxBins);
        });
        return new BinMapper(edges);
    }

    private static double[] QuantileEdges(List<double> sorted, int maxBins)
    {
        var distinct = new List<double>();
        foreach (var v in sorted)
            if (distinct.Count == 0 || v != distinct[^1]) distinct.Add(v);
        var edges = new List<double>();
        if (distinct.Count <= maxBins)
        {
            // Few distinct values: one bin each, cut half-way between neighbours.
            for (var i = 0; i + 1 < distinct.Count; i++) edges.Add(distinct[i] + (distinct[i + 1] - distinct[i]) / 2);
        }
        else
        {
            // Cut at the q/maxBins quantiles (deduplicated, so heavy ties give fewer bins).
            for (var q = 1; q < maxBins; q++)
            {
                var cut = sorted[(int)((long)q * sorted.Count / maxBins)];
                if (edges.Count == 0 || cut > edges[^1]) edges.Add(cut);
            }
        }
        edges.Add(double.PositiveInfinity);
        return edges.ToArray();
    }

    public static int BinOf(double[] edges, double v)
    {
        if (double.IsNaN(v)) return MissingBin;
        int lo = 0, hi = edges.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (v <= edges[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>Binned values, feature-major: bins[f][row].</summary>
    public byte[][] Transform(FeatureMatrix x)
    {
        var bins = new byte[x.Columns][];
        Parallel.For(0, x.Columns, ModelParallelism.Options, f =>
        {
            var column = new byte[x.Rows];
            var e = Edges[f];
            for (var r = 0; r < x.Rows; r++) column[r] = (byte)BinOf(e, x.Values[r * x.Columns + f]);
            bins[f] = column;
        });
        return bins;
    }
}

/// <summary>
/// A binary tree over raw feature values. Split node: go left when the value ≤ threshold, a missing value goes
/// the learned default way. Leaves hold <see cref="OutputSize"/> values.
/// </summary>
internal sealed class HistTree
{
    public required int[] Feature { get; init; }       // −1 for a leaf
    public required double[] Threshold { get; init; }
    public required int[] ThresholdBin { get; init; }
    public required bool[] MissingLeft { get; init; }
    public required int[] Left { get; init; }
    public required int[] Right { get; init; }
    public required double[] Gain { get; init; }
    public required double[] Values { get; init; }     // node × OutputSize
    public required int OutputSize { get; init; }

    public int Leaf(ReadOnlySpan<double> row)
    {
        var node = 0;
        while (Feature[node] >= 0)
        {
            var v = row[Feature[node]];
            node = (double.IsNaN(v) ? MissingLeft[node] : v <= Threshold[node]) ? Left[node] : Right[node];
        }
        return node;
    }

    public int LeafBinned(byte[][] bins, int row)
    {
        var node = 0;
        while (Feature[node] >= 0)
        {
            var b = bins[Feature[node]][row];
            node = (b == BinMapper.MissingBin ? MissingLeft[node] : b <= ThresholdBin[node]) ? Left[node] : Right[node];
        }
        return node;
    }

    public void AddImportance(double[] importance)
    {
        for (var n = 0; n < Feature.Length; n++)
            if (Feature[n] >= 0) importance[Feature[n]] += Gain[n];
    }

    /// <summary>Total split gain per feature over an ensemble, normalised (the GBDT's and the forest's importance).</summary>
    public static double[] Importance(IEnumerable<HistTree> trees, int featureCount)
    {
        var importance = new double[featureCount];
        foreach (var tree in trees) tree.AddImportance(importance);
        return ModelArtifact.Normalise(importance);
    }

    public void WriteTo(BinaryWriter w)
    {
        w.Write(OutputSize);
        ModelArtifact.WriteArray(w, Feature);
        ModelArtifact.WriteArray(w, Threshold);
        ModelArtifact.WriteArray(w, ThresholdBin);
        w.Write(MissingLeft.Length);
        foreach (var m in MissingLeft) w.Write(m);
        ModelArtifact.WriteArray(w, Left);
        ModelArtifact.WriteArray(w, Right);
        ModelArtifact.WriteArray(w, Gain);
        ModelArtifact.WriteArray(w, Values);
    }

    public static HistTree ReadFrom(BinaryReader r)
    {
        var outputSize = r.ReadInt32();
        var feature = ModelArtifact.ReadInts(r);
        var threshold = ModelArtifact.ReadDoubles(r);
        var thresholdBin = ModelArtifact.ReadInts(r);
        var missingLeft = new bool[r.ReadInt32()];
        for (var i = 0; i < missingLeft.Length; i++) missingLeft[i] = r.ReadBoolean();
        return new HistTree
        {
            OutputSize = outputSize, Feature = feature, Threshold = threshold, ThresholdBin = thresholdBin, MissingLeft = missingLeft,
            Left = ModelArtifact.ReadInts(r), Right = ModelArtifact.ReadInts(r), Gain = ModelArtifact.ReadDoubles(r),
            Values = ModelArtifact.ReadDoubles(r),
        };
    }
}

/// <summary>
/// How a histogram tree scores a split. Each row contributes <see cref="StatCount"/> statistics; a split's gain is
/// Score(left) + Score(right) − Score(parent). Gradient boosting: stats (g, h, 1), Score = ½G²/(H+λ) (XGBoost's
/// structure score, Chen &amp; Guestrin 2016, eq. 7). Gini: stats = class weights, Score = Σ w_k² / W, so the gain is
/// the decrease of W·Gini. Variance: stats (w, w·y), Score = (Σwy)²/W, the decrease of the weighted sum of squares.
/// </summary>
internal interface ISplitCriterion
{
    int StatCount { get; }
    int OutputSize { get; }
    double Score(ReadOnlySpan<double> stats);
    bool CanBeLeaf(ReadOnlySpan<double> stats);
    void LeafValue(ReadOnlySpan<double> stats, Span<double> output);
}

internal readonly struct GradientCriterion(double lambda, double minHessian, double minSamples, double learningRate) : ISplitCriterion
{
    public double Lambda => lambda;
    public double MinHessian => minHessian;
    public double MinSamples => minSamples;

    public int StatCount => 3;
    public int OutputSize => 1;
    public double Score(ReadOnlySpan<double> s) => 0.5 * s[0] * s[0] / (s[1] + lambda);
    public bool CanBeLeaf(ReadOnlySpan<double> s) => s[2] >= minSamples && s[1] >= minHessian;
    public void LeafValue(ReadOnlySpan<double> s, Span<double> output) => output[0] = -s[0] / (s[1] + lambda) * learningRate;
}

internal readonly struct GiniCriterion(int classes, double minSamples) : ISplitCriterion
{
    public int StatCount => classes;
    public int OutputSize => classes;

    public double Score(ReadOnlySpan<double> s)
    {
        double total = 0, squares = 0;
        foreach (var w in s)
        {
            total += w;
            squares += w * w;
        }
        return total > 0 ? squares / total : 0;
    }

    public bool CanBeLeaf(ReadOnlySpan<double> s)
    {
        double total = 0;
        foreach (var w in s) total += w;
        return total >= minSamples;
    }

    public void LeafValue(ReadOnlySpan<double> s, Span<double> output)
    {
        double total = 0;
        foreach (var w in s) total += w;
        for (var k = 0; k < classes; k++) output[k] = total > 0 ? s[k] / total : 1.0 / classes;
    }
}

internal readonly struct VarianceCriterion(double minSamples) : ISplitCriterion
{
    public int StatCount => 2;
    public int OutputSize => 1;
    public double Score(ReadOnlySpan<double> s) => s[0] > 0 ? s[1] * s[1] / s[0] : 0;
    public bool CanBeLeaf(ReadOnlySpan<double> s) => s[0] >= minSamples;
    public void LeafValue(ReadOnlySpan<double> s, Span<double> output) => output[0] = s[0] > 0 ? s[1] / s[0] : 0;
}

/// <summary>
/// Grows one tree depth-first over binned data. With a fixed feature set per tree (boosting) the larger child's
/// histogram is the parent's minus the smaller child's; with per-node feature sampling (random forest) each
/// node builds histograms for its own features. Ties between splits go to the first feature and lowest bin, so a
/// tree depends only on its inputs and the <see cref="Random"/> it is given.
/// </summary>
/// <remarks>Generic over a struct criterion so the JIT specialises and inlines the per-bin scoring.</remarks>
internal sealed class HistogramTreeBuilder<TCriterion> where TCriterion : struct, ISplitCriterion
{
    private const int Bins = 256;
    private readonly byte[][] _bins;
    private readonly int[] _binCounts;
    private readonly double[][] _edges;
    private readonly double[] _stats; // row-major: row × StatCount
    private readonly TCriterion _criterion;
    private readonly int _maxDepth;
    private readonly double _minGain;
    private readonly int _featuresPerNode;
    private readonly bool _parallel;
    private readonly int _d;

    public HistogramTreeBuilder(byte[][] bins, BinMapper mapper, double[] stats, TCriterion criterion, int maxDepth, double minGain,
        int featuresPerNode, bool parallel)
    {
        _bins = bins;
        _edges = mapper.Edges;
        _binCounts = mapper.Edges.Select(e => e.Length).ToArray();
        _stats = stats;
        _criterion = criterion;
        _maxDepth = maxDepth;
        _minGain = minGain;
        _featuresPerNode = featuresPerNode;
        _parallel = parallel;
        _d = criterion.StatCount;
    }

    private sealed class Nodes
    {
        public readonly List<int> Feature = [], ThresholdBin = [], Left = [], Right = [];
        public readonly List<double> Threshold = [], Gain = [], Values = [];
        public readonly List<bool> MissingLeft = [];
    }

    /// <summary>
    /// Where the last tree's rows ended: each leaf's node and its range in the rows array given to <see cref="Build"/>
    /// (partitioned in place), so boosting adds the leaf values to the rows it trained on without walking the tree again.
    /// </summary>
    public List<(int Node, int Start, int End)> LeafRanges { get; } = [];

    /// <param name="rows">Rows of this tree (modified: partitioned in place).</param>
    /// <param name="features">Candidate features of this tree.</param>
    public HistTree Build(int[] rows, int[] features, Random rng)
    {
        LeafRanges.Clear();
        var nodes = new Nodes();
        var scratch = new int[rows.Length];
        var perNode = _featuresPerNode > 0 && _featuresPerNode < features.Length;
        var rootHist = perNode ? null : BuildHistogram(rows, 0, rows.Length, features);
        var rootTotals = new double[_d];
        for (var i = 0; i < rows.Length; i++)
        {
            var o = rows[i] * _d;
            for (var d = 0; d < _d; d++) rootTotals[d] += _stats[o + d];
        }
        Grow(nodes, rows, scratch, 0, rows.Length, 0, features, rootHist, rootTotals, rng, perNode);
        return new HistTree
        {
            Feature = [.. nodes.Feature], Threshold = [.. nodes.Threshold], ThresholdBin = [.. nodes.ThresholdBin],
            MissingLeft = [.. nodes.MissingLeft], Left = [.. nodes.Left], Right = [.. nodes.Right], Gain = [.. nodes.Gain],
            Values = [.. nodes.Values], OutputSize = _criterion.OutputSize,
        };
    }

    /// <param name="totals">The statistics summed over the node's rows in their order (the parent's partition gathers them).</param>
    private int Grow(Nodes nodes, int[] rows, int[] scratch, int start, int end, int depth, int[] treeFeatures, double[]? hist,
        double[] totals, Random rng, bool perNode)
    {
        var node = nodes.Feature.Count;
        nodes.Feature.Add(-1);
        nodes.Threshold.Add(0);
        nodes.ThresholdBin.Add(0);
        nodes.MissingLeft.Add(false);
        nodes.Left.Add(-1);
        nodes.Right.Add(-1);
        nodes.Gain.Add(0);

        var leaf = new double[_criterion.OutputSize];
        _criterion.LeafValue(totals, leaf);
        nodes.Values.AddRange(leaf);

        if (depth >= _maxDepth || end - start < 2)
        {
            Release(hist);
            LeafRanges.Add((node, start, end));
            return node;
        }

        var features = treeFeatures;
        if (perNode)
        {
            features = SampleFeatures(treeFeatures, _featuresPerNode, rng);
            hist = BuildHistogram(rows, start, end, features);
        }
        var best = FindBestSplit(hist!, features, totals);
        if (perNode)
        {
            Release(hist);
            hist = null;
        }
        if (best.Gain <= _minGain)
        {
            Release(hist);
            LeafRanges.Add((node, start, end));
            return node;
        }

        // Stable partition: left rows stay in order at the front, right rows follow in order. Each side's totals are summed
        // on the way, in that same row order, so they are exactly what a pass over the child's rows would give.
        var column = _bins[best.Feature];
        int l = start, rCount = 0;
        var leftTotals = new double[_d];
        var rightTotals = new double[_d];
        if (_d == 3)
        {
            double lg = 0, lh = 0, ln = 0, rg = 0, rh = 0, rn = 0;
            for (var i = start; i < end; i++)
            {
                var row = rows[i];
                var b = column[row];
                var o = row * 3;
                if (b == BinMapper.MissingBin ? best.MissingLeft : b <= best.Bin)
                {
                    rows[l++] = row;
                    (lg, lh, ln) = (lg + _stats[o], lh + _stats[o + 1], ln + _stats[o + 2]);
                }
                else
                {
                    scratch[rCount++] = row;
                    (rg, rh, rn) = (rg + _stats[o], rh + _stats[o + 1], rn + _stats[o + 2]);
                }
            }
            (leftTotals[0], leftTotals[1], leftTotals[2], rightTotals[0], rightTotals[1], rightTotals[2]) = (lg, lh, ln, rg, rh, rn);
        }
        else
        {
            for (var i = start; i < end; i++)
            {
                var row = rows[i];
                var b = column[row];
                var goLeft = b == BinMapper.MissingBin ? best.MissingLeft : b <= best.Bin;
                var side = goLeft ? leftTotals : rightTotals;
                for (var d = 0; d < _d; d++) side[d] += _stats[row * _d + d];
                if (goLeft) rows[l++] = row; else scratch[rCount++] = row;
            }
        }
        Array.Copy(scratch, 0, rows, l, rCount);

        nodes.Feature[node] = best.Feature;
        nodes.ThresholdBin[node] = best.Bin;
        nodes.Threshold[node] = _edges[best.Feature][best.Bin];
        nodes.MissingLeft[node] = best.MissingLeft;
        nodes.Gain[node] = best.Gain;

        double[]? leftHist = null, rightHist = null;
        if (!perNode && depth + 1 >= _maxDepth) Release(hist); // the children are leaves: no histograms needed
        else if (!perNode)
        {
            // Subtraction trick: build the smaller child, the larger is parent − smaller (parent's buffer reused).
            var leftSmaller = l - start <= end - l;
            var small = leftSmaller ? BuildHistogram(rows, start, l, features) : BuildHistogram(rows, l, end, features);
            for (var i = 0; i < hist!.Length; i++) hist[i] -= small[i];
            (leftHist, rightHist) = leftSmaller ? (small, hist) : (hist, small);
        }
        var left = Grow(nodes, rows, scratch, start, l, depth + 1, treeFeatures, leftHist, leftTotals, rng, perNode);
        var right = Grow(nodes, rows, scratch, l, end, depth + 1, treeFeatures, rightHist, rightTotals, rng, perNode);
        nodes.Left[node] = left;
        nodes.Right[node] = right;
        return node;
    }

    private static int[] SampleFeatures(int[] features, int count, Random rng)
    {
        var pool = (int[])features.Clone();
        for (var i = 0; i < count; i++)
        {
            var j = rng.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var chosen = pool[..count];
        Array.Sort(chosen);
        return chosen;
    }

    // Histogram buffers are recycled: a fresh 25-feature histogram is ~150 KB, which would otherwise land on the
    // large-object heap for every node of every tree. Each buffer has one owner: the node that uses it last returns it.
    private readonly Stack<double[]> _pool = new();

    private double[] Rent(int length)
    {
        while (_pool.Count > 0)
        {
            var buffer = _pool.Pop();
            if (buffer.Length != length) continue;
            Array.Clear(buffer);
            return buffer;
        }
        return new double[length];
    }

    private void Release(double[]? buffer)
    {
        if (buffer is not null && _pool.Count < 64) _pool.Push(buffer);
    }

    // The node's row statistics gathered in row order ("ordered gradients", as LightGBM does): each feature's pass then
    // reads them sequentially instead of gathering them again from the whole table. Sums still run in row order, so the
    // histograms are bit for bit what the direct loop gave.
    private double[] _ordered = [];

    private unsafe double[] BuildHistogram(int[] rows, int start, int end, int[] features)
    {
        var hist = Rent(features.Length * Bins * _d);
        var d = _d;
        var count = end - start;
        if (count == 0) return hist;
        if (_ordered.Length < count * d) _ordered = new double[Math.Max(count, rows.Length) * d];
        var ordered = _ordered;
        if (d == 3)
        {
            for (var i = 0; i < count; i++)
            {
                var s = rows[start + i] * 3;
                ordered[i * 3] = _stats[s];
                ordered[i * 3 + 1] = _stats[s + 1];
                ordered[i * 3 + 2] = _stats[s + 2];
            }
        }
        else
        {
            for (var i = 0; i < count; i++) Array.Copy(_stats, rows[start + i] * d, ordered, i * d, d);
        }
        void One(int k)
        {
            var column = _bins[features[k]];
            var offset = k * Bins * d;
            fixed (double* h = &hist[offset])
            fixed (double* g = ordered)
            fixed (byte* c = column)
            fixed (int* r = &rows[start])
            {
                if (d == 3)
                {
                    for (var i = 0; i < count; i++)
                    {
                        var o = h + c[r[i]] * 3;
                        var q = g + i * 3;
                        o[0] += q[0];
                        o[1] += q[1];
                        o[2] += q[2];
                    }
                }
                else
                {
                    for (var i = 0; i < count; i++)
                    {
                        var o = h + c[r[i]] * d;
                        var q = g + i * d;
                        for (var j = 0; j < d; j++) o[j] += q[j];
                    }
                }
            }
        }
        if (_parallel && (long)count * features.Length >= 100_000) Parallel.For(0, features.Length, ModelParallelism.Options, One);
        else for (var k = 0; k < features.Length; k++) One(k);
        return hist;
    }

    private readonly record struct Split(int Feature, int Bin, bool MissingLeft, double Gain);

    private Split FindBestSplit(double[] hist, int[] features, double[] totals)
    {
        // Boosting's criterion gets a loop of its own over plain locals (the JIT drops the other branch per criterion).
        if (typeof(TCriterion) == typeof(GradientCriterion)) return FindBestGradientSplit(hist, features, totals, (GradientCriterion)(object)_criterion);
        var d = _d;
        var parentScore = _criterion.Score(totals);
        var best = new Split(-1, 0, false, double.NegativeInfinity);
        Span<double> left = stackalloc double[d];
        Span<double> right = stackalloc double[d];
        Span<double> missing = stackalloc double[d];
        for (var k = 0; k < features.Length; k++)
        {
            var offset = k * Bins * d;
            var binCount = _binCounts[features[k]];
            var hasMissing = false;
            for (var j = 0; j < d; j++)
            {
                missing[j] = hist[offset + BinMapper.MissingBin * d + j];
                if (missing[j] != 0) hasMissing = true;
            }
            for (var pass = 0; pass < (hasMissing ? 2 : 1); pass++)
            {
                var missingLeft = pass == 1;
                left.Clear();
                if (missingLeft) missing.CopyTo(left);
                // With missing values going right, "all values left" is a valid split (value vs missing).
                var lastBin = hasMissing && !missingLeft ? binCount - 1 : binCount - 2;
                for (var b = 0; b <= lastBin; b++)
                {
                    var o = offset + b * d;
                    var empty = true;
                    for (var j = 0; j < d; j++)
                    {
                        var v = hist[o + j];
                        if (v != 0) empty = false;
                        left[j] += v;
                    }
                    if (empty && b > 0) continue; // same split as the previous bin
                    for (var j = 0; j < d; j++) right[j] = totals[j] - left[j];
                    if (!_criterion.CanBeLeaf(left) || !_criterion.CanBeLeaf(right)) continue;
                    var gain = _criterion.Score(left) + _criterion.Score(right) - parentScore;
                    if (gain > best.Gain) best = new Split(features[k], b, missingLeft, gain);
                }
            }
        }
        return best;
    }

    /// <summary>
    /// <see cref="FindBestSplit"/> for (g, h, count) statistics, the same arithmetic in the same order (so the same splits,
    /// bit for bit): Score = ½G²/(H+λ), a side may be a leaf when its count and hessian reach the minimums.
    /// </summary>
    private Split FindBestGradientSplit(double[] hist, int[] features, double[] totals, GradientCriterion c)
    {
        var (lambda, minHessian, minSamples) = (c.Lambda, c.MinHessian, c.MinSamples);
        double tg = totals[0], th = totals[1], tn = totals[2];
        var parentScore = 0.5 * tg * tg / (th + lambda);
        var best = new Split(-1, 0, false, double.NegativeInfinity);
        var bestGain = double.NegativeInfinity;
        for (var k = 0; k < features.Length; k++)
        {
            var h = hist.AsSpan(k * Bins * 3, Bins * 3);
            var binCount = _binCounts[features[k]];
            double mg = h[BinMapper.MissingBin * 3], mh = h[BinMapper.MissingBin * 3 + 1], mn = h[BinMapper.MissingBin * 3 + 2];
            var hasMissing = mg != 0 || mh != 0 || mn != 0;
            for (var pass = 0; pass < (hasMissing ? 2 : 1); pass++)
            {
                var missingLeft = pass == 1;
                double lg = 0, lh = 0, ln = 0;
                if (missingLeft) (lg, lh, ln) = (mg, mh, mn);
                var lastBin = hasMissing && !missingLeft ? binCount - 1 : binCount - 2;
                for (var b = 0; b <= lastBin; b++)
                {
                    double vg = h[b * 3], vh = h[b * 3 + 1], vn = h[b * 3 + 2];
                    lg += vg;
                    lh += vh;
                    ln += vn;
                    if (vg == 0 && vh == 0 && vn == 0 && b > 0) continue; // same split as the previous bin
                    double rg = tg - lg, rh = th - lh, rn = tn - ln;
                    if (!(ln >= minSamples && lh >= minHessian) || !(rn >= minSamples && rh >= minHessian)) continue;
                    var gain = 0.5 * lg * lg / (lh + lambda) + 0.5 * rg * rg / (rh + lambda) - parentScore;
                    if (gain > bestGain)
                    {
                        bestGain = gain;
                        best = new Split(features[k], b, missingLeft, gain);
                    }
                }
            }
        }
        return best;
    }
}
