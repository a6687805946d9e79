using Signalbook.Features.Users;

namespace Signalbook.Features.Portfolios.StrategyPages;

/// <summary>Who may open the strategy pages: Traders and Admins use them; Viewers read their own (the service enforces the rest).</summary>
public static class StrategyAccess
{
    public const string Roles = Users.Roles.Admin + "," + Users.Roles.Trader + "," + Users.Roles.Viewer;
}
