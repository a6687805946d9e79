using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using Signalbook.Data;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// The sticky reverse proxy (App.Proxy, a YARP host) as its own process on a free loopback port, in front of the given
/// app nodes. Its configuration is App.Proxy's appsettings.json, the one docker compose's <c>scale</c> profile runs; only
/// the destinations come from here (as environment variables, as compose sets them).
/// </summary>
public sealed class ProxyServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output;

    private ProxyServer(Process process, string baseUrl, StringBuilder output)
    {
        _process = process;
        BaseUrl = baseUrl;
        _output = output;
    }

    public string BaseUrl { get; }

    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="destinations">Destination id (the affinity cookie names it, hashed) and the node's base URL.</param>
    public static async Task<ProxyServer> StartAsync(IReadOnlyList<(string Id, string Url)> destinations, TimeSpan startTimeout)
    {
        var root = AppServer.RepositoryRoot();
        var configuration = typeof(ProxyServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var folder = Path.Combine(root, "App.Proxy", "bin", configuration, "net10.0");
        var dll = Path.Combine(folder, "Signalbook.Proxy.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The proxy is not built: {dll} is missing.");

        var baseUrl = $"http://127.0.0.1:{EmbeddedPostgres.FreePort()}";
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "--urls", baseUrl, "--contentRoot", folder }) psi.ArgumentList.Add(arg);
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (id, url) in destinations) psi.Environment[$"ReverseProxy__Clusters__signalbook__Destinations__{id}__Address"] = url;

        var output = new StringBuilder();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the proxy.");
        EmbeddedPostgres.RunWhenThisProcessExits($"kill -9 {process.Id.ToString(CultureInfo.InvariantCulture)} 2>/dev/null; true");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var proxy = new ProxyServer(process, baseUrl, output);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + startTimeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await http.GetAsync($"{baseUrl}/_proxy/health")).StatusCode == HttpStatusCode.OK) return proxy;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        var log = proxy.Output;
        await proxy.DisposeAsync();
        throw new InvalidOperationException($"The proxy did not answer at {baseUrl}. Its output:\n{log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true); // it holds no state worth a graceful stop
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
