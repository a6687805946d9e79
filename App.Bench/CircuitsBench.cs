using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Signalbook.Bench.Circuits;
using Signalbook.E2E.Infrastructure;

namespace Signalbook.Bench;

/// <summary>
/// <c>bench circuits [--circuits 10,100,1000] [--actions 5] [--think-ms 3000] [--parallel 8] [--timeout-s 120] [--hold-s 0]</c>:
/// starts the app (Release build, demo data, a private PostgreSQL, as the browser tests start it), makes one trader
/// account per circuit, and for each N opens N real Blazor Server circuits with <see cref="CircuitClient"/>: each signs
/// in as its own trader, opens the Markets page, moves to the recommendations dashboard and then repeats the
/// dashboard's "minimum confidence" filter (a change event on its input), timing each until the server answered the
/// event and a render batch came back. The server measures itself through the admin-only
/// <see cref="Signalbook.Hosting.RuntimeDiagnostics"/> endpoint (RSS from /proc, managed heap after a forced full
/// collection, CPU time, open circuits) before the circuits open and while all are held; per circuit is the
/// difference over N. Steps run one after the other in the same app process; each closes its circuits (the browser's
/// disconnect beacon) and waits for the server to count them gone before the next measures its baseline.
/// </summary>
public sealed class CircuitsBench : IBench
{
    public string Name => "circuits";
    public string Description => "N real Blazor Server circuits (Markets, recommendations, a filter action): latency, memory per circuit, CPU, errors";

    private const string MarketsPath = "/markets";
    private const string DashboardPath = "/recommendations";
    private static readonly string[] MarketsReady = ["markets-grid", "markets-search"];
    private static readonly string[] ConfidenceFilter = ["filter-confidence", "aria:Minimum confidence in percent"];

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var steps = BenchOutput.Option(args, "circuits", "10,100")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var actions = BenchOutput.IntOption(args, "actions", 5);
        var thinkMs = BenchOutput.IntOption(args, "think-ms", 3000);
        var parallel = BenchOutput.IntOption(args, "parallel", 8);
        var timeout = TimeSpan.FromSeconds(BenchOutput.IntOption(args, "timeout-s", 120));
        var holdSeconds = BenchOutput.IntOption(args, "hold-s", 0);
        Console.WriteLine($"bench circuits: steps {string.Join(", ", steps)}; {actions} filter actions per circuit, think {thinkMs} ms ± 50 %; open {parallel} at a time; timeout {timeout.TotalSeconds:F0} s; {Environment.ProcessorCount} cores");

        var (server, baseUrl, connection) = await BenchApp.StartOrAttachAsync(args);
        await using var app = server;

        var made = Stopwatch.StartNew();
        await LoadTraders.CreateAsync(connection, AppServer.DemoTraderEmail, steps.Max(), ct);
        Console.WriteLine($"  {steps.Max()} trader accounts made in {made.Elapsed.TotalMilliseconds:F0} ms");

        await using var admin = new CircuitClient(baseUrl, timeout);
        await admin.SignInAsync(AppServer.AdminEmail, AppServer.AdminPassword, ct);
        var diagnostics = new ServerProbe(baseUrl, admin);

        // Warm-up: JIT, EF model, MudBlazor and the pages' first queries, so step one measures circuits, not start-up.
        var warm = await RunStepAsync(2, 1, 0, parallel, timeout, diagnostics, baseUrl, ct, quiet: true);
        Console.WriteLine($"  warm-up: {warm.Held} circuits, {warm.Errors.Count} errors{(warm.Errors.Count > 0 ? ": " + warm.Errors[0] : "")}");

        StepResult? last = null;
        var summary = new List<(string, object)>();
        foreach (var n in steps)
        {
            ct.ThrowIfCancellationRequested();
            var step = await RunStepAsync(n, actions, thinkMs, parallel, timeout, diagnostics, baseUrl, ct, quiet: false, holdSeconds);
            summary.Add(($"n{n}_held", step.Held));
            summary.Add(($"n{n}_p95_ms", Math.Round(step.Percentile(0.95), 1)));
            summary.Add(($"n{n}_rss_kb", Math.Round(step.RssPerCircuitKb, 0)));
            summary.Add(($"n{n}_heap_kb", Math.Round(step.HeapPerCircuitKb, 0)));
            summary.Add(($"n{n}_errors", step.Errors.Count));
            last = step;
        }

