using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Signalbook.Data;
using Signalbook.Jobs;

namespace Signalbook.Features.Operations.SystemStatus;

public static class SystemSetup
{
    /// <summary>Statistics sampling, the open-circuit counter, Admin → System's service and its attention sources.</summary>
    public static IServiceCollection AddSignalbookSystemStatus(this IServiceCollection services)
    {
        services.AddOptions<StatisticsOptions>().BindConfiguration(StatisticsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OpenCircuits>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitCountingHandler>());
        services.AddScoped<StatisticsSampler>();
        services.AddScoped<SystemService>();
        services.AddScoped<IAttentionSource, FailingJobsAttention>();
        services.AddScoped<IAttentionSource, StaleNodesAttention>();
        services.AddScoped<IAttentionSource, StaleDataAttention>();
        services.AddScoped<IAttentionSource, ErrorGroupsAttention>();
        services.AddHostedService<StartupSample>();
        return services;
    }
}

/// <summary>
/// Takes a sample shortly after start when the newest one is older than the job's interval (a fresh install, a demo, a
/// node back after a pause), so Admin → System has real values without waiting for the first scheduled run. Only on a
/// node that runs jobs.
/// </summary>
internal sealed class StartupSample(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<StartupSample> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue(JobsOptions.Section + ":" + nameof(JobsOptions.Enabled), true)) return;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            await using var scope = scopes.CreateAsyncScope();
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(stoppingToken);
            await using (db)
            {
                var clock = scope.ServiceProvider.GetRequiredService<TimeProvider>();
                var newest = await db.Set<Statistic>().MaxAsync(s => (DateTimeOffset?)s.Timestamp, stoppingToken);
                if (newest is { } at && clock.GetUtcNow() - at < TimeSpan.FromMinutes(5)) return;
            }
            var sample = await scope.ServiceProvider.GetRequiredService<StatisticsSampler>().SampleAsync(stoppingToken);
            logger.LogInformation("Statistics sampled at start: {Count} series", sample.Values.Count);
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Statistics not sampled at start");
        }
    }
}
