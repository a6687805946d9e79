using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;

namespace Signalbook.Jobs;

/// <summary>
/// This app node's row in service_status: a heartbeat every <see cref="JobsOptions.HeartbeatSeconds"/>,
/// the last job run and the errors so far; marked stopped on shutdown. The Jobs page lists the nodes.
/// </summary>
public sealed class NodeHeartbeat(IDbContextFactory<AppDbContext> factory, NodeIdentity identity, IOptions<JobsOptions> options,
    TimeProvider clock, ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private string Node => identity.Name;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), clock);
        do
        {
            try
            {
                await BeatAsync(running: true, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Heartbeat not written");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await BeatAsync(running: false, cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not mark this node stopped");
        }
    }

    public async Task BeatAsync(bool running, CancellationToken ct)
    {
        var node = Node;
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var updated = await db.ServiceStatuses.Where(s => s.NodeName == node)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.ServiceRunning, running).SetProperty(x => x.LastHeartbeat, now).SetProperty(x => x.UpdatedAt, now), ct);
        if (updated == 0)
        {
            db.ServiceStatuses.Add(new ServiceStatus { NodeName = node, ServiceRunning = running, LastHeartbeat = now, CreatedAt = now, UpdatedAt = now });
            await db.SaveChangesAsync(ct);
        }
    }

    public async Task RecordRunAsync(DateTimeOffset at, string? error, CancellationToken ct)
    {
        var node = Node;
        await using var db = await factory.CreateDbContextAsync(ct);
        var lastError = error is null ? null : error.Length > 512 ? error[..512] : error;
        await db.ServiceStatuses.Where(s => s.NodeName == node).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.LastTaskExecution, at)
            .SetProperty(x => x.UpdatedAt, at)
            .SetProperty(x => x.ErrorCount, x => x.ErrorCount + (error == null ? 0 : 1))
            .SetProperty(x => x.LastError, x => error == null ? x.LastError : lastError), ct);
    }
}
