namespace Signalbook.Features.Portfolios.Matching;

/// <summary>A possible split: the bar at <see cref="Index"/> opened as if <see cref="NewShares"/> replaced <see cref="OldShares"/>.</summary>
/// <param name="Observed">Previous close ÷ this open, the jump actually seen.</param>
public readonly record struct SplitCandidate(int Index, DateOnly Date, int NewShares, int OldShares, decimal Observed)
{
    /// <summary>New shares per old share, as <see cref="MatchingEngine.SplitAdjust(MatchOrder, decimal)"/> takes it (2 for 2-for-1, 0.1 for 1-for-10).</summary>
    public decimal Ratio => (decimal)NewShares / OldShares;

    public override string ToString() => $"{Date:yyyy-MM-dd} {NewShares}:{OldShares} (observed {Observed:0.####})";
}

/// <summary>
/// Finds overnight price jumps in unadjusted daily bars that look like a split. A bar is a candidate when
/// <list type="number">
/// <item>the whole bar lies outside the previous bar's range (its high below the previous low, or its low above the previous
/// high): a split moves the price level, not just the open; and</item>
/// <item>previous close ÷ open is within <c>tolerance</c> (relative, default 3 %) of a common ratio: 2:1, 3:2, 3:1, 4:1, 5:1,
/// 7:1, 8:1, 10:1, 20:1 or a reverse one (1:2, 2:3, 1:3, …, 1:20). The closest ratio wins.</item>
/// </list>
/// Prices alone cannot tell a split from a crash or a rights issue of the same size, so these are candidates to confirm against
/// corporate actions, not facts. A jump and its reverse on the next bar usually mean one mis-adjusted bar.
/// </summary>
public static class SplitDetector
{
    /// <summary>The (new, old) share ratios looked for, forward then reverse.</summary>
    public static readonly IReadOnlyList<(int New, int Old)> CommonRatios =
    [
        (2, 1), (3, 2), (3, 1), (4, 1), (5, 1), (7, 1), (8, 1), (10, 1), (20, 1),
        (1, 2), (2, 3), (1, 3), (1, 4), (1, 5), (1, 7), (1, 8), (1, 10), (1, 20),
    ];

    public static List<SplitCandidate> Detect(ReadOnlySpan<MatchBar> dailyBars, decimal tolerance = 0.03m)
    {
        if (tolerance is <= 0m or >= 0.2m)
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "tolerance must be between 0 and 0.2 (ratios 7:1 and 8:1 are 14 % apart).");
        var found = new List<SplitCandidate>();
        for (var i = 1; i < dailyBars.Length; i++)
        {
            ref readonly var prev = ref dailyBars[i - 1];
            ref readonly var bar = ref dailyBars[i];
            if (prev.Close <= 0m || bar.Open <= 0m) continue;
            if (bar.High >= prev.Low && bar.Low <= prev.High) continue;
            var observed = prev.Close / bar.Open;
            var best = -1;
            var bestError = decimal.MaxValue;
            for (var k = 0; k < CommonRatios.Count; k++)
            {
                var (n, o) = CommonRatios[k];
                var q = observed * o / n;
                var error = q >= 1m ? q : 1m / q;
                if (error < bestError)
                {
                    bestError = error;
                    best = k;
                }
            }
            if (bestError <= 1m + tolerance)
                found.Add(new SplitCandidate(i, bar.SessionDate, CommonRatios[best].New, CommonRatios[best].Old, observed));
        }
        return found;
    }
}
