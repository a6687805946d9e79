using Signalbook.Features.Journal.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Import.Us;

/// <summary>
/// The files the US/crypto format tests read: real samples from the shared data folder (never copied into the repo)
/// and the hand-written fixtures of App.Tests/Fixtures/Journal (sources in its README).
/// </summary>
internal static class UsFiles
{
    public static ImportFile Sample(string name) =>
        new(name, File.ReadAllBytes(Path.Combine(SharedData.Root, "broker-exports", "export-to-ghostfolio-samples", name)));

    public static ImportFile Fixture(string name) =>
        new(name, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Journal", name)));

    public static ImportFile Load(string name) => name.Contains("-export.", StringComparison.Ordinal) ? Sample(name) : Fixture(name);

    public static ParseResult Parse(string formatId, ImportFile file, ImportOptions? options = null) =>
        (BrokerFormats.Find(formatId) ?? throw new InvalidOperationException($"no format {formatId}")).Parse(file, options ?? new ImportOptions());

    public static ParseResult Parse(string formatId, string name, ImportOptions? options = null) => Parse(formatId, Load(name), options);

    public static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0) => new(y, mo, d, h, mi, s, ms, TimeSpan.Zero);

    /// <summary>Every sample and fixture of these formats with its format id, fill count and problem count (counted by hand; see the tests).</summary>
    public static readonly (string File, string Format, int Fills)[] Expected =
    [
        ("ibkr-trades-export.csv", "ibkr-flex-csv", 8),
        ("ibkr-dividends-export.csv", "ibkr-flex-csv", 0),
        ("ibkr-flex-trades.xml", "ibkr-flex-xml", 5),
        ("ibkr-activity-statement.csv", "ibkr-activity-csv", 5),
        ("schwab-export.csv", "schwab-csv", 43),
        ("fidelity-history.csv", "fidelity-csv", 5),
        ("etrade-statement.qfx", "ofx-investment", 3),
        ("vanguard-statement.ofx", "ofx-investment", 4),
        ("tdameritrade-transactions.csv", "tdameritrade-csv", 5),
        ("tradezero-trades.csv", "tradezero-csv", 5),
        ("ghostfolio-activities.json", "ghostfolio-json", 3),
        ("ghostfolio-import.csv", "ghostfolio-csv", 3),
        ("parqet-export.csv", "parqet-csv", 20),
        ("coinbase-export.csv", "coinbase-csv", 6),
        ("cryptocom-export.csv", "cryptocom-csv", 11),
        ("bitvavo-export.csv", "bitvavo-csv", 12),
        ("relai-export.csv", "relai-csv", 3),
        ("cointracking-export.csv", "cointracking-csv", 3),
    ];
}
