using System.Globalization;
using System.Text.Json.Nodes;
using Signalbook.Features.Indicators;

namespace Signalbook.Features.Portfolios.Strategies;

public enum DcaInterval
{
    /// <summary>Every interval_trading_days bars after the last buy.</summary>
    TradingDays,

    /// <summary>The first trading day of each ISO week.</summary>
    Weekly,

    /// <summary>The first trading day of each calendar month.</summary>
    Monthly,
}

public sealed record DcaConfig
{
    /// <summary>Amount (account currency) invested at each buy.</summary>
    public decimal OrderNotional { get; init; } = 1000m;

    public DcaInterval Interval { get; init; } = DcaInterval.TradingDays;

    public int IntervalTradingDays { get; init; } = 5;

    /// <summary>Buy only while the close is below its SMA(average_period); a due buy waits for such a day.</summary>
    public bool OnlyBelowAverage { get; init; }

    public int AveragePeriod { get; init; } = 20;

    /// <summary>Null (the default): never sell. Otherwise exit the whole position at average cost × (1 + this).</summary>
    public double? TakeProfitPct { get; init; }

    public bool WholeShares { get; init; } = true;

    public EntryFilterConfig Filters { get; init; } = new();

    /// <exception cref="StrategyConfigException">The config is invalid.</exception>
    public static DcaConfig FromJson(JsonObject? config)
    {
        var v = DcaStrategy.Schema.Read(config);
        return new DcaConfig
        {
            OrderNotional = v.Money("order_notional"),
            Interval = TradingNames.Parse<DcaInterval>(v.Choice("interval")),
            IntervalTradingDays = v.Int("interval_trading_days"),
            OnlyBelowAverage = v.Flag("only_below_average"),
            AveragePeriod = v.Int("average_period"),
            TakeProfitPct = v.OptionalNumber("take_profit_pct"),
            WholeShares = v.Flag("whole_shares"),
            Filters = EntryFilterConfig.From(v),
        };
    }
}

/// <summary>
/// Dollar-cost averaging, long only. A buy is due when the strategy never signalled, or when the interval has passed
/// since the last signal: interval_trading_days bars (trading_days), a new ISO week (weekly) or a new month (monthly).
/// With only_below_average a due buy waits for a close below SMA(average_period). Size: order_notional / close
/// (whole shares rounded down by default), cut to the cash available. It never sells unless take_profit_pct is set:
/// then the whole position exits when close ≥ average cost × (1 + take_profit_pct).
/// </summary>
public static class DcaStrategy
{
    private static readonly DcaConfig D = new();

    public static ConfigSchema Schema { get; } = new("dca",
    [
        ConfigField.Number("order_notional", "Amount per buy", (double)D.OrderNotional, 1, 1e9, "Schedule",
            "Amount invested at each buy, in the account's currency."),
        ConfigField.Choice("interval", "Interval", TradingNames.ToDb(D.Interval), TradingNames.All<DcaInterval>(), "Schedule",
            "trading_days: every N trading days; weekly: first trading day of each week; monthly: first trading day of each month."),
        ConfigField.Int("interval_trading_days", "Every N trading days", D.IntervalTradingDays, 1, 250, "Schedule",
            "Trading days between buys when the interval is trading_days."),
        ConfigField.Flag("only_below_average", "Only below the average", D.OnlyBelowAverage, "Schedule",
            "Wait for a close below its moving average before making a due buy."),
        ConfigField.Int("average_period", "Average period (days)", D.AveragePeriod, 2, 400, "Schedule",
            "Days in the simple moving average used by 'only below the average'."),
        ConfigField.OptionalNumber("take_profit_pct", "Take profit", D.TakeProfitPct, 0.001, 10, "Exit",
            "Fraction above the average cost (0.25 = 25%) at which to sell everything; empty never sells."),
        ConfigField.Flag("whole_shares", "Whole shares", D.WholeShares, "Schedule",
            "Round each buy down to whole shares."),
        .. EntryFilterConfig.Fields,
    ]);

