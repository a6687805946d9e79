using System.Diagnostics;

namespace Signalbook.Bench;

/// <summary>Starts this bench process again with another runtime setting, its output going straight through.</summary>
internal static class BenchProcess
{
    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// The same command line under the server garbage collector, which the app runs with (the Web SDK's default) and the
    /// bench project does not: a bench that hosts the app's request path in its own process measures it under the app's
    /// collector. Returns the child's exit code.
    /// </summary>
    public static async Task<int> RunAgainWithServerGcAsync(CancellationToken ct)
    {
        Console.WriteLine("Starting again under the server garbage collector, as the app runs.");
        try
        {
            return await RunWithServerGcAsync(Environment.GetCommandLineArgs().Skip(1), null, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 130; // the child said so and cleaned up
        }
    }

    /// <summary>
    /// Runs another bench of this assembly (<paramref name="args"/>: its name and options) under the server garbage
    /// collector, its lines printed indented as they come; returns its exit code and the values of its RESULT line.
    /// </summary>
    public static async Task<(int ExitCode, Dictionary<string, string> Result)> RunBenchAsync(IEnumerable<string> args, CancellationToken ct)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var code = await RunWithServerGcAsync(args, line =>
        {
            Console.WriteLine("  | " + line);
            if (!line.StartsWith("RESULT ", StringComparison.Ordinal)) return;
            foreach (var pair in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(2))
                if (pair.Split('=', 2) is [var key, var value]) result[key] = value;
        }, ct);
        return (code, result);
    }

    private static async Task<int> RunWithServerGcAsync(IEnumerable<string> args, Action<string>? onLine, CancellationToken ct)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable.");
        var start = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = onLine is not null };
        // Under `dotnet Signalbook.Bench.dll …` the first argument is the assembly; under the apphost it is the apphost itself.
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase)) start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_gcServer"] = "1";
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}.");
        try
        {
            if (onLine is not null)
                while (await child.StandardOutput.ReadLineAsync(ct) is { } line) onLine(line);
            await child.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C reaches the child too (same process group), a SIGTERM sent to this process alone does not: pass it on,
            // then give the child a moment to clean up (its temp folder, its PostgreSQL).
            if (!child.HasExited) _ = Kill(child.Id, SigTerm);
            if (!child.WaitForExit(TimeSpan.FromSeconds(30))) child.Kill(entireProcessTree: true);
            throw;
        }
        return child.ExitCode;
    }
}
