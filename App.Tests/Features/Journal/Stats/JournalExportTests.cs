using System.Net;
using System.Text;
using ClosedXML.Excel;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Data;
using Signalbook.Features.Journal.Export;
using Signalbook.Tests.Infrastructure;
using static Signalbook.Tests.Features.Journal.Stats.JournalStatsSeed;

namespace Signalbook.Tests.Features.Journal.Stats;

/// <summary>
/// GET /journal/export/… through the whole app: the demo trader's and the demo viewer's journals side by side; each
/// download holds the caller's rows only, and an anonymous request is sent to sign in.
/// </summary>
public sealed class JournalExportTests(JournalExportTests.App app) : IClassFixture<JournalExportTests.App>
{
    /// <summary>The app with a trader's and a viewer's journal rows written once for the class.</summary>
    public sealed class App : AppFactory
    {
        public long TraderGroup { get; private set; }

        public async Task SeedOnceAsync()
        {
            if (TraderGroup != 0) return;
            await using var scope = Services.CreateAsyncScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
            var trader = await db.Users.Where(u => u.Email == TraderEmail).Select(u => u.Id).SingleAsync();
            var viewer = await db.Users.Where(u => u.Email == ViewerEmail).Select(u => u.Id).SingleAsync();
            // The demo trader's seeded journal out of the way: these tests count exactly the rows they write.
            await db.JournalEntries.Where(e => e.UserId == trader).ExecuteDeleteAsync();
            await db.TradeFills.Where(f => f.UserId == trader).ExecuteDeleteAsync();
            await db.ImportBatches.Where(b => b.UserId == trader).ExecuteDeleteAsync();
            var strategy = await StrategyAsync(db, trader, "Breakout");
            TraderGroup = await CampaignAsync(db, trader, new SeedCampaign("AAPL", At(2, 14), At(3, 15), 300.25m) { R = 1.5, Fees = 2, StrategyId = strategy, Regime = "bull" });
            await CampaignAsync(db, trader, new SeedCampaign("NVDA", At(11, 14), null, 0m));
            await CampaignAsync(db, viewer, new SeedCampaign("VIEWONLY", At(2, 14), At(3, 15), 999m));
            db.JournalEntries.Add(Entry(trader, TraderGroup.ToString(System.Globalization.CultureInfo.InvariantCulture), ["plan", "00123"], "=HYPERLINK(\"http://x\")", new DateOnly(2026, 3, 3)));
            db.JournalEntries.Add(Entry(viewer, null, ["secret"], "viewer's own note", new DateOnly(2026, 3, 3)));
            await db.SaveChangesAsync();
        }
    }

