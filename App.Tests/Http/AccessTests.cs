using System.Net;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Http;

/// <summary>Who reaches what over HTTP, and antiforgery on every form post.</summary>
public sealed class AccessTests(AppFactory app) : IClassFixture<AppFactory>
{
    public static readonly TheoryData<string> PublicPages = new() { "/", "/account/login", "/account/register", "/account/access-denied", "/health" };
    public static readonly TheoryData<string> SignedInPages = new() { "/app", "/settings/sessions", "/markets", "/recommendations", "/recommendations/track-record", "/notifications", "/settings/activity", "/alerts", "/settings/notifications", "/trading-service/logs" };
    public static readonly TheoryData<string> AdminPages = new() { "/admin/waitlist", "/admin/users", "/admin/outbox", "/admin/audit", "/admin/models", "/admin/data", "/admin/jobs", "/admin/hangfire", "/admin/notifications/deliveries", "/admin/settings", "/admin/system", "/admin/logs", "/admin/errors" };

    [Theory]
    [MemberData(nameof(PublicPages))]
    public async Task Anonymous_ReachesPublicPages(string path)
    {
        var response = await app.Browser().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(SignedInPages))]
    [MemberData(nameof(AdminPages))]
    public async Task Anonymous_IsSentToSignIn(string path)
    {
        var response = await app.Browser().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login?ReturnUrl=", AppFactory.Path(response.Headers.Location), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(AdminPages))]
    public async Task TraderAndViewer_AreDeniedAdminPages_GetAndPost(string path)
    {
        foreach (var email in new[] { AppFactory.TraderEmail, AppFactory.ViewerEmail })
        {
            var client = await app.SignedInAsync(email, AppFactory.DemoPassword);
            var get = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
            Assert.StartsWith("/account/access-denied", AppFactory.Path(get.Headers.Location), StringComparison.Ordinal);

            var post = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "x" }));
            Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
            Assert.True(post.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.BadRequest, $"{email} POST {path}: {post.StatusCode}");
        }
    }

    [Theory]
    [MemberData(nameof(AdminPages))]
    [MemberData(nameof(SignedInPages))]
    public async Task Admin_ReachesAdminAndSignedInPages(string path)
    {
        var client = await app.SignedInAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task Admin_OpensTheHangfireDashboard_WithOurTitleAndDarkModeThatFollowsTheBrowser()
    {
        var client = await app.SignedInAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var html = await client.GetStringAsync("/admin/hangfire/recurring");
        Assert.Contains("Signalbook", html);
        Assert.Contains("market-data-daily-sync", html); // the recurring jobs this app registered at start
        Assert.Matches("data-darkmode=\"(?i:true)\"", html); // Hangfire's dark mode is on…
        Assert.Contains("prefers-color-scheme: dark", await client.GetStringAsync("/admin/hangfire/css-dark1")); // …and follows the browser
    }

    [Fact]
    public async Task Trader_ReachesTheDashboard()
    {
        var client = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var html = await client.GetStringAsync("/app");
        Assert.Contains("Welcome, Demo Trader", html);
        Assert.DoesNotContain("/admin/waitlist", html); // no admin navigation rendered for a trader
    }

    [Fact]
    public async Task WaitlistPost_WithoutAntiforgeryToken_IsRejectedAndStoresNothing()
    {
        var client = app.Browser();
        var response = await client.PostAsync("/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "waitlist",
            ["Signup.Name"] = "Forger",
            ["Signup.Email"] = "forger@example.com",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task WaitlistPost_WithToken_Joins_AndASecondTimeIsAFriendlyAnswer()
    {
        var client = app.Browser();
        async Task<string> JoinAsync()
        {
            var form = await AppFactory.FormAsync(client, "/", "waitlist");
            form["Signup.Name"] = "Http Visitor";
            form["Signup.Email"] = "http.visitor@example.com";
            var response = await client.PostAsync("/", new FormUrlEncodedContent(form));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
        Assert.Contains("You are on the list", await JoinAsync());
        var second = await JoinAsync();
        Assert.Contains("You are already on the list", second);
        Assert.DoesNotContain("Http Visitor", second); // reveals nothing about the stored entry
    }

    [Fact]
    public async Task LoginPost_WithoutAntiforgeryToken_IsRejected()
    {
        var response = await app.Browser().PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["Input.Email"] = AppFactory.AdminEmail,
            ["Input.Password"] = AppFactory.AdminPassword,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var cookies = response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [];
        Assert.DoesNotContain(cookies, c => c.StartsWith("signalbook.auth", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logout_WithoutAntiforgeryToken_IsRejected_AndTheSessionLives()
    {
        var client = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["returnUrl"] = "/" }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
    }

    [Fact]
    public async Task WrongPassword_ShowsAMessage_AndIsAudited()
    {
        var client = app.Browser();
        var form = await AppFactory.FormAsync(client, "/account/login", "login");
        form["Input.Email"] = AppFactory.ViewerEmail;
        form["Input.Password"] = "not-the-password";
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The email or password is not correct.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReturnUrl_ToAnotherSite_IsIgnored()
    {
        var client = app.Browser();
        var form = await AppFactory.FormAsync(client, "/account/login?returnUrl=//evil.example/x", "login");
        form["Input.Email"] = AppFactory.ViewerEmail;
        form["Input.Password"] = AppFactory.DemoPassword;
        var response = await client.PostAsync("/account/login?returnUrl=//evil.example/x", new FormUrlEncodedContent(form));
        Assert.Equal("/app", AppFactory.Path(response.Headers.Location));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/account/login")]
    [InlineData("/health")]
    public async Task EveryAnswer_CarriesTheSecurityHeaders(string path)
    {
        var response = await app.Browser().GetAsync(path);
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal); // no inline script, no eval
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignedInPages_HaveNoInlineScript_SoTheStrictPolicyHolds()
    {
        var client = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var html = await client.GetStringAsync("/app");
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script(?<attrs>[^>]*)>(?<body>.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, m =>
        {
            // Blazor's own state comments are not scripts; every <script> element loads a file from this origin.
            Assert.Contains("src=", m.Groups["attrs"].Value, StringComparison.Ordinal);
            Assert.True(string.IsNullOrWhiteSpace(m.Groups["body"].Value), $"inline script: {m.Value[..Math.Min(120, m.Value.Length)]}");
        });
    }
}
