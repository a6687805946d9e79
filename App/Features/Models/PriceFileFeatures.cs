using Signalbook.Features.Indicators;
using Signalbook.Features.MarketData.Import;

namespace Signalbook.Features.Models;

/// <summary>
/// Reads a folder of daily bar CSV files (one instrument per file, any layout <see cref="CsvBarParser"/> knows) and
/// computes their features in memory with <see cref="FeatureCalculator"/>: the bench's and the real-data tests'
/// input, without a database. Instrument ids are 1..n in file-name order. Regime state: none (NaN).
/// </summary>
public static class PriceFileFeatures
{
    public static IReadOnlyList<(string Symbol, InstrumentFeatures Features)> Load(string folder, int? maxFiles = null)
    {
        var files = Directory.GetFiles(folder, "*.csv").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new FileNotFoundException($"No CSV files in {folder}.");
        if (maxFiles is { } m) files = files[..Math.Min(m, files.Length)];
        var result = new List<(string, InstrumentFeatures)>();
        var id = 0L;
        foreach (var file in files)
        {
            id++;
            using var reader = new StreamReader(file);
            var parsed = CsvBarParser.Parse(reader, Path.GetFileName(file), TimeZoneInfo.Utc);
            var bars = parsed.Bars;
            if (bars.Count < 300) continue; // too short for the 252-bar indicators to warm up
            var series = new BarSeries(bars.Select(b => b.Open).ToArray(), bars.Select(b => b.High).ToArray(), bars.Select(b => b.Low).ToArray(),
                bars.Select(b => b.Close).ToArray(), bars.Select(b => b.Volume).ToArray());
            var features = InstrumentFeatures.FromColumns(id, bars.Select(b => b.Ts).ToArray(), series.Close, FeatureCalculator.Compute(series));
            result.Add((Path.GetFileNameWithoutExtension(file), features));
        }
        return result;
    }
}
