namespace Signalbook.Features.Audit;

public static class AuditSetup
{
    public static IServiceCollection AddSignalbookAudit(this IServiceCollection services)
        => services.AddScoped<AuditService>().AddSingleton<Activity.ActivityService>();
}
