using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

[Collection(E2ECollection.Name)]
public sealed class RecommendationsTests(BrowserFixture fx) : BrowserTest<BrowserFixture>(fx)
{
    /// <summary>A trader who has never seen recommendations: invited through the waitlist, as a real one would be.</summary>
    private async Task<IPage> FreshTraderAsync()
    {
        var email = $"recs-{Guid.NewGuid().ToString("N")[..12]}@example.com";
        var visitor = await Fx.NewPageAsync();
        var landing = new LandingPage(visitor);
        await landing.OpenAsync();
        await landing.JoinAsync("Rita Recs", email, null);
        await Assertions.Expect(landing.Result).ToContainTextAsync("You are on the list");
        await visitor.CloseAsync();

        var admin = await Fx.SignedInPageAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        var waitlist = new AdminWaitlistPage(admin);
        await waitlist.OpenAsync();
        await waitlist.SearchAsync(email);
        var link = await waitlist.ApproveAsync(email);
        await admin.CloseAsync();

        var trader = await Fx.NewPageAsync();
        await trader.GotoAsync(link);
        await trader.GetByLabel("Password", new() { Exact = true }).FillAsync("Recs-Trader-Pass-2026");
        await trader.GetByLabel("Confirm password").FillAsync("Recs-Trader-Pass-2026");
        await trader.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await trader.WaitForURLAsync(url => url.Contains("/app", StringComparison.Ordinal));
        await new Shell(trader).WaitForCircuitAsync();
        return trader;
    }

    [Fact]
    public async Task ConsentGate_AFreshTraderIsAsked_Accepts_SeesTheDashboard_AndIsNotAskedAgain()
    {
        var page = await FreshTraderAsync();
        page.SetDefaultTimeout(60_000);
        var dashboard = new RecommendationsDashboardPage(page);
        await dashboard.NavLink("Recommendations").ClickAsync();
        await page.WaitForURLAsync("**/recommendations");
        await dashboard.WaitForCircuitAsync();

        await Assertions.Expect(dashboard.Disclosure).ToBeVisibleAsync();
        await Assertions.Expect(dashboard.Disclosure).ToContainTextAsync("Not financial advice");
        await Assertions.Expect(dashboard.Grid).ToHaveCountAsync(0); // nothing of the recommendations before acceptance
        await Fx.ShotAsync(page, "recommendations-disclosure");

        await dashboard.AcceptButton.ClickAsync();
        await Assertions.Expect(dashboard.Disclosure).ToHaveCountAsync(0);
        await dashboard.WaitForRowsAsync();
        await Assertions.Expect(page.GetByTestId("model-version")).ToContainTextAsync("Produced by model");

        await page.ReloadAsync();
        await dashboard.WaitForCircuitAsync();
        await dashboard.WaitForRowsAsync();
        await Assertions.Expect(dashboard.Disclosure).ToHaveCountAsync(0);
        await Fx.ShotAsync(page, "recommendations-after-consent");
    }

    [Fact]
    public async Task Dashboard_LabelFilterShowsOnlyThatLabel_AndMinimumConfidenceNarrows()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var dashboard = new RecommendationsDashboardPage(page);
        await dashboard.OpenAsync();
        await dashboard.AcceptIfAskedAsync(dashboard.Grid);
        await dashboard.WaitForRowsAsync();
        await Assertions.Expect(page.GetByTestId("label-chart")).ToHaveAttributeAsync("data-chart-ready", "true");
        await Fx.ShotAsync(page, "recommendations-dashboard");

        // Choose the label the demo has most of, so the filter has rows to show.
        var counts = page.GetByTestId("label-counts");
        var (label, count) = (await Task.WhenAll(new[] { "BUY", "HOLD", "SELL" }.Select(async l =>
            (l, n: int.Parse(Regex.Match(await counts.Locator($"[data-label={l}]").InnerTextAsync(), @"\d+").Value))))).MaxBy(x => x.n);
        await dashboard.FilterByLabelAsync(label);
        // Wait for the filtered page: the pager then counts exactly that label's rows.
        await Assertions.Expect(dashboard.Total).ToHaveAttributeAsync("data-total", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var labels = await dashboard.LabelBadges.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.label)");
        Assert.NotEmpty(labels);
        Assert.All(labels, l => Assert.Equal(label, l));
        await Fx.ShotAsync(page, "recommendations-filtered-label");

