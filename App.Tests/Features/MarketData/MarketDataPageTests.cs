using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.MarketData;
using Signalbook.Features.MarketData.Admin;
using Signalbook.Features.MarketData.Import;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.MarketData;

/// <summary>A bUnit context over the real market-data services and a fresh test database, with a recording analysis queue.</summary>
public abstract class MarketDataPageContext : SignalbookTestContext
{
    protected ServiceHarness Db { get; } = new();

    protected RecordingAnalysisQueue Queue { get; } = new();

    public override async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        UseDatabase(Db);
        Services.AddSingleton<IInstrumentAnalysisQueue>(Queue);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Db.DisposeAsync().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    protected async Task<long> InstrumentWithBarsAsync(string symbol, string exchange, string zone, int days, string? name = null, string? sector = null)
    {
        var id = await Db.WithAsync<InstrumentService, long>(s => s.EnsureAsync(symbol, exchange, zone, name));
        if (sector is not null)
        {
            await using var db = await Db.DbAsync();
            await db.Instruments.Where(i => i.Id == id).ExecuteUpdateAsync(u => u.SetProperty(i => i.Sector, sector));
        }
        // Daily bars stamped at the exchange's local midnight, as a Paris export writes them: stored at their trading date.
        var calendar = ExchangeCalendar.For(exchange, zone);
        var today = DateOnly.FromDateTime(Db.Clock.GetUtcNow().UtcDateTime);
        var bars = calendar.TradingDays(today.AddDays(-days), today.AddDays(-1))
            .Select((d, i) => new OhlcvBar(0, calendar.At(d, TimeOnly.MinValue), 100 + i * 0.1, 101 + i * 0.1, 99 + i * 0.1, 100.5 + i * 0.1, 1000, null, null)).ToList();
        await Db.WithAsync<PriceBarWriter, int>(w => w.UpsertAsync(id, Intervals.OneDay, bars, "test"));
        return id;
    }
}

public sealed class MarketsPageTests : MarketDataPageContext
{
    [Fact]
    public async Task Markets_SearchingNarrowsTheGrid_ToTheMatchingInstrument()
    {
        await InstrumentWithBarsAsync("AIR.PA", "XPAR", "Europe/Paris", 30, "Airbus", "Industrials");
        await InstrumentWithBarsAsync("IBM", "US", "America/New_York", 30, "International Business Machines", "Technology");
        SignIn(Guid.NewGuid(), "trader@test.local", Roles.Trader);

        var page = RenderWithProviders<MarketsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=markets-grid] a.sb-symbol").Count), TimeSpan.FromSeconds(10));

        page.Find("input[data-testid=markets-search]").Input("airb");
        page.WaitForAssertion(() => Assert.Equal(["AIR.PA"], page.FindAll("[data-testid=markets-grid] a.sb-symbol").Select(a => a.TextContent.Trim())),
            TimeSpan.FromSeconds(10));
        Assert.Equal("/markets/", page.Find("[data-testid=markets-grid] a.sb-symbol").GetAttribute("href")![..9]);

        page.Find("input[data-testid=markets-search]").Input("nothing-like-this");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=markets-empty]")), TimeSpan.FromSeconds(10));
    }
}

public sealed class InstrumentPageTests : MarketDataPageContext
{
    [Fact]
    public async Task Instrument_ChoosingARange_PressesIt_AndTheLastCloseShowsItsTradingDate()
    {
        var id = await InstrumentWithBarsAsync("MC.PA", "XPAR", "Europe/Paris", 400, "LVMH");
        SignIn(Guid.NewGuid(), "trader@test.local", Roles.Trader);

        var page = RenderWithProviders<InstrumentPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=instrument-stats]")), TimeSpan.FromSeconds(10));
        // The clock is Friday 20 November 2026: the last bar is Thursday the 19th, stored from Paris midnight (23:00 UTC on the 18th).
        Assert.Contains("2026-11-19", page.Find("[data-testid=instrument-stats]").TextContent);
        Assert.DoesNotContain("2026-11-18", page.Find("[data-testid=instrument-stats]").TextContent);
        // No sector and no size bucket: the heading leaves them out instead of showing empty slots between dots.
        Assert.Equal("MC.PA · LVMH", page.Find("h1").TextContent.Trim());
        var subtitle = page.Find("h1 + p").TextContent.Trim();
        Assert.StartsWith("XPAR · prices in ", subtitle);
        Assert.DoesNotContain("cap", subtitle);

