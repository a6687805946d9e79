namespace Signalbook.Features.Journal.SnapTrade;

public static class SnapTradeSetup
{
    /// <summary>
    /// The SnapTrade client (a typed HttpClient; its per-request timeout is the client's own) and its validated options
    /// (section <c>SnapTrade</c>). Needs a TimeProvider and logging, as every feature.
    /// </summary>
    public static IServiceCollection AddSignalbookSnapTrade(this IServiceCollection services)
    {
        services.AddOptions<SnapTradeOptions>().BindConfiguration(SnapTradeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<SnapTradeClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
