using System.Text;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Import;

/// <summary>
/// File imports into the real database: the whole file or nothing, re-imports that add nothing, undo, ownership and the
/// refusals (unreadable rows, unknown files, oversize files, XML with a DTD). Samples are the shared broker exports
/// (SIGNALBOOK_DATA/broker-exports); their fill counts are the parser tests' (Eu/, Us/), so here only "stored = parsed".
/// </summary>
public sealed class FillImportServiceTests(JournalHarness h) : IClassFixture<JournalHarness>
{
    private static string Samples => Path.Combine(SharedData.Root, "broker-exports");

    private static ImportRequest Sample(string relative, string? formatId = null) =>
        new(Path.GetFileName(relative), File.ReadAllBytes(Path.Combine(Samples, relative)), new ImportOptions(), formatId);

    private static ImportRequest Text(string fileName, string text, ImportOptions? options = null, string? formatId = null) =>
        new(fileName, Encoding.UTF8.GetBytes(text), options ?? new ImportOptions(), formatId);

    private Task<ImportOutcome> ImportAsync(JournalCaller caller, ImportRequest request) => h.WithAsync<FillImportService, ImportOutcome>(s => s.ImportAsync(caller, request));

    private async Task<(int Batches, int Fills, int CampaignFills, int Summaries)> CountsAsync(Guid user)
    {
        await using var db = await h.DbAsync();
        return (await db.ImportBatches.CountAsync(b => b.UserId == user),
            await db.TradeFills.CountAsync(f => f.UserId == user),
            await db.CampaignFills.CountAsync(c => db.TradeFills.Any(f => f.Id == c.FillId && f.UserId == user)),
            await db.CampaignSummaries.CountAsync(s => s.UserId == user));
    }

    private const string GenericWithBadPrice = """
        date,ticker,action,qty,price
        2026-03-02,AAPL,buy,10,180.50
        2026-03-03,AAPL,sell,10,not-a-price
        2026-03-04,MSFT,buy,5,410.00
        """;

    private static readonly GenericCsvMapping GenericMapping = new() { Date = "date", Symbol = "ticker", Side = "action", Quantity = "qty", Price = "price" };

    [Fact]
    public async Task Import_Trading212Sample_StoresEveryFill_AndBuildsTheirCampaigns()
    {
        var user = await h.NewUserAsync();
        var request = Sample("export-to-ghostfolio-samples/trading212-export.csv");
        var parsed = BrokerFormats.Find("trading212-csv")!.Parse(new ImportFile(request.FileName, request.Bytes), request.Options);
        Assert.Equal(4, parsed.Fills.Count); // EuFillCountTests

        var outcome = await ImportAsync(JournalCaller.Trader(user), request);

        Assert.Equal(("trading212-csv", 4, 4, 0), (outcome.FormatId, outcome.FillsRead, outcome.Added, outcome.Duplicates));
        Assert.True(outcome.CampaignsRebuilt > 0);
        await using var db = await h.DbAsync();
        var fills = await db.TradeFills.AsNoTracking().Where(f => f.UserId == user).ToListAsync();
        Assert.Equal(4, fills.Count);
        Assert.All(fills, f => Assert.Equal((FillSource.FileImport, (long?)outcome.BatchId, (long?)null), (f.Source, f.ImportBatchId, f.BrokerConnectionId)));
        var batch = await db.ImportBatches.AsNoTracking().SingleAsync(b => b.Id == outcome.BatchId);
        Assert.Equal((user, 4, 4, 0, ImportBatchStatus.Imported), (batch.UserId, batch.FillsRead, batch.FillsAdded, batch.FillsDuplicate, batch.Status));
        var counts = await CountsAsync(user);
        Assert.Equal(4, counts.CampaignFills); // no flip in the sample: every fill is in exactly one campaign
        Assert.Equal(outcome.CampaignsRebuilt, counts.Summaries);
    }