    private async Task<HttpClient> TraderAsync()
    {
        await app.SeedOnceAsync();
        return await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
    }

    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        using var reader = CsvReader.FromText(text.TrimStart('\uFEFF'), null);
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read()) rows.Add(reader.Headers.ToDictionary(h => h, h => reader.GetString(h)));
        return rows;
    }

    [Theory]
    [InlineData("/journal/export/trades.csv")]
    [InlineData("/journal/export/trades.xlsx")]
    [InlineData("/journal/export/entries.csv")]
    [InlineData("/journal/export/entries.xlsx")]
    public async Task Anonymous_IsRefusedAndSentToSignIn(string path)
    {
        await app.SeedOnceAsync();
        var response = await app.Browser().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login", AppFactory.Path(response.Headers.Location), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TradesCsv_HasTheHeaderAndTheCallersCampaignsOnly()
    {
        var client = await TraderAsync();
        var response = await client.GetAsync("/journal/export/trades.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition!.FileName!.Trim('"'), StringComparison.Ordinal);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());

        Assert.StartsWith(string.Join(',', JournalExportService.TradeColumns) + "\r\n", text.TrimStart('\uFEFF'), StringComparison.Ordinal);
        var rows = ReadCsv(text);
        Assert.Equal(["AAPL", "NVDA"], rows.Select(r => r["symbol"])); // open campaigns too; never the viewer's VIEWONLY
        var aapl = rows[0];
        Assert.Equal(app.TraderGroup.ToString(System.Globalization.CultureInfo.InvariantCulture), aapl["group_id"]);
        Assert.Equal("long", aapl["direction"]);
        Assert.Equal(300.25m, decimal.Parse(aapl["realised_pnl"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(2m, decimal.Parse(aapl["fees"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("1.5", aapl["r_multiple"]);
        Assert.Equal("Breakout", aapl["strategy"]);
        Assert.Equal(new DateTimeOffset(2026, 3, 3, 15, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(aapl["closed_at_utc"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("", rows[1]["closed_at_utc"]);
        Assert.DoesNotContain("VIEWONLY", text, StringComparison.Ordinal);

        // The statistics page's filters apply: no MSFT trades, and dates (close days) leave the open campaign out.
        Assert.Empty(ReadCsv(await client.GetStringAsync("/journal/export/trades.csv?symbol=MSFT")));
        Assert.Equal(["AAPL"], ReadCsv(await client.GetStringAsync("/journal/export/trades.csv?from=2026-03-01&to=2026-03-31")).Select(r => r["symbol"]));
    }

    [Fact]
    public async Task TradesXlsx_OpensWithClosedXml_WithTheCallersRows()
    {
        var client = await TraderAsync();
        var response = await client.GetAsync("/journal/export/trades.xlsx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(JournalExportService.XlsxType, response.Content.Headers.ContentType!.MediaType);

        using var workbook = new XLWorkbook(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet("Trades");
        Assert.Equal(JournalExportService.TradeColumns, Enumerable.Range(1, JournalExportService.TradeColumns.Length).Select(c => sheet.Cell(1, c).GetString()));
        Assert.Equal(3, sheet.LastRowUsed().RowNumber()); // header + AAPL + NVDA
        Assert.Equal("AAPL", sheet.Cell(2, 2).GetString());
        Assert.Equal(300.25m, sheet.Cell(2, 11).GetValue<decimal>());
        Assert.Equal(new DateTime(2026, 3, 3, 15, 0, 0), sheet.Cell(2, 6).GetDateTime());
        Assert.Equal("NVDA", sheet.Cell(3, 2).GetString());
        Assert.DoesNotContain(sheet.CellsUsed(), c => c.GetString() == "VIEWONLY");
    }

    [Fact]
    public async Task Entries_CsvAndXlsx_HoldTheCallersNotesOnly_AndFormulasStayText()
    {
        var client = await TraderAsync();
        var csv = await client.GetStringAsync("/journal/export/entries.csv");
        Assert.StartsWith(string.Join(',', JournalExportService.EntryColumns), csv.TrimStart('\uFEFF'), StringComparison.Ordinal);
        var row = Assert.Single(ReadCsv(csv));
        Assert.Equal("2026-03-03", row["date"]);
        Assert.Equal("plan; 00123", row["tags"]);
        Assert.Equal(app.TraderGroup.ToString(System.Globalization.CultureInfo.InvariantCulture), row["trade_id"]);
        Assert.NotEqual('=', row["content"][0]); // escaped: a spreadsheet does not run it
        Assert.EndsWith("=HYPERLINK(\"http://x\")", row["content"], StringComparison.Ordinal);
        Assert.DoesNotContain("viewer's own note", csv, StringComparison.Ordinal);

        using var workbook = new XLWorkbook(new MemoryStream(await client.GetByteArrayAsync("/journal/export/entries.xlsx")));
        var sheet = workbook.Worksheet("Journal entries");
        Assert.Equal(2, sheet.LastRowUsed().RowNumber());
        Assert.Equal("=HYPERLINK(\"http://x\")", sheet.Cell(2, 7).GetString());
        Assert.False(sheet.Cell(2, 7).HasFormula);
        Assert.Equal("plan; 00123", sheet.Cell(2, 6).GetString());

        // The viewer downloads their own note, not the trader's.
        var viewer = await app.SignedInAsync(AppFactory.ViewerEmail, AppFactory.DemoPassword);
        var theirs = Assert.Single(ReadCsv(await viewer.GetStringAsync("/journal/export/entries.csv")));
        Assert.Equal("viewer's own note", theirs["content"]);
        Assert.Equal(["VIEWONLY"], ReadCsv(await viewer.GetStringAsync("/journal/export/trades.csv")).Select(r => r["symbol"]));
    }
}
