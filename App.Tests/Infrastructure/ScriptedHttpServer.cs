using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Signalbook.Tests.Infrastructure;

/// <summary>
/// A real HTTP server inside the test process (Kestrel on 127.0.0.1, a free port): every request is
/// recorded (method, path, query, headers, body, arrival time) and answered by the test's script, which can serve
/// fixture files or any status and headers. Stands in for a remote API that the tests cannot reach.
/// Fixtures are read from <c>Fixtures/&lt;folder&gt;/</c> (Alpaca by default).
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    /// <param name="Body">The request body as sent (empty for none).</param>
    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers,
        string Body, DateTimeOffset At)
    {
        /// <summary>The query string exactly as sent, without the leading '?' (signed requests are checked against it).</summary>
        public string QueryString { get; init; } = "";
    }

    public sealed record Reply(int Status, string Body = "", IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();

    /// <summary>The script: the request and its 0-based number among all requests → the reply.</summary>
    public Func<Received, int, Reply> Script { get; set; } = (_, _) => new Reply(404, "{\"message\":\"no script\"}");

    public string BaseUrl { get; }

    public IReadOnlyList<Received> Requests => _received.ToList();

    private ScriptedHttpServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static string Fixture(string name, string folder = "Alpaca") => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", folder, name));

    public static Reply Json(string fixtureName, int status = 200, string folder = "Alpaca") => new(status, Fixture(fixtureName, folder));

    public static async Task<ScriptedHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        ScriptedHttpServer? server = null;
        var counter = -1;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var request = new Received(context.Request.Method, context.Request.Path.Value ?? "",
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body, DateTimeOffset.UtcNow)
            {
                QueryString = context.Request.QueryString.Value?.TrimStart('?') ?? "",
            };
            server!._received.Enqueue(request);
            var reply = server.Script(request, Interlocked.Increment(ref counter));
            if (reply.Delay > TimeSpan.Zero)
            {
                try { await Task.Delay(reply.Delay, context.RequestAborted); }
                catch (OperationCanceledException) { return; }
            }
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            foreach (var (k, v) in reply.Headers ?? new Dictionary<string, string>()) context.Response.Headers[k] = v;
            if (reply.Status != 204) await context.Response.WriteAsync(reply.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new ScriptedHttpServer(app, address.TrimEnd('/'));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