    [Fact]
    public async Task Import_TheSameFileAgain_AddsNothing_AndCountsEveryFillAsADuplicate()
    {
        var user = await h.NewUserAsync();
        var request = Sample("export-to-ghostfolio-samples/trading212-export.csv");
        var first = await ImportAsync(JournalCaller.Trader(user), request);

        var preview = await h.WithAsync<FillImportService, ImportPreview>(s => s.PreviewAsync(JournalCaller.Trader(user), request));
        Assert.Equal((4, 0, 4, false), (preview.FillsRead, preview.NewFills, preview.Duplicates, preview.CanImport));
        var second = await ImportAsync(JournalCaller.Trader(user), request);

        Assert.Equal((0, 4), (second.Added, second.Duplicates));
        await using var db = await h.DbAsync();
        Assert.Equal(0, await db.TradeFills.CountAsync(f => f.ImportBatchId == second.BatchId));
        Assert.Equal(first.Added, await db.TradeFills.CountAsync(f => f.UserId == user));
    }

    [Fact]
    public async Task Import_AFileWithAnUnreadableRow_IsRefusedWhole_AndWritesNothing()
    {
        var user = await h.NewUserAsync();
        var request = Text("mine.csv", GenericWithBadPrice, new ImportOptions { GenericMapping = GenericMapping }, "generic-csv");

        var preview = await h.WithAsync<FillImportService, ImportPreview>(s => s.PreviewAsync(JournalCaller.Trader(user), request));
        var problem = Assert.Single(preview.Problems);
        Assert.Equal((3, "price"), (problem.Line, problem.Column));
        Assert.False(preview.CanImport);

        var e = await Assert.ThrowsAsync<ImportFileException>(() => ImportAsync(JournalCaller.Trader(user), request));
        Assert.Contains("1 row(s) that cannot be read, so nothing was imported", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Equal((0, 0, 0, 0), await CountsAsync(user));
    }

    [Fact]
    public async Task Import_AFileNoFormatKnows_SaysSo_AndPointsToTheGenericMapping()
    {
        var user = await h.NewUserAsync();
        var e = await Assert.ThrowsAsync<ImportFileException>(() => ImportAsync(JournalCaller.Trader(user), Text("shopping.csv", "item,count\napples,3\npears,2\n")));

        Assert.Contains("'shopping.csv' is not a broker export Signalbook knows", e.Message);
        Assert.Contains("generic CSV", e.Message);
        Assert.Equal((0, 0, 0, 0), await CountsAsync(user));
    }

    [Fact]
    public async Task Import_AFileOverTheLimit_IsRefusedWithTheLimitNamed()
    {
        var user = await h.NewUserAsync();
        var limit = new JournalOptions().MaxImportBytes;
        var e = await Assert.ThrowsAsync<ImportFileException>(() => ImportAsync(JournalCaller.Trader(user), new ImportRequest("huge.csv", new byte[limit + 1], new ImportOptions())));

        Assert.Contains("the largest file you can import is 25 MB", e.Message);
        Assert.Contains("Split it by date range", e.Message);
        Assert.Equal((0, 0, 0, 0), await CountsAsync(user));
    }

    [Fact]
    public async Task Import_BrokerXmlWithADoctypeAndEntity_IsRefused_AndWritesNothing()
    {
        var user = await h.NewUserAsync();
        const string xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE FlexQueryResponse [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <FlexQueryResponse queryName="trades" type="AF">
              <FlexStatements count="1">
                <FlexStatement accountId="U1234567" fromDate="2026-01-02" toDate="2026-01-31">
                  <Trades>
                    <Trade tradeID="9001" symbol="&xxe;" assetCategory="STK" buySell="BUY" quantity="10" tradePrice="100" ibCommission="-1" currency="USD" dateTime="2026-01-05;10:00:00" levelOfDetail="EXECUTION" />
                  </Trades>
                </FlexStatement>
              </FlexStatements>
            </FlexQueryResponse>
            """;

        var e = await Assert.ThrowsAsync<ImportFileException>(() => ImportAsync(JournalCaller.Trader(user), Text("flex.xml", xml)));

        Assert.Contains("DTD", e.Message);
        Assert.Equal((0, 0, 0, 0), await CountsAsync(user));
    }

    [Fact]
    public async Task Undo_DeletesTheBatchsFillsAndCampaigns_AndKeepsTheBatchMarkedUndone()
    {
        var user = await h.NewUserAsync();
        var caller = JournalCaller.Trader(user);
        var outcome = await ImportAsync(caller, Sample("export-to-ghostfolio-samples/trading212-export.csv"));
        Assert.True((await CountsAsync(user)).Summaries > 0);

        var impact = await h.WithAsync<FillImportService, (int, int)>(s => s.UndoImpactAsync(caller, outcome.BatchId));
        Assert.Equal((4, 0), impact);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var deleted = await h.WithAsync<FillImportService, int>(s => s.UndoAsync(caller, outcome.BatchId));

        Assert.Equal(4, deleted);
        Assert.Equal((1, 0, 0, 0), await CountsAsync(user));
        var history = await h.WithAsync<FillImportService, IReadOnlyList<ImportBatchRow>>(s => s.HistoryAsync(caller));
        var row = Assert.Single(history);
        Assert.Equal((ImportBatchStatus.Undone, (DateTimeOffset?)h.Clock.GetUtcNow()), (row.Status, row.UndoneAt));
        await Assert.ThrowsAsync<JournalValidationException>(() => h.WithAsync<FillImportService, int>(s => s.UndoAsync(caller, outcome.BatchId)));
    }

    [Fact]
    public async Task AnotherTrader_NeitherSeesNorUndoesTheBatch()
    {
        var owner = await h.NewUserAsync();
        var other = JournalCaller.Trader(await h.NewUserAsync());
        var outcome = await ImportAsync(JournalCaller.Trader(owner), Sample("export-to-ghostfolio-samples/trading212-export.csv"));

        Assert.Empty(await h.WithAsync<FillImportService, IReadOnlyList<ImportBatchRow>>(s => s.HistoryAsync(other)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => h.WithAsync<FillImportService, (int, int)>(s => s.UndoImpactAsync(other, outcome.BatchId)));
        await Assert.ThrowsAsync<JournalNotFoundException>(() => h.WithAsync<FillImportService, int>(s => s.UndoAsync(other, outcome.BatchId)));
        Assert.Equal(4, (await CountsAsync(owner)).Fills);
    }

    [Fact]
    public async Task AViewer_CannotImport_AndNothingIsWritten()
    {
        var viewer = await h.NewUserAsync(Roles.Viewer);
        var e = await Assert.ThrowsAsync<JournalForbiddenException>(() => ImportAsync(JournalCaller.Viewer(viewer), Sample("export-to-ghostfolio-samples/trading212-export.csv")));

        Assert.Contains("Viewers", e.Message);
        Assert.Equal((0, 0, 0, 0), await CountsAsync(viewer));
    }

    [Fact]
    public async Task EverySampleThatParsesCleanly_ImportsAllItsFills_AndAgainAddsNothing()
    {
        var imported = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Samples, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(Samples, path);
            var request = new ImportRequest(Path.GetFileName(path), await File.ReadAllBytesAsync(path), new ImportOptions());
            ParseResult parsed;
            try
            {
                var file = new ImportFile(request.FileName, request.Bytes);
                parsed = BrokerFormats.Detect(file).Parse(file, request.Options);
            }
            catch (ImportFileException)
            {
                continue; // not a broker export (a licence), ambiguous, or unreadable as a whole: the parser tests cover those
            }
            if (parsed.Fills.Count == 0 || parsed.Problems.Count > 0) continue;

            var caller = JournalCaller.Trader(await h.NewUserAsync());
            var first = await ImportAsync(caller, request);
            Assert.True(parsed.Fills.Count == first.Added, $"{relative}: parsed {parsed.Fills.Count} fills, stored {first.Added}");
            var again = await ImportAsync(caller, request);
            Assert.True(again.Added == 0 && again.Duplicates == parsed.Fills.Count, $"{relative}: the re-import added {again.Added}");
            Assert.Equal(parsed.Fills.Count, (await CountsAsync(caller.UserId)).Fills);
            imported.Add(relative);
        }
        Assert.True(imported.Count >= 40, $"only {imported.Count} samples imported: {string.Join(", ", imported)}");
    }
}