        var oneYear = page.FindAll("[data-testid=range] button").Single(b => b.TextContent.Trim() == "1Y");
        Assert.Equal("false", oneYear.GetAttribute("aria-pressed"));
        oneYear.Click();
        page.WaitForAssertion(() => Assert.Equal("true", page.FindAll("[data-testid=range] button").Single(b => b.TextContent.Trim() == "1Y").GetAttribute("aria-pressed")));
        Assert.Equal("false", page.FindAll("[data-testid=range] button").Single(b => b.TextContent.Trim() == "6M").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task Instrument_WithoutAName_IsHeadedByItsSymbolAlone()
    {
        var id = await InstrumentWithBarsAsync("7203.T", "XTKS", "Asia/Tokyo", 40, sector: "Consumer Cyclical");
        SignIn(Guid.NewGuid(), "trader@test.local", Roles.Trader);

        var page = RenderWithProviders<InstrumentPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=instrument-stats]")), TimeSpan.FromSeconds(10));
        Assert.Equal("7203.T", page.Find("h1").TextContent.Trim());
        Assert.StartsWith("XTKS · Consumer Cyclical · prices in ", page.Find("h1 + p").TextContent.Trim());
    }

    [Fact]
    public void Instrument_Unknown_SaysSo()
    {
        SignIn(Guid.NewGuid(), "trader@test.local", Roles.Trader);
        var page = RenderWithProviders<InstrumentPage>(p => p.Add(x => x.Id, 987654L));
        page.WaitForAssertion(() => Assert.Contains("No such instrument", page.Markup), TimeSpan.FromSeconds(10));
    }
}

public sealed class AdminDataPageTests : MarketDataPageContext
{
    private const string Good = "Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10,11,9,10.6,10.6,100\n2021-01-06,10,11,9,10.7,10.7,100\n";

    // Line 3 has its high below its low.
    private const string Paris = "Date,Open,High,Low,Close,Adj Close,Volume\n2021-01-04,10,11,9,10.5,10.5,100\n2021-01-05,10,8,9,10.6,10.6,100\n2021-01-06,10,11,9,10.7,10.7,100\n";

    [Fact]
    public async Task BulkImport_ReviewThenConfirm_CreatesTheInstruments_AndShowsAResultPerFile()
    {
        var admin = await Db.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        var page = RenderWithProviders<AdminData>();

        page.FindComponent<InputFile>().UploadFiles(
            InputFileContent.CreateFromText(Good, "IBM.csv"), InputFileContent.CreateFromText(Paris, "MC.PA.csv"), InputFileContent.CreateFromText("hello", "notes.csv"));

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=review-row]").Count), TimeSpan.FromSeconds(10));
        var mc = page.Find("[data-testid=review-row][data-file='MC.PA.csv']");
        Assert.Equal("true", mc.GetAttribute("data-new"));
        Assert.Equal("MC.PA", mc.QuerySelector("input[data-testid=review-symbol]")!.GetAttribute("value"));
        Assert.Equal("Europe/Paris", mc.QuerySelector("input[data-testid=review-zone]")!.GetAttribute("value"));
        Assert.Contains("2021-01-04 → 2021-01-06", mc.QuerySelector("[data-testid=review-dates]")!.TextContent);
        Assert.Contains("1 rejected", mc.QuerySelector("[data-testid=review-rows]")!.TextContent);
        Assert.Contains("line 3", mc.QuerySelector("[data-testid=review-note]")!.TextContent);
        Assert.Contains("unknown header", page.Find("[data-testid=review-row][data-file='notes.csv'] [data-testid=review-note]").TextContent);
        await using (var before = await Db.DbAsync()) Assert.Equal(0, await before.Instruments.CountAsync(i => i.Symbol != "ZZZ"));

