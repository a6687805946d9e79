using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Signalbook.Features.Operations.Errors;
using Signalbook.Features.Operations.Logs;

namespace Signalbook.Features.Operations;

public static class OperationsSetup
{
    /// <summary>Service logs and error logs: the writer, the error capture, their queries, retention and the start-up sweep.</summary>
    public static IServiceCollection AddSignalbookOperations(this IServiceCollection services)
    {
        services.AddOptions<ServiceLogOptions>().BindConfiguration(ServiceLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ErrorLogOptions>().BindConfiguration(ErrorLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<LogSink>();
        services.TryAddSingleton<ErrorCapture>();
        services.AddSingleton<ErrorGroupService>();
        services.AddSingleton<ServiceLogQueryService>();
        services.AddSingleton<OperationsRetentionService>();
        services.AddSingleton<InterruptedWorkSweep>();
        services.AddScoped<CircuitHandler, LogScopeCircuitHandler>();
        services.AddTransient<Signalbook.Jobs.OperationsRetentionJob>();
        return services;
    }

    /// <summary>
    /// The database log provider (Program.cs: <c>builder.Logging.AddSignalbookDatabase()</c>), its background writer and
    /// the start-up sweep of interrupted work. The provider's services come from <see cref="AddSignalbookOperations"/>.
    /// </summary>
    public static ILoggingBuilder AddSignalbookDatabase(this ILoggingBuilder logging)
    {
        logging.Services.AddSingleton<DatabaseLoggerProvider>();
        logging.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<DatabaseLoggerProvider>());
        logging.Services.AddHostedService<LogPump>();
        logging.Services.AddHostedService(sp => sp.GetRequiredService<InterruptedWorkSweep>());
        return logging;
    }

    /// <summary>Each signed-in request's log lines carry the user's id (after authentication).</summary>
    public static IApplicationBuilder UseSignalbookLogScope(this IApplicationBuilder app) => app.UseMiddleware<UserLogScopeMiddleware>();
}
