using System.Diagnostics;
using Signalbook.E2E.Infrastructure;

namespace Signalbook.Bench;

/// <summary>The app a bench talks to over HTTP: one it starts as the browser tests do, or one already running.</summary>
public static class BenchApp
{
    /// <summary>
    /// <c>--url</c> and <c>--connection</c> point the bench at an app already running with the browser tests' settings
    /// (AppServer's admin, demo data); without them it starts its own (Release build, demo data, a private PostgreSQL),
    /// which the caller disposes (the server is null for an app it did not start).
    /// </summary>
    public static async Task<(AppServer? Server, string BaseUrl, string Connection)> StartOrAttachAsync(string[] args)
    {
        var url = BenchOutput.Option(args, "url", "");
        if (url.Length > 0) return (null, url, BenchOutput.Option(args, "connection", ""));
        Console.WriteLine("  starting the app (Release build, demo data, private PostgreSQL; the demo seed trains models first)…");
        var started = Stopwatch.StartNew();
        var server = await AppServer.StartAsync();
        Console.WriteLine($"  app at {server.BaseUrl} in {started.Elapsed.TotalSeconds:F0} s");
        return (server, server.BaseUrl, server.ConnectionString);
    }
}
