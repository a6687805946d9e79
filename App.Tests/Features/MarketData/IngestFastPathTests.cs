using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>
/// The import's fast paths over PostgreSQL: rows that cannot conflict go by COPY straight into price_bars, the rest through the
/// staging merge; many small files share a transaction. Idempotence, first-line-wins, later-corrections-win and per-file error
/// reports hold whichever way the rows went.
/// </summary>
public sealed class IngestFastPathTests : ServiceHarness
{
    private const string Header = "Date,Open,High,Low,Close,Adj Close,Volume";

    private static string Row(DateOnly day, double close) => $"{day:yyyy-MM-dd},{close},{close + 1},{close - 1},{close},{close},1000";

    private static string Csv(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    private static string Days(DateOnly first, int count, double close = 10)
        => string.Join("\n", Enumerable.Range(0, count).Select(i => Row(first.AddDays(i), close)));

    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    private static BarRow Bar(DateOnly day, double close, int line = 0) => new()
    {
        Line = line, UtcTicks = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).UtcTicks,
        Open = close, High = close + 1, Low = close - 1, Close = close, Volume = 1000, Vwap = double.NaN, TradeCount = -1,
    };

    private async Task<long> InstrumentAsync(string symbol) => await WithAsync<InstrumentService, long>(s => s.EnsureAsync(symbol, "FAST"));

    private async Task<ImportReport> ImportAsync(long id, string csv, string file = "f.csv")
        => await WithAsync<CsvImportService, ImportReport>(s => s.ImportAsync(id, Intervals.OneDay, new MemoryStream(Encoding.UTF8.GetBytes(csv)), file));

