using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Signalbook.Components.Shared;
using Signalbook.Data;
using Signalbook.Features.Audit;
using Signalbook.Features.Email;

namespace Signalbook.Features.Waitlist;

public sealed class WaitlistOptions
{
    public const string Section = "Waitlist";

    [Range(1, 90)] public int InvitationDays { get; set; } = 7;

    /// <summary>Sign-ups allowed per client IP per window.</summary>
    [Range(1, 10_000)] public int SignupsPerWindow { get; set; } = 5;

    [Range(1, 1440)] public int WindowMinutes { get; set; } = 10;
}

public enum JoinOutcome
{
    Joined,
    AlreadyOnList,
    RateLimited,
}

public sealed record WaitlistRow(long Id, string Name, string Email, string? Referral, WaitlistStatus Status, string? Notes,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt, DateTimeOffset? InvitationExpiresAt, DateTimeOffset? InvitationUsedAt);

public sealed record WaitlistQuery(string? Search = null, WaitlistStatus? Status = null, int Skip = 0, int Take = 20,
    string SortBy = nameof(WaitlistRow.CreatedAt), bool Descending = true);

public sealed record Invitation(long EntryId, string Email, string Name, string Link, DateTimeOffset ExpiresAt);

public sealed record DayCount(DateOnly Day, int Count);

