using System.Security.Claims;
using Signalbook.Features.Users;

namespace Signalbook.Features.Operations;

/// <summary>Who asks: service logs are read by their owner or an admin; error groups by admins only.</summary>
public sealed record OperationsCaller(Guid UserId, bool IsAdmin)
{
    public static OperationsCaller Of(ClaimsPrincipal user)
        => new(Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : throw new OperationsForbiddenException("Sign in first."),
            user.IsInRole(Roles.Admin));

    public void EnsureAdmin(string what)
    {
        if (!IsAdmin) throw new OperationsForbiddenException($"Only admins can see or change {what}.");
    }
}

public sealed class OperationsForbiddenException(string message) : Exception(message);

/// <summary>Bad input: names the field and says what is wrong. Nothing was written.</summary>
public sealed class OperationsValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
