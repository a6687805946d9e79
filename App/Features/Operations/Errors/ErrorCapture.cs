using System.Reflection;
using System.Security.Claims;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Signalbook.Features.Operations.Logs;
using Signalbook.Jobs;

namespace Signalbook.Features.Operations.Errors;

/// <summary>
/// Every unhandled exception ends here: the database log provider hands over each Error/Critical entry that carries an
/// exception (the exception handler, the circuit host, Hangfire's worker and our job filter all log theirs), and code
/// the framework does not cover calls <see cref="Capture"/> itself. Occurrences queue (never blocking the caller) and are
/// recorded in the background by <see cref="ErrorGroupService"/>.
/// </summary>
public sealed class ErrorCapture
{
    private readonly Channel<ErrorOccurrence> _queue;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _clock;
    private static readonly object Seen = new();
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Exception, object> _seen = [];
    private readonly SemaphoreSlim _draining = new(1, 1);
    private long _recorded, _dropped;
    private string? _lastError;

    public ErrorCapture(IServiceProvider services, IOptions<ErrorLogOptions> options, TimeProvider clock)
    {
        _services = services;
        _clock = clock;
        _queue = Channel.CreateBounded<ErrorOccurrence>(new BoundedChannelOptions(options.Value.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>The app's version, as the assembly's informational version says.</summary>
    public static string AppVersion { get; } = typeof(ErrorCapture).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ErrorCapture).Assembly.GetName().Version?.ToString() ?? "unknown";

    public (long Recorded, long Dropped, int Queued, string? LastError) Stats => (Interlocked.Read(ref _recorded), Interlocked.Read(ref _dropped), _queue.Reader.Count, _lastError);

    /// <summary>Where an entry of a logger category comes from: a circuit, a job or a request (else the app itself).</summary>
    public static string SourceOf(string category, bool inRequest) => category switch
    {
        _ when category.StartsWith("Microsoft.AspNetCore.Components", StringComparison.Ordinal) => "circuit",
        _ when category.StartsWith("Hangfire", StringComparison.Ordinal) || category.StartsWith("Signalbook.Jobs", StringComparison.Ordinal) => "job",
        _ when inRequest => "request",
        _ => "app",
    };

    /// <summary>
    /// Queues an occurrence of <paramref name="exception"/>; <paramref name="context"/> holds what the caller knows
    /// (route, job, scope values). Adds node, version, source and the signed-in user of the current request when known.
    /// </summary>
    public bool Capture(Exception exception, string category, string? message, Guid? userId, IEnumerable<KeyValuePair<string, object?>>? context)
    {
        var e = ErrorFingerprint.Innermost(exception);
        // One exception is one occurrence, however many layers log it (the job filter and Hangfire's worker; a handler and the host).
        if (_seen.TryGetValue(e, out _)) return false;
        _seen.AddOrUpdate(e, Seen);
        var ctx = new Dictionary<string, object?>();
        if (context is not null)
            foreach (var (k, v) in context) ctx[k] = v;
        var http = _services.GetService<IHttpContextAccessor>()?.HttpContext;
        if (http is not null)
        {
            // The exception handler logs after switching the path to its error page: the original is in its feature, or in the request's scope.
            var route = http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerPathFeature>()?.Path
                ?? (ctx.TryGetValue("RequestPath", out var requestPath) ? requestPath as string : null) ?? http.Request.Path.Value;
            ctx.TryAdd("Route", route);
            ctx.TryAdd("Method", http.Request.Method);
            if (userId is null && Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var u)) userId = u;
        }
        ctx["Category"] = category;
        ctx["Source"] = SourceOf(category, http is not null);
        ctx["Node"] = _services.GetService<NodeIdentity>()?.Name ?? Environment.MachineName;
        ctx["Version"] = AppVersion;
        if (message is not null && message != e.Message) ctx["LogMessage"] = message.Length > 1024 ? message[..1024] : message;
        if (!ReferenceEquals(e, exception)) ctx["Wrapper"] = exception.GetType().FullName;
        var type = e.GetType().FullName ?? e.GetType().Name;
        return Enqueue(new ErrorOccurrence(type, e.Message, e.ToString(), ErrorFingerprint.Compute(type, e.StackTrace), userId, ctx, _clock.GetUtcNow()));
    }

    /// <summary>Queues an occurrence that has no exception (work a crash interrupted): grouped by type and key.</summary>
    public bool Capture(string type, string key, string message, Guid? userId, IReadOnlyDictionary<string, object?> context)
    {
        var ctx = new Dictionary<string, object?>(context)
        {
            ["Node"] = _services.GetService<NodeIdentity>()?.Name ?? Environment.MachineName,
            ["Version"] = AppVersion,
        };
        return Enqueue(new ErrorOccurrence(type, message, null, ErrorFingerprint.ForKey(type, key), userId, ctx, _clock.GetUtcNow()));
    }

    private bool Enqueue(ErrorOccurrence occurrence)
    {
        if (_queue.Writer.TryWrite(occurrence)) return true;
        Interlocked.Increment(ref _dropped);
        return false;
    }

    public async Task RunAsync(CancellationToken ct)
    {
        using var _ = LogSuppression.Begin();
        while (await _queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) await FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Records every queued occurrence; returns how many were stored.</summary>
    public async Task<int> FlushAsync(CancellationToken ct = default)
    {
        using var _ = LogSuppression.Begin();
        await _draining.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var stored = 0;
            var groups = _services.GetRequiredService<ErrorGroupService>();
            while (_queue.Reader.TryRead(out var o))
            {
                try
                {
                    await groups.RecordAsync(o, ct).ConfigureAwait(false);
                    stored++;
                    Interlocked.Increment(ref _recorded);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // The database is down or refused the row: count it; logging it would come straight back here.
                    Interlocked.Increment(ref _dropped);
                    _lastError = $"{e.GetType().Name}: {e.Message}";
                }
            }
            return stored;
        }
        finally
        {
            _draining.Release();
        }
    }
}
