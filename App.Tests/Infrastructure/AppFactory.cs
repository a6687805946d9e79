using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// The whole app in-process (WebApplicationFactory) on a fresh database of the test PostgreSQL,
/// with demo users: admin (configured), trader and viewer (demo data).
/// </summary>
public class AppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@http.test";
    public const string AdminPassword = "Http-Admin-Pass-1";
    public const string TraderEmail = "trader@signalbook.local";
    public const string ViewerEmail = "viewer@signalbook.local";
    public const string DemoPassword = "Demo-Password-2026";

    private string _connection = "";

    /// <summary>A copy of the run's demo database (seeded once, by the app itself, for every class that uses this).</summary>
    public async Task InitializeAsync() => _connection = await TestPostgres.CreateDemoDatabaseAsync(SeedDemoAsync);

    private static async Task SeedDemoAsync(string connection)
    {
        await using var seeder = new DemoSeeder(connection);
        _ = seeder.Services; // starting the host migrates nothing new, adds the admin and seeds the demo
    }

    /// <summary>The app started once on the demo template with this factory's settings, only to seed it.</summary>
    private sealed class DemoSeeder(string connection) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => BaseSettings(builder, connection);
    }

    private static void BaseSettings(IWebHostBuilder builder, string connection)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:Default", connection);
        builder.UseSetting("Admin:Email", AdminEmail);
        builder.UseSetting("Admin:Password", AdminPassword);
        builder.UseSetting("Demo:Seed", "true");
    }

    private readonly Lock _disposeGate = new();
    private Task? _disposal;

    /// <summary>
    /// Stops the app once, however many ways it is asked to: xunit disposes a class fixture as IAsyncLifetime, as
    /// IAsyncDisposable and as IDisposable, and WebApplicationFactory's own guard is set only after the host has stopped.
    /// Two stops of one host ran side by side (one disposed the services while the other's log pump still flushed) and
    /// failed the class's cleanup with ObjectDisposedException.
    /// </summary>
    public override ValueTask DisposeAsync()
    {
        lock (_disposeGate) _disposal ??= DisposeOnceAsync();
        return new ValueTask(_disposal);
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    private async Task DisposeOnceAsync()
    {
        await base.DisposeAsync();
        File.Delete(ClockFile);
        // The app's pool of this class's own database (Hangfire's workers included) closes now, not minutes later.
        await using var connection = new Npgsql.NpgsqlConnection(_connection);
        Npgsql.NpgsqlConnection.ClearPool(connection);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        BaseSettings(builder, _connection);
        builder.UseSetting("Waitlist:SignupsPerWindow", "1000");
        builder.UseSetting("Testing:ClockOffsetFile", ClockFile);
        foreach (var (key, value) in ExtraSettings) builder.UseSetting(key, value);
    }

    protected virtual IEnumerable<(string Key, string Value)> ExtraSettings => [];

    /// <summary>The app's clock is the system's plus the offset in this file (the app's OffsetClock).</summary>
    public string ClockFile { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"signalbook-http-clock-{Guid.NewGuid():N}.txt");

    /// <summary>Moves the app's clock to the system time plus the offset (zero restores it).</summary>
    public async Task SetClockOffsetAsync(TimeSpan offset)
    {
        await File.WriteAllTextAsync(ClockFile, offset == TimeSpan.Zero ? "" : offset.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        File.SetLastWriteTimeUtc(ClockFile, DateTime.UtcNow);
        await Task.Delay(300); // the clock re-reads the file at most five times a second
    }

    /// <summary>The newest outbox email to an address (the app's email sender with no SMTP configured).</summary>
    public async Task<string> LastEmailToAsync(string address)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = await scope.ServiceProvider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Signalbook.Data.AppDbContext>>().CreateDbContextAsync();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(
            db.EmailOutbox.Where(m => m.ToAddress == address).OrderByDescending(m => m.Id).Select(m => m.BodyText));
    }

    /// <summary>The first link in a text that starts with the given path.</summary>
    public static string LinkIn(string text, string path)
        => Regex.Match(text, $@"https?://[^\s]*{Regex.Escape(path)}[^\s]*").Value is { Length: > 0 } url
            ? Path(new Uri(url)) : throw new InvalidOperationException($"No {path} link in: {text}");

    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>Signs in through the real login form (antiforgery token included) and returns the client holding the cookie.</summary>
    public async Task<HttpClient> SignedInAsync(string email, string password)
    {
        var client = Browser();
        var form = await FormAsync(client, "/account/login", "login");
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/app", Path(response.Headers.Location));
        return client;
    }

    /// <summary>The hidden fields (antiforgery token, handler name) of a form on a page.</summary>
    public static async Task<Dictionary<string, string>> FormAsync(HttpClient client, string path, string formName)
    {
        var html = await client.GetStringAsync(path);
        var document = new HtmlParser().ParseDocument(html);
        var handler = document.QuerySelectorAll("input[name=_handler]").FirstOrDefault(i => i.GetAttribute("value") == formName)
                      ?? throw new InvalidOperationException($"No form '{formName}' on {path}.");
        var form = handler.Closest("form")!;
        return form.QuerySelectorAll("input[type=hidden]")
            .Where(i => i.GetAttribute("name") is not null)
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
    }

    /// <summary>The hidden fields of the form that posts to <paramref name="action"/> on a page.</summary>
    public static async Task<Dictionary<string, string>> FormByActionAsync(HttpClient client, string path, string action)
    {
        var document = new HtmlParser().ParseDocument(await client.GetStringAsync(path));
        var form = document.QuerySelector($"form[action='{action}']") ?? throw new InvalidOperationException($"No form posting to {action} on {path}.");
        return form.QuerySelectorAll("input[type=hidden]")
            .Where(i => i.GetAttribute("name") is not null)
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
    }

    public static string Path(Uri? location) => location is null ? "" : Regex.Replace(location.OriginalString, "^https?://[^/]+", "");

    /// <summary>Posts a form page's form with the given fields (its hidden fields included) and returns the response.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string path, string formName, IDictionary<string, string> fields)
    {
        var form = await FormAsync(client, path, formName);
        foreach (var (k, v) in fields) form[k] = v;
        return await client.PostAsync(path, new FormUrlEncodedContent(form));
    }
}
