using Microsoft.Playwright;

[assembly: TestCollectionOrderer("Signalbook.E2E.Infrastructure.CollectionOrder", "Signalbook.E2E")]

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// A Chromium and the app server it talks to, for one xunit collection. The two browser collections share one server
/// (<see cref="SharedAppServer"/>: one demo seeding, their tests side by side); the clock collection has its own
/// (<see cref="ClockBrowserFixture"/>). Chromium is Debian's (no browser download is possible here), started with the flags
/// this sandbox needs. Every page a test visits is saved as a screenshot under artifacts/screenshots.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    public AppServer Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string ScreenshotDir { get; } = Path.Combine(AppServer.RepositoryRoot(), "artifacts", "screenshots");
    // Shared by the collections' fixtures, which run side by side: one numbering of the screenshots, one axe summary.
    private static int _shot;

    // The browser contexts opened for the running test (a collection runs its tests one at a time).
    private readonly List<IBrowserContext> _open = [];

    /// <summary>Errors and warnings the browser logged, for assertions and for failure messages.</summary>
    public List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        // Web-first assertions wait 5 s by default, the locators' actions the context's 30 s: on a 2-core CI machine that
        // also runs the other suite, a page can take longer than 5 s to show what it will show. Only a failing wait costs it.
        Assertions.SetDefaultExpectTimeout(30_000);
        Server = await StartServerAsync();
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var executable = Environment.GetEnvironmentVariable("SIGNALBOOK_CHROMIUM") ?? "/usr/bin/chromium";
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
    }

    public async Task DisposeAsync()
    {
        Directory.CreateDirectory(Path.Combine(AppServer.RepositoryRoot(), "artifacts"));
        string[] summary;
        lock (AxeLog) summary = [.. AxeLog];
        await File.WriteAllLinesAsync(Path.Combine(AppServer.RepositoryRoot(), "artifacts", "axe-summary.txt"), summary); // the last fixture to end writes all
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Server is not null) await StopServerAsync(Server);
    }

    /// <summary>The server of this collection: the one the browser collections share.</summary>
    protected virtual Task<AppServer> StartServerAsync() => SharedAppServer.AcquireAsync();

    protected virtual Task StopServerAsync(AppServer server) => SharedAppServer.ReleaseAsync();

    // Signed-in browser state per server and user, shared by the collections on one server: one session per user.
    private static readonly Dictionary<(string Server, string Email), string> SignedIn = [];
    private static readonly SemaphoreSlim SignInGate = new(1, 1);

    /// <summary>
    /// A page of a user who is already signed in: the first call signs in through the form and keeps the browser's
    /// cookies; later calls start from them (one signed-in state reused across tests). Do not sign out on such a page:
    /// that ends the shared session (use <see cref="Pages.LoginPage"/> on a <see cref="NewPageAsync"/> page instead).
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string email, string password, int width = 1366, int height = 860, ColorScheme scheme = ColorScheme.Light)
    {
        string? state;
        await SignInGate.WaitAsync();
        try
        {
            if (!SignedIn.TryGetValue((Server.BaseUrl, email), out state))
            {
                var first = await NewPageAsync();
                await new Pages.LoginPage(first).SignInAsync(email, password);
                state = await first.Context.StorageStateAsync();
                SignedIn[(Server.BaseUrl, email)] = state;
                await first.Context.CloseAsync();
            }
        }
        finally
        {
            SignInGate.Release();
        }
        return await NewPageAsync(width, height, scheme, state);
    }

    /// <param name="userAgent">A user agent of the test's own (null: Chromium's), to tell its session apart on a sessions page.</param>
    public async Task<IPage> NewPageAsync(int width = 1366, int height = 860, ColorScheme scheme = ColorScheme.Light, string? storageState = null,
        string? userAgent = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
            StorageState = storageState,
            UserAgent = userAgent,
        });
        context.SetDefaultTimeout(30_000); // generous for a 2-core CI machine running both suites: only a failing wait costs it
        lock (_open) _open.Add(context);
        context.Close += (_, _) => { lock (_open) _open.Remove(context); }; // closed by the test itself
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") lock (ConsoleErrors) ConsoleErrors.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => { lock (ConsoleErrors) ConsoleErrors.Add($"{page.Url}: page error {error}"); };
        return page;
    }

    /// <summary>
    /// Closes every page opened since the last call: each test's when it ends (<see cref="BrowserTest{TFixture}"/>). A page left
    /// open keeps its circuit on the server and goes on rendering, polling and animating beside the tests that follow.
    /// </summary>
    public async Task ClosePagesAsync()
    {
        IBrowserContext[] open;
        lock (_open)
        {
            open = [.. _open];
            _open.Clear();
        }
        foreach (var context in open) await context.CloseAsync();
    }

    /// <summary>
    /// Saves a full-page screenshot named after the test step, then checks the page with axe-core: a serious or critical
    /// violation fails the test, naming the rule and the elements. Every page a test visits goes through here.
    /// </summary>
    public async Task ShotAsync(IPage page, string name)
    {
        var n = Interlocked.Increment(ref _shot);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, $"{n:00}-{name}.png"), FullPage = true });
        await AssertAccessibleAsync(page, name);
    }

    /// <summary>Pages checked by axe-core and what it found at each, for the run's summary.</summary>
    public static List<string> AxeLog { get; } = [];

    public async Task AssertAccessibleAsync(IPage page, string name)
    {
        // The state a reader sees: no row under the pointer (a hovered row tints its status chip).
        await page.Mouse.MoveAsync(0, 0);
        // Colours are judged when they are final: a snackbar or a dialog fading in is half transparent.
        // (Endless animations, such as a progress bar's, are not waited for.)
        await page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity)",
            null, new() { Timeout = 10_000 });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var violations = await AxeRunner.ViolationsAsync(page);
        var serious = violations.Where(v => v.Impact is "serious" or "critical").ToList();
        lock (AxeLog) AxeLog.Add($"{name} ({page.Url}): {violations.Count} violation(s), {serious.Count} serious or critical, checked in {clock.ElapsedMilliseconds} ms");
        if (serious.Count == 0) return;
        var report = string.Join("\n", serious.Select(v =>
            $"- {v.Impact} {v.Id}: {v.Help} — {string.Join("; ", v.Nodes.Take(5).Select(node => $"{node.Target} {Truncate(node.Html, 160)}"))}"));
        throw new Xunit.Sdk.XunitException($"axe-core found serious or critical accessibility violations on '{name}' ({page.Url}):\n{report}");
    }

    private static string Truncate(string? text, int max) => text is null ? "" : text.Length <= max ? text : text[..max] + "…";
}

