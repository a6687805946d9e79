using System.Text.Json;
using System.Text.Json.Nodes;
using Signalbook.Features.Portfolios;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.Strategies;

public sealed class StrategyCatalogTests
{
    private static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    private static string[] Messages(StrategyType type, string json) =>
        StrategyCatalog.Validate(type, Json(json)).Select(e => e.Message).ToArray();

    [Fact]
    public void Catalog_ListsEveryStrategyTypeOnce_WithItsDatabaseKey()
    {
        Assert.Equal(Enum.GetValues<StrategyType>().Order(), StrategyCatalog.All.Select(s => s.Type).Order());
        Assert.All(StrategyCatalog.All, s => Assert.Equal(TradingNames.ToDb(s.Type), s.Key));
        Assert.All(StrategyCatalog.All, s => Assert.False(string.IsNullOrWhiteSpace(s.DisplayName)));
        Assert.All(StrategyCatalog.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
    }

    [Theory]
    [InlineData(StrategyType.StatisticalArbitrage, "short")]
    [InlineData(StrategyType.MarketMaking, "order book")]
    [InlineData(StrategyType.WhaleFollowing, "on-chain")]
    [InlineData(StrategyType.LiquidationHunting, "funding-rate")]
    [InlineData(StrategyType.YieldOptimization, "yield")]
    public void UnavailableTypes_SayWhichDataTheyNeed(StrategyType type, string mentions)
    {
        var info = StrategyCatalog.Get(type);

        Assert.False(info.IsAvailable);
        Assert.Null(info.Schema);
        Assert.Contains(mentions, info.UnavailableReason);
        var error = Assert.Single(StrategyCatalog.Validate(type, new JsonObject()));
        Assert.Equal($"{info.Key} is not available: {info.UnavailableReason}", error.Message);
        Assert.Throws<StrategyConfigException>(() => StrategyCatalog.Normalise(type, new JsonObject()));
        var ex = Assert.Throws<NotSupportedException>(() => StrategyEngine.Evaluate(type, null, new StrategyInput(Bars.FromCloses([100, 101]))));
        Assert.Contains(info.UnavailableReason!, ex.Message);
    }

    [Fact]
    public void AvailableTypes_HaveASchema_AndChartQualityIsAFilterNotAStrategy()
    {
        var available = StrategyCatalog.All.Where(s => s.IsAvailable).Select(s => s.Type).ToArray();

        Assert.Equal([StrategyType.GridTrading, StrategyType.Dca, StrategyType.Momentum, StrategyType.MeanReversion, StrategyType.FollowModel, StrategyType.ChartQuality], available);
        Assert.All(StrategyCatalog.All.Where(s => s.IsAvailable), s => Assert.NotNull(s.Schema));
        var chart = StrategyCatalog.Get(StrategyType.ChartQuality);
        Assert.False(chart.IsStandalone);
        Assert.Equal(["chart_quality_enabled", "chart_quality_min_score", "chart_quality_max_gap_frequency", "chart_quality_min_daily_range_pct",
            "chart_quality_max_extreme_candle_frequency", "chart_quality_lookback", "chart_quality_gap_threshold_pct", "chart_quality_extreme_range_multiple",
            "min_absolute_avg_volume", "avg_volume_period"], chart.Schema!.Fields.Select(f => f.Key));
        Assert.Throws<NotSupportedException>(() => StrategyEngine.Evaluate(StrategyType.ChartQuality, null, new StrategyInput(Bars.FromCloses([100, 101]))));
    }

    public static TheoryData<StrategyType> Available => new(StrategyCatalog.All.Where(s => s.IsAvailable).Select(s => s.Type));

    [Theory]
    [MemberData(nameof(Available))]
    public void EverySchemaField_HasALabelHelpAndADefaultOfItsKindWithinItsBounds(StrategyType type)
    {
        var schema = StrategyCatalog.Get(type).Schema!;

        Assert.All(schema.Fields, f =>
        {
            Assert.False(string.IsNullOrWhiteSpace(f.Label));
            Assert.False(string.IsNullOrWhiteSpace(f.Help));
            Assert.False(string.IsNullOrWhiteSpace(f.Group));
            switch (f.Kind)
            {
                case FieldKind.Int: Assert.IsType<int>(f.Default); break;
                case FieldKind.Decimal: Assert.True(f.Default is double || (f.Default is null && f.AllowNull)); break;
                case FieldKind.Bool: Assert.IsType<bool>(f.Default); break;
                case FieldKind.Choice: Assert.Contains(Assert.IsType<string>(f.Default), f.Choices!); break;
            }
            if (f.Default is int or double && f.Kind != FieldKind.Choice)
            {
                var value = Convert.ToDouble(f.Default, System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(value, f.Min!.Value, f.Max!.Value);
            }
        });
        Assert.Empty(schema.Validate(schema.Defaults()));
    }

    [Fact]
    public void MeanReversionDefaults_AreTheSeeds()
    {
        var d = StrategyCatalog.Normalise(StrategyType.MeanReversion, (JsonObject?)null);

        Assert.Equal(10, (int)d["rsi_period"]!);
        Assert.Equal(30, (double)d["rsi_oversold"]!);
        Assert.Equal(20, (double)d["rsi_extreme_oversold"]!);
        Assert.Equal(40, (double)d["rsi_near_oversold"]!);
        Assert.True((bool)d["exit_on_ema9_or_rsi50"]!);
        Assert.Equal(0.08, (double)d["default_stop_loss_pct"]!);
        Assert.Equal(0.10, (double)d["default_target_pct"]!);
        Assert.True((bool)d["chart_quality_enabled"]!);
        Assert.Equal(50, (double)d["chart_quality_min_score"]!);
        Assert.Equal(25, (double)d["chart_quality_max_gap_frequency"]!);
        Assert.Equal(1.0, (double)d["chart_quality_min_daily_range_pct"]!);
        Assert.Equal(20, (double)d["chart_quality_max_extreme_candle_frequency"]!);
        Assert.Equal(10_000, (int)d["min_absolute_avg_volume"]!);
        Assert.Equal("near_oversold_only", (string)d["trend_filter"]!);
        var f = StrategyCatalog.Normalise(StrategyType.FollowModel, (JsonObject?)null);
        Assert.Equal(0.5, (double)f["ml_confidence_threshold"]!);
        Assert.True((bool)f["ml_combine_with_rules"]!);
        Assert.Equal(10, (int)f["rsi_period"]!);
        var s = SizingRules.Schema.Defaults();
        Assert.Equal(200_000, (double)s["user_capital"]!);
        Assert.Equal(6, (int)s["max_portfolio_size"]!);
        Assert.Equal(0.10, (double)s["max_position_volume_ratio"]!);
    }

    [Fact]
    public void TypedConfigsFromDefaults_EqualTheRecordDefaults()
    {
        Assert.Equal(new MeanReversionConfig(), MeanReversionConfig.FromJson(null));
        Assert.Equal(new MomentumConfig(), MomentumConfig.FromJson(null));
        Assert.Equal(new DcaConfig(), DcaConfig.FromJson(null));
        Assert.Equal(new GridConfig(), GridConfig.FromJson(null));
        Assert.Equal(new FollowModelConfig(), FollowModelConfig.FromJson(null));
        Assert.Equal(new SizingRules(), SizingRules.FromJson(null));
    }

    [Fact]
    public void Normalise_KeepsGivenValues_AndFillsTheRest()
    {
        var n = StrategyCatalog.Normalise(StrategyType.MeanReversion, Json("""{"rsi_period": 14, "default_stop_loss_pct": null, "trend_filter": "off"}"""));
        var typed = MeanReversionConfig.FromJson(n);

        Assert.Equal(StrategyCatalog.Get(StrategyType.MeanReversion).Schema!.Fields.Select(f => f.Key), n.Select(p => p.Key));
        Assert.Equal(14, typed.RsiPeriod);
        Assert.Null(typed.DefaultStopLossPct);
        Assert.Equal(TrendFilterScope.Off, typed.TrendFilter);
        Assert.Equal(30, typed.RsiOversold);
    }

    [Fact]
    public void Validate_NamesTheFieldAndTheRule()
    {
        Assert.Equal(["rsi_oversold must be between 1 and 99; got 120"], Messages(StrategyType.MeanReversion, """{"rsi_oversold": 120}"""));
        Assert.Equal(["rsi_period must be a whole number; got 10.5"], Messages(StrategyType.MeanReversion, """{"rsi_period": 10.5}"""));
        Assert.Equal(["rsi_period must be a number; got \"ten\""], Messages(StrategyType.MeanReversion, """{"rsi_period": "ten"}"""));
        Assert.Equal(["exit_on_ema9_or_rsi50 must be true or false; got 1"], Messages(StrategyType.MeanReversion, """{"exit_on_ema9_or_rsi50": 1}"""));
        Assert.Equal(["trend_filter must be one of near_oversold_only, all_entries, off; got \"sometimes\""],
            Messages(StrategyType.MeanReversion, """{"trend_filter": "sometimes"}"""));
        Assert.Equal(["rsi_period is required; got null"], Messages(StrategyType.MeanReversion, """{"rsi_period": null}"""));
        Assert.Equal(["min_absolute_avg_volume must be between 0 and 2147483647; got 10000000000"],
            Messages(StrategyType.Dca, """{"min_absolute_avg_volume": 10000000000}"""));
        Assert.Equal(["ml_confidence_threshold must be between 0 and 1; got 1.5"], Messages(StrategyType.FollowModel, """{"ml_confidence_threshold": 1.5}"""));
    }

    [Fact]
    public void Validate_AcceptsAWholeNumberWrittenWithADecimalPoint()
    {
        Assert.Empty(Messages(StrategyType.MeanReversion, """{"rsi_period": 14.0}"""));
        Assert.Equal(14, MeanReversionConfig.FromJson(Json("""{"rsi_period": 14.0}""")).RsiPeriod);
    }

    [Fact]
    public void Validate_RejectsUnknownKeys_ListingTheKnownOnes()
    {
        // The trading-ai seed's example row: its "symbol" picks the instrument, which is the trading service's job.
        var errors = StrategyCatalog.Validate(StrategyType.Momentum,
            Json("""{"symbol": "BTC/USDT", "lookback_period": 14, "rsi_period": 14, "momentum_threshold": 0.05}"""));

        var error = Assert.Single(errors);
        Assert.Equal("symbol", error.Field);
        Assert.StartsWith("symbol is not a setting of momentum; expected one of lookback_period, momentum_threshold, ema_period,", error.Message);
    }

    [Fact]
    public void Validate_CrossFieldRules_RunOnceTheFieldsAreValid()
    {
        Assert.Equal(["rsi_extreme_oversold (35) must not exceed rsi_oversold (30)"], Messages(StrategyType.MeanReversion, """{"rsi_extreme_oversold": 35}"""));
        Assert.Equal(["rsi_oversold (45) must not exceed rsi_near_oversold (40)"], Messages(StrategyType.FollowModel, """{"rsi_oversold": 45}"""));
        Assert.Equal(["centre_price must be above 0 when centre is fixed"], Messages(StrategyType.GridTrading, """{"centre": "fixed"}"""));
        Assert.Equal(["levels_each_side × grid_spacing_pct must be below 1 (the lowest level would be at or below 0); got 1.2"],
            Messages(StrategyType.GridTrading, """{"levels_each_side": 12, "grid_spacing_pct": 0.1}"""));
    }

    [Fact]
    public void Validate_ReportsEveryBrokenField()
    {
        var errors = StrategyCatalog.Validate(StrategyType.Dca, Json("""{"order_notional": 0, "interval": "daily", "extra": true}"""));

        Assert.Equal(["extra", "order_notional", "interval"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Validate_FromAJsonElement_RequiresAnObject()
    {
        using var array = JsonDocument.Parse("[1, 2]");
        using var obj = JsonDocument.Parse("""{"rsi_oversold": 120}""");

        Assert.Equal(["mean_reversion config must be a JSON object; got array"],
            StrategyCatalog.Validate(StrategyType.MeanReversion, array.RootElement).Select(e => e.Message));
        Assert.Equal(["rsi_oversold must be between 1 and 99; got 120"],
            StrategyCatalog.Validate(StrategyType.MeanReversion, obj.RootElement).Select(e => e.Message));
        Assert.Equal(30, (double)StrategyCatalog.Normalise(StrategyType.MeanReversion, JsonDocument.Parse("{}").RootElement)["rsi_oversold"]!);
    }

    [Fact]
    public void Normalise_OfAnInvalidConfig_ThrowsWithTheErrors()
    {
        var ex = Assert.Throws<StrategyConfigException>(() => StrategyCatalog.Normalise(StrategyType.MeanReversion, Json("""{"rsi_oversold": 120}""")));

        Assert.Equal("rsi_oversold", Assert.Single(ex.Errors).Field);
        Assert.Equal("Invalid mean_reversion config: rsi_oversold must be between 1 and 99; got 120", ex.Message);
    }

    [Fact]
    public void Engine_EvaluatesFromTheStoredJson()
    {
        // RSI(10) = 20 on these closes; filters off through the JSON.
        var input = new StrategyInput(Bars.FromCloses([100, 101, 100, 99, 98, 97, 98, 97, 96, 95, 94]));
        var config = Json("""{"chart_quality_enabled": false, "rsi_extreme_oversold": 20}""");

        var signal = StrategyEngine.Evaluate(StrategyType.MeanReversion, config, input);

        Assert.Equal(SignalAction.Buy, signal.Action);
        Assert.Equal("RSI(10) 20 ≤ extreme oversold 20", signal.Reason);
        Assert.Throws<StrategyConfigException>(() => StrategyEngine.Evaluate(StrategyType.MeanReversion, Json("""{"rsi_period": 1}"""), input));
    }
}
