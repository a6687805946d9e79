using Signalbook.Features.Journal.Import;
using static Signalbook.Tests.Features.Journal.Import.Eu.EuSamples;

namespace Signalbook.Tests.Features.Journal.Import.Eu;

/// <summary>One or more fills per format checked field by field against the sample row (values worked out by hand).</summary>
public class EuFillDetailTests
{
    private static void AssertFill(ParsedFill f, string symbol, FillSide side, decimal qty, decimal price, decimal fees, string currency, DateTimeOffset utc)
    {
        Assert.Equal(symbol, f.Symbol);
        Assert.Equal(side, f.Side);
        Assert.Equal(qty, f.Quantity);
        Assert.Equal(price, f.Price);
        Assert.Equal(fees, f.Fees);
        Assert.Equal(currency, f.Currency);
        Assert.Equal(utc, f.ExecutedAt);
    }

    [Fact]
    public void Degiro_DutchBuy_ReadsTheDescriptionAndTakesTheOrdersFeeRow()
    {
        var f = Assert.Single(Parse("degiro-csv", "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_euro.csv").Fills);

        // 06-07-2023 09:39 Amsterdam (CEST, +2).
        AssertFill(f, "IE00B3XXRP09", FillSide.Buy, 1m, 77.3m, 1.00m, "EUR", Utc(2023, 7, 6, 7, 39));
        Assert.Equal("IE00B3XXRP09", f.Isin);
        Assert.Equal("b7ab0494-1b46-4e2f-9bd2-f79e6c87cb5a", f.ExternalTradeId);
        Assert.False(f.DateOnly);
        Assert.Equal("Koop 1 @ 77,3 EUR", f.Raw["Omschrijving"]);
    }

    [Fact]
    public void Degiro_EnglishUsdBuy_ConvertsTheGbpFeesWithTheOrdersFxRate()
    {
        var f = Assert.Single(Parse("degiro-csv", "ghostfoliosidekick/DeGiro/EN/BuyOrders/single_buy_usd.csv").Fills);

        // Fees 0.43 + 0.02 GBP at 1.2868 USD per GBP = 0.57906 USD; 06-11-2023 15:33 Amsterdam (CET, +1).
        AssertFill(f, "US40434L1052", FillSide.Buy, 5m, 21.31m, 0.57906m, "USD", Utc(2023, 11, 6, 14, 33));
    }

    [Fact]
    public void Degiro_MultipartOrder_GivesTwoFillsWithDistinctIdsAndTheFeeOnce()
    {
        var fills = Parse("degiro-csv", "ghostfoliosidekick/DeGiro/NL/BuyOrders/single_buy_euro_multipart.csv").Fills;

        // Newest first in the file: "Koop 4" (line 4) happened before "Koop 34" (line 3), as the balances show.
        Assert.Equal([4m, 34m], fills.Select(f => f.Quantity));
        Assert.Equal([3.00m, 0m], fills.Select(f => f.Fees));
        Assert.Equal(["35d4345a-467c-42bd-848c-f6087737dd36#1", "35d4345a-467c-42bd-848c-f6087737dd36#2"], fills.Select(f => f.ExternalTradeId!));
        Assert.All(fills, f => Assert.Equal(26.88m, f.Price));
    }

    [Fact]
    public void Degiro_AccountStatement_MergesTheWrappedOrderIdAndReadsFrenchFundConversions()
    {
        var result = Parse("degiro-csv", "export-to-ghostfolio-samples/degiro-export.csv");

        var vici = Assert.Single(result.Fills, f => f.Symbol == "US9256521090");
        // Fee 1.00 EUR × 1.0624 USD per EUR; 15-12-2022 16:55 Amsterdam (CET).
        AssertFill(vici, "US9256521090", FillSide.Buy, 1m, 33.9m, 1.0624m, "USD", Utc(2022, 12, 15, 15, 55));
        Assert.Equal("5925d76b-eb36-46e3-b017-a61a6d03c3e7", vici.ExternalTradeId);
        var fund = Assert.Single(result.Fills, f => f.Symbol == "NL0010661914");
        AssertFill(fund, "NL0010661914", FillSide.Sell, 1046.3825m, 0.9854m, 0m, "EUR", Utc(2020, 6, 9, 10, 5));
        var aviva = Assert.Single(result.Fills, f => f.Symbol == "GB00BPQY8M80");
        Assert.Equal(("GBX", 496m, FillSide.Sell), (aviva.Currency, aviva.Price, aviva.Side));
        // AMC's fee is in EUR on a USD trade and the order has no FX row (line 36).
        var problem = Assert.Single(result.Problems);
        Assert.Equal((36, "Mutatie"), (problem.Line, problem.Column));
        Assert.Equal(2, result.SkippedNonTrades["corporate-action"]);
        Assert.Equal(1, result.SkippedNonTrades["stock-dividend"]);
    }