    public static StrategySignal Evaluate(DcaConfig config, StrategyInput input)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(input);
        if (StrategyRules.Precheck(input) is { } early) return early;
        var price = input.LastClose;
        if (StrategyRules.ProtectiveExit(input, null, config.TakeProfitPct) is { } takeProfit) return takeProfit;

        var (due, why) = Due(config, input);
        if (!due) return StrategySignal.None(why);
        if (config.OnlyBelowAverage)
        {
            var sma = Kernels.Sma(input.Close, config.AveragePeriod)[input.T];
            if (double.IsNaN(sma)) return StrategyRules.NotEnoughHistory($"SMA({config.AveragePeriod})", config.AveragePeriod, input.Count);
            if (price >= sma) return StrategySignal.None($"{why}, but close {Fmt.Price(price)} ≥ SMA({config.AveragePeriod}) {Fmt.Price(sma)}: waiting for a close below it");
            why += $" and close {Fmt.Price(price)} < SMA({config.AveragePeriod}) {Fmt.Price(sma)}";
        }

        var notional = Math.Min(config.OrderNotional, input.Cash);
        var quantity = StrategyRules.Quantity(notional, price, config.WholeShares);
        if (quantity <= 0)
            return StrategySignal.None($"{why}, but cash {Fmt.N(input.Cash, 2)} buys no {(config.WholeShares ? "whole share" : "shares")} at {Fmt.Price(price)}");
        var cut = notional < config.OrderNotional ? $" (cut from {Fmt.N(config.OrderNotional, 2)} to the cash available)" : "";
        var buy = new StrategySignal(SignalAction.Buy, $"{why}: buy {Fmt.N(quantity, 6)} at {Fmt.Price(price)} for {Fmt.N(notional, 2)}{cut}",
            Quantity: quantity, Notional: quantity * (decimal)price);
        return EntryFilters.Apply(config.Filters, input, buy);
    }

    private static (bool Due, string Why) Due(DcaConfig config, StrategyInput input)
    {
        if (input.LastSignalDate is not { } last) return (true, "DCA buy due (first buy)");
        var today = input.Date;
        var lastText = Fmt.Date(last);
        switch (config.Interval)
        {
            case DcaInterval.Weekly:
                var (ty, tw) = (ISOWeek.GetYear(today.ToDateTime(TimeOnly.MinValue)), ISOWeek.GetWeekOfYear(today.ToDateTime(TimeOnly.MinValue)));
                var (ly, lw) = (ISOWeek.GetYear(last.ToDateTime(TimeOnly.MinValue)), ISOWeek.GetWeekOfYear(last.ToDateTime(TimeOnly.MinValue)));
                return (ty, tw) != (ly, lw)
                    ? (true, $"Weekly DCA buy due (week {ty}-W{tw:00}; last signal {lastText})")
                    : (false, $"Weekly DCA: already signalled this week on {lastText}");
            case DcaInterval.Monthly:
                return (today.Year, today.Month) != (last.Year, last.Month)
                    ? (true, $"Monthly DCA buy due ({today:yyyy-MM}; last signal {lastText})")
                    : (false, $"Monthly DCA: already signalled this month on {lastText}");
            default:
                var elapsed = TradingDaysSince(input.Dates, last);
                return elapsed >= config.IntervalTradingDays
                    ? (true, $"DCA buy due: {elapsed} trading days since {lastText} (every {config.IntervalTradingDays})")
                    : (false, $"DCA: {elapsed} of {config.IntervalTradingDays} trading days since {lastText}");
        }
    }

    /// <summary>Bars after <paramref name="last"/> up to and including t.</summary>
    private static int TradingDaysSince(ReadOnlySpan<DateOnly> dates, DateOnly last)
    {
        var count = 0;
        for (var i = dates.Length - 1; i >= 0 && dates[i] > last; i--) count++;
        return count;
    }
}
