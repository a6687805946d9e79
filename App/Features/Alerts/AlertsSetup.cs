namespace Signalbook.Features.Alerts;

public static class AlertsSetup
{
    /// <summary>Alert rules, their evaluator (run by the alerts job after each sync) and the fired alerts' history.</summary>
    public static IServiceCollection AddSignalbookAlerts(this IServiceCollection services)
    {
        services.AddScoped<AlertRuleService>();
        services.AddScoped<AlertsService>();
        services.AddSingleton<AlertEvaluator>();
        return services;
    }
}
