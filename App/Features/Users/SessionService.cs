using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Users;

public sealed record SessionRow(Guid Id, Guid UserId, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
    string? IpAddress, string? UserAgent, DateTimeOffset? RevokedAt, string? RevokeReason)
{
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && ExpiresAt > now;
}

/// <summary>
/// Server-side sign-in sessions. A cookie carries the session id; <see cref="IsActiveAsync"/> is
/// asked on every request, so a revoked session stops working on its next request.
/// </summary>
public sealed record SessionPage(IReadOnlyList<SessionRow> Rows, int Total);

public sealed class SessionService(IDbContextFactory<AppDbContext> factory, TimeProvider clock, AuditService audit)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(14);

    /// <summary>How stale <c>last_seen_at</c> may get before a request refreshes it (saves a write per request).</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    public async Task<Guid> CreateAsync(Guid userId, string? ipAddress, string? userAgent, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var session = new UserSession
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + Lifetime,
            IpAddress = ipAddress,
            UserAgent = userAgent is { Length: > 512 } ? userAgent[..512] : userAgent,
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Sessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    /// <summary>True while the session exists, is not revoked or expired, and its user may sign in.</summary>
    public async Task<bool> IsActiveAsync(Guid sessionId, Guid userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.UserId == userId)
            .Select(s => new { s.RevokedAt, s.ExpiresAt, s.LastSeenAt, s.User!.IsActive, s.User.IsDeleted })
            .SingleOrDefaultAsync(ct);
        if (row is null || row.RevokedAt is not null || row.ExpiresAt <= now || !row.IsActive || row.IsDeleted) return false;
        if (now - row.LastSeenAt > TouchInterval)
        {
            await db.Sessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), ct);
        }
        return true;
    }

    public async Task<IReadOnlyList<SessionRow>> ListAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Sessions.AsNoTracking().Where(s => s.UserId == userId)
            .OrderByDescending(s => s.CreatedAt).Take(100)
            .Select(s => new SessionRow(s.Id, s.UserId, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IpAddress, s.UserAgent, s.RevokedAt, s.RevokeReason))
            .ToListAsync(ct);
    }

    /// <summary>One page of a user's sessions, newest first, with the total (paged in SQL for the sessions grid).</summary>
    public async Task<SessionPage> PageAsync(Guid userId, int skip, int take, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.Sessions.AsNoTracking().Where(s => s.UserId == userId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Id).Skip(skip).Take(Math.Clamp(take, 1, 200))
            .Select(s => new SessionRow(s.Id, s.UserId, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IpAddress, s.UserAgent, s.RevokedAt, s.RevokeReason))
            .ToListAsync(ct);
        return new SessionPage(rows, total);
    }

    /// <summary>
    /// Revokes a session. A user may revoke their own; an admin anyone's. Returns false when the
    /// session does not exist, is already ended, or the actor may not touch it.
    /// </summary>
    public async Task<bool> RevokeAsync(Guid sessionId, AuditActor actor, bool actorIsAdmin, string reason, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null);
        if (!actorIsAdmin) query = query.Where(s => s.UserId == actor.UserId);
        var changed = await query.ExecuteUpdateAsync(u => u
            .SetProperty(s => s.RevokedAt, now)
            .SetProperty(s => s.RevokedByUserId, actor.UserId)
            .SetProperty(s => s.RevokeReason, reason), ct);
        if (changed > 0)
        {
            await audit.WriteAsync(actor, AuditActions.SessionRevoked, "session", sessionId.ToString(), details: new { reason }, ct: ct);
        }
        return changed > 0;
    }

    /// <summary>Ends a session at sign-out (not audited as a revocation; the sign-out is audited).</summary>
    public async Task EndAsync(Guid sessionId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.RevokedAt, now)
            .SetProperty(s => s.RevokeReason, "signed out"), ct);
    }

    public async Task<int> RevokeAllAsync(Guid userId, AuditActor actor, string reason, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.RevokedAt, now)
            .SetProperty(s => s.RevokedByUserId, actor.UserId)
            .SetProperty(s => s.RevokeReason, reason), ct);
    }
}
