using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Tests.Infrastructure;
using static Signalbook.Features.MarketData.Import.DataQualityKind;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>
/// The series-level checks on real Yahoo files with known defects (shared data, prices-eu-and-data-quality): each
/// defective file's report names its defect at the dates where the file differs from its <c>-fixed</c> twin (found by
/// diffing the two), and neither the <c>-fixed</c> file nor the <c>no-bad-divs</c> files raise it.
/// </summary>
public sealed class DataQualityTests
{
    private static string Dir => Path.Combine(SharedData.Root, "prices-eu-and-data-quality");

    private static readonly DataQualityKind[] PriceAndDividendKinds =
    [
        UnitError100x, ReversedJump, UnadjustedSplit, DividendNotAdjusted, AdjustmentMismatch, AdjustmentWithoutDividend,
        AdjustmentWrongWay, DividendRecordedTwice, ImplausibleDividend,
    ];

    /// <summary>The exchange a Yahoo suffix names, and its zone.</summary>
    private static ExchangeCalendar CalendarFor(string file) => (Path.GetFileName(file).Split('-') is [_, var suffix, ..] ? suffix : "") switch
    {
        "DE" => ExchangeCalendar.For("XETRA", "Europe/Berlin"),
        "L" => ExchangeCalendar.For("LSE", "Europe/London"),
        "PA" => ExchangeCalendar.For("EPA", "Europe/Paris"),
        "MI" => ExchangeCalendar.For("MIL", "Europe/Rome"),
        "ST" => ExchangeCalendar.For("STO", "Europe/Stockholm"),
        "MC" => ExchangeCalendar.For("BME", "Europe/Madrid"),
        _ => ExchangeCalendar.Nyse,
    };

    /// <summary>The same steps the import takes (stream, compact arrays, analyse), without the database.</summary>
    internal static DataQualityReport Check(string path)
    {
        var calendar = CalendarFor(path);
        var name = Path.GetFileName(path);
        var interval = name.Contains("-1h-") ? Intervals.OneHour : name.Contains("-15m-") ? Intervals.FifteenMinutes : Intervals.OneDay;
        using var reader = new StreamReader(path);
        var rows = CsvBarParser.Open(reader, name, calendar.Zone);
        Assert.Null(rows.HeaderError);
        var buffer = new BarSeriesBuffer(rows.HasAdjClose, rows.HasDividends);
        while (rows.Read(out var row, out var error))
            if (error is null) buffer.Add(row);
        var (series, duplicates) = buffer.Finish();
        return DataQuality.Analyze(series, interval, calendar, buffer.WasNewestFirst, buffer.StepsBack, buffer.FirstStepBackLine, duplicates);
    }

    private static string File(string stem) => Path.Combine(Dir, stem + ".csv");

    private static DataQualityFinding Single(DataQualityReport report, DataQualityKind kind)
    {
        var found = report.Of(kind).ToList();
        Assert.True(found.Count == 1, $"expected one {kind}, got {found.Count}: {string.Join(" | ", report.Findings)}");
        return found[0];
    }

    private static void AssertDays(DataQualityFinding f, string first, string last)
    {
        Assert.Equal(DateOnly.Parse(first), f.FirstDay);
        Assert.Equal(DateOnly.Parse(last), f.LastDay);
    }

    private static void AssertFixedFileIsClean(string stem, params DataQualityKind[] kinds)
    {
        var report = Check(File(stem + "-fixed"));
        foreach (var kind in kinds) Assert.False(report.Has(kind), $"{stem}-fixed raises {kind}: {string.Join(" | ", report.Of(kind))}");
    }

