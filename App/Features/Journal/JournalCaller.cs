using System.Security.Claims;
using Signalbook.Features.Users;

namespace Signalbook.Features.Journal;

/// <summary>
/// Who is asking, for the journal's ownership rules. A journal is private: every query is scoped to the caller's own
/// rows, so another trader's fill, campaign or note is simply not found (Admins included — they run users, they do
/// not read journals). Traders and Admins write to their own journal; a Viewer only reads theirs.
/// </summary>
public sealed record JournalCaller(Guid UserId, bool CanWrite)
{
    public static JournalCaller From(ClaimsPrincipal user)
    {
        var id = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var g) ? g : throw new JournalForbiddenException("Sign in to use the journal.");
        return new JournalCaller(id, user.IsInRole(Roles.Trader) || user.IsInRole(Roles.Admin));
    }

    public static JournalCaller Trader(Guid id) => new(id, true);

    public static JournalCaller Viewer(Guid id) => new(id, false);

    public void EnsureWrite()
    {
        if (!CanWrite) throw new JournalForbiddenException("Viewers can read their journal but cannot import, add or change anything.");
    }
}

public static class JournalCallerExtensions
{
    public static async Task<JournalCaller> JournalCallerAsync(this CurrentUser user) => JournalCaller.From(await user.PrincipalAsync());
}

/// <summary>The thing does not exist or is someone else's (never told apart).</summary>
public sealed class JournalNotFoundException(string what) : Exception($"{what} was not found.");

public sealed class JournalForbiddenException(string message) : Exception(message);

/// <summary>Bad input, naming the field; nothing was written.</summary>
public sealed class JournalValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
