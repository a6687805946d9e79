namespace Signalbook.Features.Journal.Import;

/// <summary>The broker formats of the app (found by reflection) and detection of a file's format from its content.</summary>
public static class BrokerFormats
{
    public static IReadOnlyList<IBrokerFileFormat> All { get; } = typeof(IBrokerFileFormat).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IBrokerFileFormat).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(t => (IBrokerFileFormat)Activator.CreateInstance(t)!)
        .OrderBy(f => f.Id, StringComparer.Ordinal)
        .ToList();

    public static IBrokerFileFormat? Find(string id) => All.FirstOrDefault(f => f.Id == id);

    /// <summary>
    /// The format whose detector is most certain. Throws <see cref="ImportFileException"/> naming the file when no format
    /// recognises it, or when two formats claim it equally (the user then picks one).
    /// </summary>
    public static IBrokerFileFormat Detect(ImportFile file)
    {
        var scored = All.Select(f => (Format: f, Score: SafeDetect(f, file))).Where(s => s.Score > 0).OrderByDescending(s => s.Score).ToList();
        if (scored.Count == 0)
        {
            throw new ImportFileException($"'{file.FileName}' is not a broker export Signalbook knows. Choose the generic CSV format and map its columns, or see the list of supported brokers.");
        }
        if (scored.Count > 1 && scored[0].Score == scored[1].Score)
        {
            throw new ImportFileException($"'{file.FileName}' could be {scored[0].Format.Broker} or {scored[1].Format.Broker}; choose the broker.");
        }
        return scored[0].Format;
    }

    private static int SafeDetect(IBrokerFileFormat format, ImportFile file)
    {
        try
        {
            return format.Detect(file);
        }
        catch (Exception)
        {
            return 0;
        }
    }
}
