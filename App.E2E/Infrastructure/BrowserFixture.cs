using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// One app server and one Chromium for the whole E2E run (xunit collection fixture). Chromium is
/// Debian's (no browser download is possible here), started with the flags this sandbox needs.
/// Every page a test visits is saved as a screenshot under artifacts/screenshots.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public AppServer Server { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string ScreenshotDir { get; } = Path.Combine(AppServer.RepositoryRoot(), "artifacts", "screenshots");
    // Shared by the collections' fixtures, which run side by side: one numbering of the screenshots, one axe summary.
    private static int _shot;

    /// <summary>Errors and warnings the browser logged, for assertions and for failure messages.</summary>
    public List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
        // Web-first assertions wait 5 s by default, the locators' actions the context's 30 s: on a 2-core CI machine that
        // also runs the other suite, a page can take longer than 5 s to show what it will show. Only a failing wait costs it.
        Assertions.SetDefaultExpectTimeout(30_000);
        Server = await AppServer.StartAsync();
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
        if (Server is not null) await Server.DisposeAsync();
    }

    private readonly Dictionary<string, string> _signedIn = [];
    private readonly SemaphoreSlim _signInGate = new(1, 1);

    /// <summary>
    /// A page of a user who is already signed in: the first call signs in through the form and keeps the browser's
    /// cookies; later calls start from them (one signed-in state reused across tests). Do not sign out on such a page:
    /// that ends the shared session (use <see cref="Pages.LoginPage"/> on a <see cref="NewPageAsync"/> page instead).
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string email, string password, int width = 1366, int height = 860, ColorScheme scheme = ColorScheme.Light)
    {
        string? state;
        await _signInGate.WaitAsync();
        try
        {
            if (!_signedIn.TryGetValue(email, out state))
            {
                var first = await NewPageAsync();
                await new Pages.LoginPage(first).SignInAsync(email, password);
                state = await first.Context.StorageStateAsync();
                _signedIn[email] = state;
                await first.Context.CloseAsync();
            }
        }
        finally
        {
            _signInGate.Release();
        }
        return await NewPageAsync(width, height, scheme, state);
    }

    public async Task<IPage> NewPageAsync(int width = 1366, int height = 860, ColorScheme scheme = ColorScheme.Light, string? storageState = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
            StorageState = storageState,
        });
        context.SetDefaultTimeout(30_000); // generous for a 2-core CI machine running both suites: only a failing wait costs it
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") lock (ConsoleErrors) ConsoleErrors.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => { lock (ConsoleErrors) ConsoleErrors.Add($"{page.Url}: page error {error}"); };
        return page;
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
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        lock (AxeLog) AxeLog.Add($"{name} ({page.Url}): {result.Violations.Length} violation(s), {serious.Count} serious or critical");
        if (serious.Count == 0) return;
        var report = string.Join("\n", serious.Select(v =>
            $"- {v.Impact} {v.Id}: {v.Help} — {string.Join("; ", v.Nodes.Take(5).Select(node => $"{string.Join(" ", node.Target)} {Truncate(node.Html, 160)}"))}"));
        throw new Xunit.Sdk.XunitException($"axe-core found serious or critical accessibility violations on '{name}' ({page.Url}):\n{report}");
    }

    private static string Truncate(string? text, int max) => text is null ? "" : text.Length <= max ? text : text[..max] + "…";
}

[CollectionDefinition(Name)]
public sealed class E2ECollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>
/// Tests that move the app's clock (days ahead, then back) get an app of their own: rows they leave dated in the future
/// (sessions, job runs) would otherwise be the "newest" for tests that run after them.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClockCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser-clock";
}
