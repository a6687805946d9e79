namespace Signalbook.Features.Operations.Logs;

/// <summary>
/// One log line on its way to service_logs. What the logging thread must take at once is kept as it is: time, level,
/// module, user, and the scopes' values (<see cref="LogScopeValues"/>, shared by the lines logged under the same
/// scopes). The message and its values may instead stay in the caller's own state and be formatted on the writer's
/// thread, the first time <see cref="Message"/> or <see cref="Context"/> is read: the provider defers only message
/// templates whose values are all immutable (<see cref="DatabaseLoggerProvider.IsImmutable"/>), so the text is the same
/// either way. Read by one thread at a time (the sink's writer).
/// </summary>
public sealed class LogLine
{
    private readonly LogScopeValues? _scope;
    private List<KeyValuePair<string, object?>>? _own;
    private string? _message;

    // A deferred message: the caller's state (boxed), its formatter, and the typed call that joins them.
    private object? _state;
    private Delegate? _formatter;
    private Func<object, Delegate, Exception?, string>? _format;
    private Exception? _exception;
    private EventId _eventId;

    /// <summary>A line whose message and values are known now (<paramref name="own"/>: the message's values, then EventId and Exception).</summary>
    public LogLine(DateTimeOffset at, string level, string module, string message, Guid? userId, LogScopeValues? scope = null,
        List<KeyValuePair<string, object?>>? own = null)
    {
        At = at;
        Level = level;
        Module = module;
        UserId = userId;
        _scope = scope;
        _own = own;
        _message = message;
    }

    /// <summary>A line whose message and values are made by the writer from a message template's state.</summary>
    internal static LogLine Deferred<TState>(DateTimeOffset at, string level, string module, Guid? userId, LogScopeValues? scope,
        IReadOnlyList<KeyValuePair<string, object?>> state, Func<TState, Exception?, string> formatter, Exception? exception, EventId eventId)
        => new(at, level, module, null!, userId, scope)
        {
            _state = state, _formatter = formatter, _format = Typed<TState>.Format, _exception = exception, _eventId = eventId,
        };

    public DateTimeOffset At { get; }

    public string Level { get; }

    public string Module { get; }

    public Guid? UserId { get; }

    public string Message
    {
        get
        {
            Resolve();
            return _message!;
        }
    }

    /// <summary>The scopes' values, then the message's, then EventId and Exception; a later value of a key wins.</summary>
    public LogContext Context
    {
        get
        {
            Resolve();
            return new LogContext(_scope?.Values, _own);
        }
    }

    private void Resolve()
    {
        if (_state is not { } state) return;
        _message = Text(_format!(state, _formatter!, _exception), _exception);
        var values = (IReadOnlyList<KeyValuePair<string, object?>>)state;
        _own = new List<KeyValuePair<string, object?>>(values.Count + 1);
        for (var i = 0; i < values.Count; i++)
            if (values[i].Key != DatabaseLoggerProvider.OriginalFormat) _own.Add(values[i]);
        AddEventAndException(_own, _eventId, _exception);
        _state = null;
        _formatter = null;
        _format = null;
        _exception = null;
    }

    /// <summary>An empty message of an exception reads as the exception's message.</summary>
    internal static string Text(string message, Exception? exception)
        => string.IsNullOrEmpty(message) && exception is not null ? exception.Message : message;

    internal static void AddEventAndException(List<KeyValuePair<string, object?>> context, EventId eventId, Exception? exception)
    {
        if (eventId.Id != 0) context.Add(new("EventId", eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (exception is not null) context.Add(new("Exception", $"{exception.GetType().FullName}: {exception.Message}"));
    }

    /// <summary>One delegate per state type, so a deferred line allocates nothing to call its formatter later.</summary>
    private static class Typed<TState>
    {
        public static readonly Func<object, Delegate, Exception?, string> Format =
            static (state, formatter, exception) => ((Func<TState, Exception?, string>)formatter)((TState)state, exception);
    }
}

/// <summary>The values of the scopes a line was logged under, taken once for all the lines logged under the same scopes; never changed after.</summary>
public sealed class LogScopeValues(IReadOnlyList<KeyValuePair<string, object?>> values, Guid? userId)
{
    public IReadOnlyList<KeyValuePair<string, object?>> Values { get; } = values;

    public Guid? UserId { get; } = userId;
}

/// <summary>A line's context: its scopes' values followed by its own, read as one list.</summary>
public readonly struct LogContext(IReadOnlyList<KeyValuePair<string, object?>>? scope, IReadOnlyList<KeyValuePair<string, object?>>? own)
{
    private readonly int _scopeCount = scope?.Count ?? 0;

    public int Count => _scopeCount + (own?.Count ?? 0);

    public KeyValuePair<string, object?> this[int index] => index < _scopeCount ? scope![index] : own![index - _scopeCount];
}
