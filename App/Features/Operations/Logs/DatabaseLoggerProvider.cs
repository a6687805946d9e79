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

    /// <summary>True for the values <see cref="Captured"/> keeps as they are: a line holding only these can be formatted later.</summary>
    internal static bool IsImmutable(object? value)
        => value is null or string or bool or int or long or short or byte or double or float or decimal or Guid or DateTimeOffset or DateTime or Enum;

    internal const string OriginalFormat = "{OriginalFormat}";

    /// <summary>The user a "UserId" value names: a Guid, or text that reads as one.</summary>
    private static Guid? UserFrom(object? value)
        => value is Guid g ? g : Guid.TryParse(value?.ToString(), out var parsed) ? parsed : null;

    /// <summary>Values gathered for one line or one set of scopes, with the user a "UserId" value names.</summary>
    private sealed class Collected
    {
        public List<KeyValuePair<string, object?>> Values { get; } = new(8);

        public Guid? UserId { get; set; }

        public void Add(string key, object? value)
        {
            if (key == OriginalFormat) return;
            if (key == UserIdKey) UserId = UserFrom(value) ?? UserId;
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

    /// <summary>The scope states a line sees, outermost first (a buffer reused per thread).</summary>
    private sealed class ScopeWalk
    {
        public object?[] States = new object?[8];
        public int Count;

        public void Add(object? state)
        {
            if (Count == States.Length) Array.Resize(ref States, Count * 2);
            States[Count++] = state;
        }
    }

    /// <summary>The values taken from one chain of scope states; a line under the same states (the same objects) shares them.</summary>
    private sealed class ScopeCapture(object?[] states, LogScopeValues values)
    {
        public LogScopeValues Values { get; } = values;

        public bool Matches(ScopeWalk walk)
        {
            if (walk.Count != states.Length) return false;
            for (var i = 0; i < states.Length; i++)
                if (!ReferenceEquals(walk.States[i], states[i])) return false;
            return true;
        }
    }

    [ThreadStatic] private static ScopeWalk? t_walk;
    [ThreadStatic] private static ScopeCapture? t_lastScopes;

    /// <summary>
    /// The values of the scopes the calling thread is in. A request logs many lines under the same scopes: their values
    /// are taken at the first line and shared by the next ones while the scope objects are the same (a scope's state is
    /// read once, as the first line under it saw it).
    /// </summary>
    private LogScopeValues? CurrentScopes()
    {
        if (_scopes is null) return null;
        var walk = t_walk ??= new ScopeWalk();
        walk.Count = 0;
        _scopes.ForEachScope(static (state, w) => w.Add(state), walk);
        if (walk.Count == 0) return null;
        if (t_lastScopes is { } last && last.Matches(walk))
        {
            Array.Clear(walk.States, 0, walk.Count);
            return last.Values;
        }
        var collected = new Collected();
        for (var i = 0; i < walk.Count; i++) collected.AddAll(walk.States[i]);
        var capture = new ScopeCapture(walk.States[..walk.Count], new LogScopeValues(collected.Values, collected.UserId));
        Array.Clear(walk.States, 0, walk.Count);
        t_lastScopes = capture;
        return capture.Values;
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
            var scope = provider.CurrentScopes();
            var userId = scope?.UserId;
            var captureError = logLevel >= LogLevel.Error && exception is not null && exception is not OperationCanceledException;
            // The usual line (a message template with immutable values) is formatted on the writer's thread: the logging
            // thread takes only the time and the scopes. An error the error log must group is formatted now.
            if (logLevel >= minimum && !captureError && DeferrableState<TState>.Kind && (object?)state is IReadOnlyList<KeyValuePair<string, object?>> values
                && CanDefer(values, ref userId))
            {
                provider._sink.TryEnqueue(LogLine.Deferred(provider._clock.GetUtcNow(), LevelOf(logLevel), category, userId, scope, values, formatter, exception, eventId));
                return;
            }
            var own = new Collected { UserId = userId };
            own.AddAll(state);
            var message = LogLine.Text(formatter(state, exception), exception);
            if (logLevel >= minimum)
            {
                LogLine.AddEventAndException(own.Values, eventId, exception);
                provider._sink.TryEnqueue(new LogLine(provider._clock.GetUtcNow(), LevelOf(logLevel), category, message, own.UserId, scope, own.Values));
            }
            if (captureError)
            {
                var all = new LogContext(scope?.Values, own.Values);
                var context = new List<KeyValuePair<string, object?>>(all.Count);
                for (var i = 0; i < all.Count; i++) context.Add(new(all[i].Key, Plain(all[i].Value)));
                provider._errors.Capture(exception!, category, message, own.UserId, context);
            }
        }

        /// <summary>Whether every value of the message is immutable (so formatting it later gives the same text); a UserId value names the user.</summary>
        private static bool CanDefer(IReadOnlyList<KeyValuePair<string, object?>> values, ref Guid? userId)
        {
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                if (!IsImmutable(value)) return false;
                if (key == UserIdKey) userId = UserFrom(value) ?? userId;
            }
            return true;
        }
    }

    /// <summary>
    /// States whose formatter reads nothing but their values: the message templates of Microsoft.Extensions.Logging
    /// (LogInformation's and LoggerMessage.Define's). Any other state (a caller's own type may hold mutable fields) is formatted at once.
    /// </summary>
    private static class DeferrableState<TState>
    {
        public static readonly bool Kind = typeof(TState).Assembly == typeof(LoggerMessage).Assembly
                                           && typeof(IReadOnlyList<KeyValuePair<string, object?>>).IsAssignableFrom(typeof(TState));
    }
}
