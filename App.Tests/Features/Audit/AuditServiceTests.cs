using Signalbook.Features.Audit;
using Signalbook.Tests.Infrastructure;

namespace Signalbook.Tests.Features.Audit;

public sealed class AuditServiceTests : ServiceHarness
{
    private Task WriteAsync(string email, string action, bool success = true) => WithAsync<AuditService, bool>(async a =>
    {
        await a.WriteAsync(new AuditActor(null, email, "192.0.2.1"), action, "user", email, success);
        return true;
    });

    [Fact]
    public async Task Query_FiltersByAreaAndOutcome_AndSortsByTheGridsColumn()
    {
        await WriteAsync("zed@example.com", AuditActions.SignIn);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await WriteAsync("amy@example.com", AuditActions.SignInFailed, success: false);
        Clock.Advance(TimeSpan.FromMinutes(1));
        await WriteAsync("kim@example.com", AuditActions.WaitlistJoined);

        var auth = await WithAsync<AuditService, (IReadOnlyList<AuditRow> Rows, int Total)>(a =>
            a.QueryAsync(new AuditQuery(ActionPrefix: "auth.", SortBy: nameof(AuditRow.ActorEmail), Descending: false)));
        Assert.Equal(["amy@example.com", "zed@example.com"], auth.Rows.Select(r => r.ActorEmail));

        var failures = await WithAsync<AuditService, (IReadOnlyList<AuditRow> Rows, int Total)>(a => a.QueryAsync(new AuditQuery(Success: false)));
        Assert.Equal(1, failures.Total);
        Assert.Equal(AuditActions.SignInFailed, Assert.Single(failures.Rows).Action);

        var oldestFirst = await WithAsync<AuditService, (IReadOnlyList<AuditRow> Rows, int Total)>(a =>
            a.QueryAsync(new AuditQuery(Search: "example.com", SortBy: nameof(AuditRow.OccurredAt), Descending: false)));
        Assert.Equal(["zed@example.com", "amy@example.com", "kim@example.com"], oldestFirst.Rows.Select(r => r.ActorEmail));
    }
}