    [Fact]
    public void Trading212_UsdBuy_ConvertsTheEuroConversionFeeAndReadsTimesAsUtc()
    {
        var f = Assert.Single(Parse("trading212-csv", "ghostfoliosidekick/Trading212/BuyOrders/single_buy_usd.csv").Fills);

        // 0.02 EUR × 1.10047 USD per EUR = 0.0220094 → 0.022009.
        AssertFill(f, "NVDA", FillSide.Buy, 0.0267001m, 453.33m, 0.022009m, "USD", Utc(2023, 8, 7, 19, 56, 2));
        Assert.Equal("EOF3219953148", f.ExternalTradeId);
        Assert.Equal("US67066G1040", f.Isin);
    }

    [Theory]
    [InlineData("ghostfoliosidekick/Trading212/BuyOrders/single_buy_euro_finra_fee.csv", 0.61)]
    [InlineData("ghostfoliosidekick/Trading212/BuyOrders/single_buy_euro_french_taxes.csv", 0.61)]
    public void Trading212_EuroFeeColumns_AddToTheFees(string sample, double fees)
    {
        var f = Assert.Single(Parse("trading212-csv", sample).Fills);

        AssertFill(f, "CARM", FillSide.Buy, 14.725273m, 13.88m, (decimal)fees, "EUR", Utc(2023, 10, 9, 14, 28, 20));
    }

    [Fact]
    public void Trading212_UkStampDuty_IsConvertedToPence()
    {
        var gbp = Assert.Single(Parse("trading212-csv", "ghostfoliosidekick/Trading212/BuyOrders/single_buy_gbp.csv").Fills);
        var eur = Assert.Single(Parse("trading212-csv", "ghostfoliosidekick/Trading212/BuyOrders/single_buy_euro_uk_taxes.csv").Fills);

        // 0.05 GBP stamp duty = 5 GBX.
        AssertFill(gbp, "RIO", FillSide.Buy, 0.18625698m, 4947m, 5m, "GBX", Utc(2023, 8, 9, 15, 25, 8));
        // 0.05 + 0.02 EUR at 86.30197 GBX per EUR: 4.315098 (4.3150985 rounded half to even) + 1.726039.
        Assert.Equal(6.041137m, eur.Fees);
    }

    [Fact]
    public void Trading212_StopSell_IsASell()
    {
        var f = Assert.Single(Parse("trading212-csv", "ghostfoliosidekick/Trading212/SellOrders/single_stopsell_euro.csv").Fills);

        AssertFill(f, "O", FillSide.Sell, 0.253476m, 50.38m, 0.021106m, "USD", Utc(2023, 10, 9, 14, 26, 43));
    }

    [Fact]
    public void ScalableCapital_ExecutedBuyWithTax_AddsTaxToFeesInBerlinTime()
    {
        var f = Assert.Single(Parse("scalable-capital-csv", "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_buy_euro_tax.csv").Fills);
        var plan = Assert.Single(Parse("scalable-capital-csv", "ghostfoliosidekick/ScalableCapital/Prime/BuyOrders/single_savingsplan.csv").Fills);

        AssertFill(f, "US5949181045", FillSide.Buy, 2m, 227.85m, 2.99m, "EUR", Utc(2021, 11, 20, 1, 0));
        Assert.Equal("abcde", f.ExternalTradeId);
        AssertFill(plan, "IE00BJ0KDQ92", FillSide.Buy, 4.981m, 100.38m, 0m, "EUR", Utc(2023, 6, 11, 9, 29, 6));
    }

