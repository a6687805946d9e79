using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Signalbook.E2E.Infrastructure;
using Signalbook.E2E.Pages;

namespace Signalbook.E2E;

/// <summary>
/// Scale-out, proven end to end: two app processes on one PostgreSQL behind the sticky proxy (App.Proxy). A browser
/// signs in through the proxy and stays on its node; a second browser lands on the other node; a job started from the
/// first node's Jobs page runs exactly once on one of them; then the first node is killed, and the browser reconnects to
/// the other node still signed in (shared Data Protection keys, the server-side session row) and saves its work there.
/// </summary>
[Collection(TwoNodeCollection.Name)]
public sealed partial class TwoNodeTests(TwoNodeCluster cluster)
{
    private const string Job = "statistics";

    [Fact]
    public async Task TwoNodesBehindAStickyProxy_ShareSignInAndJobs_AndAKilledNodesBrowserCarriesOnSignedInOnTheOther()
    {
        try
        {
            await RunAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n\n{await cluster.DescribePagesAsync()}\n\nWhat the processes printed:\n{cluster.Logs()}\n\n{e}");
        }
    }

    private async Task RunAsync()
    {
        // 1. Sign in through the proxy; the affinity cookie holds this browser (its pages and its circuit) on one node.
        var first = await cluster.NewPageAsync();
        await new LoginPage(first).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
        var nodeA = await ServingNodeAsync(first);
        await first.GotoAsync("/admin/system");
        await new Shell(first).WaitForCircuitAsync();
        Assert.Equal(nodeA, await ServingNodeAsync(first));

        // 2. A second browser (no cookies) is sent to the other node by the proxy's round robin; sign-ins until it is.
        IPage? second = null;
        var nodeB = nodeA;
        for (var attempt = 0; attempt < 4 && nodeB == nodeA; attempt++)
        {
            if (second is not null) await second.Context.CloseAsync();
            second = await cluster.NewPageAsync();
            await new LoginPage(second).SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword);
            nodeB = await ServingNodeAsync(second);
        }
        Assert.NotEqual(nodeA, nodeB);
        Assert.Equal([TwoNodeCluster.Node1, TwoNodeCluster.Node2], new[] { nodeA, nodeB }.Order());
        // Each node's page lists both nodes, and marks itself.
        foreach (var (page, node) in new[] { (first, nodeA), (second!, nodeB) })
        {
            await Assertions.Expect(page.GetByTestId("node-row")).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator("[data-testid=node-row]", new() { Has = page.GetByTestId("node-this-page") })).ToContainTextAsync(node);
        }
        // Both nodes run Hangfire servers on the shared storage (one per queue each).
        Assert.Equal(2L, await cluster.QueryAsync<long>(
            "SELECT count(DISTINCT split_part(id, ':', 1)) FROM hangfire.server WHERE id LIKE 'node-1:%' OR id LIKE 'node-2:%'"));

        // 3. A job started from node A's Jobs page runs once, on whichever node's worker takes it.
        var row = first.Locator($"[data-testid=job-row][data-job={Job}]");
        await row.GetByTestId("run-now").ClickAsync();
        await first.GetByTestId("confirm-ok").ClickAsync();
        await Assertions.Expect(first.GetByTestId("jobs-message")).ToContainTextAsync($"{Job} started");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await ManualRunsAsync("status <> 'running'") == 0 && DateTime.UtcNow < deadline) await Task.Delay(250);
        var runs = await cluster.QueryAsync<string>(
            "SELECT coalesce(string_agg(status || ' on ' || node_name || ' as hangfire job ' || fire_instance_id, '; '), '') FROM service_task_execution " +
            "WHERE task_name = @job AND trigger_kind = 'manual'", ("job", Job));
        var ran = Assert.Single(runs.Split("; ", StringSplitOptions.RemoveEmptyEntries));
        var match = RunPattern().Match(ran);
        Assert.True(match.Success, $"Unexpected run: {ran}");
        Assert.Equal("success", match.Groups["status"].Value);
        Assert.Contains(match.Groups["node"].Value, new[] { nodeA, nodeB });
        var hangfireId = long.Parse(match.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture);
        // Hangfire's own record: one job, taken by one worker once (one Processing state), and succeeded (Hangfire moves it
        // to Succeeded just after our filter has written the run's outcome).
        const string state = "SELECT statename FROM hangfire.job WHERE id = @id";
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (await cluster.QueryAsync<string>(state, ("id", hangfireId)) is "Processing" or "Enqueued" && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.Equal("Succeeded", await cluster.QueryAsync<string>(state, ("id", hangfireId)));
        Assert.Equal(1L, await cluster.QueryAsync<long>("SELECT count(*) FROM hangfire.state WHERE jobid = @id AND name = 'Processing'", ("id", hangfireId)));
        await Assertions.Expect(row.GetByTestId("job-last-run")).ToContainTextAsync(new Regex("success", RegexOptions.IgnoreCase));
        Assert.Equal(1L, await ManualRunsAsync("true"));

        // 4. Node A dies (SIGKILL, no goodbye). The browser on it shows Blazor's reconnect UI; the proxy finds node A down
        // and sends the reconnect to node B, which does not know the circuit, so the page reloads there: same cookie, same
        // session row, no sign-in page.
        var sessionsBefore = await ActiveSessionsAsync();
        await cluster.Node(nodeA).KillAsync();
        await first.Locator(".components-reconnect-visible").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 20_000 });
        await Assertions.Expect(first.Locator("[data-testid=this-node] strong")).ToHaveTextAsync(nodeB, new() { Timeout = 90_000 });
        await new Shell(first).WaitForCircuitAsync();
        Assert.EndsWith("/admin/jobs", first.Url, StringComparison.Ordinal);
        Assert.Equal(sessionsBefore, await ActiveSessionsAsync());

        // 5. The work goes on there: a setting saved on node B, and still there after a reload.
        await first.GotoAsync("/settings/notifications");
        await new Shell(first).WaitForCircuitAsync();
        await first.GetByLabel("Send by email").CheckAsync();
        var address = first.GetByLabel("Email address");
        await address.FillAsync("admin.alerts@example.com");
        await address.PressAsync("Tab");
        await first.GetByTestId("save-notifications").ClickAsync();
        await Assertions.Expect(first.GetByText("Notification settings saved.")).ToBeVisibleAsync();
        await first.ReloadAsync();
        await new Shell(first).WaitForCircuitAsync();
        await Assertions.Expect(first.GetByLabel("Email address")).ToHaveValueAsync("admin.alerts@example.com");
        Assert.Equal(nodeB, await ServingNodeAsync(first));

        // The second browser was on node B all along: its circuit never noticed.
        await Assertions.Expect(second!.Locator("[data-testid=this-node] strong")).ToHaveTextAsync(nodeB);
        await Assertions.Expect(second.Locator(".components-reconnect-visible")).ToHaveCountAsync(0);
    }

    /// <summary>Opens Admin → Jobs and reads the node whose circuit renders it.</summary>
    private static async Task<string> ServingNodeAsync(IPage page)
    {
        if (!page.Url.EndsWith("/admin/jobs", StringComparison.Ordinal)) await page.GotoAsync("/admin/jobs");
        await new Shell(page).WaitForCircuitAsync();
        return (await page.Locator("[data-testid=this-node] strong").InnerTextAsync()).Trim();
    }

    private Task<long> ManualRunsAsync(string condition)
        => cluster.QueryAsync<long>($"SELECT count(*) FROM service_task_execution WHERE task_name = @job AND trigger_kind = 'manual' AND {condition}", ("job", Job));

    private Task<long> ActiveSessionsAsync()
        => cluster.QueryAsync<long>("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.normalized_email = upper(@email) AND s.revoked_at IS NULL",
            ("email", AppServer.AdminEmail));

    [GeneratedRegex("^(?<status>[a-z]+) on (?<node>[a-z0-9-]+) as hangfire job (?<id>[0-9]+)$")]
    private static partial Regex RunPattern();
}
