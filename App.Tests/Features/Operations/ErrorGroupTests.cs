using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Signalbook.Features.Notifications;
using Signalbook.Features.Operations;
using Signalbook.Features.Operations.Errors;
using Signalbook.Features.Operations.Logs;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Operations;

/// <summary>
/// Errors over a real database: grouping by fingerprint, the resolve-and-reopen workflow with the admins told once per
/// new group (and again on a reopening), admins only, and capture through the log provider (a circuit's error with its
/// user and route).
/// </summary>
public sealed class ErrorGroupTests : ServiceHarness
{
    private ErrorGroupService Groups => Services.GetRequiredService<ErrorGroupService>();

    private ErrorOccurrence Occurrence(string fingerprint, string message, Guid? user = null)
        => new("System.InvalidOperationException", message, "   at Signalbook.X.Y()", fingerprint, user, new Dictionary<string, object?> { ["Route"] = "/journal" }, Clock.GetUtcNow());

    private async Task<int> AdminErrorNotificationsAsync()
    {
        var admin = await AdminAsync();
        await using var db = await DbAsync();
        return await db.Notifications.CountAsync(n => n.UserId == admin.Id && n.Type == NotificationTypes.Error);
    }

    [Fact]
    public async Task Occurrences_AreGrouped_ResolvedWithANote_AndAGroupReopensWhenItRecurs_TellingTheAdminsEachTime()
    {
        var admin = new OperationsCaller((await AdminAsync()).Id, IsAdmin: true);
        var alice = await CreateUserAsync("alice-errors@test.local");
        var bob = await CreateUserAsync("bob-errors@test.local");

        var first = await Groups.RecordAsync(Occurrence("fp-a", "order 1 rejected", alice.Id));
        Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Groups.RecordAsync(Occurrence("fp-a", "order 2 rejected", bob.Id));
        await Groups.RecordAsync(Occurrence("fp-a", "order 3 rejected", alice.Id));
        var other = await Groups.RecordAsync(Occurrence("fp-b", "something else"));

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(first.GroupId, second.GroupId);
        Assert.NotEqual(first.GroupId, other.GroupId);
        Assert.Equal(2, await AdminErrorNotificationsAsync()); // one per new group, not per occurrence

        var (rows, total) = await Groups.GroupsAsync(admin, new ErrorGroupQuery(null, null, 0, 25));
        Assert.Equal(2, total);
        var a = rows.Single(r => r.Id == first.GroupId);
        Assert.Equal((3, 2, ErrorGroupStatuses.Open, "order 3 rejected"), (a.Occurrences, a.AffectedUsers, a.Status, a.MessageSample));
        Assert.Equal(a.FirstSeen.AddMinutes(5), a.LastSeen);

        var noNote = await Assert.ThrowsAsync<OperationsValidationException>(() => Groups.ResolveAsync(admin, first.GroupId, "  "));
        Assert.Equal("note", noNote.Field);
        await Assert.ThrowsAsync<OperationsValidationException>(() => Groups.ResolveAsync(admin, first.GroupId, new string('x', 513)));
        Assert.Equal(ErrorGroupStatuses.Open, (await Groups.GroupAsync(admin, first.GroupId))!.Status); // nothing written

        Clock.Advance(TimeSpan.FromHours(1));
        await Groups.ResolveAsync(admin, first.GroupId, "Fixed the rejected-order path in 1.4.2");
        var resolved = (await Groups.GroupAsync(admin, first.GroupId))!;
        Assert.Equal((ErrorGroupStatuses.Resolved, "Fixed the rejected-order path in 1.4.2", "admin@test.local", Clock.GetUtcNow()),
            (resolved.Status, resolved.ResolutionNotes, resolved.ResolvedByEmail, resolved.ResolvedAt));
        await using (var db = await DbAsync())
            Assert.All(await db.ErrorLogs.Where(e => e.Fingerprint == "fp-a").ToListAsync(), e => Assert.Equal((true, admin.UserId), (e.Resolved, e.ResolvedBy)));
        Assert.Equal([first.GroupId], (await Groups.GroupsAsync(admin, new ErrorGroupQuery(ErrorGroupStatuses.Resolved, null, 0, 25))).Rows.Select(r => r.Id));

        Clock.Advance(TimeSpan.FromDays(2));
        var again = await Groups.RecordAsync(Occurrence("fp-a", "order 4 rejected", alice.Id));
        Assert.True(again.Reopened);
        var reopened = (await Groups.GroupAsync(admin, first.GroupId))!;
        Assert.Equal((ErrorGroupStatuses.Reopened, 1, 4, Clock.GetUtcNow()), (reopened.Status, reopened.ReopenedCount, reopened.Occurrences, reopened.LastReopenedAt));
        Assert.Equal("Fixed the rejected-order path in 1.4.2", reopened.ResolutionNotes); // the earlier resolution stays readable
        Assert.False(reopened.Recent[0].Resolved);
        Assert.True(reopened.Recent[1].Resolved);
        Assert.Equal(3, await AdminErrorNotificationsAsync()); // the reopening is announced

        await Groups.RecordAsync(Occurrence("fp-a", "order 5 rejected"));
        Assert.Equal(3, await AdminErrorNotificationsAsync()); // still open: no more messages
        Assert.Equal([first.GroupId], (await Groups.GroupsAsync(admin, new ErrorGroupQuery(ErrorGroupStatuses.Reopened, null, 0, 25))).Rows.Select(r => r.Id));
        Assert.Equal([other.GroupId], (await Groups.GroupsAsync(admin, new ErrorGroupQuery(null, "something", 0, 25))).Rows.Select(r => r.Id));
    }