    [Fact]
    public void TradeRepublic_DerivesThePriceFromTheNetAmountAndCosts()
    {
        var fills = Parse("traderepublic-csv", "export-to-ghostfolio-samples/traderepublic-export.csv").Fills;

        // -690.25 net with 1.0 costs: 689.25 / 5 = 137.85.
        AssertFill(Assert.Single(fills, f => f.Symbol == "SI0031102120"), "SI0031102120", FillSide.Buy, 5m, 137.85m, 1m, "EUR", Utc(2024, 12, 2, 10, 30, 27));
        var dated = fills[0];
        // 2024-07-16, date only: 5 / 0.05198 = 96.190843; midnight Berlin (CEST) = 22:00 UTC the day before.
        AssertFill(dated, "IE00BKX55T58", FillSide.Buy, 0.05198m, 96.190843m, 0m, "EUR", Utc(2024, 7, 15, 22, 0));
        Assert.True(dated.DateOnly);
    }

    [Fact]
    public void Saxo_FeesAreTheBookedAmountBeyondQuantityTimesPrice()
    {
        var f = Assert.Single(Parse("saxo-csv", "export-to-ghostfolio-samples/saxo-export.csv").Fills, f => f.Symbol == "AMZN");

        // 2 × 220.00 = 440, booked -441; 30-Dec-2024, midnight Copenhagen (CET).
        AssertFill(f, "AMZN", FillSide.Buy, 2m, 220.00m, 1m, "USD", Utc(2024, 12, 29, 23, 0));
        Assert.Equal("xnas", f.Venue);
        Assert.True(f.DateOnly);
    }

    [Fact]
    public void EToro_OpenPosition_PriceIsAmountOverUnits()
    {
        var f = Assert.Single(Parse("etoro-csv", "export-to-ghostfolio-samples/etoro-export.csv").Fills, f => f.ExternalTradeId == "2596572937:open");

        // 49.88 / 0.337209 = 147.920133.
        AssertFill(f, "AMD", FillSide.Buy, 0.337209m, 147.920133m, 0m, "USD", Utc(2024, 1, 9, 15, 37, 16));
    }

    [Fact]
    public void RevolutInvest_ReadsSignedPricesAndCommaQuantities()
    {
        var fills = Parse("revolut-invest-csv", "export-to-ghostfolio-samples/revolut-invest-export.csv").Fills;

        AssertFill(Assert.Single(fills, f => f.Symbol == "O"), "O", FillSide.Buy, 1.63453043m, 52.07m, 0m, "USD", new DateTimeOffset(2023, 9, 22, 13, 30, 10, 514, TimeSpan.Zero));
        AssertFill(Assert.Single(fills, f => f.Symbol == "MSFT"), "MSFT", FillSide.Buy, 0.76672417m, 26.09m, 0m, "EUR", new DateTimeOffset(2025, 9, 8, 7, 29, 3, 333, TimeSpan.Zero));
    }

    [Fact]
    public void RevolutCrypto_EuroBuy_IsACryptoFillWithItsFee()
    {
        var f = Assert.Single(Parse("revolut-crypto-csv", "export-to-ghostfolio-samples/revolut-crypto-export.csv").Fills, f => f.Quantity == 0.00027963m);

        // "Mar 8, 2022, 2:08:54 PM" London (GMT).
        AssertFill(f, "BTC", FillSide.Buy, 0.00027963m, 35761.54m, 0.24m, "EUR", Utc(2022, 3, 8, 14, 8, 54));
        Assert.Equal(FillAssetType.Crypto, f.AssetType);
    }