/// <summary>The base of a browser test class: the pages a test opens through its fixture are closed when it ends.</summary>
public abstract class BrowserTest<TFixture>(TFixture fixture) : IAsyncLifetime where TFixture : BrowserFixture
{
    protected TFixture Fx { get; } = fixture;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => Fx.ClosePagesAsync();
}

/// <summary>
/// The browser tests that keep the server's clock, in two collections that run side by side on one shared server. What
/// one test changes for everyone stays in one collection with the tests it would disturb: moving the clock (alerts) with
/// the waitlist invitations and the trader's notification count, and the registration mode with the sign-up tests.
/// </summary>
[CollectionDefinition(Name)]
public sealed class E2ECollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>The second collection on the shared server (see <see cref="E2ECollection"/>).</summary>
[CollectionDefinition(Name)]
public sealed class E2ECollection2 : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser-2";
}

/// <summary>
/// Tests that move the app's clock (days ahead, then back) get an app of their own: rows they leave dated in the future
/// (sessions, job runs) would otherwise be the "newest" for tests that run after them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClockCollection : ICollectionFixture<ClockBrowserFixture>
{
    public const string Name = "browser-clock";
}

/// <summary>A browser on an app server of its own (the clock collection's).</summary>
public sealed class ClockBrowserFixture : BrowserFixture
{
    protected override Task<AppServer> StartServerAsync() => AppServer.StartAsync();

    protected override async Task StopServerAsync(AppServer server) => await server.DisposeAsync();
}

/// <summary>
/// The app server the two browser collections share: started by the first fixture that asks, stopped when both have let
/// it go. A run filtered down to one of them never sees the second release; the server is then stopped as the test host
/// exits (and, failing that, by the watchdogs <see cref="AppServer"/> leaves).
/// </summary>
public static class SharedAppServer
{
    private const int Sharers = 2;
    private static readonly Lock Gate = new();
    private static Task<AppServer>? _server;
    private static int _released;

    static SharedAppServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAsync().Wait(TimeSpan.FromSeconds(30));

    public static Task<AppServer> AcquireAsync()
    {
        lock (Gate) return _server ??= AppServer.StartAsync();
    }

    public static Task ReleaseAsync()
    {
        lock (Gate)
        {
            if (++_released < Sharers) return Task.CompletedTask;
        }
        return StopAsync();
    }

    private static async Task StopAsync()
    {
        Task<AppServer>? server;
        lock (Gate) (server, _server) = (_server, null);
        if (server is { IsCompletedSuccessfully: true }) await server.Result.DisposeAsync();
    }
}

/// <summary>
/// The order the collections start in (two at a time, xunit.runner.json): the longest browser collection first, beside the
/// clock collection and its own app; the second browser collection and the two-node test take the threads that free up.
/// Started in the default order, the two short collections went first and the longest one ended alone, minutes later.
/// </summary>
public sealed class CollectionOrder : ITestCollectionOrderer
{
    private static readonly string[] Order = [E2ECollection.Name, ClockCollection.Name, E2ECollection2.Name, TwoNodeCollection.Name];

    public IEnumerable<Xunit.Abstractions.ITestCollection> OrderTestCollections(IEnumerable<Xunit.Abstractions.ITestCollection> testCollections) =>
        testCollections.OrderBy(c => Array.IndexOf(Order, c.DisplayName) is var i and >= 0 ? i : Order.Length).ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
