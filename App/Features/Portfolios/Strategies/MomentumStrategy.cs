using System.Text.Json.Nodes;
using Signalbook.Features.Indicators;

namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>Momentum settings; key names follow the trading-ai seed's example row (lookback_period, rsi_period, momentum_threshold).</summary>
public sealed record MomentumConfig
{
    public int LookbackPeriod { get; init; } = 14;

    /// <summary>Minimum lookback return as a fraction (0.05 = 5%).</summary>
    public double MomentumThreshold { get; init; } = 0.05;

    public int EmaPeriod { get; init; } = 50;

    public int RsiPeriod { get; init; } = 14;

    /// <summary>No entry when RSI is above this (chasing an overbought move); 100 switches the guard off.</summary>
    public double RsiMaxEntry { get; init; } = 80;

    public double? DefaultStopLossPct { get; init; } = 0.08;

    /// <summary>Null (the default): no fixed target, the momentum exit decides.</summary>
    public double? DefaultTargetPct { get; init; }

    public EntryFilterConfig Filters { get; init; } = new();

    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public static MomentumConfig FromJson(JsonObject? config)
    {
        var v = MomentumStrategy.Schema.Read(config);
        return FromValues(v) with
        {
            DefaultStopLossPct = v.OptionalNumber("default_stop_loss_pct"),
            DefaultTargetPct = v.OptionalNumber("default_target_pct"),
            Filters = EntryFilterConfig.From(v),
        };
    }

    internal static MomentumConfig FromValues(ConfigValues v) => new()
    {
        LookbackPeriod = v.Int("lookback_period"),
        MomentumThreshold = v.Number("momentum_threshold"),
        EmaPeriod = v.Int("ema_period"),
        RsiPeriod = v.Int("rsi_period"),
        RsiMaxEntry = v.Number("rsi_max_entry"),
    };
}

/// <summary>
/// Momentum, long only. r = close_t / close_{t−lookback_period} − 1 (Kernels.Roc / 100).
/// Entry (flat): r ≥ momentum_threshold, close &gt; EMA(ema_period) and RSI(rsi_period) ≤ rsi_max_entry.
/// Exit (long): the stop or target from average cost; then r &lt; 0 (momentum turned negative) or close &lt; EMA.
/// </summary>
public static class MomentumStrategy
{
    private static readonly MomentumConfig D = new();

    internal static IReadOnlyList<ConfigField> RuleFields { get; } =
    [
        ConfigField.Int("lookback_period", "Lookback (days)", D.LookbackPeriod, 2, 250, "Momentum",
            "The return is measured over this many trading days."),
        ConfigField.Number("momentum_threshold", "Momentum threshold", D.MomentumThreshold, 0, 2, "Momentum",
            "Minimum return over the lookback to enter, as a fraction (0.05 = 5%)."),
        ConfigField.Int("ema_period", "EMA period", D.EmaPeriod, 2, 400, "Momentum",
            "The close must be above this EMA to enter; a close below it exits."),
        ConfigField.Number("rsi_max_entry", "Maximum RSI at entry", D.RsiMaxEntry, 1, 100, "Momentum",
            "Do not chase: no entry while RSI is above this (100 switches it off)."),
    ];

    internal static ConfigField RsiPeriodField { get; } =
        ConfigField.Int("rsi_period", "RSI period", D.RsiPeriod, 2, 100, "Momentum", "Bars in Wilder's RSI for the maximum-RSI guard.");

    public static ConfigSchema Schema { get; } = new("momentum",
    [
        .. RuleFields,
        RsiPeriodField,
        ConfigField.OptionalNumber("default_stop_loss_pct", "Stop loss", D.DefaultStopLossPct, 0.001, 0.9, "Exit",
            "Fraction below the entry (0.08 = 8%); empty for no stop."),
        ConfigField.OptionalNumber("default_target_pct", "Target", D.DefaultTargetPct, 0.001, 10, "Exit",
            "Fraction above the entry; empty (default) to let the momentum exit decide."),
        .. EntryFilterConfig.Fields,
    ]);

