namespace Signalbook.Features.Models;

/// <summary>
/// The parallel loops of model training, bounded to the machine's cores. Training runs inside the web app (a Hangfire
/// job); a Parallel.For left unbounded keeps taking every thread the pool adds while it is starved, so the circuits
/// and requests waiting for a thread got one only as the pool grew, seconds late. With the bound, training holds at most
/// one thread per core and the pool's other threads stay free for the pages.
/// </summary>
internal static class ModelParallelism
{
    public static ParallelOptions Options { get; } = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    public static ParallelOptions WithCancellation(CancellationToken ct) => new() { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct };
}
