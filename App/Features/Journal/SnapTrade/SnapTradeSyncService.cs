using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Signalbook.Data;
using Signalbook.Features.Journal.Campaigns;
using Signalbook.Features.Journal.Import;
using SnapTradeUserRow = Signalbook.Features.Journal.SnapTradeUser;

namespace Signalbook.Features.Journal.SnapTrade;

/// <summary>
/// Queues and schedules connection syncs (a Hangfire job per connection, Jobs/SnapTradeSyncJobs.cs); the journal does
/// not depend on the job library.
/// </summary>
public interface ISnapTradeSyncScheduler
{
    /// <summary>Adds or updates the connection's nightly sync.</summary>
    void Register(Guid ownerId, long connectionId);

    /// <summary>Removes the connection's nightly sync.</summary>
    void Remove(long connectionId);

    /// <summary>Queues a sync now; returns the job id.</summary>
    string RunNow(Guid ownerId, long connectionId, Guid? requestedBy, string reason);
}

/// <summary>What the connections page shows of one connection.</summary>
public sealed record BrokerConnectionRow(long Id, string BrokerageName, string BrokerageSlug, string AuthorizationId, bool IsActive,
    DateTimeOffset? LastSyncedAt, string? LastSyncStatus, string? LastSyncError, DateTimeOffset CreatedAt)
{
    /// <summary>active, expired (the trader must reconnect) or disabled (removed or switched off).</summary>
    public string Status => LastSyncStatus == BrokerSyncStatus.Expired ? "expired" : IsActive ? "active" : "disabled";
}

public static class BrokerSyncStatus
{
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Expired = "expired";
}

/// <summary>How a sync ended: its status (<see cref="BrokerSyncStatus"/>), what it read and stored, and the message for the trader.</summary>
public sealed record BrokerSyncOutcome(long ConnectionId, string Status, int Accounts, int Activities, int FillsRead, int Added, int Duplicates,
    int Skipped, int Problems, int CampaignsRebuilt, string? Message);

/// <summary>The refresh of the caller's connection list: how many were added, updated and found gone at SnapTrade.</summary>
public sealed record BrokerConnectionsRefresh(int Added, int Updated, int Gone, IReadOnlyList<BrokerConnectionRow> Connections);