    private static ImportRequest Request(long id, string file, string csv)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        return new ImportRequest(id, Intervals.OneDay, file, _ => Task.FromResult<Stream>(new MemoryStream(bytes)), bytes.Length);
    }

    private async Task<Dictionary<DateTimeOffset, double>> ClosesAsync(long id)
    {
        await using var db = await DbAsync();
        return await db.PriceBars.Where(p => p.InstrumentId == id).ToDictionaryAsync(p => p.Ts, p => p.Close);
    }

    private static DateTimeOffset Utc(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    [Fact]
    public async Task AFirstImport_GoesStraightIntoPriceBars_ARepeatGoesThroughTheMerge_AndChangesNothing()
    {
        var id = await InstrumentAsync("NEW");
        await using var scope = Scope();
        var writer = scope.ServiceProvider.GetRequiredService<PriceBarWriter>();
        await using (var session = await writer.BeginAsync(id, Intervals.OneDay, "test"))
        {
            for (var i = 0; i < 50; i++) await session.AddAsync(Bar(Jan1.AddDays(i), 10, i + 2));
            Assert.Equal((50L, 0L), (session.DirectCount, session.StagedCount));
            Assert.Equal(50, await session.CommitAsync(deduplicate: false));
        }
        await using (var again = await writer.BeginAsync(id, Intervals.OneDay, "test"))
        {
            for (var i = 0; i < 50; i++) await again.AddAsync(Bar(Jan1.AddDays(i), i == 7 ? 12 : 10, i + 2));
            // Every row lies inside the stored range: none may go directly.
            Assert.Equal((0L, 50L), (again.DirectCount, again.StagedCount));
            Assert.Equal(50, await again.CommitAsync(deduplicate: false));
        }
        var closes = await ClosesAsync(id);
        Assert.Equal(50, closes.Count);
        Assert.Equal(12, closes[Utc(Jan1.AddDays(7))]); // the later correction won
        Assert.Equal(10, closes[Utc(Jan1.AddDays(8))]);
    }

    [Fact]
    public async Task NewerAndOlderBarsThanTheStoredOnes_GoDirectly_AndOnlyTheOverlapIsMerged()
    {
        var id = await InstrumentAsync("EXT");
        Assert.Equal(10, (await ImportAsync(id, Csv(Days(Jan1.AddDays(10), 10)))).BarsStored);
        await using var scope = Scope();
        await using (var session = await scope.ServiceProvider.GetRequiredService<PriceBarWriter>().BeginAsync(id, Intervals.OneDay, "test"))
        {
            // Days 20..29 are after everything stored: direct. Then day 15 is inside the stored range: the rest is staged.
            for (var i = 20; i < 30; i++) await session.AddAsync(Bar(Jan1.AddDays(i), 20, i));
            await session.AddAsync(Bar(Jan1.AddDays(15), 30, 40));
            await session.AddAsync(Bar(Jan1.AddDays(25), 99, 41)); // repeats a direct row of this session: the earlier line stays
            Assert.Equal((10L, 2L), (session.DirectCount, session.StagedCount));
            Assert.Equal(11, await session.CommitAsync(deduplicate: true));
        }
        var closes = await ClosesAsync(id);
        Assert.Equal(20, closes.Count);
        Assert.Equal(30, closes[Utc(Jan1.AddDays(15))]); // corrected
        Assert.Equal(20, closes[Utc(Jan1.AddDays(25))]); // first line kept
    }

    [Fact]
    public async Task AFileWithARepeatedTimestamp_KeepsTheFirstLine_AndReportsTheRepeat_OnTheFastPath()
    {
        var id = await InstrumentAsync("DUP");
        var csv = Csv(Row(Jan1, 10), Row(Jan1.AddDays(1), 11), Row(Jan1.AddDays(2), 12), Row(Jan1.AddDays(1), 50), Row(Jan1.AddDays(3), 13));
        var report = await ImportAsync(id, csv, "dup.csv");
        Assert.Equal(4, report.BarsStored);
        var error = Assert.Single(report.Rejected);
        Assert.Equal(("dup.csv", 5), (error.File, error.Line));
        Assert.Contains("duplicate of line 3", error.Reason);
        var closes = await ClosesAsync(id);
        Assert.Equal([10, 11, 12, 13], closes.OrderBy(c => c.Key).Select(c => c.Value));

        // And importing it again changes nothing.
        Assert.Equal(4, (await ImportAsync(id, csv, "dup.csv")).BarsStored);
        Assert.Equal(closes, await ClosesAsync(id));
    }

    [Fact]
    public async Task ManyFiles_InOneCall_AreStoredEach_ABadRowIsNamedByFileAndLine_AndARepeatChangesNothing()
    {
        var ids = new List<long>();
        for (var i = 0; i < 6; i++) ids.Add(await InstrumentAsync($"M{i}"));
        var files = ids.Select((id, i) => Request(id, $"M{i}.csv", i == 3
            ? Csv(Days(Jan1, 5), $"{Jan1.AddDays(5):yyyy-MM-dd},10,9,11,10,10,5", Days(Jan1.AddDays(6), 4)) // line 7: high below low
            : Csv(Days(Jan1, 10)))).ToList();
        var service = () => WithAsync<CsvImportService, IReadOnlyList<ImportOutcome>>(s => s.ImportManyAsync(files, streams: 2));

        var outcomes = await service();
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.Equal([10, 10, 10, 9, 10, 10], outcomes.Select(o => o.Report!.BarsStored));
        var bad = Assert.Single(outcomes[3].Report!.Rejected);
        Assert.Equal(("M3.csv", 7), (bad.File, bad.Line));
        Assert.Equal("partial", outcomes[3].Report!.Status);

        var again = await service();
        Assert.Equal([10, 10, 10, 9, 10, 10], again.Select(o => o.Report!.BarsStored));
        await using var db = await DbAsync();
        Assert.Equal(59, await db.PriceBars.CountAsync(p => ids.Contains(p.InstrumentId)));
        var logs = await db.DataSyncLog.Where(l => ids.Contains(l.InstrumentId)).ToListAsync();
        Assert.Equal(12, logs.Count);
        Assert.All(logs, l => Assert.Equal(l.InstrumentId == ids[3] ? 9 : 10, l.TotalBars));
        Assert.Equal(2, logs.Count(l => l.Status == "partial"));
        Assert.Contains("M3.csv, line 7", logs.First(l => l.Status == "partial").ErrorMessage);
    }

    [Fact]
    public async Task ManyFiles_ACorrectionWins_OverStoredBarsAndOverAnEarlierFileOfTheSameCall()
    {
        var stored = await InstrumentAsync("OLD");
        var twice = await InstrumentAsync("TWO");
        await ImportAsync(stored, Csv(Days(Jan1, 10, close: 10)));
        var files = new[]
        {
            Request(stored, "OLD-fix.csv", Csv(Days(Jan1.AddDays(5), 10, close: 20))), // overlaps stored days 5..9, adds 10..14
            Request(twice, "TWO-a.csv", Csv(Days(Jan1, 10, close: 30))),
            Request(twice, "TWO-b.csv", Csv(Days(Jan1.AddDays(8), 4, close: 40))), // later file of the same call: wins on days 8, 9
        };
        var outcomes = await WithAsync<CsvImportService, IReadOnlyList<ImportOutcome>>(s => s.ImportManyAsync(files));
        Assert.Equal([10, 10, 4], outcomes.Select(o => o.Report!.BarsStored));
        var old = await ClosesAsync(stored);
        Assert.Equal(15, old.Count);
        Assert.Equal([10, 10, 10, 10, 10, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20], old.OrderBy(c => c.Key).Select(c => c.Value));
        var two = await ClosesAsync(twice);
        Assert.Equal([30, 30, 30, 30, 30, 30, 30, 30, 40, 40, 40, 40], two.OrderBy(c => c.Key).Select(c => c.Value));
    }

    [Fact]
    public async Task ManyFiles_WhenTheSharedTransactionFails_TheOtherFilesAreStillStored_OneByOne()
    {
        var good = await InstrumentAsync("GOOD");
        var refused = await InstrumentAsync("REFUSED");
        var other = await InstrumentAsync("OTHER");
        // A database rule the reader does not know: bars of one instrument are refused.
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"""
                CREATE FUNCTION refuse_bars() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.instrument_id = {refused} THEN RAISE EXCEPTION 'bars of this instrument are refused'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_bars BEFORE INSERT ON price_bars FOR EACH ROW EXECUTE FUNCTION refuse_bars();
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var files = new[] { Request(good, "GOOD.csv", Csv(Days(Jan1, 5))), Request(refused, "REFUSED.csv", Csv(Days(Jan1, 5))), Request(other, "OTHER.csv", Csv(Days(Jan1, 5))) };
        var outcomes = await WithAsync<CsvImportService, IReadOnlyList<ImportOutcome>>(s => s.ImportManyAsync(files, streams: 1));
        Assert.Equal(5, outcomes[0].Report!.BarsStored);
        Assert.Null(outcomes[1].Report);
        Assert.Contains("refused", outcomes[1].Error!.Message);
        Assert.Equal(5, outcomes[2].Report!.BarsStored);
        await using var db = await DbAsync();
        Assert.Equal(10, await db.PriceBars.CountAsync());
        Assert.Equal("failed", (await db.DataSyncLog.SingleAsync(l => l.InstrumentId == refused)).Status);
    }
}
