using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Import.Us;

public sealed class UsBrokerFormatTests
{
    [Fact]
    public void Schwab_Sample_SellFieldByField_AndSkippedKinds()
    {
        var result = UsFiles.Parse("schwab-csv", "schwab-export.csv");
        var f = result.Fills.Single(x => x.Symbol == "FIHBX" && x.Side == FillSide.Sell);

        Assert.Equal(34, f.Line);
        Assert.Equal(592.199m, f.Quantity);
        Assert.Equal(8.46m, f.Price);
        Assert.Equal(10m, f.Fees);
        Assert.Equal(UsFiles.Utc(2023, 8, 22, 4), f.ExecutedAt);
        Assert.True(f.DateOnly);
        Assert.Equal("USD", f.Currency);
        Assert.Equal("FEDERATED HERMES INSTL HIGH YIELD BD IS", f.Name);
        Assert.Null(f.ExternalTradeId);
        Assert.Equal("$5,000.00", f.Raw["Amount"]);

        Assert.Equal(500135m, result.Fills.Single(x => x.Symbol == "SNAXX" && x.Side == FillSide.Sell).Quantity);
        Assert.Equal(40, result.Fills.Count(x => x.Raw["Action"] == "Reinvest Shares"));
        Assert.Equal(29, result.SkippedNonTrades["Reinvest Dividend"]);
        Assert.Equal(10, result.SkippedNonTrades["Advisor Fee"]);
    }

    [Fact]
    public void Schwab_NewestFirstFile_SameDayFillsKeepTheirRealOrder()
    {
        var result = UsFiles.Parse("schwab-csv", "schwab-export.csv");
        var firstDay = result.Fills.TakeWhile(x => x.ExecutedAt == result.Fills[0].ExecutedAt).Select(x => x.Symbol);

        // 01/03/2023: the file lists NMFC above TCPC, so TCPC happened first.
        Assert.Equal(["TCPC", "NMFC"], firstDay);
    }

    [Fact]
    public void Schwab_ImportZone_OverridesNewYork()
    {
        var f = UsFiles.Parse("schwab-csv", "schwab-export.csv", new ImportOptions { TimeZone = "UTC" })
            .Fills.Single(x => x.Symbol == "FIHBX" && x.Side == FillSide.Sell);

        Assert.Equal(UsFiles.Utc(2023, 8, 22), f.ExecutedAt);
    }

    [Fact]
    public void Fidelity_Fixture_FillsFieldByField_AndOptionSymbol()
    {
        var result = UsFiles.Parse("fidelity-csv", "fidelity-history.csv");
        var f = result.Fills[0];

        Assert.Equal(9, f.Line);
        Assert.Equal("NVDA", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(10m, f.Quantity);
        Assert.Equal(490.97m, f.Price);
        Assert.Equal(0m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 1, 5, 5), f.ExecutedAt);
        Assert.True(f.DateOnly);
        Assert.Equal("USD", f.Currency);

        var call = result.Fills[1];
        Assert.Equal(FillAssetType.Option, call.AssetType);
        Assert.Equal("NVDA240216C600", call.Symbol);
        Assert.Equal(new OptionContract("NVDA", new DateOnly(2024, 2, 16), 600m, OptionRight.Call), call.Option);
        Assert.Equal(0.67m, call.Fees);
        Assert.Equal(FillSide.Sell, result.Fills.Last(x => x.AssetType == FillAssetType.Option).Side);

        Assert.Equal(1, result.SkippedNonTrades["DIVIDEND RECEIVED"]);
        Assert.Equal(1, result.SkippedNonTrades["ELECTRONIC FUNDS TRANSFER"]);
        Assert.Equal(1, result.SkippedNonTrades["INTEREST EARNED"]);
    }