        var before = await dashboard.ConfidenceValuesAsync();
        var threshold = (int)Math.Floor(before.OrderBy(c => c).ElementAt(before.Count / 2) * 100) + 1; // above the median: fewer rows
        var beforeTotal = await dashboard.TotalAsync();
        await dashboard.SetMinConfidenceAsync(threshold);
        await Assertions.Expect(dashboard.Total).Not.ToHaveAttributeAsync("data-total", beforeTotal.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var after = await dashboard.ConfidenceValuesAsync();
        Assert.All(after, c => Assert.True(c >= threshold / 100.0, $"confidence {c} under the {threshold} % minimum"));
        Assert.True(await dashboard.TotalAsync() < beforeTotal, "the minimum confidence did not narrow the rows");
        var labelsAfter = await dashboard.LabelBadges.EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.label)");
        Assert.All(labelsAfter, l => Assert.Equal(label, l)); // the label filter still applies
        await Fx.ShotAsync(page, "recommendations-filtered-confidence");
    }

    [Fact]
    public async Task RecommendationPage_DrawsTheChart_ShowsEntryStopTargetAndTheJustification()
    {
        var page = await Fx.SignedInPageAsync(AppServer.DemoTraderEmail, AppServer.DemoPassword);
        page.SetDefaultTimeout(60_000);
        var dashboard = new RecommendationsDashboardPage(page);
        await dashboard.OpenAsync();
        await dashboard.AcceptIfAskedAsync(dashboard.Grid);
        await dashboard.WaitForRowsAsync();
        // A BUY or SELL has a stop-loss and a take-profit (a HOLD has neither). Whether a profile has any depends on the
        // day's demo bars, so take the first profile, boldest first, that has one; the aggressive profile nearly always does.
        string? call = null;
        foreach (var profile in new[] { "aggressive", "moderate", "conservative" })
        {
            await dashboard.SelectProfileAsync(profile);
            await dashboard.WaitForRowsAsync();
            call = await dashboard.LabelCountAsync("BUY") > 0 ? "BUY" : await dashboard.LabelCountAsync("SELL") > 0 ? "SELL" : null;
            if (call is not null) break;
        }
        Assert.True(call is not null, "No profile has a BUY or SELL today: the demo's models made no directional call to show.");
        await dashboard.FilterByLabelAsync(call!);
        await Assertions.Expect(dashboard.LabelBadges.First).ToHaveAttributeAsync("data-label", call!);
        var symbol = (await dashboard.Rows.First.Locator("a.sb-symbol").InnerTextAsync()).Trim();
        await dashboard.Rows.First.Locator("a.sb-symbol").ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/recommendations/\d+$"));

        var detail = new RecommendationDetailPage(page);
        await detail.WaitForCircuitAsync();
        await Assertions.Expect(detail.Summary).ToContainTextAsync(symbol);
        await Assertions.Expect(detail.Chart).ToHaveAttributeAsync("data-chart-ready", "true");
        await Assertions.Expect(detail.Chart.Locator("g.apexcharts-series[seriesName=\"Price\"] path").First).ToBeAttachedAsync();
        foreach (var level in new[] { detail.Entry, detail.StopLoss, detail.TakeProfit })
            await Assertions.Expect(level).ToHaveTextAsync(new Regex(@"^\s*[\d,]+\.\d\d"));
        var entry = (await detail.Entry.InnerTextAsync()).Trim();
        await Assertions.Expect(detail.Chart).ToContainTextAsync("Entry " + entry); // the labelled horizontal line
        await Assertions.Expect(detail.Justification).Not.ToBeEmptyAsync();
        await Assertions.Expect(detail.Justification).Not.ToContainTextAsync("No justification");
        await Assertions.Expect(detail.SnapshotRows.First).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "recommendation-detail");

        await page.GotoAsync("/recommendations/track-record");
        await detail.WaitForCircuitAsync();
        await Assertions.Expect(page.GetByTestId("track-totals").Or(page.Locator(".sb-empty")).First).ToBeVisibleAsync();
        await Fx.ShotAsync(page, "recommendations-track-record");
    }
}
