using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Signalbook.Data;

/// <summary>
/// A private PostgreSQL cluster run from Debian's binaries: <c>initdb</c> once into a data folder,
/// then <c>pg_ctl start</c> on a free loopback port, and <c>pg_ctl stop</c> when disposed.
/// Used by the app when no connection string is configured, and by the test fixtures.
/// PostgreSQL refuses to run as root, so as root the data folder is given to the unprivileged
/// <c>postgres</c> account and the server runs as that account through <c>runuser</c>.
/// </summary>
public sealed class EmbeddedPostgres : IDisposable
{
    public const string Superuser = "signalbook";
    private readonly string _dataDir;
    private readonly string _binDir;
    private readonly string? _runAs;
    private bool _started;

    private EmbeddedPostgres(string dataDir, string binDir, string? runAs, int port, string password)
    {
        _dataDir = dataDir;
        _binDir = binDir;
        _runAs = runAs;
        Port = port;
        Password = password;
    }

    public int Port { get; }
    public string Password { get; }
    public string DataDirectory => _dataDir;

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = Superuser,
        Password = Password,
        Database = database,
        Pooling = true,
        MaxPoolSize = 50,
    }.ConnectionString;

    /// <summary>Creates the cluster if the folder holds none, then starts it. Throws with the server's own words if it cannot.</summary>
    /// <param name="throwaway">
    /// A cluster whose data is deleted when it stops (the test fixtures'): it skips the flushes to disk that make a
    /// commit survive a power cut (fsync, synchronous commit, full-page writes), which a test never relies on and which
    /// dominate creating a database from a template. The app's own cluster always keeps them.
    /// </param>
    public static EmbeddedPostgres Start(string dataDir, Action<string>? log = null, bool throwaway = false)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The private PostgreSQL cluster needs Linux; configure ConnectionStrings:Default instead.");
        log ??= _ => { };
        dataDir = Path.GetFullPath(dataDir);
        var binDir = FindBinDirectory();
        var runAs = Environment.UserName == "root" ? "postgres" : null;
        Directory.CreateDirectory(dataDir);

        var clusterDir = Path.Combine(dataDir, "cluster");
        var passwordFile = Path.Combine(dataDir, "superuser.password");
        if (!File.Exists(Path.Combine(clusterDir, "PG_VERSION")))
        {
            if (Directory.Exists(clusterDir)) Directory.Delete(clusterDir, recursive: true);
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
            File.WriteAllText(passwordFile, password);
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Directory.CreateDirectory(clusterDir);
            var pwfile = Path.Combine(clusterDir, "..", ".pwfile");
            File.WriteAllText(pwfile, password + "\n");
            GiveTo(runAs, dataDir, clusterDir, pwfile);
            log($"Creating a private PostgreSQL cluster in {clusterDir}");
            Run(binDir, runAs, "initdb", "-D", clusterDir, "-U", Superuser, "--auth=scram-sha-256",
                "--pwfile", Path.GetFullPath(pwfile), "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions");
            File.Delete(pwfile);
        }
        var pgPassword = File.ReadAllText(passwordFile).Trim();

        // A server left running by a killed process: stop it before starting ours.
        if (File.Exists(Path.Combine(clusterDir, "postmaster.pid")))
        {
            TryRun(binDir, runAs, "pg_ctl", "-D", clusterDir, "-m", "immediate", "-w", "stop");
        }

        var port = FreePort();
        var socketDir = Path.Combine(dataDir, "run");
        Directory.CreateDirectory(socketDir);
        GiveTo(runAs, socketDir);
        var options = $"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{socketDir}' " +
                      "-c max_connections=200 -c shared_buffers=128MB " +
                      (throwaway ? "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" : "-c fsync=on");
        Run(binDir, runAs, "pg_ctl", "-D", clusterDir, "-l", Path.Combine(dataDir, "postgres.log"), "-o", options, "-w", "-t", "60", "start");
        log($"PostgreSQL listening on 127.0.0.1:{port} (data in {clusterDir})");
        return new EmbeddedPostgres(clusterDir, binDir, runAs, port, pgPassword) { _started = true };
    }

    public async Task CreateDatabaseAsync(string name, string? template = null, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionString("postgres"));
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @n", conn);
        exists.Parameters.AddWithValue("n", name);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        var sql = $"CREATE DATABASE \"{name}\"" + (template is null ? "" : $" TEMPLATE \"{template}\"");
        await using var create = new NpgsqlCommand(sql, conn);
        await create.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Starts a watchdog, outside this process's group, that stops the server (and deletes <paramref name="removeFolder"/>)
    /// once this process has ended for any reason: a normal exit, an exception, Ctrl+C or a kill. Test fixtures use it, so
    /// no run leaves a PostgreSQL server behind even when the test host dies without running its clean-up.
    /// </summary>
    public void StopWhenProcessExits(string? removeFolder = null)
    {
        if (OperatingSystem.IsWindows()) return;
        var pgCtl = Path.Combine(_binDir, "pg_ctl");
        var stop = _runAs is null ? $"'{pgCtl}'" : $"runuser -u {_runAs} -- '{pgCtl}'";
        var script = $"if [ -f '{_dataDir}/postmaster.pid' ]; then {stop} -D '{_dataDir}' -m fast -w -t 30 stop >/dev/null 2>&1 || {stop} -D '{_dataDir}' -m immediate stop >/dev/null 2>&1; fi; " +
                     (removeFolder is null ? "" : $"rm -rf '{removeFolder}'");
        RunWhenThisProcessExits(script);
    }

    /// <summary>
    /// Runs a shell script from a watchdog outside this process's group (setsid) once this process has ended, however it
    /// ended. The script is given a loop that waits for this process first.
    /// </summary>
    public static void RunWhenThisProcessExits(string script)
    {
        if (OperatingSystem.IsWindows()) return;
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", "bash", "-c", $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {script}" }) psi.ArgumentList.Add(a);
        using var watchdog = Process.Start(psi);
    }

    public void Dispose()
    {
        if (!_started) return;
        _started = false;
        NpgsqlConnection.ClearAllPools();
        TryRun(_binDir, _runAs, "pg_ctl", "-D", _dataDir, "-m", "fast", "-w", "stop");
    }

    private static string FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(c => File.Exists(Path.Combine(c.dir, "pg_ctl")))
                .OrderByDescending(c => c.version).ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0].dir
            : throw new InvalidOperationException(
                "PostgreSQL server binaries were not found under /usr/lib/postgresql. Install them (apt-get install postgresql) " +
                "or configure ConnectionStrings:Default to use an existing server.");
    }

    private static void GiveTo(string? user, params string[] paths)
    {
        if (user is null || OperatingSystem.IsWindows()) return;
        foreach (var path in paths)
        {
            Run(null, null, "chown", "-R", $"{user}:{user}", path);
        }
        var dir = Path.GetDirectoryName(paths[0]);
        // The account must be able to reach the folder: make each parent traversable.
        while (!string.IsNullOrEmpty(dir) && dir != "/")
        {
            var mode = File.GetUnixFileMode(dir);
            if (!mode.HasFlag(UnixFileMode.OtherExecute)) File.SetUnixFileMode(dir, mode | UnixFileMode.OtherExecute);
            dir = Path.GetDirectoryName(dir);
        }
    }

    /// <summary>A TCP port on loopback that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryRun(string? binDir, string? runAs, string tool, params string[] args)
    {
        try { Run(binDir, runAs, tool, args); }
        catch (InvalidOperationException) { /* best effort: the server may already be gone */ }
    }

    private static void Run(string? binDir, string? runAs, string tool, params string[] args)
    {
        var exe = binDir is null ? tool : Path.Combine(binDir, tool);
        var psi = runAs is null ? new ProcessStartInfo(exe) : new ProcessStartInfo("runuser");
        if (runAs is not null)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(runAs);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(exe);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = "/";
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {exe}.");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not finish within 120 s.");
        }
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed with exit code {p.ExitCode}: {stderr}{stdout}".Trim());
        }
    }
}
