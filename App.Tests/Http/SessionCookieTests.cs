using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Http;

public sealed class SessionCookieTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task RevokedSession_CookieStopsWorkingOnTheNextRequest_OtherSessionKeepsWorking()
    {
        var first = await app.SignedInAsync(AppFactory.ViewerEmail, AppFactory.DemoPassword);
        var second = await app.SignedInAsync(AppFactory.ViewerEmail, AppFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/app")).StatusCode);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var sessions = scope.ServiceProvider.GetRequiredService<SessionService>();
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
            var viewer = await users.FindByEmailAsync(AppFactory.ViewerEmail);
            var active = (await sessions.ListAsync(viewer!.Id)).Where(s => s.RevokedAt is null).OrderBy(s => s.CreatedAt).ToList();
            Assert.True(active.Count >= 2);
            var firstSession = active[^2]; // the older of the two just created
            Assert.True(await sessions.RevokeAsync(firstSession.Id, new AuditActor(viewer.Id, viewer.Email, null), actorIsAdmin: false, "test"));
        }

        var denied = await first.GetAsync("/app");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.StartsWith("/account/login", AppFactory.Path(denied.Headers.Location), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/app")).StatusCode);
    }

    [Fact]
    public async Task SignedIn_AfterTheSecurityStampRecheck_StaysSignedIn_OnTheSameSession()
    {
        var client = await app.SignedInAsync(AppFactory.ViewerEmail, AppFactory.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
        try
        {
            // Identity re-checks the security stamp after 30 minutes and re-issues the principal: it must keep the session id
            // (it once did not, and every user was signed out half an hour after signing in). Two days on, still signed in.
            await app.SetClockOffsetAsync(TimeSpan.FromMinutes(31));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
            await app.SetClockOffsetAsync(TimeSpan.FromDays(2));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app")).StatusCode);
        }
        finally
        {
            await app.SetClockOffsetAsync(TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task SignOut_WithToken_EndsTheSession()
    {
        var client = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var form = await AppFactory.FormByActionAsync(client, "/app", "/account/logout");
        Assert.Contains("__RequestVerificationToken", form.Keys);
        var response = await client.PostAsync("/account/logout", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", AppFactory.Path(response.Headers.Location));
        var after = await client.GetAsync("/app");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/login", AppFactory.Path(after.Headers.Location), StringComparison.Ordinal);
    }
}
