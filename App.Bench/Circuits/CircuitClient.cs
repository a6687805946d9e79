using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Signalbook.Bench.Circuits;

/// <summary>
/// One simulated browser tab on a Blazor Server app, speaking the circuit protocol itself: it signs in through the
/// login form (cookie), fetches a prerendered page for its root component markers, opens the hub at <c>/_blazor</c>,
/// starts a circuit with those markers (StartCircuit, then UpdateRootComponents as blazor.web.js does), answers the
/// server's JS interop calls, acknowledges every render batch (OnRenderCompleted — without it the server stops
/// sending), navigates with OnLocationChanged and dispatches browser events with BeginInvokeDotNetFromJS
/// ("DispatchEventAsync" on the renderer's interop object), as the browser's script would.
/// </summary>
public sealed partial class CircuitClient : IAsyncDisposable
{
    private readonly string _baseUrl;
    private readonly CookieContainer _cookies = new();
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _calls = new();
    private readonly Dictionary<string, RenderedElement> _byTestId = new(StringComparer.Ordinal);
    private readonly HashSet<ulong> _disposedHandlers = [];
    private readonly object _gate = new();
    private HubConnection? _hub;
    private TaskCompletionSource _batchArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _batches;
    private long _batchBytes;
    private long _interopObjectId = -1;
    private long _callIds;
    private long _jsObjectIds;
    private volatile bool _disposing;
    private string? _secret;

