using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Audit;
using Signalbook.Features.Users;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Users;

public sealed class UserAdminServiceTests : ServiceHarness
{
    private Task<T> WithAsync<T>(Func<UserAdminService, Task<T>> act) => WithAsync<UserAdminService, T>(act);

    [Fact]
    public async Task Admin_CannotRemoveOwnAdminRole_NorDeactivateOrDeleteSelf()
    {
        var admin = await AdminAsync();
        var actor = ActorOf(admin);
        Assert.False((await WithAsync(a => a.SetRoleAsync(admin.Id, Roles.Admin, false, actor))).Ok);
        Assert.False((await WithAsync(a => a.SetActiveAsync(admin.Id, false, actor))).Ok);
        Assert.False((await WithAsync(a => a.SoftDeleteAsync(admin.Id, actor))).Ok);
    }

    [Fact]
    public async Task GrantAndRevokeRole_ChangesRolesAndAudits()
    {
        var user = await CreateUserAsync("rosa@example.com", Roles.Viewer);
        var actor = ActorOf(await AdminAsync());
        Assert.True((await WithAsync(a => a.SetRoleAsync(user.Id, Roles.Trader, true, actor))).Ok);
        Assert.True((await WithAsync(a => a.SetRoleAsync(user.Id, Roles.Viewer, false, actor))).Ok);
        Assert.False((await WithAsync(a => a.SetRoleAsync(user.Id, "Wizard", true, actor))).Ok);
        var (rows, _) = await WithAsync(a => a.QueryAsync(new UserQuery("rosa")));
        Assert.Equal([Roles.Trader], Assert.Single(rows).Roles);
        await using var db = await DbAsync();
        Assert.Equal(2, await db.AuditLogs.CountAsync(l => l.ResourceId == user.Id.ToString() && (l.Action == AuditActions.RoleAdded || l.Action == AuditActions.RoleRemoved)));
    }

    [Fact]
    public async Task SoftDelete_KeepsTheRow_RevokesSessions_AndHidesFromDefaultList()
    {
        var user = await CreateUserAsync("sam@example.com");
        Guid sid;
        await using (var scope = Scope())
        {
            sid = await scope.ServiceProvider.GetRequiredService<SessionService>().CreateAsync(user.Id, null, null);
        }
        var admin = await AdminAsync();
        var result = await WithAsync(a => a.SoftDeleteAsync(user.Id, ActorOf(admin)));
        Assert.True(result.Ok, result.Message);

        await using var db = await DbAsync();
        var row = await db.Users.AsNoTracking().SingleAsync(u => u.Id == user.Id);
        Assert.True(row.IsDeleted);
        Assert.NotNull(row.DeletedAt);
        Assert.NotNull((await db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid)).RevokedAt);
        Assert.Empty((await WithAsync(a => a.QueryAsync(new UserQuery("sam@")))).Rows);
        Assert.Single((await WithAsync(a => a.QueryAsync(new UserQuery("sam@", IncludeDeleted: true)))).Rows);

        await using var scope2 = Scope();
        var signIn = scope2.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var deleted = await signIn.FindByIdAsync(user.Id.ToString());
        Assert.False(deleted!.IsActive);
    }

    [Fact]
    public async Task Query_FiltersByRoleAndSortsByEmail()
    {
        await CreateUserAsync("zeta@sort.test", Roles.Viewer);
        await CreateUserAsync("alpha@sort.test", Roles.Viewer);
        await CreateUserAsync("mid@sort.test", Roles.Trader);
        var (viewers, total) = await WithAsync(a => a.QueryAsync(new UserQuery("sort.test", Roles.Viewer, SortBy: nameof(UserRow.Email), Descending: false)));
        Assert.Equal(2, total);
        Assert.Equal(["alpha@sort.test", "zeta@sort.test"], viewers.Select(v => v.Email));
    }
}

public sealed class AdminBootstrapTests : ServiceHarness
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Admin:Email"] = "boot@test.local" };

    [Fact]
    public async Task NoConfiguredPassword_CreatesAdminWithGeneratedPasswordOnce()
    {
        // The harness already ran the bootstrapper once; a second run must change nothing.
        await using var scope = Scope();
        var again = await scope.ServiceProvider.GetRequiredService<AdminBootstrapper>().EnsureAsync();
        Assert.Null(again);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        Assert.Equal("boot@test.local", Assert.Single(admins).Email);
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<AppRole>>();
        foreach (var role in Roles.All) Assert.NotNull(await roles.FindByNameAsync(role));
        await using var db = await DbAsync();
        Assert.Equal(1, await db.AuditLogs.CountAsync(a => a.Action == AuditActions.AdminBootstrapped));
    }
}
