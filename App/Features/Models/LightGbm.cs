using System.Globalization;
using System.Runtime.InteropServices;

namespace Signalbook.Features.Models;

/// <summary>Hyperparameters of <see cref="LightGbmLearner"/>; names in comments are LightGBM's.</summary>
public sealed record LightGbmOptions
{
    /// <summary>Boosting rounds (num_iterations); early stopping may keep fewer.</summary>
    public int Trees { get; init; } = 300;
    public double LearningRate { get; init; } = 0.05;
    /// <summary>Leaves per tree (num_leaves): LightGBM grows leaf-wise, so this, not the depth, bounds a tree.</summary>
    public int NumLeaves { get; init; } = 15;
    /// <summary>Depth limit (max_depth); 0 means none.</summary>
    public int MaxDepth { get; init; }
    /// <summary>Fewest rows in a leaf (min_data_in_leaf).</summary>
    public int MinDataInLeaf { get; init; } = 50;
    /// <summary>Smallest sum of hessians in a leaf (min_sum_hessian_in_leaf).</summary>
    public double MinChildWeight { get; init; } = 1e-3;
    /// <summary>L2 penalty on leaf values (lambda_l2).</summary>
    public double L2 { get; init; } = 1;
    public double MinSplitGain { get; init; }
    /// <summary>Share of rows bagged for each round (bagging_fraction, with bagging_freq = 1 when below 1).</summary>
    public double RowSubsample { get; init; } = 0.8;
    /// <summary>Share of features drawn for each tree (feature_fraction).</summary>
    public double ColumnSubsample { get; init; } = 0.8;
    public int MaxBins { get; init; } = 255;
    /// <summary>Stop when the validation loss has not improved for this many rounds (0: off).</summary>
    public int EarlyStoppingRounds { get; init; }
    public int Seed { get; init; } = 42;

    /// <summary>
    /// Threads LightGBM uses (num_threads). Pinned rather than "all cores": with deterministic = true the model is the same
    /// run after run for a given thread count, but its floating-point sums may differ between counts. Below
    /// <see cref="ParallelRows"/> training rows it uses one thread (OpenMP's barriers cost more than they save there,
    /// and much more on a busy machine); that depends on the data only, so the same data still gives the same model.
    /// </summary>
    public int Threads { get; init; } = 2;

    public const int ParallelRows = 20_000;

    internal int ThreadsFor(int rows) => rows < ParallelRows ? 1 : Math.Max(1, Threads);

    /// <summary>LightGBM's parameter string for these options, a task and the number of training rows.</summary>
    internal string Parameters(ModelTask task, int classes, int rows)
    {
        var objective = task switch
        {
            ModelTask.Binary => "objective=binary metric=binary_logloss",
            ModelTask.Multiclass => FormattableString.Invariant($"objective=multiclass num_class={classes} metric=multi_logloss"),
            _ => "objective=regression metric=l2",
        };
        var bagging = RowSubsample < 1 ? FormattableString.Invariant($"bagging_fraction={RowSubsample} bagging_freq=1") : "bagging_fraction=1 bagging_freq=0";
        return string.Join(' ', objective, bagging, FormattableString.Invariant(
            $"learning_rate={LearningRate} num_leaves={NumLeaves} max_depth={(MaxDepth > 0 ? MaxDepth : -1)} min_data_in_leaf={MinDataInLeaf} min_sum_hessian_in_leaf={MinChildWeight} lambda_l2={L2} min_gain_to_split={MinSplitGain} feature_fraction={ColumnSubsample} max_bin={MaxBins} seed={Seed} num_threads={ThreadsFor(rows)} deterministic=true force_row_wise=true verbosity=-1"));
    }
}

/// <summary>
/// LightGBM (Ke et al. 2017) through its C API: leaf-wise histogram boosting for binary, softmax and squared-error tasks.
/// Reproducible by construction: <c>deterministic=true</c>, a pinned thread count, row-wise histograms and one seed for
/// bagging, feature sampling and binning. The fitted model is the booster re-read from its own saved text, so the
/// model in memory and the one loaded later from an artifact are the same bytes and predict bit for bit alike.
/// </summary>
public sealed class LightGbmLearner(LightGbmOptions? options = null) : ILearner
{
    public LightGbmOptions Options { get; } = options ?? new LightGbmOptions();

