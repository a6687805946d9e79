using Hangfire;
using Hangfire.Logging;

namespace Signalbook.Jobs;

/// <summary>
/// The little of Hangfire that is process-wide (its serializer settings and its log provider), set once and the same
/// for every host in the process. Hangfire.AspNetCore's AddHangfire would instead point the static log provider at the
/// first container's logger factory, which breaks every later host once that container is disposed (tests run many).
/// </summary>
internal static class HangfireGlobals
{
    private static int _configured;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(HangfireLogBridge.Instance);
    }
}

/// <summary>Hangfire's log lines, into the logger factory of the host that started last (none: dropped).</summary>
internal sealed class HangfireLogBridge : ILogProvider
{
    public static readonly HangfireLogBridge Instance = new();

    private volatile ILoggerFactory? _factory;

    public void Use(ILoggerFactory factory) => _factory = factory;

    public ILog GetLogger(string name) => new Bridged(this, name);

    private sealed class Bridged(HangfireLogBridge bridge, string name) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (bridge._factory is not { } factory) return false;
            var level = logLevel switch
            {
                Hangfire.Logging.LogLevel.Trace => Microsoft.Extensions.Logging.LogLevel.Trace,
                Hangfire.Logging.LogLevel.Debug => Microsoft.Extensions.Logging.LogLevel.Debug,
                Hangfire.Logging.LogLevel.Info => Microsoft.Extensions.Logging.LogLevel.Information,
                Hangfire.Logging.LogLevel.Warn => Microsoft.Extensions.Logging.LogLevel.Warning,
                Hangfire.Logging.LogLevel.Error => Microsoft.Extensions.Logging.LogLevel.Error,
                _ => Microsoft.Extensions.Logging.LogLevel.Critical,
            };
            try
            {
                var logger = factory.CreateLogger(name);
                if (!logger.IsEnabled(level)) return false;
                if (messageFunc is null) return true;
#pragma warning disable CA2254 // Hangfire hands over finished text, not a template
                logger.Log(level, exception, "{HangfireMessage}", messageFunc());
#pragma warning restore CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false; // that host has gone; the next one to start takes over
            }
        }
    }
}
