using Microsoft.EntityFrameworkCore;
using Signalbook.Data;

namespace Signalbook.Features.Audit.Activity;

/// <summary>One line of a user's own activity: what was done, from which address and browser, and whether it worked.</summary>
public sealed record ActivityRow(long Id, DateTimeOffset OccurredAt, string Action, string? ResourceType, string? ResourceId, bool Success,
    string? IpAddress, string? UserAgent, string? Details);

/// <summary>Which of the user's activity to list: an area is an action prefix ("auth.", "order."); null matches all.</summary>
public sealed record ActivityQuery(string? Area = null, bool? Success = null, int Skip = 0, int Take = 25);

/// <summary>
/// Settings → Activity: the signed-in user's own audit trail (the multi-user seed: users see their own audit logs). A
/// row is the user's when they did it (audit_logs.user_id), plus failed sign-ins typed with their email address, which
/// no one is signed in for. Admins see everyone's on the admin audit page, not here.
/// </summary>
public sealed class ActivityService(IDbContextFactory<AppDbContext> factory)
{
    public const int MaxPageSize = 100;

    /// <summary>Names of the areas a user's activity falls in, by action prefix; unknown prefixes show as themselves.</summary>
    public static readonly IReadOnlyDictionary<string, string> AreaNames = new Dictionary<string, string>
    {
        ["auth."] = "Sign-in and security",
        ["session."] = "Sessions",
        ["user."] = "Account",
        ["order."] = "Orders",
        ["portfolio."] = "Portfolios",
        ["trading."] = "Trading service",
        ["config."] = "Configuration",
        ["settings."] = "Settings",
        ["notifications."] = "Notifications",
        ["api_key."] = "API keys",
        ["journal."] = "Journal",
        ["job."] = "Jobs",
        ["model."] = "Models",
        ["waitlist."] = "Waitlist",
        ["instrument."] = "Instruments",
        ["bars."] = "Bar imports",
    };

    public static string AreaOf(string action)
    {
        var dot = action.IndexOf('.');
        return dot < 0 ? action : action[..(dot + 1)];
    }

    public static string AreaName(string area) => AreaNames.TryGetValue(area, out var name) ? name : area.TrimEnd('.');

    /// <summary>The areas the user has activity in (for the filter), in a stable order.</summary>
    public async Task<IReadOnlyList<string>> AreasAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var email = await EmailOfAsync(db, userId, ct);
        var actions = await Own(db, userId, email).Select(a => a.Action).Distinct().ToListAsync(ct);
        var known = AreaNames.Keys.ToList();
        return actions.Select(AreaOf).Distinct().OrderBy(a => known.IndexOf(a) is var i && i >= 0 ? i : int.MaxValue).ThenBy(a => a, StringComparer.Ordinal).ToList();
    }

    /// <summary>One page of the user's activity, newest first, and how many rows match.</summary>
    public async Task<(IReadOnlyList<ActivityRow> Rows, int Total)> PageAsync(Guid userId, ActivityQuery q, CancellationToken ct = default)
    {
        if (q.Skip < 0) throw new ArgumentException($"The page start must be 0 or more, not {q.Skip}.", nameof(q));
        if (q.Take is < 1 or > MaxPageSize) throw new ArgumentException($"The page size must be between 1 and {MaxPageSize}, not {q.Take}.", nameof(q));
        await using var db = await factory.CreateDbContextAsync(ct);
        var email = await EmailOfAsync(db, userId, ct);
        var query = Own(db, userId, email);
        if (!string.IsNullOrEmpty(q.Area)) query = query.Where(a => a.Action.StartsWith(q.Area));
        if (q.Success is { } ok) query = query.Where(a => a.Success == ok);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id).Skip(q.Skip).Take(q.Take)
            .Select(a => new ActivityRow(a.Id, a.OccurredAt, a.Action, a.ResourceType, a.ResourceId, a.Success, a.IpAddress, a.UserAgent, a.Details))
            .ToListAsync(ct);
        return (rows, total);
    }

    private static async Task<string?> EmailOfAsync(AppDbContext db, Guid userId, CancellationToken ct)
        => await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.NormalizedEmail).SingleOrDefaultAsync(ct);

    /// <summary>The user's rows: theirs by id, and failed sign-ins where someone typed their email (no user id on those).</summary>
    private static IQueryable<AuditLog> Own(AppDbContext db, Guid userId, string? normalizedEmail)
    {
        var logs = db.AuditLogs.AsNoTracking();
        if (normalizedEmail is null) return logs.Where(a => a.UserId == userId);
        return logs.Where(a => a.UserId == userId
                               || (a.UserId == null && a.Action == AuditActions.SignInFailed && a.ResourceType == "user"
                                   && a.ResourceId != null && a.ResourceId.ToUpper() == normalizedEmail));
    }
}
