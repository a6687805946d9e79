using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Operations.Config;
using Signalbook.Features.Operations.Config.Pages;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations.Config;

/// <summary>Admin → Settings over a real database with the config_entries layer: values and their layer, editing with validation, reset and history.</summary>
public sealed class AdminSettingsPageTests : SignalbookTestContext, IAsyncLifetime
{
    private readonly ServiceHarness _harness = new();

    public override async Task InitializeAsync()
    {
        await _harness.InitializeAsync();
        UseDatabase(_harness);
        // The app's layers: a setting from the host, then the admin's layer over everything.
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Default"] = _harness.ConnectionString, ["Waitlist:SignupsPerWindow"] = "5" })
            .AddSignalbookDatabaseConfiguration(_harness.ConnectionString).Build());
        var admin = await _harness.AdminAsync();
        SignIn(admin.Id, admin.Email!, Roles.Admin);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _harness.DisposeAsync();
    }

    private const string Row = "[data-testid=setting-row][data-key='Waitlist:SignupsPerWindow']";

    [Fact]
    public void Page_GroupsTheSettings_WithTheirValueAndLayer()
    {
        var page = RenderWithProviders<AdminSettings>();
        page.WaitForAssertion(() => Assert.Equal(Services.GetRequiredService<RuntimeSettingsRegistry>().All.Count, page.FindAll("[data-testid=setting-row]").Count));
        Assert.Contains(page.FindAll("h2"), h => h.TextContent == "Job schedules");
        Assert.Equal("5", page.Find($"{Row} [data-testid=setting-value]").TextContent.Trim());
        Assert.Contains("Host", page.Find($"{Row} [data-testid=setting-source]").TextContent);
        var mode = page.Find("[data-testid=setting-row][data-key='Registration:Mode']");
        Assert.Equal("InviteOnly", mode.QuerySelector("[data-testid=setting-value]")!.TextContent.Trim());
        Assert.Contains("Default", mode.QuerySelector("[data-testid=setting-source]")!.TextContent);
        Assert.Empty(page.FindAll("[data-testid=setting-reset]")); // nothing set by an admin yet
    }

    [Fact]
    public async Task Editing_RefusesAnInvalidValueWithItsRule_ThenSavesAValidOne_WhichShowsAsTheAdminsWithItsHistory()
    {
        var page = RenderWithProviders<AdminSettings>();
        page.WaitForElement($"{Row} [data-testid=setting-edit]");
        await page.InvokeAsync(() => page.Find($"{Row} [data-testid=setting-edit]").Click());

        Dialogs.WaitForElement("input[data-testid=setting-input], [data-testid=setting-input] input").Input("0");
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=setting-save]").Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("must be between 1 and 10000", Dialogs.Find("[data-testid=setting-errors]").TextContent));
        Assert.Contains("Waitlist:SignupsPerWindow", Dialogs.Find("[data-testid=setting-errors]").TextContent);

        Dialogs.Find("input[data-testid=setting-input], [data-testid=setting-input] input").Input("3");
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=setting-save]").Click());
        page.WaitForAssertion(() => Assert.Equal("3", page.Find($"{Row} [data-testid=setting-value]").TextContent.Trim()));
        Assert.Contains("Admin", page.Find($"{Row} [data-testid=setting-source]").TextContent);
        Assert.Contains("is now 3 on every node", page.Find("[data-testid=settings-message]").TextContent);
        Assert.Contains("admin@test.local", page.Find(Row).TextContent);

        await page.InvokeAsync(() => page.Find($"{Row} [data-testid=setting-history]").Click());
        page.WaitForAssertion(() => Assert.Contains("5 → 3", page.Find("[data-testid=setting-change]").TextContent.Replace("  ", " ")));

        await page.InvokeAsync(() => page.Find($"{Row} [data-testid=setting-reset]").Click());
        Dialogs.WaitForElement("[data-testid=confirm-ok]").Click();
        page.WaitForAssertion(() => Assert.Equal("5", page.Find($"{Row} [data-testid=setting-value]").TextContent.Trim()));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=setting-change]").Count));
    }

    [Fact]
    public void TheFilter_NarrowsTheList_AndSaysWhenNothingMatches()
    {
        var page = RenderWithProviders<AdminSettings>();
        page.WaitForElement("[data-testid=settings-filter] input, input[data-testid=settings-filter]").Input("retention");
        page.WaitForAssertion(() => Assert.All(page.FindAll("[data-testid=setting-row]"), r => Assert.Contains("Retention", r.TextContent, StringComparison.OrdinalIgnoreCase)));
        page.Find("[data-testid=settings-filter] input, input[data-testid=settings-filter]").Input("no such setting");
        page.WaitForAssertion(() => Assert.Contains("No setting matches", page.Markup));
    }
}
