using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Signalbook.Features.Operations.Errors;

/// <summary>
/// Groups errors: the exception type plus the top frames of the app's own code (Signalbook.*), normalised so that a
/// rebuild, another line number, another message or another lambda ordinal leaves the fingerprint unchanged. When no
/// frame is the app's (an error inside the framework), the top frames of any code are used.
/// </summary>
public static partial class ErrorFingerprint
{
    public const int Frames = 5;
    private const string AppNamespace = "Signalbook.";

    /// <summary>The exception whose type and frames name the error: wrappers that only carry another are unwrapped.</summary>
    public static Exception Innermost(Exception e)
    {
        while ((e is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException
                || e.GetType().FullName == "Hangfire.Server.JobPerformanceException") && e.InnerException is { } inner) e = inner;
        return e;
    }

    public static string Of(Exception exception)
    {
        var e = Innermost(exception);
        return Compute(e.GetType().FullName ?? e.GetType().Name, e.StackTrace);
    }

    /// <summary>The fingerprint of a type and a .NET stack trace's text: 32 hex characters.</summary>
    public static string Compute(string type, string? stackTrace) => Hash(type + "\n" + string.Join("\n", TopFrames(stackTrace)));

    /// <summary>For errors without a stack (work a crash interrupted): a type and a stable key.</summary>
    public static string ForKey(string type, string key) => Hash(type + "\n#" + key);

    /// <summary>The normalised frames the fingerprint uses (for the detail page and the tests).</summary>
    public static IReadOnlyList<string> TopFrames(string? stackTrace)
    {
        if (string.IsNullOrWhiteSpace(stackTrace)) return [];
        var frames = stackTrace.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("at ", StringComparison.Ordinal))
            .Select(l => Normalise(l[3..]))
            .ToList();
        var own = frames.Where(f => f.StartsWith(AppNamespace, StringComparison.Ordinal)).Take(Frames).ToList();
        return own.Count > 0 ? own : frames.Take(Frames).ToList();
    }

    /// <summary>A frame without its file and line, its parameters, and compiler-generated ordinals.</summary>
    internal static string Normalise(string frame)
    {
        var f = frame;
        var inFile = f.IndexOf(" in ", StringComparison.Ordinal);
        if (inFile >= 0) f = f[..inFile];
        var args = f.IndexOf('(', StringComparison.Ordinal);
        if (args >= 0) f = f[..args];
        f = Ordinals().Replace(f, "$1");
        f = Offsets().Replace(f, "");
        return f.Trim();
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    // <Method>b__12_0, <>c__DisplayClass5_0, <RunAsync>d__14, g__Local|3_1: the digits change with any edit of the class.
    [GeneratedRegex(@"(__DisplayClass|>b__|>d__|>d|g__\w+\||>c__)[0-9_]+")]
    private static partial Regex Ordinals();

    [GeneratedRegex(@"\s*\+\s*0x[0-9a-fA-F]+")]
    private static partial Regex Offsets();
}
