namespace Signalbook.Features.Operations.Logs;

/// <summary>
/// Set on the flow of the log writer and the error capture: whatever they (or the services they call: EF, Npgsql, the
/// notifier) log is not fed back into the database provider, so a failing database cannot log about itself for ever.
/// </summary>
public static class LogSuppression
{
    private static readonly AsyncLocal<bool> Flag = new();

    public static bool Active => Flag.Value;

    /// <summary>Suppresses the provider on this async flow (and the tasks it starts) until disposed.</summary>
    public static IDisposable Begin()
    {
        var previous = Flag.Value;
        Flag.Value = true;
        return new Restore(previous);
    }

    private sealed class Restore(bool previous) : IDisposable
    {
        public void Dispose() => Flag.Value = previous;
    }
}
