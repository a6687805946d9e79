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
    private int _shot;

    /// <summary>Errors and warnings the browser logged, for assertions and for failure messages.</summary>
    public List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ScreenshotDir);
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
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync(int width = 1366, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning") lock (ConsoleErrors) ConsoleErrors.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) => { lock (ConsoleErrors) ConsoleErrors.Add($"{page.Url}: page error {error}"); };
        return page;
    }

    /// <summary>Saves a full-page screenshot named after the test step.</summary>
    public async Task ShotAsync(IPage page, string name)
    {
        var n = Interlocked.Increment(ref _shot);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDir, $"{n:00}-{name}.png"), FullPage = true });
    }
}

[CollectionDefinition(Name)]
public sealed class E2ECollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
