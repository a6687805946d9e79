using System.Globalization;
using Signalbook.Features.Portfolios.Matching;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Portfolios.Matching;

/// <summary>Split candidates on a synthetic series and on yfinance's real mis-adjusted files (shared data, read in place).</summary>
public sealed class SplitDetectorTests
{
    private static MatchBar[] Series(params decimal[] closes) =>
        closes.Select((c, i) => T.Daily(i, c, c * 1.01m, c * 0.99m, c)).ToArray();

    [Fact]
    public void Detect_SyntheticSeries_FindsTwoForOneThreeForTwoAndOneForTen()
    {
        // 100 → 50 (2:1, exact); 52 → 34.9 (52/34.9 = 1.49: 3:2 within 3 %); 35 → 350 (1:10 reverse).
        var bars = Series(100, 101, 50, 51, 52, 34.9m, 35, 350, 352);
        var found = SplitDetector.Detect(bars);
        Assert.Equal([(2, 2, 1), (5, 3, 2), (7, 1, 10)], found.Select(c => (c.Index, c.NewShares, c.OldShares)));
        Assert.Equal(2m, found[0].Ratio);
        Assert.Equal(0.1m, found[2].Ratio);
        Assert.Equal(bars[2].SessionDate, found[0].Date);
    }

    [Fact]
    public void Detect_OrdinaryMovesAndNonSplitJumps_AreNotCandidates()
    {
        // ±1–4 % days, then a 25 % crash (100 → 75: ratio 1.33, no common ratio within 3 %).
        Assert.Empty(SplitDetector.Detect(Series(100, 101, 99, 103, 102, 98, 100, 75, 76)));
    }

    [Fact]
    public void Detect_ABarOverlappingThePreviousRange_IsNotACandidate()
    {
        // Previous close 1, next open 2 (ratio 0.5) but the new bar's range overlaps the previous one: integer-rounded
        // prices, not a split (the pattern of yfinance's ALPHA.PA file).
        MatchBar[] bars = [T.Daily(0, 2, 2, 1, 1), T.Daily(1, 2, 2, 1, 2)];
        Assert.Empty(SplitDetector.Detect(bars));
    }

    [Fact]
    public void Detect_ToleranceOutOfRange_Throws() =>
        Assert.Equal("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => SplitDetector.Detect(Series(1, 2), 0.5m)).ParamName);

    [Fact]
    public void Detect_MobSt_OneUnadjustedBar_ShowsAsAJumpAndItsReverse()
    {
        // MOB.ST (1-for-10 reverse split on 2023-05-24): Yahoo left 2023-05-22 unadjusted (22.30 → 2.20 → 22.75).
        var bad = SplitDetector.Detect(Load("MOB-ST-1d-bad-stock-split.csv"));
        Assert.Equal([(new DateOnly(2023, 5, 22), 10, 1), (new DateOnly(2023, 5, 23), 1, 10)], bad.Select(c => (c.Date, c.NewShares, c.OldShares)));
        Assert.Empty(SplitDetector.Detect(Load("MOB-ST-1d-bad-stock-split-fixed.csv")));
    }

    [Fact]
    public void Detect_SpmMi_BadAdjustmentShowsAsTwentyForOne_TheRightsIssueDropAsTwoForOne()
    {
        // SPM.MI (Saipem, 1-for-10 reverse split 2022-06-13 and a rights issue): the bad file keeps the pre-split prices ×10,
        // so 06-17 → 06-20 jumps 42.99 → 2.194 (19.6, near 20:1). In the fixed file the same day is the rights-issue drop
        // 4.30 → 2.194 (1.96, near 2:1): price alone cannot tell it from a split, hence "candidates".
        var bad = Assert.Single(SplitDetector.Detect(Load("SPM-MI-1d-bad-stock-split.csv")));
        Assert.Equal((new DateOnly(2022, 6, 20), 20, 1), (bad.Date, bad.NewShares, bad.OldShares));
        Assert.InRange(bad.Observed, 19.5m, 19.7m);
        var fixedFile = Assert.Single(SplitDetector.Detect(Load("SPM-MI-1d-bad-stock-split-fixed.csv")));
        Assert.Equal((new DateOnly(2022, 6, 20), 2, 1), (fixedFile.Date, fixedFile.NewShares, fixedFile.OldShares));
    }

    /// <summary>A yfinance test file: Date,Open,High,Low,Close,Adj Close,Volume,Dividends,Stock Splits (unadjusted OHLC).</summary>
    private static MatchBar[] Load(string file) =>
        File.ReadLines(Path.Combine(SharedData.Root, "prices-eu-and-data-quality", file)).Skip(1)
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => l.Split(','))
            .Select(f =>
            {
                static decimal D(string s) => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
                var start = DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture);
                return new MatchBar(start, D(f[1]), D(f[2]), D(f[3]), D(f[4]), D(f[6]), null, IsIntraday: false);
            })
            .OrderBy(b => b.Start)
            .ToArray();
}
