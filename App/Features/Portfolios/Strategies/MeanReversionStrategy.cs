using System.Text.Json.Nodes;
using Signalbook.Features.Indicators;

namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>Which RSI entries need the trend (close above EMA(trend_ema_period)) to agree.</summary>
public enum TrendFilterScope
{
    /// <summary>Only the weakest tier (RSI between rsi_oversold and rsi_near_oversold) needs the trend: the default.</summary>
    NearOversoldOnly,

    /// <summary>Every entry needs the trend (the source app's "RSI below 30 above EMA 200" rule).</summary>
    AllEntries,

    /// <summary>No trend filter: the near-oversold tier is then an entry on its own.</summary>
    Off,
}

/// <summary>The multi-user seed's RSI rules (user_trading_config) with its defaults; percents are fractions (0.08 = 8%).</summary>
public sealed record MeanReversionConfig
{
    public int RsiPeriod { get; init; } = 10;

    public double RsiOversold { get; init; } = 30;

    public double RsiExtremeOversold { get; init; } = 20;

    public double RsiNearOversold { get; init; } = 40;

    public TrendFilterScope TrendFilter { get; init; } = TrendFilterScope.NearOversoldOnly;

    public int TrendEmaPeriod { get; init; } = 200;

    public bool ExitOnEma9OrRsi50 { get; init; } = true;

    /// <summary>Null: no stop loss (the seed's optional field; 8% when enabled).</summary>
    public double? DefaultStopLossPct { get; init; } = 0.08;

    public double? DefaultTargetPct { get; init; } = 0.10;

    public EntryFilterConfig Filters { get; init; } = new();

    /// <summary>Validates and fills defaults (see <see cref="MeanReversionStrategy.Schema"/>).</summary>
    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public static MeanReversionConfig FromJson(JsonObject? config)
    {
        var v = MeanReversionStrategy.Schema.Read(config);
        return FromValues(v) with
        {
            ExitOnEma9OrRsi50 = v.Flag("exit_on_ema9_or_rsi50"),
            DefaultStopLossPct = v.OptionalNumber("default_stop_loss_pct"),
            DefaultTargetPct = v.OptionalNumber("default_target_pct"),
            Filters = EntryFilterConfig.From(v),
        };
    }

    internal static MeanReversionConfig FromValues(ConfigValues v) => new()
    {
        RsiPeriod = v.Int("rsi_period"),
        RsiOversold = v.Number("rsi_oversold"),
        RsiExtremeOversold = v.Number("rsi_extreme_oversold"),
        RsiNearOversold = v.Number("rsi_near_oversold"),
        TrendFilter = TradingNames.Parse<TrendFilterScope>(v.Choice("trend_filter")),
        TrendEmaPeriod = v.Int("trend_ema_period"),
    };
}

/// <summary>
/// Mean reversion on RSI(rsi_period), long only.
/// Entry (flat): RSI ≤ rsi_extreme_oversold is the strongest tier, then ≤ rsi_oversold, then ≤ rsi_near_oversold;
/// with trend_filter near_oversold_only (default) the near-oversold tier also needs close &gt; EMA(trend_ema_period)
/// (200); all_entries asks it of every tier, off of none. Stop and target: close × (1 − default_stop_loss_pct) and
/// close × (1 + default_target_pct).
/// Exit (long): the stop or target measured from average cost; then, if exit_on_ema9_or_rsi50, close &gt; EMA(9) or
/// RSI ≥ 50. No adding to a long.
/// </summary>
public static class MeanReversionStrategy
{
    private static readonly MeanReversionConfig D = new();

    /// <summary>The RSI settings shared with follow_model's combined rules.</summary>
    internal static IReadOnlyList<ConfigField> RuleFields { get; } =
    [
        ConfigField.Int("rsi_period", "RSI period", D.RsiPeriod, 2, 100, "RSI entry",
            "Bars in Wilder's RSI."),
        ConfigField.Number("rsi_extreme_oversold", "Extreme oversold", D.RsiExtremeOversold, 1, 99, "RSI entry",
            "RSI at or below this is the strongest entry."),
        ConfigField.Number("rsi_oversold", "Oversold", D.RsiOversold, 1, 99, "RSI entry",
            "RSI at or below this is an entry."),
        ConfigField.Number("rsi_near_oversold", "Near oversold", D.RsiNearOversold, 1, 99, "RSI entry",
            "RSI at or below this is an entry only when the trend filter agrees."),
        ConfigField.Choice("trend_filter", "Trend filter", TradingNames.ToDb(D.TrendFilter), TradingNames.All<TrendFilterScope>(), "RSI entry",
            "Which entries need close above EMA(trend_ema_period): near_oversold_only, all_entries, or off."),
        ConfigField.Int("trend_ema_period", "Trend EMA period", D.TrendEmaPeriod, 5, 400, "RSI entry",
            "EMA the close must be above for the trend filter to agree."),
    ];