    public string Algorithm => LightGbmModel.Name;

    /// <summary>Boosting rounds kept by the last fit (after early stopping).</summary>
    public int BestRounds { get; private set; }

    public ITrainedModel Fit(TrainingSet train, TrainingSet? validation = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        train.Validate();
        validation?.Validate();
        var o = Options;
        if (o.RowSubsample is <= 0 or > 1 || o.ColumnSubsample is <= 0 or > 1) throw new ArgumentException("Subsample fractions are in (0, 1].");
        if (validation is not null && validation.X.Columns != train.X.Columns) throw new ArgumentException("Validation and training sets have different features.");
        var parameters = o.Parameters(train.Task, train.Classes, train.X.Rows);
        var threads = o.ThreadsFor(train.X.Rows);
        var datasetParameters = FormattableString.Invariant($"max_bin={o.MaxBins} data_random_seed={o.Seed} min_data_in_leaf={o.MinDataInLeaf} verbosity=-1 num_threads={threads}");

        using var trainData = CreateDataset(train, datasetParameters, null);
        using var validData = validation is null ? null : CreateDataset(validation, datasetParameters, trainData);
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterCreate(trainData.DangerousGetHandle(), parameters, out var raw), "BoosterCreate");
        string text;
        using (var booster = new BoosterHandle(raw))
        {
            if (validData is not null)
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterAddValidData(raw, validData.DangerousGetHandle()), "BoosterAddValidData");
            var stopEarly = validData is not null && o.EarlyStoppingRounds > 0;
            double best = double.PositiveInfinity;
            var bestRounds = 0;
            for (var round = 0; round < o.Trees; round++)
            {
                ct.ThrowIfCancellationRequested();
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterUpdateOneIter(raw, out var finished), "BoosterUpdateOneIter");
                if (finished != 0) break; // no split left with positive gain: further rounds would add nothing
                if (!stopEarly)
                {
                    bestRounds = round + 1;
                    continue;
                }
                var loss = ValidationLoss(raw);
                if (loss < best - 1e-12)
                {
                    best = loss;
                    bestRounds = round + 1;
                }
                else if (round + 1 - bestRounds >= o.EarlyStoppingRounds) break;
            }
            // Zero rounds would make LightGBM save every iteration; keep at least the first.
            BestRounds = Math.Max(bestRounds, 1);
            text = LightGbmNative.SaveModel(raw, BestRounds);
            GC.KeepAlive(booster);
        }
        return LightGbmModel.FromText(train.Task, train.Classes, train.X.Columns, text, Math.Max(1, o.Threads));
    }

    private static unsafe double ValidationLoss(IntPtr booster)
    {
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEvalCounts(booster, out var count), "BoosterGetEvalCounts");
        var results = new double[Math.Max(count, 1)];
        fixed (double* p = results)
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetEval(booster, 1, out _, p), "BoosterGetEval");
        return results[0];
    }

    private static DatasetHandle CreateDataset(TrainingSet set, string parameters, DatasetHandle? reference)
    {
        var x = set.X;
        var values = GCHandle.Alloc(x.Values, GCHandleType.Pinned);
        IntPtr handle;
        try
        {
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetCreateFromMat(values.AddrOfPinnedObject(), LightGbmNative.DtypeFloat64, x.Rows, x.Columns, 1,
                parameters, reference?.DangerousGetHandle() ?? IntPtr.Zero, out handle), "DatasetCreateFromMat");
        }
        finally
        {
            values.Free();
        }
        var dataset = new DatasetHandle(handle);
        var labels = set.Y.Select(v => (float)v).ToArray(); // LightGBM's labels are float32; ours are class indices or returns
        var pinned = GCHandle.Alloc(labels, GCHandleType.Pinned);
        try
        {
            LightGbmNative.Check(LightGbmNative.LGBM_DatasetSetField(handle, "label", pinned.AddrOfPinnedObject(), labels.Length, LightGbmNative.DtypeFloat32),
                "DatasetSetField(label)");
        }
        finally
        {
            pinned.Free();
        }
        return dataset;
    }
}

/// <summary>A fitted LightGBM booster; its artifact body is LightGBM's own text model.</summary>
public sealed class LightGbmModel : ITrainedModel, IDisposable
{
    public const string Name = "lightgbm";
    private readonly BoosterHandle _booster;
    private readonly int _threads;

