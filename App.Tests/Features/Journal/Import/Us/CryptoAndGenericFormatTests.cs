using Signalbook.Features.Journal.Import;

namespace Signalbook.Tests.Features.Journal.Import.Us;

public sealed class CryptoAndGenericFormatTests
{
    [Fact]
    public void Parqet_Sample_SellFieldByField()
    {
        var result = UsFiles.Parse("parqet-csv", "parqet-export.csv");
        var f = result.Fills.Single(x => x.Isin == "DE0008404005");

        Assert.Equal("DE0008404005", f.Symbol);
        Assert.Equal("Allianz", f.Name);
        Assert.Equal(FillSide.Sell, f.Side);
        Assert.Equal(6m, f.Quantity);
        Assert.Equal(263m, f.Price);
        Assert.Equal(15.83m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 6, 4, 12, 4), f.ExecutedAt);
        Assert.False(f.DateOnly);
        Assert.Equal("EUR", f.Currency);
        Assert.Equal(7, result.SkippedNonTrades["Dividend"]);
    }

    [Fact]
    public void Coinbase_Sample_BuyAndConvertLegs()
    {
        var result = UsFiles.Parse("coinbase-csv", "coinbase-export.csv");
        var buy = result.Fills.Single(x => x.Line == 8);

        Assert.Equal("BTC", buy.Symbol);
        Assert.Equal(FillSide.Buy, buy.Side);
        Assert.Equal(0.00166779m, buy.Quantity);
        Assert.Equal(39999.331136545m, buy.Price);
        Assert.Equal(2.99m, buy.Fees);
        Assert.Equal(UsFiles.Utc(2022, 3, 25, 6, 45, 27), buy.ExecutedAt);
        Assert.Equal("EUR", buy.Currency);
        Assert.Equal(FillAssetType.Crypto, buy.AssetType);
        Assert.Equal("623d6507925c200001fcbXXX", buy.ExternalTradeId);

        var legs = result.Fills.Where(x => x.Line == 6).ToList();
        Assert.Equal([("BTC", FillSide.Sell, 0.00363125m), ("XRP", FillSide.Buy, 156.145683m)], legs.Select(x => (x.Symbol, x.Side, x.Quantity)));
        Assert.Equal(Math.Round(338.92698m / 156.145683m, 10), legs[1].Price);
        Assert.Equal(2, result.SkippedNonTrades["Staking Income"]);
        Assert.Equal(1, result.SkippedNonTrades["Send"]);
        Assert.Equal(1, result.SkippedNonTrades["Receive"]);
    }

    [Fact]
    public void CryptoCom_Sample_ExchangeIsASellAndABuy()
    {
        var result = UsFiles.Parse("cryptocom-csv", "cryptocom-export.csv");
        var legs = result.Fills.Where(x => x.ExecutedAt == UsFiles.Utc(2024, 1, 2, 8, 42, 52)).ToList();

        Assert.Equal(2, legs.Count);
        Assert.Equal(("USDT", FillSide.Sell, 385.873798m), (legs[0].Symbol, legs[0].Side, legs[0].Quantity));
        Assert.Equal(("SOL", FillSide.Buy, 3.3m), (legs[1].Symbol, legs[1].Side, legs[1].Quantity));
        Assert.Equal(Math.Round(342.59817367324965606488488214m / 3.3m, 10), legs[1].Price);
        Assert.All(legs, l => Assert.Equal("EUR", l.Currency));
        Assert.All(legs, l => Assert.Equal(FillAssetType.Crypto, l.AssetType));
        Assert.Equal(43, result.SkippedNonTrades["finance.lockup.dpos_compound_interest.crypto_wallet"]);
        Assert.Equal(59, result.SkippedCount);
    }

    [Fact]
    public void Bitvavo_Sample_SellFieldByField_InTheFilesZone()
    {
        var result = UsFiles.Parse("bitvavo-csv", "bitvavo-export.csv");
        var f = result.Fills.Single(x => x.ExternalTradeId == "59dcec17-45e5-4acc-95ea-ed39cc1b7280");

        Assert.Equal("ETH", f.Symbol);
        Assert.Equal(FillSide.Sell, f.Side);
        Assert.Equal(0.00781401m, f.Quantity);
        Assert.Equal(1597.5m, f.Price);
        Assert.Equal(0.032880975m, f.Fees);
        Assert.Equal(UsFiles.Utc(2023, 2, 20, 14, 15, 46, 637), f.ExecutedAt); // 15:15:46.637 Amsterdam (CET)
        Assert.Equal("EUR", f.Currency);
        Assert.Equal(FillAssetType.Crypto, f.AssetType);
        Assert.Equal(9, result.SkippedNonTrades["staking"]);
    }

    [Fact]
    public void Relai_Sample_BuyFieldByField()
    {
        var f = UsFiles.Parse("relai-csv", "relai-export.csv").Fills[0];

        Assert.Equal(4, f.Line);
        Assert.Equal("BTC", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(0.00371249m, f.Quantity);
        Assert.Equal(86593.42m, f.Price);
        Assert.Equal(2.90m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 6, 18, 16, 52, 31), f.ExecutedAt);
        Assert.Equal("CHF", f.Currency);
        Assert.Equal("59ac51d2-b07c-438f-a1e4-d6c9f2b8a5e7", f.ExternalTradeId);
    }

    [Fact]
    public void CoinTracking_Sample_TradesPricedInTheFiatLeg()
    {
        var result = UsFiles.Parse("cointracking-csv", "cointracking-export.csv");
        var f = result.Fills[0];

        Assert.Equal(4, f.Line);
        Assert.Equal("BTC", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(0.0011m, f.Quantity);
        Assert.Equal(Math.Round(100m / 0.0011m, 10), f.Price);
        Assert.Equal(1m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 12, 6, 10, 12, 27), f.ExecutedAt);
        Assert.Equal("EUR", f.Currency);
        Assert.Equal("Pocket Bitcoin", f.Venue);
        var sell = result.Fills[^1];
        Assert.Equal((FillSide.Sell, 0.0022m, 2m), (sell.Side, sell.Quantity, sell.Fees));
        Assert.Equal(1, result.SkippedNonTrades["Staking"]);
        Assert.Equal(1, result.SkippedNonTrades["Deposit"]);
        Assert.Equal(1, result.SkippedNonTrades["Withdrawal"]);
    }

    private static readonly GenericCsvMapping Mapping = new()
    {
        Date = "Trade Date",
        Time = "Time",
        Symbol = "Ticker",
        Side = "B/S",
        Quantity = "Shares",
        Price = "Fill Price",
        Fees = "Cost",
        TradeId = "Ref",
        DateFormat = "yyyy-MM-dd",
        DecimalSeparator = ",",
    };

    [Fact]
    public void GenericCsv_Mapping_ReadsFillsAndReportsEachBadCell()
    {
        var result = UsFiles.Parse("generic-csv", "generic-trades.csv", new ImportOptions { GenericMapping = Mapping, TimeZone = "America/New_York" });

        Assert.Equal(3, result.Fills.Count);
        var f = result.Fills[0];
        Assert.Equal(2, f.Line);
        Assert.Equal("AAPL", f.Symbol);
        Assert.Equal(FillSide.Buy, f.Side);
        Assert.Equal(10m, f.Quantity);
        Assert.Equal(175.10m, f.Price);
        Assert.Equal(1m, f.Fees);
        Assert.Equal(UsFiles.Utc(2024, 3, 4, 14, 30, 15), f.ExecutedAt);
        Assert.False(f.DateOnly);
        Assert.Equal("USD", f.Currency);
        Assert.Equal("R-1", f.ExternalTradeId);
        Assert.Equal(FillSide.Sell, result.Fills[2].Side); // "SOLD" is among the default sell values

        Assert.Equal([(4, "Fill Price"), (6, "Trade Date")], result.Problems.Select(p => (p.Line, p.Column)));
    }

    [Fact]
    public void GenericCsv_MissingMappedColumn_RefusesTheFileNamingIt()
    {
        var ex = Assert.Throws<ImportFileException>(() =>
            UsFiles.Parse("generic-csv", "generic-trades.csv", new ImportOptions { GenericMapping = Mapping with { Fees = "Commission" } }));

        Assert.Contains("'Commission'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenericCsv_WithoutMapping_IsRefused() =>
        Assert.Throws<ImportFileException>(() => UsFiles.Parse("generic-csv", "generic-trades.csv"));
}