        page.Find("[data-testid=bulk-import]").Click();
        Dialogs.WaitForElement("[data-testid=confirm-ok]");
        Assert.Contains("creates 2 new instrument(s)", Dialogs.Markup);
        Dialogs.Find("[data-testid=confirm-ok]").Click();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=bulk-result]").Count), TimeSpan.FromSeconds(20));
        Assert.Equal("success", page.Find("[data-testid=bulk-result][data-file='IBM.csv']").GetAttribute("data-status"));
        var paris = page.Find("[data-testid=bulk-result][data-file='MC.PA.csv']");
        Assert.Equal("partial", paris.GetAttribute("data-status"));
        Assert.Equal("2", paris.QuerySelector("[data-testid=result-stored]")!.TextContent.Trim());
        Assert.Equal("3", paris.QuerySelector("[data-testid=rejected-rows] tbody td")!.TextContent.Trim());
        Assert.Contains("2021-01-04", paris.QuerySelector("[data-testid=result-range]")!.TextContent);
        Assert.Equal("skipped", page.Find("[data-testid=bulk-result][data-file='notes.csv']").GetAttribute("data-status"));
        Assert.Equal(2, page.FindAll("[data-testid=file-progress]").Count);
        Assert.Contains("being computed for 2 instrument(s)", page.Find("[data-testid=analysis-note]").TextContent);

        await using var db = await Db.DbAsync();
        var ids = await db.Instruments.Where(i => i.Symbol == "IBM" || i.Symbol == "MC.PA").Select(i => i.Id).ToListAsync();
        Assert.Equal(ids.Order(), Assert.Single(Queue.Calls).Ids.Order());
        Assert.Equal("XPAR", await db.Instruments.Where(i => i.Symbol == "MC.PA").Select(i => i.Exchange).SingleAsync());
    }

    [Fact]
    public async Task BulkImport_OfRealFiles_ListsThemAll_AndImportsThem()
    {
        var admin = await Db.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        var page = RenderWithProviders<AdminData>();
        var stocknet = Path.Combine(SharedData.Root, "prices-daily-us", "stocknet-88-2012-2017");
        var paris = Path.Combine(SharedData.Root, "prices-eu-and-data-quality", "TEP-PA-1d-bad-div-fixed.csv");
        string[] paths = [Path.Combine(stocknet, "AAPL.csv"), Path.Combine(stocknet, "MSFT.csv"), Path.Combine(stocknet, "GOOG.csv"), paris];
        page.FindComponent<InputFile>().UploadFiles(paths.Select(p => InputFileContent.CreateFromBinary(File.ReadAllBytes(p), Path.GetFileName(p))).ToArray());

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=review-row]").Count), TimeSpan.FromSeconds(20));
        Assert.Equal("TEP.PA", page.Find("[data-testid=review-row][data-file='TEP-PA-1d-bad-div-fixed.csv'] input[data-testid=review-symbol]").GetAttribute("value"));
        page.Find("[data-testid=bulk-import]").Click();
        Dialogs.WaitForElement("[data-testid=confirm-ok]");
        Dialogs.Find("[data-testid=confirm-ok]").Click();
        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("[data-testid=bulk-result]").Count), TimeSpan.FromSeconds(60));
        Assert.Equal(["partial", "success", "success", "success"], page.FindAll("[data-testid=bulk-result]").Select(r => r.GetAttribute("data-status")).Order());
    }

    [Fact]
    public async Task BulkImport_CancellingTheConfirmation_WritesNothing()
    {
        var admin = await Db.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        var page = RenderWithProviders<AdminData>();
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(Good, "IBM.csv"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=review-row]")), TimeSpan.FromSeconds(10));

        page.Find("[data-testid=bulk-import]").Click();
        Dialogs.WaitForElement("[data-testid=confirm-cancel]");
        Dialogs.Find("[data-testid=confirm-cancel]").Click();

        page.WaitForAssertion(() => Assert.Empty(Dialogs.FindAll("[data-testid=confirm-ok]")));
        Assert.Empty(page.FindAll("[data-testid=bulk-result]"));
        await using var db = await Db.DbAsync();
        Assert.Equal(0, await db.PriceBars.CountAsync());
        Assert.Empty(Queue.Calls);
    }

    [Fact]
    public async Task Instruments_AddingOne_ShowsItInTheGrid_AndDeactivatingAsksFirst()
    {
        var admin = await Db.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        var page = RenderWithProviders<AdminData>();
        var form = () => page.Find("[data-testid=instrument-form]");

        page.Find("input[data-testid=instrument-symbol]").Change("asml.as");
        page.Find("input[data-testid=instrument-exchange]").Change("XAMS");
        page.Find("input[data-testid=instrument-zone]").Change("Europe/Amsterdam");
        page.Find("input[data-testid=instrument-name]").Change("ASML Holding");
        // Saved, and the save has finished: after the message the page still reloads its grids, then renders the form again
        // (the button comes back). Acting on the form before that render used handlers it then replaced (a flaky run).
        void WaitForSaved(string message) => page.WaitForAssertion(() =>
        {
            Assert.Equal(message, page.Find("[data-testid=instrument-message]").TextContent.Trim());
            Assert.False(page.Find("button[data-testid=instrument-save]").HasAttribute("disabled"));
        }, TimeSpan.FromSeconds(10));

        form().QuerySelector("form")!.Submit();
        WaitForSaved("ASML.AS added.");
        page.WaitForAssertion(() => Assert.Contains("ASML Holding", page.Find("[data-testid=instruments-grid]").TextContent), TimeSpan.FromSeconds(10));

        // Deactivating: a confirmation, and nothing changes when it is cancelled.
        page.Find("[data-testid=instrument-edit]").Click();
        page.Find("[data-testid=instrument-active] input, input[data-testid=instrument-active]").Change(false);
        form().QuerySelector("form")!.Submit();
        Dialogs.WaitForElement("[data-testid=confirm-cancel]");
        Assert.Contains("Deactivate ASML.AS?", Dialogs.Markup);
        Dialogs.Find("[data-testid=confirm-cancel]").Click();
        await using (var db = await Db.DbAsync()) Assert.True(await db.Instruments.Where(i => i.Symbol == "ASML.AS").Select(i => i.IsActive).SingleAsync());

        form().QuerySelector("form")!.Submit();
        Dialogs.WaitForElement("[data-testid=confirm-ok]");
        Dialogs.Find("[data-testid=confirm-ok]").Click();
        WaitForSaved("ASML.AS saved.");
        await using (var db = await Db.DbAsync()) Assert.False(await db.Instruments.Where(i => i.Symbol == "ASML.AS").Select(i => i.IsActive).SingleAsync());
    }
}
