using Signalbook.Features.Journal.Import;
using static Signalbook.Tests.Features.Journal.Import.Eu.EuSamples;

namespace Signalbook.Tests.Features.Journal.Import.Eu;

public class EuReimportAndZoneTests
{
    [Theory]
    [InlineData("degiro-csv", "export-to-ghostfolio-samples/degiro-export.csv")]
    [InlineData("saxo-csv", "export-to-ghostfolio-samples/saxo-export.csv")]
    [InlineData("swissquote-csv", "export-to-ghostfolio-samples/swissquote-export.csv")]
    [InlineData("directa-csv", "export-to-ghostfolio-samples/directa-export.csv")]
    [InlineData("avanza-csv", "export-to-ghostfolio-samples/avanza-export.csv")]
    public void ParseTwice_SameFile_GivesIdenticalDistinctIds(string formatId, string sample)
    {
        var first = FillHash.Assign(formatId, Parse(formatId, sample).Fills);
        var second = FillHash.Assign(formatId, Parse(formatId, sample).Fills);

        Assert.Equal(first, second);
        // Saxo lists identical VWRA buys twice on one day: they stay two fills with two ids.
        Assert.Equal(first.Count, first.Distinct().Count());
    }

    [Fact]
    public void TimeZoneOption_Tokyo_OverridesTheBrokersZone()
    {
        const string text = "Datum,Tijd,Valutadatum,Product,ISIN,Omschrijving,FX,Mutatie,,Saldo,,Order Id\n"
            + "06-07-2023,09:39,06-07-2023,TOYOTA MOTOR CORP,JP3633400001,\"Koop 30 @ 2500 JPY\",,JPY,-75000,JPY,0,abc\n";
        var file = ImportFile.FromText("paris-tokyo.csv", text);
        var degiro = BrokerFormats.Find("degiro-csv")!;

        var paris = Assert.Single(degiro.Parse(file, new ImportOptions { TimeZone = "Europe/Paris" }).Fills);
        var tokyo = Assert.Single(degiro.Parse(file, new ImportOptions { TimeZone = "Asia/Tokyo" }).Fills);

        // 09:39 in Paris (CEST, +2) is 07:39 UTC; 09:39 in Tokyo (+9, no DST) is 00:39 UTC.
        Assert.Equal(Utc(2023, 7, 6, 7, 39), paris.ExecutedAt);
        Assert.Equal(Utc(2023, 7, 6, 0, 39), tokyo.ExecutedAt);
    }

    [Fact]
    public void TimeZoneOption_DoesNotMoveTrading212TimesLabelledUtc()
    {
        var f = Assert.Single(Parse("trading212-csv", "ghostfoliosidekick/Trading212/BuyOrders/single_buy_usd_time_utc.csv",
            new ImportOptions { TimeZone = "Asia/Tokyo" }).Fills);

        Assert.Equal(Utc(2023, 8, 7, 19, 56, 2), f.ExecutedAt);
    }

    [Theory]
    [InlineData("1.234,56", 1234.56)]
    [InlineData("1,234.56", 1234.56)]
    [InlineData("-77,3", -77.3)]
    [InlineData("(6.97)", -6.97)]
    [InlineData("€35,761.54", 35761.54)]
    [InlineData("89,162.28 SEK", 89162.28)]
    [InlineData(" 1 757,95 ", 1757.95)]
    [InlineData("1'000.50", 1000.50)]
    [InlineData("-$30.93", -30.93)]
    public void EuCsvNumbers_EitherSeparatorAndCurrencySigns(string text, double expected)
    {
        Assert.True(Signalbook.Features.Journal.Import.Formats.Eu.EuCsv.TryDecimal(text, out var value));
        Assert.Equal((decimal)expected, value);
    }
}