    [Fact]
    public void MissingDividendAdjustment_8TRA_IsFoundOnTheExDate()
    {
        // Diff: Adj Close of 2023-05-30 and 05-31 differ; the 0.7 dividend of 2023-06-02 is in both files.
        var f = Single(Check(File("8TRA-DE-1d-missing-div-adjust")), DividendNotAdjusted);
        AssertDays(f, "2023-06-02", "2023-06-02");
        Assert.Equal(4, f.FirstLine);
        Assert.Equal(0.7, f.Numbers["dividend"], 6);
        Assert.Equal(0, f.Numbers["implied_dividend"], 6);
        Assert.Contains("not reflected in Adj Close", f.Message);
        AssertFixedFileIsClean("8TRA-DE-1d-missing-div-adjust", PriceAndDividendKinds);
    }

    [Fact]
    public void HundredTimesUnitError_AET_IsFoundWhereTheUnitChanges()
    {
        // Diff: 2022-05-03..05-06 and 2022-05-20..06-06 are 0.1455 instead of 14.55; the unit changes on 05-09 and back on 05-20.
        var report = Check(File("AET-L-1d-100x-error"));
        var f = Single(report, UnitError100x);
        AssertDays(f, "2022-05-09", "2022-05-19");
        Assert.Equal(100, f.Numbers["factor"], 0.5);
        Assert.Contains("GBp", f.Message);
        Assert.True(report.Has(NewestFirst)); // the file is also newest-first
        Assert.True(report.Has(ZeroVolume));
        AssertFixedFileIsClean("AET-L-1d-100x-error", PriceAndDividendKinds);
    }

    [Fact]
    public void HundredTimesUnitError_InsideOneHourlyBar_ASAI_IsFound()
    {
        // Diff: the 2024-10-24 16:00 (+01:00) bar has low and close 0.6 instead of 58.5 and 60.
        var f = Single(Check(File("ASAI-L-1h-bad-unit")), UnitError100x);
        Assert.Equal(new DateTimeOffset(2024, 10, 24, 15, 0, 0, TimeSpan.Zero), f.FirstTs);
        Assert.Equal(f.FirstTs, f.LastTs);
        Assert.Equal(13, f.FirstLine);
        AssertFixedFileIsClean("ASAI-L-1h-bad-unit", PriceAndDividendKinds);
    }

    [Theory]
    [InlineData("ALPHA-PA-1d-bad-stock-split", "2023-05-08", 13)] // diff: only 2023-05-08 differs (prices ÷20000, volume ×10000)
    [InlineData("MOB-ST-1d-bad-stock-split", "2023-05-22", 11)] // diff: only 2023-05-22 differs (prices ÷10, volume ×10)
    public void SplitAppliedToOneBar_IsAReversedJumpOnThatDay(string stem, string day, int line)
    {
        var f = Single(Check(File(stem)), ReversedJump);
        AssertDays(f, day, day);
        Assert.Equal(line, f.FirstLine);
        Assert.True(f.Numbers["factor"] < 0.25);
        AssertFixedFileIsClean(stem, PriceAndDividendKinds);
    }

    [Fact]
    public void UnadjustedSplit_SPM_IsFoundAtTheOvernightJump()
    {
        // Diff: every bar up to 2022-06-17 is 10× the fixed file's (volume ÷10); from 2022-06-20 the files agree.
        var f = Single(Check(File("SPM-MI-1d-bad-stock-split")), UnadjustedSplit);
        AssertDays(f, "2022-06-17", "2022-06-20");
        Assert.Equal(42.995, f.Numbers["close_before"], 3);
        Assert.InRange(f.Numbers["gap"], 0.045, 0.055);
        // The fixed file still drops ×0.51 that night (a real move: the rights issue); it is within the moves around it.
        AssertFixedFileIsClean("SPM-MI-1d-bad-stock-split", PriceAndDividendKinds);
    }

    [Fact]
    public void DividendTooLarge_KME_IsImplausible()
    {
        // Diff: the 2023-05-22 dividend is 0.21723 instead of 0.0021723 (and Adj Close before it follows the wrong size).
        var f = Single(Check(File("KME-MI-1d-bad-div")), ImplausibleDividend);
        AssertDays(f, "2023-05-22", "2023-05-22");
        Assert.Equal(0.21723, f.Numbers["dividend"], 5);
        AssertFixedFileIsClean("KME-MI-1d-bad-div", PriceAndDividendKinds);
    }

