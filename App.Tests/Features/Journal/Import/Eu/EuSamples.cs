using Signalbook.Features.Journal.Import;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Journal.Import.Eu;

/// <summary>The shared broker samples (read at run time from SIGNALBOOK_DATA, never copied into the repository).</summary>
internal static class EuSamples
{
    public static string Root => Path.Combine(SharedData.Root, "broker-exports");

    public static ImportFile Load(string relative) =>
        new(Path.GetFileName(relative), File.ReadAllBytes(Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar))));

    public static ParseResult Parse(string formatId, string relative, ImportOptions? options = null) =>
        BrokerFormats.Find(formatId)!.Parse(Load(relative), options ?? new ImportOptions());

    public static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);
}
