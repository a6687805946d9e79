using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Signalbook.Data;
using Signalbook.Features.Operations;
using Signalbook.Features.Operations.Errors;
using Signalbook.Features.Operations.Logs;
using Signalbook.Features.Users;
using Signalbook.Jobs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations;

/// <summary>
/// The database log provider over a real database: what it stores (level, module, message, scope and message values,
/// user), in batches; a database that is down costs dropped lines and a counter, never a wait; the 30-day retention;
/// and who reads which lines.
/// </summary>
public sealed class ServiceLogTests : ServiceHarness
{
    private ILoggerFactory Loggers(LogSink sink, LogLevel minimum = LogLevel.Information)
    {
        var provider = new DatabaseLoggerProvider(sink, Services.GetRequiredService<ErrorCapture>(),
            new Signalbook.Hosting.StaticOptionsMonitor<ServiceLogOptions>(new ServiceLogOptions { MinimumLevel = minimum }), Clock);
        return LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(provider));
    }

    private LogSink Sink(int batchSize = 500, int capacity = 20_000, string? connection = null)
        => new(new DatabaseConnection(connection ?? ConnectionString),
            Options.Create(new ServiceLogOptions { BatchSize = batchSize, QueueCapacity = capacity, RetryAfterFailureMilliseconds = 60_000 }), Clock);

    [Fact]
    public async Task Provider_StoresLinesFromTheMinimumLevelUp_InBatches_WithScopeValuesMessageValuesAndUser()
    {
        var trader = await CreateUserAsync("logs-trader@test.local");
        await using var sink = Sink(batchSize: 3);
        using (var loggers = Loggers(sink))
        {
            var log = loggers.CreateLogger("Signalbook.Features.Portfolios.OrderService");
            log.LogDebug("Not stored: below the minimum level");
            using (log.BeginScope(new Dictionary<string, object?> { ["UserId"] = trader.Id, ["PortfolioId"] = 12 }))
            {
                log.LogInformation("Order {OrderId} placed for {Symbol}", 42, "AAPL");
                log.LogWarning("Price of {Symbol} is stale", "MSFT");
            }
            for (var i = 0; i < 5; i++) log.LogInformation("Line {Index}", i);
        }

        Assert.Equal(7, await sink.FlushAsync());
        Assert.Equal((7L, 0L, 3L), (sink.Stats.Written, sink.Stats.Dropped, sink.Stats.Batches)); // 3 + 3 + 1

        await using var db = await DbAsync();
        var rows = await db.ServiceLogs.AsNoTracking().OrderBy(l => l.Id).ToListAsync();
        Assert.Equal(7, rows.Count);
        Assert.DoesNotContain(rows, r => r.Level == ServiceLogLevels.Debug);
        var order = rows[0];
        Assert.Equal(("INFO", "Signalbook.Features.Portfolios.OrderService", "Order 42 placed for AAPL", trader.Id),
            (order.Level, order.Module, order.Message, order.UserId));
        Assert.Equal(Clock.GetUtcNow(), order.Timestamp);
        using var context = JsonDocument.Parse(order.Context!);
        Assert.Equal(42, context.RootElement.GetProperty("OrderId").GetInt32());
        Assert.Equal("AAPL", context.RootElement.GetProperty("Symbol").GetString());
        Assert.Equal(12, context.RootElement.GetProperty("PortfolioId").GetInt32());
        Assert.Equal(("WARNING", trader.Id), (rows[1].Level, rows[1].UserId));
        Assert.All(rows.Skip(2), r => Assert.Null(r.UserId)); // outside the scope: no user
    }

    [Fact]
    public async Task Provider_KeepsValuesAsTheyWereWhenLogged_AndTheRunningWriterWakesForLinesLoggedWhileItSlept()
    {
        await using var sink = new LogSink(new DatabaseConnection(ConnectionString),
            Options.Create(new ServiceLogOptions { BatchSize = 500, FlushIntervalMilliseconds = 10 }), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() => sink.RunAsync(stop.Token));
        var user = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 11, 30, 21, 15, 0, TimeSpan.Zero);
        var mutable = new System.Text.StringBuilder("before");
        try
        {
            using var loggers = Loggers(sink);
            var log = loggers.CreateLogger("Signalbook.Features.Test");
            await Task.Delay(200); // the writer is asleep on an empty queue by now
            log.LogInformation("Values {Guid} {At} {Level} {Mutable} {Ratio}", user, at, LogLevel.Warning, mutable, 0.25);
            mutable.Clear().Append("after"); // a mutable value is taken as its text when logged, not when written

            var deadline = Stopwatch.StartNew();
            while (sink.Stats.Written < 1 && deadline.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(20);
            Assert.Equal((1L, 0L, 0), (sink.Stats.Written, sink.Stats.Dropped, sink.Stats.Queued));
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer);
        }

        await using var db = await DbAsync();
        var row = await db.ServiceLogs.AsNoTracking().SingleAsync(l => l.Module == "Signalbook.Features.Test");
        Assert.StartsWith($"Values {user} ", row.Message);
        Assert.Contains(" Warning before ", row.Message);
        using var context = JsonDocument.Parse(row.Context!);
        var c = context.RootElement;
        Assert.Equal((user.ToString(), "2026-11-30T21:15:00.0000000+00:00", "Warning", "before", 0.25),
            (c.GetProperty("Guid").GetString(), c.GetProperty("At").GetString(), c.GetProperty("Level").GetString(), c.GetProperty("Mutable").GetString(),
                c.GetProperty("Ratio").GetDouble()));
    }

    [Fact]
    public async Task Provider_LeavesOutTheDatabaseDriversAndItsOwnCategories()
    {
        await using var sink = Sink();
        using (var loggers = Loggers(sink))
        {
            loggers.CreateLogger("Microsoft.EntityFrameworkCore.Database.Command").LogWarning("EF line");
            loggers.CreateLogger("Npgsql.Connection").LogWarning("Npgsql line");
            loggers.CreateLogger(typeof(LogSink).FullName!).LogWarning("own line");
            using (LogSuppression.Begin()) loggers.CreateLogger("Signalbook.Features.Notifications.NotificationService").LogWarning("said while writing");
            loggers.CreateLogger("Signalbook.Features.Journal.FillImportService").LogWarning("kept");
        }
        Assert.Equal(1, await sink.FlushAsync());
        await using var db = await DbAsync();
        Assert.Equal("kept", (await db.ServiceLogs.SingleAsync()).Message);
    }

    [Fact]
    public async Task DatabaseDown_LinesAreDroppedAndCounted_AndLoggingNeverWaits()
    {
        var port = ClosedPort();
        await using var sink = Sink(capacity: 100, connection: $"Host=127.0.0.1;Port={port};Database=none;Username=none;Password=none;Timeout=2");
        using var loggers = Loggers(sink);
        var log = loggers.CreateLogger("Signalbook.Features.Test");

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 250; i++) log.LogInformation("Line {Index}", i);
        watch.Stop();
        Assert.True(watch.ElapsedMilliseconds < 1000, $"250 lines took {watch.ElapsedMilliseconds} ms");
        Assert.Equal((150L, 100), (sink.Stats.Dropped, sink.Stats.Queued)); // the queue holds 100; the rest is dropped at once

        watch.Restart();
        Assert.Equal(0, await sink.FlushAsync());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"A flush against a closed port took {watch.Elapsed}");
        Assert.Equal((0L, 250L, 0), (sink.Stats.Written, sink.Stats.Dropped, sink.Stats.Queued));
        Assert.NotNull(sink.Stats.LastError);

        // Right after a failure the writer does not even try: the next lines are dropped at once.
        log.LogInformation("after the failure");
        watch.Restart();
        Assert.Equal(0, await sink.FlushAsync());
        Assert.True(watch.ElapsedMilliseconds < 500);
        Assert.Equal(251L, sink.Stats.Dropped);
    }

    [Fact]
    public async Task Provider_EachLineHasTheValuesOfTheScopesItWasLoggedIn_AsScopesOpenAndClose_AndFormatsNumbersInvariantly()
    {
        // Lines under the same scope objects share the values taken at the first of them; a new scope (even of the same
        // shape, even for the same key) is read anew, and a closed one is gone.
        var first = await CreateUserAsync("logs-first@test.local");
        var second = await CreateUserAsync("logs-second@test.local");
        await using var sink = Sink();
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("fr-FR");
        try
        {
            using var loggers = Loggers(sink);
            var log = loggers.CreateLogger("Signalbook.Features.Test");
            using (log.BeginScope(new Dictionary<string, object?> { ["UserId"] = first.Id, ["Page"] = "orders" }))
            {
                log.LogInformation("one {Price}", 0.25m);
                using (log.BeginScope(new Dictionary<string, object?> { ["PortfolioId"] = 7 }))
                    log.LogInformation("two {Ratio}", 1.5);
                log.LogInformation("three");
            }
            using (log.BeginScope(new Dictionary<string, object?> { ["UserId"] = second.Id, ["Page"] = "trades" }))
                log.LogInformation("four");
            log.LogInformation("five {UserId}", first.Id); // a message value names the user too
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }

        Assert.Equal(5, await sink.FlushAsync());
        await using var db = await DbAsync();
        var rows = await db.ServiceLogs.AsNoTracking().OrderBy(l => l.Id).ToListAsync();
        Assert.Equal(["one 0.25", "two 1.5", "three", "four", $"five {first.Id}"], rows.Select(r => r.Message));
        Assert.Equal([first.Id, first.Id, first.Id, second.Id, first.Id], rows.Select(r => r.UserId));
        string Keys(ServiceLog row)
        {
            using var json = JsonDocument.Parse(row.Context!);
            return string.Join(",", json.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        }
        Assert.Equal(["Page,Price,UserId", "Page,PortfolioId,Ratio,UserId", "Page,UserId", "Page,UserId", "UserId"], rows.Select(Keys));
        using var four = JsonDocument.Parse(rows[3].Context!);
        Assert.Equal("trades", four.RootElement.GetProperty("Page").GetString());
        using var one = JsonDocument.Parse(rows[0].Context!);
        Assert.Equal(0.25m, one.RootElement.GetProperty("Price").GetDecimal());
    }

    [Fact]
    public async Task Disposed_WhileAFlushWrites_TheFlushFinishes_AndLaterLinesAndFlushesAreDroppedQuietly()
    {
        // The app's stop and the test host's stop both flush while the container disposes the sink: the flush in flight
        // released a disposed semaphore and failed the test class's cleanup.
        var sink = Sink(batchSize: 200);
        using var loggers = Loggers(sink);
        var log = loggers.CreateLogger("Signalbook.Features.Test");
        for (var i = 0; i < 10_000; i++) log.LogInformation("Line {Index}", i);

        var flush = sink.FlushAsync();
        var watch = Stopwatch.StartNew();
        while (sink.Stats.Batches == 0 && watch.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(1);
        Assert.True(sink.Stats.Batches > 0, "the flush never wrote a batch");
        await sink.DisposeAsync();
        Assert.Equal(10_000, await flush);

        log.LogInformation("logged after the sink was disposed");
        Assert.Equal(0, await sink.FlushAsync());
        await sink.DisposeAsync();
        Assert.Equal((10_000L, 1L, 0), (sink.Stats.Written, sink.Stats.Dropped, sink.Stats.Queued));
        await using var db = await DbAsync();
        Assert.Equal(10_000, await db.ServiceLogs.CountAsync());
    }

    [Fact]
    public async Task SustainedLogging_TheRunningWriterWritesEachBatchAsItFills_AndDropsNothing()
    {
        // 6,000 lines in about a second against a queue of 1,500: a writer that gathered for its full second (the flush
        // interval) before writing let the queue overflow; one that writes as each batch of 500 fills keeps up.
        await using var sink = new LogSink(new DatabaseConnection(ConnectionString),
            Options.Create(new ServiceLogOptions { BatchSize = 500, QueueCapacity = 1500, FlushIntervalMilliseconds = 1000 }), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() => sink.RunAsync(stop.Token));
        try
        {
            using var loggers = Loggers(sink);
            var log = loggers.CreateLogger("Signalbook.Features.Test");
            for (var i = 0; i < 6000; i++)
            {
                log.LogInformation("Line {Index}", i);
                if (i % 50 == 49) await Task.Delay(5);
            }
            var deadline = Stopwatch.StartNew();
            while (sink.Stats.Written + sink.Stats.Dropped < 6000 && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(20);
            Assert.Equal((6000L, 0L), (sink.Stats.Written, sink.Stats.Dropped));
            Assert.True(sink.Stats.Batches >= 12, $"{sink.Stats.Batches} batches");
        }
        finally
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer);
        }
    }

    [Fact]
    public async Task Retention_DeletesServiceLogsOlderThan30Days_AndErrorsResolvedMoreThan90DaysAgo_KeepingUnresolvedOnes()
    {
        var now = Clock.GetUtcNow();
        await using (var db = await DbAsync())
        {
            db.ServiceLogs.AddRange(
                new ServiceLog { Level = "INFO", Module = "m", Message = "31 days old", Timestamp = now.AddDays(-31) },
                new ServiceLog { Level = "INFO", Module = "m", Message = "29 days old", Timestamp = now.AddDays(-29) });
            db.ErrorGroups.AddRange(
                new ErrorGroup { Fingerprint = "old-resolved", ErrorType = "A", MessageSample = "a", FirstSeen = now.AddDays(-200), LastSeen = now.AddDays(-100), Occurrences = 1, Resolved = true, ResolvedAt = now.AddDays(-91) },
                new ErrorGroup { Fingerprint = "recent-resolved", ErrorType = "B", MessageSample = "b", FirstSeen = now.AddDays(-200), LastSeen = now.AddDays(-100), Occurrences = 1, Resolved = true, ResolvedAt = now.AddDays(-89) },
                new ErrorGroup { Fingerprint = "unresolved", ErrorType = "C", MessageSample = "c", FirstSeen = now.AddDays(-400), LastSeen = now.AddDays(-400), Occurrences = 1 });
            db.ErrorLogs.AddRange(
                new ErrorLog { Fingerprint = "old-resolved", ErrorType = "A", ErrorMessage = "a", OccurredAt = now.AddDays(-100), Resolved = true, ResolvedAt = now.AddDays(-91), ResolutionNotes = "fixed" },
                new ErrorLog { Fingerprint = "recent-resolved", ErrorType = "B", ErrorMessage = "b", OccurredAt = now.AddDays(-100), Resolved = true, ResolvedAt = now.AddDays(-89), ResolutionNotes = "fixed" },
                new ErrorLog { Fingerprint = "unresolved", ErrorType = "C", ErrorMessage = "c", OccurredAt = now.AddDays(-400) });
            await db.SaveChangesAsync();
        }

        var outcome = await new OperationsRetentionJob(Services.GetRequiredService<OperationsRetentionService>()).RunAsync(JobStart.Cron, null, default);

        Assert.Equal((1, 1, 1), ((int)outcome.Details["service_logs_deleted"]!, (int)outcome.Details["error_logs_deleted"]!, (int)outcome.Details["error_groups_deleted"]!));
        await using var check = await DbAsync();
        Assert.Equal(["29 days old"], await check.ServiceLogs.Select(l => l.Message).ToListAsync());
        Assert.Equal(["recent-resolved", "unresolved"], await check.ErrorLogs.OrderBy(e => e.Fingerprint).Select(e => e.Fingerprint).ToListAsync());
        Assert.Equal(["recent-resolved", "unresolved"], await check.ErrorGroups.OrderBy(e => e.Fingerprint).Select(e => e.Fingerprint).ToListAsync());
        Assert.Contains(JobCatalog.All, j => j.Name == JobCatalog.OperationsRetention && j.Type == typeof(OperationsRetentionJob) && j.DefaultCron is not null);
    }

    [Fact]
    public async Task Query_ATraderReadsOnlyTheirOwnLines_AnAdminFiltersByUserLevelModuleTextAndTime()
    {
        var alice = await CreateUserAsync("alice-logs@test.local");
        var bob = await CreateUserAsync("bob-logs@test.local");
        var admin = await AdminAsync();
        var now = Clock.GetUtcNow();
        await using (var db = await DbAsync())
        {
            db.ServiceLogs.AddRange(
                new ServiceLog { UserId = alice.Id, Level = "INFO", Module = "trading-service", Message = "alice bought AAPL", Timestamp = now.AddHours(-3) },
                new ServiceLog { UserId = alice.Id, Level = "ERROR", Module = "trading-service", Message = "alice order rejected", Timestamp = now.AddHours(-1) },
                new ServiceLog { UserId = bob.Id, Level = "WARNING", Module = "Signalbook.Features.Journal", Message = "bob import slow", Timestamp = now.AddHours(-2) },
                new ServiceLog { Level = "INFO", Module = "Signalbook.Jobs.JobServers", Message = "node started", Timestamp = now.AddDays(-2) });
            await db.SaveChangesAsync();
        }
        var logs = Services.GetRequiredService<ServiceLogQueryService>();
        var asAlice = new OperationsCaller(alice.Id, IsAdmin: false);
        var asAdmin = new OperationsCaller(admin.Id, IsAdmin: true);

        var (own, ownTotal) = await logs.QueryAsync(asAlice, new ServiceLogQuery());
        Assert.Equal(2, ownTotal);
        Assert.Equal(["alice order rejected", "alice bought AAPL"], own.Select(r => r.Message)); // newest first
        await Assert.ThrowsAsync<OperationsForbiddenException>(() => logs.QueryAsync(asAlice, new ServiceLogQuery(UserEmail: bob.Email)));

        Assert.Equal(4, (await logs.QueryAsync(asAdmin, new ServiceLogQuery())).Total);
        Assert.Equal(["bob import slow"], (await logs.QueryAsync(asAdmin, new ServiceLogQuery(UserEmail: "BOB-logs@test.local"))).Rows.Select(r => r.Message));
        Assert.Equal(["alice order rejected", "bob import slow"], (await logs.QueryAsync(asAdmin, new ServiceLogQuery(MinLevel: "WARNING"))).Rows.Select(r => r.Message));
        Assert.Equal(["node started"], (await logs.QueryAsync(asAdmin, new ServiceLogQuery(Module: "signalbook.jobs"))).Rows.Select(r => r.Message));
        Assert.Equal(["alice bought AAPL"], (await logs.QueryAsync(asAdmin, new ServiceLogQuery(Text: "AAPL"))).Rows.Select(r => r.Message));
        Assert.Equal(["alice order rejected", "bob import slow"], (await logs.QueryAsync(asAdmin, new ServiceLogQuery(From: now.AddHours(-2.5), To: now))).Rows.Select(r => r.Message));
        Assert.Equal("alice-logs@test.local", (await logs.QueryAsync(asAdmin, new ServiceLogQuery(Text: "AAPL"))).Rows[0].UserEmail);

        var bad = await Assert.ThrowsAsync<OperationsValidationException>(() => logs.QueryAsync(asAdmin, new ServiceLogQuery(MinLevel: "LOUD")));
        Assert.Contains("'LOUD' is not a log level", bad.Message);
        await Assert.ThrowsAsync<OperationsValidationException>(() => logs.QueryAsync(asAdmin, new ServiceLogQuery(From: now, To: now.AddDays(-1))));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