    public CircuitClient(string baseUrl, TimeSpan timeout)
    {
        _baseUrl = baseUrl.TrimEnd('/');
        Timeout = timeout;
        _http = new HttpClient(new SocketsHttpHandler { CookieContainer = _cookies, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = new Uri(_baseUrl + "/"),
            Timeout = timeout,
        };
    }

    public TimeSpan Timeout { get; }

    /// <summary>Errors the server reported to this client (JS.Error, a failed event, a closed connection), newest last.</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Whether the circuit's connection is still up.</summary>
    public bool IsConnected => _hub?.State == HubConnectionState.Connected;
    /// <summary>Bytes of render batches received.</summary>
    public long BatchBytes => Interlocked.Read(ref _batchBytes);

    /// <summary>Signs in through the login form: GET for the antiforgery token, POST the form, expect the auth cookie.</summary>
    public async Task SignInAsync(string email, string password, CancellationToken ct)
    {
        var page = await _http.GetStringAsync("account/login", ct);
        var form = HiddenInputs(page);
        if (!form.ContainsKey("__RequestVerificationToken")) throw new InvalidOperationException("The login page has no antiforgery token.");
        form["Input.Email"] = email;
        form["Input.Password"] = password;
        using var response = await _http.PostAsync("account/login", new FormUrlEncodedContent(form), ct);
        if ((int)response.StatusCode is < 300 or >= 400)
            throw new InvalidOperationException($"Sign-in of {email} answered {(int)response.StatusCode}, not a redirect.");
        // Any cookie besides the antiforgery one is the sign-in (the app names its own; a failed sign-in sets none).
        if (!_cookies.GetAllCookies().Any(c => !c.Name.Contains("Antiforgery", StringComparison.OrdinalIgnoreCase)))
            throw new InvalidOperationException($"Sign-in of {email} set no auth cookie.");
    }

    /// <summary>GETs a page as signed in (prerendered) and starts a circuit on it; returns when the first render arrived.</summary>
    public async Task StartCircuitAsync(string path, CancellationToken ct)
    {
        var html = await _http.GetStringAsync(path.TrimStart('/'), ct);
        var markers = MarkerPattern().Matches(html).Select(m => m.Groups[1].Value)
            .Where(json => json.Contains("\"descriptor\"", StringComparison.Ordinal)).ToList();
        if (markers.Count == 0) throw new InvalidOperationException($"{path} has no interactive server component markers (not signed in?).");
        var state = StatePattern().Match(html) is { Success: true } s ? s.Groups[1].Value : "";

        var builder = new HubConnectionBuilder()
            .WithUrl(_baseUrl + "/_blazor", o =>
            {
                o.Cookies = _cookies;
                o.Transports = HttpTransportType.WebSockets;
            });
        // The hub accepts only blazorpack (see BlazorPackProtocol); the last IHubProtocol registered is the one used.
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var hub = builder.Build();
        // A loaded server answers slowly: do not call it dead as soon as a browser would.
        hub.ServerTimeout = TimeSpan.FromMinutes(3);
        hub.HandshakeTimeout = Timeout;
        hub.On<long, byte[]>("JS.RenderBatch", OnRenderBatch);
        // .NET 10 sends (asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType); a handler with the
        // wrong arity is never called, so the circuit would wait for answers forever.
        hub.On<long, string, string, int, long, int>("JS.BeginInvokeJS", OnBeginInvokeJS);
        hub.On<string, bool, string>("JS.EndInvokeDotNet", (callId, success, result) =>
        {
            if (_calls.TryRemove(callId, out var call)) call.TrySetResult(success);
            if (!success) Errors.Enqueue($"DotNet call {callId} failed: {Shorten(result)}");
        });
        hub.On<string>("JS.Error", error => Errors.Enqueue("JS.Error: " + Shorten(error)));
        hub.Closed += ex =>
        {
            if (!_disposing) Errors.Enqueue("connection closed: " + (ex?.Message ?? "by the server"));
            foreach (var call in _calls.Values) call.TrySetResult(false);
            lock (_gate) _batchArrived.TrySetResult();
            return Task.CompletedTask;
        };
        _hub = hub;
        await hub.StartAsync(ct);

        var uri = _baseUrl + "/" + path.TrimStart('/');
        var secret = await hub.InvokeAsync<string?>("StartCircuit", _baseUrl + "/", uri, "[]", "", ct);
        _secret = secret;
        if (string.IsNullOrEmpty(secret)) throw new InvalidOperationException("StartCircuit returned no circuit id: " + string.Join("; ", Errors));

        // blazor.web.js adds the prerendered root components after the circuit starts, each under its SSR id.
        var operations = markers.Select((json, i) => new { type = "add", ssrComponentId = i + 1, marker = JsonDocument.Parse(json).RootElement }).ToArray();
        await hub.SendAsync("UpdateRootComponents", JsonSerializer.Serialize(new { batchId = 1, operations }), state, ct);
        await WaitForAsync(() => Interlocked.Read(ref _interopObjectId) >= 0 && Batches > 0, "the first render", ct);
    }

    /// <summary>Moves the circuit to another page as the browser's router would (an intercepted link click).</summary>
    public Task NavigateAsync(string path, CancellationToken ct)
        => Hub.SendAsync("OnLocationChanged", _baseUrl + "/" + path.TrimStart('/'), null, true, ct);

    /// <summary>The newest rendered element carrying this data-testid (or "aria:" + aria-label), or null.</summary>
    public RenderedElement? Element(string testId)
    {
        lock (_gate) return _byTestId.GetValueOrDefault(testId);
    }

    /// <summary>The live handler for <paramref name="eventName"/> on the first of these elements that has one (not disposed since).</summary>
    public ulong? Handler(string eventName, params string[] keys)
    {
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (_byTestId.GetValueOrDefault(key) is { } element && element.EventHandlers.TryGetValue("on" + eventName, out var id) && !_disposedHandlers.Contains(id)) return id;
            }
            return null;
        }
    }

    /// <summary>The data-testids seen so far (for a diagnosis when a page does not show what the bench waits for).</summary>
    public string SeenTestIds()
    {
        lock (_gate) return string.Join(", ", _byTestId.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>GETs a page as this client's signed-in user (prerendered HTML).</summary>
    public Task<string> GetStringAsync(string path, CancellationToken ct) => _http.GetStringAsync(path.TrimStart('/'), ct);

    /// <summary>GETs JSON as this client's signed-in user.</summary>
    public async Task<T?> GetJsonAsync<T>(string path, CancellationToken ct)
        => await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<T>(_http, path, ct);

    /// <summary>Ends the circuit as a closing browser tab does (the disconnect beacon), so the server need not keep it for a reconnect.</summary>
    public async Task CloseCircuitAsync(CancellationToken ct)
    {
        if (_secret is null) return;
        using var response = await _http.PostAsync("_blazor/disconnect", new FormUrlEncodedContent([new("circuitId", _secret)]), ct);
        _secret = null;
    }

    /// <summary>Waits until a render batch makes <paramref name="condition"/> true.</summary>
    public async Task WaitForAsync(Func<bool> condition, string what, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task next;
            lock (_gate) next = _batchArrived.Task;
            if (condition()) return;
            if (_hub?.State == HubConnectionState.Disconnected && _hub is not null) throw new InvalidOperationException($"The connection closed while waiting for {what}: {string.Join("; ", Errors)}");
            var left = Timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"No {what} within {Timeout.TotalSeconds:F0} s.");
            await Task.WhenAny(next, Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), ct));
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Dispatches a browser event to the handler <paramref name="handlerId"/> and returns the time until the server
    /// finished handling it (its answer to the call) and at least one render batch came back.
    /// </summary>
    public async Task<TimeSpan> DispatchAsync(ulong handlerId, string eventName, object eventArgs, CancellationToken ct)
    {
        var interop = Interlocked.Read(ref _interopObjectId);
        if (interop < 0) throw new InvalidOperationException("The renderer's interop object is not known yet.");
        var callId = Interlocked.Increment(ref _callIds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _calls[callId] = done;
        var batchesBefore = Batches;
        var args = JsonSerializer.Serialize(new object?[] { new { eventHandlerId = handlerId, eventName, eventFieldInfo = (object?)null }, eventArgs });
        var clock = Stopwatch.StartNew();
        await Hub.SendAsync("BeginInvokeDotNetFromJS", callId, null, "DispatchEventAsync", interop, args, ct);
        var answered = await done.Task.WaitAsync(Timeout, ct);
        if (!answered) throw new InvalidOperationException($"The {eventName} event failed: {string.Join("; ", Errors)}");
        await WaitForAsync(() => Batches > batchesBefore, $"render after the {eventName} event", ct);
        return clock.Elapsed;
    }

    private HubConnection Hub => _hub ?? throw new InvalidOperationException("No circuit yet.");

    private void OnRenderBatch(long batchId, byte[] data)
    {
        string? error = null;
        try
        {
            var (elements, replaced, disposed) = RenderBatchReader.Read(data);
            if (Environment.GetEnvironmentVariable("SIGNALBOOK_BENCH_TRACE") == "2")
                Console.WriteLine($"      batch {batchId}: {data.Length} B, disposed [{string.Join(",", disposed)}], set [{string.Join(",", replaced)}], change handlers " +
                    string.Join(" ", elements.Where(e => e.EventHandlers.ContainsKey("onchange")).Select(e => $"{e.Name}@{e.ComponentId}:{e.Attributes.GetValueOrDefault("data-testid")}:{e.Attributes.GetValueOrDefault("aria-label")}={e.EventHandlers["onchange"]}")));
            lock (_gate)
            {
                foreach (var id in disposed) _disposedHandlers.Add(id);
                // A re-render that swaps an element's handler disposes the old id and sets the new one with a
                // SetAttribute edit of the same component in the same batch: follow it.
                foreach (var (key, element) in _byTestId.ToList())
                {
                    foreach (var (name, id) in element.EventHandlers)
                    {
                        if (!disposed.Contains(id)) continue;
                        // A component can render twice in one batch; its last handler not disposed again is the live one.
                        var live = replaced.Where(r => r.ComponentId == element.ComponentId && r.Name == name && !disposed.Contains(r.Handler)).ToList();
                        if (live.Count > 0)
                            _byTestId[key] = element with { EventHandlers = new Dictionary<string, ulong>(element.EventHandlers) { [name] = live[^1].Handler } };
                    }
                }
                foreach (var element in elements)
                {
                    if (element.Attributes.TryGetValue("data-testid", out var testId) && testId is not null) _byTestId[testId] = element;
                    if (element.Attributes.TryGetValue("aria-label", out var label) && label is not null) _byTestId["aria:" + label] = element;
                }
            }
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException or ArgumentException)
        {
            error = "unreadable render batch: " + ex.Message;
            Errors.Enqueue(error);
        }
        Interlocked.Add(ref _batchBytes, data.Length);
        // Acknowledge before anything else: the server holds back further batches until earlier ones are confirmed.
        _ = AcknowledgeAsync(batchId, error);
        Interlocked.Increment(ref _batches);
        lock (_gate)
        {
            _batchArrived.TrySetResult();
            _batchArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private async Task AcknowledgeAsync(long batchId, string? error)
    {
        try { await Hub.SendAsync("OnRenderCompleted", batchId, error); }
        catch (Exception ex) when (!_disposing) { Errors.Enqueue("OnRenderCompleted failed: " + ex.Message); }
        catch (Exception) { /* closing */ }
    }

    /// <summary>
    /// The server calling "JavaScript". The renderer's own attach call carries the interop object events go to; every
    /// other call (MudBlazor's listeners, focus, module imports) gets a plain success: nothing of a page's behaviour
    /// here depends on a browser's answer, and a JS object reference is answered with a fresh id.
    /// </summary>
    private void OnBeginInvokeJS(long asyncHandle, string identifier, string argsJson, int resultType, long targetInstanceId, int callType)
    {
        if (Environment.GetEnvironmentVariable("SIGNALBOOK_BENCH_TRACE") == "1") Console.WriteLine($"      JS {asyncHandle} {identifier} {Shorten(argsJson)} result {resultType} call {callType}");
        if (identifier == "Blazor._internal.attachWebRendererInterop")
        {
            var reference = FindDotNetObject(JsonDocument.Parse(argsJson).RootElement);
            if (reference is long id) Interlocked.Exchange(ref _interopObjectId, id);
        }
        if (asyncHandle == 0) return; // fire and forget: no answer expected
        object? result = resultType == 1 ? new Dictionary<string, long> { ["__jsObjectId"] = Interlocked.Increment(ref _jsObjectIds) } : null;
        var answer = JsonSerializer.Serialize(new object?[] { asyncHandle, true, result });
        _ = AnswerAsync(asyncHandle, answer);
    }

    private async Task AnswerAsync(long asyncHandle, string answer)
    {
        try { await Hub.SendAsync("EndInvokeJSFromDotNet", asyncHandle, true, answer); }
        catch (Exception ex) when (!_disposing) { Errors.Enqueue("EndInvokeJSFromDotNet failed: " + ex.Message); }
        catch (Exception) { /* closing */ }
    }

    private static long? FindDotNetObject(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("__dotNetObject", out var id) && id.TryGetInt64(out var value)) return value;
                foreach (var p in element.EnumerateObject()) if (FindDotNetObject(p.Value) is long inner) return inner;
                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) if (FindDotNetObject(item) is long inner) return inner;
                return null;
            default:
                return null;
        }
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 300 ? text : text[..300] + "…";

    [GeneratedRegex("<!--Blazor:(\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex MarkerPattern();

    [GeneratedRegex("<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex StatePattern();

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("\\b(name|value|type)=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex TagAttribute();

    private static Dictionary<string, string> HiddenInputs(string html)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match input in InputTag().Matches(html))
        {
            var attributes = TagAttribute().Matches(input.Value).ToDictionary(m => m.Groups[1].Value.ToLowerInvariant(), m => WebUtility.HtmlDecode(m.Groups[2].Value));
            if (attributes.GetValueOrDefault("type") == "hidden" && attributes.TryGetValue("name", out var name)) fields[name] = attributes.GetValueOrDefault("value") ?? "";
        }
        return fields;
    }

    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        if (_hub is not null)
        {
            try { await _hub.DisposeAsync(); } catch (Exception) { /* closing a dead connection */ }
        }
        _http.Dispose();
    }
}
