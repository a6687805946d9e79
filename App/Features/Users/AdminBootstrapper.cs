using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Users;

public sealed class AdminBootstrapOptions
{
    public const string Section = "Admin";

    /// <summary>The first admin's email. Default: admin@signalbook.local.</summary>
    public string Email { get; set; } = "admin@signalbook.local";

    /// <summary>The first admin's password. Empty: one is generated and printed once to the console.</summary>
    public string? Password { get; set; }
}

/// <summary>Creates the three roles, and the first admin when there is no admin at all.</summary>
public sealed class AdminBootstrapper(
    RoleManager<AppRole> roles,
    UserManager<AppUser> users,
    IOptions<AdminBootstrapOptions> options,
    AuditService audit,
    TimeProvider clock,
    ILogger<AdminBootstrapper> logger)
{
    public async Task<string?> EnsureAsync()
    {
        foreach (var name in Roles.All)
        {
            if (await roles.FindByNameAsync(name) is null)
            {
                (await roles.CreateAsync(new AppRole(name) { Description = Roles.Describe(name) })).ThrowIfFailed($"create role {name}");
            }
        }

        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Any(u => !u.IsDeleted)) return null;

        var o = options.Value;
        var generated = string.IsNullOrEmpty(o.Password);
        var password = generated ? GeneratePassword() : o.Password!;
        var user = await users.FindByEmailAsync(o.Email);
        if (user is null)
        {
            var now = clock.GetUtcNow();
            user = new AppUser { UserName = o.Email, Email = o.Email, EmailConfirmed = true, Name = "Administrator", CreatedAt = now, UpdatedAt = now };
            (await users.CreateAsync(user, password)).ThrowIfFailed($"create admin {o.Email}");
        }
        (await users.AddToRoleAsync(user, Roles.Admin)).ThrowIfFailed($"make {o.Email} an admin");
        await audit.WriteAsync(AuditActor.System, AuditActions.AdminBootstrapped, "user", user.Id.ToString(), details: new { o.Email, generated });

        if (generated)
        {
            // Printed once, on purpose, to the console only (not the log sinks): the operator needs it to sign in.
            Console.WriteLine();
            Console.WriteLine("==================================================================");
            Console.WriteLine($" First admin created: {o.Email}");
            Console.WriteLine($" Password (shown only now): {password}");
            Console.WriteLine("==================================================================");
            Console.WriteLine();
        }
        logger.LogInformation("Created the first admin {Email}", o.Email);
        return generated ? password : null;
    }

    private static string GeneratePassword()
    {
        // Meets Identity's defaults: upper, lower, digit, symbol, length ≥ 8.
        var core = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');
        return $"Sb-{core}7a";
    }

}
