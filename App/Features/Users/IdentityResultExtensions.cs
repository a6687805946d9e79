using Microsoft.AspNetCore.Identity;

namespace Signalbook.Features.Users;

public static class IdentityResultExtensions
{
    /// <summary>
    /// Identity reports most failures (a lost concurrency check, a refused password) as a result, not an exception: a call
    /// that must not fail quietly passes its result here, and a failure throws "Could not {what}: {Identity's reasons}".
    /// </summary>
    public static void ThrowIfFailed(this IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
    }
}