    public static ConfigSchema Schema { get; } = new("mean_reversion",
    [
        .. RuleFields,
        ConfigField.Flag("exit_on_ema9_or_rsi50", "Exit on EMA(9) or RSI 50", D.ExitOnEma9OrRsi50, "Exit",
            "Exit a long when the close rises above EMA(9) or RSI reaches 50."),
        ConfigField.OptionalNumber("default_stop_loss_pct", "Stop loss", D.DefaultStopLossPct, 0.001, 0.9, "Exit",
            "Fraction below the entry (0.08 = 8%); empty for no stop."),
        ConfigField.OptionalNumber("default_target_pct", "Target", D.DefaultTargetPct, 0.001, 10, "Exit",
            "Fraction above the entry (0.10 = 10%); empty for no target."),
        .. EntryFilterConfig.Fields,
    ], RuleChecks);

    internal static IEnumerable<ConfigError> RuleChecks(ConfigValues v)
    {
        var (extreme, oversold, near) = (v.Number("rsi_extreme_oversold"), v.Number("rsi_oversold"), v.Number("rsi_near_oversold"));
        if (extreme > oversold)
            yield return new ConfigError("rsi_extreme_oversold", $"rsi_extreme_oversold ({Fmt.N(extreme)}) must not exceed rsi_oversold ({Fmt.N(oversold)})");
        if (oversold > near)
            yield return new ConfigError("rsi_oversold", $"rsi_oversold ({Fmt.N(oversold)}) must not exceed rsi_near_oversold ({Fmt.N(near)})");
    }

    public static StrategySignal Evaluate(MeanReversionConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (StrategyRules.Precheck(input) is { } early) return early;
        var close = input.Close;
        var t = input.T;
        var rsi = Kernels.Rsi(close, config.RsiPeriod)[t];
        if (double.IsNaN(rsi)) return StrategyRules.NotEnoughHistory($"RSI({config.RsiPeriod})", config.RsiPeriod + 1, input.Count);
        var price = close[t];
        var rsiText = $"RSI({config.RsiPeriod}) {Fmt.N(rsi, 1)}";

        if (input.Position.IsLong)
        {
            if (StrategyRules.ProtectiveExit(input, config.DefaultStopLossPct, config.DefaultTargetPct) is { } protective) return protective;
            if (!config.ExitOnEma9OrRsi50) return StrategySignal.None($"Holding: {rsiText}; exit_on_ema9_or_rsi50 is off");
            var ema9 = Kernels.Ema(close, 9)[t];
            if (price > ema9) return StrategySignal.Exit($"Close {Fmt.Price(price)} > EMA(9) {Fmt.Price(ema9)}");
            if (rsi >= 50) return StrategySignal.Exit($"{rsiText} ≥ 50");
            return StrategySignal.None($"Holding: {rsiText} < 50 and close {Fmt.Price(price)} ≤ EMA(9) {(double.IsNaN(ema9) ? "n/a" : Fmt.Price(ema9))}");
        }

        var entry = Entry(config, close, t);
        if (!entry.Agrees)
            return new StrategySignal(SignalAction.None, entry.Text, BlockedBy: entry.BlockedBy);
        var buy = new StrategySignal(SignalAction.Buy, entry.Text,
            StrategyRules.StopPrice(price, config.DefaultStopLossPct), StrategyRules.TargetPrice(price, config.DefaultTargetPct));
        return EntryFilters.Apply(config.Filters, input, buy);
    }

    /// <summary>The RSI entry tier on day t, or why there is none. Uses only close[0..t].</summary>
    internal static (bool Agrees, string Text, string? BlockedBy) Entry(MeanReversionConfig config, ReadOnlySpan<double> close, int t)
    {
        var rsi = Kernels.Rsi(close[..(t + 1)], config.RsiPeriod)[t];
        var rsiText = $"RSI({config.RsiPeriod}) {Fmt.N(rsi, 1)}";
        if (double.IsNaN(rsi)) return (false, $"Not enough history: RSI({config.RsiPeriod}) needs {config.RsiPeriod + 1} bars, have {t + 1}", null);
        string tier;
        if (rsi <= config.RsiExtremeOversold) tier = $"{rsiText} ≤ extreme oversold {Fmt.N(config.RsiExtremeOversold)}";
        else if (rsi <= config.RsiOversold) tier = $"{rsiText} ≤ oversold {Fmt.N(config.RsiOversold)}";
        else if (rsi <= config.RsiNearOversold) tier = $"{rsiText} ≤ near oversold {Fmt.N(config.RsiNearOversold)}";
        else return (false, $"No entry: {rsiText} > near oversold {Fmt.N(config.RsiNearOversold)}", null);

        var near = rsi > config.RsiOversold;
        var needsTrend = config.TrendFilter == TrendFilterScope.AllEntries || (config.TrendFilter == TrendFilterScope.NearOversoldOnly && near);
        if (!needsTrend) return (true, tier, null);
        var ema = Kernels.Ema(close[..(t + 1)], config.TrendEmaPeriod)[t];
        var emaText = $"EMA({config.TrendEmaPeriod})";
        if (double.IsNaN(ema))
            return (false, $"{tier} but the trend filter's {emaText} needs {config.TrendEmaPeriod} bars, have {t + 1}", "trend_filter");
        return close[t] > ema
            ? (true, $"{tier} and close {Fmt.Price(close[t])} > {emaText} {Fmt.Price(ema)}", null)
            : (false, $"{tier} but close {Fmt.Price(close[t])} ≤ {emaText} {Fmt.Price(ema)} (trend filter)", "trend_filter");
    }
}