/// <summary>The public waitlist and its admin workflow: join, approve with a one-time invitation, reject, notes.</summary>
public sealed class WaitlistService(
    IDbContextFactory<AppDbContext> factory,
    EmailService email,
    AuditService audit,
    TimeProvider clock,
    IOptionsMonitor<WaitlistOptions> options,
    WaitlistRateLimiter limiter)
{
    private static string Label(WaitlistStatus status) => status.ToString().ToLowerInvariant();

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();

    public static string HashToken(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant();

    /// <summary>
    /// Adds a visitor. An email already on the list gets the same friendly answer whatever its status,
    /// so the form reveals nothing about other people.
    /// </summary>
    public async Task<JoinOutcome> JoinAsync(string name, string emailAddress, string? referral, string? ipAddress,
        string? userAgent = null, CancellationToken ct = default)
    {
        if (!limiter.TryAcquire(ipAddress ?? "unknown")) return JoinOutcome.RateLimited;

        var now = clock.GetUtcNow();
        var entry = new WaitlistEntry
        {
            Name = name.Trim(),
            Email = emailAddress.Trim(),
            NormalizedEmail = Normalize(emailAddress),
            Referral = string.IsNullOrWhiteSpace(referral) ? null : referral.Trim(),
            Status = WaitlistStatus.Pending,
            IpAddress = ipAddress,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var db = await factory.CreateDbContextAsync(ct);
        if (await db.Waitlist.AnyAsync(w => w.NormalizedEmail == entry.NormalizedEmail, ct)) return JoinOutcome.AlreadyOnList;
        db.Waitlist.Add(entry);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return JoinOutcome.AlreadyOnList; // a concurrent sign-up with the same email won the race
        }
        await audit.WriteAsync(new AuditActor(null, entry.Email, ipAddress, userAgent), AuditActions.WaitlistJoined, "waitlist", entry.Id.ToString(), ct: ct);
        return JoinOutcome.Joined;
    }

    public async Task<(IReadOnlyList<WaitlistRow> Rows, int Total)> QueryAsync(WaitlistQuery q, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var query = db.Waitlist.AsNoTracking();
        if (q.Status is { } status) query = query.Where(w => w.Status == status);
        if (!string.IsNullOrWhiteSpace(q.Search))
        {
            var term = $"%{q.Search.Trim()}%";
            query = query.Where(w => EF.Functions.ILike(w.Email, term) || EF.Functions.ILike(w.Name, term)
                                     || EF.Functions.ILike(w.Referral ?? "", term) || EF.Functions.ILike(w.Notes ?? "", term));
        }
        var total = await query.CountAsync(ct);
        query = (q.SortBy, q.Descending) switch
        {
            (nameof(WaitlistRow.Name), false) => query.OrderBy(w => w.Name).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Name), true) => query.OrderByDescending(w => w.Name).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Email), false) => query.OrderBy(w => w.Email).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Email), true) => query.OrderByDescending(w => w.Email).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Referral), false) => query.OrderBy(w => w.Referral).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Referral), true) => query.OrderByDescending(w => w.Referral).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Status), false) => query.OrderBy(w => w.Status).ThenByDescending(w => w.Id),
            (nameof(WaitlistRow.Status), true) => query.OrderByDescending(w => w.Status).ThenByDescending(w => w.Id),
            (_, false) => query.OrderBy(w => w.CreatedAt).ThenBy(w => w.Id),
            _ => query.OrderByDescending(w => w.CreatedAt).ThenByDescending(w => w.Id),
        };
        var rows = await query.Skip(q.Skip).Take(q.Take)
            .Select(w => new WaitlistRow(w.Id, w.Name, w.Email, w.Referral, w.Status, w.Notes, w.CreatedAt, w.DecidedAt,
                w.InvitationExpiresAt, w.InvitationUsedAt))
            .ToListAsync(ct);
        return (rows, total);
    }

    public async Task<IReadOnlyDictionary<WaitlistStatus, int>> CountByStatusAsync(CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var counts = await db.Waitlist.AsNoTracking().GroupBy(w => w.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return Enum.GetValues<WaitlistStatus>().ToDictionary(s => s, s => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0);
    }

    /// <summary>Sign-ups per UTC day over the last <paramref name="days"/> days, zero-filled.</summary>
    public async Task<IReadOnlyList<DayCount>> SignupsPerDayAsync(int days, CancellationToken ct = default)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var from = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        await using var db = await factory.CreateDbContextAsync(ct);
        var stamps = await db.Waitlist.AsNoTracking().Where(w => w.CreatedAt >= from).Select(w => w.CreatedAt).ToListAsync(ct);
        var byDay = stamps.GroupBy(t => DateOnly.FromDateTime(t.UtcDateTime)).ToDictionary(g => g.Key, g => g.Count());
        return Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(d => new DayCount(d, byDay.GetValueOrDefault(d))).ToList();
    }

    /// <summary>
    /// Approves an entry: a fresh one-time token (only its hash is stored) valid for the configured
    /// number of days, emailed through the outbox and returned so the admin can copy the link.
    /// Approving again re-issues the link and invalidates the previous one.
    /// </summary>
    public async Task<Invitation?> ApproveAsync(long id, AuditActor admin, string baseUri, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var entry = await db.Waitlist.SingleOrDefaultAsync(w => w.Id == id, ct);
        if (entry is null || entry.Status == WaitlistStatus.Registered) return null;
        var statusBefore = entry.Status;
        var token = Base64UrlToken(32);
        var now = clock.GetUtcNow();
        entry.Status = WaitlistStatus.Approved;
        entry.DecidedAt = now;
        entry.DecidedByUserId = admin.UserId;
        entry.InvitationTokenHash = HashToken(token);
        entry.InvitationExpiresAt = now.AddDays(options.CurrentValue.InvitationDays);
        entry.InvitationUsedAt = null;
        entry.UpdatedAt = now;
        await db.SaveChangesAsync(ct);

        var link = $"{baseUri.TrimEnd('/')}/account/register?invite={token}";
        await email.SendAsync(entry.Email, "Your Signalbook invitation",
            $"""
            Hello {entry.Name},

            You are invited to Signalbook. Create your account with this link (it works once, until {TimeFormat.Utc(entry.InvitationExpiresAt)} UTC):

            {link}
            """, "waitlist-invitation", ct);
        await audit.WriteAsync(admin, AuditActions.WaitlistApproved, "waitlist", entry.Id.ToString(),
            details: new { entry.Email, expires = entry.InvitationExpiresAt },
            changes: new AuditChange(new { status = Label(statusBefore) }, new { status = Label(entry.Status) }), ct: ct);
        return new Invitation(entry.Id, entry.Email, entry.Name, link, entry.InvitationExpiresAt.Value);
    }

    public async Task<bool> RejectAsync(long id, AuditActor admin, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var before = await db.Waitlist.Where(w => w.Id == id).Select(w => (WaitlistStatus?)w.Status).SingleOrDefaultAsync(ct);
        var changed = await db.Waitlist.Where(w => w.Id == id && w.Status != WaitlistStatus.Registered).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.Status, WaitlistStatus.Rejected)
            .SetProperty(w => w.DecidedAt, now)
            .SetProperty(w => w.DecidedByUserId, admin.UserId)
            .SetProperty(w => w.InvitationTokenHash, (string?)null)
            .SetProperty(w => w.InvitationExpiresAt, (DateTimeOffset?)null)
            .SetProperty(w => w.UpdatedAt, now), ct);
        if (changed > 0)
        {
            await audit.WriteAsync(admin, AuditActions.WaitlistRejected, "waitlist", id.ToString(),
                changes: new AuditChange(new { status = before is { } b ? Label(b) : null }, new { status = Label(WaitlistStatus.Rejected) }), ct: ct);
        }
        return changed > 0;
    }

    public async Task<bool> SaveNotesAsync(long id, string? notes, AuditActor admin, CancellationToken ct = default)
    {
        notes = string.IsNullOrWhiteSpace(notes) ? null : notes.Trim();
        if (notes is { Length: > 4000 }) throw new ArgumentException("Notes are limited to 4000 characters.", nameof(notes));
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var before = await db.Waitlist.Where(w => w.Id == id).Select(w => w.Notes).SingleOrDefaultAsync(ct);
        var changed = await db.Waitlist.Where(w => w.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.Notes, notes)
            .SetProperty(w => w.UpdatedAt, now), ct);
        if (changed > 0) await audit.WriteAsync(admin, AuditActions.WaitlistNotes, "waitlist", id.ToString(), changes: new AuditChange(before, notes), ct: ct);
        return changed > 0;
    }

    /// <summary>The invitation behind a token, if it is still usable (approved, unused, unexpired).</summary>
    public async Task<WaitlistRow?> FindInvitationAsync(string token, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(token)) return null;
        var hash = HashToken(token);
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        return await db.Waitlist.AsNoTracking()
            .Where(w => w.InvitationTokenHash == hash && w.Status == WaitlistStatus.Approved && w.InvitationUsedAt == null && w.InvitationExpiresAt > now)
            .Select(w => new WaitlistRow(w.Id, w.Name, w.Email, w.Referral, w.Status, w.Notes, w.CreatedAt, w.DecidedAt, w.InvitationExpiresAt, w.InvitationUsedAt))
            .SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Claims an invitation atomically: of two concurrent registrations with one link, exactly one
    /// gets the entry back. <see cref="ReleaseClaimAsync"/> undoes it if the account could not be created.
    /// </summary>
    public async Task<WaitlistRow?> ClaimInvitationAsync(string token, CancellationToken ct = default)
    {
        var hash = HashToken(token);
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        var claimed = await db.Waitlist
            .Where(w => w.InvitationTokenHash == hash && w.Status == WaitlistStatus.Approved && w.InvitationUsedAt == null && w.InvitationExpiresAt > now)
            .ExecuteUpdateAsync(u => u.SetProperty(w => w.InvitationUsedAt, now).SetProperty(w => w.UpdatedAt, now), ct);
        if (claimed == 0) return null;
        return await db.Waitlist.AsNoTracking().Where(w => w.InvitationTokenHash == hash)
            .Select(w => new WaitlistRow(w.Id, w.Name, w.Email, w.Referral, w.Status, w.Notes, w.CreatedAt, w.DecidedAt, w.InvitationExpiresAt, w.InvitationUsedAt))
            .SingleAsync(ct);
    }

    public async Task ReleaseClaimAsync(long entryId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Waitlist.Where(w => w.Id == entryId && w.Status == WaitlistStatus.Approved)
            .ExecuteUpdateAsync(u => u.SetProperty(w => w.InvitationUsedAt, (DateTimeOffset?)null), ct);
    }

    public async Task MarkRegisteredAsync(long entryId, Guid userId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(ct);
        await db.Waitlist.Where(w => w.Id == entryId).ExecuteUpdateAsync(u => u
            .SetProperty(w => w.Status, WaitlistStatus.Registered)
            .SetProperty(w => w.RegisteredUserId, userId)
            .SetProperty(w => w.UpdatedAt, now), ct);
    }

    private static string Base64UrlToken(int bytes)
        => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// A fixed-window limit on sign-ups per client IP (singleton; per app instance). A change of Waitlist:SignupsPerWindow or
