using System.Security.Claims;
using Signalbook.Features.Users;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// A bUnit context for one page over its own test database: the app's real services (UseDatabase) with a manual clock,
/// and the bootstrapped admin signed in unless a test signs in someone else.
/// </summary>
public abstract class PageTestContext : SignalbookTestContext, IAsyncLifetime
{
    protected ServiceHarness Db { get; } = new();

    protected AppUser Admin { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        UseDatabase(Db);
        Admin = await Db.AdminAsync();
    }

    protected void SignInAdmin() => SignInAs(Admin, [Roles.Admin]);

    /// <summary>
    /// Signs a user in with the claims pages read (id, email, and the sign-in session when given). The claims are set
    /// after the roles: in bUnit 2.15 <c>SetRoles</c> rebuilds the principal without the claims set before it.
    /// </summary>
    protected void SignInAs(AppUser user, string[] roles, Guid? sessionId = null)
    {
        var auth = SignIn(user.Id, user.Email!, roles);
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, user.Id.ToString()), new(ClaimTypes.Email, user.Email!) };
        if (sessionId is { } sid) claims.Add(new Claim(SignalbookSignInManager.SessionClaim, sid.ToString()));
        auth.SetClaims([.. claims]);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Db.DisposeAsync();
    }
}
