using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Signalbook.Features.Users;

namespace Signalbook.Hosting;

/// <summary>
/// How many Blazor circuits this process holds right now (opened minus closed), counted by <see cref="CircuitCountingHandler"/>.
/// </summary>
public sealed class CircuitCounter
{
    private long _open;
    private long _opened;

    public long Open => Interlocked.Read(ref _open);
    public long OpenedTotal => Interlocked.Read(ref _opened);

    internal void Opened()
    {
        Interlocked.Increment(ref _open);
        Interlocked.Increment(ref _opened);
    }

    internal void Closed() => Interlocked.Decrement(ref _open);
}

/// <summary>A per-circuit handler that only counts; it holds nothing of the circuit.</summary>
internal sealed class CircuitCountingHandler(CircuitCounter counter) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        counter.Opened();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        counter.Closed();
        return Task.CompletedTask;
    }
}

/// <summary>
/// <c>GET /admin/diagnostics/runtime</c> (admins only): the process's resident memory, managed heap, CPU time and open
/// circuits, for the circuit load bench and an operator's look. <c>?gc=true</c> first runs a full blocking,
/// compacting collection so the heap figure is what is live, not what is waiting to be collected.
/// </summary>
public static class RuntimeDiagnostics
{
    public const string Path = "/admin/diagnostics/runtime";

    public static IServiceCollection AddSignalbookRuntimeDiagnostics(this IServiceCollection services)
    {
        services.AddSingleton<CircuitCounter>();
        services.AddScoped<CircuitHandler, CircuitCountingHandler>();
        return services;
    }

    public static void MapSignalbookRuntimeDiagnostics(this WebApplication app)
    {
        app.MapGet(Path, (bool? gc, CircuitCounter circuits) =>
        {
            if (gc == true)
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
            using var process = Process.GetCurrentProcess();
            var info = GC.GetGCMemoryInfo();
            return Results.Ok(new
            {
                pid = Environment.ProcessId,
                rssBytes = ProcStatusBytes("VmRSS:") ?? process.WorkingSet64,
                managedHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                gcHeapSizeBytes = info.HeapSizeBytes,
                gcCommittedBytes = info.TotalCommittedBytes,
                cpuMilliseconds = (long)process.TotalProcessorTime.TotalMilliseconds,
                openCircuits = circuits.Open,
                openedCircuits = circuits.OpenedTotal,
                threads = process.Threads.Count,
            });
        }).RequireAuthorization(p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin));
    }

    /// <summary>A line of /proc/self/status in bytes (Linux), or null elsewhere.</summary>
    private static long? ProcStatusBytes(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? null : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