        if (last is null) return 2;
        BenchOutput.Result(Name,
        [
            ("circuits", last.Requested), ("circuits_held", last.Held), ("server_circuits", last.ServerCircuits),
            ("action_p50_ms", Math.Round(last.Percentile(0.50), 1)), ("action_p95_ms", Math.Round(last.Percentile(0.95), 1)),
            ("action_p99_ms", Math.Round(last.Percentile(0.99), 1)), ("actions", last.Latencies.Count),
            ("rss_per_circuit_kb", Math.Round(last.RssPerCircuitKb, 0)), ("heap_per_circuit_kb", Math.Round(last.HeapPerCircuitKb, 0)),
            ("server_rss_mb", Math.Round(last.Held_.RssBytes / 1048576.0, 0)), ("server_cpu_s", Math.Round(last.ServerCpuSeconds, 1)),
            ("actions_cpu_s", Math.Round(last.ActionsCpuSeconds, 1)), ("client_cpu_s", Math.Round(last.ClientCpuSeconds, 1)),
            ("batch_kb_per_circuit", Math.Round(last.BatchKbPerCircuit, 0)), ("errors", last.Errors.Count),
            ("think_ms", thinkMs), ("cores", Environment.ProcessorCount),
            .. summary,
        ]);
        return last.Errors.Count == 0 && last.Held == last.Requested ? 0 : 1;
    }

    private static async Task<StepResult> RunStepAsync(int n, int actions, int thinkMs, int parallel, TimeSpan timeout, ServerProbe probe,
        string baseUrl, CancellationToken ct, bool quiet, int holdSeconds = 0)
    {
        void Say(string line) { if (!quiet) Console.WriteLine(line); }
        var errors = new ConcurrentQueue<string>();
        var baseline = await probe.ReadAsync(gc: true, ct);
        Say($"  N={n}: baseline rss {baseline.RssBytes / 1048576.0:F0} MB, heap {baseline.HeapBytes / 1048576.0:F0} MB, {baseline.OpenCircuits} circuits open");
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime;

        var clients = new CircuitClient?[n];
        var opening = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(parallel);
        var opened = 0;
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            await gate.WaitAsync(ct);
            var client = new CircuitClient(baseUrl, timeout);
            try
            {
                await client.SignInAsync(LoadTraders.Email(i + 1), AppServer.DemoPassword, ct);
                await client.StartCircuitAsync(MarketsPath, ct);
                await client.WaitForAsync(() => MarketsReady.Any(k => client.Element(k) is not null), "Markets page", ct);
                await client.NavigateAsync(DashboardPath, ct);
                await client.WaitForAsync(() => client.Handler("change", ConfidenceFilter) is not null, "dashboard filter", ct);
                clients[i] = client;
                var count = Interlocked.Increment(ref opened);
                if (count % Math.Max(1, n / 10) == 0) Say($"    {count}/{n} circuits open ({opening.Elapsed.TotalSeconds:F0} s)");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                errors.Enqueue($"open #{i + 1}: {ex.GetType().Name}: {ex.Message}" + (ex is TimeoutException ? $" (seen: {client.SeenTestIds()})" : ""));
                await client.DisposeAsync();
            }
            finally
            {
                gate.Release();
            }
        }));
        var live = clients.Where(c => c is not null).Cast<CircuitClient>().ToList();
        Say($"    {live.Count}/{n} circuits on the dashboard in {opening.Elapsed.TotalSeconds:F1} s");

        var held = await probe.ReadAsync(gc: true, ct);
        if (holdSeconds > 0 && !quiet)
        {
            // For a profiler (dotnet-gcdump collect -p <app pid>): the circuits stay open, idle, this long.
            Say($"    holding {live.Count} circuits for {holdSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(holdSeconds), ct);
        }
        // Held means still connected when the memory is read (a circuit can open and then lose its connection); the
        // memory per circuit divides by what the server counts open, the figure the memory belongs to.
        var connected = live.Count(c => c.IsConnected);
        var serverCircuits = held.OpenCircuits - baseline.OpenCircuits;
        if (connected < live.Count) errors.Enqueue($"{live.Count - connected} of {live.Count} circuits lost their connection before the memory reading");
        Say($"    held: rss {held.RssBytes / 1048576.0:F0} MB, heap {held.HeapBytes / 1048576.0:F0} MB, {connected} clients connected, server counts {held.OpenCircuits} circuits");

        var latencies = new ConcurrentBag<double>();
        var actionsStart = await probe.ReadAsync(gc: false, ct);
        var acting = Stopwatch.StartNew();
        await Task.WhenAll(live.Select(async (client, index) =>
        {
            var random = new Random(index);
            for (var a = 0; a < actions; a++)
            {
                if (thinkMs > 0) await Task.Delay(thinkMs / 2 + random.Next(thinkMs + 1), ct);
                try
                {
                    var handler = client.Handler("change", ConfidenceFilter) ?? throw new InvalidOperationException("the confidence filter's change handler is gone");
                    // Alternate between a threshold and none, so every action changes the filter.
                    var elapsed = await client.DispatchAsync(handler, "change", new { value = a % 2 == 0 ? "50" : "" }, ct);
                    latencies.Add(elapsed.TotalMilliseconds);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    errors.Enqueue($"action: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }));
        var actionsEnd = await probe.ReadAsync(gc: false, ct);
        Say($"    {latencies.Count} actions in {acting.Elapsed.TotalSeconds:F1} s ({latencies.Count / Math.Max(0.001, acting.Elapsed.TotalSeconds):F1}/s)");

        foreach (var client in live)
            while (client.Errors.TryDequeue(out var e)) errors.Enqueue(e);
        var bytes = live.Sum(c => c.BatchBytes);
        clientCpu = Process.GetCurrentProcess().TotalProcessorTime - clientCpu;

        // Close as browsers do, then wait until the server counts them gone, so the next step's baseline is clean.
        await Task.WhenAll(live.Select(async client =>
        {
            try { await client.CloseCircuitAsync(ct); }
            catch (HttpRequestException) { }
            await client.DisposeAsync();
        }));
        var closing = Stopwatch.StartNew();
        ServerReading after;
        while ((after = await probe.ReadAsync(gc: false, ct)).OpenCircuits > baseline.OpenCircuits && closing.Elapsed < timeout) await Task.Delay(500, ct);
        if (after.OpenCircuits > baseline.OpenCircuits) errors.Enqueue($"{after.OpenCircuits - baseline.OpenCircuits} circuits still open {timeout.TotalSeconds:F0} s after closing");

        var result = new StepResult(n, connected, serverCircuits, [.. latencies.Order()], [.. errors], baseline, held,
            (actionsEnd.CpuMs - baseline.CpuMs) / 1000.0, (actionsEnd.CpuMs - actionsStart.CpuMs) / 1000.0, clientCpu.TotalSeconds,
            live.Count == 0 ? 0 : bytes / 1024.0 / live.Count);
        Say($"    N={n}: held {result.Held}, p50 {result.Percentile(0.5):F1} ms, p95 {result.Percentile(0.95):F1} ms, p99 {result.Percentile(0.99):F1} ms; " +
            $"{result.RssPerCircuitKb:F0} KB RSS and {result.HeapPerCircuitKb:F0} KB heap per circuit; server CPU {result.ServerCpuSeconds:F1} s " +
            $"({result.ActionsCpuSeconds:F1} s in the actions), this client {result.ClientCpuSeconds:F1} s; {result.BatchKbPerCircuit:F0} KB of batches per circuit; {result.Errors.Count} errors");
        foreach (var e in result.Errors.GroupBy(e => e.Length > 120 ? e[..120] : e).OrderByDescending(g => g.Count()).Take(5))
            Say($"      {g(e.Count())}× {e.Key}");
        return result;

        static string g(int c) => c.ToString(CultureInfo.InvariantCulture);
    }

    private sealed record StepResult(int Requested, int Held, long ServerCircuits, List<double> Latencies, List<string> Errors, ServerReading Baseline, ServerReading Held_,
        double ServerCpuSeconds, double ActionsCpuSeconds, double ClientCpuSeconds, double BatchKbPerCircuit)
    {
        public double RssPerCircuitKb => ServerCircuits <= 0 ? double.NaN : (Held_.RssBytes - Baseline.RssBytes) / 1024.0 / ServerCircuits;
        public double HeapPerCircuitKb => ServerCircuits <= 0 ? double.NaN : (Held_.HeapBytes - Baseline.HeapBytes) / 1024.0 / ServerCircuits;

        public double Percentile(double p) => BenchOutput.Percentile(Latencies, p); // Latencies are sorted
    }

    private sealed record ServerReading(long RssBytes, long HeapBytes, long CpuMs, long OpenCircuits);

    /// <summary>Reads the app's admin-only runtime diagnostics as the signed-in admin.</summary>
    private sealed class ServerProbe(string baseUrl, CircuitClient admin)
    {
        private sealed record Reading(long RssBytes, long GcHeapSizeBytes, long CpuMilliseconds, long OpenCircuits);

        public async Task<ServerReading> ReadAsync(bool gc, CancellationToken ct)
        {
            var r = await admin.GetJsonAsync<Reading>($"{Signalbook.Hosting.RuntimeDiagnostics.Path.TrimStart('/')}?gc={(gc ? "true" : "false")}", ct)
                ?? throw new InvalidOperationException($"No diagnostics from {baseUrl}.");
            return new ServerReading(r.RssBytes, r.GcHeapSizeBytes, r.CpuMilliseconds, r.OpenCircuits);
        }
    }
}
