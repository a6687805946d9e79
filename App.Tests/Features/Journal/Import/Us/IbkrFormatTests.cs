using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Import.Us;

public sealed class IbkrFormatTests
{
    [Fact]
    public void FlexCsv_Sample_FirstFillFieldByField()
    {
        var result = UsFiles.Parse("ibkr-flex-csv", "ibkr-trades-export.csv");
        var f = result.Fills[0];

        Assert.Equal("Interactive Brokers", result.Broker);
        Assert.Equal(2, f.Line);
        Assert.Equal("CH0111762537", f.Symbol);
        Assert.Equal("CH0111762537", f.Isin);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(7m, f.Quantity);
        Assert.Equal(282.7m, f.Price);
        Assert.Equal(5m, f.Fees);
        Assert.Equal(UsFiles.Utc(2023, 5, 22, 4), f.ExecutedAt); // a date only: midnight in New York (EDT)
        Assert.True(f.DateOnly);
        Assert.Equal("CHF", f.Currency);
        Assert.Equal(FillAssetType.Equity, f.AssetType);
        Assert.Null(f.ExternalTradeId);
        Assert.Equal("20230522", f.Raw["TradeDate"]);
        Assert.Equal(3, result.SkippedNonTrades["Forex"]);
    }

    [Fact]
    public void FlexCsv_DividendsSample_NoFillsAndSkippedKinds()
    {
        var result = UsFiles.Parse("ibkr-flex-csv", "ibkr-dividends-export.csv");

        Assert.Empty(result.Fills);
        Assert.Empty(result.Problems);
        Assert.Equal(5, result.SkippedNonTrades["Dividends"]);
        Assert.Equal(4, result.SkippedNonTrades["Withholding Tax"]);
        Assert.Equal(2, result.SkippedNonTrades["Payment In Lieu Of Dividends"]);
        Assert.Equal(11, result.SkippedCount);
    }

    [Fact]
    public void FlexCsv_UnreadableTradeDate_NamesLineAndColumn()
    {
        var file = ImportFile.FromText("flex.csv",
            "\"Buy/Sell\",\"TradeDate\",\"ISIN\",\"Quantity\",\"TradePrice\",\"CurrencyPrimary\",\"IBCommission\"\n" +
            "\"BUY\",\"20230522\",\"US9220427424\",\"1\",\"100\",\"USD\",\"-1\"\n" +
            "\"BUY\",\"2023-13-45\",\"US9220427424\",\"1\",\"100\",\"USD\",\"-1\"\n");

        var result = UsFiles.Parse("ibkr-flex-csv", file);

        Assert.Single(result.Fills);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Line);
        Assert.Equal("TradeDate", problem.Column);
    }

    [Fact]
    public void FlexXml_Fixture_StockFillFieldByField_AndPartialFillPair()
    {
        var result = UsFiles.Parse("ibkr-flex-xml", "ibkr-flex-trades.xml");
        var f = result.Fills[0];

        Assert.Equal(1, f.Line);
        Assert.Equal("AAPL", f.Symbol);
        Assert.Equal("US0378331005", f.Isin);
        Assert.Equal("APPLE INC", f.Name);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(60m, f.Quantity);
        Assert.Equal(184.25m, f.Price);
        Assert.Equal(0.35m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 1, 3, 14, 35, 12), f.ExecutedAt); // 09:35:12 EST
        Assert.False(f.DateOnly);
        Assert.Equal("USD", f.Currency);
        Assert.Equal("611111101", f.ExternalTradeId);
        Assert.Equal("700000001", f.OrderId);
        Assert.Equal("ISLAND", f.Venue);
        Assert.Equal("BUY", f.Raw["buySell"]);

        var pair = result.Fills.Where(x => x.OrderId == "700000001").ToList();
        Assert.Equal([60m, 40m], pair.Select(x => x.Quantity));
        Assert.Equal(["611111101", "611111102"], pair.Select(x => x.ExternalTradeId));

        var sell = result.Fills[^1];
        Assert.Equal(FillSide.Sell, sell.Side);
        Assert.Equal(100m, sell.Quantity);
        Assert.Equal(1, result.SkippedNonTrades["Forex"]);
        Assert.Equal(1, result.SkippedNonTrades["Dividends"]);
        Assert.Equal(1, result.SkippedNonTrades["Withholding Tax"]);
        Assert.Equal(1, result.SkippedNonTrades["Broker Interest Paid"]);
    }

    [Fact]
    public void FlexXml_OptionTrade_CarriesContractAndMultiplier()
    {
        var option = UsFiles.Parse("ibkr-flex-xml", "ibkr-flex-trades.xml").Fills.Single(x => x.ExternalTradeId == "611111103");

        Assert.Equal(FillAssetType.Option, option.AssetType);
        Assert.Equal("SPY   240216C00480000", option.Symbol);
        Assert.Equal(new OptionContract("SPY", new DateOnly(2024, 2, 16), 480m, OptionRight.Call, 100m), option.Option);
        Assert.Equal(100m, option.Multiplier);
        Assert.Equal(2m, option.Quantity);
        Assert.Equal(5.1m, option.Price);
        Assert.Equal(1.3m, option.Fees);
    }

    [Fact]
    public void FlexXml_WithDoctypeEntity_IsRefused()
    {
        var ex = Assert.Throws<ImportFileException>(() => UsFiles.Parse("ibkr-flex-xml", "ibkr-flex-xxe.xml"));

        Assert.Contains("DTD/entities", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not read", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ActivityStatement_Fixture_FillsFieldByField_AndOptionMultiplierFromInstrumentSection()
    {
        var result = UsFiles.Parse("ibkr-activity-csv", "ibkr-activity-statement.csv");
        var f = result.Fills[0];

        Assert.Equal(8, f.Line);
        Assert.Equal("MSFT", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(30m, f.Quantity);
        Assert.Equal(368.9m, f.Price);
        Assert.Equal(1m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 1, 4, 14, 41, 7), f.ExecutedAt);
        Assert.Equal("USD", f.Currency);
        Assert.Null(f.ExternalTradeId);
        Assert.Equal("2024-01-04, 09:41:07", f.Raw["Date/Time"]);

        var put = result.Fills.First(x => x.AssetType == FillAssetType.Option);
        Assert.Equal(FillSide.Sell, put.Side);
        Assert.Equal(3m, put.Quantity);
        Assert.Equal(4.2m, put.Price);
        Assert.Equal(3.15m, put.Fees);
        Assert.Equal(new OptionContract("QQQ", new DateOnly(2024, 2, 16), 420m, OptionRight.Put, 100m), put.Option);

        Assert.Equal(1, result.SkippedNonTrades["Forex"]);
        Assert.Equal(1, result.SkippedNonTrades["Dividends"]);
        Assert.Equal(1, result.SkippedNonTrades["Withholding Tax"]);
        Assert.Equal(1, result.SkippedNonTrades["Deposits & Withdrawals"]);
    }

    [Fact]
    public void ActivityStatement_InstrumentMultiplier_IsUsedForOptions()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Journal", "ibkr-activity-statement.csv"))
            .Replace("QQQ,CBOE,100,", "QQQ,CBOE,10,", StringComparison.Ordinal);

        var put = UsFiles.Parse("ibkr-activity-csv", ImportFile.FromText("mini.csv", text)).Fills.First(x => x.AssetType == FillAssetType.Option);

        Assert.Equal(10m, put.Multiplier);
    }
}
