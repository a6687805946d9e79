using System.Collections.Concurrent;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>What the file name says: symbol, exchange and zone from the suffix, and the interval from the bars.</summary>
public sealed class BulkImportNamingTests
{
    [Theory]
    [InlineData("AAPL.csv", "AAPL", "US", "America/New_York", null)]
    [InlineData("MC.PA.csv", "MC.PA", "XPAR", "Europe/Paris", null)]
    [InlineData("7203.T.parquet", "7203.T", "XTKS", "Asia/Tokyo", null)]
    [InlineData("asml.as.csv", "ASML.AS", "XAMS", "Europe/Amsterdam", null)]
    [InlineData("SAP.DE.csv", "SAP.DE", "XETR", "Europe/Berlin", null)]
    [InlineData("BMW.F.csv", "BMW.F", "XFRA", "Europe/Berlin", null)]
    [InlineData("0700.HK.csv", "0700.HK", "XHKG", "Asia/Hong_Kong", null)]
    [InlineData("RY.TO.csv", "RY.TO", "XTSE", "America/Toronto", null)]
    [InlineData("NESN.SW.csv", "NESN.SW", "XSWX", "Europe/Zurich", null)]
    [InlineData("TEP-PA-1d-bad-div-fixed.csv", "TEP.PA", "XPAR", "Europe/Paris", Intervals.OneDay)]
    [InlineData("ASAI-L-1h-bad-unit.csv", "ASAI.L", "XLON", "Europe/London", Intervals.OneHour)]
    [InlineData("EA-15m-no-bad-divs.csv", "EA", "US", "America/New_York", Intervals.FifteenMinutes)]
    [InlineData("BRK-B.csv", "BRK-B", "US", "America/New_York", null)]
    public void TheSymbolAndExchange_ComeFromTheFileName(string file, string symbol, string exchange, string zone, string? interval)
    {
        var (s, i) = BulkImportService.SymbolFromFileName(file);
        Assert.Equal((symbol, interval), (s, i));
        var info = Exchanges.ForSymbol(s);
        Assert.Equal((exchange, zone), (info.Code, info.TimeZone));
    }

    [Fact]
    public void TheInterval_ComesFromTheMedianSpacing()
    {
        long T(int day, int hour = 0, int minute = 0) => new DateTime(2024, 1, day, hour, minute, 0, DateTimeKind.Utc).Ticks;
        Assert.Equal(Intervals.OneDay, BulkImportService.DetectInterval([T(1), T(2), T(3), T(4), T(5), T(8), T(9)]));
        Assert.Equal(Intervals.OneHour, BulkImportService.DetectInterval([T(2, 14), T(2, 15), T(2, 16), T(3, 14), T(3, 15)]));
        Assert.Equal(Intervals.FifteenMinutes, BulkImportService.DetectInterval([T(2, 14), T(2, 14, 15), T(2, 14, 30), T(3, 14)]));
        Assert.Equal(Intervals.OneMinute, BulkImportService.DetectInterval([T(2, 14), T(2, 14, 1), T(2, 14, 2)]));
        Assert.Null(BulkImportService.DetectInterval([T(1), T(8), T(15), T(22)])); // weekly
        Assert.Null(BulkImportService.DetectInterval([T(1)]));
    }
}

/// <summary>A bulk import of real files over PostgreSQL: review first, then one transaction and one result per file, then analysis queued.</summary>
public sealed class BulkImportTests : ServiceHarness
{
    private static string Stocknet(string symbol) => Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017", symbol + ".csv");

    private static string Eu(string file) => Path.Combine(SharedData.Root, "prices-eu-and-data-quality", file);

    private readonly RecordingAnalysisQueue _queue = new();

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IInstrumentAnalysisQueue>(_queue);

    private static BulkSource Text(string name, string csv)
        => new(name, csv.Length, _ => Task.FromResult<Stream>(new MemoryStream(Encoding.UTF8.GetBytes(csv))));

