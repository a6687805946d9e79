using System.Security.Claims;
using Signalbook.Features.Users;

namespace Signalbook.Features.Alerts;

/// <summary>
/// Who is asking, for the alerts' ownership rules: every query is scoped to the caller's own rules and alerts, so another
/// user's are simply not found. Traders and Admins manage their own rules; a Viewer reads theirs and marks alerts read.
/// </summary>
public sealed record AlertCaller(Guid UserId, bool CanWrite)
{
    public static AlertCaller From(ClaimsPrincipal user)
    {
        var id = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var g) ? g : throw new AlertForbiddenException("Sign in to use alerts.");
        return new AlertCaller(id, user.IsInRole(Roles.Trader) || user.IsInRole(Roles.Admin));
    }

    public static AlertCaller Trader(Guid id) => new(id, true);

    public static AlertCaller Viewer(Guid id) => new(id, false);

    public void EnsureWrite()
    {
        if (!CanWrite) throw new AlertForbiddenException("Viewers can see their alerts but cannot create, change or delete alert rules.");
    }
}

public static class AlertCallerExtensions
{
    public static async Task<AlertCaller> AlertCallerAsync(this CurrentUser user) => AlertCaller.From(await user.PrincipalAsync());
}

/// <summary>The rule or alert does not exist or is someone else's (never told apart).</summary>
public sealed class AlertNotFoundException(string what) : Exception($"{what} was not found.");

public sealed class AlertForbiddenException(string message) : Exception(message);

/// <summary>Bad input, naming the field; nothing was written.</summary>
public sealed class AlertValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