    private LightGbmModel(ModelTask task, int classes, int featureCount, string text, int threads)
    {
        Task = task;
        Classes = classes;
        FeatureCount = featureCount;
        Text = text;
        _threads = threads;
        _booster = new BoosterHandle(LightGbmNative.LoadModel(text));
        LightGbmNative.Check(LightGbmNative.LGBM_BoosterGetNumFeature(_booster.DangerousGetHandle(), out var stored), "BoosterGetNumFeature");
        if (stored != featureCount) throw new InvalidDataException($"The LightGBM model has {stored} features, the artifact says {featureCount}.");
    }

    internal static LightGbmModel FromText(ModelTask task, int classes, int featureCount, string text, int threads) => new(task, classes, featureCount, text, threads);

    public string Algorithm => Name;
    public ModelTask Task { get; }
    public int Classes { get; }
    public int FeatureCount { get; }

    /// <summary>LightGBM's text model (what <c>lgb.Booster(model_str=…)</c> in Python would read too).</summary>
    public string Text { get; }

    /// <summary>Boosting rounds in the model.</summary>
    public int Rounds => Text.Split('\n').Count(l => l.StartsWith("Tree=", StringComparison.Ordinal)) / (Task == ModelTask.Multiclass ? Classes : 1);

    private unsafe double[] Predict(FeatureMatrix x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Columns != FeatureCount) throw new ArgumentException($"Expected {FeatureCount} features, got {x.Columns}.");
        var outputs = Task == ModelTask.Multiclass ? Classes : 1;
        var result = new double[(long)x.Rows * outputs];
        if (x.Rows == 0) return result;
        fixed (double* data = x.Values)
        fixed (double* output = result)
        {
            var ok = false;
            _booster.DangerousAddRef(ref ok);
            try
            {
                LightGbmNative.Check(LightGbmNative.LGBM_BoosterPredictForMat(_booster.DangerousGetHandle(), data, LightGbmNative.DtypeFloat64, x.Rows, x.Columns, 1,
                    LightGbmNative.PredictNormal, 0, -1, FormattableString.Invariant($"num_threads={(x.Rows < LightGbmOptions.ParallelRows ? 1 : _threads)}"), out var length, output), "BoosterPredictForMat");
                if (length != result.Length) throw new InvalidOperationException($"LightGBM returned {length} predictions for {result.Length} expected.");
            }
            finally
            {
                if (ok) _booster.DangerousRelease();
            }
        }
        return result;
    }

    public double[][] PredictProbabilities(FeatureMatrix x)
    {
        if (Task == ModelTask.Regression) throw new InvalidOperationException("A regression model has no class probabilities.");
        var p = Predict(x);
        if (Task == ModelTask.Binary) return p.Select(v => new[] { 1 - v, v }).ToArray();
        var k = Classes;
        return Enumerable.Range(0, x.Rows).Select(i => p.AsSpan(i * k, k).ToArray()).ToArray();
    }

    public double[] PredictValues(FeatureMatrix x)
    {
        var p = Predict(x);
        return Task == ModelTask.Multiclass ? Enumerable.Range(0, x.Rows).Select(i => p[i * Classes + Classes - 1]).ToArray() : p;
    }

    /// <summary>Total split gain per feature, normalised.</summary>
    public unsafe double[] FeatureImportance()
    {
        var gains = new double[FeatureCount];
        fixed (double* p = gains)
            LightGbmNative.Check(LightGbmNative.LGBM_BoosterFeatureImportance(_booster.DangerousGetHandle(), -1, LightGbmNative.ImportanceGain, p), "BoosterFeatureImportance");
        return ModelArtifact.Normalise(gains);
    }

    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write((int)Task);
        writer.Write(Classes);
        writer.Write(FeatureCount);
        writer.Write(_threads);
        writer.Write(Text);
    }

    internal static LightGbmModel ReadFrom(BinaryReader reader)
    {
        var task = (ModelTask)reader.ReadInt32();
        var classes = reader.ReadInt32();
        var features = reader.ReadInt32();
        var threads = reader.ReadInt32();
        return new LightGbmModel(task, classes, features, reader.ReadString(), threads);
    }

    public void Dispose() => _booster.Dispose();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"lightgbm {Task}, {Rounds} rounds, {FeatureCount} features");
}