    [Fact]
    public async Task Review_ProposesInstrumentsAndCounts_AndWritesNothing()
    {
        await WithAsync<InstrumentService, long>(s => s.EnsureAsync("AAPL", "US"));
        var sources = new[]
        {
            BulkSource.FromFile(Stocknet("AAPL")), BulkSource.FromFile(Stocknet("PTR")), BulkSource.FromFile(Eu("TEP-PA-1d-bad-div-fixed.csv")),
            Text("notes.txt", "hello\n"), Text("README.md", "# not a bar file"),
        };
        var plan = await WithAsync<BulkImportService, IReadOnlyList<BulkImportFile>>(s => s.PlanAsync(sources));

        var aapl = plan.Single(f => f.FileName == "AAPL.csv");
        Assert.False(aapl.CreatesInstrument); // exists already
        Assert.Equal((Intervals.OneDay, CsvLayout.Yahoo, 0), (aapl.Interval, aapl.Layout, aapl.RejectedRows));
        Assert.Equal(File.ReadLines(Stocknet("AAPL")).Count() - 1, aapl.Rows);
        Assert.Equal((new DateOnly(2012, 9, 4), new DateOnly(2017, 9, 1)), (aapl.FirstDate, aapl.LastDate));

        var ptr = plan.Single(f => f.FileName == "PTR.csv");
        Assert.True(ptr.CreatesInstrument);
        var error = Assert.Single(ptr.FirstErrors);
        Assert.Equal((962, "missing value in column Open"), (error.Line, error.Reason));
        Assert.True(ptr.CanImport);

        var tep = plan.Single(f => f.FileName.StartsWith("TEP"));
        Assert.Equal(("TEP.PA", "XPAR", "Europe/Paris", "EUR"), (tep.Symbol, tep.Exchange, tep.TimeZone, tep.Currency));
        // Its first row is Monday 3 January 2022 (not Sunday the 2nd); its last row, of 22 August 2024, is rejected (close above high).
        Assert.Equal((new DateOnly(2022, 1, 3), new DateOnly(2024, 8, 21), 1), (tep.FirstDate, tep.LastDate, tep.RejectedRows));
        Assert.Equal(678, Assert.Single(tep.FirstErrors).Line);

        var notes = plan.Single(f => f.FileName == "notes.txt");
        Assert.False(notes.CanImport);
        Assert.Contains("unknown header", notes.Problem);
        Assert.Contains("not a bar file", plan.Single(f => f.FileName == "README.md").Problem);

        await using var db = await DbAsync();
        Assert.Equal(0, await db.PriceBars.CountAsync());
        Assert.Equal(1, await db.Instruments.CountAsync());
    }

    [Fact]
    public async Task Import_OfSeveralRealFiles_CreatesTheInstruments_StoresEachFile_AndQueuesTheirAnalysis()
    {
        var sources = new[]
        {
            BulkSource.FromFile(Stocknet("AAPL")), BulkSource.FromFile(Stocknet("MSFT")), BulkSource.FromFile(Stocknet("PTR")),
            BulkSource.FromFile(Eu("TEP-PA-1d-bad-div-fixed.csv")), BulkSource.FromFile(Eu("IBE-MC-1d-no-bad-divs.csv")),
            Text("JUNK.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,9,8,10,10,1\n"),
        };
        var plan = await WithAsync<BulkImportService, IReadOnlyList<BulkImportFile>>(s => s.PlanAsync(sources));
        Assert.False(plan.Single(f => f.FileName == "JUNK.csv").CanImport); // its only row is invalid
        plan.Single(f => f.Symbol == "IBE.MC").Exchange = "XMAD"; // edited in the review (it was guessed already)

        var progress = new ConcurrentDictionary<string, List<ImportProgress>>();
        var admin = ActorOf(await AdminAsync());
        var outcome = await WithAsync<BulkImportService, BulkImportOutcome>(s => s.ImportAsync(plan, sources, admin,
            f => new InOrderProgress<ImportProgress>(p => progress.GetOrAdd(f.FileName, _ => []).Add(p))));

        Assert.Equal(6, outcome.Files.Count);
        Assert.Equal(["partial", "partial", "success", "success", "success", "skipped"],
            outcome.Files.OrderBy(f => f.Status == "skipped").ThenBy(f => f.Status).Select(f => f.Status));
        var ptr = outcome.Files.Single(f => f.Symbol == "PTR");
        Assert.Equal(962, Assert.Single(ptr.Report!.Rejected).Line);
        Assert.True(outcome.Files.Single(f => f.Symbol == "TEP.PA").CreatedInstrument);
        Assert.All(outcome.Files.Where(f => f.Report is not null), f => Assert.True(progress[f.FileName][^1].BarsStored == f.Report!.BarsStored));

        await using var db = await DbAsync();
        var instruments = await db.Instruments.OrderBy(i => i.Symbol).Select(i => new { i.Id, i.Symbol, i.Exchange, i.TimeZone, i.Currency }).ToListAsync();
        Assert.Equal(["AAPL", "IBE.MC", "MSFT", "PTR", "TEP.PA"], instruments.Select(i => i.Symbol));
        var tep = instruments.Single(i => i.Symbol == "TEP.PA");
        Assert.Equal(("XPAR", "Europe/Paris", "EUR"), (tep.Exchange, tep.TimeZone, tep.Currency));
        Assert.Equal(outcome.Files.Where(f => f.Report is not null).Sum(f => f.Report!.BarsStored), await db.PriceBars.CountAsync());
        Assert.Equal(0, await db.PriceBars.CountAsync(p => p.Ts.Hour != 0));
        Assert.Equal(5, await db.AuditLogs.CountAsync(a => a.Action == "instrument.added"));

        var call = Assert.Single(_queue.Calls);
        Assert.Equal(instruments.Select(i => i.Id).Order(), call.Ids.Order());
        Assert.Equal(outcome.ImportedInstrumentIds.Order(), call.Ids.Order());
        Assert.Equal("job-1", outcome.AnalysisJobId);
    }

