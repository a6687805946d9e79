using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Operations.Errors;
using Signalbook.Jobs;

namespace Signalbook.Features.Operations;

public sealed record InterruptedWork(string Kind, long Id, string Name, string Node, Guid? UserId, DateTimeOffset StartedAt);

/// <summary>
/// Work cut short by a crash still leaves a trace. Job runs and file imports write their service_task_execution row,
/// marked running, when they start (an import's fills are one transaction, so a crash stores none of them); a node that dies leaves it so. At start-up this sweep marks as
/// interrupted every row left running by a dead node — one whose heartbeat is stale or which stopped, or this very node
/// before its restart — and records an error entry for each, so Admin → Errors (and the admins' notifications) say so.
/// </summary>
public sealed class InterruptedWorkSweep(IDbContextFactory<AppDbContext> factory, ErrorCapture errors, IOptions<ErrorLogOptions> options,
    TimeProvider clock, IServiceProvider services) : IHostedService
{
    public const string ErrorType = "Signalbook.InterruptedWork";
    private Task _sweep = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        var node = services.GetService<NodeIdentity>()?.Name ?? Environment.MachineName;
        // In the background: start-up does not wait for it, and work this node starts from now on is not touched.
        _sweep = Task.Run(async () =>
        {
            try
            {
                await SweepAsync(node, startedAt, CancellationToken.None);
                await errors.FlushAsync(CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Capture(e, typeof(InterruptedWorkSweep).FullName!, "The start-up sweep of interrupted work failed", null, null);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _sweep.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host stops waiting: the sweep's updates are each complete on their own, and the next start sweeps again.
        }
    }

    /// <summary>
    /// Marks interrupted the work left running by dead nodes, and by <paramref name="thisNode"/> before
    /// <paramref name="thisNodeStartedAt"/>; returns what it marked (each also queued as an error entry).
    /// </summary>
    public async Task<IReadOnlyList<InterruptedWork>> SweepAsync(string thisNode, DateTimeOffset thisNodeStartedAt, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var stale = now.AddSeconds(-options.Value.NodeStaleAfterSeconds);
        await using var db = await factory.CreateDbContextAsync(ct);
        var nodes = await db.ServiceStatuses.AsNoTracking().Where(s => s.NodeName != null)
            .Select(s => new { Name = s.NodeName!, s.ServiceRunning, s.LastHeartbeat }).ToListAsync(ct);
        var alive = nodes.Where(n => n.Name != thisNode && n.ServiceRunning && n.LastHeartbeat >= stale).Select(n => n.Name).ToList();

        bool Dead(string node, DateTimeOffset started) => node == thisNode ? started < thisNodeStartedAt : !alive.Contains(node) && (nodes.Any(n => n.Name == node) || started < stale);

        var found = new List<InterruptedWork>();
        var runs = await db.TaskExecutions.AsNoTracking().Where(t => t.Status == TaskStatuses.Running)
            .Select(t => new { t.Id, t.TaskName, t.NodeName, t.UserId, t.ExecutedAt, t.Details }).ToListAsync(ct);
        foreach (var run in runs.Where(r => Dead(r.NodeName, r.ExecutedAt)))
        {
            var error = Cut($"Interrupted: node {run.NodeName} stopped during the run (found at the start of {thisNode}).", 512);
            var updated = await db.TaskExecutions.Where(t => t.Id == run.Id && t.Status == TaskStatuses.Running).ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Status, TaskStatuses.Interrupted).SetProperty(t => t.FinishedAt, now).SetProperty(t => t.Error, error), ct);
            if (updated != 1) continue;
            found.Add(run.TaskName == FillImportService.ImportTask
                ? new InterruptedWork("import", run.Id, FileOf(run.Details) ?? "a file", run.NodeName, run.UserId, run.ExecutedAt)
                : new InterruptedWork("job", run.Id, run.TaskName, run.NodeName, run.UserId, run.ExecutedAt));
        }

        foreach (var w in found)
        {
            var what = w.Kind == "job" ? $"Job run {w.Id} of {w.Name}" : $"The import of '{w.Name}' (run {w.Id})";
            errors.Capture(ErrorType, $"{w.Kind}:{(w.Kind == "job" ? w.Name : "file-import")}",
                $"{what} was interrupted: node {w.Node} stopped before it finished (started {w.StartedAt:yyyy-MM-dd HH:mm:ss} UTC)."
                + (w.Kind == "import" ? " Nothing of the file was stored; it can be imported again." : ""),
                w.UserId, new Dictionary<string, object?>
                {
                    ["Source"] = "sweep", ["Kind"] = w.Kind, ["TaskExecutionId"] = w.Id,
                    [w.Kind == "job" ? "Job" : "File"] = w.Name, ["InterruptedNode"] = w.Node, ["StartedAt"] = w.StartedAt.ToString("O"),
                });
        }
        return found;
    }

    private static string Cut(string s, int max) => s.Length > max ? s[..max] : s;

    private static string? FileOf(string? details)
    {
        if (details is null) return null;
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(details);
            return doc.RootElement.TryGetProperty("file", out var file) ? file.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