    [Fact]
    public void Xtb_CloseBuyIsASell_AndAReusedIdGetsNumbered()
    {
        var result = Parse("xtb-csv", "export-to-ghostfolio-samples/xtb-export.csv");

        // 02.04.2024 11:42:37 Warsaw (CEST).
        var zal = Assert.Single(result.Fills, f => f.Symbol == "ZAL" && f.Side == FillSide.Sell);
        AssertFill(zal, "ZAL", FillSide.Sell, 1m, 26.280m, 0m, "EUR", Utc(2024, 4, 2, 9, 42, 37));
        Assert.Equal("524303821", zal.ExternalTradeId);
        Assert.Equal(["419846716#1", "419846716#2"], result.Fills.Where(f => f.Symbol == "GOOGL").Select(f => f.ExternalTradeId!));
        Assert.Equal(3, result.SkippedNonTrades["duplicate"]);
        Assert.All(result.Problems, p => Assert.Equal("Symbol", p.Column));
    }

    [Fact]
    public void Bux_TradeTakesTheTradingFeeRowOfItsAsset()
    {
        var fills = Parse("bux-csv", "export-to-ghostfolio-samples/bux-export.csv").Fills;

        Assert.Equal(1.5m, fills.Where(f => f.Symbol == "NL0011821202").Sum(f => f.Fees));
        var gild = Assert.Single(fills, f => f.Symbol == "US3755581036");
        AssertFill(gild, "US3755581036", FillSide.Buy, 0.104172m, 109.96m, 0m, "USD", new DateTimeOffset(2025, 6, 11, 14, 45, 18, 652, TimeSpan.Zero));
        Assert.Equal("59009fc3-f72c-451f-9007-28e86adfb5fd - 1", Assert.Single(fills, f => f.Symbol == "IE00B1TXK627").ExternalTradeId);
    }

    [Fact]
    public void Avanza_ForeignBuy_ConvertsTheSekCommission()
    {
        var f = Assert.Single(Parse("avanza-csv", "export-to-ghostfolio-samples/avanza-export.csv").Fills, f => f.Symbol == "US78409V1044");

        // 21.45 SEK / 10.72655 SEK per USD = 1.999711; 2023-03-10 midnight Stockholm (CET).
        AssertFill(f, "US78409V1044", FillSide.Buy, 2m, 330.16m, 1.999711m, "USD", Utc(2023, 3, 9, 23, 0));
        Assert.True(f.DateOnly);
    }

    [Fact]
    public void Directa_Sell_PriceIsAmountOverQuantity()
    {
        var result = Parse("directa-csv", "export-to-ghostfolio-samples/directa-export.csv");

        var f = Assert.Single(result.Fills, f => f.Side == FillSide.Sell);
        AssertFill(f, "AV", FillSide.Sell, 200m, 3.33m, 0m, "EUR", Utc(2024, 5, 28, 22, 0));
        Assert.Equal("Q8610242012248", f.ExternalTradeId);
        Assert.Equal([34, 35], result.Problems.Select(p => p.Line));
    }

    [Fact]
    public void Rabobank_Sell_ReadsCommaDecimalsAndMilliseconds()
    {
        var f = Assert.Single(Parse("rabobank-csv", "export-to-ghostfolio-samples/rabobank-export.csv").Fills, f => f.Side == FillSide.Sell);

        AssertFill(f, "NL0014065450", FillSide.Sell, 1.2343m, 134.776m, 0m, "EUR", new DateTimeOffset(2024, 2, 8, 10, 46, 2, 924, TimeSpan.Zero));
    }

    [Fact]
    public void Freetrade_UsdOrder_ConvertsTheFxFeeAtTheBaseRate()
    {
        var f = Assert.Single(Parse("freetrade-csv", "export-to-ghostfolio-samples/freetrade-export.csv").Fills, f => f.Symbol == "NVDA");

        // FX fee 7.76 GBP × 1.2745 USD per GBP = 9.89012.
        AssertFill(f, "NVDA", FillSide.Buy, 4.10561350m, 617.43931800m, 9.89012m, "USD", new DateTimeOffset(2024, 1, 24, 15, 16, 15, 350, TimeSpan.Zero));
        Assert.Equal("4RNV24HTRXMX", f.ExternalTradeId);
    }

