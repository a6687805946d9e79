namespace Signalbook.Features.Waitlist;

public static class WaitlistSetup
{
    public static IServiceCollection AddSignalbookWaitlist(this IServiceCollection services)
    {
        services.AddOptions<WaitlistOptions>().BindConfiguration(WaitlistOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WaitlistRateLimiter>();
        return services.AddScoped<WaitlistService>();
    }
}
