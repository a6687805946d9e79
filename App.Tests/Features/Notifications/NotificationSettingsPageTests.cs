using Bunit;
using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Notifications.Preferences;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Notifications;

public sealed class NotificationSettingsPageTests : PageTestContext
{
    private async Task<(AppUser User, IRenderedComponent<NotificationSettingsPage> Page)> OpenAsync(string email = "trader@example.com")
    {
        var user = await Db.CreateUserAsync(email);
        SignInAs(user, [Roles.Trader]);
        var page = RenderWithProviders<NotificationSettingsPage>();
        page.WaitForElement("[data-testid=save-notifications]");
        return (user, page);
    }

    [Fact]
    public async Task ABadEmailAndHalfQuietHours_ShowWhatIsWrong_AndSaveNothing()
    {
        var (user, page) = await OpenAsync();
        Assert.Equal("trader@example.com", page.Find("[data-testid=email-address] input, input[data-testid=email-address]").GetAttribute("value"));

        await ActAsync(page, "[data-testid=email-switch] input, input[data-testid=email-switch]", e => e.Change(true));
        await ActAsync(page, "[data-testid=email-address] input, input[data-testid=email-address]", e => e.Change("trader-at-example"));
        await ActAsync(page, "[data-testid=quiet-start] input, input[data-testid=quiet-start]", e => e.Change("22:00"));
        await ClickAsync(page, "[data-testid=save-notifications]");

        var errors = page.WaitForElement("[data-testid=settings-errors]");
        Assert.Contains("'trader-at-example' is not a valid email address", errors.TextContent);
        Assert.Contains("Quiet hours need both a start and an end time", errors.TextContent);
        await using var db = await Db.DbAsync();
        var stored = await db.NotificationPreferences.SingleAsync(p => p.UserId == user.Id);
        Assert.Equal((false, "trader@example.com", (TimeOnly?)null), (stored.EmailEnabled, stored.EmailAddress, stored.QuietHoursStart));
    }

    [Fact]
    public async Task Saving_StoresTheSwitchesAndQuietHours_AndTheTestEmailReportsItsOutcome()
    {
        var (user, page) = await OpenAsync();

        await ActAsync(page, "[data-testid=email-switch] input, input[data-testid=email-switch]", e => e.Change(true));
        await ActAsync(page, "[data-testid=type-system] input, input[data-testid=type-system]", e => e.Change(false));
        await ActAsync(page, "[data-testid=quiet-start] input, input[data-testid=quiet-start]", e => e.Change("22:30"));
        await ActAsync(page, "[data-testid=quiet-end] input, input[data-testid=quiet-end]", e => e.Change("06:45"));
        await ClickAsync(page, "[data-testid=save-notifications]");

        page.WaitForAssertion(() => Assert.Contains("Notification settings saved.", Snackbars.Markup));
        Assert.Empty(page.FindAll("[data-testid=settings-errors]"));
        await using (var db = await Db.DbAsync())
        {
            var stored = await db.NotificationPreferences.SingleAsync(p => p.UserId == user.Id);
            Assert.Equal((true, false, true, new TimeOnly(22, 30), new TimeOnly(6, 45)),
                (stored.EmailEnabled, stored.NotifySystemEvents, stored.NotifyTradingEvents, stored.QuietHoursStart!.Value, stored.QuietHoursEnd!.Value));
        }

        await ClickAsync(page, "[data-testid=test-email]");
        var outcome = page.WaitForElement("[data-testid=test-email-result]");
        Assert.Contains("Test email to trader@example.com written to the outbox", outcome.TextContent);
        Assert.Contains("Telegram is not set up on this server", page.Find("[data-testid=telegram-unavailable]").TextContent);
        Assert.Contains("No failed deliveries", page.Find("[data-testid=failed-deliveries]").TextContent);
    }

    [Fact]
    public async Task ThePageShowsOnlyTheSignedInUsersSettings()
    {
        var other = await Db.CreateUserAsync("other@example.com");
        await Db.WithAsync<NotificationPreferencesService, IReadOnlyList<SettingsError>>(p =>
            p.SaveAsync(other.Id, new NotificationSettingsInput(true, "secret.other@example.com", false, true, true, true, true, null, null, "Asia/Tokyo")));

        var (_, page) = await OpenAsync("mine@example.com");

        Assert.Equal("mine@example.com", page.Find("[data-testid=email-address] input, input[data-testid=email-address]").GetAttribute("value"));
        Assert.DoesNotContain("secret.other", page.Markup);
        Assert.DoesNotContain("Asia/Tokyo", page.Markup);
    }
}