    [Fact]
    public void DividendRecordedTwice_TEP_IsFound()
    {
        // Diff: the fixed file has the 3.85 dividend on 2023-04-21 only; the bad one also on 04-20 (and adjusts twice).
        var f = Single(Check(File("TEP-PA-1d-bad-div")), DividendRecordedTwice);
        AssertDays(f, "2023-04-20", "2023-04-21");
        AssertFixedFileIsClean("TEP-PA-1d-bad-div", PriceAndDividendKinds);
    }

    [Fact]
    public void DividendRecordedTwice_SAND_IsFound_AndTheFixedFileStillAdjustsTwice()
    {
        // Diff: the only difference is the 0.015 dividend of 2024-01-12, absent from the fixed file.
        var report = Check(File("SAND-1d-bad-div"));
        AssertDays(Single(report, DividendRecordedTwice), "2024-01-12", "2024-01-16");
        AssertDays(Single(report, DividendNotAdjusted), "2024-01-12", "2024-01-12");
        AssertFixedFileIsClean("SAND-1d-bad-div", DividendRecordedTwice, DividendNotAdjusted);
        // Both files' Adj Close steps by 0.030 on 2024-01-16 for a 0.015 dividend: the "fixed" file kept the double adjustment.
        var mismatch = Single(Check(File("SAND-1d-bad-div-fixed")), AdjustmentMismatch);
        AssertDays(mismatch, "2024-01-16", "2024-01-16");
        Assert.Equal(0.030, mismatch.Numbers["implied_dividend"], 3);
    }

    [Fact]
    public void CapitalGainCountedTwice_DODFX_IsAnAdjustmentMismatch()
    {
        // Diff: Adj Close differs on every bar before 2025-12-18, where it steps by 1.254 for a 0.837 distribution.
        var f = Single(Check(File("DODFX-1d-cg-double-count")), AdjustmentMismatch);
        AssertDays(f, "2025-12-18", "2025-12-18");
        Assert.Equal(0.837, f.Numbers["dividend"], 3);
        Assert.Equal(1.254, f.Numbers["implied_dividend"], 2);
        AssertFixedFileIsClean("DODFX-1d-cg-double-count", PriceAndDividendKinds);
    }

    [Theory]
    [InlineData("CALM-1d-no-bad-divs")]
    [InlineData("EA-15m-no-bad-divs")]
    [InlineData("EWG-1d-no-bad-divs")]
    [InlineData("IBE-MC-1d-no-bad-divs")]
    [InlineData("TISG-MI-1d-no-bad-divs")]
    public void FilesWithGoodDividends_RaiseNoPriceOrDividendFinding(string stem)
    {
        var report = Check(File(stem));
        var raised = report.Findings.Where(f => PriceAndDividendKinds.Contains(f.Kind)).ToList();
        Assert.True(raised.Count == 0, string.Join(" | ", raised));
    }