    public static StrategySignal Evaluate(MomentumConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (StrategyRules.Precheck(input) is { } early) return early;
        var close = input.Close;
        var t = input.T;
        var (r, ema) = Indicators(config, close, t);
        if (double.IsNaN(r)) return StrategyRules.NotEnoughHistory($"the {config.LookbackPeriod}-day return", config.LookbackPeriod + 1, input.Count);
        if (double.IsNaN(ema)) return StrategyRules.NotEnoughHistory($"EMA({config.EmaPeriod})", config.EmaPeriod, input.Count);
        var price = close[t];
        var rText = $"{config.LookbackPeriod}-day return {Fmt.Pct(r)}";
        var emaText = $"EMA({config.EmaPeriod}) {Fmt.Price(ema)}";

        if (input.Position.IsLong)
        {
            if (StrategyRules.ProtectiveExit(input, config.DefaultStopLossPct, config.DefaultTargetPct) is { } protective) return protective;
            if (r < 0) return StrategySignal.Exit($"Momentum turned negative: {rText} < 0");
            if (price < ema) return StrategySignal.Exit($"Close {Fmt.Price(price)} < {emaText}");
            return StrategySignal.None($"Holding: {rText} ≥ 0 and close {Fmt.Price(price)} ≥ {emaText}");
        }

        var entry = Entry(config, close, t);
        if (!entry.Agrees) return StrategySignal.None(entry.Text);
        var buy = new StrategySignal(SignalAction.Buy, entry.Text,
            StrategyRules.StopPrice(price, config.DefaultStopLossPct), StrategyRules.TargetPrice(price, config.DefaultTargetPct));
        return EntryFilters.Apply(config.Filters, input, buy);
    }

    private static (double Return, double Ema) Indicators(MomentumConfig config, ReadOnlySpan<double> close, int t)
    {
        var window = close[..(t + 1)];
        return (Kernels.Roc(window, config.LookbackPeriod).Roc[t] / 100, Kernels.Ema(window, config.EmaPeriod)[t]);
    }

    /// <summary>Whether the momentum entry holds on day t, and the numbers. Uses only close[0..t].</summary>
    internal static (bool Agrees, string Text) Entry(MomentumConfig config, ReadOnlySpan<double> close, int t)
    {
        var (r, ema) = Indicators(config, close, t);
        if (double.IsNaN(r) || double.IsNaN(ema))
            return (false, $"Not enough history: momentum needs {Math.Max(config.LookbackPeriod + 1, config.EmaPeriod)} bars, have {t + 1}");
        var price = close[t];
        var rText = $"{config.LookbackPeriod}-day return {Fmt.Pct(r)}";
        var emaText = $"EMA({config.EmaPeriod}) {Fmt.Price(ema)}";
        if (r < config.MomentumThreshold) return (false, $"No entry: {rText} < threshold {Fmt.Pct(config.MomentumThreshold)}");
        if (price <= ema) return (false, $"No entry: {rText} but close {Fmt.Price(price)} ≤ {emaText}");
        if (config.RsiMaxEntry < 100)
        {
            var rsi = Kernels.Rsi(close[..(t + 1)], config.RsiPeriod)[t];
            if (double.IsNaN(rsi)) return (false, $"Not enough history: RSI({config.RsiPeriod}) needs {config.RsiPeriod + 1} bars, have {t + 1}");
            if (rsi > config.RsiMaxEntry)
                return (false, $"No entry: {rText} but RSI({config.RsiPeriod}) {Fmt.N(rsi, 1)} > rsi_max_entry {Fmt.N(config.RsiMaxEntry)} (overbought)");
        }
        return (true, $"{rText} ≥ threshold {Fmt.Pct(config.MomentumThreshold)} and close {Fmt.Price(price)} > {emaText}");
    }
}
