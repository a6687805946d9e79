using System.Globalization;
using System.Text.Json;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// The project's third-party reference data, read at run time and never copied into the repository:
/// SIGNALBOOK_DATA, or ../shared/data beside the checkout.
/// </summary>
public static class SharedData
{
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SIGNALBOOK_DATA");
            if (!string.IsNullOrWhiteSpace(configured)) return configured;
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Blazor.sln"))) dir = dir.Parent;
            var root = Path.GetFullPath(Path.Combine(dir?.FullName ?? ".", "..", "shared", "data"));
            return Directory.Exists(root)
                ? root
                : throw new DirectoryNotFoundException($"Reference data not found at {root}; set SIGNALBOOK_DATA to the shared data folder.");
        }
    }

    public sealed record Quotes(DateTime[] Dates, double[] Open, double[] High, double[] Low, double[] Close, double[] Volume);

    /// <summary>A Stock.Indicators quote file (date,open,high,low,close,volume).</summary>
    public static Quotes SkenderQuotes(string name = "default")
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "indicators-reference", "skender", "quotes", $"{name}.csv")).Skip(1)
            .Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Split(',')).ToList();
        double P(string s) => double.Parse(s, CultureInfo.InvariantCulture);
        return new Quotes(
            lines.Select(f => DateTime.Parse(f[0], CultureInfo.InvariantCulture)).ToArray(),
            lines.Select(f => P(f[1])).ToArray(), lines.Select(f => P(f[2])).ToArray(), lines.Select(f => P(f[3])).ToArray(),
            lines.Select(f => P(f[4])).ToArray(), lines.Select(f => P(f[5])).ToArray());
    }

    /// <summary>One field of a Stock.Indicators result file, NaN where the reference is null (warm-up).</summary>
    public static double[] SkenderResult(string indicator, string field)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "indicators-reference", "skender", "results", $"{indicator}.standard.json")));
        return doc.RootElement.EnumerateArray()
            .Select(r => r.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN)
            .ToArray();
    }
}
