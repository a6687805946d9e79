using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text;
using Signalbook.Data;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// The real app, started as its own process on a free loopback port against a private PostgreSQL
/// cluster made for this run, with a known admin password and invite-only registration.
/// </summary>
public sealed class AppServer : IAsyncDisposable
{
    public const string AdminEmail = "admin@e2e.test";
    public const string AdminPassword = "E2e-Admin-Pass-1";

    /// <summary>Seeded by the app's demo data (started with Demo:Seed), with sixty waitlist sign-ups for the charts.</summary>
    public const string DemoTraderEmail = "trader@signalbook.local";
    public const string DemoViewerEmail = "viewer@signalbook.local";
    public const string DemoPassword = "Demo-Password-2026";

    private readonly Process _process;
    private readonly EmbeddedPostgres? _cluster;
    private readonly string? _clusterDir;
    private readonly StringBuilder _output;
    private readonly string _name;
    private static int _started;

    private AppServer(Process process, EmbeddedPostgres? cluster, string? clusterDir, string baseUrl, StringBuilder output)
    {
        _name = $"app-{Environment.ProcessId}-{Interlocked.Increment(ref _started)}";
        _process = process;
        _cluster = cluster;
        _clusterDir = clusterDir;
        BaseUrl = baseUrl;
        _output = output;
    }

    public string BaseUrl { get; }

    /// <summary>The file the app reads its clock offset from (see the app's OffsetClock).</summary>
    public string ClockFile { get; private init; } = "";

    /// <summary>The app's database, for tests that need to read what the app stored (never to arrange state behind its back).</summary>
    public string ConnectionString { get; private init; } = "";

    /// <summary>Moves the app's clock to the system time plus <paramref name="offset"/>; the app sees it within a second.</summary>
    public async Task SetClockOffsetAsync(TimeSpan offset)
    {
        await File.WriteAllTextAsync(ClockFile, offset == TimeSpan.Zero ? "" : offset.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        File.SetLastWriteTimeUtc(ClockFile, DateTime.UtcNow); // a new stamp even within the file system's time resolution
        await Task.Delay(1000);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    private static int _instances;

    /// <param name="options">Null: the usual test server (its own cluster, demo data). The two-node test passes a second
    /// node's options: join the first node's database, no seeding, a node name of its own.</param>
    public static async Task<AppServer> StartAsync(AppServerOptions? options = null)
    {
        options ??= new AppServerOptions();
        // Each collection fixture starts its own app (and cluster): the folders are per process and per instance.
        var instance = Interlocked.Increment(ref _instances);
        var root = RepositoryRoot();
        var dll = AppDll(root);

        EmbeddedPostgres? cluster = null;
        string? clusterDir = null;
        var connection = options.JoinConnectionString ?? Environment.GetEnvironmentVariable("SIGNALBOOK_E2E_CONNECTION");
        var seed = options.SeedDemo;
        if (string.IsNullOrWhiteSpace(connection) && options.SeedDemo)
        {
            // A copy of the demo database seeded once for the whole run (the seed trains models: seeding once per server
            // cost each browser collection's start as much again on two cores).
            connection = await SeededDatabase.CopyAsync(dll, root);
            seed = false;
        }
        else if (string.IsNullOrWhiteSpace(connection))
        {
            clusterDir = Path.Combine(Path.GetTempPath(), $"signalbook-e2e-{Environment.ProcessId}-{instance}");
            cluster = EmbeddedPostgres.Start(clusterDir, throwaway: true);
            cluster.StopWhenProcessExits(clusterDir); // even if the test host dies without disposing the fixture
            await cluster.CreateDatabaseAsync("signalbook_e2e");
            connection = cluster.ConnectionString("signalbook_e2e");
        }

        var port = EmbeddedPostgres.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(root, "App"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { dll, "--urls", baseUrl, "--contentRoot", Path.Combine(root, "App") }) psi.ArgumentList.Add(arg);
        SetEnvironment(psi, connection, seed);
        foreach (var (key, value) in options.Environment) psi.Environment[key] = value;
        // The app's clock is the system's plus the offset in this file (OffsetClock), so a test can step through days.
        var clockFile = Path.Combine(Path.GetTempPath(), $"signalbook-e2e-clock-{Environment.ProcessId}-{instance}.txt");
        File.WriteAllText(clockFile, "");
        psi.Environment["Testing__ClockOffsetFile"] = clockFile;

        var output = new StringBuilder();
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the app.");
        // If the test host dies without disposing the fixture, a watchdog outside its process group ends the app.
        EmbeddedPostgres.RunWhenThisProcessExits($"kill {process.Id} 2>/dev/null; sleep 5; kill -9 {process.Id} 2>/dev/null; true");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new AppServer(process, cluster, clusterDir, baseUrl, output) { ClockFile = clockFile, ConnectionString = connection };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(StartSeconds());
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) break;
            try
            {
                if ((await http.GetAsync($"{baseUrl}/health")).StatusCode == HttpStatusCode.OK) return server;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(300);
        }
        var log = server.Output;
        await server.DisposeAsync();
        throw new InvalidOperationException($"The app did not become healthy at {baseUrl}. Its output:\n{log}");
    }

    /// <summary>
    /// How long a start may take: a seeding start trains models before the app serves (minutes on a busy two-core
    /// machine). SIGNALBOOK_E2E_START_SECONDS, default 600.
    /// </summary>
    internal static int StartSeconds() =>
        int.TryParse(Environment.GetEnvironmentVariable("SIGNALBOOK_E2E_START_SECONDS"), out var s) && s > 0 ? s : 600;

    /// <summary>What every app process of the tests is started with: the one place the test servers' settings are made.</summary>
    internal static void SetEnvironment(ProcessStartInfo psi, string connection, bool seedDemo)
    {
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // No profile-guided re-compilation: a test server lives minutes, and instrumenting then recompiling its hot methods
        // was a tenth of the browser suite's CPU on two cores, spent for steady-state speed it never reaches.
        psi.Environment["DOTNET_TieredPGO"] = "0";
        psi.Environment["ConnectionStrings__Default"] = connection;
        psi.Environment["Admin__Email"] = AdminEmail;
        psi.Environment["Admin__Password"] = AdminPassword;
        psi.Environment["Registration__Mode"] = "InviteOnly";
        psi.Environment["Waitlist__SignupsPerWindow"] = "50";
        psi.Environment["Demo__Seed"] = seedDemo ? "true" : "false";
    }

    /// <summary>The app's dll, built in the same configuration as this test assembly (Debug or Release).</summary>
    internal static string AppDll(string root)
    {
        var configuration = typeof(AppServer).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(root, "App", "bin", configuration, "net10.0", "Signalbook.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"The app is not built: {dll} is missing.");
    }

    /// <summary>Ends the app at once (SIGKILL), as a crashed node: no shutdown, its circuits and job servers just vanish.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A clean stop first (SIGTERM, as a service manager sends): circuits and job servers end, uploads are removed.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { }
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        SaveLog(_name, Output);
        _cluster?.Dispose();
        try { if (ClockFile.Length > 0) File.Delete(ClockFile); } catch (IOException) { }
        if (_clusterDir is not null)
        {
            try { Directory.Delete(_clusterDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// The app's log, kept beside the test results (scripts/test.sh prints its errors when a test failed: a CI run's
    /// only record of what the server saw).
    /// </summary>
    internal static void SaveLog(string name, string text)
    {
        try
        {
            var folder = Path.Combine(RepositoryRoot(), "artifacts", "test-results");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, name + ".log"), text);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Blazor.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Blazor.sln not found above the test assembly.");
    }
}
