using Signalbook.Features.Users;

namespace Signalbook.Features.Recommendations;

/// <summary>
/// Who may open the recommendation pages. Recommendations are global read-only information (not per user), so the
/// read-only Viewer role may see them as Traders and Admins do; all of them must accept the risk disclosure first.
/// </summary>
public static class RecommendationAccess
{
    public const string Roles = $"{Users.Roles.Admin},{Users.Roles.Trader},{Users.Roles.Viewer}";
}
