using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Jobs;

namespace Signalbook.Features.Operations.SystemStatus;

public static class AttentionKinds
{
    public const string FailingJob = "failing-job";
    public const string StaleNode = "stale-node";
    public const string StaleData = "stale-data";
    public const string ErrorGroups = "error-groups";
}

/// <summary>One thing an admin should look at on Admin → System, with where to go about it.</summary>
public sealed record AttentionItem(string Kind, string Severity, string Title, string Detail, string? Link = null, DateTimeOffset? Since = null);

/// <summary>
/// A source of "what needs attention" items. The built-in ones cover failing jobs, nodes not checking in, stale market
/// data and unresolved error groups; a feature adds its own by registering another (<c>services.AddSingleton&lt;IAttentionSource, …&gt;()</c>).
/// A source that fails is reported as an item of its own rather than hiding the others.
/// </summary>
public interface IAttentionSource
{
    string Name { get; }

    Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct);
}

/// <summary>Jobs with failed runs in the last 24 hours: one item per job, with its last error.</summary>
public sealed class FailingJobsAttention(IDbContextFactory<AppDbContext> factory, IOptionsMonitor<StatisticsOptions> options) : IAttentionSource
{
    public string Name => "Failing jobs";

    public async Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct)
    {
        var since = now.AddHours(-24);
        await using var db = await factory.CreateDbContextAsync(ct);
        var failed = await db.TaskExecutions.AsNoTracking().Where(t => t.Status == TaskStatuses.Failed && t.ExecutedAt >= since)
            .GroupBy(t => t.TaskName)
            .Select(g => new { Task = g.Key, Count = g.Count(), Last = g.OrderByDescending(t => t.ExecutedAt).ThenByDescending(t => t.Id).First() })
            .ToListAsync(ct);
        return failed.Where(f => f.Count >= options.CurrentValue.FailedRunsForAttention).OrderByDescending(f => f.Last.ExecutedAt)
            .Select(f => new AttentionItem(AttentionKinds.FailingJob, "error", $"Job {f.Task} failed {f.Count} time{(f.Count == 1 ? "" : "s")} in 24 h",
                f.Last.Error ?? "No error recorded.", "/admin/jobs", f.Last.ExecutedAt))
            .ToList();
    }
}

/// <summary>Nodes that say they run but whose heartbeat is older than Statistics:StaleHeartbeatMinutes.</summary>
public sealed class StaleNodesAttention(IDbContextFactory<AppDbContext> factory, IOptionsMonitor<StatisticsOptions> options) : IAttentionSource
{
    public string Name => "Nodes";

    public async Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct)
    {
        var limit = now.AddMinutes(-options.CurrentValue.StaleHeartbeatMinutes);
        await using var db = await factory.CreateDbContextAsync(ct);
        var stale = await db.ServiceStatuses.AsNoTracking()
            .Where(s => s.NodeName != null && s.ServiceRunning && (s.LastHeartbeat == null || s.LastHeartbeat < limit))
            .OrderBy(s => s.NodeName).ToListAsync(ct);
        return stale.Select(s => new AttentionItem(AttentionKinds.StaleNode, "warning", $"Node {s.NodeName} is not checking in",
            s.LastHeartbeat is { } beat ? $"Last heartbeat {Math.Round((now - beat).TotalMinutes)} min ago; it did not stop cleanly." : "It never sent a heartbeat.",
            "/admin/jobs", s.LastHeartbeat)).ToList();
    }
}

/// <summary>
/// Active instruments whose newest daily bar is older than their exchange's last completed session (closed an hour or more
/// ago, so the daily sync has had its chance), or that have no daily bar at all. One item listing them.
/// </summary>
public sealed class StaleDataAttention(IDbContextFactory<AppDbContext> factory) : IAttentionSource
{
    public static readonly TimeSpan SyncGrace = TimeSpan.FromHours(1);

    public string Name => "Market data";

    public async Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var instruments = await db.Instruments.AsNoTracking().Where(i => i.IsActive)
            .Select(i => new
            {
                i.Symbol, i.Exchange, i.TimeZone,
                Newest = db.PriceBars.Where(b => b.InstrumentId == i.Id && b.Interval == Intervals.OneDay).Max(b => (DateTimeOffset?)b.Ts),
            })
            .ToListAsync(ct);
        var stale = new List<(string Symbol, DateOnly? Newest, DateOnly Expected)>();
        foreach (var i in instruments)
        {
            var calendar = ExchangeCalendar.For(i.Exchange, i.TimeZone);
            var expected = LastCompletedSession(calendar, now);
            var newest = i.Newest is { } ts ? calendar.TradingDate(Intervals.OneDay, ts) : (DateOnly?)null;
            if (newest is null || newest < expected) stale.Add((i.Symbol, newest, expected));
        }
        if (stale.Count == 0) return [];
        var listed = string.Join(", ", stale.OrderBy(s => s.Newest ?? DateOnly.MinValue).ThenBy(s => s.Symbol).Take(10)
            .Select(s => s.Newest is { } d ? $"{s.Symbol} (newest {d:yyyy-MM-dd}, expected {s.Expected:yyyy-MM-dd})" : $"{s.Symbol} (no daily bars)"));
        var more = stale.Count > 10 ? $" and {stale.Count - 10} more" : "";
        return [new AttentionItem(AttentionKinds.StaleData, "warning",
            $"{stale.Count} instrument{(stale.Count == 1 ? " has" : "s have")} stale daily bars", listed + more + ".", "/admin/data")];
    }

    /// <summary>The newest trading date whose session closed at least <see cref="SyncGrace"/> before <paramref name="now"/>, in the exchange's zone.</summary>
    public static DateOnly LastCompletedSession(ExchangeCalendar calendar, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, calendar.Zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        if (!(calendar.IsTradingDay(day) && local.TimeOfDay >= calendar.Close.ToTimeSpan() + SyncGrace)) day = day.AddDays(-1);
        while (!calendar.IsTradingDay(day)) day = day.AddDays(-1);
        return day;
    }
}

/// <summary>Error groups nobody has resolved yet (a resolved group that recurred is unresolved again).</summary>
public sealed class ErrorGroupsAttention(DatabaseConnection connection) : IAttentionSource
{
    public string Name => "Errors";

    public async Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM error_groups WHERE NOT resolved", conn);
        var unresolved = (long)(await count.ExecuteScalarAsync(ct))!;
        return unresolved == 0 ? [] :
        [
            new AttentionItem(AttentionKinds.ErrorGroups, "error", $"{unresolved} unresolved error group{(unresolved == 1 ? "" : "s")}",
                "Errors recorded by the app that nobody has resolved yet.", "/admin/errors"),
        ];
    }
}
