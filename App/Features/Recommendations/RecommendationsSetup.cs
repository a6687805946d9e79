namespace Signalbook.Features.Recommendations;

public static class RecommendationsSetup
{
    /// <summary>The trader's read side (consent, dashboard, detail, track record), scoring and outcome back-fill.</summary>
    public static IServiceCollection AddSignalbookRecommendations(this IServiceCollection services)
        => services.AddScoped<RiskConsentService>().AddScoped<RecommendationDashboardService>().AddScoped<RecommendationDetailService>()
            .AddScoped<TrackRecordService>().AddScoped<ScoringService>().AddScoped<OutcomeBackfill>();
}
