using System.Text.Json.Nodes;

namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>The multi-user seed's capital and position settings (user_trading_config) with its defaults.</summary>
public sealed record SizingRules
{
    /// <summary>Capital per trade.</summary>
    public decimal UserCapital { get; init; } = 200_000m;

    /// <summary>Maximum open positions.</summary>
    public int MaxPortfolioSize { get; init; } = 6;

    /// <summary>Maximum share of the average daily volume one position may be (0.10 = 10%).</summary>
    public double MaxPositionVolumeRatio { get; init; } = 0.10;

    public bool WholeShares { get; init; } = true;

    /// <summary>Days in the average daily volume.</summary>
    public int AdvPeriod { get; init; } = 20;

    private static readonly SizingRules D = new();

    public static ConfigSchema Schema { get; } = new("position_sizing",
    [
        ConfigField.Number("user_capital", "Capital per trade", (double)D.UserCapital, 1, 1e12, "Sizing",
            "Amount put into each new position, in the account's currency."),
        ConfigField.Int("max_portfolio_size", "Maximum positions", D.MaxPortfolioSize, 1, 1000, "Sizing",
            "No new position while this many are open."),
        ConfigField.Number("max_position_volume_ratio", "Maximum share of daily volume", D.MaxPositionVolumeRatio, 0.0001, 1, "Sizing",
            "A position is at most this fraction of the average daily volume (0.10 = 10%)."),
        ConfigField.Flag("whole_shares", "Whole shares", D.WholeShares, "Sizing", "Round quantities down to whole shares."),
        ConfigField.Int("adv_period", "Average volume period (days)", D.AdvPeriod, 1, 250, "Sizing",
            "Days in the average daily volume."),
    ]);

    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public static SizingRules FromJson(JsonObject? config)
    {
        var v = Schema.Read(config);
        return new SizingRules
        {
            UserCapital = v.Money("user_capital"),
            MaxPortfolioSize = v.Int("max_portfolio_size"),
            MaxPositionVolumeRatio = v.Number("max_position_volume_ratio"),
            WholeShares = v.Flag("whole_shares"),
            AdvPeriod = v.Int("adv_period"),
        };
    }
}

/// <summary>A quantity and how it was reached; <see cref="LimitedBy"/> is the binding setting (user_capital,
/// max_position_volume_ratio, cash, max_portfolio_size), null when nothing could be computed.</summary>
public sealed record SizingResult(decimal Quantity, string Reason, string? LimitedBy);

/// <summary>
/// quantity = min(user_capital / price, max_position_volume_ratio × ADV, cash / price), rounded down to whole shares
/// by default (six decimals otherwise); 0 with the reason when the portfolio is full (open positions ≥
/// max_portfolio_size), there is no cash, or no volume.
/// </summary>
public static class PositionSizer
{
    /// <param name="openPositions">Positions open in the account now (the new one not included).</param>
    public static SizingResult Size(SizingRules rules, double price, double averageDailyVolume, decimal cash, int openPositions)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (!(price > 0) || double.IsInfinity(price)) throw new ArgumentOutOfRangeException(nameof(price), price, "The price must be above 0.");
        if (openPositions >= rules.MaxPortfolioSize)
            return new SizingResult(0m, $"Portfolio full: {openPositions} of max_portfolio_size {rules.MaxPortfolioSize} positions open", "max_portfolio_size");
        if (cash <= 0) return new SizingResult(0m, $"No cash to buy with ({Fmt.N(cash, 2)})", "cash");
        if (!(averageDailyVolume > 0)) return new SizingResult(0m, "No traded volume to size against", "max_position_volume_ratio");

        var p = (decimal)price;
        var candidates = new (decimal Quantity, string Key, string Text)[]
        {
            (rules.UserCapital / p, "user_capital", $"user_capital {Fmt.N(rules.UserCapital, 2)} / {Fmt.Price(price)} = {Fmt.N(rules.UserCapital / p, 2)}"),
            ((decimal)(rules.MaxPositionVolumeRatio * averageDailyVolume), "max_position_volume_ratio",
                $"{Fmt.Pct(rules.MaxPositionVolumeRatio)} × ADV {Fmt.N(averageDailyVolume, 0)} = {Fmt.N(rules.MaxPositionVolumeRatio * averageDailyVolume, 2)}"),
            (cash / p, "cash", $"cash {Fmt.N(cash, 2)} / {Fmt.Price(price)} = {Fmt.N(cash / p, 2)}"),
        };
        var binding = candidates.MinBy(c => c.Quantity);
        var quantity = rules.WholeShares ? Math.Floor(binding.Quantity) : Math.Round(binding.Quantity, 6, MidpointRounding.ToZero);
        var unit = rules.WholeShares ? " shares" : "";
        return new SizingResult(quantity,
            $"min({string.Join(", ", candidates.Select(c => c.Text))}) → {Fmt.N(quantity, 6)}{unit}, limited by {binding.Key}", binding.Key);
    }

    /// <summary>Sizes a buy at day t's close with the average volume of the last adv_period days up to t.</summary>
    public static SizingResult Size(SizingRules rules, StrategyInput input, int openPositions)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(input);
        return Size(rules, input.LastClose, EntryFilters.AverageVolume(input.Volume, rules.AdvPeriod), input.Cash, openPositions);
    }
}