    [Fact]
    public void TdAmeritrade_Fixture_FillsFieldByField()
    {
        var result = UsFiles.Parse("tdameritrade-csv", "tdameritrade-transactions.csv");
        var f = result.Fills[0];

        Assert.Equal(3, f.Line);
        Assert.Equal("AMD", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(25m, f.Quantity);
        Assert.Equal(78.41m, f.Price);
        Assert.Equal(0m, f.Fees);
        Assert.Equal(UsFiles.Utc(2023, 3, 2, 5), f.ExecutedAt);
        Assert.True(f.DateOnly);
        Assert.Equal("48211000002", f.ExternalTradeId);

        var call = result.Fills.Single(x => x.ExternalTradeId == "48211000004");
        Assert.Equal(new OptionContract("AMD", new DateOnly(2023, 3, 17), 85m, OptionRight.Call), call.Option);
        Assert.Equal(1.32m, call.Fees);
        Assert.Equal(1, result.SkippedNonTrades["ORDINARY DIVIDEND"]);
        Assert.Equal(1, result.SkippedNonTrades["CLIENT REQUESTED ELECTRONIC FUNDING RECEIPT"]);
        Assert.Equal(1, result.SkippedNonTrades["FREE BALANCE INTEREST ADJUSTMENT"]);
    }

    [Fact]
    public void TradeZero_Fixture_ShortSaleFieldByField()
    {
        var result = UsFiles.Parse("tradezero-csv", "tradezero-trades.csv");
        var f = result.Fills[0];

        Assert.Equal(2, f.Line);
        Assert.Equal("AMC", f.Symbol);
        Assert.Equal(FillSide.Sell, f.Side);
        Assert.Equal(500m, f.Quantity);
        Assert.Equal(4.62m, f.Price);
        Assert.Equal(1.63m, f.Fees);
        Assert.Equal(UsFiles.Utc(2023, 5, 8, 13, 31, 5), f.ExecutedAt); // 09:31:05 EDT
        Assert.False(f.DateOnly);
        Assert.Null(f.ExternalTradeId);
        Assert.Equal("SS", f.Raw["Side"]);
        Assert.Equal([FillSide.Sell, FillSide.Buy, FillSide.Buy, FillSide.Buy, FillSide.Sell], result.Fills.Select(x => x.Side));
        Assert.Equal(0m, result.Fills[1].Fees); // an ECN rebate larger than the fees nets to zero
    }

    [Fact]
    public void Ofx_SgmlFixture_FillsFieldByField_AndOptionFromSecList()
    {
        var result = UsFiles.Parse("ofx-investment", "etrade-statement.qfx");
        var f = result.Fills[0];

        Assert.Equal(1, f.Line);
        Assert.Equal("KO", f.Symbol);
        Assert.Equal("COCA COLA CO", f.Name);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(15m, f.Quantity);
        Assert.Equal(59.87m, f.Price);
        Assert.Equal(0.01m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 1, 5, 14, 35, 2), f.ExecutedAt);
        Assert.False(f.DateOnly);
        Assert.Equal("USD", f.Currency);
        Assert.Equal("23456789012345", f.ExternalTradeId);
        Assert.Equal("BUYSTOCK", f.Raw["TYPE"]);

        var call = result.Fills[1];
        Assert.Equal(FillAssetType.Option, call.AssetType);
        Assert.Equal(new OptionContract("KO", new DateOnly(2024, 3, 15), 62.5m, OptionRight.Call, 100m), call.Option);
        Assert.Equal(0.54m, call.Fees);

        var sell = result.Fills[2];
        Assert.Equal(FillSide.Sell, sell.Side);
        Assert.Equal(15m, sell.Quantity);
        Assert.True(sell.DateOnly);
        Assert.Equal(UsFiles.Utc(2024, 1, 30, 5), sell.ExecutedAt);
        Assert.Equal(1, result.SkippedNonTrades["INCOME"]);
        Assert.Equal(1, result.SkippedNonTrades["INVBANKTRAN"]);
    }

    [Fact]
    public void Ofx_XmlFixture_TimeOffsetsAndReinvest()
    {
        var result = UsFiles.Parse("ofx-investment", "vanguard-statement.ofx");

        Assert.Equal(["VTI", "VTI", "VEA", "VEA"], result.Fills.Select(x => x.Symbol));
        Assert.Equal(UsFiles.Utc(2024, 2, 6, 21), result.Fills[0].ExecutedAt);                 // 16:00 [-5:EST]
        Assert.Equal(UsFiles.Utc(2024, 2, 15, 5), result.Fills[1].ExecutedAt);                 // date only, New York
        Assert.True(result.Fills[1].DateOnly);
        Assert.Equal(FillSide.Buy, result.Fills[1].Side);                                      // REINVEST buys
        Assert.Equal(UsFiles.Utc(2024, 2, 22, 13, 30, 15, 250), result.Fills[2].ExecutedAt);   // 14:30:15.250 [+1:CET]
        Assert.Equal(UsFiles.Utc(2024, 2, 27, 10), result.Fills[3].ExecutedAt);                // no offset: GMT
        Assert.Equal("VG-2024022201", result.Fills[2].ExternalTradeId);
        Assert.Equal(0.02m, result.Fills[2].Fees);
        Assert.Equal(1, result.SkippedNonTrades["INCOME"]);
    }

    [Fact]
    public void Ofx_XmlWithDoctype_IsRefused()
    {
        var file = ImportFile.FromText("evil.ofx",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE OFX [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>\n<OFX><INVSTMTRS><CURDEF>&x;</CURDEF></INVSTMTRS></OFX>");

        var ex = Assert.Throws<ImportFileException>(() => UsFiles.Parse("ofx-investment", file));

        Assert.Contains("DTD/entities", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ghostfolio_JsonAndCsv_FillsFieldByField()
    {
        var json = UsFiles.Parse("ghostfolio-json", "ghostfolio-activities.json");
        var f = json.Fills[0];
        Assert.Equal(2, f.Line);
        Assert.Equal("MSFT", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(12m, f.Quantity);
        Assert.Equal(375.15m, f.Price);
        Assert.Equal(1.99m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 1, 2), f.ExecutedAt);
        Assert.True(f.DateOnly);
        Assert.Equal("USD", f.Currency);
        Assert.Null(f.ExternalTradeId);
        Assert.Equal(FillAssetType.Crypto, json.Fills[1].AssetType);
        Assert.Equal(1, json.SkippedNonTrades["FEE"]);
        Assert.Equal(1, json.SkippedNonTrades["DIVIDEND"]);
        Assert.Equal(1, json.SkippedNonTrades["INTEREST"]);

        var csv = UsFiles.Parse("ghostfolio-csv", "ghostfolio-import.csv");
        var c = csv.Fills[0];
        Assert.Equal(3, c.Line);
        Assert.Equal("MSFT", c.Symbol);
        Assert.Equal(5m, c.Quantity);
        Assert.Equal(298.58m, c.Price);
        Assert.Equal(19m, c.Fees);
        Assert.Equal(UsFiles.Utc(2021, 9, 16), c.ExecutedAt);
        Assert.True(c.DateOnly);
        Assert.Equal(FillSide.Sell, csv.Fills[1].Side);
        Assert.Equal(FillAssetType.Crypto, csv.Fills[2].AssetType);
        Assert.Equal(1, csv.SkippedNonTrades["fee"]);
        Assert.Equal(1, csv.SkippedNonTrades["dividend"]);
    }
}
