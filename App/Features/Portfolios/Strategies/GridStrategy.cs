using System.Text.Json.Nodes;
using Signalbook.Features.Indicators;

namespace Signalbook.Features.Portfolios.Strategies;

public enum GridCentre
{
    /// <summary>The grid is centred on centre_price.</summary>
    Fixed,

    /// <summary>The grid is centred on SMA(centre_period) of the closes up to the day before.</summary>
    Average,
}

public sealed record GridConfig
{
    public GridCentre Centre { get; init; } = GridCentre.Average;

    /// <summary>Centre when <see cref="Centre"/> is fixed; must then be above 0.</summary>
    public double CentrePrice { get; init; }

    public int CentrePeriod { get; init; } = 20;

    /// <summary>Distance between levels as a fraction of the centre (0.02 = 2%).</summary>
    public double GridSpacingPct { get; init; } = 0.02;

    /// <summary>Levels above and below the centre (the centre is a level too): 2 × this + 1 levels.</summary>
    public int LevelsEachSide { get; init; } = 5;

    /// <summary>Amount bought (and sold) at each level.</summary>
    public decimal LevelNotional { get; init; } = 1000m;

    public int MaxOpenLevels { get; init; } = 5;

    public bool WholeShares { get; init; } = true;

    public EntryFilterConfig Filters { get; init; } = new();

    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public static GridConfig FromJson(JsonObject? config)
    {
        var v = GridStrategy.Schema.Read(config);
        return new GridConfig
        {
            Centre = TradingNames.Parse<GridCentre>(v.Choice("centre")),
            CentrePrice = v.Number("centre_price"),
            CentrePeriod = v.Int("centre_period"),
            GridSpacingPct = v.Number("grid_spacing_pct"),
            LevelsEachSide = v.Int("levels_each_side"),
            LevelNotional = v.Money("level_notional"),
            MaxOpenLevels = v.Int("max_open_levels"),
            WholeShares = v.Flag("whole_shares"),
            Filters = EntryFilterConfig.From(v),
        };
    }
}

/// <summary>
/// Grid trading, long only. Levels: centre × (1 + i × grid_spacing_pct) for i = −levels_each_side … +levels_each_side,
/// the centre being centre_price (fixed) or SMA(centre_period) as of day t − 1 (the grid resting in the book when day t
/// opens). A level is crossed downwards when close_{t−1} &gt; level ≥ close_t and upwards when close_{t−1} &lt; level ≤
/// close_t. Each level crossed down buys level_notional / close_t (whole shares by default), at most
/// max_open_levels − open levels; each level crossed up sells that much of the long. Open levels are estimated from the
/// position: round(quantity × average cost / level_notional). Buys are cut to the cash available.
/// </summary>
public static class GridStrategy
{
    private static readonly GridConfig D = new();

    public static ConfigSchema Schema { get; } = new("grid_trading",
    [
        ConfigField.Choice("centre", "Centre", TradingNames.ToDb(D.Centre), TradingNames.All<GridCentre>(), "Grid",
            "fixed: centre on centre_price; average: centre on the moving average of the closes."),
        ConfigField.Number("centre_price", "Centre price", D.CentrePrice, 0, 1e9, "Grid",
            "The grid's centre when centre is fixed."),
        ConfigField.Int("centre_period", "Centre average period (days)", D.CentrePeriod, 2, 400, "Grid",
            "Days in the moving average the grid is centred on when centre is average."),
        ConfigField.Number("grid_spacing_pct", "Level spacing", D.GridSpacingPct, 0.001, 0.5, "Grid",
            "Distance between levels as a fraction of the centre (0.02 = 2%)."),
        ConfigField.Int("levels_each_side", "Levels each side", D.LevelsEachSide, 1, 50, "Grid",
            "Number of levels above and below the centre."),
        ConfigField.Number("level_notional", "Amount per level", (double)D.LevelNotional, 1, 1e9, "Grid",
            "Amount bought at each level crossed down and sold at each level crossed up."),
        ConfigField.Int("max_open_levels", "Maximum open levels", D.MaxOpenLevels, 1, 100, "Grid",
            "No more buys while this many levels are held."),
        ConfigField.Flag("whole_shares", "Whole shares", D.WholeShares, "Grid",
            "Round each level's quantity down to whole shares."),
        .. EntryFilterConfig.Fields,
    ], Rules);

    private static IEnumerable<ConfigError> Rules(ConfigValues v)
    {
        if (v.Choice("centre") == TradingNames.ToDb(GridCentre.Fixed) && v.Number("centre_price") <= 0)
            yield return new ConfigError("centre_price", "centre_price must be above 0 when centre is fixed");
        var lowest = v.Int("levels_each_side") * v.Number("grid_spacing_pct");
        if (lowest >= 1)
            yield return new ConfigError("grid_spacing_pct",
                $"levels_each_side × grid_spacing_pct must be below 1 (the lowest level would be at or below 0); got {Fmt.N(lowest)}");
    }

