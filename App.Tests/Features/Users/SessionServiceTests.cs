using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

public sealed class SessionServiceTests : ServiceHarness
{
    private Task<T> WithAsync<T>(Func<SessionService, Task<T>> act) => WithAsync<SessionService, T>(act);

    [Fact]
    public async Task NewSession_IsActiveForItsUserOnly()
    {
        var lena = await CreateUserAsync("lena@example.com");
        var other = await CreateUserAsync("other1@example.com");
        var sid = await WithAsync(s => s.CreateAsync(lena.Id, "192.0.2.7", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"));
        Assert.True(await WithAsync(s => s.IsActiveAsync(sid, lena.Id)));
        Assert.False(await WithAsync(s => s.IsActiveAsync(sid, other.Id)));
        Assert.False(await WithAsync(s => s.IsActiveAsync(Guid.NewGuid(), lena.Id)));
    }

    [Fact]
    public async Task Revoke_ByOwner_EndsIt_ByAnotherTrader_IsRefused_ByAdmin_Works()
    {
        var owner = await CreateUserAsync("maya@example.com");
        var stranger = await CreateUserAsync("nils@example.com");
        var admin = await AdminAsync();
        var s1 = await WithAsync(s => s.CreateAsync(owner.Id, null, null));
        var s2 = await WithAsync(s => s.CreateAsync(owner.Id, null, null));

        Assert.False(await WithAsync(s => s.RevokeAsync(s1, ActorOf(stranger), actorIsAdmin: false, "test")));
        Assert.True(await WithAsync(s => s.IsActiveAsync(s1, owner.Id)));

        Assert.True(await WithAsync(s => s.RevokeAsync(s1, ActorOf(owner), actorIsAdmin: false, "mine")));
        Assert.False(await WithAsync(s => s.IsActiveAsync(s1, owner.Id)));
        Assert.False(await WithAsync(s => s.RevokeAsync(s1, ActorOf(owner), actorIsAdmin: false, "again"))); // already ended

        Assert.True(await WithAsync(s => s.RevokeAsync(s2, ActorOf(admin), actorIsAdmin: true, "admin")));
        await using var db = await DbAsync();
        var audits = await db.AuditLogs.Where(a => a.Action == AuditActions.SessionRevoked).Select(a => a.ResourceId).ToListAsync();
        Assert.Contains(s1.ToString(), audits);
        Assert.Contains(s2.ToString(), audits);
    }

    [Fact]
    public async Task Session_AfterItsLifetime_IsNotActive()
    {
        var user = await CreateUserAsync("olu@example.com");
        var sid = await WithAsync(s => s.CreateAsync(user.Id, null, null));
        Clock.Advance(SessionService.Lifetime + TimeSpan.FromMinutes(1));
        try
        {
            Assert.False(await WithAsync(s => s.IsActiveAsync(sid, user.Id)));
            var rows = await WithAsync(s => s.ListAsync(user.Id));
            Assert.False(Assert.Single(rows).IsActive(Clock.GetUtcNow()));
        }
        finally
        {
            Clock.Advance(-(SessionService.Lifetime + TimeSpan.FromMinutes(1)));
        }
    }

    [Fact]
    public async Task Session_OfDeactivatedUser_IsNotActive()
    {
        var user = await CreateUserAsync("pia@example.com");
        var sid = await WithAsync(s => s.CreateAsync(user.Id, null, null));
        await using (var scope = Scope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<UserAdminService>().SetActiveAsync(user.Id, false, ActorOf(await AdminAsync()));
            Assert.True(result.Ok, result.Message);
        }
        Assert.False(await WithAsync(s => s.IsActiveAsync(sid, user.Id)));
    }

    [Fact]
    public async Task IsActive_TouchesLastSeenAtMostOncePerMinute()
    {
        var user = await CreateUserAsync("quinn@example.com");
        var sid = await WithAsync(s => s.CreateAsync(user.Id, null, null));
        var created = Clock.GetUtcNow();
        Clock.Advance(TimeSpan.FromSeconds(30));
        await WithAsync(s => s.IsActiveAsync(sid, user.Id));
        await using var db = await DbAsync();
        Assert.Equal(created, (await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid)).LastSeenAt);
        Clock.Advance(TimeSpan.FromSeconds(45));
        await WithAsync(s => s.IsActiveAsync(sid, user.Id));
        Assert.Equal(Clock.GetUtcNow(), (await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid)).LastSeenAt);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36", "Chrome on Linux")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0", "Firefox on Windows")]
    [InlineData(null, "Unknown device")]
    public void DescribeAgent_NamesBrowserAndSystem(string? agent, string expected)
        => Assert.Equal(expected, SessionTable.DescribeAgent(agent));

    [Fact]
    public async Task Page_IsOneUsersSessions_NewestFirst_WithTheirTotal()
    {
        var pia = await CreateUserAsync("pia@example.com");
        var other = await CreateUserAsync("other3@example.com");
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await WithAsync(s => s.CreateAsync(pia.Id, $"192.0.2.{i}", null)));
            Clock.Advance(TimeSpan.FromMinutes(5));
        }
        await WithAsync(s => s.CreateAsync(other.Id, "203.0.113.1", null));

        var first = await WithAsync(s => s.PageAsync(pia.Id, 0, 2));
        Assert.Equal(5, first.Total);
        Assert.Equal([ids[4], ids[3]], first.Rows.Select(r => r.Id));
        var last = await WithAsync(s => s.PageAsync(pia.Id, 4, 2));
        Assert.Equal(ids[0], Assert.Single(last.Rows).Id);
        Assert.All(first.Rows.Concat(last.Rows), r => Assert.Equal(pia.Id, r.UserId));
    }
}
