using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Import.Pages;
using Signalbook.Features.Journal.SnapTrade;
using Signalbook.Features.Journal.SnapTrade.Pages;
using Signalbook.Features.Users;
using Signalbook.Tests.Features.Journal.SnapTrade;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Pages;

/// <summary>
/// bUnit over the journal's real services and a test database: the import wizard and the broker connections page,
/// SnapTrade answered by a local scripted server (or not configured at all).
/// </summary>
public abstract class JournalPagesContext : SignalbookTestContext, IAsyncLifetime
{
    protected ServiceHarness Db { get; } = new();
    protected ScriptedHttpServer Server { get; private set; } = null!;
    protected RecordingSnapTradeScheduler Scheduler { get; } = new();

    /// <summary>False: the app runs without SnapTrade keys.</summary>
    protected virtual bool SnapTradeConfigured => true;

    public override async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        Server = await ScriptedHttpServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["SnapTrade:BaseUrl"] = Server.BaseUrl, ["SnapTrade:BaseBackoffMilliseconds"] = "1" };
        if (SnapTradeConfigured)
        {
            settings["SnapTrade:ClientId"] = "SIGNALBOOKTEST";
            settings["SnapTrade:ConsumerKey"] = "test-consumer-key";
        }
        UseDatabase(Db, settings);
        Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        Services.AddSingleton<ISnapTradeSyncScheduler>(Scheduler);
    }

    protected async Task<Guid> SignInNewAsync(string role = Roles.Trader)
    {
        var user = await Db.CreateUserAsync($"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@pages.test", role);
        SignIn(user.Id, user.Email!, role);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return user.Id;
    }

    protected static Task ClickAsync(IRenderedComponent<IComponent> cut, string testId) => cut.InvokeAsync(() => cut.Find($"[data-testid='{testId}']").Click());

    protected async Task ConfirmAsync(string title)
    {
        Dialogs.WaitForAssertion(() => Assert.Contains(Dialogs.FindAll(".mud-dialog"), d => d.TextContent.Contains(title, StringComparison.Ordinal)));
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-ok]").Click());
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Server.DisposeAsync();
        await Db.DisposeAsync();
    }
}

public sealed class ConnectionsPageNotConfiguredTests : JournalPagesContext
{
    protected override bool SnapTradeConfigured => false;

    [Fact]
    public async Task WithoutSnapTradeKeys_ThePageSaysWhatToSet_AndOffersNoButtons()
    {
        await SignInNewAsync();
        var cut = RenderWithProviders<ConnectionsPage>();

        var notice = cut.WaitForElement("[data-testid=connections-not-configured]");
        Assert.Contains("SnapTrade:ClientId", notice.TextContent);
        Assert.Contains("SnapTrade:ConsumerKey", notice.TextContent);
        Assert.Empty(cut.FindAll("[data-testid=connections-connect]"));
        Assert.Empty(cut.FindAll("[data-testid=connections-refresh]"));
        Assert.Empty(Server.Requests);
    }
}

public sealed class ConnectionsPageTests : JournalPagesContext
{
    [Fact]
    public async Task Trader_RefreshesTheList_SeesActiveAndExpired_SyncsOne_AndRemovesIt()
    {
        var world = new SnapTradeWorld();
        Server.Script = (r, _) => world.Answer(r);
        await SignInNewAsync();
        var cut = RenderWithProviders<ConnectionsPage>();
        cut.WaitForElement("[data-testid=connections-empty]");

        await ClickAsync(cut, "connections-connect");
        cut.WaitForAssertion(() => Assert.Contains("new tab", cut.Find("[data-testid=connections-info]").TextContent));
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "open" && Equals(i.Arguments[0], "https://app.snaptrade.com/snapTrade/redeemToken?token=abc"));