    [Fact]
    public void NewYorkCalendar_FindsTheHurricaneSandyClosure_AsTheOnlyGapIn5YearsOfAapl()
    {
        var report = Check(Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017", "AAPL.csv"));
        var gap = Assert.Single(report.Of(MissingBars));
        Assert.Equal(2, gap.Numbers["missing_days"]);
        Assert.Contains("2012-10-29 to 2012-10-30", gap.Message); // NYSE closed for the storm: not in the holiday rules
        Assert.False(report.Findings.Any(f => PriceAndDividendKinds.Contains(f.Kind)), string.Join(" | ", report.Findings));
    }

    [Fact]
    public void OrderDuplicatesZeroVolumeAndStalePrices_AreReportedWithLines()
    {
        const string csv = """
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-02,10,11,9,10,10,100
            2024-01-04,10,11,9,10.5,10.5,0
            2024-01-03,10,11,9,10.2,10.2,0
            2024-01-03,10,11,9,10.2,10.2,50
            2024-01-05,10,11,9,11,11,100
            2024-01-08,10,11,9,11,11,100
            2024-01-09,10,11,9,11,11,100
            2024-01-10,10,11,9,11,11,100
            2024-01-11,10,11,9,11,11,100
            """;
        var path = Path.Combine(Path.GetTempPath(), $"dq-{Guid.NewGuid():N}.csv");
        System.IO.File.WriteAllText(path, csv);
        try
        {
            var report = Check(path);
            var order = Single(report, OutOfOrder);
            Assert.Equal(4, order.Numbers["first_line"]);
            var duplicate = Single(report, DuplicateTimestamp);
            Assert.Equal((4, 5), (duplicate.FirstLine, duplicate.LastLine));
            var zero = Single(report, ZeroVolume);
            AssertDays(zero, "2024-01-03", "2024-01-04");
            var stale = Single(report, StalePrices);
            AssertDays(stale, "2024-01-05", "2024-01-11");
            Assert.Equal(5, stale.Numbers["bars"]);
            Assert.False(report.Has(MissingBars));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}

/// <summary>The report reaches the import's result, and progress is reported while a file streams in.</summary>
public sealed class DataQualityImportTests : ServiceHarness
{
    [Fact]
    public async Task Import_AttachesTheQualityReport_AndReportsProgress()
    {
        await using var scope = Scope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync("SPM", "MIL", "Europe/Rome");
        var path = Path.Combine(SharedData.Root, "prices-eu-and-data-quality", "SPM-MI-1d-bad-stock-split.csv");
        await using var stream = System.IO.File.OpenRead(path);
        var seen = new List<ImportProgress>();
        var report = await scope.ServiceProvider.GetRequiredService<CsvImportService>()
            .ImportAsync(id, Intervals.OneDay, stream, "SPM.csv", progress: new SyncProgress(seen.Add));
        Assert.Equal(22, report.BarsStored);
        var split = Assert.Single(report.QualityReport.Of(UnadjustedSplit));
        Assert.Equal(new DateOnly(2022, 6, 20), split.LastDay);
        Assert.NotEmpty(seen);
        Assert.Equal(new FileInfo(path).Length, seen[^1].TotalBytes);
        Assert.Equal(seen[^1].TotalBytes, seen[^1].BytesRead);
        Assert.Equal(22, seen[^1].RowsRead);
        Assert.Equal(22, seen[^1].BarsStored);
    }

    [Fact]
    public async Task Import_OfAFileWithDuplicatesAndDisorder_KeepsTheFirstRow_AndIsIdempotent()
    {
        const string csv = """
            Date,Open,High,Low,Close,Adj Close,Volume
            2024-01-03,10,11,9,10.2,10.2,7
            2024-01-02,10,11,9,10,10,100
            2024-01-03,20,21,19,20,20,50
            2024-01-04,10,11,9,10.5,10.5,3
            """;
        await using var scope = Scope();
        var id = await scope.ServiceProvider.GetRequiredService<InstrumentService>().EnsureAsync("DUP", "US");
        var service = scope.ServiceProvider.GetRequiredService<CsvImportService>();
        for (var run = 0; run < 2; run++)
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv));
            var report = await service.ImportAsync(id, Intervals.OneDay, stream, "dup.csv");
            Assert.Equal(3, report.BarsStored);
            var error = Assert.Single(report.Rejected);
            Assert.Equal(4, error.Line);
            Assert.StartsWith("duplicate of line 2", error.Reason);
            Assert.True(report.QualityReport.Has(OutOfOrder));
        }
        await using var db = await DbAsync();
        var bars = db.PriceBars.Where(p => p.InstrumentId == id).OrderBy(p => p.Ts).ToList();
        Assert.Equal([10, 10.2, 10.5], bars.Select(b => b.Close));
    }

    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
