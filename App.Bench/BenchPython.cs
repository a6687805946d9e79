using System.Diagnostics;

namespace Signalbook.Bench;

/// <summary>
/// The Python with pandas that the benches compare against (--python, else Debian's /usr/bin/python3, else python3 on the
/// PATH; as root, installs python3-pandas with apt-get when pandas is missing), and a run of a script that is killed when
/// the bench is cancelled (Ctrl+C), so the temp folder can be removed.
/// </summary>
public static class BenchPython
{
    public static string Find(string configured, string bench)
    {
        var candidates = configured.Length > 0 ? [configured] : new[] { "/usr/bin/python3", "python3" };
        foreach (var candidate in candidates)
            if (HasPandas(candidate)) return candidate;
        if (configured.Length == 0 && Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            Console.WriteLine("pandas is missing: installing python3-pandas with apt-get …");
            Run("/usr/bin/apt-get", "install", "-y", "-q", "python3-pandas");
            if (HasPandas("/usr/bin/python3")) return "/usr/bin/python3";
            // A fresh machine has no package lists yet: the install found nothing to install.
            Run("/usr/bin/apt-get", "update", "-q");
            Run("/usr/bin/apt-get", "install", "-y", "-q", "python3-pandas");
            if (HasPandas("/usr/bin/python3")) return "/usr/bin/python3";
        }
        throw new InvalidOperationException(
            $"bench {bench} needs Python 3 with pandas and numpy. Install them (Debian: sudo apt-get install python3-pandas) or pass --python <path>.");
    }

    /// <summary>Runs <c>python script dir</c>, echoing its progress lines; returns the fields of its <c>PANDAS k=v …</c> line.</summary>
    public static async Task<Dictionary<string, string>> RunScriptAsync(string python, string script, string dir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(dir);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{python} did not start.");
        using var kill = ct.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        });
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        string? result = null;
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } line)
        {
            if (line.StartsWith("PANDAS ", StringComparison.Ordinal)) result = line;
            else Console.WriteLine("  " + line);
        }
        await process.WaitForExitAsync(CancellationToken.None);
        ct.ThrowIfCancellationRequested();
        if (process.ExitCode != 0) throw new InvalidOperationException($"The pandas script failed ({process.ExitCode}): {await stderr}");
        if (result is null) throw new InvalidOperationException($"The pandas script printed no PANDAS line. {await stderr}");
        return result.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
    }

    private static bool HasPandas(string python)
    {
        try
        {
            return Run(python, "-c", "import pandas, numpy") == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static int Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
