namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>Steps every strategy shares: the pre-checks, the protective stop/target exits, stop/target prices.</summary>
internal static class StrategyRules
{
    /// <summary>Relative slack for "the close reached the stop / target".</summary>
    public const double LevelTolerance = 1e-9;

    /// <summary>A signal that ends the evaluation before the strategy's rules run, or null.</summary>
    public static StrategySignal? Precheck(StrategyInput input)
    {
        if (input.Position.Quantity < 0)
            return StrategySignal.None($"Short position of {Fmt.N(input.Position.Quantity)}: the strategies are long-only and do not manage shorts");
        if (input.LastSignalDate is { } last && last >= input.Date)
            return StrategySignal.None($"Already signalled on {Fmt.Date(last)}: one signal a day");
        return null;
    }

    /// <summary>
    /// Exit when a long's close is at or below average cost × (1 − stop) or at or above average cost × (1 + target).
    /// The caller may also rest stop/target orders; this catches a position without them. Null when neither applies.
    /// A close within a billionth of the level counts as reaching it: 90 × 1.10 is 99.00000000000001 in binary, and a
    /// trader whose target is 99 expects a close of 99 to take it.
    /// </summary>
    public static StrategySignal? ProtectiveExit(StrategyInput input, double? stopPct, double? targetPct)
    {
        if (!input.Position.IsLong || input.Position.AverageCost is not { } cost || cost <= 0) return null;
        var close = input.LastClose;
        var avg = (double)cost;
        if (stopPct is { } s && close <= avg * (1 - s) * (1 + LevelTolerance))
            return StrategySignal.Exit($"Stop loss: close {Fmt.Price(close)} ≤ {Fmt.Price(avg * (1 - s))} (average cost {Fmt.Price(avg)} − {Fmt.Pct(s)})");
        if (targetPct is { } g && close >= avg * (1 + g) * (1 - LevelTolerance))
            return StrategySignal.Exit($"Target reached: close {Fmt.Price(close)} ≥ {Fmt.Price(avg * (1 + g))} (average cost {Fmt.Price(avg)} + {Fmt.Pct(g)})");
        return null;
    }

    public static double? StopPrice(double price, double? stopPct) => stopPct is { } s ? price * (1 - s) : null;

    public static double? TargetPrice(double price, double? targetPct) => targetPct is { } g ? price * (1 + g) : null;

    /// <summary>"RSI(10) needs 11 bars, have 5".</summary>
    public static StrategySignal NotEnoughHistory(string what, int needed, int have) =>
        StrategySignal.None($"Not enough history: {what} needs {needed} bars, have {have}");

    /// <summary>Quantity for a notional at a price: whole shares (rounded down) or six decimals.</summary>
    public static decimal Quantity(decimal notional, double price, bool wholeShares)
    {
        if (price <= 0 || notional <= 0) return 0m;
        var q = notional / (decimal)price;
        return wholeShares ? Math.Floor(q) : Math.Round(q, 6, MidpointRounding.ToZero);
    }
}
