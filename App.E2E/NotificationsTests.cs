using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Npgsql;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// The bell in a real browser: the demo trader is signed in; this test process, as another app node would, stores a
/// notification and announces it with <c>pg_notify</c> on the channel and envelope the app's event bus uses, and the
/// bell's count rises without a reload. The centre then marks everything read and the bell follows; the centre and the
/// trader's own activity pages are checked by axe.
/// </summary>
[Collection(E2ECollection.Name)]
public sealed class NotificationsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    private const string Title = "E2E alert: ZEPH crossed 50.00";

    [Fact]
    public async Task ANotificationRaisedOnAnotherNode_RaisesTheBellLive_TheCentreMarksAllRead_AndTheActivityPageShowsTheSignIn()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var shell = new Shell(page);
        await page.GotoAsync("/app");
        await shell.WaitForCircuitAsync();

        var bell = page.GetByTestId("notification-bell").Locator("button");
        var unread = await UnreadAsync();
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", Label(unread));
        Assert.True(unread > 0, "the demo trader starts with unread demo notifications");
        await Assertions.Expect(page.GetByTestId("notification-count")).ToHaveTextAsync(unread > 99 ? "99+" : unread.ToString());

        // "Another node": a row and its announcement in one transaction, as NotificationService writes them.
        await RaiseAsync();
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", Label(unread + 1));
        await Assertions.Expect(page.GetByTestId("notification-count")).ToHaveTextAsync((unread + 1) > 99 ? "99+" : (unread + 1).ToString());

        await bell.ClickAsync();
        await Assertions.Expect(page.GetByTestId("bell-item").First).ToContainTextAsync(Title);
        await Fx.ShotAsync(page, "notification-bell-open");
        await page.Keyboard.PressAsync("Escape");

        await page.GotoAsync("/notifications");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("centre-row").First).ToContainTextAsync(Title);
        await Assertions.Expect(page.GetByTestId("centre-delivery-error").First).ToContainTextAsync("mailbox unavailable"); // the demo's failed email
        await Fx.ShotAsync(page, "notification-centre");
        await page.GetByTestId("centre-mark-all").ClickAsync();
        await Assertions.Expect(page.GetByTestId("centre-unread")).ToHaveTextAsync("Everything is read.");
        await Assertions.Expect(bell).ToHaveAttributeAsync("aria-label", "Notifications, none unread");
        await Assertions.Expect(page.GetByTestId("notification-count")).ToHaveCountAsync(0);
        Assert.Equal(0, await UnreadAsync());

        await page.GotoAsync("/settings/activity");
        await shell.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("activity-row").Filter(new() { HasText = "Signed in" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("activity-grid")).ToContainTextAsync(new Regex(@"\d+\.\d+\.\d+\.\d+|::1"));
        await Fx.ShotAsync(page, "my-activity");
    }

    private static string Label(int unread) => unread == 0 ? "Notifications, none unread" : $"Notifications, {unread} unread";

    private async Task<int> UnreadAsync()
    {
        await using var conn = new NpgsqlConnection(Fx.Server.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.normalized_email = upper(@e) AND NOT n.read
            """, conn);
        cmd.Parameters.AddWithValue("e", AppServer.DemoTraderEmail);
        return (int)(long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task RaiseAsync()
    {
        await using var conn = new NpgsqlConnection(Fx.Server.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("""
            WITH trader AS (SELECT id FROM users WHERE normalized_email = upper(@e)),
                 added AS (
                     INSERT INTO notifications (user_id, type, level, title, message, link, symbol, created_at)
                     SELECT id, 'trading', 'warning', @title, 'ZEPH traded above your alert price.', '/markets', 'ZEPH', now() FROM trader
                     RETURNING user_id)
            SELECT pg_notify('signalbook_events', json_build_object('topic', 'notifications', 'payload', json_build_object('userId', user_id))::text)
            FROM added
            """, conn, tx);
        cmd.Parameters.AddWithValue("e", AppServer.DemoTraderEmail);
        cmd.Parameters.AddWithValue("title", Title);
        await cmd.ExecuteNonQueryAsync();
        await tx.CommitAsync();
    }
}
