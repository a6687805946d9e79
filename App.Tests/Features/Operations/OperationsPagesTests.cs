using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Operations;
using Signalbook.Features.Operations.Errors;
using Signalbook.Features.Operations.Errors.Pages;
using Signalbook.Features.Operations.Logs.Pages;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations;

/// <summary>Admin → Errors (groups, resolving with a note), Admin → Logs and a trader's own service logs, over a real database.</summary>
public sealed class OperationsPagesTests : PageTestContext
{
    private void Interactive() => SetRendererInfo(new RendererInfo("Server", isInteractive: true));

    private Task<RecordedError> RecordAsync(string fingerprint, string type, string message)
        => Db.WithAsync<ErrorGroupService, RecordedError>(s => s.RecordAsync(new ErrorOccurrence(type, message,
            "System.InvalidOperationException: x\n   at Signalbook.Features.Journal.Import.FillImportService.ImportAsync()", fingerprint, null,
            new Dictionary<string, object?> { ["Route"] = "/journal/import" }, Db.Clock.GetUtcNow())));

    [Fact]
    public async Task Errors_ListsGroupsWithCountsAndStatus_AndTheDetailResolvesAGroupWithARequiredNote()
    {
        var a = await RecordAsync("fp-page-a", "System.InvalidOperationException", "order rejected");
        await RecordAsync("fp-page-a", "System.InvalidOperationException", "order rejected again");
        Db.Clock.Advance(TimeSpan.FromMinutes(1));
        await RecordAsync("fp-page-b", "System.IO.InvalidDataException", "quote file truncated");

        SignInAdmin();
        Interactive();
        var list = RenderWithProviders<AdminErrors>();
        list.WaitForAssertion(() => Assert.Equal(2, list.FindAll("[data-testid=errors-grid] tbody tr.mud-table-row").Count));
        var rows = list.FindAll("[data-testid=errors-grid] tbody tr.mud-table-row");
        Assert.Contains("InvalidDataException", rows[0].TextContent); // last seen first
        Assert.Contains("InvalidOperationException", rows[1].TextContent);
        Assert.Contains("2", rows[1].Children[1].TextContent);
        Assert.Equal("failed", rows[1].QuerySelector("[data-testid=status-chip]")!.GetAttribute("data-status"));
        Assert.Equal($"admin/errors/{a.GroupId}", rows[1].QuerySelector("[data-testid=error-group-link]")!.GetAttribute("href"));

        var detail = Render<AdminErrorDetail>(p => p.Add(x => x.Id, a.GroupId));
        detail.WaitForAssertion(() => Assert.Equal("2", detail.Find("[data-testid=error-count]").TextContent));
        Assert.Equal(2, detail.FindAll("[data-testid=error-occurrence]").Count);
        Assert.Contains("/journal/import", detail.Find("[data-testid=error-occurrences]").TextContent);

        await detail.InvokeAsync(() => detail.Find("form").Submit());
        detail.WaitForAssertion(() => Assert.Contains("Write a resolution note", detail.Markup));
        Assert.Equal("Unresolved", detail.Find("[data-testid=error-status]").TextContent.Trim());

        await TypeAsync(detail, "resolve-note", "Rejected orders are now shown to the trader");
        await detail.InvokeAsync(() => detail.Find("form").Submit());
        detail.WaitForAssertion(() => Assert.Equal("Resolved", detail.Find("[data-testid=error-status]").TextContent.Trim()));
        Assert.Contains("Rejected orders are now shown to the trader", detail.Find("[data-testid=error-resolution]").TextContent);
        Assert.Empty(detail.FindAll("[data-testid=resolve-button]"));

        await RecordAsync("fp-page-a", "System.InvalidOperationException", "order rejected once more");
        var reopened = Render<AdminErrorDetail>(p => p.Add(x => x.Id, a.GroupId));
        reopened.WaitForAssertion(() => Assert.Equal("Reopened", reopened.Find("[data-testid=error-status]").TextContent.Trim()));
        Assert.Contains("1×", reopened.Find("[data-testid=error-reopened]").TextContent);
    }

    [Fact]
    public void Errors_WithNone_ShowTheEmptyState()
    {
        SignInAdmin();
        Interactive();
        var list = RenderWithProviders<AdminErrors>();
        list.WaitForAssertion(() => Assert.Contains("No errors match", list.Markup));
    }

    private async Task<(AppUser Alice, AppUser Bob)> TwoTradersWithLinesAsync()
    {
        var alice = await Db.CreateUserAsync("alice-page@test.local");
        var bob = await Db.CreateUserAsync("bob-page@test.local");
        await using var db = await Db.DbAsync();
        db.ServiceLogs.AddRange(
            new ServiceLog { UserId = alice.Id, Level = "INFO", Module = "trading-service", Message = "alice: bought 10 AAPL", Timestamp = Db.Clock.GetUtcNow().AddMinutes(-2) },
            new ServiceLog { UserId = bob.Id, Level = "ERROR", Module = "trading-service", Message = "bob: order rejected", Timestamp = Db.Clock.GetUtcNow().AddMinutes(-1) });
        await db.SaveChangesAsync();
        return (alice, bob);
    }

    [Fact]
    public async Task ServiceLogs_ATraderSeesOnlyTheirOwnLines()
    {
        var (alice, _) = await TwoTradersWithLinesAsync();
        SignInAs(alice, [Roles.Trader]);
        Interactive();
        var own = RenderWithProviders<MyServiceLogs>();
        own.WaitForAssertion(() => Assert.Single(own.FindAll("[data-testid=logs-grid] tbody tr.mud-table-row")));
        Assert.Contains("alice: bought 10 AAPL", own.Find("[data-testid=logs-grid]").TextContent);
        Assert.DoesNotContain("bob", own.Find("[data-testid=logs-grid]").TextContent);
        Assert.Empty(own.FindAll("[data-testid=logs-user]")); // no user filter for a trader
        Assert.Empty(own.FindAll("[data-testid=logs-writer-stats]"));
    }

    [Fact]
    public async Task ServiceLogs_AdminsSeeEveryUsersLines_AndFilterByUser()
    {
        await TwoTradersWithLinesAsync();
        SignInAdmin();
        Interactive();
        var all = RenderWithProviders<AdminLogs>();
        all.WaitForAssertion(() => Assert.Equal(2, all.FindAll("[data-testid=logs-grid] tbody tr.mud-table-row").Count));
        Assert.Contains("dropped", all.Find("[data-testid=logs-writer-stats]").TextContent);
        await TypeAsync(all, "logs-user", "bob-page@test.local");
        all.WaitForAssertion(() => Assert.Single(all.FindAll("[data-testid=logs-grid] tbody tr.mud-table-row")), TimeSpan.FromSeconds(5));
        Assert.Contains("bob: order rejected", all.Find("[data-testid=logs-grid]").TextContent);
        Assert.Contains("bob-page@test.local", all.Find("[data-testid=logs-grid]").TextContent);
    }
}
