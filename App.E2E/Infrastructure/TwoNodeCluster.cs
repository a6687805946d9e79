using Microsoft.Playwright;
using Npgsql;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// Two app processes on one private PostgreSQL, each with its own Hangfire servers and node name, behind the sticky
/// YARP proxy (App.Proxy), and a Chromium that talks only to the proxy. Node 1 makes the cluster and the schema; node 2
/// joins that database without seeding. No demo data: the test needs only the admin, and a seeded start trains models
/// for minutes. Everything stops on dispose, in the order proxy, node 2, node 1 (which owns the cluster); if the test
/// host dies instead, the watchdogs AppServer and ProxyServer leave behind stop the processes and the cluster.
/// </summary>
public sealed class TwoNodeCluster : IAsyncLifetime
{
    public const string Node1 = "node-1";
    public const string Node2 = "node-2";

    private readonly Dictionary<string, AppServer> _nodes = [];

    public ProxyServer Proxy { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The shared database, to check what the nodes stored.</summary>
    public string ConnectionString => _nodes[Node1].ConnectionString;

    public AppServer Node(string name) => _nodes[name];

    public async Task InitializeAsync()
    {
        try
        {
            var first = await AppServer.StartAsync(new AppServerOptions { SeedDemo = false, Environment = NodeEnvironment(Node1) });
            _nodes[Node1] = first;
            _nodes[Node2] = await AppServer.StartAsync(new AppServerOptions
            {
                JoinConnectionString = first.ConnectionString,
                SeedDemo = false,
                Environment = NodeEnvironment(Node2),
            });
            Proxy = await ProxyServer.StartAsync([("node1", _nodes[Node1].BaseUrl), ("node2", _nodes[Node2].BaseUrl)], TimeSpan.FromSeconds(60));
            Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
            Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("SIGNALBOOK_CHROMIUM") ?? "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
            });
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Each node is named (Jobs:NodeName), so its Hangfire servers, heartbeat and runs say which it is. The statistics job's
    /// schedule is switched off: the test starts that job by hand and counts its runs.
    /// </summary>
    private static Dictionary<string, string> NodeEnvironment(string name) => new()
    {
        ["Jobs__NodeName"] = name,
        ["Jobs__Schedules__statistics"] = "",
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information", // each request, for a failure message
    };

    /// <summary>A new browser context (no cookies: the proxy picks its node afresh) on the proxy's address.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Proxy.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1366, Height = 860 },
        });
        // Generous on a loaded two-core machine; every wait is still bounded.
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        lock (_pages) _pages.Add(page);
        return page;
    }

    private readonly List<IPage> _pages = [];

    /// <summary>Where each page of the test stands, with a screenshot of it under artifacts/screenshots, for a failure message.</summary>
    public async Task<string> DescribePagesAsync()
    {
        var dir = Path.Combine(AppServer.RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        var lines = new List<string>();
        IPage[] pages;
        lock (_pages) pages = [.. _pages];
        for (var i = 0; i < pages.Length; i++)
        {
            if (pages[i].IsClosed) continue;
            var path = Path.Combine(dir, $"two-nodes-failure-{i + 1}.png");
            try
            {
                await pages[i].ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Timeout = 10_000 });
                lines.Add($"page {i + 1}: {pages[i].Url} (screenshot {path})");
            }
            catch (PlaywrightException e)
            {
                lines.Add($"page {i + 1}: {pages[i].Url} (no screenshot: {e.Message})");
            }
        }
        return string.Join("\n", lines);
    }

    public async Task<T> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What each process printed, for a failure message.</summary>
    public string Logs()
        => string.Join("\n", _nodes.Select(n => $"===== {n.Key} =====\n{Tail(n.Value.Output)}")) + (Proxy is null ? "" : $"\n===== proxy =====\n{Tail(Proxy.Output)}");

    private static string Tail(string text) => text.Length <= 12_000 ? text : text[^12_000..];

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Proxy is not null) await Proxy.DisposeAsync();
        // Node 2 first: node 1's server owns the cluster both use.
        foreach (var name in new[] { Node2, Node1 })
        {
            if (_nodes.Remove(name, out var node)) await node.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class TwoNodeCollection : ICollectionFixture<TwoNodeCluster>
{
    public const string Name = "two-nodes";
}
