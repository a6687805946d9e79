using Microsoft.Extensions.Options;

namespace Signalbook.Features.Portfolios.Brokers.Alpaca;

/// <summary>
/// Makes an <see cref="AlpacaBrokerClient"/> for one key pair over the factory-managed HttpClient named
/// <see cref="AlpacaBrokerClient.HttpClientName"/> (a typed client cannot take per-call credentials, so the factory
/// hands out the pooled handler and the client carries the keys).
/// </summary>
public sealed class AlpacaBrokerClientFactory(IHttpClientFactory http, IOptions<AlpacaTradingOptions> options, AlpacaTradingRateLimiter limiter,
    TimeProvider clock, ILoggerFactory loggers)
{
    public IBrokerClient Create(BrokerCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return new AlpacaBrokerClient(http.CreateClient(AlpacaBrokerClient.HttpClientName), credentials, options, limiter, clock,
            loggers.CreateLogger<AlpacaBrokerClient>());
    }
}
