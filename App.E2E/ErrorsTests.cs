using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Signalbook.Data;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;
using Signalbook.Features.Notifications;
using Signalbook.Features.Operations.Errors;

namespace Signalbook.E2E;

/// <summary>
/// Admin → Errors in a real browser: an error another node recorded (this test process, through the app's own
/// ErrorGroupService on the app's database) shows as a group; the admin resolves it with a note; the error recurs on
/// that node and the group shows reopened, with the earlier resolution still readable.
/// </summary>
[Collection(E2ECollection2.Name)]
public sealed class ErrorsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    [Fact]
    public async Task Admin_ResolvesAnErrorGroupWithANote_AndItReopensWhenTheErrorRecurs()
    {
        await using var otherNode = OtherNode(Fx.Server.ConnectionString);
        var groups = otherNode.GetRequiredService<ErrorGroupService>();
        var fingerprint = $"e2e-{Guid.NewGuid():N}"[..32];
        ErrorOccurrence Occurrence(string message) => new("System.TimeoutException", message,
            "System.TimeoutException: " + message + "\n   at Signalbook.Features.MarketData.Sync.MarketDataSyncService.SyncAllAsync()", fingerprint, null,
            new Dictionary<string, object?> { ["Source"] = "job", ["Job"] = "market-data-daily-sync", ["Node"] = "e2e-other-node" }, DateTimeOffset.UtcNow);
        var first = await groups.RecordAsync(Occurrence("The quote provider timed out after 30 s"));
        Assert.True(first.Created);

        var page = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        page.SetDefaultTimeout(30_000);
        var errors = new AdminErrorsPage(page);
        await errors.OpenListAsync();
        await Assertions.Expect(errors.ListStatus(first.GroupId)).ToContainTextAsync("Unresolved");
        await Fx.AssertAccessibleAsync(page, "admin-errors");
        await Fx.ShotAsync(page, "admin-errors");

        await errors.GroupLink(first.GroupId).ClickAsync();
        await page.WaitForURLAsync($"**/admin/errors/{first.GroupId}");
        await errors.WaitForCircuitAsync();
        await Assertions.Expect(errors.Status).ToContainTextAsync("Unresolved");
        await Assertions.Expect(page.GetByTestId("error-occurrence")).ToHaveCountAsync(1);
        await Fx.AssertAccessibleAsync(page, "admin-error-detail");

        // A note is required; then the group is resolved.
        await page.GetByTestId("resolve-button").ClickAsync();
        await Assertions.Expect(page.GetByText("Write a resolution note")).ToBeVisibleAsync();
        await errors.ResolveAsync("Raised the provider timeout to 60 s and added a retry");
        await Assertions.Expect(errors.Status).ToContainTextAsync("Resolved");
        await Assertions.Expect(page.GetByTestId("error-resolution")).ToContainTextAsync("Raised the provider timeout to 60 s");
        await Fx.ShotAsync(page, "admin-error-resolved");

        // The error recurs on the other node: the group reopens.
        var again = await groups.RecordAsync(Occurrence("The quote provider timed out after 60 s"));
        Assert.True(again.Reopened);
        await errors.OpenGroupAsync(first.GroupId);
        await Assertions.Expect(errors.Status).ToContainTextAsync("Reopened");
        await Assertions.Expect(page.GetByTestId("error-reopened")).ToContainTextAsync("1×");
        await Assertions.Expect(page.GetByTestId("error-resolution")).ToContainTextAsync("Previously resolved");
        await Assertions.Expect(page.GetByTestId("error-occurrence")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByTestId("resolve-button")).ToBeVisibleAsync();
        await Fx.AssertAccessibleAsync(page, "admin-error-reopened");
        await Fx.ShotAsync(page, "admin-error-reopened");

        await errors.OpenListAsync();
        await Assertions.Expect(errors.ListStatus(first.GroupId)).ToContainTextAsync("Reopened");
    }

    /// <summary>The app's error services over the app's database, as a second node has them.</summary>
    private static ServiceProvider OtherNode(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:Default", connectionString)]).Build());
        services.AddLogging();
        services.AddHttpContextAccessor();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new DatabaseConnection(connectionString));
        services.AddDbContextFactory<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddSignalbookFeatures(); // the notifier admins are told through, with its email and Telegram delivery
        return services.BuildServiceProvider();
    }
}
