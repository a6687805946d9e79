using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Notifications.Delivery;
using Signalbook.Features.Users;

namespace Signalbook.Features.Notifications;

/// <summary>
/// <see cref="INotifier"/>: stores the notifications row and announces it on <see cref="PgTopics.Notifications"/> in the
/// same transaction, so every node's open circuits of that user hear of it once it is committed. The same transaction
/// decides each outbound channel from the user's preferences (<see cref="DeliveryPlanner"/>; a default preferences row is
/// created on first use, with the account's email): not requested, held by quiet hours (the digest job sends it when they
/// end), or pending. Pending channels are delivered off the caller's path by <see cref="INotificationDeliveryQueue"/>
/// (a Hangfire job with retries and backoff in the app). The row exists before any delivery, so nothing is lost.
/// </summary>
public sealed class NotificationService(IDbContextFactory<AppDbContext> factory, TimeProvider clock, INotificationDeliveryQueue queue,
    UserSettingsService settings, ILogger<NotificationService> logger) : INotifier
{
    public async Task<long> NotifyAsync(NotificationRequest request, CancellationToken ct = default)
    {
        Validate(request);
        var zone = await ZoneAsync(request.UserId, ct);
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var prefs = await NotificationPreferencesStore.EnsureAsync(db, request.UserId, ct);
        var now = clock.GetUtcNow();
        var plan = DeliveryPlanner.Plan(prefs, request.Type, request.Level, now, zone);
        var row = new Notification
        {
            UserId = request.UserId,
            Type = request.Type,
            Level = request.Level,
            Title = Clip(request.Title, 255),
            Message = Clip(request.Message, 1024),
            Link = request.Link is null ? null : Clip(request.Link, 512),
            Symbol = request.Symbol is null ? null : Clip(request.Symbol, 32),
            CreatedAt = now,
            EmailStatus = plan.EmailStatus,
            TelegramStatus = plan.TelegramStatus,
            HeldUntil = plan.HeldUntil,
        };
        db.Notifications.Add(row);
        await db.SaveChangesAsync(ct);
        await PgEventBus.PublishAsync((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)tx.GetDbTransaction(),
            PgTopics.Notifications, new { userId = request.UserId }, ct);
        await tx.CommitAsync(ct);
        if (plan.AnyPending)
        {
            try
            {
                await queue.EnqueueAsync(row.Id, request.UserId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The row is pending and stays so: the digest run queues pending rows no attempt has touched.
                logger.LogError(e, "Could not queue the delivery of notification {Id}; the digest run will queue it again", row.Id);
            }
        }
        return row.Id;
    }

    public async Task<int> NotifyAdminsAsync(string type, string level, string title, string message, string? link = null, CancellationToken ct = default)
    {
        List<Guid> admins;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            admins = await ActiveAdminIdsAsync(db, ct);
        }
        foreach (var admin in admins) await NotifyAsync(new NotificationRequest(admin, type, level, title, message, link), ct);
        return admins.Count;
    }

    /// <summary>
    /// The user's time zone for quiet hours; UTC when their settings cannot be read. A notice is often about a failing
    /// database (a new error group): losing it because the recipient's settings row was the failing part would hide
    /// the failure from the admins it is meant for.
    /// </summary>
    private async Task<TimeZoneInfo> ZoneAsync(Guid userId, CancellationToken ct)
    {
        try
        {
            return UserSettingsService.ZoneOf((await settings.GetTradingAsync(userId, ct)).Profile);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "The settings of user {User} could not be read; their notification's quiet hours are taken in UTC", userId);
            return TimeZoneInfo.Utc;
        }
    }

    /// <summary>The users who hold the Admin role and are neither deactivated nor deleted.</summary>
    public static Task<List<Guid>> ActiveAdminIdsAsync(AppDbContext db, CancellationToken ct)
        => (from u in db.Users
            join ur in db.UserRoles on u.Id equals ur.UserId
            join r in db.Roles on ur.RoleId equals r.Id
            where r.Name == Roles.Admin && u.IsActive && !u.IsDeleted
            select u.Id).Distinct().ToListAsync(ct);

    private static void Validate(NotificationRequest r)
    {
        if (!NotificationTypes.All.Contains(r.Type)) throw new ArgumentException($"Unknown notification type '{r.Type}'; expected one of {string.Join(", ", NotificationTypes.All)}.", nameof(r));
        if (!NotificationLevels.All.Contains(r.Level)) throw new ArgumentException($"Unknown notification level '{r.Level}'; expected one of {string.Join(", ", NotificationLevels.All)}.", nameof(r));
        if (string.IsNullOrWhiteSpace(r.Title)) throw new ArgumentException("A notification needs a title.", nameof(r));
    }

    private static string Clip(string s, int max) => s.Length > max ? s[..(max - 1)] + "…" : s;
}

/// <summary>The one preferences row per user, created on first use with the seed's defaults and the account's email.</summary>
internal static class NotificationPreferencesStore
{
    /// <summary>The user's row (tracked), inserted first when missing; safe when two callers race (ON CONFLICT).</summary>
    public static async Task<UserNotificationPreferences> EnsureAsync(AppDbContext db, Guid userId, CancellationToken ct)
    {
        var prefs = await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == userId, ct);
        if (prefs is not null) return prefs;
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO user_notification_preferences (user_id, email_address)
            SELECT id, left(email, 255) FROM users WHERE id = {userId}
            ON CONFLICT (user_id) DO NOTHING
            """, ct);
        return await db.NotificationPreferences.SingleOrDefaultAsync(p => p.UserId == userId, ct)
            ?? throw new ArgumentException($"No user {userId}.", nameof(userId));
    }
}
