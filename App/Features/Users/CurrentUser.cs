using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Users;

/// <summary>
/// The signed-in user as interactive components see it. The client's IP and browser are handed over by
/// the static render (Routes' parameters), because an interactive circuit has no HttpContext.
/// </summary>
public sealed class CurrentUser(AuthenticationStateProvider auth)
{
    public string? ClientIp { get; set; }

    public string? ClientUserAgent { get; set; }

    public async Task<ClaimsPrincipal> PrincipalAsync() => (await auth.GetAuthenticationStateAsync()).User;

    public async Task<Guid?> IdAsync()
        => Guid.TryParse((await PrincipalAsync()).FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public async Task<Guid> RequiredIdAsync()
        => await IdAsync() ?? throw new InvalidOperationException("This action needs a signed-in user.");

    public async Task<Guid?> SessionIdAsync()
        => Guid.TryParse((await PrincipalAsync()).FindFirstValue(SignalbookSignInManager.SessionClaim), out var id) ? id : null;

    public async Task<bool> IsInRoleAsync(string role) => (await PrincipalAsync()).IsInRole(role);

    public async Task<AuditActor> ActorAsync()
    {
        var p = await PrincipalAsync();
        return new AuditActor(await IdAsync(), p.FindFirstValue(ClaimTypes.Email) ?? p.Identity?.Name, ClientIp, ClientUserAgent);
    }
}
