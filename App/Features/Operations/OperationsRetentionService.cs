using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Signalbook.Data;

namespace Signalbook.Features.Operations;

public sealed record OperationsRetentionReport(int LogsDeleted, int ErrorsDeleted, int GroupsDeleted, DateTimeOffset LogCutoff, DateTimeOffset ResolvedCutoff);

/// <summary>
/// The seed's retention: service_logs older than <see cref="ServiceLogOptions.RetentionDays"/> (30) are deleted; errors
/// resolved more than <see cref="ErrorLogOptions.ResolvedRetentionDays"/> (90) ago are deleted, with their group once it
/// has no occurrence left; unresolved errors are kept however old.
/// </summary>
public sealed class OperationsRetentionService(IDbContextFactory<AppDbContext> factory, IOptionsMonitor<ServiceLogOptions> logs, IOptionsMonitor<ErrorLogOptions> errors,
    TimeProvider clock)
{
    public async Task<OperationsRetentionReport> PurgeAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var logCutoff = now.AddDays(-logs.CurrentValue.RetentionDays);
        var resolvedCutoff = now.AddDays(-errors.CurrentValue.ResolvedRetentionDays);
        await using var db = await factory.CreateDbContextAsync(ct);
        var logsDeleted = await db.ServiceLogs.Where(l => l.Timestamp < logCutoff).ExecuteDeleteAsync(ct);
        var errorsDeleted = await db.ErrorLogs.Where(e => e.Resolved && e.ResolvedAt < resolvedCutoff).ExecuteDeleteAsync(ct);
        var groupsDeleted = await db.ErrorGroups.Where(g => g.Resolved && g.ResolvedAt < resolvedCutoff && !db.ErrorLogs.Any(e => e.Fingerprint == g.Fingerprint))
            .ExecuteDeleteAsync(ct);
        return new OperationsRetentionReport(logsDeleted, errorsDeleted, groupsDeleted, logCutoff, resolvedCutoff);
    }
}
