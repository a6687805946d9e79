using Signalbook.Features.Models;

namespace Signalbook.Tests.Features.Models;

public class WalkForwardSplitterTests
{
    private const int H = 5;

    /// <summary>Three instruments over 300 business days; label end = the date H rows later (rows past the end dropped).</summary>
    private static (DateTimeOffset[] Ts, DateTimeOffset[] End, DateTimeOffset[] Dates) Rows()
    {
        var dates = new List<DateTimeOffset>();
        var day = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        while (dates.Count < 300)
        {
            if (day.DayOfWeek is not DayOfWeek.Saturday and not DayOfWeek.Sunday) dates.Add(day);
            day = day.AddDays(1);
        }
        var ts = new List<DateTimeOffset>();
        var end = new List<DateTimeOffset>();
        for (var d = 0; d + H < dates.Count; d++)
            for (var instrument = 0; instrument < 3; instrument++)
            {
                // The third instrument starts later, so dates carry different row counts.
                if (instrument == 2 && d < 40) continue;
                ts.Add(dates[d]);
                end.Add(dates[d + H]);
            }
        return ([.. ts], [.. end], [.. dates]);
    }

    public static TheoryData<TrainWindow, bool> Modes => new()
    {
        { TrainWindow.Expanding, false },
        { TrainWindow.Rolling, false },
        { TrainWindow.Expanding, true },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Split_NoTrainingLabelReachesTheTestFold_AndEmbargoHolds(TrainWindow window, bool trainAfterTest)
    {
        var (ts, end, dates) = Rows();
        var folds = WalkForwardSplitter.Split(ts, end,
            new WalkForwardOptions { Folds = 4, Embargo = H, Window = window, RollingDates = 60, TrainAfterTest = trainAfterTest });
        Assert.Equal(4, folds.Count);
        var dateIndex = dates.Select((d, i) => (d, i)).ToDictionary(p => p.d, p => p.i);
        var sawAfter = false;
        foreach (var fold in folds)
        {
            Assert.NotEmpty(fold.Train);
            Assert.NotEmpty(fold.Test);
            Assert.All(fold.Test, i => Assert.InRange(ts[i], fold.TestStart, fold.TestEnd));
            Assert.Empty(fold.Train.Intersect(fold.Test));
            foreach (var i in fold.Train)
            {
                // Purging: a training row before the fold has its whole label window before the test start.
                if (ts[i] < fold.TestStart) Assert.True(end[i] < fold.TestStart, $"row {i}: label ends {end[i]:d}, test starts {fold.TestStart:d}");
                // Never inside the test span.
                Assert.False(ts[i] >= fold.TestStart && ts[i] <= fold.TestEnd);
                if (ts[i] > fold.TestEnd)
                {
                    sawAfter = true;
                    // Embargo: more than H trading days after the test end.
                    Assert.True(dateIndex[ts[i]] - dateIndex[fold.TestEnd] > H, $"row {i} at {ts[i]:d} is inside the embargo after {fold.TestEnd:d}");
                }
            }
            if (window == TrainWindow.Rolling)
                Assert.All(fold.Train, i => Assert.True(dateIndex[fold.TestStart] - dateIndex[ts[i]] <= 60));
        }
        Assert.Equal(trainAfterTest, sawAfter);
        // Folds are in time order and disjoint, and together cover every row after the initial training period.
        for (var k = 1; k < folds.Count; k++) Assert.True(folds[k].TestStart > folds[k - 1].TestEnd);
        var allTest = folds.SelectMany(f => f.Test).ToList();
        Assert.Equal(allTest.Count, allTest.Distinct().Count());
        Assert.Equal(ts.Count(t => t >= folds[0].TestStart), allTest.Count);
    }

    [Fact]
    public void Split_PurgesExactlyTheRowsWhoseLabelCrossesIntoTheTest()
    {
        var (ts, end, dates) = Rows();
        var folds = WalkForwardSplitter.Split(ts, end, new WalkForwardOptions { Folds = 2, Embargo = H });
        var fold = folds[1];
        var start = Array.IndexOf(dates, fold.TestStart);
        // The H dates before the test start have labels ending at or after it: none of them may train;
        // the date just before them may.
        for (var back = 1; back <= H; back++) Assert.DoesNotContain(fold.Train, i => ts[i] == dates[start - back]);
        Assert.Contains(fold.Train, i => ts[i] == dates[start - H - 1]);
        // Expanding: the previous fold's test rows (purged at its end) are in this fold's training set.
        Assert.Contains(fold.Train, i => ts[i] == folds[0].TestStart);
    }

    [Fact]
    public void Split_TooFewDates_Throws()
    {
        var d = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Throws<ArgumentException>(() => WalkForwardSplitter.Split([d, d.AddDays(1)], [d.AddDays(5), d.AddDays(6)], new WalkForwardOptions { Folds = 5 }));
    }
}
