using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Users;

/// <summary>
/// Identity's sign-in manager, extended so that every sign-in opens a row in <c>sessions</c>
/// (its id goes into the cookie as the <c>sid</c> claim), stamps <c>last_login</c> and writes the
/// audit log; sign-out ends the session. Deactivated or deleted users cannot sign in.
/// </summary>
public sealed class SignalbookSignInManager(
    UserManager<AppUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<AppUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<AppUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<AppUser> confirmation,
    SessionService sessions,
    AuditService audit,
    TimeProvider clock)
    : SignInManager<AppUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public const string SessionClaim = "sid";

    public override async Task<bool> CanSignInAsync(AppUser user)
        => user.IsActive && !user.IsDeleted && await base.CanSignInAsync(user);

    public override async Task SignInWithClaimsAsync(AppUser user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var http = Context;
        var sessionId = await sessions.CreateAsync(user.Id, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());
        user.LastLoginAt = clock.GetUtcNow();
        await UserManager.UpdateAsync(user);
        var claims = additionalClaims.Append(new Claim(SessionClaim, sessionId.ToString()));
        authenticationProperties ??= new AuthenticationProperties();
        authenticationProperties.ExpiresUtc = clock.GetUtcNow() + SessionService.Lifetime;
        await base.SignInWithClaimsAsync(user, authenticationProperties, claims);
        await audit.WriteAsync(ActorFor(user), AuditActions.SignIn, "user", user.Id.ToString(), details: new { session = sessionId });
    }

    public override async Task SignOutAsync()
    {
        var principal = Context.User;
        if (Guid.TryParse(principal.FindFirstValue(SessionClaim), out var sid))
        {
            await sessions.EndAsync(sid);
        }
        if (principal.Identity?.IsAuthenticated == true)
        {
            await audit.WriteAsync(ActorFor(principal), AuditActions.SignOut, "session", sid.ToString());
        }
        await base.SignOutAsync();
    }

    public AuditActor ActorFor(AppUser user) => new(user.Id, user.Email, Context.Connection.RemoteIpAddress?.ToString(), Context.Request.Headers.UserAgent.ToString());

    public AuditActor ActorFor(ClaimsPrincipal principal) => new(
        Guid.TryParse(UserManager.GetUserId(principal), out var id) ? id : null,
        principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity?.Name,
        Context.Connection.RemoteIpAddress?.ToString(),
        Context.Request.Headers.UserAgent.ToString());

    /// <summary>An actor known only by the email typed into a form (failed sign-in, registration).</summary>
    public AuditActor AnonymousActor(string? email) => new(null, email, Context.Connection.RemoteIpAddress?.ToString(), Context.Request.Headers.UserAgent.ToString());
}
