namespace Signalbook.Features.Dashboard;

public static class DashboardSetup
{
    /// <summary>The signed-in home page's read side.</summary>
    public static IServiceCollection AddSignalbookDashboard(this IServiceCollection services) => services.AddScoped<DashboardService>();
}
