using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Audit;

/// <summary>Who did it and from where; built from the HTTP request or the circuit's user.</summary>
public sealed record AuditActor(Guid? UserId, string? Email, string? IpAddress, string? UserAgent = null)
{
    public static readonly AuditActor System = new(null, "system", null);
}

/// <summary>A change of state, stored as <c>{"before": …, "after": …}</c>.</summary>
public sealed record AuditChange(object? Before, object? After);

public static class AuditActions
{
    public const string SignIn = "auth.sign_in";
    public const string SignInFailed = "auth.sign_in_failed";
    public const string SignOut = "auth.sign_out";
    public const string Registered = "auth.registered";
    public const string EmailConfirmed = "auth.email_confirmed";
    public const string PasswordResetRequested = "auth.password_reset_requested";
    public const string PasswordReset = "auth.password_reset";
    public const string TwoFactorEnabled = "auth.two_factor_enabled";
    public const string TwoFactorDisabled = "auth.two_factor_disabled";
    public const string RecoveryCodesRenewed = "auth.recovery_codes_renewed";
    public const string SessionRevoked = "session.revoked";
    public const string RoleAdded = "user.role_added";
    public const string RoleRemoved = "user.role_removed";
    public const string UserDeactivated = "user.deactivated";
    public const string UserReactivated = "user.reactivated";
    public const string UserDeleted = "user.deleted";
    public const string AdminBootstrapped = "user.admin_bootstrapped";
    public const string WaitlistJoined = "waitlist.joined";
    public const string WaitlistApproved = "waitlist.approved";
    public const string WaitlistRejected = "waitlist.rejected";
    public const string WaitlistNotes = "waitlist.notes_changed";
    public const string JobRunRequested = "job.run_requested";
    public const string JobPaused = "job.paused";
    public const string JobResumed = "job.resumed";
    public const string InstrumentAdded = "instrument.added";
    public const string InstrumentChanged = "instrument.changed";
    public const string BarsImported = "bars.imported";
    public const string ModelActivated = "model.activated";
    public const string TrainingRequested = "model.training_requested";
    public const string TrainingCancelled = "model.training_cancelled";
    public const string RiskConsentAccepted = "user.risk_consent_accepted";
}

public sealed record AuditRow(long Id, DateTimeOffset OccurredAt, string? ActorEmail, string Action, string? ResourceType, string? ResourceId,
    bool Success, string? IpAddress, string? UserAgent, string? Changes, string? Details);

public sealed record AuditQuery(string? Search = null, string? ActionPrefix = null, bool? Success = null, int Skip = 0, int Take = 25,
    string SortBy = nameof(AuditRow.OccurredAt), bool Descending = true);

public sealed class AuditService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public async Task WriteAsync(AuditActor actor, string action, string? resourceType = null, string? resourceId = null,
        bool success = true, object? details = null, AuditChange? changes = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.AuditLogs.Add(new AuditLog
        {
            OccurredAt = clock.GetUtcNow(),
            UserId = actor.UserId,
            ActorEmail = actor.Email,
            IpAddress = Truncate(actor.IpAddress, 45),
            UserAgent = Truncate(actor.UserAgent, 512),
            Action = action,
            ResourceType = resourceType,
            ResourceId = resourceId,
            Success = success,
            Changes = changes is null ? null : JsonSerializer.Serialize(new { before = changes.Before, after = changes.After }, Json),
            Details = details is null ? null : JsonSerializer.Serialize(details, Json),
        });
        await db.SaveChangesAsync(ct);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string? Truncate(string? value, int max) => value is { Length: > 0 } v && v.Length > max ? v[..max] : value;

    public async Task<(IReadOnlyList<AuditRow> Rows, int Total)> QueryAsync(AuditQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.AuditLogs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            var term = $"%{q.Search.Trim()}%";
            query = query.Where(a => EF.Functions.ILike(a.ActorEmail ?? "", term) || EF.Functions.ILike(a.ResourceId ?? "", term)
                                     || EF.Functions.ILike(a.Action, term));
        }
        if (!string.IsNullOrWhiteSpace(q.ActionPrefix)) query = query.Where(a => a.Action.StartsWith(q.ActionPrefix));
        if (q.Success is { } ok) query = query.Where(a => a.Success == ok);
        var total = await query.CountAsync(ct);
        query = (q.SortBy, q.Descending) switch
        {
            (nameof(AuditRow.ActorEmail), false) => query.OrderBy(a => a.ActorEmail).ThenByDescending(a => a.Id),
            (nameof(AuditRow.ActorEmail), true) => query.OrderByDescending(a => a.ActorEmail).ThenByDescending(a => a.Id),
            (nameof(AuditRow.Action), false) => query.OrderBy(a => a.Action).ThenByDescending(a => a.Id),
            (nameof(AuditRow.Action), true) => query.OrderByDescending(a => a.Action).ThenByDescending(a => a.Id),
            (nameof(AuditRow.Success), false) => query.OrderBy(a => a.Success).ThenByDescending(a => a.Id),
            (nameof(AuditRow.Success), true) => query.OrderByDescending(a => a.Success).ThenByDescending(a => a.Id),
            (nameof(AuditRow.IpAddress), false) => query.OrderBy(a => a.IpAddress).ThenByDescending(a => a.Id),
            (nameof(AuditRow.IpAddress), true) => query.OrderByDescending(a => a.IpAddress).ThenByDescending(a => a.Id),
            (_, false) => query.OrderBy(a => a.OccurredAt).ThenBy(a => a.Id),
            _ => query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id),
        };
        var rows = await query.Skip(q.Skip).Take(q.Take)
            .Select(a => new AuditRow(a.Id, a.OccurredAt, a.ActorEmail, a.Action, a.ResourceType, a.ResourceId, a.Success, a.IpAddress, a.UserAgent, a.Changes, a.Details))
            .ToListAsync(ct);
        return (rows, total);
    }
}
