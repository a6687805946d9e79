using Microsoft.Extensions.Options;
using Signalbook.Features.Operations.Errors;

namespace Signalbook.Features.Operations.Logs;

/// <summary>
/// The logging provider behind Admin → Logs: every line at or above <see cref="ServiceLogOptions.MinimumLevel"/> goes to
/// service_logs through <see cref="LogSink"/> (level, category as module, message, scope and message values as context,
/// the user from a "UserId" value), and every Error/Critical entry with an exception also goes to
/// <see cref="ErrorCapture"/>. Npgsql's, EF Core's and its own categories are left out, as is anything logged while the
/// writer itself runs (<see cref="LogSuppression"/>).
/// </summary>
[ProviderAlias("Database")]
public sealed class DatabaseLoggerProvider(LogSink sink, ErrorCapture errors, IOptionsMonitor<ServiceLogOptions> options, TimeProvider clock)
    : ILoggerProvider, ISupportExternalScope
{
    private readonly LogSink _sink = sink;
    private readonly ErrorCapture _errors = errors;
    private readonly IOptionsMonitor<ServiceLogOptions> _monitor = options;

    /// <summary>Read per entry, so a runtime change of the minimum level (Admin → Settings) applies at once.</summary>
    private ServiceLogOptions _options => _monitor.CurrentValue;
    private readonly TimeProvider _clock = clock;

    public const string UserIdKey = "UserId";
    private static readonly string[] Excluded = ["Npgsql", "Microsoft.EntityFrameworkCore", "Signalbook.Features.Operations.Logs"];
    private IExternalScopeProvider? _scopes;

    public ILogger CreateLogger(string categoryName)
        => Excluded.Any(p => categoryName.StartsWith(p, StringComparison.Ordinal)) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : new DatabaseLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    public static string LevelOf(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => ServiceLogLevels.Debug,
        LogLevel.Information => ServiceLogLevels.Info,
        LogLevel.Warning => ServiceLogLevels.Warning,
        LogLevel.Error => ServiceLogLevels.Error,
        _ => ServiceLogLevels.Critical,
    };

    /// <summary>A value as it goes into jsonb: strings, numbers and booleans as they are, anything else as its text.</summary>
    internal static object? Plain(object? value) => value switch
    {
        null => null,
        string or bool or int or long or short or byte or double or float or decimal => value,
        Guid g => g.ToString(),
        DateTimeOffset d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        Enum e => e.ToString(),
        _ => value.ToString(),
    };

    /// <summary>
    /// A value as the request path keeps it: immutable values (strings, numbers, booleans, Guid, dates, enums) as they
    /// are, already boxed by the caller, so their text and JSON are made on the writer's thread; anything else as its text
    /// now, since a mutable object may change before the writer gets to it.
    /// </summary>
    internal static object? Captured(object? value) => value switch
    {
        null or string or bool or int or long or short or byte or double or float or decimal or Guid or DateTimeOffset or DateTime or Enum => value,
        _ => value.ToString(),
    };

    private sealed class Collected
    {
        public List<KeyValuePair<string, object?>> Values { get; } = new(8);
        public Guid? UserId { get; set; }

        public void Add(string key, object? value)
        {
            if (key == "{OriginalFormat}") return;
            if (key == UserIdKey)
            {
                if (value is Guid g) UserId = g;
                else if (Guid.TryParse(value?.ToString(), out var parsed)) UserId = parsed;
            }
            Values.Add(new(key, Captured(value)));
        }

        /// <summary>Without an enumerator allocation for the usual shapes: a message's values (a list) and a scope dictionary.</summary>
        public void AddAll(object? state)
        {
            switch (state)
            {
                case null:
                    return;
                case IReadOnlyList<KeyValuePair<string, object?>> list:
                    for (var i = 0; i < list.Count; i++) Add(list[i].Key, list[i].Value);
                    return;
                case Dictionary<string, object?> dictionary:
                    foreach (var (k, v) in dictionary) Add(k, v);
                    return;
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    foreach (var (k, v) in pairs) Add(k, v);
                    return;
                default:
                    Values.Add(new("Scope", state.ToString()));
                    return;
            }
        }
    }

    private sealed class DatabaseLogger(DatabaseLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel)
            => logLevel != LogLevel.None && (logLevel >= provider._options.MinimumLevel || logLevel >= LogLevel.Error);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.None || LogSuppression.Active) return;
            var minimum = provider._options.MinimumLevel;
            if (logLevel < minimum && logLevel < LogLevel.Error) return;
            var collected = new Collected();
            provider._scopes?.ForEachScope(static (scope, c) => c.AddAll(scope), collected);
            collected.AddAll(state);
            var message = formatter(state, exception);
            if (logLevel >= minimum)
            {
                var context = collected.Values;
                if (eventId.Id != 0) context.Add(new("EventId", eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                if (exception is not null) context.Add(new("Exception", $"{exception.GetType().FullName}: {exception.Message}"));
                provider._sink.TryEnqueue(new LogLine(provider._clock.GetUtcNow(), LevelOf(logLevel), category,
                    string.IsNullOrEmpty(message) && exception is not null ? exception.Message : message, collected.UserId, context));
            }
            if (logLevel >= LogLevel.Error && exception is not null && exception is not OperationCanceledException)
                provider._errors.Capture(exception, category, message, collected.UserId, collected.Values.Select(v => new KeyValuePair<string, object?>(v.Key, Plain(v.Value))).ToList());
        }
    }
}
