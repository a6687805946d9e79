using System.Security.Claims;
using Signalbook.Features.Users;

namespace Signalbook.Features.Portfolios;

/// <summary>
/// Who is asking, for the ownership rules of every trading query and action:
/// the owner reads and trades (Traders and Admins; a Viewer only reads their own);
/// an Admin reads anyone's portfolios but never trades for another user;
/// anyone else gets not-found, never another user's data.
/// </summary>
public sealed record TradingCaller(Guid UserId, bool IsAdmin, bool IsTrader)
{
    public bool CanRead(Guid ownerId) => ownerId == UserId || IsAdmin;

    public bool CanTrade(Guid ownerId) => ownerId == UserId && (IsTrader || IsAdmin);

    /// <summary>May this caller own portfolios and strategies at all (Viewers may not create them).</summary>
    public bool CanCreate => IsTrader || IsAdmin;

    public static TradingCaller From(ClaimsPrincipal user)
    {
        var id = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var g) ? g : throw new TradingForbiddenException("Sign in to use portfolios.");
        return new TradingCaller(id, user.IsInRole(Roles.Admin), user.IsInRole(Roles.Trader));
    }

    public static TradingCaller Trader(Guid id) => new(id, false, true);

    public static TradingCaller Viewer(Guid id) => new(id, false, false);

    public static TradingCaller Admin(Guid id) => new(id, true, false);

    /// <summary>Throws not-found unless the caller may read the owner's data.</summary>
    public void EnsureRead(Guid ownerId, string what)
    {
        if (!CanRead(ownerId)) throw new TradingNotFoundException(what);
    }

    /// <summary>Throws not-found for strangers and forbidden for a Viewer or an Admin acting for someone else.</summary>
    public void EnsureTrade(Guid ownerId, string what)
    {
        EnsureRead(ownerId, what);
        if (ownerId != UserId) throw new TradingForbiddenException("Admins can read other traders' portfolios but cannot trade for them.");
        if (!CanTrade(ownerId)) throw new TradingForbiddenException("Viewers can read their portfolios but cannot place orders or change anything.");
    }
}

public static class TradingCallerExtensions
{
    public static async Task<TradingCaller> TradingCallerAsync(this CurrentUser user) => TradingCaller.From(await user.PrincipalAsync());
}

/// <summary>The thing does not exist, or belongs to someone the caller may not see (the two are never told apart).</summary>
public sealed class TradingNotFoundException(string what) : Exception($"{what} was not found.");

public sealed class TradingForbiddenException(string message) : Exception(message);

/// <summary>Bad input: names the field and says what is wrong. Nothing was written.</summary>
public sealed class TradingValidationException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
