using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reply = Signalbook.Tests.Infrastructure.ScriptedHttpServer.Reply;

namespace Signalbook.Tests.Features.Portfolios.Brokers;

/// <summary>
/// <see cref="Infrastructure.ScriptedHttpServer"/> with the method and body of every request recorded too (a trading API
/// is POST and DELETE as well as GET, and the tests assert the order bodies). A sibling rather than an edit: the shared
/// helper records neither; adding <c>Method</c> and <c>Body</c> to its <c>Received</c> record would let this file go.
/// Fixtures come from <c>Fixtures/AlpacaTrading/</c>.
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers,
        string Body, DateTimeOffset At);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();

    /// <summary>The script: the request and its 0-based number among all requests → the reply.</summary>
    public Func<Received, int, Reply> Script { get; set; } = (_, _) => new Reply(404, "{\"message\":\"no script\"}");

    public string BaseUrl { get; }

    public IReadOnlyList<Received> Requests => _received.ToList();

    private RecordingHttpServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "AlpacaTrading", name));

    public static Reply Json(string fixtureName, int status = 200) => new(status, Fixture(fixtureName));

    public static async Task<RecordingHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        RecordingHttpServer? server = null;
        var counter = -1;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var request = new Received(context.Request.Method, context.Request.Path.Value ?? "",
                context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body, DateTimeOffset.UtcNow);
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
        server = new RecordingHttpServer(app, address.TrimEnd('/'));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
