using Signalbook.Features.Portfolios.Brokers;
using Signalbook.Features.Portfolios.Service;

namespace Signalbook.Features.Portfolios;

public static class PortfoliosSetup
{
    /// <summary>Portfolios, orders, the paper broker, analytics, strategies, trading settings and each trader's trading service.</summary>
    public static IServiceCollection AddSignalbookPortfolios(this IServiceCollection services)
        => services.AddBrokerPlugins()
            .AddScoped<PortfolioService>().AddScoped<OrderService>().AddScoped<TradingConfigService>()
            .AddScoped<StrategyService>()
            .AddScoped<PaperBroker>().AddScoped<LiveBroker>().AddScoped<PortfolioValuation>()
            .AddScoped<TradingServiceManager>().AddScoped<ServiceLogWriter>().AddScoped<UserTradingService>();
}
