using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Audit.Activity;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Audit.Activity;

/// <summary>Settings → Activity reads the user's own audit trail and nobody else's.</summary>
public sealed class ActivityServiceTests : ServiceHarness
{
    private ActivityService Activity => Services.GetRequiredService<ActivityService>();

    private async Task WriteAsync(AuditActor actor, string action, bool success = true, string? resourceType = "user", string? resourceId = null, object? details = null)
    {
        await WithAsync<AuditService, bool>(async a =>
        {
            await a.WriteAsync(actor, action, resourceType, resourceId, success, details);
            return true;
        });
        Clock.Advance(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Activity_IsTheUsersOwnRows_NewestFirst_WithAddressAndBrowser_PlusFailedSignInsTypedWithTheirEmail()
    {
        var a = await CreateUserAsync("activity-a@test.local");
        var b = await CreateUserAsync("activity-b@test.local");
        const string Firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0";
        await WriteAsync(new AuditActor(null, "Activity-A@test.local", "203.0.113.9", "curl/8.5"), AuditActions.SignInFailed, success: false,
            resourceId: "Activity-A@test.local", details: new { reason = "bad credentials" });
        await WriteAsync(new AuditActor(a.Id, a.Email, "198.51.100.4", Firefox), AuditActions.SignIn, resourceId: a.Id.ToString());
        await WriteAsync(new AuditActor(a.Id, a.Email, "198.51.100.4", Firefox), AuditActions.TwoFactorEnabled, resourceId: a.Id.ToString());
        await WriteAsync(new AuditActor(a.Id, a.Email, "198.51.100.4", Firefox), "order.placed", resourceType: "order", resourceId: "41");
        await WriteAsync(new AuditActor(b.Id, b.Email, "192.0.2.77", Firefox), AuditActions.SignIn, resourceId: b.Id.ToString());
        await WriteAsync(new AuditActor(null, "activity-b@test.local", "192.0.2.78"), AuditActions.SignInFailed, success: false, resourceId: "activity-b@test.local");
        await WriteAsync(AuditActor.System, AuditActions.JobRunRequested, resourceType: "job", resourceId: "features");

        var (rows, total) = await Activity.PageAsync(a.Id, new ActivityQuery());
        Assert.Equal(4, total);
        Assert.Equal(["order.placed", AuditActions.TwoFactorEnabled, AuditActions.SignIn, AuditActions.SignInFailed], rows.Select(r => r.Action));
        var signIn = rows.Single(r => r.Action == AuditActions.SignIn);
        Assert.Equal("198.51.100.4", signIn.IpAddress);
        Assert.Equal(Firefox, signIn.UserAgent);
        Assert.Equal("203.0.113.9", rows.Single(r => r.Action == AuditActions.SignInFailed).IpAddress);

        // The matrix: B sees B's sign-in and the failed attempt on B's email, none of A's rows, and no system rows.
        var (bRows, bTotal) = await Activity.PageAsync(b.Id, new ActivityQuery());
        Assert.Equal(2, bTotal);
        Assert.All(bRows, r => Assert.StartsWith("192.0.2.", r.IpAddress));
        Assert.Equal(0, (await Activity.PageAsync(b.Id, new ActivityQuery(Area: "order."))).Total);
        Assert.Equal(0, (await Activity.PageAsync(Guid.NewGuid(), new ActivityQuery())).Total);
    }

    [Fact]
    public async Task Activity_FiltersByAreaAndOutcome_Pages_AndListsTheAreasTheUserHas()
    {
        var u = await CreateUserAsync("filters@test.local");
        var actor = new AuditActor(u.Id, u.Email, "127.0.0.1");
        for (var i = 0; i < 5; i++) await WriteAsync(actor, AuditActions.SignIn, resourceId: u.Id.ToString());
        await WriteAsync(actor, AuditActions.SessionRevoked, resourceType: "session", resourceId: Guid.NewGuid().ToString());
        await WriteAsync(actor, "config.changed", resourceType: "config", resourceId: "Jobs:Schedules:features");
        await WriteAsync(actor, "order.rejected", success: false, resourceType: "order", resourceId: "7");

        Assert.Equal(["auth.", "session.", "order.", "config."], await Activity.AreasAsync(u.Id));
        Assert.Equal(5, (await Activity.PageAsync(u.Id, new ActivityQuery(Area: "auth."))).Total);
        Assert.Equal(["config.changed"], (await Activity.PageAsync(u.Id, new ActivityQuery(Area: "config."))).Rows.Select(r => r.Action));
        Assert.Equal(["order.rejected"], (await Activity.PageAsync(u.Id, new ActivityQuery(Success: false))).Rows.Select(r => r.Action));
        var page = await Activity.PageAsync(u.Id, new ActivityQuery(Skip: 2, Take: 3));
        Assert.Equal(8, page.Total);
        Assert.Equal([AuditActions.SessionRevoked, AuditActions.SignIn, AuditActions.SignIn], page.Rows.Select(r => r.Action));
        Assert.True(page.Rows[0].OccurredAt > page.Rows[2].OccurredAt);
        Assert.Contains("between 1 and 100, not 0", (await Assert.ThrowsAsync<ArgumentException>(() => Activity.PageAsync(u.Id, new ActivityQuery(Take: 0)))).Message);
    }

    [Theory]
    [InlineData(AuditActions.SignIn, "Signed in")]
    [InlineData(AuditActions.SignInFailed, "Failed sign-in attempt")]
    [InlineData("order.placed", "Orders: placed")]
    [InlineData("config.value_changed", "Configuration: value changed")]
    [InlineData("widget.spun", "widget: spun")]
    public void Actions_ReadAsWords(string action, string expected) => Assert.Equal(expected, ActivityText.Describe(action));
}
