using System.Diagnostics;
using System.Text;
using Signalbook.Data;

namespace Signalbook.E2E.Infrastructure;

/// <summary>
/// The demo database of the run, seeded once and copied for each seeded test server. The first server that asks starts a
/// private PostgreSQL cluster, lets the app's <c>prepare --demo</c> command migrate and seed a template database in it
/// (demo users, market, trained models, portfolio, journal) and exit, then gets <c>CREATE DATABASE … TEMPLATE</c> copies:
/// each server starts on identical data of its own, without a second seeding. The cluster lives until the test host
/// exits (a watchdog outside its process group stops it even if the host is killed).
/// </summary>
internal static class SeededDatabase
{
    private const string Template = "signalbook_seeded";
    private static readonly Lock Gate = new();
    // A template must not be copied twice at once (CREATE DATABASE wants it to itself).
    private static readonly SemaphoreSlim CopyGate = new(1, 1);
    private static Task<EmbeddedPostgres>? _cluster;
    private static string? _folder;
    private static int _copies;

    static SeededDatabase() => AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();

    /// <summary>The connection string of a new database holding the seeded demo data.</summary>
    public static async Task<string> CopyAsync(string appDll, string repositoryRoot)
    {
        Task<EmbeddedPostgres> cluster;
        lock (Gate) cluster = _cluster ??= Task.Run(() => SeedAsync(appDll, repositoryRoot));
        var pg = await cluster;
        var name = $"signalbook_e2e_{Interlocked.Increment(ref _copies)}";
        await CopyGate.WaitAsync();
        try
        {
            await pg.CreateDatabaseAsync(name, Template);
        }
        finally
        {
            CopyGate.Release();
        }
        return pg.ConnectionString(name);
    }

    private static async Task<EmbeddedPostgres> SeedAsync(string appDll, string repositoryRoot)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"signalbook-e2e-{Environment.ProcessId}-seeded");
        _folder = folder;
        var pg = EmbeddedPostgres.Start(folder, throwaway: true);
        pg.StopWhenProcessExits(folder);
        try
        {
            await pg.CreateDatabaseAsync(Template);
            var psi = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.Combine(repositoryRoot, "App"),
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var arg in new[] { appDll, "prepare", "--demo", "--contentRoot", Path.Combine(repositoryRoot, "App") }) psi.ArgumentList.Add(arg);
            AppServer.SetEnvironment(psi, pg.ConnectionString(Template), seedDemo: true);
            var output = new StringBuilder();
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the app to seed the demo database.");
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(AppServer.StartSeconds()));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Seeding the demo database took more than {AppServer.StartSeconds()} s. The app's output:\n{Text(output)}");
            }
            AppServer.SaveLog($"app-{Environment.ProcessId}-seed", Text(output)); // beside the servers' logs
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"Seeding the demo database failed (exit code {process.ExitCode}). The app's output:\n{Text(output)}");
            return pg;
        }
        catch
        {
            pg.Dispose();
            throw;
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    private static void Stop()
    {
        Task<EmbeddedPostgres>? cluster;
        lock (Gate) (cluster, _cluster) = (_cluster, null);
        if (cluster is not { IsCompletedSuccessfully: true }) return;
        cluster.Result.Dispose();
        try
        {
            if (_folder is not null) Directory.Delete(_folder, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
