using System.Text.Json;
using System.Text.Json.Nodes;

namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>
/// One strategy type for the UI: its database key (the seed's snake_case), name, description, whether it can be used
/// and, if not, why; whether it is a standalone strategy (chart_quality is a filter on every strategy's entries, and
/// its schema is the filter settings each strategy's config holds); and its config schema (null when unavailable).
/// </summary>
public sealed record StrategyInfo(
    StrategyType Type,
    string Key,
    string DisplayName,
    string Description,
    bool IsAvailable,
    bool IsStandalone,
    string? UnavailableReason,
    ConfigSchema? Schema);

public static class StrategyCatalog
{
    public static ConfigSchema ChartQualitySchema { get; } = new("chart_quality", EntryFilterConfig.Fields);

    public static IReadOnlyList<StrategyInfo> All { get; } =
    [
        Available(StrategyType.GridTrading, "Grid trading",
            "Buys a fixed amount at each price level crossed on the way down and sells it at each level crossed on the way up, around a fixed or moving-average centre.",
            GridStrategy.Schema),
        Available(StrategyType.Dca, "Dollar-cost averaging",
            "Buys a fixed amount every N trading days, weekly or monthly, optionally only below the moving average; sells only at an optional take profit.",
            DcaStrategy.Schema),
        Available(StrategyType.Momentum, "Momentum",
            "Buys when the N-day return is above a threshold and the close is above its EMA; exits when the return turns negative or the close falls below the EMA.",
            MomentumStrategy.Schema),
        Available(StrategyType.MeanReversion, "Mean reversion (RSI)",
            "Buys oversold dips on RSI tiers (extreme, oversold, near oversold with the trend); exits when the close is back above EMA(9) or RSI reaches 50.",
            MeanReversionStrategy.Schema),
        Available(StrategyType.FollowModel, "Follow the model",
            "Acts on fresh, confident model recommendations (BUY buys with its stop and target, SELL exits), optionally only when the rules agree.",
            FollowModelStrategy.Schema),
        new(StrategyType.ChartQuality, TradingNames.ToDb(StrategyType.ChartQuality), "Chart quality filter",
            "Not a strategy on its own: refuses any strategy's entries on gappy, flat or erratic charts and on thinly traded instruments. Its settings are part of every strategy's config.",
            IsAvailable: true, IsStandalone: false, UnavailableReason: null, ChartQualitySchema),
        Unavailable(StrategyType.StatisticalArbitrage, "Statistical arbitrage",
            "Trades the spread between co-moving instruments.",
            "needs a spread traded across two or more instruments at once with short selling; the signal kernels see one instrument at a time and the paper account is long-only"),
        Unavailable(StrategyType.MarketMaking, "Market making",
            "Quotes both sides of the book and earns the spread.",
            "needs the live order book (bid/ask depth) and intraday quoting; the app has daily bars only"),
        Unavailable(StrategyType.WhaleFollowing, "Whale following",
            "Copies large holders' trades.",
            "needs on-chain wallet flows or large-holder trade feeds the app does not have"),
        Unavailable(StrategyType.LiquidationHunting, "Liquidation hunting",
            "Trades around forced liquidations of leveraged positions.",
            "needs derivatives liquidation, open-interest and funding-rate data the app does not have"),
        Unavailable(StrategyType.YieldOptimization, "Yield optimisation",
            "Moves funds between staking, lending and funding-rate yields.",
            "needs staking, lending and funding-rate yield data (DeFi protocols) the app does not have; it trades instruments from daily bars"),
    ];

    public static StrategyInfo Get(StrategyType type) =>
        All.FirstOrDefault(s => s.Type == type) ?? throw new ArgumentOutOfRangeException(nameof(type), type, "Not a strategy type.");

    /// <summary>Errors naming the field and the rule; empty when valid. An unavailable type gives one error with its reason.</summary>
    public static IReadOnlyList<ConfigError> Validate(StrategyType type, JsonObject? config) =>
        Schema(type, out var error) is { } schema ? schema.Validate(config) : [error!];

    public static IReadOnlyList<ConfigError> Validate(StrategyType type, JsonElement config) =>
        Schema(type, out var error) is { } schema ? schema.Validate(config) : [error!];

    /// <summary>The config with every default filled in.</summary>
    /// <exception cref="StrategyConfigException">The config is invalid or the type unavailable.</exception>
    public static JsonObject Normalise(StrategyType type, JsonObject? config) =>
        Schema(type, out var error) is { } schema ? schema.Normalise(config) : throw new StrategyConfigException(TradingNames.ToDb(type), [error!]);

    public static JsonObject Normalise(StrategyType type, JsonElement config) =>
        Schema(type, out var error) is { } schema ? schema.Normalise(config) : throw new StrategyConfigException(TradingNames.ToDb(type), [error!]);

    private static ConfigSchema? Schema(StrategyType type, out ConfigError? error)
    {
        var info = Get(type);
        error = info.Schema is null ? new ConfigError("", $"{info.Key} is not available: {info.UnavailableReason}") : null;
        return info.Schema;
    }

    private static StrategyInfo Available(StrategyType type, string name, string description, ConfigSchema schema) =>
        new(type, TradingNames.ToDb(type), name, description, IsAvailable: true, IsStandalone: true, UnavailableReason: null, schema);

    private static StrategyInfo Unavailable(StrategyType type, string name, string description, string reason) =>
        new(type, TradingNames.ToDb(type), name, description, IsAvailable: false, IsStandalone: false, reason, Schema: null);
}

/// <summary>Evaluates a strategy from its stored type and config JSON.</summary>
public static class StrategyEngine
{
    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    /// <exception cref="NotSupportedException">The type is unavailable, or chart_quality (a filter, not a strategy).</exception>
    public static StrategySignal Evaluate(StrategyType type, JsonObject? config, StrategyInput input) => type switch
    {
        StrategyType.Momentum => MomentumStrategy.Evaluate(MomentumConfig.FromJson(config), input),
        StrategyType.MeanReversion => MeanReversionStrategy.Evaluate(MeanReversionConfig.FromJson(config), input),
        StrategyType.Dca => DcaStrategy.Evaluate(DcaConfig.FromJson(config), input),
        StrategyType.GridTrading => GridStrategy.Evaluate(GridConfig.FromJson(config), input),
        StrategyType.FollowModel => FollowModelStrategy.Evaluate(FollowModelConfig.FromJson(config), input),
        StrategyType.ChartQuality => throw new NotSupportedException("chart_quality is a filter applied to every strategy's entries, not a strategy to evaluate."),
        _ => throw new NotSupportedException($"{TradingNames.ToDb(type)} is not available: {StrategyCatalog.Get(type).UnavailableReason}"),
    };
}