    /// <summary>The grid levels in force on day t (centred as of t − 1), lowest first; empty while the average warms up.</summary>
    public static double[] Levels(GridConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (input.T < 1) return [];
        var centre = config.Centre == GridCentre.Fixed
            ? config.CentrePrice
            : Kernels.Sma(input.Close[..input.T], config.CentrePeriod)[input.T - 1];
        if (double.IsNaN(centre) || centre <= 0) return [];
        return Enumerable.Range(-config.LevelsEachSide, 2 * config.LevelsEachSide + 1)
            .Select(i => centre * (1 + i * config.GridSpacingPct)).ToArray();
    }

    public static StrategySignal Evaluate(GridConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (StrategyRules.Precheck(input) is { } early) return early;
        var levels = Levels(config, input);
        if (levels.Length == 0)
            return StrategyRules.NotEnoughHistory($"the grid centre SMA({config.CentrePeriod}) of the prior days", config.CentrePeriod + 1, input.Count);
        var (previous, price) = (input.Close[input.T - 1], input.LastClose);
        var down = levels.Where(l => previous > l && l >= price).OrderByDescending(l => l).ToArray();
        var up = levels.Where(l => previous < l && l <= price).OrderBy(l => l).ToArray();
        var open = OpenLevels(config, input);
        var perLevel = StrategyRules.Quantity(config.LevelNotional, price, config.WholeShares);
        var move = $"close {Fmt.Price(previous)} → {Fmt.Price(price)}";

        if (down.Length > 0)
        {
            var crossed = $"{move} crossed {down.Length} level{(down.Length == 1 ? "" : "s")} down ({string.Join(", ", down.Select(Fmt.Price))})";
            var room = config.MaxOpenLevels - open;
            if (room <= 0)
                return StrategySignal.Blocked($"{crossed}, but the grid is full: {open} of max_open_levels {config.MaxOpenLevels} open", "max_open_levels");
            var buying = Math.Min(down.Length, room);
            var quantity = perLevel * buying;
            var cashQuantity = StrategyRules.Quantity(input.Cash, price, config.WholeShares);
            var cut = "";
            if (quantity > cashQuantity)
            {
                quantity = cashQuantity;
                cut = $" (cut to the cash available, {Fmt.N(input.Cash, 2)})";
            }
            if (quantity <= 0)
                return StrategySignal.None($"{crossed}, but {(perLevel <= 0 ? $"level_notional {Fmt.N(config.LevelNotional, 2)} buys no whole share" : $"cash {Fmt.N(input.Cash, 2)} buys none")} at {Fmt.Price(price)}");
            var buy = new StrategySignal(SignalAction.Buy,
                $"Grid: {crossed}; buying {buying} level{(buying == 1 ? "" : "s")} ({open} open, max {config.MaxOpenLevels}): {Fmt.N(quantity, 6)} at {Fmt.Price(price)}{cut}",
                Quantity: quantity, Notional: quantity * (decimal)price);
            return EntryFilters.Apply(config.Filters, input, buy);
        }

        if (up.Length > 0)
        {
            var crossed = $"{move} crossed {up.Length} level{(up.Length == 1 ? "" : "s")} up ({string.Join(", ", up.Select(Fmt.Price))})";
            if (!input.Position.IsLong) return StrategySignal.None($"Grid: {crossed}, but there is no long to sell");
            var selling = Math.Min(up.Length, Math.Max(open, 1));
            var quantity = Math.Min(input.Position.Quantity, Math.Max(perLevel, config.WholeShares ? 1 : 0) * selling);
            return new StrategySignal(SignalAction.Sell,
                $"Grid: {crossed}; selling {selling} level{(selling == 1 ? "" : "s")} ({open} open): {Fmt.N(quantity, 6)} of {Fmt.N(input.Position.Quantity, 6)}",
                Quantity: quantity, Notional: quantity * (decimal)price);
        }

        var below = levels.Where(l => l <= price).DefaultIfEmpty(double.NaN).Max();
        var above = levels.Where(l => l > price).DefaultIfEmpty(double.NaN).Min();
        return StrategySignal.None($"Grid: {move} crossed no level (nearest {(double.IsNaN(below) ? "none" : Fmt.Price(below))} below, {(double.IsNaN(above) ? "none" : Fmt.Price(above))} above; {open} open)");
    }

    /// <summary>round(quantity × average cost (or close) / level_notional) for a long, else 0.</summary>
    public static int OpenLevels(GridConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (!input.Position.IsLong) return 0;
        var cost = input.Position.AverageCost ?? (decimal)input.LastClose;
        return (int)Math.Round(input.Position.Quantity * cost / config.LevelNotional, MidpointRounding.AwayFromZero);
    }
}