    [Fact]
    public async Task ErrorGroups_AreForAdminsOnly()
    {
        var trader = new OperationsCaller((await CreateUserAsync("nosy@test.local")).Id, IsAdmin: false);
        var recorded = await Groups.RecordAsync(Occurrence("fp-c", "boom"));
        await Assert.ThrowsAsync<OperationsForbiddenException>(() => Groups.GroupsAsync(trader, new ErrorGroupQuery(null, null, 0, 25)));
        await Assert.ThrowsAsync<OperationsForbiddenException>(() => Groups.GroupAsync(trader, recorded.GroupId));
        await Assert.ThrowsAsync<OperationsForbiddenException>(() => Groups.ResolveAsync(trader, recorded.GroupId, "not mine to resolve"));
        await using var db = await DbAsync();
        Assert.False((await db.ErrorGroups.SingleAsync()).Resolved);
    }

    [Fact]
    public async Task AnErrorLoggedInACircuit_IsCapturedWithItsUserRouteNodeAndVersion_AndTheLineIsStoredToo()
    {
        var trader = await CreateUserAsync("circuit@test.local");
        var sink = Services.GetRequiredService<LogSink>();
        var capture = Services.GetRequiredService<ErrorCapture>();
        var provider = new DatabaseLoggerProvider(sink, capture, new Signalbook.Hosting.StaticOptionsMonitor<ServiceLogOptions>(new ServiceLogOptions { MinimumLevel = LogLevel.Warning }), Clock);
        using (var loggers = LoggerFactory.Create(b => b.AddProvider(provider)))
        {
            var circuit = loggers.CreateLogger("Microsoft.AspNetCore.Components.Server.Circuits.CircuitHost");
            // What LogScopeCircuitHandler pushes around each inbound activity of a circuit.
            using (circuit.BeginScope(new Dictionary<string, object?> { ["Circuit"] = true, ["UserId"] = trader.Id, ["Route"] = "/journal/import" }))
                circuit.LogError(Thrown(), "Unhandled exception in circuit '{CircuitId}'.", "abc123");
            loggers.CreateLogger("Signalbook.Features.Test").LogError("An error without an exception is a log line, not an error entry");
            loggers.CreateLogger("Signalbook.Features.Test").LogError(new OperationCanceledException(), "A cancellation is not an error");
        }
        Assert.Equal(1, await capture.FlushAsync());
        Assert.Equal(3, await sink.FlushAsync());

        await using var db = await DbAsync();
        var error = await db.ErrorLogs.SingleAsync();
        Assert.Equal(("System.InvalidOperationException", "the circuit's handler failed", trader.Id), (error.ErrorType, error.ErrorMessage, error.UserId));
        Assert.Contains(nameof(Thrown), error.Traceback);
        using var context = JsonDocument.Parse(error.Context!);
        Assert.Equal("circuit", context.RootElement.GetProperty("Source").GetString());
        Assert.Equal("/journal/import", context.RootElement.GetProperty("Route").GetString());
        Assert.False(string.IsNullOrEmpty(context.RootElement.GetProperty("Node").GetString()));
        Assert.Equal(ErrorCapture.AppVersion, context.RootElement.GetProperty("Version").GetString());
        Assert.Equal(ErrorFingerprint.Of(Thrown()), error.Fingerprint);
        Assert.Equal(3, await db.ServiceLogs.CountAsync(l => l.Level == "ERROR"));
    }

    [Fact]
    public void Source_IsTheCircuitTheJobOrTheRequest_ByCategory()
    {
        Assert.Equal("circuit", ErrorCapture.SourceOf("Microsoft.AspNetCore.Components.Server.Circuits.CircuitHost", inRequest: false));
        Assert.Equal("circuit", ErrorCapture.SourceOf("Microsoft.AspNetCore.Components.RenderTree.Renderer", inRequest: true));
        Assert.Equal("job", ErrorCapture.SourceOf("Signalbook.Jobs.JobRecordingFilter", inRequest: false));
        Assert.Equal("job", ErrorCapture.SourceOf("Hangfire.Server.Worker", inRequest: false));
        Assert.Equal("request", ErrorCapture.SourceOf("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", inRequest: true));
        Assert.Equal("app", ErrorCapture.SourceOf("Signalbook.Features.Operations.InterruptedWorkSweep", inRequest: false));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static Exception Thrown()
    {
        try
        {
            throw new InvalidOperationException("the circuit's handler failed");
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }
}
