using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Signalbook.Features.Operations.Logs;

/// <summary>Pushes a logging scope with the signed-in user's id around each request, so their lines carry it.</summary>
public sealed class UserLogScopeMiddleware(RequestDelegate next, ILogger<UserLogScopeMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!Guid.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), out var userId))
        {
            await next(context);
            return;
        }
        using (logger.BeginScope(new Dictionary<string, object?> { [DatabaseLoggerProvider.UserIdKey] = userId }))
            await next(context);
    }
}

/// <summary>
/// The same for a circuit: every inbound activity (an event, a navigation, a JS call) runs in a scope with the user's id
/// and the page's route, so an error in an event handler is recorded with both.
/// </summary>
public sealed class LogScopeCircuitHandler(AuthenticationStateProvider auth, NavigationManager navigation, ILogger<LogScopeCircuitHandler> logger) : CircuitHandler
{
    private Guid? _userId;
    private bool _known;

    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next)
        => async context =>
        {
            if (!_known)
            {
                try
                {
                    var state = await auth.GetAuthenticationStateAsync();
                    _userId = Guid.TryParse(state.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
                    _known = true;
                }
                catch (InvalidOperationException)
                {
                    // Not yet initialised for this circuit: the next activity tries again.
                }
            }
            string? route = null;
            try
            {
                route = "/" + navigation.ToBaseRelativePath(navigation.Uri).Split('?')[0];
            }
            catch (InvalidOperationException)
            {
                // Navigation is not initialised before the circuit's first render.
            }
            var scope = new Dictionary<string, object?> { ["Circuit"] = true };
            if (_userId is { } user) scope[DatabaseLoggerProvider.UserIdKey] = user;
            if (route is not null) scope["Route"] = route;
            using (logger.BeginScope(scope))
                await next(context);
        };
}
