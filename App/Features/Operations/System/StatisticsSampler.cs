using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.MarketData;
using Signalbook.Jobs;

namespace Signalbook.Features.Operations.SystemStatus;

public sealed record StatisticsSample(DateTimeOffset At, IReadOnlyDictionary<string, double> Values, int Deleted);

/// <summary>
/// Takes one sample of every series (see <see cref="StatisticKeys"/>) and stores it, one statistics row per key, then
/// deletes samples past the retention window. A series with nothing to measure is left out, never written as zero: the job
/// success rate when no job ran in 24 hours, the queue depth on a node
/// without job storage. Open circuits are this node's (the key names the node).
/// </summary>
public sealed class StatisticsSampler(IDbContextFactory<AppDbContext> factory, DatabaseConnection connection, IOptionsMonitor<StatisticsOptions> options,
    TimeProvider clock, IServiceProvider services, ILogger<StatisticsSampler> logger)
{
    public const int LargestTables = 5;

    public async Task<StatisticsSample> SampleAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var values = new Dictionary<string, double>();
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            values[StatisticKeys.UsersTotal] = await db.Users.LongCountAsync(ct);
            values[StatisticKeys.ActiveSessions] = await db.Sessions.LongCountAsync(s => s.RevokedAt == null && s.ExpiresAt > now, ct);
            values[StatisticKeys.BarsDaily] = await db.PriceBars.LongCountAsync(b => b.Interval == Intervals.OneDay, ct);
            values[StatisticKeys.BarsIntraday] = await db.PriceBars.LongCountAsync(b => b.Interval != Intervals.OneDay, ct);
            values[StatisticKeys.FeatureRows] = await db.Features.LongCountAsync(ct);
            values[StatisticKeys.RecommendationRows] = await db.Recommendations.LongCountAsync(ct);
            var since = now.AddHours(-24);
            var runs = await db.TaskExecutions.AsNoTracking().Where(t => t.ExecutedAt >= since && (t.Status == TaskStatuses.Success || t.Status == TaskStatuses.Failed))
                .GroupBy(t => t.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
            var succeeded = runs.FirstOrDefault(r => r.Key == TaskStatuses.Success)?.Count ?? 0;
            var failed = runs.FirstOrDefault(r => r.Key == TaskStatuses.Failed)?.Count ?? 0;
            values[StatisticKeys.JobsFailed] = failed;
            if (succeeded + failed > 0) values[StatisticKeys.JobSuccessRate] = Math.Round((double)succeeded / (succeeded + failed), 4);
        }

        await using (var conn = new NpgsqlConnection(connection.Value))
        {
            await conn.OpenAsync(ct);
            values[StatisticKeys.DatabaseBytes] = Convert.ToDouble(await ScalarAsync(conn, "SELECT pg_database_size(current_database())", ct));
            await using (var cmd = new NpgsqlCommand($"""
                SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END, pg_total_relation_size(c.oid)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
                ORDER BY 2 DESC, 1 LIMIT {LargestTables}
                """, conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) values[StatisticKeys.TableBytesPrefix + reader.GetString(0)] = reader.GetInt64(1);
            }
            values[StatisticKeys.ErrorRate] = await ErrorsSinceAsync(conn, now.AddHours(-24), ct);
        }

        if (services.GetService<JobStorage>() is { } storage)
        {
            try
            {
                var monitoring = storage.GetMonitoringApi();
                values[StatisticKeys.QueueDepth] = monitoring.Queues().Sum(q => monitoring.EnqueuedCount(q.Name));
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                logger.LogWarning(e, "Queue depth not sampled");
            }
        }
        if (services.GetService<OpenCircuits>() is { } circuits && services.GetService<NodeIdentity>() is { } node)
            values[StatisticKeys.OpenCircuitsPrefix + node.Name] = circuits.Count;

        int deleted;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            db.Set<Statistic>().AddRange(values.Select(v => new Statistic { Key = v.Key, Value = v.Value, Timestamp = now }));
            await db.SaveChangesAsync(ct);
            var horizon = now.AddDays(-options.CurrentValue.RetentionDays);
            deleted = await db.Set<Statistic>().Where(s => s.Timestamp < horizon).ExecuteDeleteAsync(ct);
        }
        return new StatisticsSample(now, values, deleted);
    }

    /// <summary>Error log rows (captured exceptions) of the last 24 hours.</summary>
    private static async Task<long> ErrorsSinceAsync(NpgsqlConnection conn, DateTimeOffset since, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM error_logs WHERE occurred_at >= @since", conn);
        cmd.Parameters.AddWithValue("since", since);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is DBNull ? null : value;
    }
}
