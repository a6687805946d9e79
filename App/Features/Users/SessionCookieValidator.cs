using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace Signalbook.Features.Users;

/// <summary>
/// Runs on every request that carries the auth cookie: a cookie whose <c>sid</c> session is revoked,
/// expired or missing is rejected and deleted, then Identity's security-stamp check runs as usual.
/// </summary>
public static class SessionCookieValidator
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionService>();
        if (principal is null
            || !Guid.TryParse(principal.FindFirstValue(SignalbookSignInManager.SessionClaim), out var sid)
            || !Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var userId)
            || !await sessions.IsActiveAsync(sid, userId, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }
}
