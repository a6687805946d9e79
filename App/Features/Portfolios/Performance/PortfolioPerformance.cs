namespace Signalbook.Features.Portfolios.Performance;

/// <summary>What a paper portfolio's performance is computed from. Each array in date order; fills in time order.</summary>
public sealed record PortfolioHistory(decimal StartingCash, CashFlow[] Flows, Fill[] Fills, Split[]? Splits = null);

/// <summary>A portfolio's curve, its lot book replayed to the last day, and its metrics.</summary>
public sealed record PortfolioPerformanceResult(EquityCurve Curve, LotBook Book, PerformanceReport Report);

/// <summary>
/// The whole pipeline for one portfolio or many: replay the fills into a <see cref="LotBook"/> (splits applied at the
/// start of their date, before that date's fills), build the <see cref="EquityCurve"/> over the grid's days and compute
/// the <see cref="PerformanceReport"/>. For many portfolios, share one <see cref="PriceGrid"/> of all their instruments:
/// the closes are carried forward once when the grid is built, and each portfolio then costs O(days × instruments held
/// + fills).
/// </summary>
public static class PortfolioPerformance
{
    public static PortfolioPerformanceResult Run(PriceGrid closes, PortfolioHistory history, MetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(closes);
        ArgumentNullException.ThrowIfNull(history);
        var splits = history.Splits ?? [];
        var days = closes.DayArray;
        var lastDay = days.Length == 0 ? DateOnly.MinValue : days[^1];
        var book = new LotBook();
        var s = 0;
        foreach (var fill in history.Fills)
        {
            var date = fill.Date;
            if (date > lastDay) break;  // the curve ignores fills after its last day; so does the book.
            while (s < splits.Length && splits[s].Date <= date) book.ApplySplit(splits[s].InstrumentId, splits[s++].Ratio);
            book.Apply(fill);
        }
        while (s < splits.Length && splits[s].Date <= lastDay) book.ApplySplit(splits[s].InstrumentId, splits[s++].Ratio);

        var curve = EquityCurve.Build(closes, history.StartingCash, history.Flows, history.Fills, splits);
        return new PortfolioPerformanceResult(curve, book, PerformanceMetrics.Compute(curve, book.ClosedTrades, options));
    }

    /// <summary>
    /// Runs every portfolio against one shared grid. <paramref name="maxDegreeOfParallelism"/> 1 (the default) runs them
    /// one after another on the calling thread; more spreads them over the thread pool (results stay in input order).
    /// </summary>
    public static PerformanceReport[] RunMany(PriceGrid closes, IReadOnlyList<PortfolioHistory> portfolios, MetricsOptions? options = null, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(closes);
        ArgumentNullException.ThrowIfNull(portfolios);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        var reports = new PerformanceReport[portfolios.Count];
        if (maxDegreeOfParallelism == 1)
        {
            for (var i = 0; i < reports.Length; i++) reports[i] = Run(closes, portfolios[i], options).Report;
        }
        else
        {
            Parallel.For(0, reports.Length, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism }, i => reports[i] = Run(closes, portfolios[i], options).Report);
        }
        return reports;
    }
}
