using System.Globalization;

namespace Signalbook.Features.Models.Admin;

/// <summary>How the Models pages write metrics: invariant, a dash for a missing number.</summary>
internal static class ModelFormat
{
    public static double? Metric(IReadOnlyDictionary<string, double?> metrics, string key) => metrics.TryGetValue(key, out var v) ? v : null;

    public static string Num(double? v, int digits = 3) => v is { } x ? x.ToString($"F{digits}", CultureInfo.InvariantCulture) : "—";

    public static string Percent(double? v) => v is { } x ? x.ToString("P1", CultureInfo.InvariantCulture) : "—";

    public static string Invariant(double v) => v.ToString("G", CultureInfo.InvariantCulture);

    public static string Hyperparameters(ModelVersionView v) => string.Join(", ", v.Hyperparameters.Select(p => $"{p.Key}={p.Value}"));

    public static string Window(ModelVersionView v)
        => $"{Signalbook.Components.Shared.TimeFormat.UtcDate(v.DataFrom)} → {Signalbook.Components.Shared.TimeFormat.UtcDate(v.DataTo)}, H = {v.Horizon}";
}
