using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Import.Formats.Us;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Import.Us;

/// <summary>
/// Every sample and fixture: detected as its format, parsed to the hand-counted number of fills without problems,
/// oldest first, with stable ids. How the counts were made (by reading each file):
/// ibkr-trades 8 BUY rows with an ISIN (3 SELL rows without an instrument are USD.CHF conversions); ibkr-dividends
/// none; flex XML 5 execution-level Trade elements (one CASH trade, one Order summary); activity statement 3 MSFT +
/// 2 QQQ option Order rows (one Forex); Schwab 40 "Reinvest Shares" + 2 "Sell" + 1 "Buy"; Fidelity 2 YOU BOUGHT +
/// 2 YOU SOLD + 1 REINVESTMENT; E*TRADE QFX BUYSTOCK, BUYOPT, SELLSTOCK; Vanguard OFX BUYMF, REINVEST, 2 SELLSTOCK;
/// TDA 3 "Bought" + 2 "Sold"; TradeZero 5 rows; Ghostfolio JSON 2 BUY + 1 SELL, CSV 2 buy + 1 sell; Parqet 18 Buy +
/// 2 Sell; Coinbase 2 Buy + 2 Convert × 2 legs; Crypto.com 5 crypto_exchange × 2 legs + 1 card_top_up; Bitvavo 10
/// buy + 2 sell; Relai 3; CoinTracking 3 Trade rows.
/// </summary>
public sealed class UsFormatCoverageTests
{
    public static TheoryData<string, string, int> Files()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (file, format, fills) in UsFiles.Expected)
        {
            data.Add(file, format, fills);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Detect_EverySampleAndFixture_PicksItsFormat(string file, string format, int fills)
    {
        Assert.True(fills >= 0);
        Assert.Equal(format, BrokerFormats.Detect(UsFiles.Load(file)).Id);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Parse_EverySampleAndFixture_GivesTheCountedFillsOldestFirst(string file, string format, int fills)
    {
        var result = UsFiles.Parse(format, file);

        Assert.Equal(format, result.FormatId);
        Assert.Empty(result.Problems);
        Assert.Equal(fills, result.Fills.Count);
        Assert.Equal(result.Fills.OrderBy(f => f.ExecutedAt).Select(f => f.ExecutedAt), result.Fills.Select(f => f.ExecutedAt));
        Assert.All(result.Fills, f =>
        {
            Assert.True(f.Quantity > 0, $"line {f.Line}: quantity {f.Quantity}");
            Assert.True(f.Price >= 0 && f.Fees >= 0);
            Assert.Equal(TimeSpan.Zero, f.ExecutedAt.Offset);
            Assert.NotEmpty(f.Raw);
            Assert.False(string.IsNullOrWhiteSpace(f.Symbol));
        });
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Parse_Twice_AssignsIdenticalFillIds(string file, string format, int fills)
    {
        var first = FillHash.Assign(format, UsFiles.Parse(format, file).Fills);
        var second = FillHash.Assign(format, UsFiles.Parse(format, file).Fills);

        Assert.Equal(fills, first.Count);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Detect_OtherBrokersSamples_NoUsFormatClaimsThem()
    {
        var mine = UsFiles.Expected.Select(e => e.File).ToHashSet();
        var usFormats = BrokerFormats.All.Where(f => f.GetType().Namespace == typeof(UsText).Namespace).ToList();
        var others = Directory.GetFiles(Path.Combine(SharedData.Root, "broker-exports", "export-to-ghostfolio-samples"), "*.csv")
            .Concat(Directory.GetFiles(Path.Combine(SharedData.Root, "broker-exports", "ghostfoliosidekick"), "*", SearchOption.AllDirectories))
            .Where(p => !mine.Contains(Path.GetFileName(p)))
            .ToList();

        Assert.True(usFormats.Count >= 17);
        Assert.NotEmpty(others);
        foreach (var path in others)
        {
            var file = new ImportFile(Path.GetFileName(path), File.ReadAllBytes(path));
            foreach (var format in usFormats)
            {
                Assert.True(format.Detect(file) == 0, $"{format.Id} claims {path}");
            }
        }
    }

    [Fact]
    public void Detect_EachSample_OnlyItsOwnUsFormatScores()
    {
        foreach (var (name, format, _) in UsFiles.Expected)
        {
            var file = UsFiles.Load(name);
            var claims = BrokerFormats.All.Where(f => f.GetType().Namespace == typeof(UsText).Namespace && f.Detect(file) > 0).Select(f => f.Id).ToList();
            Assert.Equal([format], claims);
        }
    }

    [Fact]
    public void GenericCsv_NeverDetects_AndIsFoundById()
    {
        var generic = BrokerFormats.Find("generic-csv");

        Assert.NotNull(generic);
        Assert.All(UsFiles.Expected, e => Assert.Equal(0, generic.Detect(UsFiles.Load(e.File))));
    }
}