/// <summary>
/// Broker sync through SnapTrade for the journal: the trader's SnapTrade identity (its secret encrypted with Data
/// Protection), the connection portal, the list of connections (broker_connections) and the sync of one connection's
/// trades into the fills ledger. A sync stores the mapped fills exactly as a file import does (<see cref="FillLedger"/>:
/// one INSERT … ON CONFLICT on (user, external id), source broker_synced) and rebuilds the touched campaigns, in one
/// transaction with the connection's new status, so a failed sync writes nothing but its status.
/// </summary>
public sealed class SnapTradeSyncService(
    IDbContextFactory<AppDbContext> factory,
    SnapTradeClient client,
    CampaignStore campaigns,
    IDataProtectionProvider protection,
    ISnapTradeSyncScheduler scheduler,
    IOptions<SnapTradeOptions> options,
    TimeProvider clock,
    ILogger<SnapTradeSyncService> logger,
    Notifications.INotifier notifier)
{
    /// <summary>The Data Protection purpose of snaptrade_users.protected_secret (sub-purpose: the owner's id).</summary>
    public const string Purpose = "Signalbook.SnapTradeUserSecret.v1";

    public bool IsConfigured => options.Value.IsConfigured;

    /// <summary>Our id for a trader at SnapTrade: stable and not their e-mail.</summary>
    public static string SnapTradeUserIdFor(Guid userId) => $"signalbook-{userId:N}";

    // ---- identity and portal ---------------------------------------------------------------------------------------

    /// <summary>Registers the caller at SnapTrade once; a second call returns the stored identity without calling SnapTrade.</summary>
    public async Task<bool> RegisterAsync(JournalCaller caller, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        EnsureConfigured();
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.SnapTradeUsers.AnyAsync(u => u.UserId == caller.UserId, ct)) return false;
        var issued = await client.RegisterUserAsync(SnapTradeUserIdFor(caller.UserId), ct);
        db.SnapTradeUsers.Add(new SnapTradeUserRow
        {
            UserId = caller.UserId,
            SnapTradeUserId = issued.UserId,
            ProtectedSecret = Protector(caller.UserId).Protect(issued.UserSecret),
            CreatedAt = clock.GetUtcNow(),
        });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // A concurrent registration of the same trader stored it first.
            return false;
        }
        return true;
    }

    /// <summary>The portal link to connect a brokerage, or to reconnect one of the caller's connections.</summary>
    public async Task<Uri> GetPortalLinkAsync(JournalCaller caller, long? reconnectConnectionId = null, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        EnsureConfigured();
        string? reconnect = null;
        if (reconnectConnectionId is { } id)
        {
            await using var db = await factory.CreateDbContextAsync(ct);
            reconnect = (await FindAsync(db, caller.UserId, id, ct)).AuthorizationId;
        }
        await RegisterAsync(caller, ct);
        var user = await UserAsync(caller.UserId, ct) ?? throw new JournalNotFoundException("Your SnapTrade registration");
        return await client.GetConnectionPortalUrlAsync(user, new SnapTradeLoginOptions { Reconnect = reconnect }, ct);
    }

    public async Task<IReadOnlyList<BrokerConnectionRow>> ListAsync(JournalCaller caller, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.BrokerConnections.AsNoTracking().Where(c => c.UserId == caller.UserId).OrderBy(c => c.BrokerageName).ThenBy(c => c.Id)
            .Select(c => new BrokerConnectionRow(c.Id, c.BrokerageName, c.BrokerageSlug, c.AuthorizationId, c.IsActive, c.LastSyncedAt, c.LastSyncStatus, c.LastSyncError, c.CreatedAt))
            .ToListAsync(ct);
    }

    // ---- connections ------------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads the caller's connections from SnapTrade into broker_connections (by authorization id: new ones added, known
    /// ones updated; meta is SnapTrade's object; active unless SnapTrade flags it disabled; a connection SnapTrade no
    /// longer lists turns inactive, its fills kept). Each active connection gets its nightly sync and one sync now.
    /// </summary>
    public async Task<BrokerConnectionsRefresh> RefreshConnectionsAsync(JournalCaller caller, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        EnsureConfigured();
        var user = await UserAsync(caller.UserId, ct);
        if (user is null) return new BrokerConnectionsRefresh(0, 0, 0, await ListAsync(caller, ct));
        var listed = await client.ListConnectionsAsync(user, ct);

        var now = clock.GetUtcNow();
        int added = 0, updated = 0, gone = 0;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var snapUserId = await db.SnapTradeUsers.Where(u => u.UserId == caller.UserId).Select(u => u.Id).FirstAsync(ct);
            var ids = listed.Select(c => c.Id).ToList();
            // authorization_id is unique across users: one that belongs to someone else is never touched.
            var taken = await db.BrokerConnections.Where(c => ids.Contains(c.AuthorizationId) && c.UserId != caller.UserId).Select(c => c.AuthorizationId).ToListAsync(ct);
            var mine = await db.BrokerConnections.Where(c => c.UserId == caller.UserId).ToListAsync(ct);
            var all = new List<BrokerConnection>(mine);
            foreach (var c in listed.Where(c => !taken.Contains(c.Id)))
            {
                var row = mine.FirstOrDefault(m => m.AuthorizationId == c.Id);
                if (row is null)
                {
                    row = new BrokerConnection { UserId = caller.UserId, SnapTradeUserId = snapUserId, AuthorizationId = c.Id, CreatedAt = now };
                    db.BrokerConnections.Add(row);
                    all.Add(row);
                    added++;
                }
                else
                {
                    updated++;
                }
                row.BrokerageName = Limit(c.BrokerageName, 100);
                row.BrokerageSlug = Limit(c.BrokerageSlug ?? c.BrokerageName.ToUpperInvariant(), 50);
                row.Meta = c.RawJson;
                row.IsActive = !c.Disabled;
                if (c.Disabled)
                {
                    row.LastSyncStatus = BrokerSyncStatus.Expired;
                    row.LastSyncError = Limit(ExpiredMessage(row.BrokerageName), 2000);
                }
                else if (row.LastSyncStatus == BrokerSyncStatus.Expired)
                {
                    // Reconnected through the portal: the next sync says how it went.
                    (row.LastSyncStatus, row.LastSyncError) = (null, null);
                }
                row.UpdatedAt = now;
            }
            foreach (var row in mine.Where(m => m.IsActive && !ids.Contains(m.AuthorizationId)))
            {
                row.IsActive = false;
                row.UpdatedAt = now;
                gone++;
            }
            await db.SaveChangesAsync(ct);

            foreach (var row in all)
            {
                if (row.IsActive)
                {
                    scheduler.Register(caller.UserId, row.Id);
                    scheduler.RunNow(caller.UserId, row.Id, caller.UserId, "after refreshing the connection list");
                }
                else
                {
                    scheduler.Remove(row.Id);
                }
            }
        }
        return new BrokerConnectionsRefresh(added, updated, gone, await ListAsync(caller, ct));
    }

    /// <summary>Queues a sync of one of the caller's active connections now; returns the job id.</summary>
    public async Task<string> RequestSyncAsync(JournalCaller caller, long connectionId, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        EnsureConfigured();
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await FindAsync(db, caller.UserId, connectionId, ct);
        if (!row.IsActive)
            throw new JournalValidationException("Connection", row.LastSyncStatus == BrokerSyncStatus.Expired
                ? ExpiredMessage(row.BrokerageName) : $"The {row.BrokerageName} connection is no longer active; connect it again to sync.");
        return scheduler.RunNow(caller.UserId, connectionId, caller.UserId, "Sync now");
    }

    /// <summary>Deletes the connection at SnapTrade, then keeps it here as inactive with its fills (they are the trader's history).</summary>
    public async Task RemoveConnectionAsync(JournalCaller caller, long connectionId, CancellationToken ct = default)
    {
        caller.EnsureWrite();
        EnsureConfigured();
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.BrokerConnections.SingleOrDefaultAsync(c => c.Id == connectionId && c.UserId == caller.UserId, ct)
                  ?? throw new JournalNotFoundException($"Connection {connectionId}");
        var user = await UserAsync(caller.UserId, ct) ?? throw new JournalNotFoundException("Your SnapTrade registration");
        try
        {
            await client.DeleteConnectionAsync(user, row.AuthorizationId, row.BrokerageName, ct);
        }
        catch (SnapTradeException e) when (e.Kind is SnapTradeErrorKind.NotFound or SnapTradeErrorKind.AuthorizationExpired)
        {
            // Already gone or unusable at SnapTrade: removing it here is what the trader asked for.
            logger.LogInformation("SnapTrade connection {Authorization} was already gone ({Kind}) when removed", row.AuthorizationId, e.Kind);
        }
        row.IsActive = false;
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        scheduler.Remove(row.Id);
    }

    // ---- sync -------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Syncs one connection of <paramref name="ownerId"/> (the job's entry point): its accounts' activities since
    /// <see cref="SnapTradeSyncWindow.StartDate"/> of the last successful sync → fills (source broker_synced, this
    /// connection) → the touched campaigns rebuilt, all with the new status in one transaction. SnapTrade failures do
    /// not throw: they are the returned outcome and the connection's status (failed, or expired: reconnect), and
    /// nothing else is written. Another user's connection is <see cref="JournalNotFoundException"/>.
    /// </summary>
    public async Task<BrokerSyncOutcome> SyncConnectionAsync(Guid ownerId, long connectionId, CancellationToken ct = default)
    {
        EnsureConfigured();
        BrokerConnection row;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            row = await FindAsync(db, ownerId, connectionId, ct);
        }
        if (!row.IsActive)
        {
            return new BrokerSyncOutcome(connectionId, row.LastSyncStatus ?? BrokerSyncStatus.Failed, 0, 0, 0, 0, 0, 0, 0, 0,
                $"The {row.BrokerageName} connection is not active; nothing was synced.");
        }
        var user = await UserAsync(ownerId, ct) ?? throw new JournalNotFoundException("The SnapTrade registration");

        List<SnapTradeActivity> activities = [];
        int accountCount;
        try
        {
            var listed = (await client.ListConnectionsAsync(user, ct)).FirstOrDefault(c => c.Id == row.AuthorizationId);
            if (listed is null)
            {
                return await FailAsync(row, BrokerSyncStatus.Failed, $"SnapTrade no longer lists the {row.BrokerageName} connection; connect the brokerage again.", deactivate: true, ct);
            }
            SnapTradeClient.ThrowIfDisabled(listed);
            var start = SnapTradeSyncWindow.StartDate(row.LastSyncedAt, options.Value.SyncOverlapDays);
            var accounts = (await client.ListAccountsAsync(user, ct)).Where(a => a.AuthorizationId == row.AuthorizationId).ToList();
            accountCount = accounts.Count;
            foreach (var account in accounts)
            {
                activities.AddRange(await client.GetActivitiesAsync(user, account, start, null, row.BrokerageName, ct));
            }
        }
        catch (SnapTradeAuthorizationExpiredException e)
        {
            logger.LogInformation("SnapTrade connection {Connection} expired: {Message}", connectionId, e.Message);
            return await FailAsync(row, BrokerSyncStatus.Expired, ExpiredMessage(row.BrokerageName), deactivate: true, ct);
        }
        catch (SnapTradeException e)
        {
            logger.LogWarning(e, "SnapTrade sync of connection {Connection} failed", connectionId);
            return await FailAsync(row, BrokerSyncStatus.Failed, $"The sync with {row.BrokerageName} failed: {e.Message} It will be tried again at the next sync.", deactivate: false, ct);
        }

        var parsed = SnapTradeActivityMapper.Map(activities, row.BrokerageName);
        var ids = FillHash.Assign(parsed.FormatId, parsed.Fills);
        var note = parsed.Problems.Count == 0 ? null
            : $"{parsed.Problems.Count} activit{(parsed.Problems.Count == 1 ? "y" : "ies")} could not be read and were left out; first: {parsed.Problems[0]}.";

        await using var store = await factory.CreateDbContextAsync(ct);
        var conn = (NpgsqlConnection)store.Database.GetDbConnection();
        await store.Database.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var (added, touched) = await FillLedger.InsertAsync(conn, tx, ownerId, parsed.Fills, ids, row.BrokerageName, FillSource.BrokerSynced, null, connectionId, ct);
        var rebuilt = await campaigns.RebuildAsync(conn, tx, ownerId, touched, ct);
        await using (var status = new NpgsqlCommand("""
            UPDATE broker_connections SET last_synced_at = @t, last_sync_status = 'success', last_sync_error = @e, updated_at = @t WHERE id = @id AND user_id = @u
            """, conn, tx))
        {
            status.Parameters.AddWithValue("t", clock.GetUtcNow());
            status.Parameters.Add(new NpgsqlParameter<string?>("e", NpgsqlTypes.NpgsqlDbType.Varchar) { TypedValue = note is null ? null : Limit(note, 2000) });
            status.Parameters.AddWithValue("id", connectionId);
            status.Parameters.AddWithValue("u", ownerId);
            await status.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new BrokerSyncOutcome(connectionId, BrokerSyncStatus.Success, accountCount, activities.Count, parsed.Fills.Count, added, parsed.Fills.Count - added,
            parsed.SkippedCount, parsed.Problems.Count, rebuilt, note);
    }

    private async Task<BrokerSyncOutcome> FailAsync(BrokerConnection row, string status, string message, bool deactivate, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var text = Limit(message, 2000);
        await db.BrokerConnections.Where(c => c.Id == row.Id && c.UserId == row.UserId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.LastSyncStatus, status)
            .SetProperty(c => c.LastSyncError, text)
            .SetProperty(c => c.IsActive, c => !deactivate && c.IsActive)
            .SetProperty(c => c.UpdatedAt, now), ct);
        await NotifyFailureAsync(row, status, message, ct);
        return new BrokerSyncOutcome(row.Id, status, 0, 0, 0, 0, 0, 0, 0, 0, message);
    }

    /// <summary>The owner hears of a failed sync (warning) or an expired authorisation (error: nothing syncs until they reconnect).</summary>
    private async Task NotifyFailureAsync(BrokerConnection row, string status, string message, CancellationToken ct)
    {
        var expired = status == BrokerSyncStatus.Expired;
        try
        {
            await notifier.NotifyAsync(new Notifications.NotificationRequest(row.UserId, Notifications.NotificationTypes.Service,
                expired ? Notifications.NotificationLevels.Error : Notifications.NotificationLevels.Warning,
                expired ? $"Reconnect {row.BrokerageName}: its authorisation expired" : $"The {row.BrokerageName} sync failed",
                message, "journal/connections"), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not notify the owner of connection {Connection} of a failed sync", row.Id);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static string ExpiredMessage(string brokerage) =>
        $"The {brokerage} connection expired or was revoked at the brokerage. Reconnect it to sync again; your synced trades are kept.";

    private void EnsureConfigured()
    {
        if (!options.Value.IsConfigured)
            throw new JournalValidationException("SnapTrade", "Broker sync is not configured on this server (SnapTrade:ClientId and SnapTrade:ConsumerKey).");
    }

    private static async Task<BrokerConnection> FindAsync(AppDbContext db, Guid userId, long connectionId, CancellationToken ct)
        => await db.BrokerConnections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == connectionId && c.UserId == userId, ct)
           ?? throw new JournalNotFoundException($"Connection {connectionId}");

    /// <summary>The owner's SnapTrade identity with the secret decrypted, or null when they never registered.</summary>
    private async Task<SnapTradeUser?> UserAsync(Guid userId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var row = await db.SnapTradeUsers.AsNoTracking().Where(u => u.UserId == userId).OrderBy(u => u.Id).FirstOrDefaultAsync(ct);
        return row is null ? null : new SnapTradeUser(row.SnapTradeUserId, Protector(userId).Unprotect(row.ProtectedSecret));
    }

    private IDataProtector Protector(Guid userId) => protection.CreateProtector(Purpose, userId.ToString("N"));

    private static string Limit(string s, int max) => s.Length <= max ? s : s[..max];

    /// <summary>For the job's run details.</summary>
    public static IReadOnlyDictionary<string, object?> Details(BrokerSyncOutcome o) => new Dictionary<string, object?>
    {
        ["connection"] = o.ConnectionId, ["status"] = o.Status, ["accounts"] = o.Accounts, ["activities"] = o.Activities, ["fills_read"] = o.FillsRead,
        ["added"] = o.Added, ["duplicates"] = o.Duplicates, ["skipped"] = o.Skipped, ["problems"] = o.Problems, ["campaigns_rebuilt"] = o.CampaignsRebuilt,
    };
}
