using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Data;
using Signalbook.Features.Users;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// Accounts of a test's own, written straight into the app's database through Identity. A test that changes what signing in
/// asks for (two-factor, a password) uses one of these: the demo accounts are shared by tests running at the same time.
/// </summary>
public static class TestUsers
{
    public static async Task CreateAsync(string connectionString, string email, string password, string role = Roles.Trader)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<AppDbContext>(o => o.UseNpgsql(connectionString));
        services.AddIdentityCore<AppUser>().AddRoles<AppRole>().AddEntityFrameworkStores<AppDbContext>();
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var now = DateTimeOffset.UtcNow;
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, Name = email.Split('@')[0], CreatedAt = now, UpdatedAt = now };
        (await users.CreateAsync(user, password)).ThrowIfFailed($"create test user {email}");
        (await users.AddToRoleAsync(user, role)).ThrowIfFailed($"make test user {email} a {role}");
    }
}