    [Fact]
    public void InvestEngine_Sell_ReadsPoundsAndLondonTime()
    {
        var f = Assert.Single(Parse("investengine-csv", "export-to-ghostfolio-samples/investengine-export.csv").Fills, f => f.Side == FillSide.Sell);

        // 30/04/25 14:13:11 London (BST).
        AssertFill(f, "IE00BK5BQT80", FillSide.Sell, 10.696127m, 102.22m, 0m, "GBP", Utc(2025, 4, 30, 13, 13, 11));
    }

    [Fact]
    public void Swissquote_Buy_AndAnOrderFilledInTwoRows()
    {
        var fills = Parse("swissquote-csv", "export-to-ghostfolio-samples/swissquote-export.csv").Fills;

        AssertFill(Assert.Single(fills, f => f.Symbol == "ORFN"), "ORFN", FillSide.Buy, 200m, 19.85m, 5.96m, "USD", Utc(2022, 8, 10, 13, 30, 2));
        Assert.Equal(["106824458#1", "106824458#2"], fills.Where(f => f.Symbol == "WDSC").Select(f => f.ExternalTradeId!));
    }

    [Fact]
    public void Finpension_3aSellAndBvgPortfolioTransaction()
    {
        var sell = Assert.Single(Parse("finpension-csv", "export-to-ghostfolio-samples/finpension-3a-export.csv").Fills, f => f.Side == FillSide.Sell && f.Symbol == "CH0033782431");
        var bvg = Parse("finpension-csv", "export-to-ghostfolio-samples/finpension-bvg-export.csv").Fills[0];

        AssertFill(sell, "CH0033782431", FillSide.Sell, 0.002m, 1619.66m, 0m, "CHF", Utc(2023, 5, 15, 22, 0));
        AssertFill(bvg, "CH0429081620", FillSide.Buy, 0.155m, 1690.56m, 0m, "CHF", Utc(2024, 10, 21, 22, 0));
    }

    [Fact]
    public void Investimental_PartialFills_AreTheDropsInRemainingVolume()
    {
        var fills = Parse("investimental-csv", "export-to-ghostfolio-samples/investimental-export.csv").Fills;

        var order = fills.Where(f => f.OrderId == "59479550").ToList();
        Assert.Equal([10m, 55m, 8m, 73m, 64m], order.Select(f => f.Quantity));
        // 2024-05-31 12:41:49 Bucharest (EEST, +3).
        AssertFill(order[0], "TVBETETF", FillSide.Sell, 10m, 27.185m, 0m, "RON", Utc(2024, 5, 31, 9, 41, 49));
        Assert.Equal("15086", order[0].ExternalTradeId);
        var buy = fills.Where(f => f.OrderId == "60216265").ToList();
        Assert.Equal([64m, 5m, 5m, 189m], buy.Select(f => f.Quantity));
        Assert.Equal(61.37m, buy.Sum(f => f.Fees));
        AssertFill(buy[0], "ICBETNETF", FillSide.Buy, 64m, 75.95m, 16.03m, "RON", Utc(2024, 8, 5, 8, 49, 9));
    }

    [Fact]
    public void Delta_UsesTheOffsetInTheFile()
    {
        var result = Parse("delta-csv", "export-to-ghostfolio-samples/delta-export.csv");

        AssertFill(Assert.Single(result.Fills, f => f.Symbol == "AAPL"), "AAPL", FillSide.Buy, 5m, 250m, 0m, "USD", Utc(2023, 5, 8, 19, 0));
        var sol = Assert.Single(result.Fills, f => f.Symbol == "SOL");
        Assert.Equal((FillAssetType.Crypto, "ETH", 0.0088m), (sol.AssetType, sol.Currency, sol.Price));
        Assert.Equal(2, Assert.Single(result.Problems).Line);
    }

    [Fact]
    public void Disnat_Buy_DropsTheCanadianSuffix()
    {
        var f = Assert.Single(Parse("disnat-csv", "export-to-ghostfolio-samples/disnat-export.csv").Fills, f => f.Symbol == "VEQT");

        // 2025-07-31, midnight Toronto (EDT, -4).
        AssertFill(f, "VEQT", FillSide.Buy, 10m, 49.38m, 0m, "CAD", Utc(2025, 7, 31, 4, 0));
        Assert.Equal("CAN", f.Venue);
    }
}