        await ClickAsync(cut, "connections-refresh");
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=connection-row]").Count));
        var rows = cut.FindAll("[data-testid=connection-row]");
        var alpaca = rows.Single(r => r.TextContent.Contains("Alpaca", StringComparison.Ordinal));
        var questrade = rows.Single(r => r.TextContent.Contains("Questrade", StringComparison.Ordinal));
        Assert.Equal("active", alpaca.QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status"));
        Assert.Equal("expired", questrade.QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status"));
        Assert.NotNull(questrade.QuerySelector("[data-testid=connection-reconnect]"));
        Assert.Null(questrade.QuerySelector("[data-testid=connection-sync]"));
        Assert.Contains("Reconnect", questrade.TextContent);

        var id = long.Parse(alpaca.GetAttribute("data-connection")!, System.Globalization.CultureInfo.InvariantCulture);
        var runsBefore = Scheduler.Calls.Count(c => c.StartsWith($"run {id} ", StringComparison.Ordinal));
        await cut.InvokeAsync(() => cut.Find($"[data-connection='{id}'] [data-testid=connection-sync]").Click());
        cut.WaitForAssertion(() => Assert.Equal(runsBefore + 1, Scheduler.Calls.Count(c => c.StartsWith($"run {id} ", StringComparison.Ordinal))));
        Assert.NotEmpty(cut.FindAll($"[data-connection='{id}'] [data-testid=connection-queued]"));

        await cut.InvokeAsync(() => cut.Find($"[data-connection='{id}'] [data-testid=connection-remove]").Click());
        await ConfirmAsync("Remove Alpaca?");
        cut.WaitForAssertion(() => Assert.Equal("disabled",
            cut.Find($"[data-connection='{id}'] [data-testid=status-chip]").GetAttribute("data-status")));
        Assert.Contains(Server.Requests, r => r.Method == "DELETE" && r.Path == $"/api/v1/authorizations/{world.Authorization}");
    }

    [Fact]
    public async Task Viewer_SeesTheirConnections_ButNoButtons()
    {
        await SignInNewAsync(Roles.Viewer);
        var cut = RenderWithProviders<ConnectionsPage>();

        cut.WaitForElement("[data-testid=connections-read-only]");
        Assert.Empty(cut.FindAll("[data-testid=connections-connect]"));
        Assert.Empty(cut.FindAll("[data-testid=connections-refresh]"));
    }
}

public sealed class ImportPageTests : JournalPagesContext
{
    private static readonly string Trading212 = Path.Combine(SharedData.Root, "broker-exports", "export-to-ghostfolio-samples", "trading212-export.csv");

    [Fact]
    public async Task Trader_UploadsASample_PreviewsIt_ImportsIt_AndUndoesItFromTheHistory()
    {
        var user = await SignInNewAsync();
        var cut = RenderWithProviders<ImportPage>();
        cut.WaitForElement("[data-testid=history-empty]");

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(await File.ReadAllBytesAsync(Trading212), "trading212-export.csv"));
        cut.WaitForAssertion(() => Assert.Contains("trading212-export.csv", cut.Find("[data-testid=import-file-name]").TextContent));
        await ClickAsync(cut, "import-preview");

        cut.WaitForAssertion(() => Assert.Contains("Trading 212", cut.Find("[data-testid=preview-summary]").TextContent));
        Assert.Contains("4 fills read, 4 new", cut.Find("[data-testid=preview-summary]").TextContent);
        Assert.Equal(4, cut.FindAll("[data-testid=fill-row]").Count);
        Assert.Contains("dividend", cut.Find("[data-testid=preview-skipped]").TextContent);

        await ClickAsync(cut, "import-run");
        cut.WaitForAssertion(() => Assert.Contains("Imported 4 new fills", cut.Find("[data-testid=import-success]").TextContent));
        Assert.Equal("/journal/trades", cut.Find("[data-testid=import-trades-link]").GetAttribute("href"));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=history-row]")));

        await ClickAsync(cut, "history-undo");
        Dialogs.WaitForAssertion(() => Assert.Contains(Dialogs.FindAll(".mud-dialog"), d => d.TextContent.Contains("delete 4 fills imported from 'trading212-export.csv'", StringComparison.Ordinal)));
        await ConfirmAsync("Undo this import?");
        cut.WaitForAssertion(() => Assert.Equal("undone", cut.Find("[data-testid=history-row] [data-testid=status-chip]").GetAttribute("data-status")));
        await using var db = await Db.DbAsync();
        Assert.Equal(0, await db.TradeFills.CountAsync(f => f.UserId == user));
    }

    [Fact]
    public async Task AFileWithUnreadableRows_ExplainsWhyNothingCanBeImported()
    {
        await SignInNewAsync();
        var cut = RenderWithProviders<ImportPage>();
        cut.WaitForElement("[data-testid=history-empty]");
        var lines = (await File.ReadAllLinesAsync(Trading212)).ToList();
        var buy = lines.FindIndex(l => l.StartsWith("Market buy", StringComparison.Ordinal));
        lines[buy] = lines[buy].Replace(",0.0290530000,", ",lots,", StringComparison.Ordinal);

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(string.Join('\n', lines), "broken.csv"));
        cut.WaitForElement("[data-testid=import-file-name]");
        await ClickAsync(cut, "import-preview");

        cut.WaitForAssertion(() => Assert.Contains("1 row cannot be read; nothing will be imported until they are fixed.", cut.Find("[data-testid=import-blocked]").TextContent));
        var problem = Assert.Single(cut.FindAll("[data-testid=problem-row]"));
        Assert.Contains((buy + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), problem.TextContent);
        Assert.Empty(cut.FindAll("[data-testid=import-run]"));
    }

    [Fact]
    public async Task Viewer_SeesTheHistory_ButNoUpload()
    {
        await SignInNewAsync(Roles.Viewer);
        var cut = RenderWithProviders<ImportPage>();

        cut.WaitForElement("[data-testid=import-read-only]");
        cut.WaitForElement("[data-testid=history-empty]");
        Assert.Empty(cut.FindAll("[data-testid=import-form]"));
    }
}
