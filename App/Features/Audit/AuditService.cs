using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Audit;

/// <summary>Who did it and from where; built from the HTTP request or the circuit's user.</summary>
public sealed record AuditActor(Guid? UserId, string? Email, string? IpAddress)
{
    public static readonly AuditActor System = new(null, "system", null);
}

public static class AuditActions
{
    public const string SignIn = "auth.sign_in";
    public const string SignInFailed = "auth.sign_in_failed";
    public const string SignOut = "auth.sign_out";
    public const string Registered = "auth.registered";
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
}

public sealed record AuditRow(long Id, DateTimeOffset OccurredAt, string? ActorEmail, string Action, string? TargetType, string? TargetId, bool Success, string? IpAddress, string? Details);

public sealed record AuditQuery(string? Search = null, string? ActionPrefix = null, bool? Success = null, int Skip = 0, int Take = 25);

public sealed class AuditService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public async Task WriteAsync(AuditActor actor, string action, string? targetType = null, string? targetId = null,
        bool success = true, object? details = null, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        db.AuditLogs.Add(new AuditLog
        {
            OccurredAt = clock.GetUtcNow(),
            ActorUserId = actor.UserId,
            ActorEmail = actor.Email,
            IpAddress = actor.IpAddress,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Success = success,
            Details = details is null ? null : JsonSerializer.Serialize(details),
        });
        await db.SaveChangesAsync(ct);
    }

    public async Task<(IReadOnlyList<AuditRow> Rows, int Total)> QueryAsync(AuditQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.AuditLogs.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            var term = $"%{q.Search.Trim()}%";
            query = query.Where(a => EF.Functions.ILike(a.ActorEmail ?? "", term) || EF.Functions.ILike(a.TargetId ?? "", term)
                                     || EF.Functions.ILike(a.Action, term));
        }
        if (!string.IsNullOrWhiteSpace(q.ActionPrefix)) query = query.Where(a => a.Action.StartsWith(q.ActionPrefix));
        if (q.Success is { } ok) query = query.Where(a => a.Success == ok);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id).Skip(q.Skip).Take(q.Take)
            .Select(a => new AuditRow(a.Id, a.OccurredAt, a.ActorEmail, a.Action, a.TargetType, a.TargetId, a.Success, a.IpAddress, a.Details))
            .ToListAsync(ct);
        return (rows, total);
    }
}
