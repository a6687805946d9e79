using System.Diagnostics;

namespace Signalbook.Bench;

/// <summary>Starts this bench process again with another runtime setting, its output going straight through.</summary>
internal static class BenchProcess
{
    /// <summary>
    /// The same command line under the server garbage collector, which the app runs with (the Web SDK's default) and the
    /// bench project does not: a bench that hosts the app's request path in its own process measures it under the app's
    /// collector. Returns the child's exit code.
    /// </summary>
    public static async Task<int> RunAgainWithServerGcAsync(CancellationToken ct)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable.");
        var argv = Environment.GetCommandLineArgs();
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        // Under `dotnet Signalbook.Bench.dll …` the first argument is the assembly; under the apphost it is the apphost itself.
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase)) start.ArgumentList.Add(argv[0]);
        foreach (var arg in argv.Skip(1)) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_gcServer"] = "1";
        Console.WriteLine("Starting again under the server garbage collector, as the app runs.");
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {self}.");
        try
        {
            await child.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C reached the child too (same process group); give it a moment to clean up its PostgreSQL.
            if (!child.WaitForExit(TimeSpan.FromSeconds(30))) child.Kill(entireProcessTree: true);
            throw;
        }
        return child.ExitCode;
    }
}
