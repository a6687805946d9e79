using System.Net;
using System.Text.Json;
using Signalbook.Hosting;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Http;

/// <summary>The runtime diagnostics endpoint the circuit load bench reads: admins only, and its figures are the process's own.</summary>
public sealed class RuntimeDiagnosticsTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        var response = await app.Browser().GetAsync(RuntimeDiagnostics.Path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login?ReturnUrl=", AppFactory.Path(response.Headers.Location), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Trader_IsDenied()
    {
        var client = await app.SignedInAsync(AppFactory.TraderEmail, AppFactory.DemoPassword);
        var response = await client.GetAsync(RuntimeDiagnostics.Path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", AppFactory.Path(response.Headers.Location), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_GetsThisProcesssMemoryCpuAndCircuits()
    {
        var client = await app.SignedInAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var response = await client.GetAsync(RuntimeDiagnostics.Path + "?gc=true");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        // The test host serves the app in this process, so the figures are this process's.
        Assert.Equal(Environment.ProcessId, root.GetProperty("pid").GetInt32());
        Assert.True(root.GetProperty("rssBytes").GetInt64() > 10 * 1024 * 1024);
        Assert.InRange(root.GetProperty("gcHeapSizeBytes").GetInt64(), 1, root.GetProperty("gcCommittedBytes").GetInt64());
        Assert.True(root.GetProperty("managedHeapBytes").GetInt64() > 0);
        Assert.True(root.GetProperty("cpuMilliseconds").GetInt64() > 0);
        Assert.Equal(0, root.GetProperty("openCircuits").GetInt64()); // no browser here, so no circuit
    }
}
