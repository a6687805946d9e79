using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Signalbook.Features.MarketData;
using Signalbook.Features.Operations.SystemStatus;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations.SystemStatus;

/// <summary>Admin → System's "what needs attention": failing jobs, silent nodes, stale data, error groups and added sources.</summary>
public sealed class AttentionTests : ServiceHarness
{
    // Wednesday 25 November 2026, 22:30 UTC: 17:30 in New York, so that day's NYSE session closed an hour and a half ago.
    private static readonly DateTimeOffset Evening = new(2026, 11, 25, 22, 30, 0, TimeSpan.Zero);

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddScoped<IAttentionSource, CustomSource>();
        services.AddScoped<IAttentionSource, BrokenSource>();
    }

    private Task<IReadOnlyList<AttentionItem>> AttentionAsync() => WithAsync<SystemService, IReadOnlyList<AttentionItem>>(s => s.AttentionAsync());

    [Fact]
    public async Task FailedRuns_SilentNodes_AndStaleData_AreListed_AndHealthyOnesAreNot()
    {
        Clock.Advance(Evening - Clock.GetUtcNow());
        await using (var db = await DbAsync())
        {
            db.TaskExecutions.AddRange(
                new TaskExecution { TaskName = JobCatalog.Features, ExecutedAt = Evening.AddHours(-3), Status = TaskStatuses.Failed, Error = "InvalidOperationException: no bars", NodeName = "a" },
                new TaskExecution { TaskName = JobCatalog.Features, ExecutedAt = Evening.AddHours(-2), Status = TaskStatuses.Failed, Error = "TimeoutException: provider", NodeName = "a" },
                new TaskExecution { TaskName = JobCatalog.DailySync, ExecutedAt = Evening.AddHours(-1), Status = TaskStatuses.Success, NodeName = "a" },
                new TaskExecution { TaskName = JobCatalog.Retention, ExecutedAt = Evening.AddHours(-30), Status = TaskStatuses.Failed, Error = "old", NodeName = "a" });
            db.ServiceStatuses.AddRange(
                new ServiceStatus { NodeName = "node-silent", ServiceRunning = true, LastHeartbeat = Evening.AddMinutes(-12), CreatedAt = Evening, UpdatedAt = Evening },
                new ServiceStatus { NodeName = "node-fine", ServiceRunning = true, LastHeartbeat = Evening.AddSeconds(-20), CreatedAt = Evening, UpdatedAt = Evening },
                new ServiceStatus { NodeName = "node-stopped", ServiceRunning = false, LastHeartbeat = Evening.AddDays(-2), CreatedAt = Evening, UpdatedAt = Evening });
            var fresh = new Instrument { Symbol = "FRSH", Exchange = "NYSE", CreatedAt = Evening, UpdatedAt = Evening };
            var stale = new Instrument { Symbol = "STAL", Exchange = "NYSE", CreatedAt = Evening, UpdatedAt = Evening };
            var empty = new Instrument { Symbol = "NONE", Exchange = "NYSE", CreatedAt = Evening, UpdatedAt = Evening };
            var inactive = new Instrument { Symbol = "GONE", Exchange = "NYSE", IsActive = false, CreatedAt = Evening, UpdatedAt = Evening };
            db.Instruments.AddRange(fresh, stale, empty, inactive);
            await db.SaveChangesAsync();
            db.PriceBars.AddRange(
                Bar(fresh.Id, new DateOnly(2026, 11, 25)), Bar(stale.Id, new DateOnly(2026, 11, 24)), Bar(inactive.Id, new DateOnly(2026, 11, 2)));
            await db.SaveChangesAsync();
        }

        var items = await AttentionAsync();

        var job = Assert.Single(items, i => i.Kind == AttentionKinds.FailingJob);
        Assert.Equal($"Job {JobCatalog.Features} failed 2 times in 24 h", job.Title);
        Assert.Equal("TimeoutException: provider", job.Detail); // the newest error
        var node = Assert.Single(items, i => i.Kind == AttentionKinds.StaleNode);
        Assert.Equal("Node node-silent is not checking in", node.Title);
        Assert.Contains("12 min ago", node.Detail);
        var data = Assert.Single(items, i => i.Kind == AttentionKinds.StaleData);
        Assert.Equal("2 instruments have stale daily bars", data.Title);
        Assert.Equal("NONE (no daily bars), STAL (newest 2026-11-24, expected 2026-11-25).", data.Detail);
        Assert.Contains(items, i => i.Title == "Custom check");
        Assert.Contains(items, i => i.Title == "Broken check: could not be checked" && i.Detail == "the check itself failed");

        var nodes = await WithAsync<SystemService, IReadOnlyList<NodeHealth>>(s => s.NodesAsync());
        Assert.Equal(["node-fine", "node-silent", "node-stopped"], nodes.Select(n => n.NodeName));
        Assert.Equal([false, true, false], nodes.Select(n => n.Stale));
    }

    [Fact]
    public async Task UnresolvedErrorGroups_AreListed_AndResolvedOnesAreNot()
    {
        Assert.DoesNotContain(await AttentionAsync(), i => i.Kind == AttentionKinds.ErrorGroups);
        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO error_groups (fingerprint, error_type, message_sample, first_seen, last_seen, occurrences, resolved, reopened_count)
                VALUES ('a', 'E', 'm', now(), now(), 1, false, 0), ('b', 'E', 'm', now(), now(), 3, false, 1), ('c', 'E', 'm', now(), now(), 2, true, 0);
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var item = Assert.Single(await AttentionAsync(), i => i.Kind == AttentionKinds.ErrorGroups);
        Assert.Equal("2 unresolved error groups", item.Title);
        Assert.Equal("/admin/errors", item.Link);
    }

    [Theory]
    // 15:00 UTC on Wednesday 25 November: 10:00 in New York and 16:00 in Paris (sessions still open), already the 26th in Tokyo.
    [InlineData("2026-11-25T15:00:00Z", "NYSE", "America/New_York", "2026-11-24")]
    [InlineData("2026-11-25T15:00:00Z", "XPAR", "Europe/Paris", "2026-11-24")]
    [InlineData("2026-11-25T15:00:00Z", "XTKS", "Asia/Tokyo", "2026-11-25")]
    [InlineData("2026-11-25T22:30:00Z", "NYSE", "America/New_York", "2026-11-25")]
    [InlineData("2026-11-25T22:30:00Z", "XPAR", "Europe/Paris", "2026-11-25")]
    [InlineData("2026-11-25T21:30:00Z", "NYSE", "America/New_York", "2026-11-24")] // 16:30: closed, but the daily sync's hour is not over
    [InlineData("2026-11-26T23:00:00Z", "NYSE", "America/New_York", "2026-11-25")] // Thanksgiving: no session
    [InlineData("2026-11-30T14:00:00Z", "NYSE", "America/New_York", "2026-11-27")] // Monday morning: Friday's
    [InlineData("2026-11-30T14:00:00Z", "XTKS", "Asia/Tokyo", "2026-11-30")] // 23:00 on Monday in Tokyo
    public void TheLastCompletedSession_IsTakenInTheExchangesZone(string now, string exchange, string zone, string expected)
        => Assert.Equal(DateOnly.Parse(expected), StaleDataAttention.LastCompletedSession(ExchangeCalendar.For(exchange, zone), DateTimeOffset.Parse(now)));

    private static PriceBar Bar(long instrument, DateOnly day)
        => new() { InstrumentId = instrument, Interval = Intervals.OneDay, Ts = ExchangeCalendar.DailyBarTs(day), Open = 1, High = 1, Low = 1, Close = 1, Volume = 1 };

    private sealed class CustomSource : IAttentionSource
    {
        public string Name => "Custom";

        public Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct)
            => Task.FromResult<IReadOnlyList<AttentionItem>>([new AttentionItem("custom", "info", "Custom check", "added by a feature")]);
    }

    private sealed class BrokenSource : IAttentionSource
    {
        public string Name => "Broken check";

        public Task<IReadOnlyList<AttentionItem>> FindAsync(DateTimeOffset now, CancellationToken ct) => throw new InvalidOperationException("the check itself failed");
    }
}
