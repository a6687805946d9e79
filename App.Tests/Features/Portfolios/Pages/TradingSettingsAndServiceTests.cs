using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Portfolios.Admin;
using Signalbook.Features.Portfolios.Pages;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Features.Portfolios.Pages;

/// <summary>Settings → Trading, My trading service and the admin's list of every trader's service.</summary>
public sealed class TradingSettingsAndServiceTests : PortfolioPagesTestContext
{
    [Fact]
    public async Task TradingSettings_SaveStoresTheFieldsAndTheSchedule_AndAnOversoldOf120IsSaidOnItsField()
    {
        var trader = await Data.CreateUserAsync("settings-trader@test.local");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<TradingSettingsPage>();
        page.WaitForElement("[data-testid=trading-settings-save]");
        Assert.Equal("10", Input(page, "ts-RsiPeriod").GetAttribute("value"));
        Assert.Contains("no news feed", page.Find("[data-testid=news-not-used]").TextContent);

        await TypeAsync(page, "ts-RsiPeriod", "14");
        await TypeAsync(page, "ts-cron", "30 17 * * 1-5");
        await TypeAsync(page, "ts-zone", "Europe/Paris");
        await ClickAsync(page, "[data-testid=trading-settings-save]");
        Snackbars.WaitForAssertion(() => Assert.Contains("Trading settings saved.", Snackbars.Markup));
        await using (var db = await Data.DbAsync())
        {
            var config = await db.UserTradingConfigs.SingleAsync(c => c.UserId == trader.Id);
            Assert.Equal(14, config.RsiPeriod);
            Assert.Contains("30 17 * * 1-5", config.TaskSchedule);
            Assert.Contains("Europe/Paris", config.TaskSchedule);
        }

        await TypeAsync(page, "ts-RsiOversold", "120");
        await ClickAsync(page, "[data-testid=trading-settings-save]");
        page.WaitForAssertion(() => Assert.Contains("Oversold must be between 1 and 99; got 120.", FieldText(page, "ts-RsiOversold")));
        Assert.DoesNotContain("must be between", FieldText(page, "ts-RsiPeriod"));

        await TypeAsync(page, "ts-RsiOversold", "30");
        await TypeAsync(page, "ts-cron", "every day");
        await ClickAsync(page, "[data-testid=trading-settings-save]");
        page.WaitForAssertion(() => Assert.Contains("five-field cron", FieldText(page, "ts-cron")));
    }

    [Fact]
    public async Task TradingSettings_ForAViewer_AreReadOnly()
    {
        var viewer = await Data.CreateUserAsync("settings-viewer@test.local", Roles.Viewer);
        SignInAs(viewer.Id, viewer.Email!, Roles.Viewer);
        IRenderedComponent<IComponent> page = RenderWithProviders<TradingSettingsPage>();
        page.WaitForElement("[data-testid=trading-settings-read-only]");
        Assert.Empty(page.FindAll("[data-testid=trading-settings-save]"));
        Assert.True(Input(page, "ts-RsiPeriod").HasAttribute("readonly"));
    }

    [Fact]
    public async Task TradingService_StartRegistersTheScheduleAndShowsRunning_StopAfterConfirmingRemovesIt()
    {
        var trader = await Data.CreateUserAsync("service@test.local");
        SignInAs(trader.Id, trader.Email!, Roles.Trader);

        IRenderedComponent<IComponent> page = RenderWithProviders<TradingServicePage>();
        page.WaitForElement("[data-testid=service-start]");
        Assert.Equal("false", page.Find("[data-testid=service-state]").GetAttribute("data-running"));
        Assert.Contains("0 18 * * 1-5", page.Find("[data-testid=service-schedule]").TextContent);

        await ClickAsync(page, "[data-testid=service-start]");
        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=service-state]").GetAttribute("data-running")));
        Assert.Equal([$"register {trader.Id} 0 18 * * 1-5 America/New_York"], Data.Scheduler.Calls);
        page.WaitForAssertion(() => Assert.Contains("Service started", page.Find("[data-testid=service-log]").TextContent));

        await ClickAsync(page, "[data-testid=service-run-now]");
        page.WaitForAssertion(() => Assert.Contains($"run {trader.Id}", Data.Scheduler.Calls));
        Snackbars.WaitForAssertion(() => Assert.Contains("A run was queued", Snackbars.Markup));
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=service-stop]").HasAttribute("disabled")));

        await ClickAsync(page, "[data-testid=service-stop]");
        await ConfirmAsync("Stop your trading service?");
        page.WaitForAssertion(() => Assert.Equal("false", page.Find("[data-testid=service-state]").GetAttribute("data-running")));
        Assert.Equal($"remove {trader.Id}", Data.Scheduler.Calls[^1]);
        page.WaitForElement("[data-testid=service-start]");
    }

    [Fact]
    public async Task AdminList_ShowsAnotherTradersRunningService_StopsIt_AndLinksItsReadOnlyPage()
    {
        var trader = await Data.CreateUserAsync("running@test.local");
        await Data.StartServiceAsync(trader.Id);
        var admin = await Data.AdminAsync();
        SignInAs(admin.Id, admin.Email!, Roles.Admin);

        IRenderedComponent<IComponent> page = RenderWithProviders<AdminTradingServicesPage>();
        page.WaitForElement($"[data-testid=service-row][data-user='{trader.Id}']");
        string State() => page.Find($"[data-testid=service-row][data-user='{trader.Id}'] [data-testid=service-row-state]").GetAttribute("data-running")!;
        Assert.Equal("true", State());
        Assert.Equal($"/admin/trading-services/{trader.Id}", page.Find($"[data-testid=service-row][data-user='{trader.Id}'] [data-testid=service-view]").GetAttribute("href"));

        await ClickAsync(page, $"[data-testid=service-row][data-user='{trader.Id}'] [data-testid=service-row-stop]");
        await ConfirmAsync("Stop running@test.local's trading service?");
        page.WaitForAssertion(() => Assert.Equal("false", State()));
        Assert.Equal($"remove {trader.Id}", Data.Scheduler.Calls[^1]);

        IRenderedComponent<IComponent> view = Render<AdminTradingServicePage>(p => p.Add(c => c.UserId, trader.Id));
        view.WaitForAssertion(() => Assert.Contains("Service stopped by an admin.", view.Find("[data-testid=service-logs]").TextContent));
        Assert.Contains("running@test.local's trading service", view.Find("[data-testid=service-status]").TextContent);
        Assert.Empty(view.FindAll("[data-testid=service-start]"));
        Assert.Empty(view.FindAll("[data-testid=service-stop]"));

        IRenderedComponent<IComponent> nobody = Render<AdminTradingServicePage>(p => p.Add(c => c.UserId, Guid.NewGuid()));
        nobody.WaitForElement("[data-testid=service-not-found]");
    }
}
