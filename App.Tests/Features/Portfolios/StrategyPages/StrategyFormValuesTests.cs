using System.Globalization;
using System.Text.Json.Nodes;
using Signalbook.Features.Portfolios.StrategyPages;
using Signalbook.Features.Portfolios.Strategies;

namespace Signalbook.Tests.Features.Portfolios.StrategyPages;

public sealed class StrategyFormValuesTests
{
    [Fact]
    public void Load_FillsDefaults_NumbersAsInvariantText_NullAsEmpty()
    {
        var values = new StrategyFormValues(MomentumStrategy.Schema, JsonNode.Parse("""{"momentum_threshold": 0.075, "default_stop_loss_pct": null}""")!.AsObject());

        Assert.Equal("0.075", values.GetText("momentum_threshold"));
        Assert.Equal("14", values.GetText("lookback_period"));
        Assert.Null(values.GetText("default_stop_loss_pct"));
        Assert.True(values.GetFlag("chart_quality_enabled") == (bool)MomentumStrategy.Schema.Field("chart_quality_enabled")!.Default!);
    }

    [Fact]
    public void ToConfig_ParsesInvariantly_WhateverTheCulture_EmptyIsNull_AndAWordStaysAStringForTheSchemaToRefuse()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var values = new StrategyFormValues(MomentumStrategy.Schema, null);
            values.SetText("momentum_threshold", " 0.1 ");
            values.SetText("default_target_pct", "");
            values.SetText("ema_period", "fifty");
            values.SetFlag("chart_quality_enabled", false);

            var config = values.ToConfig();

            Assert.Equal(0.1, config["momentum_threshold"]!.GetValue<double>());
            Assert.Null(config["default_target_pct"]);
            Assert.Equal("fifty", config["ema_period"]!.GetValue<string>());
            Assert.False(config["chart_quality_enabled"]!.GetValue<bool>());
            var error = Assert.Single(MomentumStrategy.Schema.Validate(config));
            Assert.Equal("ema_period must be a number; got \"fifty\"", error.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Helper_SaysTheRange_WholeNumbers_AndThatOptionalFieldsMayBeEmpty()
    {
        Assert.EndsWith("Between 2 and 250, a whole number.", StrategyFormat.Helper(MomentumStrategy.Schema.Field("lookback_period")!));
        Assert.EndsWith("Between 0.001 and 0.9. Leave empty to switch it off.", StrategyFormat.Helper(MomentumStrategy.Schema.Field("default_stop_loss_pct")!));
        Assert.EndsWith("At least 0, a whole number.", StrategyFormat.Helper(MomentumStrategy.Schema.Field("min_absolute_avg_volume")!));
    }
}
