using System.Text.Json;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.SnapTrade;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.SnapTrade;

/// <summary>SnapTrade activities (Fixtures/SnapTrade/activities-mixed.json, newest first as SnapTrade sends them) → ParsedFill.</summary>
public sealed class SnapTradeActivityMapperTests
{
    private static IReadOnlyList<SnapTradeActivity> Activities(string fixture = "activities-mixed.json")
    {
        using var doc = JsonDocument.Parse(ScriptedHttpServer.Fixture(fixture, "SnapTrade"));
        return doc.RootElement.GetProperty("data").EnumerateArray().Select(SnapTradeClient.ParseActivity).ToList();
    }

    private static ParseResult Mapped() => SnapTradeActivityMapper.Map(Activities(), "Alpaca");

    private static ParsedFill Fill(string id) => Assert.Single(Mapped().Fills, f => f.ExternalTradeId == id);

    [Fact]
    public void Map_KeepsBuysAndSellsOldestFirst_AndCountsEveryOtherTypeAsSkipped()
    {
        var result = Mapped();

        Assert.Equal(("snaptrade-api", "Alpaca"), (result.FormatId, result.Broker));
        Assert.Equal(["act-buy-dateonly", "act-buy-aapl", "act-btc", "act-opt-aapl", "act-sell-msft"], result.Fills.Select(f => f.ExternalTradeId));
        Assert.Equal([("CONTRIBUTION", 1), ("DIVIDEND", 2), ("FEE", 1)], result.SkippedNonTrades.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.Value)));
        Assert.Equal(4, result.SkippedCount);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Map_EquityBuy_TakesTickerUnitsPriceFeeUtcTimeCurrencyAndOrderReference()
    {
        var buy = Fill("act-buy-aapl");

        Assert.Equal(("AAPL", FillSide.Buy, 10m, 187.45m, 0m, "USD", FillAssetType.Equity), (buy.Symbol, buy.Side, buy.Quantity, buy.Price, buy.Fees, buy.Currency, buy.AssetType));
        Assert.Equal(new DateTimeOffset(2026, 11, 10, 14, 35, 12, 345, TimeSpan.Zero), buy.ExecutedAt);
        Assert.Equal(TimeSpan.Zero, buy.ExecutedAt.Offset);
        Assert.False(buy.DateOnly);
        Assert.Equal(("ord-1", "Apple Inc", "Alpaca", 6), (buy.OrderId, buy.Name, buy.Venue, buy.Line)); // the 6th activity of the page
        Assert.Null(buy.Option);
        Assert.Equal(1m, buy.Multiplier);
    }

    [Fact]
    public void Map_Sell_HasAPositiveQuantity_AndItsFee()
    {
        var sell = Fill("act-sell-msft");

        Assert.Equal(("MSFT", FillSide.Sell, 2m, 412.10m, 0.02m), (sell.Symbol, sell.Side, sell.Quantity, sell.Price, sell.Fees)); // units -2
    }

    [Fact]
    public void Map_Option_IsAnOptionFill_WithUnderlyingExpiryStrikeRightAndMultiplier100()
    {
        var option = Fill("act-opt-aapl");

        Assert.Equal(FillAssetType.Option, option.AssetType);
        Assert.Equal("AAPL261218C00190000", option.Symbol); // the OCC ticker without its padding
        Assert.Equal(new OptionContract("AAPL", new DateOnly(2026, 12, 18), 190m, OptionRight.Call, 100m), option.Option);
        Assert.Equal(100m, option.Multiplier);
        Assert.Equal((FillSide.Buy, 1m, 3.45m, 0.65m), (option.Side, option.Quantity, option.Price, option.Fees));
    }

    [Fact]
    public void Map_Crypto_IsACryptoFill_WithItsFractionalUnits()
    {
        var btc = Fill("act-btc");

        Assert.Equal(("BTC-USD", FillAssetType.Crypto, 0.015m, 91000.5m, 1.5m), (btc.Symbol, btc.AssetType, btc.Quantity, btc.Price, btc.Fees));
    }

    [Fact]
    public void Map_DateOnlyTradeDate_IsMidnightUtcMarkedDateOnly()
    {
        var fill = Fill("act-buy-dateonly");

        Assert.Equal(new DateTimeOffset(2026, 10, 2, 0, 0, 0, TimeSpan.Zero), fill.ExecutedAt);
        Assert.True(fill.DateOnly);
    }

    [Fact]
    public void Map_KeepsTheWholeActivityInRaw_NestedObjectsAsJson()
    {
        var raw = Fill("act-opt-aapl").Raw;

        Assert.Equal("act-opt-aapl", raw["id"]);
        Assert.Equal("BUY_TO_OPEN", raw["option_type"]);
        Assert.Null(raw["symbol"]);
        Assert.Equal("AAPL  261218C00190000", JsonDocument.Parse(raw["option_symbol"]!).RootElement.GetProperty("ticker").GetString());
        Assert.Equal("3.45", raw["price"]);
    }

    [Fact]
    public void Map_TradeWithoutSymbolOrDate_IsAProblemNamingTheActivity_NotAFill()
    {
        var activities = Activities().Where(a => a.Type == "BUY").Take(2).ToList();
        activities[0] = activities[0] with { Symbol = null, Option = null };
        activities[1] = activities[1] with { TradeDate = "yesterday-ish" };

        var result = SnapTradeActivityMapper.Map(activities);

        Assert.Empty(result.Fills);
        Assert.Equal(["line 1, column 'symbol': activity act-opt-aapl: no symbol (SnapTrade could not map the brokerage's security)",
            "line 2, column 'trade_date': activity act-btc: unreadable trade date 'yesterday-ish'"], result.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void FillHash_UsesTheActivityIds_SoASecondSyncAddsNothing()
    {
        var first = Mapped().Fills;
        var again = SnapTradeActivityMapper.Map(Activities().Skip(2).ToList()).Fills; // an overlapping re-read

        var known = FillHash.Assign(SnapTradeActivityMapper.FormatId, first).ToHashSet();
        Assert.All(FillHash.Assign(SnapTradeActivityMapper.FormatId, again), id => Assert.Contains(id, known));
    }
}
