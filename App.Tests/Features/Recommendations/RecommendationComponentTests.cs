using System.Security.Claims;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Features.Recommendations;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Recommendations;

/// <summary>
/// The recommendation pages in bUnit over the real services and a fresh database per test, as a signed-in trader: the
/// consent gate, the dashboard's profile switch and filters, one recommendation and the track record.
/// </summary>
public sealed class RecommendationComponentTests : SignalbookTestContext, IAsyncLifetime
{
    private readonly RecommendationsHarness _data = new();

    public override async Task InitializeAsync()
    {
        await _data.InitializeAsync();
        UseDatabase(_data);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _data.DisposeAsync();
    }

    private void SignInAs(Guid userId)
    {
        // SignIn's roles replace the claims it set before them (bUnit 2.15): set the id claim again, after the roles.
        SignIn(userId, "trader@test.local", Roles.Trader)
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, userId.ToString()), new Claim(ClaimTypes.Email, "trader@test.local"));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private static RenderFragment Content => b =>
    {
        b.OpenElement(0, "p");
        b.AddAttribute(1, "data-testid", "secret-content");
        b.AddContent(2, "recommendations here");
        b.CloseElement();
    };

    /// <summary>Opens a MudSelect (by its data-testid) and picks the option with this text.</summary>
    private void Choose(IRenderedComponent<IComponent> page, string testId, string option)
    {
        page.Find($"[data-testid={testId}]").Closest(".mud-select")!.MouseDown();
        Popovers.WaitForElements(".mud-list-item").First(e => e.TextContent.Trim() == option).Click();
    }

    /// <summary>Picks the option with this value in a filter's native select (by its data-testid), as a browser's change event does.</summary>
    private static void ChooseNative(IRenderedComponent<IComponent> page, string testId, string option)
    {
        var select = page.Find($"select[data-testid={testId}]");
        Assert.Contains(option, select.QuerySelectorAll("option").Select(o => o.GetAttribute("value")));
        select.Change(option);
    }

    private static string? SortOf(IRenderedComponent<IComponent> page, string column)
        => page.Find($"button[data-sort={column}]").Closest("th")!.GetAttribute("aria-sort");

    private static IReadOnlyList<string> Labels(IRenderedComponent<IComponent> page)
        => page.FindAll("tr.sb-rec-row [data-testid=label-badge]").Select(e => e.GetAttribute("data-label")!).ToList();

    private static IReadOnlyList<string> Symbols(IRenderedComponent<IComponent> page)
        => page.FindAll("tr.sb-rec-row a.sb-symbol").Select(e => e.TextContent.Trim()).ToList();

    [Fact]
    public async Task Gate_BeforeAcceptance_ShowsOnlyTheDisclosure_AcceptingShowsTheContent_AndIsStored()
    {
        var user = await _data.CreateUserAsync("gate@test.local");
        SignInAs(user.Id);
        var gate = RenderWithProviders<RiskDisclosureGate>(p => p.Add(c => c.ChildContent, Content));

        var disclosure = gate.WaitForElement("[data-testid=risk-disclosure]");
        Assert.Contains("Not financial advice", disclosure.TextContent);
        Assert.Contains("No directional edge is guaranteed", disclosure.TextContent);
        Assert.Empty(gate.FindAll("[data-testid=secret-content]"));

        gate.Find("[data-testid=accept-disclosure]").Click();
        gate.WaitForElement("[data-testid=secret-content]");
        Assert.Empty(gate.FindAll("[data-testid=risk-disclosure]"));
        Assert.True((await _data.Consent(s => s.ConsentAsync(user.Id))).Accepted);
    }

    [Fact]
    public async Task Dashboard_OpensOnTheDefaultProfile_SwitchingShowsThatProfile_AndItCanBecomeTheDefault()
    {
        var user = await _data.ConsentingTraderAsync("profiles@test.local");
        var model = await _data.AddModelAsync("v4");
        await _data.AddRecommendationAsync(await _data.AddInstrumentAsync("MODA"), model, "BUY", 0.7, RiskProfiles.Moderate);
        await _data.AddRecommendationAsync(await _data.AddInstrumentAsync("AGGR"), model, "SELL", 0.8, RiskProfiles.Aggressive);
        SignInAs(user);

        IRenderedComponent<IComponent> page = RenderWithProviders<RecommendationsPage>();
        page.WaitForAssertion(() => Assert.Equal(["MODA"], Symbols(page)), TimeSpan.FromSeconds(10));
        Assert.Contains("Your default profile", page.Find("[data-testid=profile-bar]").TextContent);
        Assert.Contains("Produced by model v4", page.Find("[data-testid=model-version]").TextContent);

        page.Find("[data-testid=profile] button[data-profile=aggressive]").Click();
        page.WaitForAssertion(() => Assert.Equal(["AGGR"], Symbols(page)), TimeSpan.FromSeconds(10));
        Assert.Equal("true", page.Find("[data-testid=profile] button[data-profile=aggressive]").GetAttribute("aria-pressed"));
        Assert.Equal("aggressive", page.Find("[data-testid=label-counts]").GetAttribute("data-profile"));

        page.Find("[data-testid=make-default]").Click();
        page.WaitForAssertion(() => Assert.Contains("Your default profile", page.Find("[data-testid=profile-bar]").TextContent));
        Snackbars.WaitForAssertion(() => Assert.Contains("The aggressive profile is now your default.", Snackbars.Markup), TimeSpan.FromSeconds(10));
        Assert.Equal(RiskProfiles.Aggressive, await _data.Consent(s => s.PreferredProfileAsync(user)));

        // Opened again, the dashboard starts on the new default.
        IRenderedComponent<IComponent> again = Render<RecommendationsPage>();
        again.WaitForAssertion(() => Assert.Equal(["AGGR"], Symbols(again)), TimeSpan.FromSeconds(10));
        Assert.Equal("true", again.Find("[data-testid=profile] button[data-profile=aggressive]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public async Task Dashboard_LabelFilter_ShowsOnlyThatLabel_AndSaysWhenNothingMatches()
    {
        var user = await _data.ConsentingTraderAsync("filters@test.local");
        var model = await _data.AddModelAsync();
        await _data.AddRecommendationAsync(await _data.AddInstrumentAsync("BUYA"), model, "BUY", 0.61);
        await _data.AddRecommendationAsync(await _data.AddInstrumentAsync("BUYB"), model, "BUY", 0.55);
        await _data.AddRecommendationAsync(await _data.AddInstrumentAsync("HOLD"), model, "HOLD", 0.9);
        SignInAs(user);

        IRenderedComponent<IComponent> page = RenderWithProviders<RecommendationsPage>();
        page.WaitForAssertion(() => Assert.Equal(["HOLD", "BUYA", "BUYB"], Symbols(page)), TimeSpan.FromSeconds(10)); // most confident first
        Assert.Equal("3", page.Find("[data-testid=recommendations-total]").GetAttribute("data-total"));
        var dashboard = page.FindComponent<RecommendationsDashboard>().Instance;
        Assert.Equal(1, dashboard.Loads); // showing the summary after a load does not make the grid load again

        ChooseNative(page, "filter-label", "BUY");
        page.WaitForAssertion(() => Assert.Equal(["BUY", "BUY"], Labels(page)), TimeSpan.FromSeconds(10));
        Assert.Equal("2", page.Find("[data-testid=recommendations-total]").GetAttribute("data-total"));
        Assert.Contains("HOLD 1", page.Find("[data-testid=label-counts]").TextContent); // the summary keeps every label

        page.Find("[data-testid=filter-confidence]").Change("95");
        page.WaitForAssertion(() => Assert.Contains("No recommendations match these filters", page.Markup), TimeSpan.FromSeconds(10));
        Assert.Empty(Symbols(page));
    }

    [Fact]
    public async Task Dashboard_HeadersSortBothWays_ThePagerPages_AndAConfidenceThatIsNoPercentageIsRefused()
    {
        var user = await _data.ConsentingTraderAsync("paging@test.local");
        var model = await _data.AddModelAsync();
        for (var i = 0; i < 12; i++)
            await _data.AddRecommendationAsync(await _data.AddInstrumentAsync($"S{i:00}"), model, i % 2 == 0 ? "BUY" : "SELL", 0.40 + i / 100.0);
        SignInAs(user);

        IRenderedComponent<IComponent> page = RenderWithProviders<RecommendationsPage>();
        page.WaitForAssertion(() => Assert.Equal(12, Symbols(page).Count), TimeSpan.FromSeconds(10));
        Assert.Equal("S11", Symbols(page)[0]); // most confident first
        Assert.Equal("descending", SortOf(page, "confidence"));

        page.Find("button[data-sort=symbol]").Click();
        page.WaitForAssertion(() => Assert.Equal("S00", Symbols(page)[0]));
        Assert.Equal("ascending", SortOf(page, "symbol"));
        Assert.Equal("none", SortOf(page, "confidence"));
        page.Find("button[data-sort=symbol]").Click();
        page.WaitForAssertion(() => Assert.Equal("S11", Symbols(page)[0]));
        Assert.Equal("descending", SortOf(page, "symbol"));

        page.Find("select[data-testid=recommendations-pager-size]").Change("10");
        page.WaitForAssertion(() => Assert.Equal(10, Symbols(page).Count));
        Assert.Equal("1–10 of 12", page.Find("[data-testid=recommendations-pager-range]").TextContent.Trim());
        Assert.True(page.Find("button[aria-label='Previous page']").HasAttribute("disabled"));
        page.Find("button[aria-label='Next page']").Click();
        page.WaitForAssertion(() => Assert.Equal(["S01", "S00"], Symbols(page)));
        Assert.Equal("11–12 of 12", page.Find("[data-testid=recommendations-pager-range]").TextContent.Trim());
        Assert.True(page.Find("button[aria-label='Last page']").HasAttribute("disabled"));

        // A filter goes back to the first page.
        ChooseNative(page, "filter-label", "SELL");
        page.WaitForAssertion(() => Assert.Equal(["S11", "S09", "S07", "S05", "S03", "S01"], Symbols(page)));
        Assert.Equal("1–6 of 6", page.Find("[data-testid=recommendations-pager-range]").TextContent.Trim());

        var loads = page.FindComponent<RecommendationsDashboard>().Instance.Loads;
        page.Find("[data-testid=filter-confidence]").Change("1e9");
        page.WaitForAssertion(() => Assert.Contains("is not a whole percentage from 0 to 100", page.Find("#sb-min-confidence-error").TextContent));
        Assert.Equal("true", page.Find("[data-testid=filter-confidence]").GetAttribute("aria-invalid"));
        Assert.Equal(loads, page.FindComponent<RecommendationsDashboard>().Instance.Loads); // nothing loaded, the rows stay
        Assert.Equal(6, Symbols(page).Count);
        page.Find("[data-testid=filter-confidence]").Change("48");
        page.WaitForAssertion(() => Assert.Equal(["S11", "S09"], Symbols(page)));
        Assert.Empty(page.FindAll("#sb-min-confidence-error"));
    }

    [Fact]
    public async Task RecommendationPage_ShowsLevelsJustificationProbabilitiesDriversAndOutcomes()
    {
        var user = await _data.ConsentingTraderAsync("view@test.local");
        var model = await _data.AddModelAsync("v3");
        var id = await _data.AddInstrumentAsync("VIEW");
        var snapshot = RecommendationsHarness.Snapshot(close: 100, features: new Dictionary<string, double?> { ["rsi_14"] = 55, ["ret_5d"] = 0.01 },
            drivers: [new SnapshotDriver("ret_5d", 0.01, null, 0.05)]);
        var past = await _data.AddRecommendationAsync(id, model, "SELL", 0.55, expected: -2, at: _data.Clock.GetUtcNow().AddDays(-10), active: false);
        await _data.AddOutcomeAsync(past, true, 100, 97, -2);
        var rec = await _data.AddRecommendationAsync(id, model, "BUY", 0.64, expected: 1.8, snapshot: snapshot);
        await using (var db = await _data.DbAsync())
        {
            for (var i = -2; i <= 1; i++)
                db.PriceBars.Add(new PriceBar { InstrumentId = id, Interval = Intervals.OneDay, Ts = snapshot.AsOf.AddDays(i), Open = 99, High = 101, Low = 98, Close = 100, Volume = 1, Source = "test" });
            await db.SaveChangesAsync();
        }
        SignInAs(user);

        var page = RenderWithProviders<RecommendationPage>(p => p.Add(c => c.Id, rec));
        page.WaitForElement("[data-testid=entry-value]", TimeSpan.FromSeconds(10));
        Assert.Equal("100.00", page.Find("[data-testid=entry-value]").TextContent.Trim());
        Assert.StartsWith("96.00", page.Find("[data-testid=stop-value]").TextContent.Trim());
        Assert.StartsWith("108.00", page.Find("[data-testid=target-value]").TextContent.Trim());
        Assert.Equal("Momentum and calm regime.", page.Find("[data-testid=justification]").TextContent.Trim());
        Assert.Equal(["BUY", "HOLD", "SELL"], page.FindAll("[data-testid=probabilities] tbody tr").Select(r => r.GetAttribute("data-label")));
        Assert.Equal("50", page.Find("[data-testid=probabilities] tr[data-label=BUY] [role=meter]").GetAttribute("aria-valuenow"));

        var rows = page.FindAll("[data-testid=snapshot-table] tbody tr");
        Assert.Equal(["ret_5d", "rsi_14"], rows.Select(r => r.GetAttribute("data-feature")));
        Assert.Contains("sb-driver", rows[0].ClassList);
        Assert.Contains("pushed towards BUY", rows[0].TextContent);

        var history = page.FindAll("[data-testid=history-table] tbody tr");
        Assert.Equal(["Pending", "Right"], history.Select(r => r.GetAttribute("data-outcome")));
        Assert.Contains("−3.00%", history[1].TextContent);
        Assert.Contains("stop-loss 96.00", page.Find("[data-testid=recommendation-chart]").GetAttribute("aria-label"));

        // The older signal links to its own page, which says it was superseded.
        Assert.Equal($"/recommendations/{past}", history[1].QuerySelector("a")!.GetAttribute("href"));
        page.Render(p => p.Add(c => c.Id, past));
        page.WaitForElement("[data-testid=superseded]", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RecommendationPage_ForAnUnknownId_SaysSo()
    {
        var user = await _data.ConsentingTraderAsync("unknown@test.local");
        SignInAs(user);
        var page = RenderWithProviders<RecommendationPage>(p => p.Add(c => c.Id, 424242L));
        page.WaitForAssertion(() => Assert.Equal("No such recommendation", page.Find(".sb-empty-title").TextContent), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TrackRecordPage_ShowsTotals_AndAProfileWithoutOutcomesShowsTheEmptyState()
    {
        var user = await _data.ConsentingTraderAsync("track@test.local");
        var model = await _data.AddModelAsync();
        var instrument = await _data.AddInstrumentAsync("TRAK");
        var right = await _data.AddRecommendationAsync(instrument, model, "BUY", 0.7, at: _data.Clock.GetUtcNow().AddDays(-20), active: false);
        var wrong = await _data.AddRecommendationAsync(instrument, model, "SELL", 0.6, at: _data.Clock.GetUtcNow().AddDays(-10), active: false);
        await _data.AddOutcomeAsync(right, true, 100, 104, 2);
        await _data.AddOutcomeAsync(wrong, false, 100, 103, -2);
        SignInAs(user);

        IRenderedComponent<IComponent> page = RenderWithProviders<TrackRecordPage>();
        page.WaitForAssertion(() => Assert.Equal("2", page.Find("[data-testid=track-total]").TextContent.Trim()), TimeSpan.FromSeconds(10));
        Assert.Equal("50.0%", page.Find("[data-testid=track-hit-rate]").TextContent.Trim().Replace(" ", "", StringComparison.Ordinal));
        Assert.NotNull(page.Find("[data-testid=track-by-label] tr[data-key=BUY]"));

        Choose(page, "track-profile", RiskProfiles.Conservative);
        page.WaitForAssertion(() => Assert.Equal("No outcomes yet", page.Find(".sb-empty-title").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[data-testid=track-totals]"));
    }
}