    [Fact]
    public async Task AFileThatFails_LeavesNoInstrumentAndNoBars_AndTheOthersAreStillImported()
    {
        var good = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10,10,1\n2024-01-03,10,11,9,10,10,1\n";
        var sources = new[] { Text("GOOD.csv", good), Text("GONE.csv", good) };
        var plan = await WithAsync<BulkImportService, IReadOnlyList<BulkImportFile>>(s => s.PlanAsync(sources));
        plan.Single(f => f.Symbol == "GONE").TimeZone = "Mars/Olympus_Mons"; // an edit that cannot be stored
        var admin = ActorOf(await AdminAsync());
        var outcome = await WithAsync<BulkImportService, BulkImportOutcome>(s => s.ImportAsync(plan, sources, admin));
        Assert.Equal("success", outcome.Files.Single(f => f.Symbol == "GOOD").Status);
        var gone = outcome.Files.Single(f => f.Symbol == "GONE");
        Assert.Equal("failed", gone.Status);
        Assert.Contains("Mars/Olympus_Mons", gone.Error);
        await using var db = await DbAsync();
        Assert.False(await db.Instruments.AnyAsync(i => i.Symbol == "GONE"));
        Assert.Equal([outcome.Files.Single(f => f.Symbol == "GOOD").InstrumentId!.Value], Assert.Single(_queue.Calls).Ids);
    }

    [Fact]
    public async Task DailyAndHourlyFilesOfOneSymbol_ShareOneNewInstrument()
    {
        var sources = new[]
        {
            Text("SAP.DE.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n2024-03-04,10,11,9,10,10,1\n2024-03-05,10,11,9,10,10,1\n2024-03-06,10,11,9,10,10,1\n"),
            Text("SAP.DE-1h.csv", "Datetime,Open,High,Low,Close,Volume\n2024-03-04 09:00:00+01:00,10,11,9,10,1\n2024-03-04 10:00:00+01:00,10,11,9,10,1\n2024-03-04 11:00:00+01:00,10,11,9,10,1\n"),
        };
        var plan = await WithAsync<BulkImportService, IReadOnlyList<BulkImportFile>>(s => s.PlanAsync(sources));
        Assert.Equal([Intervals.OneDay, Intervals.OneHour], plan.Select(f => f.Interval));
        Assert.All(plan, f => Assert.Equal(("SAP.DE", "XETR", "Europe/Berlin"), (f.Symbol, f.Exchange, f.TimeZone)));
        var admin = ActorOf(await AdminAsync());
        var outcome = await WithAsync<BulkImportService, BulkImportOutcome>(s => s.ImportAsync(plan, sources, admin));
        Assert.All(outcome.Files, f => Assert.Equal("success", f.Status));
        await using var db = await DbAsync();
        var id = await db.Instruments.Where(i => i.Symbol == "SAP.DE").Select(i => i.Id).SingleAsync();
        Assert.Equal(3, await db.PriceBars.CountAsync(p => p.InstrumentId == id && p.Interval == Intervals.OneHour));
        Assert.Equal(new DateTimeOffset(2024, 3, 4, 8, 0, 0, TimeSpan.Zero), await db.PriceBars.Where(p => p.Interval == Intervals.OneHour).MinAsync(p => p.Ts));
        Assert.Equal([id], Assert.Single(_queue.Calls).Ids);
    }

    [Fact]
    public async Task ACancelledImport_StoresNothingOfTheFileInProgress()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 3000).Select(i => $"{new DateOnly(2000, 1, 3).AddDays(i):yyyy-MM-dd},10,11,9,10,10,1"));
        var sources = new[] { Text("BIG.csv", "Date,Open,High,Low,Close,Adj Close,Volume\n" + rows) };
        var plan = await WithAsync<BulkImportService, IReadOnlyList<BulkImportFile>>(s => s.PlanAsync(sources));
        using var cts = new CancellationTokenSource();
        var admin = ActorOf(await AdminAsync());
        // Cancel as soon as the file has been read: the COPY has all rows, the merge and commit must not happen.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => WithAsync<BulkImportService, BulkImportOutcome>(s => s.ImportAsync(plan, sources, admin,
            _ => new InOrderProgress<ImportProgress>(_ => cts.Cancel()), cts.Token)));
        await using var db = await DbAsync();
        Assert.Equal(0, await db.PriceBars.CountAsync());
        Assert.False(await db.Instruments.AnyAsync(i => i.Symbol == "BIG"));
        Assert.Empty(_queue.Calls);
    }
}

/// <summary>Records what would have been queued for analysis.</summary>
public sealed class RecordingAnalysisQueue : IInstrumentAnalysisQueue
{
    public ConcurrentQueue<(IReadOnlyCollection<long> Ids, string Reason)> Calls { get; } = new();

    public Task<string?> EnqueueAsync(IReadOnlyCollection<long> instrumentIds, string reason, CancellationToken ct = default)
    {
        Calls.Enqueue((instrumentIds.ToList(), reason));
        return Task.FromResult<string?>($"job-{Calls.Count}");
    }
}
