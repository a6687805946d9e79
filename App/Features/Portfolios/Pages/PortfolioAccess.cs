using Signalbook.Features.Users;

namespace Signalbook.Features.Portfolios.Pages;

/// <summary>Who may open the trading pages. Viewers read their own portfolios; only Traders and Admins trade (the services decide per call).</summary>
public static class PortfolioAccess
{
    public const string Readers = $"{Roles.Admin},{Roles.Trader},{Roles.Viewer}";

    public const string Traders = $"{Roles.Admin},{Roles.Trader}";
}
