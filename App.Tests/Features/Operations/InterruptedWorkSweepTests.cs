using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Signalbook.Features.Journal.Import;
using Signalbook.Features.Operations;
using Signalbook.Features.Operations.Errors;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations;

/// <summary>
/// Work cut short by a crash leaves a trace: the start-up sweep marks as interrupted the job runs and imports left
/// running by a dead node (stale heartbeat, stopped, or this node before its restart), never a live node's, and records
/// an error entry for each.
/// </summary>
public sealed class InterruptedWorkSweepTests : ServiceHarness
{
    [Fact]
    public async Task Sweep_MarksADeadNodesRunningWorkInterrupted_WithAnErrorEntry_AndLeavesLiveWorkAlone()
    {
        var trader = await CreateUserAsync("crash@test.local");
        var now = Clock.GetUtcNow();
        long deadRun, liveRun, ownOldRun, ownNewRun, deadImport;
        await using (var db = await DbAsync())
        {
            db.ServiceStatuses.AddRange(
                new ServiceStatus { NodeName = "node-dead", ServiceRunning = true, LastHeartbeat = now.AddMinutes(-10), CreatedAt = now, UpdatedAt = now },
                new ServiceStatus { NodeName = "node-live", ServiceRunning = true, LastHeartbeat = now.AddSeconds(-20), CreatedAt = now, UpdatedAt = now },
                new ServiceStatus { NodeName = "node-me", ServiceRunning = true, LastHeartbeat = now.AddSeconds(-5), CreatedAt = now, UpdatedAt = now });
            var runs = new[]
            {
                new TaskExecution { TaskName = JobCatalog.DailySync, NodeName = "node-dead", ExecutedAt = now.AddMinutes(-12), Status = TaskStatuses.Running },
                new TaskExecution { TaskName = JobCatalog.Features, NodeName = "node-live", ExecutedAt = now.AddMinutes(-12), Status = TaskStatuses.Running },
                new TaskExecution { TaskName = JobCatalog.TradingService, UserId = trader.Id, NodeName = "node-me", ExecutedAt = now.AddMinutes(-3), Status = TaskStatuses.Running },
                new TaskExecution { TaskName = JobCatalog.Recommendations, NodeName = "node-me", ExecutedAt = now.AddSeconds(1), Status = TaskStatuses.Running },
                // What FillImportService writes when an import starts; its node died before the fills' transaction committed.
                new TaskExecution { TaskName = FillImportService.ImportTask, UserId = trader.Id, RequestedBy = trader.Id, TriggerKind = "manual", NodeName = "node-dead",
                    ExecutedAt = now.AddMinutes(-11), Status = TaskStatuses.Running, Details = "{\"file\": \"big.csv\", \"fills\": 250000}" },
            };
            db.TaskExecutions.AddRange(runs);
            await db.SaveChangesAsync();
            (deadRun, liveRun, ownOldRun, ownNewRun, deadImport) = (runs[0].Id, runs[1].Id, runs[2].Id, runs[3].Id, runs[4].Id);
        }

        var found = await Services.GetRequiredService<InterruptedWorkSweep>().SweepAsync("node-me", thisNodeStartedAt: now);
        await Services.GetRequiredService<ErrorCapture>().FlushAsync();

        Assert.Equal(["import:big.csv", "job:market-data-daily-sync", "job:trading-service"], found.Select(w => $"{w.Kind}:{w.Name}").Order());
        await using var check = await DbAsync();
        var statuses = await check.TaskExecutions.ToDictionaryAsync(t => t.Id, t => t.Status);
        Assert.Equal(TaskStatuses.Interrupted, statuses[deadRun]);
        Assert.Equal(TaskStatuses.Interrupted, statuses[ownOldRun]); // this node before its restart
        Assert.Equal(TaskStatuses.Running, statuses[liveRun]); // a live node's run goes on
        Assert.Equal(TaskStatuses.Running, statuses[ownNewRun]); // started by this node after its start
        var dead = await check.TaskExecutions.SingleAsync(t => t.Id == deadRun);
        Assert.Equal(now, dead.FinishedAt);
        Assert.Contains("node node-dead stopped", dead.Error);
        Assert.Equal(TaskStatuses.Interrupted, statuses[deadImport]);

        var errors = await check.ErrorLogs.OrderBy(e => e.Id).ToListAsync();
        Assert.Equal(3, errors.Count);
        Assert.All(errors, e => Assert.Equal(InterruptedWorkSweep.ErrorType, e.ErrorType));
        var import = errors.Single(e => e.ErrorMessage.StartsWith($"The import of 'big.csv' (run {deadImport}) was interrupted", StringComparison.Ordinal));
        Assert.Equal(trader.Id, import.UserId);
        Assert.Contains("Nothing of the file was stored", import.ErrorMessage);
        Assert.Contains("\"InterruptedNode\": \"node-dead\"", import.Context);
        Assert.Equal(3, await check.ErrorGroups.CountAsync()); // one per kind of work

        // A second start finds nothing left to mark.
        Assert.Empty(await Services.GetRequiredService<InterruptedWorkSweep>().SweepAsync("node-me", now));
    }
}
