using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Operations;
using Signalbook.Jobs;

namespace Signalbook.Features.Portfolios.Service;

public sealed record ServiceRunRow(long Id, DateTimeOffset ExecutedAt, string Status, string TriggerKind, double? DurationSeconds, string? Error, string? Details);

public sealed record ServiceLogRow(long Id, DateTimeOffset Timestamp, string Level, string Message, string? Context);

/// <summary>A trader's trading service as their page (and the admin's) shows it.</summary>
public sealed record TradingServiceView(
    Guid UserId,
    string? Email,
    bool Running,
    DateTimeOffset? LastHeartbeat,
    DateTimeOffset? LastTaskExecution,
    int ErrorCount,
    string? LastError,
    TradingSchedule Schedule,
    int ActiveStrategies,
    IReadOnlyList<ServiceRunRow> Runs,
    IReadOnlyList<ServiceLogRow> Logs);

/// <summary>One row of the admin's list of every trader's service.</summary>
public sealed record TradingServiceSummary(Guid UserId, string Email, bool Running, DateTimeOffset? LastHeartbeat, DateTimeOffset? LastTaskExecution, int ErrorCount, string? LastError);

/// <summary>
/// Start and stop of each trader's own trading service. Start registers a recurring run on the schedule in the trader's
/// task_schedule and marks their service_status row running; stop removes it. A trader starts and stops their own;
/// an admin sees every service and can stop one (never start one for someone else).
/// </summary>
public sealed class TradingServiceManager(IDbContextFactory<AppDbContext> factory, ITradingServiceScheduler scheduler, ServiceLogWriter log, TimeProvider clock)
{
    public const string TaskName = "trading-service";
    public const int RunsShown = 20, LogsShown = 100;

    public async Task StartAsync(TradingCaller caller, CancellationToken ct = default)
    {
        caller.EnsureTrade(caller.UserId, "Trading service");
        await using var db = await factory.CreateDbContextAsync(ct);
        var config = await db.UserTradingConfigs.AsNoTracking().Where(c => c.UserId == caller.UserId).Select(c => c.TaskSchedule).SingleOrDefaultAsync(ct);
        var schedule = TradingSchedule.Parse(config);
        var status = await StatusRowAsync(db, caller.UserId, ct);
        status.ServiceRunning = true;
        status.LastHeartbeat = clock.GetUtcNow();
        status.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        scheduler.Register(caller.UserId, schedule);
        await log.WriteAsync(caller.UserId, ServiceLogLevels.Info, $"Service started: evaluates on '{schedule.EvaluateCron}' ({schedule.TimeZone}) and after each data sync.", ct: ct);
    }

    /// <summary>Stops a service: the owner's own, or any trader's for an admin.</summary>
    public async Task StopAsync(TradingCaller caller, Guid? ownerId = null, CancellationToken ct = default)
    {
        var owner = ownerId ?? caller.UserId;
        if (owner != caller.UserId && !caller.IsAdmin) throw new TradingNotFoundException("Trading service");
        if (owner == caller.UserId && !caller.CanCreate) throw new TradingForbiddenException("Viewers have no trading service to stop.");
        await using var db = await factory.CreateDbContextAsync(ct);
        var status = await StatusRowAsync(db, owner, ct);
        status.ServiceRunning = false;
        status.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        scheduler.Remove(owner);
        await log.WriteAsync(owner, ServiceLogLevels.Info, owner == caller.UserId ? "Service stopped." : "Service stopped by an admin.", ct: ct);
    }

    /// <summary>Runs the service once now (the owner only), outside its schedule.</summary>
    public async Task<string> RunNowAsync(TradingCaller caller, CancellationToken ct = default)
    {
        caller.EnsureTrade(caller.UserId, "Trading service");
        await using var db = await factory.CreateDbContextAsync(ct);
        var running = await db.ServiceStatuses.AnyAsync(s => s.UserId == caller.UserId && s.ServiceRunning, ct);
        if (!running) throw new TradingValidationException("Service", "Start the service first.");
        return scheduler.RunNow(caller.UserId, caller.UserId, "run now");
    }

    public async Task<TradingServiceView> ViewAsync(TradingCaller caller, Guid? ownerId = null, CancellationToken ct = default)
    {
        var owner = ownerId ?? caller.UserId;
        caller.EnsureRead(owner, "Trading service");
        await using var db = await factory.CreateDbContextAsync(ct);
        var status = await db.ServiceStatuses.AsNoTracking().SingleOrDefaultAsync(s => s.UserId == owner, ct);
        var email = await db.Users.AsNoTracking().Where(u => u.Id == owner).Select(u => u.Email).SingleOrDefaultAsync(ct);
        var schedule = TradingSchedule.Parse(await db.UserTradingConfigs.AsNoTracking().Where(c => c.UserId == owner).Select(c => c.TaskSchedule).SingleOrDefaultAsync(ct));
        var active = await db.Strategies.CountAsync(s => s.UserId == owner && s.IsActive && s.PortfolioId != null, ct);
        var runs = await db.TaskExecutions.AsNoTracking().Where(t => t.UserId == owner && t.TaskName == TaskName).OrderByDescending(t => t.ExecutedAt).Take(RunsShown)
            .Select(t => new ServiceRunRow(t.Id, t.ExecutedAt, t.Status, t.TriggerKind, t.DurationSeconds, t.Error, t.Details)).ToListAsync(ct);
        var logs = await db.ServiceLogs.AsNoTracking().Where(l => l.UserId == owner).OrderByDescending(l => l.Timestamp).ThenByDescending(l => l.Id).Take(LogsShown)
            .Select(l => new ServiceLogRow(l.Id, l.Timestamp, l.Level, l.Message, l.Context)).ToListAsync(ct);
        return new TradingServiceView(owner, email, status?.ServiceRunning ?? false, status?.LastHeartbeat, status?.LastTaskExecution, status?.ErrorCount ?? 0,
            status?.LastError, schedule, active, runs, logs);
    }

    /// <summary>Every trader's service (admins only).</summary>
    public async Task<IReadOnlyList<TradingServiceSummary>> AllAsync(TradingCaller caller, CancellationToken ct = default)
    {
        if (!caller.IsAdmin) throw new TradingForbiddenException("Only admins see every trader's service.");
        await using var db = await factory.CreateDbContextAsync(ct);
        return await (from s in db.ServiceStatuses.AsNoTracking()
                      where s.UserId != null
                      join u in db.Users on s.UserId equals u.Id
                      orderby s.ServiceRunning descending, u.Email
                      select new TradingServiceSummary(u.Id, u.Email ?? "", s.ServiceRunning, s.LastHeartbeat, s.LastTaskExecution, s.ErrorCount, s.LastError))
            .ToListAsync(ct);
    }

    /// <summary>The users whose service is running (for the run after each data sync).</summary>
    public async Task<IReadOnlyList<Guid>> RunningUsersAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.ServiceStatuses.AsNoTracking().Where(s => s.UserId != null && s.ServiceRunning).Select(s => s.UserId!.Value).ToListAsync(ct);
    }

    private async Task<ServiceStatus> StatusRowAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        var status = await db.ServiceStatuses.SingleOrDefaultAsync(s => s.UserId == userId, ct);
        if (status is not null) return status;
        status = new ServiceStatus { UserId = userId, CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow() };
        db.ServiceStatuses.Add(status);
        return status;
    }
}
