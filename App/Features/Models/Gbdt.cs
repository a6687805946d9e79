namespace Signalbook.Features.Models;

/// <summary>Hyperparameters of <see cref="GbdtLearner"/>; names follow XGBoost where one exists.</summary>
public sealed record GbdtOptions
{
    public int Trees { get; init; } = 200;
    public double LearningRate { get; init; } = 0.1;
    public int MaxDepth { get; init; } = 4;
    /// <summary>Value bins per feature (≤ 255); missing values get a bin of their own.</summary>
    public int MaxBins { get; init; } = 255;
    /// <summary>Minimum rows in a leaf.</summary>
    public int MinSamplesLeaf { get; init; } = 1;
    /// <summary>Minimum sum of hessians in a leaf (XGBoost's min_child_weight).</summary>
    public double MinChildWeight { get; init; } = 1;
    /// <summary>L2 penalty on leaf values (XGBoost's lambda).</summary>
    public double L2 { get; init; } = 1;
    /// <summary>Minimum gain to split (XGBoost's gamma).</summary>
    public double MinSplitGain { get; init; }
    /// <summary>Fraction of rows drawn (without replacement) for each boosting round.</summary>
    public double RowSubsample { get; init; } = 1;
    /// <summary>Fraction of features drawn for each boosting round.</summary>
    public double ColumnSubsample { get; init; } = 1;
    /// <summary>Stop when the validation loss has not improved for this many rounds (0: no early stopping).</summary>
    public int EarlyStoppingRounds { get; init; }
    public int Seed { get; init; } = 42;
    /// <summary>Rows sampled to place the bin edges.</summary>
    public int BinSampleRows { get; init; } = 200_000;
}

/// <summary>
/// Histogram-based gradient-boosted trees with second-order (Newton) leaf values, as in XGBoost "hist" and
/// LightGBM: binary logistic, softmax over K classes (K trees per round) and squared error. Rows and features are
/// subsampled per round from a <see cref="Random"/> seeded by <see cref="GbdtOptions.Seed"/>; histograms are built
/// per feature in parallel but each sum runs in row order, so the result does not depend on thread timing.
/// </summary>
public sealed class GbdtLearner(GbdtOptions? options = null) : ILearner
{
    public GbdtOptions Options { get; } = options ?? new GbdtOptions();

    public string Algorithm => GbdtModel.Name;

    /// <summary>Number of boosting rounds kept after the last fit (after early stopping).</summary>
    public int BestRounds { get; private set; }

