using Signalbook.Features.Models;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Models;

/// <summary>
/// The StockNet price files (88 US stocks, Yahoo daily bars 2012-09 … 2017-09) from the shared data folder, with
/// features computed in memory by the production <c>FeatureCalculator</c>; loaded once per test run.
/// </summary>
internal static class Stocknet
{
    public static string Folder => Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017");

    private static readonly Lazy<IReadOnlyList<InstrumentFeatures>> Loaded =
        new(() => PriceFileFeatures.Load(Folder).Select(x => x.Features).ToList());

    public static IReadOnlyList<InstrumentFeatures> Instruments => Loaded.Value;

    private static readonly Dictionary<int, Dataset> Datasets = [];

    /// <summary>Default features and volatility-scaled labels (k = 0.5) for horizon H.</summary>
    public static Dataset Data(int horizon)
    {
        lock (Datasets)
        {
            if (!Datasets.TryGetValue(horizon, out var data))
                Datasets[horizon] = data = DatasetBuilder.Build(Instruments, new DatasetOptions { Horizon = horizon });
            return data;
        }
    }

    /// <summary>The repository root (where Blazor.sln is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Blazor.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new DirectoryNotFoundException("Blazor.sln not found above the test binaries.");
        }
    }
}
