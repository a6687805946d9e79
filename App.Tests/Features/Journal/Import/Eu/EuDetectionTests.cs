using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Import.Eu;

public class EuDetectionTests
{
    private static readonly (string Folder, string FormatId)[] SidekickFolders =
    [
        ("ghostfoliosidekick/DeGiro", "degiro-csv"),
        ("ghostfoliosidekick/Trading212", "trading212-csv"),
        ("ghostfoliosidekick/ScalableCapital", "scalable-capital-csv"),
    ];

    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>
        {
            { "export-to-ghostfolio-samples/degiro-export.csv", "degiro-csv" },
            { "export-to-ghostfolio-samples/trading212-export.csv", "trading212-csv" },
            { "export-to-ghostfolio-samples/traderepublic-export.csv", "traderepublic-csv" },
            { "export-to-ghostfolio-samples/saxo-export.csv", "saxo-csv" },
            { "export-to-ghostfolio-samples/etoro-export.csv", "etoro-csv" },
            { "export-to-ghostfolio-samples/revolut-invest-export.csv", "revolut-invest-csv" },
            { "export-to-ghostfolio-samples/revolut-crypto-export.csv", "revolut-crypto-csv" },
            { "export-to-ghostfolio-samples/xtb-export.csv", "xtb-csv" },
            { "export-to-ghostfolio-samples/bux-export.csv", "bux-csv" },
            { "export-to-ghostfolio-samples/avanza-export.csv", "avanza-csv" },
            { "export-to-ghostfolio-samples/directa-export.csv", "directa-csv" },
            { "export-to-ghostfolio-samples/rabobank-export.csv", "rabobank-csv" },
            { "export-to-ghostfolio-samples/freetrade-export.csv", "freetrade-csv" },
            { "export-to-ghostfolio-samples/investengine-export.csv", "investengine-csv" },
            { "export-to-ghostfolio-samples/swissquote-export.csv", "swissquote-csv" },
            { "export-to-ghostfolio-samples/finpension-3a-export.csv", "finpension-csv" },
            { "export-to-ghostfolio-samples/finpension-bvg-export.csv", "finpension-csv" },
            { "export-to-ghostfolio-samples/investimental-export.csv", "investimental-csv" },
            { "export-to-ghostfolio-samples/delta-export.csv", "delta-csv" },
            { "export-to-ghostfolio-samples/disnat-export.csv", "disnat-csv" },
        };
        foreach (var (folder, id) in SidekickFolders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(EuSamples.Root, folder), "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(EuSamples.Root, file).Replace('\\', '/'), id);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Detect_EverySample_PicksItsBrokerFormatWithoutATie(string sample, string formatId)
    {
        var format = BrokerFormats.Detect(EuSamples.Load(sample));

        Assert.Equal(formatId, format.Id);
    }

    [Fact]
    public void Detect_SidekickFolders_HoldAllFiftyEightSamples()
    {
        // 23 DEGIRO + 26 Trading 212 + 9 Scalable Capital files: the theory above covers every one of them.
        var count = SidekickFolders.Sum(f => Directory.EnumerateFiles(Path.Combine(EuSamples.Root, f.Folder), "*.csv", SearchOption.AllDirectories).Count());
        Assert.Equal(58, count);
    }
}
