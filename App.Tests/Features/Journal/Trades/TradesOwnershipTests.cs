using Microsoft.EntityFrameworkCore;
using Signalbook.Features.Journal;
using Signalbook.Features.Journal.Contexts;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Journal.Nudges;
using Signalbook.Features.Journal.Trades;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Trades;

/// <summary>
/// The ownership matrix of the trades pages' reads and actions: another trader, an admin and a Viewer who is not the
/// owner get not-found on every one (never the owner's data, and the grid shows them nothing); the owner signed in as a
/// Viewer reads their own campaign but every write is forbidden. Afterwards the owner's journal is exactly as it was.
/// </summary>
public sealed class TradesOwnershipTests : ServiceHarness
{
    private sealed record Fixture(Guid Owner, long Group, long Fill, long Context, long Check);

    private async Task<Fixture> SeedAsync()
    {
        var owner = await CreateUserAsync("owner@test.local");
        var group = await this.RoundTripAsync(owner.Id, "OWN", 10, 100, 110, JournalTradesSeed.Start);
        var saved = await this.ContextAsync(owner.Id, group, JournalTradesSeed.Entry(stop: null));
        var check = saved.Checks.First(c => !c.Passed);
        return new Fixture(owner.Id, group, group, saved.ContextId, check.Id);
    }

    private static ManualFillInput Input => new("OWN", FillSide.Buy, 1, 100, 0, JournalTradesSeed.Start);

    private IEnumerable<(string Name, Func<JournalCaller, Task> Act)> Reads(Fixture f) =>
    [
        ("campaign detail (page /journal/trades/{id})", c => WithAsync<CampaignQueryService, object>(async s => await s.DetailAsync(c, f.Group))),
        ("fill for the correction form", c => WithAsync<ManualFillService, object>(async s => await s.GetAsync(c, f.Fill))),
    ];

    private IEnumerable<(string Name, Func<JournalCaller, Task> Act)> Writes(Fixture f) =>
    [
        ("context upsert", c => WithAsync<DecisionContextService, object>(async s => await s.UpsertAsync(c, f.Fill, JournalTradesSeed.Entry(stop: 95)))),
        ("acknowledge check", c => WithAsync<DecisionContextService, object>(async s => await s.AcknowledgeCheckAsync(c, f.Check, TraderActions.Cancelled))),
        ("delete context", c => WithAsync<DecisionContextService, object>(async s =>
        {
            await s.DeleteAsync(c, f.Context);
            return true;
        })),
        ("correct fill", c => WithAsync<ManualFillService, object>(async s => await s.CorrectAsync(c, f.Fill, Input with { Price = 1 }))),
        ("delete fill (reverse)", c => WithAsync<ManualFillService, object>(async s => await s.CorrectAsync(c, f.Fill, null))),
    ];

    private async Task<string> SnapshotAsync(Fixture f)
    {
        await using var db = await DbAsync();
        var fills = await db.TradeFills.AsNoTracking().Where(x => x.UserId == f.Owner).OrderBy(x => x.Id).Select(x => new { x.Id, x.Side, x.Quantity, x.Price }).ToListAsync();
        var contexts = await db.DecisionContexts.AsNoTracking().Where(x => x.UserId == f.Owner).OrderBy(x => x.Id).Select(x => new { x.Id, x.FillId, x.ExitIntent, x.UpdatedAt }).ToListAsync();
        var checks = await db.CampaignChecks.AsNoTracking().Where(x => x.UserId == f.Owner).OrderBy(x => x.Id).Select(x => new { x.Id, x.Acknowledged, x.TraderAction }).ToListAsync();
        var summaries = await db.CampaignSummaries.AsNoTracking().Where(x => x.UserId == f.Owner).OrderBy(x => x.GroupId).Select(x => new { x.GroupId, x.RealisedPnl, x.RMultiple }).ToListAsync();
        return string.Join("|", fills.Select(x => x.ToString()).Concat(contexts.Select(x => x.ToString())).Concat(checks.Select(x => x.ToString()))
            .Concat(summaries.Select(x => x.ToString())));
    }

    [Fact]
    public async Task AnotherTraderAdminOrViewer_GetsNotFoundOnEveryReadAndWrite_SeesNoRows_AndNothingChanges()
    {
        var f = await SeedAsync();
        var before = await SnapshotAsync(f);
        var strangers = new[]
        {
            JournalCaller.Trader((await CreateUserAsync("thief@test.local")).Id),
            JournalCaller.Trader((await AdminAsync()).Id),
        };
        foreach (var stranger in strangers)
        {
            foreach (var (name, act) in Reads(f).Concat(Writes(f)))
            {
                var e = await Record.ExceptionAsync(() => act(stranger));
                Assert.True(e is JournalNotFoundException, $"{name}: expected not-found, got {e?.GetType().Name ?? "success"}");
            }
            Assert.Empty((await WithAsync<CampaignQueryService, CampaignList>(s => s.QueryAsync(stranger, new CampaignQuery()))).Rows);
            Assert.False(await WithAsync<CampaignQueryService, bool>(s => s.AnyAsync(stranger)));
            Assert.Empty((await WithAsync<CampaignQueryService, CampaignFacets>(s => s.FacetsAsync(stranger))).Symbols);
        }
        var viewer = JournalCaller.Viewer((await CreateUserAsync("viewer@test.local", Roles.Viewer)).Id);
        foreach (var (name, act) in Reads(f))
        {
            Assert.True(await Record.ExceptionAsync(() => act(viewer)) is JournalNotFoundException, name);
        }
        foreach (var (name, act) in Writes(f))
        {
            var e = await Record.ExceptionAsync(() => act(viewer));
            Assert.True(e is JournalForbiddenException or JournalNotFoundException, $"{name}: {e?.GetType().Name ?? "success"}");
        }
        Assert.Equal(before, await SnapshotAsync(f));
    }

    [Fact]
    public async Task OwnerAsViewer_ReadsTheirCampaign_ButEveryWriteIsForbidden_IncludingAddingAFill()
    {
        var f = await SeedAsync();
        var before = await SnapshotAsync(f);
        var viewer = JournalCaller.Viewer(f.Owner);
        foreach (var (_, act) in Reads(f)) await act(viewer);
        Assert.Single((await WithAsync<CampaignQueryService, CampaignList>(s => s.QueryAsync(viewer, new CampaignQuery()))).Rows);
        foreach (var (name, act) in Writes(f).Append(("add fill", c => WithAsync<ManualFillService, object>(async s => await s.AddAsync(c, Input)))))
        {
            var e = await Record.ExceptionAsync(() => act(viewer));
            Assert.True(e is JournalForbiddenException, $"{name}: expected forbidden, got {e?.GetType().Name ?? "success"}");
        }
        Assert.Equal(before, await SnapshotAsync(f));
    }
}
