using System.Diagnostics;

namespace Signalbook.Hosting;

/// <summary>
/// Times the steps of one long operation (an import, an alert run) for its log line and the benches: each
/// <see cref="Mark"/> records the time since the previous mark (or since the timer was made) under the step's name.
/// </summary>
public sealed class PhaseTimer
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly Dictionary<string, TimeSpan> _phases = [];

    public IReadOnlyDictionary<string, TimeSpan> Phases => _phases;

    public void Mark(string name)
    {
        _phases[name] = _watch.Elapsed;
        _watch.Restart();
    }

    /// <summary>The steps in milliseconds.</summary>
    public Dictionary<string, double> Milliseconds() => _phases.ToDictionary(p => p.Key, p => p.Value.TotalMilliseconds);

    /// <summary>The steps in seconds.</summary>
    public Dictionary<string, double> Seconds() => _phases.ToDictionary(p => p.Key, p => p.Value.TotalSeconds);

    /// <summary>Steps as a log line or a bench prints them: "load 1.20 s, build 0.31 s" (<paramref name="format"/> for each value, then <paramref name="unit"/>).</summary>
    public static string Describe(IReadOnlyDictionary<string, double> phases, string format, string unit = "")
        => string.Join(", ", phases.Select(p => $"{p.Key} {p.Value.ToString(format, System.Globalization.CultureInfo.CurrentCulture)}{unit}"));
}