    public ITrainedModel Fit(TrainingSet train, TrainingSet? validation = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        train.Validate();
        validation?.Validate();
        var o = Options;
        if (o.RowSubsample is <= 0 or > 1 || o.ColumnSubsample is <= 0 or > 1) throw new ArgumentException("Subsample fractions are in (0, 1].");
        var x = train.X;
        int n = x.Rows, f = x.Columns;
        var k = train.Task == ModelTask.Multiclass ? train.Classes : 1;
        var rng = new Random(o.Seed);
        var mapper = BinMapper.Fit(x, o.MaxBins, o.BinSampleRows, o.Seed);
        var bins = mapper.Transform(x);
        var baseScore = BaseScore(train, k);

        var raw = new double[n * k];
        for (var i = 0; i < n; i++)
            for (var c = 0; c < k; c++) raw[i * k + c] = baseScore[c];
        double[]? validRaw = null;
        if (validation is not null)
        {
            validRaw = new double[validation.X.Rows * k];
            for (var i = 0; i < validation.X.Rows; i++)
                for (var c = 0; c < k; c++) validRaw[i * k + c] = baseScore[c];
        }

        var criterion = new GradientCriterion(o.L2, o.MinChildWeight, o.MinSamplesLeaf, o.LearningRate);
        var stats = new double[n * 3];
        var builder = new HistogramTreeBuilder<GradientCriterion>(bins, mapper, stats, criterion, o.MaxDepth, Math.Max(o.MinSplitGain, 1e-12), 0, parallel: true);
        var trees = new List<HistTree>();
        var allRows = Enumerable.Range(0, n).ToArray();
        var allFeatures = Enumerable.Range(0, f).ToArray();
        var sampleSize = Math.Max(1, (int)Math.Round(n * o.RowSubsample));
        var featureCount = Math.Max(1, (int)Math.Round(f * o.ColumnSubsample));
        var roundProbabilities = new double[train.Task == ModelTask.Multiclass ? n * k : 0];
        double bestLoss = double.PositiveInfinity;
        var bestRounds = 0;
        var leaves = new (int[] Rows, (int Node, int Start, int End)[] Ranges)[k];

        for (var round = 0; round < o.Trees; round++)
        {
            ct.ThrowIfCancellationRequested();
            int[] rows;
            if (sampleSize < n)
            {
                var pool = (int[])allRows.Clone();
                for (var i = 0; i < sampleSize; i++)
                {
                    var j = rng.Next(i, n);
                    (pool[i], pool[j]) = (pool[j], pool[i]);
                }
                rows = pool[..sampleSize];
                Array.Sort(rows);
            }
            else rows = (int[])allRows.Clone();
            int[] features;
            if (featureCount < f)
            {
                var pool = (int[])allFeatures.Clone();
                for (var i = 0; i < featureCount; i++)
                {
                    var j = rng.Next(i, f);
                    (pool[i], pool[j]) = (pool[j], pool[i]);
                }
                features = pool[..featureCount];
                Array.Sort(features);
            }
            else features = allFeatures;

            if (train.Task == ModelTask.Multiclass)
                Rows.For(n, i => Softmax(raw.AsSpan(i * k, k), roundProbabilities.AsSpan(i * k, k)));
            for (var c = 0; c < k; c++)
            {
                // Gradients and hessians of the loss at the current raw scores (all rows of this round; each row on its own).
                Rows.For(n, i =>
                {
                    double g, h;
                    var y = train.Y[i];
                    switch (train.Task)
                    {
                        case ModelTask.Binary:
                            var p = Sigmoid(raw[i]);
                            (g, h) = (p - y, Math.Max(p * (1 - p), 1e-16));
                            break;
                        case ModelTask.Multiclass:
                            var pc = roundProbabilities[i * k + c];
                            (g, h) = (pc - (y == c ? 1 : 0), Math.Max(pc * (1 - pc), 1e-16));
                            break;
                        default:
                            (g, h) = (raw[i] - y, 1);
                            break;
                    }
                    stats[i * 3] = g;
                    stats[i * 3 + 1] = h;
                    stats[i * 3 + 2] = 1;
                });
                var treeRows = (int[])rows.Clone();
                var tree = builder.Build(treeRows, features, rng);
                trees.Add(tree);
                if (sampleSize == n) leaves[c] = (treeRows, [.. builder.LeafRanges]);
            }
            // Apply the round's trees after all K were fitted on the same scores (as XGBoost does).
            for (var c = 0; c < k; c++)
            {
                var tree = trees[trees.Count - k + c];
                if (sampleSize == n)
                {
                    // Every row trained this tree: the builder's partition says which leaf each one reached.
                    var (treeRows, ranges) = leaves[c];
                    foreach (var (leaf, start, end) in ranges)
                    {
                        var value = tree.Values[leaf];
                        for (var i = start; i < end; i++) raw[treeRows[i] * k + c] += value;
                    }
                }
                else Rows.For(n, i => raw[i * k + c] += tree.Values[tree.LeafBinned(bins, i)]);
                if (validation is not null)
                {
                    var vx = validation.X;
                    Rows.For(vx.Rows, i => validRaw![i * k + c] += tree.Values[tree.Leaf(vx.Row(i))]);
                }
            }
            if (validation is not null && o.EarlyStoppingRounds > 0)
            {
                var loss = Loss(validation, validRaw!, k);
                if (loss < bestLoss - 1e-12)
                {
                    bestLoss = loss;
                    bestRounds = round + 1;
                }
                else if (round + 1 - bestRounds >= o.EarlyStoppingRounds) break;
            }
            else bestRounds = round + 1;
        }
        if (validation is not null && o.EarlyStoppingRounds > 0) trees.RemoveRange(bestRounds * k, trees.Count - bestRounds * k);
        BestRounds = bestRounds;
        return new GbdtModel(train.Task, train.Classes, f, k, baseScore, [.. trees]);
    }

    private static double[] BaseScore(TrainingSet train, int k)
    {
        switch (train.Task)
        {
            case ModelTask.Binary:
                var p = Math.Clamp(train.Y.Average(), 1e-6, 1 - 1e-6);
                return [Math.Log(p / (1 - p))];
            case ModelTask.Multiclass:
                var counts = new double[k];
                foreach (var y in train.Y) counts[(int)y]++;
                return counts.Select(c => Math.Log(Math.Max(c, 1) / train.Y.Length)).ToArray();
            default:
                return [train.Y.Average()];
        }
    }

