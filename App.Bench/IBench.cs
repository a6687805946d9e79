using System.Globalization;
using System.Reflection;

namespace Signalbook.Bench;

/// <summary>
/// A benchmark run by <c>dotnet run -c Release --project App.Bench -- &lt;name&gt; [options]</c>. Any non-abstract class of this assembly that
/// implements it, with a parameterless constructor, is found by <see cref="BenchRunner"/>: adding a bench is adding
/// one class. A bench prints what it does and ends with exactly one line
/// <c>RESULT &lt;name&gt; key=value …</c> (see <see cref="BenchOutput.Result"/>).
/// </summary>
public interface IBench
{
    string Name { get; }

    /// <summary>One line for the list printed by <c>bench</c> without a name.</summary>
    string Description { get; }

    /// <summary>Runs the bench; returns the process exit code.</summary>
    Task<int> RunAsync(string[] args, CancellationToken ct);
}

/// <summary>Finds the benches and runs the one named on the command line.</summary>
public static class BenchRunner
{
    public static IReadOnlyList<IBench> All { get; } = typeof(IBench).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IBench).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IBench)Activator.CreateInstance(t)!)
        .OrderBy(b => b.Name, StringComparer.Ordinal)
        .ToList();

    public static async Task<int> RunAsync(string[] args, CancellationToken ct = default)
    {
        var bench = args.Length > 0 ? All.FirstOrDefault(b => string.Equals(b.Name, args[0], StringComparison.OrdinalIgnoreCase)) : null;
        if (bench is null)
        {
            Console.Error.WriteLine(args.Length == 0 ? "Which bench? Usage: dotnet run -c Release --project App.Bench -- <name> [options]" : $"Unknown bench '{args[0]}'. Usage: dotnet run -c Release --project App.Bench -- <name> [options]");
            foreach (var b in All) Console.Error.WriteLine($"  {b.Name,-10} {b.Description}");
            return 2;
        }
        return await bench.RunAsync(args[1..], ct);
    }
}

/// <summary>What the benches share: where the data is, memory readings, options and the RESULT line.</summary>
public static class BenchOutput
{
    /// <summary>Prints the bench's last line: <c>RESULT name k=v k=v …</c>, numbers in invariant culture.</summary>
    public static void Result(string bench, params (string Key, object Value)[] metrics)
    {
        string Format(object v) => v switch
        {
            double d => d.ToString(d >= 100 ? "F0" : "0.###", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
        Console.WriteLine($"RESULT {bench} {string.Join(' ', metrics.Select(m => $"{m.Key}={Format(m.Value)}"))}");
    }

    /// <summary>The shared reference data: SIGNALBOOK_DATA, or ../shared/data beside the repository (as the tests find it).</summary>
    public static string DataRoot()
    {
        var configured = Environment.GetEnvironmentVariable("SIGNALBOOK_DATA");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        var repo = RepositoryRoot() ?? throw new DirectoryNotFoundException("Cannot find the repository (Blazor.sln) to locate ../shared/data; set SIGNALBOOK_DATA.");
        var root = Path.GetFullPath(Path.Combine(repo, "..", "shared", "data"));
        return Directory.Exists(root) ? root : throw new DirectoryNotFoundException($"Reference data not found at {root}; set SIGNALBOOK_DATA to the shared data folder.");
    }

    /// <summary>The folder holding Blazor.sln, searched up from the working directory and from the program's folder.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Blazor.sln"))) return dir.FullName;
        }
        return null;
    }

    /// <summary>Peak resident memory of this process (VmHWM) in MB, or NaN where /proc is missing.</summary>
    public static double PeakRssMb() => ProcStatus("VmHWM:");

    public static double RssMb() => ProcStatus("VmRSS:");

    /// <summary>Resets VmHWM to the current RSS (Linux: "5" into /proc/self/clear_refs), so a phase's peak can be read alone.</summary>
    public static bool ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static double ProcStatus(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? double.NaN : double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }

    /// <summary>The nearest-rank percentile (<paramref name="p"/> from 0 to 1) of values sorted ascending; NaN for none.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    /// <summary>The value of <c>--name value</c> in the options, or the default.</summary>
    public static string Option(string[] args, string name, string fallback)
    {
        var at = Array.IndexOf(args, "--" + name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    public static int IntOption(string[] args, string name, int fallback)
        => int.TryParse(Option(args, name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    public static string Version => typeof(BenchOutput).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
}
