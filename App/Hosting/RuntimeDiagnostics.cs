using System.Diagnostics;
using System.Globalization;
using Signalbook.Features.Operations.SystemStatus;
using Signalbook.Features.Users;

namespace Signalbook.Hosting;

/// <summary>
/// <c>GET /admin/diagnostics/runtime</c> (admins only): the process's resident memory, managed heap, CPU time and open
/// circuits, for the circuit load bench and an operator's look. <c>?gc=true</c> first runs a full blocking,
/// compacting collection so the heap figure is what is live, not what is waiting to be collected.
/// </summary>
public static class RuntimeDiagnostics
{
    public const string Path = "/admin/diagnostics/runtime";

    public static void MapSignalbookRuntimeDiagnostics(this WebApplication app)
    {
        app.MapGet(Path, (bool? gc, OpenCircuits circuits) =>
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
                openCircuits = circuits.Count,
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
