namespace Signalbook.Features.Portfolios.Strategies;

/// <summary>Daily bars of one instrument as parallel arrays, oldest first (dates strictly ascending).</summary>
public sealed record DailyBars(DateOnly[] Dates, double[] Open, double[] High, double[] Low, double[] Close, double[] Volume)
{
    public int Length => Close.Length;
}

/// <summary>
/// The latest model recommendation for the instrument: label BUY / HOLD / SELL, confidence 0–1, the suggested entry,
/// stop loss and take profit, and the day it was created.
/// </summary>
public sealed record ModelRecommendation(string Label, double Confidence, double? Entry, double? StopLoss, double? TakeProfit, DateOnly CreatedOn);

/// <summary>The current position in the instrument: signed quantity (negative is short), average cost, opening day.</summary>
public sealed record PositionState(decimal Quantity, decimal? AverageCost, DateOnly? OpenedOn)
{
    public static PositionState Flat { get; } = new(0m, null, null);

    public bool IsLong => Quantity > 0;
}

/// <summary>
/// Everything a strategy may look at for one instrument on evaluation day t = <see cref="T"/>. The bar arrays may run
/// past t (a back-test passes the whole history and moves the index); the strategies read bars only through the
/// <c>Close</c>/<c>High</c>/… views, which stop at t, so nothing after t can change a signal. A recommendation created
/// after t is ignored for the same reason.
/// </summary>
public sealed record StrategyInput
{
    /// <param name="bars">Daily bars up to and including t (later bars are allowed and never read).</param>
    /// <param name="evaluationIndex">Index of day t in the arrays; null means the last bar.</param>
    /// <param name="cash">The account's cash available for new buys.</param>
    public StrategyInput(DailyBars bars, PositionState? position = null, decimal cash = 0m, ModelRecommendation? recommendation = null,
        DateOnly? lastSignalDate = null, int? evaluationIndex = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var n = bars.Length;
        if (n == 0) throw new ArgumentException("At least one bar is needed.", nameof(bars));
        if (bars.Dates.Length != n || bars.Open.Length != n || bars.High.Length != n || bars.Low.Length != n || bars.Volume.Length != n)
            throw new ArgumentException($"Bar arrays differ in length (dates {bars.Dates.Length}, open {bars.Open.Length}, high {bars.High.Length}, low {bars.Low.Length}, close {n}, volume {bars.Volume.Length}).", nameof(bars));
        var t = evaluationIndex ?? n - 1;
        if (t < 0 || t >= n) throw new ArgumentOutOfRangeException(nameof(evaluationIndex), t, $"The evaluation index must be within 0..{n - 1}.");
        for (var i = 1; i <= t; i++)
        {
            if (bars.Dates[i] <= bars.Dates[i - 1])
                throw new ArgumentException($"Bar dates must be strictly ascending; {bars.Dates[i]:yyyy-MM-dd} at index {i} follows {bars.Dates[i - 1]:yyyy-MM-dd}.", nameof(bars));
        }
        Bars = bars;
        T = t;
        Position = position ?? PositionState.Flat;
        Cash = cash;
        Recommendation = recommendation;
        LastSignalDate = lastSignalDate;
    }

    public DailyBars Bars { get; }

    /// <summary>Index of the evaluation day t.</summary>
    public int T { get; }

    public PositionState Position { get; }

    public decimal Cash { get; }

    public ModelRecommendation? Recommendation { get; }

    /// <summary>The day this strategy last signalled on this instrument (from strategies.last_signal_at).</summary>
    public DateOnly? LastSignalDate { get; }

    /// <summary>The evaluation day.</summary>
    public DateOnly Date => Bars.Dates[T];

    /// <summary>Number of bars up to and including t.</summary>
    public int Count => T + 1;

    public ReadOnlySpan<DateOnly> Dates => Bars.Dates.AsSpan(0, T + 1);

    public ReadOnlySpan<double> Open => Bars.Open.AsSpan(0, T + 1);

    public ReadOnlySpan<double> High => Bars.High.AsSpan(0, T + 1);

    public ReadOnlySpan<double> Low => Bars.Low.AsSpan(0, T + 1);

    public ReadOnlySpan<double> Close => Bars.Close.AsSpan(0, T + 1);

    public ReadOnlySpan<double> Volume => Bars.Volume.AsSpan(0, T + 1);

    /// <summary>Close on day t.</summary>
    public double LastClose => Bars.Close[T];

    /// <summary>The recommendation if it was created on or before t; one from after t would be look-ahead.</summary>
    public ModelRecommendation? RecommendationAsOfT => Recommendation is { } r && r.CreatedOn <= Date ? r : null;
}
