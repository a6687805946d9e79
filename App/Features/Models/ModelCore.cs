namespace Signalbook.Features.Models;

/// <summary>A dense row-major matrix of feature values; NaN marks a missing value.</summary>
public sealed class FeatureMatrix
{
    public FeatureMatrix(double[] values, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (rows < 0 || columns <= 0 || values.Length != rows * columns)
            throw new ArgumentException($"Expected {rows}×{columns} values, got {values.Length}.", nameof(values));
        Values = values;
        Rows = rows;
        Columns = columns;
    }

    public double[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }

    public double this[int row, int column] => Values[row * Columns + column];

    public ReadOnlySpan<double> Row(int row) => Values.AsSpan(row * Columns, Columns);

    public static FeatureMatrix FromRows(IReadOnlyList<double[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("At least one row is needed to know the width.", nameof(rows));
        var width = rows[0].Length;
        var values = new double[rows.Count * width];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != width) throw new ArgumentException($"Row {i} has {rows[i].Length} values, expected {width}.", nameof(rows));
            rows[i].CopyTo(values, i * width);
        }
        return new FeatureMatrix(values, rows.Count, width);
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public FeatureMatrix Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var values = new double[indices.Count * Columns];
        for (var i = 0; i < indices.Count; i++) Array.Copy(Values, indices[i] * Columns, values, i * Columns, Columns);
        return new FeatureMatrix(values, indices.Count, Columns);
    }
}

public enum ModelTask
{
    /// <summary>Target 0 or 1; probabilities have two columns (P(0), P(1)).</summary>
    Binary,

    /// <summary>Target a class index 0..K−1 (verdicts: 0 SELL, 1 HOLD, 2 BUY).</summary>
    Multiclass,

    /// <summary>Target any real value (the forward return).</summary>
    Regression,
}

/// <summary>What a learner trains on: features, a target per row (class index as a double, or a value) and the task.</summary>
public sealed record TrainingSet(FeatureMatrix X, double[] Y, ModelTask Task, int Classes)
{
    public static TrainingSet Classification(FeatureMatrix x, int[] labels, int classes) =>
        new(x, labels.Select(l => (double)l).ToArray(), classes == 2 ? ModelTask.Binary : ModelTask.Multiclass, classes);

    public static TrainingSet Regression(FeatureMatrix x, double[] target) => new(x, target, ModelTask.Regression, 1);

    public void Validate()
    {
        if (X.Rows != Y.Length) throw new ArgumentException($"{X.Rows} rows but {Y.Length} targets.");
        if (X.Rows == 0) throw new ArgumentException("No rows to train on.");
        if (Task == ModelTask.Regression)
        {
            if (Y.Any(v => !double.IsFinite(v))) throw new ArgumentException("Regression targets must be finite.");
            return;
        }
        if (Classes < 2) throw new ArgumentException("Classification needs at least two classes.");
        if (Task == ModelTask.Binary && Classes != 2) throw new ArgumentException("Binary classification has exactly two classes.");
        foreach (var y in Y)
            if (y < 0 || y >= Classes || y != Math.Floor(y)) throw new ArgumentException($"Class label {y} is outside 0..{Classes - 1}.");
    }
}

/// <summary>A fitted model: predictions, importance and a byte artifact that <see cref="ModelArtifact.Load"/> reads back.</summary>
public interface ITrainedModel
{
    /// <summary>"gbdt", "lightgbm", "random_forest", "logistic" or "ridge".</summary>
    string Algorithm { get; }

    ModelTask Task { get; }

    /// <summary>Number of classes (2 for binary), 1 for regression.</summary>
    int Classes { get; }

    int FeatureCount { get; }

    /// <summary>Class probabilities, one array of <see cref="Classes"/> values per row. Throws for regression.</summary>
    double[][] PredictProbabilities(FeatureMatrix x);

    /// <summary>Regression: the predicted value. Classification: the probability of the last class (P(1) for binary, P(BUY) for verdicts).</summary>
    double[] PredictValues(FeatureMatrix x);

    /// <summary>Non-negative importance per feature, summing to 1 (all zero when the model used no feature).</summary>
    double[] FeatureImportance();

    /// <summary>Writes the model body (the header is written by <see cref="ModelArtifact"/>).</summary>
    void WriteTo(BinaryWriter writer);
}

/// <summary>Something that trains a model; deterministic for a given seed in its options.</summary>
public interface ILearner
{
    string Algorithm { get; }

    /// <param name="validation">Optional held-out slice; the GBDT uses it for early stopping, the others ignore it.</param>
    ITrainedModel Fit(TrainingSet train, TrainingSet? validation = null, CancellationToken ct = default);
}

/// <summary>Model artifacts: a small header (magic, format version, algorithm) then the model's own body.</summary>
public static class ModelArtifact
{
    private const uint Magic = 0x4C4D4253; // "SBML"
    private const int FormatVersion = 1;

    public static byte[] Save(ITrainedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(model.Algorithm);
            model.WriteTo(writer);
        }
        return stream.ToArray();
    }

    public static ITrainedModel Load(byte[] artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        using var reader = new BinaryReader(new MemoryStream(artifact));
        if (reader.ReadUInt32() != Magic) throw new InvalidDataException("Not a Signalbook model artifact.");
        var version = reader.ReadInt32();
        if (version != FormatVersion) throw new InvalidDataException($"Unsupported artifact format {version}.");
        var algorithm = reader.ReadString();
        return algorithm switch
        {
            GbdtModel.Name => GbdtModel.ReadFrom(reader),
            RandomForestModel.Name => RandomForestModel.ReadFrom(reader),
            LogisticModel.Name => LogisticModel.ReadFrom(reader),
            RidgeModel.Name => RidgeModel.ReadFrom(reader),
            LightGbmModel.Name => LightGbmModel.ReadFrom(reader),
            _ => throw new InvalidDataException($"Unknown algorithm '{algorithm}'."),
        };
    }

    internal static void WriteArray(BinaryWriter w, double[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    internal static double[] ReadDoubles(BinaryReader r)
    {
        var values = new double[r.ReadInt32()];
        for (var i = 0; i < values.Length; i++) values[i] = r.ReadDouble();
        return values;
    }

    internal static void WriteArray(BinaryWriter w, int[] values)
    {
        w.Write(values.Length);
        foreach (var v in values) w.Write(v);
    }

    internal static int[] ReadInts(BinaryReader r)
    {
        var values = new int[r.ReadInt32()];
        for (var i = 0; i < values.Length; i++) values[i] = r.ReadInt32();
        return values;
    }

    /// <summary>Normalises importances to sum to 1 (left at zero when all are zero).</summary>
    internal static double[] Normalise(double[] raw)
    {
        var total = raw.Sum();
        return total > 0 ? raw.Select(v => v / total).ToArray() : new double[raw.Length];
    }
}
