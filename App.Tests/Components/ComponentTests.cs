using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Signalbook.Components.Shared;
using Signalbook.Components.Shared.Charts;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Components;

public sealed class ComponentTests : SignalbookTestContext
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static SessionRow[] Rows(Guid current, Guid user) =>
    [
        new(current, user, Now.AddHours(-2), Now, Now.AddDays(10), "192.0.2.1", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0", null, null),
        new(Guid.NewGuid(), user, Now.AddDays(-3), Now.AddDays(-1), Now.AddDays(9), "192.0.2.2", "Mozilla/5.0 (Windows NT 10.0) Firefox/140.0", null, null),
        new(Guid.NewGuid(), user, Now.AddDays(-5), Now.AddDays(-5), Now.AddDays(9), null, null, Now.AddDays(-4), "signed out"),
        new(Guid.NewGuid(), user, Now.AddDays(-20), Now.AddDays(-20), Now.AddDays(-6), null, null, null, null),
    ];

    /// <summary>The table pages through Load, as the pages' session service does in SQL.</summary>
    private static Func<int, int, CancellationToken, Task<SessionPage>> Pages(IReadOnlyList<SessionRow> all, List<(int Skip, int Take)>? calls = null)
        => (skip, take, _) =>
        {
            calls?.Add((skip, take));
            return Task.FromResult(new SessionPage(all.Skip(skip).Take(take).ToList(), all.Count));
        };

    [Fact]
    public void SessionTable_ShowsRevokeOnlyOnActiveSessions_AndMarksThisBrowser()
    {
        var current = Guid.NewGuid();
        var table = RenderWithProviders<SessionTable>(p => p
            .Add(c => c.Load, Pages(Rows(current, Guid.NewGuid())))
            .Add(c => c.CurrentSessionId, current)
            .Add(c => c.Now, Now));

        var trs = table.WaitForElements("[data-testid=sessions-table] tbody tr.mud-table-row");
        Assert.Equal(4, trs.Count);
        Assert.Equal(2, table.FindAll("[data-testid=revoke-session]").Count);
        Assert.Contains("Active · this browser", trs[0].TextContent);
        Assert.Contains("Chrome on Linux", trs[0].TextContent);
        Assert.Contains("2026-11-20 10:00", trs[0].TextContent);
        Assert.Contains("Ended (signed out)", trs[2].TextContent);
        Assert.Contains("Expired", trs[3].TextContent);
        Assert.Empty(trs[3].QuerySelectorAll("button"));
        Assert.All(table.FindAll("[data-testid=revoke-session]"), b => Assert.StartsWith("Revoke the session signed in", b.GetAttribute("aria-label")));
    }

    [Fact]
    public async Task SessionTable_RevokeAsksFirst_ThenCallsBackAndReloads()
    {
        var current = Guid.NewGuid();
        var rows = Rows(current, Guid.NewGuid());
        var calls = new List<(int, int)>();
        SessionRow? revoked = null;
        var table = RenderWithProviders<SessionTable>(p => p
            .Add(c => c.Load, Pages(rows, calls))
            .Add(c => c.CurrentSessionId, current)
            .Add(c => c.Now, Now)
            .Add(c => c.OnRevoke, (SessionRow r) => { revoked = r; }));
        table.WaitForElements("[data-testid=revoke-session]");

        // Cancelling keeps the session.
        await table.InvokeAsync(() => table.FindAll("[data-testid=revoke-session]")[1].Click());
        Dialogs.WaitForElement("[data-testid=confirm-cancel]");
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-cancel]").Click());
        Assert.Null(revoked);

        // Confirming revokes the Firefox session (not this browser) and reloads the page of sessions.
        var loadsBefore = calls.Count;
        await table.InvokeAsync(() => table.FindAll("[data-testid=revoke-session]")[1].Click());
        Dialogs.WaitForAssertion(() => Assert.Contains("Firefox on Windows", Dialogs.Markup));
        await Dialogs.InvokeAsync(() => Dialogs.Find("[data-testid=confirm-ok]").Click());
        table.WaitForAssertion(() => Assert.Equal(rows[1].Id, revoked?.Id));
        table.WaitForAssertion(() => Assert.True(calls.Count > loadsBefore, "the table did not reload after the revocation"));
    }

    [Fact]
    public async Task SessionTable_PagesInTheService_NotInMemory()
    {
        var user = Guid.NewGuid();
        var many = Enumerable.Range(0, 23).Select(i => new SessionRow(Guid.NewGuid(), user, Now.AddHours(-i), Now, Now.AddDays(5), null, null, null, null)).ToList();
        var calls = new List<(int Skip, int Take)>();
        var table = RenderWithProviders<SessionTable>(p => p.Add(c => c.Load, Pages(many, calls)).Add(c => c.Now, Now));
        table.WaitForAssertion(() => Assert.Equal(10, table.FindAll("tbody tr.mud-table-row").Count));
        Assert.Equal((0, 10), calls[0]);
        Assert.Contains("1-10 of 23 sessions", table.Markup);

        await table.InvokeAsync(() => table.Find("button[aria-label='Next page']").Click());
        table.WaitForAssertion(() => Assert.Contains((10, 10), calls));
        table.WaitForAssertion(() => Assert.Contains("11-20 of 23 sessions", table.Markup));
    }

    [Fact]
    public void SessionTable_WithNoRows_ShowsAnEmptyState()
    {
        var table = RenderWithProviders<SessionTable>(p => p.Add(c => c.Load, Pages([])).Add(c => c.Now, Now));
        table.WaitForAssertion(() => Assert.Equal("No sessions yet", table.Find(".sb-empty-title").TextContent));
        Assert.Equal("status", table.Find(".sb-empty").GetAttribute("role"));
        Assert.Empty(table.FindAll("[data-testid=revoke-session]"));
    }

    [Fact]
    public void ApexChart_RendersAnAccessibleFigureWithADataTable_AndDrawsThroughItsModule()
    {
        StrictJs();
        var module = JSInterop.SetupModule("./js/charts.js");
        module.SetupVoid("create", _ => true).SetVoidResult();
        module.SetupVoid("destroy", _ => true).SetVoidResult();
        var options = new ChartOptions
        {
            Chart = new ChartSettings { Type = "bar" },
            Series = [new ChartSeries("Sign-ups", [3, 0, 5])],
            Xaxis = new ChartXAxis { Categories = ["Nov 18", "Nov 19", "Nov 20"], Title = new ChartTitle("Day") },
        };
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, options).Add(c => c.AriaLabel, "Sign-ups per day").Add(c => c.TestId, "c1"));
        var host = chart.Find("[data-testid=c1]");
        Assert.Equal("img", host.GetAttribute("role"));
        Assert.Equal("Sign-ups per day", host.GetAttribute("aria-label"));
        Assert.Equal("Sign-ups per day", chart.Find("table caption").TextContent);
        var cells = chart.FindAll("tbody tr").Select(r => string.Join("|", r.Children.Select(c => c.TextContent))).ToList();
        Assert.Equal(["Nov 18|3", "Nov 19|0", "Nov 20|5"], cells);
        var create = Assert.Single(module.Invocations, i => i.Identifier == "create");
        Assert.Equal(host.Id, create.Arguments[1]);
    }

    [Fact]
    public async Task ApexChart_LeavingThePageWhileTheBrowserDraws_IsNotAnErrorOfTheCircuit()
    {
        // A navigation removes the chart while its create call is in flight; the browser answers that the element is
        // gone. Unhandled, that exception ended the circuit, and the page navigated to stopped answering.
        StrictJs();
        var module = JSInterop.SetupModule("./js/charts.js");
        var create = module.SetupVoid("create", _ => true);
        module.SetupVoid("destroy", _ => true).SetVoidResult();
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, new ChartOptions { Series = [new ChartSeries("A", [1, 2])] }).Add(c => c.AriaLabel, "A"));
        chart.WaitForAssertion(() => Assert.Single(module.Invocations, i => i.Identifier == "create"));

        await DisposeComponentsAsync();
        create.SetException(new JSException("Element not found"));

        var unhandled = Renderer.UnhandledException;
        Assert.NotSame(unhandled, await Task.WhenAny(unhandled, Task.Delay(500)));
    }

    [Fact]
    public async Task APageLeftWhileItLoads_ReadsACancelledToken_NotADisposedOne()
    {
        // The dashboard awaited one query, was navigated away from (disposed), then read Cancellation for the next one:
        // its disposed source threw ObjectDisposedException, which ended the circuit (a fresh-clone run lost the admin
        // models test's next page so). A cancelled token ends the load quietly instead.
        var gate = new TaskCompletionSource();
        var page = Render<LoadsAfterAnAwait>(p => p.Add(c => c.Gate, gate.Task));
        var instance = page.Instance;

        await DisposeComponentsAsync();
        gate.SetResult();

        var unhandled = Renderer.UnhandledException;
        Assert.NotSame(unhandled, await Task.WhenAny(unhandled, Task.Delay(500)));
        Assert.True(instance.Seen?.IsCancellationRequested);
    }

    /// <summary>A page whose load awaits <see cref="Gate"/> and then asks for its cancellation token, as the dashboard's does.</summary>
    private sealed class LoadsAfterAnAwait : SignalbookComponentBase
    {
        [Parameter] public Task Gate { get; set; } = Task.CompletedTask;

        public CancellationToken? Seen { get; private set; }

        protected override async Task OnInitializedAsync()
        {
            await Gate;
            Seen = Cancellation;
            Seen.Value.ThrowIfCancellationRequested();
        }
    }

    [Fact]
    public async Task ApexChart_ABrowserErrorWhileOnThePage_StillSurfaces()
    {
        // Only the disposed case is quiet: a chart that fails while it is shown is a real error.
        StrictJs();
        var module = JSInterop.SetupModule("./js/charts.js");
        var create = module.SetupVoid("create", _ => true);
        var chart = Render<ApexChart>(p => p.Add(c => c.Options, new ChartOptions { Series = [new ChartSeries("A", [1, 2])] }).Add(c => c.AriaLabel, "A"));
        chart.WaitForAssertion(() => Assert.Single(module.Invocations, i => i.Identifier == "create"));

        create.SetException(new JSException("ApexCharts failed"));

        var unhandled = Renderer.UnhandledException;
        Assert.Same(unhandled, await Task.WhenAny(unhandled, Task.Delay(5000)));
        Assert.IsType<JSException>(await unhandled);
    }

    [Fact]
    public void ChartOptions_Serialize_ToApexNames_LeavingUnsetOptionsOut()
    {
        var json = new ChartOptions
        {
            Chart = new ChartSettings { Type = "line", Height = "200" },
            Series = [new ChartSeries("A", [1.5, null])],
            Yaxis = new ChartYAxis { Min = 0 },
        }.ToJson().GetRawText();
        Assert.Contains("\"chart\":{\"type\":\"line\",\"height\":\"200\",\"toolbar\":{\"show\":false}}", json);
        Assert.Contains("\"series\":[{\"name\":\"A\",\"data\":[1.5,null]}]", json);
        Assert.Contains("\"yaxis\":{\"min\":0}", json);
        Assert.DoesNotContain("xaxis", json);
        Assert.DoesNotContain("colors", json);
    }
}
