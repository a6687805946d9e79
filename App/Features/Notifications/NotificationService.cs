using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Users;

namespace Signalbook.Features.Notifications;

/// <summary>
/// <see cref="INotifier"/>: stores the notifications row and announces it on <see cref="PgTopics.Notifications"/> in the
/// same transaction, so every node's open circuits of that user hear of it once it is committed.
/// </summary>
public sealed class NotificationService(IDbContextFactory<AppDbContext> factory, TimeProvider clock) : INotifier
{
    public async Task<long> NotifyAsync(NotificationRequest request, CancellationToken ct = default)
    {
        Validate(request);
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = new Notification
        {
            UserId = request.UserId,
            Type = request.Type,
            Level = request.Level,
            Title = Clip(request.Title, 255),
            Message = Clip(request.Message, 1024),
            Link = request.Link,
            Symbol = request.Symbol,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Notifications.Add(row);
        await db.SaveChangesAsync(ct);
        await PgEventBus.PublishAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(),
            PgTopics.Notifications, new { userId = request.UserId }, ct);
        await tx.CommitAsync(ct);
        return row.Id;
    }

    public async Task<int> NotifyAdminsAsync(string type, string level, string title, string message, string? link = null, CancellationToken ct = default)
    {
        List<Guid> admins;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            admins = await (from u in db.Users
                            join ur in db.UserRoles on u.Id equals ur.UserId
                            join r in db.Roles on ur.RoleId equals r.Id
                            where r.Name == Roles.Admin && u.IsActive && !u.IsDeleted
                            select u.Id).Distinct().ToListAsync(ct);
        }
        foreach (var admin in admins) await NotifyAsync(new NotificationRequest(admin, type, level, title, message, link), ct);
        return admins.Count;
    }

    private static void Validate(NotificationRequest r)
    {
        if (!NotificationTypes.All.Contains(r.Type)) throw new ArgumentException($"Unknown notification type '{r.Type}'; expected one of {string.Join(", ", NotificationTypes.All)}.", nameof(r));
        if (!NotificationLevels.All.Contains(r.Level)) throw new ArgumentException($"Unknown notification level '{r.Level}'; expected one of {string.Join(", ", NotificationLevels.All)}.", nameof(r));
        if (string.IsNullOrWhiteSpace(r.Title)) throw new ArgumentException("A notification needs a title.", nameof(r));
    }

    private static string Clip(string s, int max) => s.Length > max ? s[..(max - 1)] + "…" : s;
}
