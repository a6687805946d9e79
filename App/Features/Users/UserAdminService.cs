using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Signalbook.Data;
using Signalbook.Features.Audit;

namespace Signalbook.Features.Users;

public sealed record UserRow(Guid Id, string Email, string? Name, IReadOnlyList<string> Roles, bool IsActive, bool IsDeleted,
    DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt, int ActiveSessions);

public sealed record UserQuery(string? Search = null, string? Role = null, bool IncludeDeleted = false, int Skip = 0, int Take = 20,
    string SortBy = nameof(UserRow.CreatedAt), bool Descending = true);

/// <summary>The outcome of an admin action: either done, or refused with a reason to show.</summary>
public sealed record AdminResult(bool Ok, string Message)
{
    public static AdminResult Done(string message) => new(true, message);
    public static AdminResult Refused(string message) => new(false, message);
}

/// <summary>
/// What admins do to accounts: search, roles, deactivation, soft delete. Every change is audited.
/// Each change runs in its own scope (a fresh UserManager and DbContext), because the admin page
/// lives in a long circuit and must never update an entity it loaded minutes ago.
/// </summary>
public sealed class UserAdminService(
    IDbContextFactory<AppDbContext> factory,
    IServiceScopeFactory scopes,
    SessionService sessions,
    AuditService audit,
    TimeProvider clock)
{
    private async Task<AdminResult> WithUsersAsync(Func<UserManager<AppUser>, Task<AdminResult>> action)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>());
    }

    public async Task<(IReadOnlyList<UserRow> Rows, int Total)> QueryAsync(UserQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var query = db.Users.AsNoTracking();
        if (!q.IncludeDeleted) query = query.Where(u => !u.IsDeleted);
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            var term = $"%{q.Search.Trim()}%";
            query = query.Where(u => EF.Functions.ILike(u.Email ?? "", term) || EF.Functions.ILike(u.Name ?? "", term));
        }
        if (!string.IsNullOrWhiteSpace(q.Role))
        {
            query = query.Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == q.Role)));
        }
        var total = await query.CountAsync(ct);
        query = (q.SortBy, q.Descending) switch
        {
            (nameof(UserRow.Email), false) => query.OrderBy(u => u.Email),
            (nameof(UserRow.Email), true) => query.OrderByDescending(u => u.Email),
            (nameof(UserRow.Name), false) => query.OrderBy(u => u.Name),
            (nameof(UserRow.Name), true) => query.OrderByDescending(u => u.Name),
            (nameof(UserRow.LastLoginAt), false) => query.OrderBy(u => u.LastLoginAt),
            (nameof(UserRow.LastLoginAt), true) => query.OrderByDescending(u => u.LastLoginAt),
            (_, false) => query.OrderBy(u => u.CreatedAt),
            _ => query.OrderByDescending(u => u.CreatedAt),
        };
        var page = await query.Skip(q.Skip).Take(q.Take)
            .Select(u => new
            {
                u.Id, u.Email, u.Name, u.IsActive, u.IsDeleted, u.CreatedAt, u.LastLoginAt,
                Roles = db.UserRoles.Where(ur => ur.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
                ActiveSessions = db.Sessions.Count(s => s.UserId == u.Id && s.RevokedAt == null && s.ExpiresAt > now),
            })
            .ToListAsync(ct);
        var rows = page.Select(u => new UserRow(u.Id, u.Email ?? "", u.Name, u.Roles.Order().ToList(), u.IsActive, u.IsDeleted,
            u.CreatedAt, u.LastLoginAt, u.ActiveSessions)).ToList();
        return (rows, total);
    }

    public Task<AdminResult> SetRoleAsync(Guid userId, string role, bool grant, AuditActor actor) => WithUsersAsync(async users =>
    {
        if (!Roles.All.Contains(role)) return AdminResult.Refused($"Unknown role '{role}'.");
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || user.IsDeleted) return AdminResult.Refused("That user does not exist.");
        if (!grant && role == Roles.Admin)
        {
            if (userId == actor.UserId) return AdminResult.Refused("You cannot remove your own Admin role.");
            if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count(u => u.IsActive && !u.IsDeleted) <= 1)
                return AdminResult.Refused("At least one active admin must remain.");
        }
        var before = (await users.GetRolesAsync(user)).Order().ToList();
        if (before.Contains(role) == grant) return AdminResult.Done(grant ? $"{user.Email} already has {role}." : $"{user.Email} does not have {role}.");
        var result = grant ? await users.AddToRoleAsync(user, role) : await users.RemoveFromRoleAsync(user, role);
        if (!result.Succeeded) return AdminResult.Refused(string.Join(" ", result.Errors.Select(e => e.Description)));
        var after = grant ? before.Append(role).Order().ToList() : before.Where(r => r != role).ToList();
        await audit.WriteAsync(actor, grant ? AuditActions.RoleAdded : AuditActions.RoleRemoved, "user", user.Id.ToString(),
            details: new { role, user.Email }, changes: new AuditChange(new { roles = before }, new { roles = after }));
        return AdminResult.Done(grant ? $"{user.Email} is now {role}." : $"{user.Email} is no longer {role}.");
    });

    public Task<AdminResult> SetActiveAsync(Guid userId, bool active, AuditActor actor) => WithUsersAsync(async users =>
    {
        if (!active && userId == actor.UserId) return AdminResult.Refused("You cannot deactivate your own account.");
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || user.IsDeleted) return AdminResult.Refused("That user does not exist.");
        user.IsActive = active;
        user.UpdatedAt = clock.GetUtcNow();
        await users.UpdateAsync(user);
        if (!active)
        {
            await sessions.RevokeAllAsync(user.Id, actor, "account deactivated");
            await users.UpdateSecurityStampAsync(user);
        }
        await audit.WriteAsync(actor, active ? AuditActions.UserReactivated : AuditActions.UserDeactivated, "user", user.Id.ToString(),
            details: new { user.Email }, changes: new AuditChange(new { is_active = !active }, new { is_active = active }));
        return AdminResult.Done(active ? $"{user.Email} can sign in again." : $"{user.Email} is deactivated and signed out everywhere.");
    });

    /// <summary>Soft delete: the row stays (fills, journals and audit history keep their owner), sign-in stops for good.</summary>
    public Task<AdminResult> SoftDeleteAsync(Guid userId, AuditActor actor) => WithUsersAsync(async users =>
    {
        if (userId == actor.UserId) return AdminResult.Refused("You cannot delete your own account.");
        var user = await users.FindByIdAsync(userId.ToString());
        if (user is null || user.IsDeleted) return AdminResult.Refused("That user does not exist.");
        if (await users.IsInRoleAsync(user, Roles.Admin)
            && (await users.GetUsersInRoleAsync(Roles.Admin)).Count(u => u.IsActive && !u.IsDeleted) <= 1)
        {
            return AdminResult.Refused("The last active admin cannot be deleted.");
        }
        var now = clock.GetUtcNow();
        user.IsDeleted = true;
        user.DeletedAt = now;
        user.IsActive = false;
        user.UpdatedAt = now;
        await users.UpdateAsync(user);
        await users.UpdateSecurityStampAsync(user);
        await sessions.RevokeAllAsync(user.Id, actor, "account deleted");
        await audit.WriteAsync(actor, AuditActions.UserDeleted, "user", user.Id.ToString(),
            details: new { user.Email }, changes: new AuditChange(new { is_deleted = false }, new { is_deleted = true }));
        return AdminResult.Done($"{user.Email} is deleted.");
    });
}
