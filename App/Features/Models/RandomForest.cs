namespace Signalbook.Features.Models;

public sealed record RandomForestOptions
{
    public int Trees { get; init; } = 100;
    public int MaxDepth { get; init; } = 10;
    /// <summary>Minimum (bootstrap-weighted) rows in a leaf.</summary>
    public int MinSamplesLeaf { get; init; } = 5;
    /// <summary>Features tried at each split; 0 means √F for classification and F/3 for regression (Breiman's defaults).</summary>
    public int FeaturesPerSplit { get; init; }
    public bool Bootstrap { get; init; } = true;
    public int MaxBins { get; init; } = 255;
    public int Seed { get; init; } = 42;
    public int BinSampleRows { get; init; } = 200_000;
}

/// <summary>
/// Breiman's random forest: each tree sees a bootstrap sample (drawn as integer weights) and tries a fresh random
/// subset of features at every split; Gini for classes, variance for values; leaves hold class frequencies or means
/// and the forest averages them. Splits are searched on the same ≤ 255 quantile bins as the GBDT (a histogram
/// forest, as LightGBM's rf mode), which keeps a few hundred thousand rows fast. Tree t draws from
/// <c>new Random(Seed + 7919·t)</c>, so trees can be grown in parallel and the forest stays deterministic.
/// Importance: mean decrease in impurity (summed weighted gain).
/// </summary>
public sealed class RandomForestLearner(RandomForestOptions? options = null) : ILearner
{
    public RandomForestOptions Options { get; } = options ?? new RandomForestOptions();

    public string Algorithm => RandomForestModel.Name;

    public ITrainedModel Fit(TrainingSet train, TrainingSet? validation = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        train.Validate();
        var o = Options;
        var x = train.X;
        int n = x.Rows, f = x.Columns;
        var classification = train.Task != ModelTask.Regression;
        var mtry = o.FeaturesPerSplit > 0
            ? Math.Min(o.FeaturesPerSplit, f)
            : classification ? Math.Max(1, (int)Math.Sqrt(f)) : Math.Max(1, f / 3);
        var mapper = BinMapper.Fit(x, o.MaxBins, o.BinSampleRows, o.Seed);
        var bins = mapper.Transform(x);
        var trees = classification
            ? Grow(train, bins, mapper, new GiniCriterion(train.Classes, o.MinSamplesLeaf), mtry, ct)
            : Grow(train, bins, mapper, new VarianceCriterion(o.MinSamplesLeaf), mtry, ct);
        return new RandomForestModel(train.Task, train.Classes, f, trees);
    }

    private HistTree[] Grow<TCriterion>(TrainingSet train, byte[][] bins, BinMapper mapper, TCriterion criterion, int mtry, CancellationToken ct)
        where TCriterion : struct, ISplitCriterion
    {
        var o = Options;
        var n = train.X.Rows;
        var classification = train.Task != ModelTask.Regression;
        var d = criterion.StatCount;
        var features = Enumerable.Range(0, train.X.Columns).ToArray();
        var trees = new HistTree[o.Trees];
        Parallel.For(0, o.Trees, ModelParallelism.WithCancellation(ct), t =>
        {
            var rng = new Random(unchecked(o.Seed + 7919 * t));
            var weights = new int[n];
            if (o.Bootstrap) for (var i = 0; i < n; i++) weights[rng.Next(n)]++;
            else Array.Fill(weights, 1);
            var rows = new List<int>(n);
            var stats = new double[n * d];
            for (var i = 0; i < n; i++)
            {
                if (weights[i] == 0) continue;
                rows.Add(i);
                if (classification) stats[i * d + (int)train.Y[i]] = weights[i];
                else
                {
                    stats[i * d] = weights[i];
                    stats[i * d + 1] = weights[i] * train.Y[i];
                }
            }
            var builder = new HistogramTreeBuilder<TCriterion>(bins, mapper, stats, criterion, o.MaxDepth, 1e-12, mtry, parallel: false);
            trees[t] = builder.Build([.. rows], features, rng);
        });
        return trees;
    }
}

public sealed class RandomForestModel : ITrainedModel
{
    public const string Name = "random_forest";
    private readonly HistTree[] _trees;

    internal RandomForestModel(ModelTask task, int classes, int featureCount, HistTree[] trees)
    {
        Task = task;
        Classes = classes;
        FeatureCount = featureCount;
        _trees = trees;
    }

    public string Algorithm => Name;
    public ModelTask Task { get; }
    public int Classes { get; }
    public int FeatureCount { get; }

    private double[] Average(FeatureMatrix x, int width)
    {
        if (x.Columns != FeatureCount) throw new ArgumentException($"Expected {FeatureCount} features, got {x.Columns}.");
        var result = new double[x.Rows * width];
        Rows.For(x.Rows, i =>
        {
            var row = x.Row(i);
            foreach (var tree in _trees)
            {
                var leaf = tree.Leaf(row);
                for (var c = 0; c < width; c++) result[i * width + c] += tree.Values[leaf * width + c];
            }
            for (var c = 0; c < width; c++) result[i * width + c] /= _trees.Length;
        });
        return result;
    }

    public double[][] PredictProbabilities(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Task == ModelTask.Regression) throw new InvalidOperationException("A regression model has no class probabilities.");
        var flat = Average(x, Classes);
        return Enumerable.Range(0, x.Rows).Select(i => flat.AsSpan(i * Classes, Classes).ToArray()).ToArray();
    }

    public double[] PredictValues(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return Task == ModelTask.Regression ? Average(x, 1) : PredictProbabilities(x).Select(p => p[^1]).ToArray();
    }

    public double[] FeatureImportance() => HistTree.Importance(_trees, FeatureCount);

    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write((int)Task);
        writer.Write(Classes);
        writer.Write(FeatureCount);
        writer.Write(_trees.Length);
        foreach (var tree in _trees) tree.WriteTo(writer);
    }

    internal static RandomForestModel ReadFrom(BinaryReader reader)
    {
        var task = (ModelTask)reader.ReadInt32();
        var classes = reader.ReadInt32();
        var features = reader.ReadInt32();
        var trees = new HistTree[reader.ReadInt32()];
        for (var i = 0; i < trees.Length; i++) trees[i] = HistTree.ReadFrom(reader);
        return new RandomForestModel(task, classes, features, trees);
    }
}
