using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Signalbook.Features.Operations.SystemStatus; // not ".System": it would shadow the System namespace in Signalbook.Features.Operations.*

/// <summary>How many Blazor circuits are open on this node (a singleton the per-circuit handler counts into).</summary>
public sealed class OpenCircuits
{
    private int _count;
    private long _opened;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Circuits opened since the process started (the circuit load bench reads it).</summary>
    public long OpenedTotal => Interlocked.Read(ref _opened);

    internal void Opened()
    {
        Interlocked.Increment(ref _count);
        Interlocked.Increment(ref _opened);
    }

    internal void Closed() => Interlocked.Decrement(ref _count);
}

/// <summary>Counts circuits as they open and close (Blazor creates one handler per circuit).</summary>
public sealed class CircuitCountingHandler(OpenCircuits circuits) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        circuits.Opened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        circuits.Closed();
        return Task.CompletedTask;
    }
}
