using Microsoft.EntityFrameworkCore;
using Npgsql;
using Signalbook.Data;

namespace Signalbook.Features.Operations.SystemStatus;

public sealed record SeriesPoint(DateTimeOffset At, double Value);

public sealed record NodeHealth(string NodeName, bool Running, DateTimeOffset? LastHeartbeat, TimeSpan? HeartbeatAge, DateTimeOffset? LastTaskExecution,
    int ErrorCount, string? LastError, bool Stale);

/// <summary>
/// Admin → System's reads: series of the statistics table over a window (averaged into at most <see cref="MaxPoints"/>
/// buckets, so a 90-day window stays light), the newest value of every series, node health from service_status and the
/// "what needs attention" items of every <see cref="IAttentionSource"/>.
/// </summary>
public sealed class SystemService(IDbContextFactory<AppDbContext> factory, DatabaseConnection connection, IEnumerable<IAttentionSource> sources,
    Microsoft.Extensions.Options.IOptionsMonitor<StatisticsOptions> options, TimeProvider clock, ILogger<SystemService> logger)
{
    public const int MaxPoints = 240;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The series whose key is one of <paramref name="keys"/> or starts with one of <paramref name="prefixes"/>, from <paramref name="from"/> on.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SeriesPoint>>> SeriesAsync(IReadOnlyCollection<string> keys, IReadOnlyCollection<string> prefixes,
        DateTimeOffset from, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var bucket = TimeSpan.FromSeconds(Math.Max(300, (now - from).TotalSeconds / MaxPoints));
        await using var conn = new NpgsqlConnection(connection.Value);
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand("""
            SELECT key, date_bin(@bucket, timestamp, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS at, avg(value)
            FROM statistics
            WHERE timestamp >= @from AND timestamp <= @now AND (key = ANY(@keys) OR key LIKE ANY(@prefixes))
            GROUP BY 1, 2 ORDER BY 1, 2
            """, conn);
        cmd.Parameters.AddWithValue("bucket", bucket);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("now", now);
        cmd.Parameters.AddWithValue("keys", keys.ToArray());
        cmd.Parameters.AddWithValue("prefixes", prefixes.Select(p => p.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%").ToArray());
        var series = new Dictionary<string, List<SeriesPoint>>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(0);
            if (!series.TryGetValue(key, out var points)) series[key] = points = [];
            points.Add(new SeriesPoint(reader.GetFieldValue<DateTimeOffset>(1), reader.GetDouble(2)));
        }
        return series.ToDictionary(s => s.Key, s => (IReadOnlyList<SeriesPoint>)s.Value);
    }

    /// <summary>The newest sample of every series and when it was taken.</summary>
    public async Task<IReadOnlyDictionary<string, SeriesPoint>> LatestAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var newest = await db.Set<Statistic>().MaxAsync(s => (DateTimeOffset?)s.Timestamp, ct);
        if (newest is null) return new Dictionary<string, SeriesPoint>();
        var rows = await db.Set<Statistic>().AsNoTracking().Where(s => s.Timestamp == newest).ToListAsync(ct);
        return rows.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => new SeriesPoint(g.First().Timestamp, g.First().Value));
    }

    public async Task<IReadOnlyList<NodeHealth>> NodesAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var staleAfter = TimeSpan.FromMinutes(options.CurrentValue.StaleHeartbeatMinutes);
        await using var db = await factory.CreateDbContextAsync(ct);
        var rows = await db.ServiceStatuses.AsNoTracking().Where(s => s.NodeName != null).OrderByDescending(s => s.ServiceRunning).ThenBy(s => s.NodeName).ToListAsync(ct);
        return rows.Select(s =>
        {
            TimeSpan? age = s.LastHeartbeat is { } beat ? now - beat : null;
            return new NodeHealth(s.NodeName!, s.ServiceRunning, s.LastHeartbeat, age, s.LastTaskExecution, s.ErrorCount, s.LastError,
                s.ServiceRunning && (age is null || age > staleAfter));
        }).ToList();
    }

    public async Task<IReadOnlyList<AttentionItem>> AttentionAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var items = new List<AttentionItem>();
        foreach (var source in sources)
        {
            try
            {
                items.AddRange(await source.FindAsync(now, ct));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Attention source {Source} failed", source.Name);
                items.Add(new AttentionItem("source-failed", "error", $"{source.Name}: could not be checked", e.Message));
            }
        }
        return items.OrderBy(i => i.Severity switch { "critical" => 0, "error" => 1, "warning" => 2, _ => 3 }).ThenByDescending(i => i.Since).ToList();
    }
}
