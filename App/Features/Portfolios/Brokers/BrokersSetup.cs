using Microsoft.AspNetCore.DataProtection;
using Signalbook.Features.Portfolios.Brokers.Alpaca;

namespace Signalbook.Features.Portfolios.Brokers;

public static class BrokersSetup
{
    /// <summary>
    /// The live broker plugins (Alpaca's Trading API), the encrypted credential store and the factory that gives a
    /// portfolio its broker client. Needs IDbContextFactory&lt;AppDbContext&gt; and a TimeProvider, as every feature.
    /// </summary>
    public static IServiceCollection AddBrokerPlugins(this IServiceCollection services)
    {
        services.AddDataProtection(); // idempotent: the app configures the key ring (DatabaseSetup); this only makes sure a provider exists
        services.AddOptions<AlpacaTradingOptions>().BindConfiguration(AlpacaTradingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(AlpacaBrokerClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan); // per-request timeouts are the client's
        services.AddSingleton<AlpacaTradingRateLimiter>();
        services.AddSingleton<AlpacaBrokerClientFactory>();
        services.AddScoped<BrokerCredentialStore>();
        services.AddScoped<BrokerClientFactory>();
        return services;
    }
}