    private static double Loss(TrainingSet set, double[] raw, int k)
    {
        var total = 0.0;
        var p = new double[k];
        for (var i = 0; i < set.Y.Length; i++)
        {
            var y = set.Y[i];
            switch (set.Task)
            {
                case ModelTask.Binary:
                    var q = Math.Clamp(Sigmoid(raw[i]), 1e-15, 1 - 1e-15);
                    total -= y == 1 ? Math.Log(q) : Math.Log(1 - q);
                    break;
                case ModelTask.Multiclass:
                    Softmax(raw.AsSpan(i * k, k), p);
                    total -= Math.Log(Math.Max(p[(int)y], 1e-15));
                    break;
                default:
                    total += (raw[i] - y) * (raw[i] - y);
                    break;
            }
        }
        return total / set.Y.Length;
    }

    internal static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    internal static void Softmax(ReadOnlySpan<double> z, Span<double> p)
    {
        var max = double.NegativeInfinity;
        foreach (var v in z) max = Math.Max(max, v);
        var sum = 0.0;
        for (var i = 0; i < z.Length; i++)
        {
            p[i] = Math.Exp(z[i] - max);
            sum += p[i];
        }
        for (var i = 0; i < z.Length; i++) p[i] /= sum;
    }
}

/// <summary>A fitted <see cref="GbdtLearner"/> model: base scores and K trees per round.</summary>
public sealed class GbdtModel : ITrainedModel
{
    public const string Name = "gbdt";
    private readonly double[] _baseScore;
    private readonly HistTree[] _trees;
    private readonly int _outputs;

    internal GbdtModel(ModelTask task, int classes, int featureCount, int outputs, double[] baseScore, HistTree[] trees)
    {
        Task = task;
        Classes = classes;
        FeatureCount = featureCount;
        _outputs = outputs;
        _baseScore = baseScore;
        _trees = trees;
    }

    public string Algorithm => Name;
    public ModelTask Task { get; }
    public int Classes { get; }
    public int FeatureCount { get; }

    /// <summary>Boosting rounds in the model.</summary>
    public int Rounds => _trees.Length / _outputs;

    private double[] Raw(FeatureMatrix x)
    {
        if (x.Columns != FeatureCount) throw new ArgumentException($"Expected {FeatureCount} features, got {x.Columns}.");
        var k = _outputs;
        var raw = new double[x.Rows * k];
        Rows.For(x.Rows, i =>
        {
            var row = x.Row(i);
            for (var c = 0; c < k; c++)
            {
                var s = _baseScore[c];
                for (var t = c; t < _trees.Length; t += k) s += _trees[t].Values[_trees[t].Leaf(row)];
                raw[i * k + c] = s;
            }
        });
        return raw;
    }

    public double[][] PredictProbabilities(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Task == ModelTask.Regression) throw new InvalidOperationException("A regression model has no class probabilities.");
        var raw = Raw(x);
        var result = new double[x.Rows][];
        for (var i = 0; i < x.Rows; i++)
        {
            if (Task == ModelTask.Binary)
            {
                var p = GbdtLearner.Sigmoid(raw[i]);
                result[i] = [1 - p, p];
            }
            else
            {
                result[i] = new double[_outputs];
                GbdtLearner.Softmax(raw.AsSpan(i * _outputs, _outputs), result[i]);
            }
        }
        return result;
    }

    public double[] PredictValues(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Task == ModelTask.Regression ? Raw(x) : PredictProbabilities(x).Select(p => p[^1]).ToArray();
    }

    /// <summary>Total split gain per feature, normalised.</summary>
    public double[] FeatureImportance() => HistTree.Importance(_trees, FeatureCount);

    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write((int)Task);
        writer.Write(Classes);
        writer.Write(FeatureCount);
        writer.Write(_outputs);
        ModelArtifact.WriteArray(writer, _baseScore);
        writer.Write(_trees.Length);
        foreach (var tree in _trees) tree.WriteTo(writer);
    }

    internal static GbdtModel ReadFrom(BinaryReader reader)
    {
        var task = (ModelTask)reader.ReadInt32();
        var classes = reader.ReadInt32();
        var features = reader.ReadInt32();
        var outputs = reader.ReadInt32();
        var baseScore = ModelArtifact.ReadDoubles(reader);
        var trees = new HistTree[reader.ReadInt32()];
        for (var i = 0; i < trees.Length; i++) trees[i] = HistTree.ReadFrom(reader);
        return new GbdtModel(task, classes, features, outputs, baseScore, trees);
    }
}
