using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Signalbook.Data;

namespace Signalbook.Features.Notifications.Centre;

/// <summary>One notification as the bell and the centre show it, with where its outbound deliveries stand.</summary>
public sealed record NotificationItem(
    long Id,
    string Type,
    string Level,
    string Title,
    string Message,
    string? Link,
    string? Symbol,
    bool Read,
    DateTimeOffset CreatedAt,
    string EmailStatus,
    string TelegramStatus,
    string? DeliveryError)
{
    /// <summary>The link when it is a path on this site ("alerts/12", "/journal"); null for anything else, which is never followed.</summary>
    public string? SafeLink => NotificationLinks.Safe(Link);

    /// <summary>Some outbound channel gave up on this message.</summary>
    public bool DeliveryFailed => EmailStatus == DeliveryStatuses.Failed || TelegramStatus == DeliveryStatuses.Failed;
}

/// <summary>Which of a user's notifications to list. Null filters match everything; <see cref="Read"/> false lists the unread only.</summary>
public sealed record NotificationQuery(string? Type = null, string? Level = null, bool? Read = null, string? Search = null, int Skip = 0, int Take = 25);

public static class NotificationLinks
{
    /// <summary>"alerts/12" → "/alerts/12"; absolute, protocol-relative, backslash and script links → null.</summary>
    public static string? Safe(string? link)
    {
        if (string.IsNullOrWhiteSpace(link)) return null;
        var s = link.Trim();
        // A scheme before the first slash ("javascript:…", "https://…") is not a path on this site.
        var colon = s.IndexOf(':');
        var slash = s.IndexOf('/');
        if (colon >= 0 && (slash < 0 || colon < slash)) return null;
        if (s.Contains('\\') || s.StartsWith("//", StringComparison.Ordinal)) return null;
        return s.StartsWith('/') ? s : "/" + s;
    }
}

/// <summary>
/// The in-app side of notifications: the unread count the bell shows, the centre's paged and filtered list, and marking
/// read. Every call takes the caller's user id and touches only that user's rows: another user's notification is not
/// found, not counted and not marked. A change of read state is announced on <see cref="PgTopics.Notifications"/> (in the
/// same transaction), so the user's other tabs, on any node, update their bell.
/// </summary>
public sealed class NotificationCentreService(IDbContextFactory<AppDbContext> factory, TimeProvider clock)
{
    public const int MaxPageSize = 100;
    public const int MaxSearchLength = 200;

    /// <summary>The user's unread notifications (served by the (user_id, read, created_at) index).</summary>
    public async Task<int> UnreadCountAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Notifications.AsNoTracking().CountAsync(n => n.UserId == userId && !n.Read, ct);
    }

    /// <summary>The user's newest notifications, read or not (the bell's menu).</summary>
    public async Task<IReadOnlyList<NotificationItem>> LatestAsync(Guid userId, int take = 5, CancellationToken ct = default)
    {
        var (rows, _) = await PageAsync(userId, new NotificationQuery(Take: Math.Clamp(take, 1, MaxPageSize)), ct);
        return rows;
    }

    /// <summary>One page of the user's notifications, newest first, and how many match in all.</summary>
    public async Task<(IReadOnlyList<NotificationItem> Rows, int Total)> PageAsync(Guid userId, NotificationQuery q, CancellationToken ct = default)
    {
        Validate(q);
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.Notifications.AsNoTracking().Where(n => n.UserId == userId);
        if (!string.IsNullOrEmpty(q.Type)) query = query.Where(n => n.Type == q.Type);
        if (!string.IsNullOrEmpty(q.Level)) query = query.Where(n => n.Level == q.Level);
        if (q.Read is { } read) query = query.Where(n => n.Read == read);
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            var term = $"%{EscapeLike(q.Search.Trim())}%";
            query = query.Where(n => EF.Functions.ILike(n.Title, term, "\\") || EF.Functions.ILike(n.Message, term, "\\")
                                     || EF.Functions.ILike(n.Symbol ?? "", term, "\\"));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Skip(q.Skip).Take(q.Take)
            .Select(n => new NotificationItem(n.Id, n.Type, n.Level, n.Title, n.Message, n.Link, n.Symbol, n.Read, n.CreatedAt,
                n.EmailStatus, n.TelegramStatus, n.DeliveryError))
            .ToListAsync(ct);
        return (rows, total);
    }

    /// <summary>Marks one of the user's notifications read; false when it is not theirs, does not exist, or was read already.</summary>
    public async Task<bool> MarkReadAsync(Guid userId, long notificationId, CancellationToken ct = default)
        => await MarkAsync(userId, notificationId, ct) > 0;

    /// <summary>Marks every unread notification of the user read; returns how many.</summary>
    public Task<int> MarkAllReadAsync(Guid userId, CancellationToken ct = default) => MarkAsync(userId, null, ct);

    private async Task<int> MarkAsync(Guid userId, long? notificationId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var unread = db.Notifications.Where(n => n.UserId == userId && !n.Read);
        if (notificationId is { } id) unread = unread.Where(n => n.Id == id);
        var changed = await unread.ExecuteUpdateAsync(s => s.SetProperty(n => n.Read, true).SetProperty(n => n.ReadAt, now), ct);
        if (changed > 0)
        {
            await PgEventBus.PublishAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(),
                PgTopics.Notifications, new { userId }, ct);
        }
        await tx.CommitAsync(ct);
        return changed;
    }

    private static void Validate(NotificationQuery q)
    {
        if (!string.IsNullOrEmpty(q.Type) && !NotificationTypes.All.Contains(q.Type))
            throw new ArgumentException($"Unknown notification type '{q.Type}'; expected one of {string.Join(", ", NotificationTypes.All)}.", nameof(q));
        if (!string.IsNullOrEmpty(q.Level) && !NotificationLevels.All.Contains(q.Level))
            throw new ArgumentException($"Unknown notification level '{q.Level}'; expected one of {string.Join(", ", NotificationLevels.All)}.", nameof(q));
        if (q.Skip < 0) throw new ArgumentException($"The page start must be 0 or more, not {q.Skip}.", nameof(q));
        if (q.Take is < 1 or > MaxPageSize) throw new ArgumentException($"The page size must be between 1 and {MaxPageSize}, not {q.Take}.", nameof(q));
        if (q.Search is { Length: > MaxSearchLength }) throw new ArgumentException($"The search text is {q.Search.Length} characters; keep it under {MaxSearchLength}.", nameof(q));
    }

    private static string EscapeLike(string s) => s.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}

public static class NotificationCentreSetup
{
    /// <summary>The bell's and the notification centre's service.</summary>
    public static IServiceCollection AddSignalbookNotificationCentre(this IServiceCollection services)
        => services.AddSingleton<NotificationCentreService>();
}