/// WindowMinutes at run time (Admin → Settings) starts a fresh limiter with the new limits.
/// </summary>
public sealed class WaitlistRateLimiter : IDisposable
{
    private readonly IDisposable? _subscription;
    private PartitionedRateLimiter<string> _limiter;
    private (int Permits, int Minutes) _limits;

    public WaitlistRateLimiter(IOptionsMonitor<WaitlistOptions> options)
    {
        _limiter = Create(options.CurrentValue);
        _subscription = options.OnChange(o =>
        {
            if ((o.SignupsPerWindow, o.WindowMinutes) == _limits) return;
            var previous = Interlocked.Exchange(ref _limiter, Create(o));
            previous.Dispose();
        });
    }

    private PartitionedRateLimiter<string> Create(WaitlistOptions o)
    {
        _limits = (o.SignupsPerWindow, o.WindowMinutes);
        return PartitionedRateLimiter.Create<string, string>(ip =>
            RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = o.SignupsPerWindow,
                Window = TimeSpan.FromMinutes(o.WindowMinutes),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    public bool TryAcquire(string ip)
    {
        try
        {
            using var lease = _limiter.AttemptAcquire(ip);
            return lease.IsAcquired;
        }
        catch (ObjectDisposedException)
        {
            using var lease = _limiter.AttemptAcquire(ip); // swapped for a new limiter meanwhile
            return lease.IsAcquired;
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _limiter.Dispose();
    }
}
