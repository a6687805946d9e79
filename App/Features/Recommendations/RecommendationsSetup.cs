using Microsoft.Extensions.DependencyInjection.Extensions;
using Signalbook.Data;

namespace Signalbook.Features.Recommendations;

public static class RecommendationsSetup
{
    /// <summary>The trader's read side (consent, dashboard and its shared cache, detail, track record), scoring and outcome back-fill.</summary>
    public static IServiceCollection AddSignalbookRecommendations(this IServiceCollection services)
    {
        services.TryAddSingleton<PgEventBus>();
        return services.AddSingleton<RecommendationDashboardCache>().AddScoped<RiskConsentService>().AddScoped<RecommendationDashboardService>().AddScoped<RecommendationDetailService>()
            .AddScoped<TrackRecordService>().AddScoped<ScoringService>().AddScoped<OutcomeBackfill>();
    }
}
